/* cmdline: command lines as the ferry prompt and scripts write them.
 * Words are split at blanks (space, tab) and quoted as in a shell:
 * '...' keeps everything literally, "..." keeps everything but a
 * backslash before " \ $ or `, and outside quotes a backslash keeps the
 * next character. Commands end at an unquoted ';' or a line break; an
 * unquoted '#' at the start of a word comments out the rest of the line.
 * Pure functions: nothing is printed or run here. */
#ifndef FERRY_CMDLINE_H
#define FERRY_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Most words one command may have. */
#define CMDLINE_MAX_WORDS 64
/* Longest word, in bytes. */
#define CMDLINE_WORD_MAX 4096

/* The words of one command. */
struct cmdline_words {
	char *v[CMDLINE_MAX_WORDS + 1];  /* n words, then NULL; owned by the struct */
	size_t n;                        /* words in v */
};

/* What cmdline_next found. */
enum cmdline_result {
	CMDLINE_END,      /* no command left */
	CMDLINE_COMMAND,  /* a command with at least one word */
	CMDLINE_ERROR,    /* a malformed command; the message says why */
};

/* Parses the next non-empty command from the NUL-terminated text at *pos
 * and moves *pos past it. On CMDLINE_COMMAND, w holds its words (free
 * with cmdline_words_free). On CMDLINE_ERROR (unterminated quote, too
 * many words, a word too long) err gets a message, w is empty and *pos
 * skips to the next line. */
enum cmdline_result cmdline_next(const char **pos, struct cmdline_words *w,
				 char *err, size_t errsz);
/* Frees the words; w is empty afterwards. */
void cmdline_words_free(struct cmdline_words *w);
/* Appends word to out quoted so that cmdline_next reads it back as that
 * one word (unchanged when nothing in it needs quoting); false if out
 * would pass its maximum. */
bool cmdline_quote(const char *word, struct sbuf *out);

#endif
