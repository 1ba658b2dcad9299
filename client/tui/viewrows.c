/* viewrows: a line's wrapped rows (see viewrows.h). A text of megabytes
 * is mostly ASCII: a row of it is stepped over at once, its bytes
 * looked at a word at a time, so End on one line of 16 MiB does not
 * cost a step per character. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "draw.h"
#include "viewrows.h"

void viewrows_start(struct viewrows *w, int cols)
{
	w->cols = cols;
	w->used = 0;
	memset(&w->st, 0, sizeof w->st);
}

/* Whether the character at k ends the row before it; counts its w
 * columns in the row it is in. */
static bool viewrows_take(struct viewrows *w, int cols)
{
	bool starts = w->used + cols > w->cols && w->used > 0;
	if (starts)
		w->used = 0;
	w->used += cols;
	return starts;
}

size_t viewrows_step_char(struct viewrows *w, const char *s, size_t len, size_t k, bool *starts)
{
	wchar_t wc;
	int cols = 1;
	size_t n = (unsigned char)s[k] < 0x80 ? 1 : draw_char(s + k, len - k, &w->st, &wc, &cols);
	*starts = viewrows_take(w, cols);
	return n;
}

/* The bytes of s (at most max, len available) before its first that is
 * not ASCII: eight at a time while they are all ASCII. */
static size_t viewrows_ascii(const char *s, size_t len, size_t max)
{
	size_t n = 0, end = len < max ? len : max;
	for (uint64_t word; n + sizeof word <= end; n += sizeof word) {
		memcpy(&word, s + n, sizeof word);
		if (word & UINT64_C(0x8080808080808080))
			break;
	}
	while (n < end && (unsigned char)s[n] < 0x80)
		n++;
	return n;
}

size_t viewrows_step(struct viewrows *w, const char *s, size_t len, size_t k, bool *starts)
{
	if ((unsigned char)s[k] >= 0x80)
		return viewrows_step_char(w, s, len, k, starts);
	/* ASCII is one column a byte (the shift state untouched, as a
	 * character at a time): what is left of the row is filled at once,
	 * or, when nothing is, the byte at k starts the next one. */
	if (w->used >= w->cols)
		return viewrows_step_char(w, s, len, k, starts);
	size_t n = viewrows_ascii(s + k, len - k, (size_t)(w->cols - w->used));
	*starts = false;
	w->used += (int)n;
	return n;
}
