/* ratewin: the rate over the last few seconds (see ratewin.h). */
#include "config.h"

#include <string.h>

#include "ratewin.h"

/* The sample i places after the oldest. */
static const struct ratewin_sample *ratewin_at(const struct ratewin *w, unsigned i)
{
	return &w->s[(w->head + i) % RATEWIN_SAMPLES];
}

void ratewin_start(struct ratewin *w, long long now, off_t done)
{
	memset(w, 0, sizeof *w);
	w->s[0].t = now;
	w->s[0].done = done;
	w->n = 1;
	w->moved_at = now;
	w->started = true;
}

void ratewin_add(struct ratewin *w, long long now, off_t done)
{
	if (!w->started) {
		ratewin_start(w, now, done);
		return;
	}
	const struct ratewin_sample *last = ratewin_at(w, w->n - 1);
	if (done < last->done || now < last->t) {
		ratewin_start(w, now, done);
		return;
	}
	if (done > last->done)
		w->moved_at = now;
	/* Samples are kept at least RATEWIN_STEP_MS apart: while the newest
	 * one is closer than that to the one before, it moves forward. */
	if (w->n > 1 && last->t - ratewin_at(w, w->n - 2)->t < RATEWIN_STEP_MS) {
		struct ratewin_sample *s = &w->s[(w->head + w->n - 1) % RATEWIN_SAMPLES];
		s->t = now;
		s->done = done;
		return;
	}
	if (w->n == RATEWIN_SAMPLES) {
		w->head = (w->head + 1) % RATEWIN_SAMPLES;
		w->n--;
	}
	struct ratewin_sample *s = &w->s[(w->head + w->n) % RATEWIN_SAMPLES];
	s->t = now;
	s->done = done;
	w->n++;
}

double ratewin_rate(const struct ratewin *w, long long now)
{
	if (!w->started || w->n == 0)
		return 0.0;
	const struct ratewin_sample *last = ratewin_at(w, w->n - 1);
	/* The base: the newest sample at least a span old, else the oldest. */
	const struct ratewin_sample *base = ratewin_at(w, 0);
	for (unsigned i = w->n; i-- > 0;) {
		if (ratewin_at(w, i)->t <= now - RATEWIN_SPAN_MS) {
			base = ratewin_at(w, i);
			break;
		}
	}
	/* What came in after a long gap counts as come within the span. */
	long long ms = now - base->t;
	if (ms > RATEWIN_SPAN_MS)
		ms = RATEWIN_SPAN_MS;
	if (ms <= 0 || last->done <= base->done)
		return 0.0;
	return (double)(last->done - base->done) * 1000.0 / (double)ms;
}

bool ratewin_stalled(const struct ratewin *w, long long now)
{
	return w->started && now - w->moved_at >= RATEWIN_STALL_MS;
}
