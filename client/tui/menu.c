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

static void menu_draw(struct app *a, const void *arg)
{
	const struct menu *m = arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	int w = cols - 4 > 100 ? 100 : cols - 4, h = (int)m->n + 4 < rows - 2 ? (int)m->n + 4
									: rows - 2;
	if (w < 20 || h < 5)
		return;
	WINDOW *win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
	if (win == NULL)
		return;
	werase(win);
	box(win, 0, 0);
	static const char *const title[] = { " Menu (Enter runs, Esc closes) ", " Menu " };
	draw_fit(win, 0, 2, draw_first_fit(title, 2, w - 4), w - 4, A_NORMAL);
	for (int r = 0; r < h - 2 && m->top + (size_t)r < m->n; r++) {
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
		int rows = getmaxy(stdscr), list = rows - 4 > 1 ? rows - 4 : 1;
		if (m.cur < m.top)
			m.top = m.cur;
		if (m.cur >= m.top + (size_t)list)
			m.top = m.cur - (size_t)list + 1;
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
