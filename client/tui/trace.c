/* trace: a ring of the newest protocol trace lines (see trace.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbuf.h"
#include "trace.h"
#include "xalloc.h"

/* Longest line kept, in bytes. */
#define TRACE_LINE_MAX 1024

struct trace {
	char *line[TRACE_LINES];   /* a ring: the oldest at first */
	size_t first, n;
};

struct trace *trace_new(void)
{
	return xcalloc(1, sizeof(struct trace));
}

void trace_free(struct trace *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < TRACE_LINES; i++)
		free(t->line[i]);
	free(t);
}

void trace_add(struct trace *t, const char *who, char mark, const char *text)
{
	char when[16] = "", buf[TRACE_LINE_MAX];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) != NULL)
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	snprintf(buf, sizeof buf, "%s %-7s %c %s", when, who, mark, text);
	size_t slot = (t->first + t->n) % TRACE_LINES;
	if (t->n == TRACE_LINES) {
		t->first = (t->first + 1) % TRACE_LINES;
		free(t->line[slot]);
	} else {
		t->n++;
	}
	t->line[slot] = xstrdup(buf);
}

size_t trace_count(const struct trace *t)
{
	return t->n;
}

char *trace_text(const struct trace *t, size_t *len)
{
	struct sbuf b;
	sbuf_init(&b, (size_t)TRACE_LINES * (TRACE_LINE_MAX + 1));
	for (size_t i = 0; i < t->n; i++) {
		sbuf_puts(&b, t->line[(t->first + i) % TRACE_LINES]);
		sbuf_puts(&b, "\n");
	}
	*len = b.len;
	char *out = xmalloc(b.len + 1);
	memcpy(out, sbuf_str(&b), b.len + 1);
	sbuf_free(&b);
	return out;
}
