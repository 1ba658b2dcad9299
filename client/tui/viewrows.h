/* viewrows: where the rows of a line's text as drawn start when it wraps
 * in a number of columns: a row starts at the character that does not
 * fit in the one before (at least one character a row; zero-width ones
 * stay with theirs). No curses: the viewer's walk and its unit tests. */
#ifndef FERRY_TUI_VIEWROWS_H
#define FERRY_TUI_VIEWROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* A walk along a text's rows. */
struct viewrows {
	int cols;               /* the columns of a row */
	int used;               /* the columns of the row walked used so far */
	mbstate_t st;           /* the shift state */
};

/* Starts w at the start of a row of cols columns. */
void viewrows_start(struct viewrows *w, int cols);
/* Steps w over the text at s + k (len - k bytes, k < len): over one
 * character, or over as many ASCII bytes (one column a byte) as the row
 * has room for at once. Returns the bytes stepped over, *starts whether
 * a row starts at k. */
size_t viewrows_step(struct viewrows *w, const char *s, size_t len, size_t k, bool *starts);
/* As viewrows_step, always over one character. */
size_t viewrows_step_char(struct viewrows *w, const char *s, size_t len, size_t k, bool *starts);

#endif
