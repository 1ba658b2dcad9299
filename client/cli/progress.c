/* progress: the transfer bar and summary line (see progress.h). The bar
 * is one line rewritten in place with "\r" and cleared with "ESC [K";
 * nothing else here touches the terminal. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "human.h"
#include "progress.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sysio.h"

/* Moves to the start of the line and clears it. */
static const char progress_clear[] = "\r\033[K";
/* Narrowest bar drawn between the brackets; below it the bar is left out. */
#define PROGRESS_BAR_MIN 10
/* Widest bar drawn. */
#define PROGRESS_BAR_MAX 40
/* Narrowest name column; a longer name is cut to fit the line. */
#define PROGRESS_NAME_MIN 8

/* Columns of the terminal on stderr. */
static int progress_columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return PROGRESS_DEFAULT_WIDTH;
}

int progress_width(void)
{
	return progress_columns();
}

/* Counts the characters (not bytes) of UTF-8 text. */
static size_t progress_chars(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Appends at most cols characters of s, ending with "..." if it is cut. */
static void progress_put_cut(struct sbuf *b, const char *s, size_t cols)
{
	size_t have = progress_chars(s);
	if (have <= cols) {
		sbuf_puts(b, s);
		return;
	}
	size_t keep = cols > 3 ? cols - 3 : 0, n = 0;
	const char *p = s;
	for (; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == keep)
			break;
	}
	sbuf_append(b, s, (size_t)(p - s));
	sbuf_puts(b, cols > 3 ? "..." : "");
}

/* Appends the first cols characters of s. */
static void progress_put_cols(struct sbuf *b, const char *s, size_t cols)
{
	size_t n = 0;
	const char *p = s;
	for (; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == cols)
			break;
	sbuf_append(b, s, (size_t)(p - s));
}

void progress_format(char *out, size_t outsz, int width, const char *name, off_t done,
		     off_t total, double rate, bool stalled)
{
	char sz[HUMAN_BUF], rt[HUMAN_BUF], eta[HUMAN_BUF], tail[3 * HUMAN_BUF + 32];
	struct sbuf b, line;
	bool known = total > 0 && done <= total;
	int pct = known ? (int)(done * 100 / total) : (total == 0 ? 100 : -1);
	int room = 0;

	human_size(done, sz, sizeof sz);
	human_rate(rate, rt, sizeof rt);
	if (stalled && known && done < total)
		snprintf(eta, sizeof eta, "%s", RATEWIN_STALLED);
	else
		human_eta(known && rate > 0 ? (double)(total - done) / rate : -1, eta, sizeof eta);
	/* The line: NAME PCT [BAR] SIZE RATE ETA. When it cannot fit, the
	 * bar goes first, then the time left, then the rate. */
	for (int drop = 0; drop <= 2; drop++) {
		bool with_eta = known && drop < 1, with_rate = drop < 2;
		snprintf(tail, sizeof tail, "  %s%s%s%s%s", sz, with_rate ? "  " : "",
			 with_rate ? rt : "", with_eta ? "  ETA " : "", with_eta ? eta : "");
		room = width - 1 - (int)strlen(tail) - (pct >= 0 ? 5 : 0);
		if (room >= PROGRESS_NAME_MIN)
			break;
	}
	int bar = room - PROGRESS_NAME_MIN - 3;
	if (!known || bar < PROGRESS_BAR_MIN)
		bar = 0;
	if (bar > PROGRESS_BAR_MAX)
		bar = PROGRESS_BAR_MAX;
	int name_cols = room - (bar > 0 ? bar + 3 : 0);
	if (name_cols < PROGRESS_NAME_MIN)
		name_cols = PROGRESS_NAME_MIN;

	sbuf_init(&b, PROGRESS_LINE_MAX);
	progress_put_cut(&b, name, (size_t)name_cols);
	if (pct >= 0)
		sbuf_printf(&b, " %3d%%", pct);
	if (bar > 0) {
		int fill = (int)((double)bar * (double)done / (double)total);
		sbuf_puts(&b, " [");
		for (int i = 0; i < bar; i++)
			sbuf_puts(&b, i < fill ? "=" : i == fill ? ">" : " ");
		sbuf_puts(&b, "]");
	}
	sbuf_puts(&b, tail);
	/* A terminal too narrow for even that gets the line's start. */
	sbuf_init(&line, PROGRESS_LINE_MAX);
	progress_put_cols(&line, sbuf_str(&b), width > 1 ? (size_t)width - 1 : 0);
	if (outsz > 0)
		snprintf(out, outsz, "%s", sbuf_str(&line));
	sbuf_free(&line);
	sbuf_free(&b);
}

void progress_start(struct progress *p, const char *verb, const char *name, bool bar,
		    off_t start)
{
	memset(p, 0, sizeof *p);
	p->verb = verb;
	sanitize_text(name, strlen(name), p->name, sizeof p->name);
	p->bar = bar;
	p->width = bar ? progress_columns() : PROGRESS_DEFAULT_WIDTH;
	p->t0 = sysio_now_ms();
	p->last_draw = p->t0 - PROGRESS_REDRAW_MS;
	p->start = p->done = start;
	p->total = -1;
	ratewin_start(&p->win, p->t0, start);
}

void progress_note(struct progress *p, long long now, off_t done, off_t total)
{
	p->done = done;
	p->total = total;
	ratewin_add(&p->win, now, done);
}

double progress_rate(const struct progress *p, long long now)
{
	return ratewin_rate(&p->win, now);
}

bool progress_stalled(const struct progress *p, long long now)
{
	return ratewin_stalled(&p->win, now);
}

void progress_update(struct progress *p, off_t done, off_t total)
{
	char line[PROGRESS_LINE_MAX];
	long long now = sysio_now_ms();

	progress_note(p, now, done, total);
	if (!p->bar || now - p->last_draw < PROGRESS_REDRAW_MS)
		return;
	p->last_draw = now;
	progress_format(line, sizeof line, p->width, p->name, done, total,
			progress_rate(p, now), progress_stalled(p, now));
	fprintf(stderr, "%s%s", progress_clear, line);
	fflush(stderr);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (p->t_end == 0)
		p->t_end = sysio_now_ms();
	if (p->drawn) {
		fputs(progress_clear, stderr);
		fflush(stderr);
		p->drawn = false;
	}
}

off_t progress_moved(const struct progress *p)
{
	return p->done - p->start;
}

void progress_summary(const struct progress *p, char *out, size_t outsz)
{
	char secs[HUMAN_BUF], rate[HUMAN_BUF];
	long long end = p->t_end ? p->t_end : sysio_now_ms();
	/* A transfer too quick for the clock counts as one millisecond. */
	double s = (double)(end > p->t0 ? end - p->t0 : 1) / 1000.0;
	off_t moved = progress_moved(p);

	human_seconds(s, secs, sizeof secs);
	human_rate((double)moved / s, rate, sizeof rate);
	snprintf(out, outsz, "%s %s: %jd bytes in %s (%s)", p->verb, p->name, (intmax_t)moved,
		 secs, rate);
}
