/* reply: formatting FTP replies (server) and assembling them from lines
 * (client), including multi-line replies (RFC 959 section 4.2). */
#ifndef FERRY_REPLY_H
#define FERRY_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Appends a reply to out. text may hold several lines separated by '\n';
 * more than one line gives the "123-first ... 123 last" form, and inner
 * lines that could be mistaken for the final line get a leading space.
 * CR and other control bytes in text are replaced by '?'.
 * Returns false if out would pass its maximum. */
bool reply_format(struct sbuf *out, int code, const char *text);

/* Assembles one reply from the lines a server sends. */
struct reply_parser {
	int code;            /* code of the reply being read; 0 before the first line */
	bool multi;          /* inside a multi-line reply */
	int lines;           /* lines of the reply read so far */
	struct sbuf text;    /* the reply's text, lines joined with '\n' */
};

enum reply_status {
	REPLY_MORE,      /* feed more lines */
	REPLY_DONE,      /* a whole reply is in code/text */
	REPLY_BAD,       /* not a reply's first line (a code from 100 to 599) */
	REPLY_TOO_LONG,  /* the reply passed FTP_REPLY_MAX */
	REPLY_TOO_MANY,  /* the reply passed FTP_REPLY_LINES_MAX lines */
};

/* Prepares a parser; reply_parser_free releases it. */
void reply_parser_init(struct reply_parser *p);
void reply_parser_free(struct reply_parser *p);
/* Feeds one line (without CRLF). After REPLY_DONE, the next feed starts a
 * new reply. */
enum reply_status reply_parser_feed(struct reply_parser *p, const char *line, size_t len);

#endif
