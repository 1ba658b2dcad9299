/* ratewin: the rate a transfer shows, taken over its last few seconds
 * rather than since its start, so that it follows the transfer: it falls
 * to 0 when nothing arrives and rises again when bytes flow. A transfer
 * with no progress for RATEWIN_STALL_MS is stalled, and its time left is
 * shown as RATEWIN_STALLED instead of a number. The clock is passed in
 * (milliseconds, monotonic), so the functions are pure. */
#ifndef FERRY_RATEWIN_H
#define FERRY_RATEWIN_H

#include <stdbool.h>
#include <sys/types.h>

/* The span the rate is taken over, in milliseconds. */
#define RATEWIN_SPAN_MS 5000
/* Time without progress after which a transfer is stalled (ms). */
#define RATEWIN_STALL_MS 5000
/* Least time between two samples kept (ms); closer ones are merged. */
#define RATEWIN_STEP_MS 100
/* Samples kept: more than the span needs at one per RATEWIN_STEP_MS. */
#define RATEWIN_SAMPLES 64
/* What the time left shows while the transfer is stalled. */
#define RATEWIN_STALLED "stalled"

/* One sample: bytes done at a time. */
struct ratewin_sample {
	long long t;
	off_t done;
};

struct ratewin {
	struct ratewin_sample s[RATEWIN_SAMPLES]; /* a ring, oldest at head */
	unsigned head, n;    /* first sample and samples held */
	long long moved_at;  /* when done last grew (or the start) */
	bool started;        /* ratewin_start was called */
};

/* Starts the window at now with done bytes (a resume offset counts). */
void ratewin_start(struct ratewin *w, long long now, off_t done);
/* Records done bytes at now. A count lower than the last one (a transfer
 * begun again) starts the window over. */
void ratewin_add(struct ratewin *w, long long now, off_t done);
/* Bytes per second over the last RATEWIN_SPAN_MS (since the start while
 * the transfer is younger): 0 when nothing arrived in that time. */
double ratewin_rate(const struct ratewin *w, long long now);
/* Whether nothing arrived for RATEWIN_STALL_MS. */
bool ratewin_stalled(const struct ratewin *w, long long now);

#endif
