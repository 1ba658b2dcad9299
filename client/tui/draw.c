/* draw: the TUI's view (see draw.h). Each region is its own window,
 * laid out again when the terminal size or the transfer panel's height
 * changes. Below a minimum size only a short notice is drawn. Every
 * text drawn passes draw_text, which cuts by display width (UTF-8 via
 * the wide-character calls); remote names arrive already sanitised. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "draw.h"
#include "human.h"
#include "keys.h"
#include "sanitize.h"

/* Smallest terminal drawn normally. */
#define DRAW_MIN_ROWS 6
#define DRAW_MIN_COLS 20
/* Most transfer rows shown in the panel. */
#define DRAW_XFER_ROWS 5
/* Widths of the size and date columns. */
#define DRAW_SIZE_W 9
#define DRAW_DATE_W 17
/* Width of a progress bar's inside. */
#define DRAW_BAR_W 20
/* How long a lone Esc waits for the rest of a key sequence, in ms. */
#define DRAW_ESC_DELAY_MS 50

/* Colour pairs. */
enum draw_pair {
	PAIR_DIR = 1,   /* directories */
	PAIR_CURSOR,    /* cursor row of the active pane */
	PAIR_BAR,       /* top and hint lines */
	PAIR_ERROR,     /* errors in the status line */
	PAIR_TAG,       /* tagged entries */
	PAIR_PROGRESS,  /* progress bars */
};

/* The windows of one layout. */
enum draw_win {
	WIN_TOP, WIN_LEFT, WIN_RIGHT, WIN_XFER, WIN_HINTS, WIN_STATUS, WIN_COUNT,
};

/* The current layout. */
static struct {
	WINDOW *w[WIN_COUNT];  /* windows, NULL when not laid out */
	int rows, cols;        /* terminal size laid out for */
	int xfer_h;            /* transfer panel height laid out for */
	bool colors;           /* colours in use */
} draw_lay;

/* Attributes for each role, filled in by draw_start (colour or monochrome). */
static attr_t draw_attr_dir, draw_attr_cursor, draw_attr_cursor_idle, draw_attr_bar,
	draw_attr_error, draw_attr_tag, draw_attr_progress;

bool draw_start(struct app *a)
{
	setlocale(LC_ALL, "");
	if (initscr() == NULL)
		return false;
	raw();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(DRAW_ESC_DELAY_MS);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	draw_lay.colors = has_colors() && (nc == NULL || nc[0] == '\0');
	if (draw_lay.colors && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_DIR, COLOR_BLUE, -1);
		init_pair(PAIR_CURSOR, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_WHITE);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		init_pair(PAIR_TAG, COLOR_YELLOW, -1);
		init_pair(PAIR_PROGRESS, COLOR_GREEN, -1);
		draw_attr_dir = COLOR_PAIR(PAIR_DIR) | A_BOLD;
		draw_attr_cursor = COLOR_PAIR(PAIR_CURSOR);
		draw_attr_bar = COLOR_PAIR(PAIR_BAR);
		draw_attr_error = COLOR_PAIR(PAIR_ERROR) | A_BOLD;
		draw_attr_tag = COLOR_PAIR(PAIR_TAG) | A_BOLD;
		draw_attr_progress = COLOR_PAIR(PAIR_PROGRESS);
	} else {
		draw_lay.colors = false;
		draw_attr_dir = A_BOLD;
		draw_attr_cursor = A_REVERSE;
		draw_attr_bar = A_REVERSE;
		draw_attr_error = A_BOLD;
		draw_attr_tag = A_BOLD | A_UNDERLINE;
		draw_attr_progress = A_BOLD;
	}
	draw_attr_cursor_idle = A_UNDERLINE;
	a->colors = draw_lay.colors;
	draw_resize();
	return true;
}

/* Deletes the windows of the layout. */
static void draw_drop(void)
{
	for (int i = 0; i < WIN_COUNT; i++) {
		if (draw_lay.w[i] != NULL)
			delwin(draw_lay.w[i]);
		draw_lay.w[i] = NULL;
	}
}

void draw_end(void)
{
	draw_drop();
	endwin();
}

void draw_resize(void)
{
	draw_drop();
	draw_lay.rows = -1;
	erase();
	wnoutrefresh(stdscr);
}

/* Lays the windows out for rows x cols with a panel of xfer_h rows. */
static void draw_layout(int rows, int cols, int xfer_h)
{
	draw_drop();
	draw_lay.rows = rows;
	draw_lay.cols = cols;
	draw_lay.xfer_h = xfer_h;
	if (rows < DRAW_MIN_ROWS || cols < DRAW_MIN_COLS)
		return;
	int pane_h = rows - 3 - xfer_h;
	int left_w = cols / 2;
	draw_lay.w[WIN_TOP] = newwin(1, cols, 0, 0);
	draw_lay.w[WIN_LEFT] = newwin(pane_h, left_w, 1, 0);
	draw_lay.w[WIN_RIGHT] = newwin(pane_h, cols - left_w, 1, left_w);
	if (xfer_h > 0)
		draw_lay.w[WIN_XFER] = newwin(xfer_h, cols, 1 + pane_h, 0);
	draw_lay.w[WIN_HINTS] = newwin(1, cols, rows - 2, 0);
	draw_lay.w[WIN_STATUS] = newwin(1, cols, rows - 1, 0);
}

