/* sbuf: bounded growable buffer (see sbuf.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

void sbuf_init(struct sbuf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void sbuf_init_over(struct sbuf *b, char *buf, size_t size)
{
	b->data = buf;
	b->len = 0;
	b->cap = size;
	b->max = size - 1;
	b->data[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

bool sbuf_fits(const struct sbuf *b, size_t n)
{
	return n <= b->max && b->len <= b->max - n;
}

/* Makes room for n more bytes plus the NUL; false if that passes max. */
bool sbuf_reserve(struct sbuf *b, size_t n)
{
	if (!sbuf_fits(b, n))
		return false;
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return true;
}

char *sbuf_extend(struct sbuf *b, size_t n)
{
	if (!sbuf_reserve(b, n))
		return NULL;
	char *p = b->data + b->len;
	b->len += n;
	b->data[b->len] = '\0';
	return p;
}

bool sbuf_append(struct sbuf *b, const void *data, size_t n)
{
	char *p = sbuf_extend(b, n);
	if (p == NULL)
		return false;
	if (n)
		memcpy(p, data, n);
	return true;
}

bool sbuf_puts(struct sbuf *b, const char *s)
{
	return sbuf_append(b, s, strlen(s));
}

bool sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof small)
		return sbuf_append(b, small, (size_t)n);
	if (!sbuf_reserve(b, (size_t)n))
		return false;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}

void sbuf_truncate(struct sbuf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->data[n] = '\0';
}

void sbuf_consume(struct sbuf *b, size_t n)
{
	if (n >= b->len) {
		sbuf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->data ? b->data : "";
}
