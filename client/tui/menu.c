/* menu: the F9 menu (see menu.h), drawn from the key table, so it lists
 * what the help screen lists. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "dialog.h"
#include "draw.h"
#include "keys.h"
#include "menu.h"

/* Longest row, in bytes (its columns are measured when drawn). */
#define MENU_LINE_MAX 512

/* The menu's state while it is open. */
struct menu {
	const struct keys_binding *t;  /* the key table */
	size_t rows[ACT_COUNT];        /* the table rows listed (actions a menu can run) */
	size_t n;                      /* how many */
	size_t cur, top;               /* the row under the cursor, the first shown */
};

/* True for actions the menu offers (not the cursor keys, the mouse, Esc or itself). */
static bool menu_offers(enum keys_action act)
{
	static const enum keys_action skip[] = { ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME,
						 ACT_END, ACT_ESCAPE, ACT_MOUSE, ACT_MENU };
	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (skip[i] == act)
			return false;
	return true;
}

/* Narrower than this, the menu's rows are cut short: the entry under
 * the cursor is also shown whole, wrapped, below them. */
#define MENU_WHOLE_W 60
/* Most rows of that text. */
#define MENU_WHOLE_ROWS 8

/* Draws s wrapped in at most rows rows of width columns from (y, x), or
 * counts them (win NULL): returns its rows. */
static int menu_whole(WINDOW *win, int y, int x, const char *s, int width, int rows)
{
	int r = 0;
	for (size_t len = strlen(s); len > 0 && r < rows; r++) {
		/* The last row that fits takes the rest, cut with the ellipsis. */
		size_t k = r + 1 < rows ? draw_wrap(s, len, width) : len;
		char piece[MENU_LINE_MAX];
		snprintf(piece, sizeof piece, "%.*s", (int)k, s);
		if (win != NULL)
			draw_cut(win, y + r, x, piece, width);
		for (s += k, len -= k; len > 0 && *s == ' '; len--)
			s++;
	}
	return r;
}

static void menu_draw(struct app *a, const void *arg)
{
	struct menu *m = (struct menu *)arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	/* A small screen gives the menu all of itself. */
	int w = cols < 40 ? cols : cols - 4 > 100 ? 100 : cols - 4;
	int most = rows < 12 ? rows : rows - 2, h = (int)m->n + 4 < most ? (int)m->n + 4 : most;
	if (w < 10 || h < 4)
		return;
	const struct keys_binding *cur = &m->t[m->rows[m->cur]];
	int list = h - 2, whole = 0;
	if (w < MENU_WHOLE_W) {
		int cap = (h - 3) / 2 < MENU_WHOLE_ROWS ? (h - 3) / 2 : MENU_WHOLE_ROWS;
		whole = menu_whole(NULL, 0, 0, cur->help, w - 4, cap > 0 ? cap : 0);
		list = whole > 0 ? h - 3 - whole : h - 2;
	}
	/* The cursor's row stays in view. */
	if (m->cur < m->top)
		m->top = m->cur;
	if (m->cur >= m->top + (size_t)list)
		m->top = m->cur - (size_t)list + 1;
	WINDOW *win = draw_window(h, w, true);
	if (win == NULL)
		return;
	static const char *const title[] = { " Menu (Enter runs, Esc closes) ", " Menu " };
	const char *t = draw_first_fit(title, 2, w - 4);
	draw_fit(win, 0, 2, t, w - 4, A_NORMAL);
	if (t == title[1]) {
		static const char *const keys[] = { " Enter runs, Esc closes ", " Enter, Esc " };
		draw_fit(win, h - 1, 2, draw_first_fit(keys, 2, w - 4), w - 4, A_NORMAL);
	}
	for (int r = 0; r < list && m->top + (size_t)r < m->n; r++) {
		const struct keys_binding *b = &m->t[m->rows[m->top + (size_t)r]];
		char line[MENU_LINE_MAX];
		attr_t attr = m->top + (size_t)r == m->cur ? A_REVERSE : A_NORMAL;
		dialog_key_row(line, sizeof line, " ", b->names, b->help);
		/* Cut by columns; the row under the cursor is lit to the frame. */
		int used = draw_fit(win, 1 + r, 1, line, w - 2, attr);
		if (attr != A_NORMAL) {
			wattrset(win, attr);
			for (int x = 1 + used; x < w - 1; x++)
				mvwaddch(win, 1 + r, x, ' ');
		}
	}
	wattrset(win, A_NORMAL);
	if (whole > 0) {
		mvwaddch(win, 1 + list, 0, ACS_LTEE);
		mvwhline(win, 1 + list, 1, ACS_HLINE, w - 2);
		mvwaddch(win, 1 + list, w - 1, ACS_RTEE);
		menu_whole(win, 2 + list, 2, cur->help, w - 4, whole);
	}
	wnoutrefresh(win);
	delwin(win);
}

void menu_run(struct app *a)
{
	struct menu m;
	size_t n;
	memset(&m, 0, sizeof m);
	m.t = keys_table(&n);
	for (size_t i = 0; i < n && m.n < ACT_COUNT; i++)
		if (menu_offers(m.t[i].action))
			m.rows[m.n++] = i;
	for (;;) {
		int k = dialog_overlay_key(a, menu_draw, &m);
		enum keys_action act = keys_lookup(k);
		if (act == ACT_UP && m.cur > 0)
			m.cur--;
		else if (act == ACT_DOWN && m.cur + 1 < m.n)
			m.cur++;
		else if (act == ACT_HOME)
			m.cur = 0;
		else if (act == ACT_END)
			m.cur = m.n - 1;
		else if (act == ACT_OPEN) {
			actions_run(a, m.t[m.rows[m.cur]].action);
			return;
		} else if (k == KEYS_ESC || k == KEYS_CTRL('c') || act == ACT_MENU || k == 'q') {
			return;
		}
	}
}
