/* trace: the protocol trace of the session for the log view (L): the
 * newest TRACE_LINES lines the workers' engines reported (commands sent,
 * with PASS masked by the engine; replies; the engine's notes), each
 * marked with the worker it came from. Plain C: no curses. */
#ifndef FERRY_TUI_TRACE_H
#define FERRY_TUI_TRACE_H

#include <stddef.h>

/* Lines kept. */
#define TRACE_LINES 5000

struct trace;

/* A new empty trace (never NULL); free with trace_free. */
struct trace *trace_new(void);
void trace_free(struct trace *t);
/* Adds a line: "HH:MM:SS who> text" (who: "local", "remote", "copy",
 * "connect"; mark: '>' sent, '<' received, '*' a note). The oldest line
 * goes when TRACE_LINES are kept. */
void trace_add(struct trace *t, const char *who, char mark, const char *text);
/* How many lines are kept. */
size_t trace_count(const struct trace *t);
/* The kept lines joined by '\n' (caller frees); *len gets the length. */
char *trace_text(const struct trace *t, size_t *len);

#endif