/* Draws s at (y, x) in at most width columns with attr; pads with spaces
 * to width when pad. Returns the columns used. */
static int draw_text(WINDOW *w, int y, int x, const char *s, int width, attr_t attr, bool pad)
{
	mbstate_t st;
	int used = 0;

	memset(&st, 0, sizeof st);
	wattrset(w, attr);
	wmove(w, y, x);
	size_t left = strlen(s);
	while (left > 0 && used < width) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		}
		int cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > width)
			break;
		waddnwstr(w, &wc, 1);
		used += cw;
		s += n;
		left -= n;
	}
	while (pad && used < width) {
		waddch(w, ' ');
		used++;
	}
	wattrset(w, A_NORMAL);
	return used;
}

/* Writes an entry's date as "YYYY-MM-DD HH:MM" (local time), "" when unknown. */
static void draw_date(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	if (t <= 0 || localtime_r(&t, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M", &tm) == 0)
		out[0] = '\0';
}

/* Draws one pane. */
static void draw_pane(struct app *a, enum app_side side, WINDOW *w)
{
	struct pane *p = a->pane[side];
	int h, wd;
	char head[PANE_PATH_MAX + 64], size[HUMAN_BUF], date[32];
	bool active = a->active == side;

	getmaxyx(w, h, wd);
	werase(w);
	const char *path = pane_path(p);
	char shown[PANE_PATH_MAX];
	snprintf(head, sizeof head, "%s %s [%s%s%s]", side == APP_LOCAL ? "local" : "remote",
		 path[0] ? path : "-", pane_sort_name(pane_sort_mode(p)),
		 pane_filter(p)[0] ? " /" : "", pane_filter(p));
	sanitize_text(head, strlen(head), shown, sizeof shown);
	draw_text(w, 0, 0, shown, wd, active ? (draw_attr_bar | A_BOLD) : A_BOLD, true);
	if (h < 2)
		goto out;
	bool show_size = wd >= 18, show_date = wd >= 36;
	int name_w = wd - 2 - (show_size ? DRAW_SIZE_W + 1 : 0) - (show_date ? DRAW_DATE_W : 0);
	size_t rows = (size_t)(h - 1);
	if (active)
		a->pane_height = rows;
	size_t top = pane_scroll(p, rows);
	for (size_t r = 0; r < rows; r++) {
		const struct pane_entry *e = pane_row(p, top + r);
		if (e == NULL)
			break;
		bool cur = top + r == pane_cursor(p);
		attr_t at = e->tagged ? draw_attr_tag : e->type == FTP_ENTRY_DIR ? draw_attr_dir : A_NORMAL;
		if (cur)
			at = active ? draw_attr_cursor : (at | draw_attr_cursor_idle);
		int y = (int)r + 1;
		draw_text(w, y, 0, e->tagged ? "*" : " ", 1, at, false);
		int x = 1 + draw_text(w, y, 1, e->display, name_w, at, true);
		draw_text(w, y, x, e->type == FTP_ENTRY_DIR ? "/" : " ", 1, at, false);
		x++;
		if (show_size) {
			if (e->type == FTP_ENTRY_DIR)
				snprintf(size, sizeof size, "<DIR>");
			else if (e->size < 0)
				size[0] = '\0';
			else
				human_size(e->size, size, sizeof size);
			char cell[DRAW_SIZE_W + 2];
			snprintf(cell, sizeof cell, "%*s ", DRAW_SIZE_W, size);
			x += draw_text(w, y, x, cell, DRAW_SIZE_W + 1, at, true);
		}
		if (show_date) {
			draw_date(e->mtime, date, sizeof date);
			draw_text(w, y, x, date, DRAW_DATE_W, at, true);
		}
	}
	if (pane_rows(p) == 0)
		draw_text(w, 1, 1, pane_filter(p)[0] ? "(no match)" : "(empty)", wd - 1, A_DIM, false);
out:
	wnoutrefresh(w);
}

/* Draws the top line: the connection. */
static void draw_top(struct app *a, WINDOW *w)
{
	char line[APP_FIELD_MAX * 2 + 64], shown[sizeof line];
	int wd = getmaxx(w);
	werase(w);
	if (a->connected)
		snprintf(line, sizeof line, " ferry  %s@%s:%d", a->login.user[0] ? a->login.user : "anonymous",
			 a->login.host, a->login.port);
	else
		snprintf(line, sizeof line, " ferry  not connected (F2 connects)");
	sanitize_text(line, strlen(line), shown, sizeof shown);
	draw_text(w, 0, 0, shown, wd, draw_attr_bar, true);
	wnoutrefresh(w);
}

/* Writes one transfer's line into out. */
static void draw_xfer_line(const struct queue_job *j, char *out, size_t outsz, int width)
{
	char done[HUMAN_BUF], total[HUMAN_BUF], rate[HUMAN_BUF], eta[HUMAN_BUF];
	char bar[DRAW_BAR_W + 1];
	int pct = queue_percent(j);
	int fill = pct < 0 ? 0 : pct * DRAW_BAR_W / 100;
	for (int i = 0; i < DRAW_BAR_W; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[DRAW_BAR_W] = '\0';
	human_size(j->done, done, sizeof done);
	if (j->size >= 0)
		human_size(j->size, total, sizeof total);
	else
		snprintf(total, sizeof total, "?");
	human_rate(j->rate, rate, sizeof rate);
	human_eta(queue_eta(j), eta, sizeof eta);
	const char *arrow = j->dir == QUEUE_DOWNLOAD ? "<-" : "->";
	if (j->tree)
		snprintf(out, outsz, "%-9s %s %s/ (listing the tree) %s", queue_state_name(j->state),
			 arrow, j->label, j->message);
	else if (j->state == QUEUE_RUNNING)
		snprintf(out, outsz, "%-9s %s [%s] %3d%% %s/%s %s ETA %s  %s", queue_state_name(j->state),
			 arrow, bar, pct < 0 ? 0 : pct, done, total, rate, eta, j->label);
	else
		snprintf(out, outsz, "%-9s %s %s  %s  %s", queue_state_name(j->state), arrow, total,
			 j->label, j->message);
	(void)width;
}

/* Draws the transfer panel: a heading and the transfers around the selected one. */
static void draw_xfer(struct app *a, WINDOW *w)
{
	char line[1024], head[128];
	int h, wd;
	getmaxyx(w, h, wd);
	werase(w);
	size_t n = queue_count(a->queue);
	snprintf(head, sizeof head, " Transfers: %zu active, %zu listed   [ ] select, x cancels",
		 queue_active(a->queue), n);
	draw_text(w, 0, 0, head, wd, A_BOLD | A_UNDERLINE, true);
	size_t rows = h > 1 ? (size_t)(h - 1) : 0;
	if (a->xfer_sel >= n)
		a->xfer_sel = n ? n - 1 : 0;
	size_t first = a->xfer_sel >= rows ? a->xfer_sel - rows + 1 : 0;
	for (size_t r = 0; r < rows && first + r < n; r++) {
		const struct queue_job *j = queue_at(a->queue, first + r);
		draw_xfer_line(j, line, sizeof line, wd);
		attr_t at = j->state == QUEUE_FAILED ? draw_attr_error
			  : j->state == QUEUE_RUNNING ? draw_attr_progress : A_NORMAL;
		if (first + r == a->xfer_sel)
			at |= A_REVERSE;
		draw_text(w, (int)r + 1, 0, line, wd, at, true);
	}
	wnoutrefresh(w);
}

/* Draws the hint line from the key table. */
static void draw_hints(WINDOW *w)
{
	size_t n;
	const struct keys_binding *t = keys_table(&n);
	int wd = getmaxx(w), x = 0;
	werase(w);
	for (size_t i = 0; i < n && x < wd; i++) {
		if (t[i].hint == NULL)
			continue;
		char key[16];
		snprintf(key, sizeof key, "%.*s", (int)strcspn(t[i].names, ","), t[i].names);
		x += draw_text(w, 0, x, key, wd - x, draw_attr_bar, false);
		x += draw_text(w, 0, x, t[i].hint, wd - x, A_NORMAL, false);
		x += draw_text(w, 0, x, " ", wd - x, A_NORMAL, false);
	}
	wnoutrefresh(w);
}

/* Draws the status line. */
static void draw_status(struct app *a, WINDOW *w)
{
	werase(w);
	draw_text(w, 0, 0, a->status, getmaxx(w), a->status_error ? draw_attr_error : A_NORMAL, true);
	wnoutrefresh(w);
}

void draw_screen(struct app *a)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	int xfer_h = 0;
	size_t nq = queue_count(a->queue);
	if (nq > 0)
		xfer_h = 1 + (int)(nq < DRAW_XFER_ROWS ? nq : DRAW_XFER_ROWS);
	/* The panes keep at least three rows; the panel gives way first. */
	while (xfer_h > 0 && rows - 3 - xfer_h < 3)
		xfer_h--;
	if (xfer_h == 1)
		xfer_h = 0;
	if (rows != draw_lay.rows || cols != draw_lay.cols || xfer_h != draw_lay.xfer_h)
		draw_layout(rows, cols, xfer_h);
	if (draw_lay.w[WIN_TOP] == NULL) {
		erase();
		mvaddnstr(0, 0, "ferry: window too small", cols > 0 ? cols : 0);
		wnoutrefresh(stdscr);
		return;
	}
	draw_top(a, draw_lay.w[WIN_TOP]);
	draw_pane(a, APP_LOCAL, draw_lay.w[WIN_LEFT]);
	draw_pane(a, APP_REMOTE, draw_lay.w[WIN_RIGHT]);
	if (draw_lay.w[WIN_XFER] != NULL)
		draw_xfer(a, draw_lay.w[WIN_XFER]);
	draw_hints(draw_lay.w[WIN_HINTS]);
	draw_status(a, draw_lay.w[WIN_STATUS]);
}

void draw_flush(void)
{
	doupdate();
}
