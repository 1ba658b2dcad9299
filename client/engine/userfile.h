/* userfile: the small files ferry keeps for its user (known_certs, the
 * sites, the recent hosts): where they live by the XDG base directory
 * rules, reading one whole, and replacing one atomically with mode 0600.
 * Nothing here prints; errors come back as text naming the file. */
#ifndef FERRY_USERFILE_H
#define FERRY_USERFILE_H

#include <stddef.h>

#include "sbuf.h"

/* Writes "$xdg_var/ferry/name" into buf when that variable holds an
 * absolute path, else "$HOME/fallback/ferry/name" (fallback: ".config",
 * ".local/share", ".local/state"). Returns 0, or -1 with err (no usable
 * variable and no HOME, or a path longer than n). */
int userfile_path(const char *xdg_var, const char *fallback, const char *name, char *buf,
		  size_t n, char *err, size_t errsz);
/* Reads the file at path into b (whose limit bounds the size); one that
 * is not a regular file (a FIFO, a device) is refused at once. A missing
 * file leaves b empty and counts as success. Returns 0, or -1 with err. */
int userfile_read(const char *path, struct sbuf *b, char *err, size_t errsz);
/* Longest line userfile_lines hands over, in bytes. */
#define USERFILE_LINE_MAX 1024

/* Takes one line (NUL-terminated, without its newline or a CR before it,
 * which it may change); returns NULL, or a static message saying what is
 * wrong with it. */
typedef const char *userfile_line_fn(void *arg, char *line);
/* Reads the config file called name ($xdg_var/ferry/name, as
 * userfile_path finds it; at most max bytes) and hands each line to fn,
 * stopping at the first it refuses. A missing file has no lines. Returns
 * NULL, or err: "PATH line N: why", or why the file could not be read. */
const char *userfile_lines(const char *xdg_var, const char *fallback, const char *name,
			   size_t max, userfile_line_fn *fn, void *arg, char *err, size_t errsz);
/* Replaces the file at path with the len bytes at data: written to a
 * temporary file beside it with mode 0600, synced, renamed over it, the
 * folders above made (mode 0700) where missing. Returns 0, or -1 with
 * err (the old file stays). */
int userfile_save(const char *path, const char *data, size_t len, char *err, size_t errsz);

#endif
