/* draw: the TUI's view. Reads the model and draws the top line, the two
 * panes, the transfer panel, the hint line and the status line, each in
 * its own window (wnoutrefresh each, one doupdate). */
#ifndef FERRY_TUI_DRAW_H
#define FERRY_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <wchar.h>

#include "app.h"
#include "keys.h"

/* Starts curses (locale, keypad, colours unless NO_COLOR or none); returns false if it cannot. */
bool draw_start(struct app *a);
/* Ends curses and restores the terminal. */
void draw_end(void);
/* Lays the windows out again for the terminal's new size. */
void draw_resize(void);
/* Draws the whole screen without the final doupdate. */
void draw_screen(struct app *a);
/* True when the terminal is below the least size drawn (the screen then
 * says only that it is too small). */
bool draw_too_small(void);
/* What lies at a screen cell. */
enum draw_region { DRAW_NOWHERE, DRAW_PANE, DRAW_XFER, DRAW_HINT };

/* Where a cell is: a pane's side and its row of entries (row -1: its
 * frame or heading), a row of the transfer panel, or the action of a key
 * on the hint line. */
struct draw_hit {
	enum draw_region region;
	enum app_side side;       /* DRAW_PANE */
	long row;                 /* DRAW_PANE: the entry row (its index); DRAW_XFER: the job's index */
	enum keys_action action;  /* DRAW_HINT */
};

/* Says what the last screen drawn shows at (y, x). */
void draw_hit(const struct app *a, int y, int x, struct draw_hit *out);
/* Shows everything drawn (doupdate). */
void draw_flush(void);
/* Draws s at (y, x) in width columns, padded; a text too wide is cut one
 * column short and ends with the ellipsis ("…", or "~" without UTF-8).
 * Returns the columns used. */
int draw_cut(WINDOW *w, int y, int x, const char *s, int width);
/* The ellipsis that marks a cut text: "…", or "~" without UTF-8. */
const char *draw_ellipsis(void);
/* Draws s at (y, x) in at most width columns with attr, not padded; a
 * text too wide is cut as by draw_cut. Returns the columns used. */
int draw_fit(WINDOW *w, int y, int x, const char *s, int width, attr_t attr);
/* The first of the n texts of forms (the widest first) that fits in
 * width columns, else the last: a row that says something in a longer
 * and a shorter way keeps its words whole. */
const char *draw_first_fit(const char *const *forms, size_t n, int width);
/* A window of h rows and w columns in the middle of the screen, erased,
 * with a box round it when framed; NULL when curses cannot make it. The
 * caller deletes it (delwin). */
WINDOW *draw_window(int h, int w, bool framed);
/* Reads the character at s (of left bytes, in the shift state st):
 * returns its bytes, with the character drawn in *wc and its columns in
 * *cols; an invalid byte is one byte drawn as '?', as is a character that
 * cannot be shown. */
size_t draw_char(const char *s, size_t left, mbstate_t *st, wchar_t *wc, int *cols);
/* The columns s takes on the screen (an invalid byte counts one). */
int draw_columns(const char *s);
/* draw_columns of the len bytes at s. */
int draw_columns_n(const char *s, size_t len);
/* The bytes of s (len bytes) that end between two characters (an
 * invalid byte counts as one) within max bytes and cols columns; *blank
 * (unless NULL) is set to the bytes up to the last blank in them, 0 when
 * none. */
size_t draw_span(const char *s, size_t len, size_t max, int cols, size_t *blank);
/* The bytes of s (len bytes) that fit in cols columns, ending at a blank
 * when one lets the rest start on the next row; at least one character. */
size_t draw_wrap(const char *s, size_t len, int cols);

#endif
