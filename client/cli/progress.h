/* progress: what a transfer shows while it runs and when it ends. A bar
 * on stderr (name, percent, bytes, rate over the last few seconds, time
 * left or "stalled", see ratewin.h), redrawn at most
 * every PROGRESS_REDRAW_MS and erased before anything else is printed,
 * and a one-line summary "downloaded NAME: N bytes in S s (R)". The
 * formatting functions are pure; only progress_update and progress_erase
 * write, and only to stderr. */
#ifndef FERRY_PROGRESS_H
#define FERRY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ratewin.h"

/* Least time between two redraws of the bar, in milliseconds. */
#define PROGRESS_REDRAW_MS 100
/* Columns assumed when the terminal does not say. */
#define PROGRESS_DEFAULT_WIDTH 80
/* Longest line formatted (bar or summary), in bytes. */
#define PROGRESS_LINE_MAX 1024

/* One transfer being shown. */
struct progress {
	const char *verb;   /* "downloaded" or "uploaded"; static */
	char name[PROGRESS_LINE_MAX / 2];  /* the name shown, sanitised */
	bool bar;           /* draw a bar on stderr */
	bool drawn;         /* a bar is on the screen now */
	int width;          /* terminal columns */
	long long t0;       /* when the transfer started (ms, monotonic) */
	long long t_end;    /* when it ended (ms), 0 while running */
	long long last_draw;/* when the bar was last drawn (ms) */
	off_t start;        /* bytes already there before (resume offset) */
	off_t done;         /* bytes done, counting start */
	off_t total;        /* expected size, -1 when unknown */
	struct ratewin win; /* the recent progress the rate is taken from */
};

/* Starts showing a transfer of name (raw; sanitised here) that begins at
 * offset start; bar says whether to draw on stderr (a terminal). */
void progress_start(struct progress *p, const char *verb, const char *name, bool bar,
		    off_t start);
/* Records the bytes done by now and redraws the bar when one is due. */
void progress_update(struct progress *p, off_t done, off_t total);
/* Records the bytes done at now (ms, monotonic); no drawing. */
void progress_note(struct progress *p, long long now, off_t done, off_t total);
/* The rate shown at now: over the last few seconds, 0 when nothing came. */
double progress_rate(const struct progress *p, long long now);
/* Whether nothing came for RATEWIN_STALL_MS by now. */
bool progress_stalled(const struct progress *p, long long now);
/* Stops the clock and erases the bar, leaving the cursor at the start of
 * an empty line. */
void progress_end(struct progress *p);
/* Bytes moved by this transfer (not counting the resume offset). */
off_t progress_moved(const struct progress *p);
/* Columns a bar may use: the terminal's on stderr, else a default. */
int progress_width(void);
/* Writes the summary line (no newline) into out. */
void progress_summary(const struct progress *p, char *out, size_t outsz);
/* Writes the bar for width columns into out (no newline), e.g.
 * "d.bin  45% [=====>      ] 3.60 MB  12.1 MB/s  ETA 0:03"; total -1
 * leaves out the percent, the bar and the time left; stalled shows
 * "ETA stalled" instead of a time. */
void progress_format(char *out, size_t outsz, int width, const char *name, off_t done,
		     off_t total, double rate, bool stalled);

#endif
