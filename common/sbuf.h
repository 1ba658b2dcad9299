/* sbuf: a growable byte buffer with a hard maximum size.
 * Every buffer that grows with untrusted input (listings, replies, lines) is
 * an sbuf created with its maximum, so no input can make one unbounded.
 * The contents are always NUL-terminated for convenience; len excludes it.
 * Fields are read-only outside sbuf.c. */
#ifndef FERRY_SBUF_H
#define FERRY_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *data;  /* contents, NUL-terminated; NULL until first append */
	size_t len;  /* bytes used, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* most bytes len may ever reach */
};

/* Initialises an empty buffer that will refuse to grow past max bytes. */
void sbuf_init(struct sbuf *b, size_t max);
/* Initialises an empty buffer over the caller's size bytes at buf: it
 * never grows (max is size - 1, room for the NUL), and is not freed. */
void sbuf_init_over(struct sbuf *b, char *buf, size_t size);
/* Frees the contents; the buffer may be reused after sbuf_init. */
void sbuf_free(struct sbuf *b);
/* Empties the buffer, keeping its allocation. */
void sbuf_reset(struct sbuf *b);
/* True if n more bytes can be appended without passing max (for a
 * caller that appends a line in pieces, all of them or none). */
bool sbuf_fits(const struct sbuf *b, size_t n);
/* Appends n bytes; returns false (buffer unchanged) if max would be passed. */
bool sbuf_append(struct sbuf *b, const void *data, size_t n);
/* Makes the buffer n bytes longer and returns where those bytes start,
 * for the caller to fill at once (until then they hold anything); NULL,
 * buffer unchanged, if max would be passed. */
char *sbuf_extend(struct sbuf *b, size_t n);
/* Makes room for n more bytes at once, so appending them moves nothing;
 * false, buffer unchanged, if max would be passed. */
bool sbuf_reserve(struct sbuf *b, size_t n);
/* Appends a NUL-terminated string; false if max would be passed. */
bool sbuf_puts(struct sbuf *b, const char *s);
/* Appends formatted text; false (buffer unchanged) if max would be passed. */
bool sbuf_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Keeps only the first n bytes (all of them if n >= len). */
void sbuf_truncate(struct sbuf *b, size_t n);
/* Removes the first n bytes (all if n >= len). */
void sbuf_consume(struct sbuf *b, size_t n);
/* Returns the contents (never NULL; "" when empty). */
const char *sbuf_str(const struct sbuf *b);

#endif
