/* linereader: splits a byte stream into FTP lines.
 * Handles CRLF and bare LF endings, strips Telnet IAC sequences (RFC 854)
 * when asked to (commands before a line's first byte, IAC IAC anywhere), and bounds each line to FTP_LINE_MAX bytes: a longer line
 * is reported once as too long and the rest of it discarded up to its LF.
 * It does no I/O of its own beyond lr_fill's read(2) into its buffer. */
#ifndef FERRY_LINEREADER_H
#define FERRY_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ftp_limits.h"

enum lr_status {
	LR_NEED_MORE,  /* no complete line buffered */
	LR_LINE,       /* a line is ready */
	LR_TOO_LONG,   /* a line longer than FTP_LINE_MAX ended; it was dropped */
};

struct linereader {
	size_t raw_start, raw_end;       /* unscanned bytes are raw[start..end) */
	size_t line_len;                 /* bytes in line */
	bool overlong;                   /* current line passed the limit */
	bool telnet;                     /* strip IAC sequences */
	int iac_state;                   /* position inside an IAC sequence */
	bool line_ready;                 /* line holds a complete line */
	/* The buffers last; lr_init leaves their bytes alone (only what the
	 * counters above cover is ever read), so a reader in fresh memory
	 * touches only the pages it fills. */
	char line[FTP_LINE_MAX + 2];     /* the line being assembled */
	unsigned char raw[8192];         /* bytes read but not yet scanned */
};

/* Initialises the reader; telnet selects IAC stripping (server side). */
void lr_init(struct linereader *lr, bool telnet);
/* Reads once from fd into the buffer: returns bytes read, 0 at end of
 * stream, -1 with errno on error (EAGAIN for a non-blocking fd). */
ssize_t lr_fill(struct linereader *lr, int fd);
/* Free space in the buffer for the next read (compacting it first). */
size_t lr_room(struct linereader *lr);
/* Adds n bytes as if read (for tests and in-memory sources); returns how
 * many were taken (fewer when the buffer is full). */
size_t lr_feed(struct linereader *lr, const void *data, size_t n);
/* Scans buffered bytes: on LR_LINE sets *line (NUL-terminated, CR/LF
 * removed, may contain NUL bytes) and *len; the line stays valid until
 * the next call. */
enum lr_status lr_next(struct linereader *lr, const char **line, size_t *len);
/* True if unscanned bytes remain in the buffer. */
bool lr_pending(const struct linereader *lr);
/* True if part of a line has been scanned but its end has not arrived. */
bool lr_partial(const struct linereader *lr);

#endif
