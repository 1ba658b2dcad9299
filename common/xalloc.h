/* xalloc: allocation wrappers that never return NULL.
 * Running out of memory is not an error ferry can answer sensibly, so these
 * print one line and exit; every other failure is returned to the caller. */
#ifndef FERRY_XALLOC_H
#define FERRY_XALLOC_H

#include <stddef.h>

/* Returns n bytes (never NULL); the caller frees. */
void *xmalloc(size_t n);
/* Returns n*size zeroed bytes, failing on overflow; the caller frees. */
void *xcalloc(size_t n, size_t size);
/* Resizes p to n bytes; the caller frees the result. */
void *xrealloc(void *p, size_t n);
/* Returns a copy of s; the caller frees. */
char *xstrdup(const char *s);
/* Returns a copy of the first n bytes of s, NUL-terminated; the caller frees. */
char *xstrndup(const char *s, size_t n);

#endif
