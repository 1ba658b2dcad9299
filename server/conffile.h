/* conffile: reading ferryd's configuration file (ferryd.conf(5) is in
 * ferryd(8), CONFIGURATION FILE). One "key = value" per line; a line
 * whose first non-blank character is '#' is a comment; blank lines are
 * skipped. This module only splits lines: what a key means, and whether
 * its value is good, is options.c's (the same code as the command line),
 * reached through a callback. Errors are one line, "PATH:LINE: why". */
#ifndef FERRYD_CONFFILE_H
#define FERRYD_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line, without its line end. */
#define CONFFILE_LINE_MAX 4096
/* Largest file read, in bytes. */
#define CONFFILE_SIZE_MAX (1024 * 1024)

/* Takes one setting (key and value trimmed, NUL-terminated) from line
 * lineno. Returns true, or false with a message (without the "PATH:LINE: "
 * prefix, which conffile_read adds) in err. */
typedef bool conffile_fn(void *arg, const char *key, const char *value, unsigned lineno,
			 char *err, size_t errsz);

/* What conffile_read returns. */
enum conffile_status {
	CONFFILE_OK = 0,        /* read (or missing, when allowed) */
	CONFFILE_UNREADABLE = 1,/* cannot be opened or read: err says why */
	CONFFILE_BAD = 2,       /* a line is malformed or refused: err is PATH:LINE: */
};

/* Reads the file at path and hands each setting to fn, stopping at the
 * first refusal. A missing file counts as empty when missing_ok. */
enum conffile_status conffile_read(const char *path, bool missing_ok, conffile_fn *fn, void *arg,
				   char *err, size_t errsz);
/* The same over a buffer of n bytes (path only names it in messages). */
enum conffile_status conffile_parse(const char *path, const char *text, size_t n,
				    conffile_fn *fn, void *arg, char *err, size_t errsz);

#endif
