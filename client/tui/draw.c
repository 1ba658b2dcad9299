/* draw: the TUI's view (see draw.h). Each region is its own window,
 * laid out again when the terminal size or the transfer panel's height
 * changes. Below a minimum size only a short notice is drawn. Every
 * text drawn passes draw_text, which cuts by display width (UTF-8 via
 * the wide-character calls); remote names arrive already sanitised. */
#include "config.h"

#include <curses.h>
#include <langinfo.h>
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
#include "sbuf.h"
#include "theme.h"

/* Smallest terminal drawn normally (below it one row says so). */
#define DRAW_MIN_ROWS 6
#define DRAW_MIN_COLS 20
/* A number as the text of its digits, for the notice of that size. */
#define DRAW_STR(x) #x
#define DRAW_XSTR(x) DRAW_STR(x)
/* What the top line starts with, left out first when it is too wide. */
#define DRAW_TOP_NAME " ferry "
/* Most transfer rows shown in the panel. */
#define DRAW_XFER_ROWS 5
/* Widths of the size and date columns. */
#define DRAW_SIZE_W 9
#define DRAW_DATE_W 17
/* Least columns of a name or path cut at its start: the ellipsis and
 * one character. */
#define DRAW_TAIL_LEAST 2
/* Width of a progress bar's inside. */
#define DRAW_BAR_W 20
/* What a pane's heading says while its listing is awaited, and how to
 * stop that when there is room. */
#define DRAW_LOADING " loading\xe2\x80\xa6"
#define DRAW_ESC_CANCELS " (Esc cancels)"
/* How long a lone Esc waits for the rest of a key sequence, in ms. */
#define DRAW_ESC_DELAY_MS 50
/* Rows of the enlarged transfer panel: this share of the screen. */
#define DRAW_XFER_BIG_DIV 2

/* Key sequences terminals send for keys whatever their terminfo entry
 * says (tmux and screen send "\e[1~" for Home under TERM=xterm-256color,
 * where terminfo expects "\eOH"): without them the Esc that starts the
 * sequence would be read as the Esc key. */
static const struct {
	const char *seq;  /* bytes the terminal sends */
	int key;          /* the curses key they mean */
} draw_extra_keys[] = {
	{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME },
	{ "\033OH", KEY_HOME },
	{ "\033[4~", KEY_END }, { "\033[8~", KEY_END }, { "\033[F", KEY_END },
	{ "\033OF", KEY_END },
	{ "\033[2~", KEY_IC }, { "\033[3~", KEY_DC },
	{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
	{ "\033[A", KEY_UP }, { "\033[B", KEY_DOWN }, { "\033[C", KEY_RIGHT },
	{ "\033[D", KEY_LEFT }, { "\033OA", KEY_UP }, { "\033OB", KEY_DOWN },
	{ "\033OC", KEY_RIGHT }, { "\033OD", KEY_LEFT },
};

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
	const char *ellipsis;  /* marks a cut name: "…" in UTF-8, "~" otherwise */
	const char *lock;      /* marks a connection TLS protects: a padlock in UTF-8 */
	bool ascii_frames;     /* frames of - | + (a terminal without colours, e.g. a vt100) */
	size_t top[APP_SIDES]; /* the first entry row each pane showed */
	size_t xfer_first;     /* the first job the panel showed */
	struct {
		int x0, x1;              /* the columns of a key on the hint line */
		enum keys_action action; /* ...and what it does */
	} hint[ACT_COUNT];
	size_t hints;          /* keys on the hint line */
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
	/* Presses and the wheel only, reported at once: a double click is
	 * told apart by the screen (mouse.c), so no key waits for one. */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	for (size_t i = 0; i < sizeof draw_extra_keys / sizeof draw_extra_keys[0]; i++)
		if (key_defined(draw_extra_keys[i].seq) <= 0)
			define_key(draw_extra_keys[i].seq, draw_extra_keys[i].key);
	bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	draw_lay.ellipsis = utf8 ? "\xe2\x80\xa6" : "~";
	/* Line drawing where the terminal is a modern one (colours, UTF-8);
	 * plain ASCII on the others, which may not switch character sets. */
	draw_lay.ascii_frames = !utf8 || tigetnum("colors") < 8;
	draw_lay.lock = utf8 ? "\xf0\x9f\x94\x92 " : "[TLS] ";
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	struct theme th;
	char err[APP_STATUS_MAX];
	const char *theme_err = theme_load(&th, err, sizeof err);
	if (theme_err != NULL)
		app_status(a, true, "%s", theme_err);
	draw_lay.colors = has_colors() && (nc == NULL || nc[0] == '\0') && !th.mono;
	if (draw_lay.colors && start_color() == OK) {
		use_default_colors();
		/* One colour pair per role, in the order of enum draw_pair. */
		static const enum theme_role role_of[] = {
			[PAIR_DIR] = THEME_DIR, [PAIR_CURSOR] = THEME_CURSOR, [PAIR_BAR] = THEME_BAR,
			[PAIR_ERROR] = THEME_ERROR, [PAIR_TAG] = THEME_TAG,
			[PAIR_PROGRESS] = THEME_PROGRESS,
		};
		attr_t *attr_of[] = {
			[PAIR_DIR] = &draw_attr_dir, [PAIR_CURSOR] = &draw_attr_cursor,
			[PAIR_BAR] = &draw_attr_bar, [PAIR_ERROR] = &draw_attr_error,
			[PAIR_TAG] = &draw_attr_tag, [PAIR_PROGRESS] = &draw_attr_progress,
		};
		for (int p = PAIR_DIR; p <= PAIR_PROGRESS; p++) {
			const struct theme_look *l = &th.look[role_of[p]];
			init_pair((short)p, l->fg < COLORS ? l->fg : -1, l->bg < COLORS ? l->bg : -1);
			*attr_of[p] = COLOR_PAIR(p) | (l->bold ? A_BOLD : 0) |
				      (l->underline ? A_UNDERLINE : 0);
		}
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

size_t draw_char(const char *s, size_t left, mbstate_t *st, wchar_t *wc, int *cols)
{
	/* Printable ASCII, most of most texts, is one column of one byte
	 * in every locale a terminal runs in: no decoding. */
	if (left > 0 && (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f && mbsinit(st)) {
		*wc = (wchar_t)(unsigned char)*s;
		*cols = 1;
		return 1;
	}
	size_t n = mbrtowc(wc, s, left, st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		n = 1;
		*wc = L'?';
		memset(st, 0, sizeof *st);
	}
	*cols = wcwidth(*wc);
	if (*cols < 0) {
		*wc = L'?';
		*cols = 1;
	}
	return n;
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
		int cw;
		size_t n = draw_char(s, left, &st, &wc, &cw);
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

/* The columns the len bytes at s take (an invalid byte counts one, as
 * draw_text draws it). */
static int draw_width_n(const char *s, size_t len)
{
	mbstate_t st;
	int w = 0;
	size_t left = len;
	memset(&st, 0, sizeof st);
	while (left > 0) {
		wchar_t wc;
		int cw;
		size_t n = draw_char(s, left, &st, &wc, &cw);
		w += cw;
		s += n;
		left -= n;
	}
	return w;
}

/* The columns s takes. */
static int draw_width(const char *s)
{
	return draw_width_n(s, strlen(s));
}

/* draw_text padded to width, but a text too wide is cut one column
 * short and ends with the ellipsis, so a cut name never looks whole. */
static int draw_text_cut(WINDOW *w, int y, int x, const char *s, int width, attr_t attr)
{
	if (width <= 1 || draw_width(s) <= width)
		return draw_text(w, y, x, s, width, attr, true);
	int used = draw_text(w, y, x, s, width - 1, attr, false);
	used += draw_text(w, y, x + used, draw_lay.ellipsis, 1, attr, false);
	return used + draw_text(w, y, x + used, "", width - used, attr, true);
}

/* Writes into out (outsz bytes) the end of s that fits in cols columns:
 * s itself when it fits, else the ellipsis and the longest tail that
 * fits, cut between two characters (an invalid byte counts one column). */
static void draw_tail(const char *s, int cols, char *out, size_t outsz)
{
	int total = draw_width(s), ew = draw_width(draw_lay.ellipsis);
	if (total <= cols || cols <= ew) {
		snprintf(out, outsz, "%s", total <= cols ? s : "");
		return;
	}
	mbstate_t st;
	size_t i = 0, len = strlen(s);
	int cut = 0;
	memset(&st, 0, sizeof st);
	while (i < len && total - cut > cols - ew) {
		wchar_t wc;
		int cw;
		i += draw_char(s + i, len - i, &st, &wc, &cw);
		cut += cw;
	}
	snprintf(out, outsz, "%s%s", draw_lay.ellipsis, s + i);
}

/* Writes the strings of parts (up to NULL) one after the other into out
 * (outsz bytes); one that does not fit is left out whole, never cut
 * inside a character. */
static void draw_join(char *out, size_t outsz, const char *const *parts)
{
	struct sbuf b;
	sbuf_init_over(&b, out, outsz);
	for (size_t i = 0; parts[i] != NULL; i++)
		sbuf_puts(&b, parts[i]);
}

int draw_cut(WINDOW *w, int y, int x, const char *s, int width)
{
	return draw_text_cut(w, y, x, s, width, A_NORMAL);
}

int draw_columns(const char *s)
{
	return draw_width(s);
}

int draw_columns_n(const char *s, size_t len)
{
	return draw_width_n(s, len);
}

const char *draw_ellipsis(void)
{
	return draw_lay.ellipsis;
}

int draw_fit(WINDOW *w, int y, int x, const char *s, int width, attr_t attr)
{
	if (width <= 1 || draw_width(s) <= width)
		return draw_text(w, y, x, s, width, attr, false);
	int used = draw_text(w, y, x, s, width - 1, attr, false);
	return used + draw_text(w, y, x + used, draw_lay.ellipsis, 1, attr, false);
}

const char *draw_first_fit(const char *const *forms, size_t n, int width)
{
	size_t k = 0;
	while (k + 1 < n && draw_width(forms[k]) > width)
		k++;
	return forms[k];
}

WINDOW *draw_window(int h, int w, bool framed)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	WINDOW *win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
	if (win == NULL)
		return NULL;
	werase(win);
	if (framed)
		box(win, 0, 0);
	return win;
}

/* Writes an entry's date as "YYYY-MM-DD HH:MM" (local time), "" when unknown. */
static void draw_date(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	if (t <= 0 || localtime_r(&t, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M", &tm) == 0)
		out[0] = '\0';
}

/* Writes what the name column shows of e: its name, and for a link "@"
 * (mc's "!" when it leads nowhere) and " -> target" when known. */
static void draw_name(const struct pane_entry *e, char *out, size_t outsz)
{
	if (!e->link)
		snprintf(out, outsz, "%s", e->display);
	else
		snprintf(out, outsz, "%s%s%s%s", e->display, e->broken ? "!" : "@",
			 e->target ? " -> " : "", e->target ? e->target : "");
}

/* Draws a pane's footer into the bottom of its frame (row y): how many
 * entries it lists, the tagged count and size, and the free space of its
 * side when known. */
static void draw_footer(struct app *a, enum app_side side, WINDOW *w, int y, int wd)
{
	const struct pane *p = a->pane[side];
	char line[256], tagged[HUMAN_BUF], avail[HUMAN_BUF];
	size_t n = pane_rows(p);
	if (n > 0 && strcmp(pane_row(p, 0)->name, PANE_PARENT) == 0)
		n--;
	char part[2][128] = { "", "" };
	snprintf(line, sizeof line, " %zu item%s", n, n == 1 ? "" : "s");
	if (pane_tag_count(p) > 0)
		snprintf(part[0], sizeof part[0], ", %zu tagged (%s)", pane_tag_count(p),
			 human_size(pane_tag_bytes(p), tagged, sizeof tagged));
	if (a->avail[side] >= 0)
		snprintf(part[1], sizeof part[1], ", %s free",
			 human_size(a->avail[side], avail, sizeof avail));
	/* A part that does not fit inside the frame is left out whole. */
	for (int i = 0; i < 2; i++)
		if (draw_width(line) + draw_width(part[i]) + 1 <= wd - 2)
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s", part[i]);
	snprintf(line + strlen(line), sizeof line - strlen(line), " ");
	int width = draw_width(line) < wd - 2 ? draw_width(line) : wd - 2;
	draw_fit(w, y, wd - 1 - width, line, width, A_NORMAL);
}

/* Columns of the path a pane's heading keeps before the sort order
 * gives way. */
#define DRAW_HEAD_PATH_MIN 8

/* Writes a pane's heading (sanitised) into out (outsz bytes) for width
 * columns: which side, the find, the path, the sort and filter, and
 * whether it is loading. What does not fit goes in this order: the start
 * of the path (its end stays, after the ellipsis), then "(Esc cancels)",
 * the sort order (a filter stays), more of the path; the rest is cut
 * with the ellipsis at the frame. */
static void draw_heading(const char *side, const char *find, const char *path,
			 const struct pane *p, bool loading, int width, char *out, size_t outsz)
{
	char raw[PANE_PATH_MAX], pre[PANE_PATH_MAX], where[PANE_PATH_MAX], post[PANE_PATH_MAX];
	snprintf(raw, sizeof raw, "%s %s%s%s", side, find ? "find " : "", find ? find : "",
		 find ? " below " : "");
	sanitize_text(raw, strlen(raw), pre, sizeof pre);
	sanitize_text(path, strlen(path), where, sizeof where);
	snprintf(raw, sizeof raw, " [%s%s%s%s]", pane_sort_name(pane_sort_mode(p)),
		 pane_sort_reverse(p) ? " reversed" : "", pane_filter(p)[0] ? " /" : "",
		 pane_filter(p));
	sanitize_text(raw, strlen(raw), post, sizeof post);
	if (draw_width(pre) + DRAW_HEAD_PATH_MIN + draw_width(post) > width) {
		snprintf(raw, sizeof raw, "%s%s%s", pane_filter(p)[0] ? " [/" : "", pane_filter(p),
			 pane_filter(p)[0] ? "]" : "");
		sanitize_text(raw, strlen(raw), post, sizeof post);
	}
	const char *note = !loading ? ""
			 : draw_width(pre) + DRAW_HEAD_PATH_MIN + draw_width(post) +
			   draw_width(DRAW_LOADING DRAW_ESC_CANCELS) <= width
			 ? DRAW_LOADING DRAW_ESC_CANCELS : DRAW_LOADING;
	int room = width - draw_width(pre) - draw_width(post) - draw_width(note);
	char cut[PANE_PATH_MAX];
	draw_tail(where, room < DRAW_TAIL_LEAST ? DRAW_TAIL_LEAST : room, cut, sizeof cut);
	draw_join(out, outsz, (const char *const[]){ pre, cut, post, note, NULL });
}

/* Draws one pane. */
static void draw_pane(struct app *a, enum app_side side, WINDOW *w)
{
	struct pane *p = a->pane[side];
	int h, wd;
	char size[HUMAN_BUF], date[32];
	bool active = a->active == side;

	getmaxyx(w, h, wd);
	werase(w);
	const char *path = pane_path(p);
	char shown[PANE_PATH_MAX];
	bool loading = side_loading_in(a, side) == 0;
	/* A find running, else the one whose matches the pane shows. */
	const char *find = a->load[side].req != 0 && a->load[side].find ? a->load[side].find
			 : a->find[side];
	draw_heading(side == APP_LOCAL ? "local" : "remote", find, path[0] ? path : "-", p,
		     loading, wd - 2, shown, sizeof shown);
	if (h < 3 || wd < 8) {
		draw_text_cut(w, 0, 0, shown, wd, active ? (draw_attr_bar | A_BOLD) : A_BOLD);
		goto out;
	}
	/* A frame with the heading in its top and the footer in its bottom. */
	if (draw_lay.ascii_frames)
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	else
		box(w, 0, 0);
	draw_fit(w, 0, 1, shown, wd - 2, active ? (draw_attr_bar | A_BOLD) : A_BOLD);
	draw_footer(a, side, w, h - 1, wd);
	int inner = wd - 2;
	/* The date goes first when the names would get narrower than 16 columns. */
	bool show_size = inner >= 18, show_date = inner - 2 - (DRAW_SIZE_W + 1) - DRAW_DATE_W >= 16;
	int name_w = inner - 2 - (show_size ? DRAW_SIZE_W + 1 : 0) - (show_date ? DRAW_DATE_W : 0);
	size_t rows = (size_t)(h - 2);
	if (active)
		a->pane_height = rows;
	size_t top = pane_scroll(p, rows);
	draw_lay.top[side] = top;
	for (size_t r = 0; r < rows; r++) {
		const struct pane_entry *e = pane_row(p, top + r);
		if (e == NULL)
			break;
		bool cur = top + r == pane_cursor(p);
		attr_t at = e->tagged ? draw_attr_tag : e->type == FTP_ENTRY_DIR ? draw_attr_dir : A_NORMAL;
		if (cur)
			at = active ? draw_attr_cursor : (at | draw_attr_cursor_idle);
		int y = (int)r + 1;
		char name[PANE_PATH_MAX];
		draw_name(e, name, sizeof name);
		draw_text(w, y, 1, e->tagged ? "*" : " ", 1, at, false);
		int x = 2 + draw_text_cut(w, y, 2, name, name_w, at);
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
		draw_text(w, 1, 2, loading ? "loading\xe2\x80\xa6"
			  : side == APP_REMOTE && worker_running(&a->opening) ? "connecting\xe2\x80\xa6"
			  : pane_filter(p)[0] ? "(no match)" : "(empty)", inner - 1, A_DIM, false);
out:
	wnoutrefresh(w);
}

/* Draws the top line: the connection and its security (a lock and the
 * TLS version, or that it is plain FTP). On a narrow screen the program's
 * name goes first, then the end of the line, cut with the ellipsis. */
static void draw_top(struct app *a, WINDOW *w)
{
	char line[APP_FIELD_MAX * 2 + 256], shown[sizeof line], security[160];
	int wd = getmaxx(w);
	werase(w);
	if (a->connected) {
		bool locked = security_title(a, security, sizeof security);
		snprintf(line, sizeof line, DRAW_TOP_NAME " %s@%s:%d  %s%s",
			 a->login.user[0] ? a->login.user : "anonymous", a->login.host, a->login.port,
			 locked ? draw_lay.lock : "", security);
	} else {
		snprintf(line, sizeof line, DRAW_TOP_NAME " not connected (F2 connects)");
	}
	if (a->sync)
		snprintf(line + strlen(line), sizeof line - strlen(line), "  [sync]");
	sanitize_text(line, strlen(line), shown, sizeof shown);
	const char *from = shown;
	if (draw_width(shown) > wd && strncmp(shown, DRAW_TOP_NAME, strlen(DRAW_TOP_NAME)) == 0)
		from += strlen(DRAW_TOP_NAME);
	draw_text_cut(w, 0, 0, from, wd, draw_attr_bar);
	wnoutrefresh(w);
}

/* Columns a transfer's name keeps when its row is too wide: what goes
 * first is the bar, then the sizes done and in all, then the start of the
 * name down to DRAW_XFER_NAME_LEAST columns, then the state's word and the
 * arrow (the percentage, rate and ETA stay), then the start of the name
 * again; only past that is the row cut at the screen's edge. */
#define DRAW_XFER_NAME_MIN 24
#define DRAW_XFER_NAME_LEAST 12
/* Ways a running transfer's row is written, widest first: with the bar,
 * without it, without the sizes too, without the state, without the
 * arrow. */
#define DRAW_XFER_FORMS 5

/* The bytes of a transfer's row, built for the panel's width. */
#define DRAW_XFER_ROW_MAX 4096

/* Writes pre, label, mark and post into out (outsz bytes), label cut at
 * its start so that the row fits width columns (keeping at least
 * DRAW_XFER_NAME_LEAST of it). */
static void draw_xfer_join(char *out, size_t outsz, const char *pre, const char *label,
			   const char *mark, const char *post, int width)
{
	char shown[DRAW_XFER_ROW_MAX];
	int room = width - draw_width(pre) - draw_width(mark) - draw_width(post);
	/* The note after the name gives way to it, never the row's edge. */
	int most = width - draw_width(pre) - draw_width(mark);
	if (room < DRAW_XFER_NAME_LEAST)
		room = most < DRAW_XFER_NAME_LEAST ? most : DRAW_XFER_NAME_LEAST;
	draw_tail(label, room < DRAW_TAIL_LEAST ? DRAW_TAIL_LEAST : room, shown,
		  sizeof shown);
	draw_join(out, outsz, (const char *const[]){ pre, shown, mark, post, NULL });
}

/* Writes one transfer's line into out, for a row of width columns. */
static void draw_xfer_line(const struct queue_job *j, char *out, size_t outsz, int width)
{
	char done[HUMAN_BUF], total[HUMAN_BUF], rate[HUMAN_BUF], eta[HUMAN_BUF];
	char bar[DRAW_BAR_W + 4], pre[640], post[640];
	int pct = queue_percent(j);
	int fill = pct < 0 ? 0 : pct * DRAW_BAR_W / 100;
	bar[0] = '[';
	for (int i = 0; i < DRAW_BAR_W; i++)
		bar[1 + i] = i < fill ? '#' : '-';
	snprintf(bar + 1 + DRAW_BAR_W, sizeof bar - 1 - DRAW_BAR_W, "] ");
	human_size(j->done, done, sizeof done);
	if (j->size >= 0)
		human_size(j->size, total, sizeof total);
	else
		snprintf(total, sizeof total, "?");
	human_rate(j->rate, rate, sizeof rate);
	if (j->stalled)
		snprintf(eta, sizeof eta, "%s", RATEWIN_STALLED);
	else
		human_eta(queue_eta(j), eta, sizeof eta);
	static const char *const arrows[] = {
		[QUEUE_DOWNLOAD] = "<-", [QUEUE_UPLOAD] = "->",
		[QUEUE_DELETE_LOCAL] = "rm", [QUEUE_DELETE_REMOTE] = "rm",
	};
	const char *arrow = arrows[j->dir], *state = queue_state_name(j->state);
	post[0] = '\0';
	if (queue_is_delete(j) || j->tree) {
		snprintf(pre, sizeof pre, "%-9s %s ", state, arrow);
		if (queue_is_delete(j))
			snprintf(post, sizeof post, " %lld removed  %s", (long long)j->done,
				 j->message);
		else if (j->state == QUEUE_RUNNING)
			snprintf(post, sizeof post, " (listing the tree) %s", j->message);
		else
			snprintf(post, sizeof post, "  %s", j->message);
	} else if (j->state == QUEUE_RUNNING) {
		/* The bar goes first when the row is too narrow for the rest,
		 * then the sizes. */
		for (int form = 0; form < DRAW_XFER_FORMS; form++) {
			char sizes[2 * HUMAN_BUF + 2] = "", lead[32] = "";
			if (form < 2)
				snprintf(sizes, sizeof sizes, " %s/%s", done, total);
			if (form < 3)
				snprintf(lead, sizeof lead, "%-9s %s ", state, arrow);
			else if (form < 4)
				snprintf(lead, sizeof lead, "%s ", arrow);
			if (j->message[0] != '\0')
				/* A note (a retry after a drop) comes before the name, so it shows. */
				snprintf(pre, sizeof pre, "%s%s%*d%%%s  %s  ", lead, form == 0 ? bar : "",
					 form < 3 ? 3 : 1, pct < 0 ? 0 : pct, sizes, j->message);
			else
				snprintf(pre, sizeof pre, "%s%s%*d%%%s %s ETA %s%s", lead,
					 form == 0 ? bar : "", form < 3 ? 3 : 1, pct < 0 ? 0 : pct, sizes,
					 rate, eta, form < 3 ? "  " : " ");
			if (draw_width(pre) + (form < 2 ? DRAW_XFER_NAME_MIN : DRAW_XFER_NAME_LEAST) <=
			    width)
				break;
		}
	} else {
		snprintf(pre, sizeof pre, "%-9s %s %s  ", state, arrow, total);
		snprintf(post, sizeof post, "  %s", j->message);
	}
	draw_xfer_join(out, outsz, pre, j->label, j->tree ? "/" : "", post, width);
}

/* The position of the job the panel shows selected: the running one
 * while it follows (or the first waiting one), else the one the user
 * picked (or the nearest one left). Updates a->xfer_sel. */
static size_t draw_xfer_selected(struct app *a)
{
	size_t n = queue_count(a->queue);
	size_t i = queue_index(a->queue, a->xfer_sel);
	if (a->xfer_follow || i == SIZE_MAX) {
		const struct queue_job *j = queue_running(a->queue, QUEUE_LANE_COPY);
		for (int lane = 1; j == NULL && lane < QUEUE_LANES; lane++)
			j = queue_running(a->queue, (enum queue_lane)lane);
		if (j == NULL)
			j = queue_first_queued(a->queue);
		if (j != NULL && (a->xfer_follow || i == SIZE_MAX))
			i = queue_index(a->queue, j->id);
	}
	if (i == SIZE_MAX)
		i = n > 0 ? n - 1 : 0;
	const struct queue_job *sel = queue_at(a->queue, i);
	a->xfer_sel = sel ? sel->id : 0;
	return i;
}

/* Draws the transfer panel: a heading with the counts, and the jobs
 * around the selected one (one finished line above it, the waiting ones
 * below). */
static void draw_xfer(struct app *a, WINDOW *w)
{
	char line[DRAW_XFER_ROW_MAX], head[320], rate[HUMAN_BUF];
	struct queue_counts c;
	int h, wd;
	getmaxyx(w, h, wd);
	werase(w);
	size_t n = queue_count(a->queue);
	queue_counts(a->queue, &c);
	human_rate(queue_total_rate(a->queue), rate, sizeof rate);
	/* The heading in forms, widest first: the keys go first, then the
	 * total rate, then the counts that are 0 (not the running one). */
	char counts[160], all[160], total[64];
	snprintf(all, sizeof all, "%zu running, %zu queued, %zu failed, %zu done"
		 "%s%.0zu%s%s%.0zu%s", c.running, c.queued, c.failed, c.done,
		 c.skipped ? ", " : "", c.skipped, c.skipped ? " skipped" : "",
		 c.cancelled ? ", " : "", c.cancelled, c.cancelled ? " cancelled" : "");
	snprintf(counts, sizeof counts, "%zu running%s%.0zu%s%s%.0zu%s%s%.0zu%s%s%.0zu%s%s%.0zu%s",
		 c.running, c.queued ? ", " : "", c.queued, c.queued ? " queued" : "",
		 c.failed ? ", " : "", c.failed, c.failed ? " failed" : "",
		 c.done ? ", " : "", c.done, c.done ? " done" : "",
		 c.skipped ? ", " : "", c.skipped, c.skipped ? " skipped" : "",
		 c.cancelled ? ", " : "", c.cancelled, c.cancelled ? " cancelled" : "");
	snprintf(total, sizeof total, " | %s total, %u at once", rate, queue_parallel(a->queue));
	for (int form = 0; form < 4; form++) {
		snprintf(head, sizeof head, " Transfers: %s%s%s", form < 3 ? all : counts,
			 form < 2 ? total : "", form < 1 ? "   [ ] select, x X ^X cancel, r retry, "
			 "c clear, t size, P at once" : "");
		if (draw_width(head) <= wd)
			break;
	}
	draw_text_cut(w, 0, 0, head, wd, A_BOLD | A_UNDERLINE);
	size_t rows = h > 1 ? (size_t)(h - 1) : 0;
	size_t sel = draw_xfer_selected(a);
	size_t first = sel > 0 ? sel - 1 : 0;
	if (first + rows > n)
		first = n > rows ? n - rows : 0;
	draw_lay.xfer_first = first;
	for (size_t r = 0; r < rows && first + r < n; r++) {
		const struct queue_job *j = queue_at(a->queue, first + r);
		draw_xfer_line(j, line, sizeof line, wd);
		attr_t at = j->state == QUEUE_FAILED ? draw_attr_error
			  : j->state == QUEUE_RUNNING ? draw_attr_progress : A_NORMAL;
		if (first + r == sel)
			at |= A_REVERSE;
		draw_text_cut(w, (int)r + 1, 0, line, wd, at);
	}
	wnoutrefresh(w);
}

/* The keys of the hint line in the order they stay when it is too
 * narrow for all: the last ones are left out first. */
static const enum keys_action draw_hint_rank[] = {
	ACT_QUIT, ACT_HELP, ACT_COPY, ACT_DELETE, ACT_RENAME, ACT_MKDIR, ACT_VIEW, ACT_MENU,
	ACT_EDIT, ACT_CONNECT, ACT_FILTER, ACT_CANCEL, ACT_SORT, ACT_RETRY,
};

/* The first key name of a binding ("F8" of "F8, Delete") into key (keysz bytes). */
static void draw_hint_key(const struct keys_binding *b, char *key, size_t keysz)
{
	snprintf(key, keysz, "%.*s", (int)strcspn(b->names, ","), b->names);
}

/* The rank of an action on the hint line (a low one stays longest). */
static size_t draw_hint_rank_of(enum keys_action act)
{
	size_t n = sizeof draw_hint_rank / sizeof draw_hint_rank[0], r = 0;
	while (r < n && draw_hint_rank[r] != act)
		r++;
	return r;
}

/* Draws the hint line from the key table: each key with its whole word,
 * in the table's order; on a narrow screen the keys of the lowest rank
 * are left out, never one cut at the edge. */
static void draw_hints(WINDOW *w)
{
	size_t n;
	const struct keys_binding *t = keys_table(&n);
	int wd = getmaxx(w), x = 0;
	werase(w);
	draw_lay.hints = 0;
	/* The highest rank shown: keys join, by rank, while they fit. */
	size_t ranks = sizeof draw_hint_rank / sizeof draw_hint_rank[0], shown = 0;
	for (int used = 0; shown <= ranks; shown++) {
		int more = 0;
		for (size_t i = 0; i < n; i++) {
			char key[16];
			if (t[i].hint == NULL || draw_hint_rank_of(t[i].action) != shown)
				continue;
			draw_hint_key(&t[i], key, sizeof key);
			more += draw_width(key) + draw_width(t[i].hint) + 1;
		}
		if (used + more - 1 > wd)
			break;
		used += more;
	}
	for (size_t i = 0; i < n && x < wd; i++) {
		if (t[i].hint == NULL || draw_hint_rank_of(t[i].action) >= shown)
			continue;
		char key[16];
		int x0 = x;
		draw_hint_key(&t[i], key, sizeof key);
		x += draw_text(w, 0, x, key, wd - x, draw_attr_bar, false);
		x += draw_text(w, 0, x, t[i].hint, wd - x, A_NORMAL, false);
		if (draw_lay.hints < ACT_COUNT) {
			draw_lay.hint[draw_lay.hints].x0 = x0;
			draw_lay.hint[draw_lay.hints].x1 = x;
			draw_lay.hint[draw_lay.hints++].action = t[i].action;
		}
		x += draw_text(w, 0, x, " ", wd - x, A_NORMAL, false);
	}
	wnoutrefresh(w);
}

/* Of the forms of the tagged count (tags, n of them, "" for none), the
 * first that leaves the message (msg_w columns) whole on the line of wd
 * columns, else (unless whole) the first that leaves it half the line;
 * returns its columns, 0 for none, and the form in *tag. */
static int draw_status_tags(char (*tags)[64], int n, int wd, int msg_w, bool whole,
			    const char **tag)
{
	for (int pass = 0; pass < (whole ? 1 : 2); pass++)
		for (int i = 0; i < n && tags[i][0] != '\0'; i++) {
			int tw = (int)strlen(tags[i]);
			if (tw < wd && wd - tw >= (pass == 0 ? msg_w : wd / 2)) {
				*tag = tags[i];
				return tw;
			}
		}
	*tag = "";
	return 0;
}

/* The columns of msg's first clause: up to its first "; ", else all of it. */
static int draw_first_clause(const char *msg, int msg_w)
{
	char clause[APP_STATUS_MAX];
	const char *end = strstr(msg, "; ");
	if (end == NULL)
		return msg_w;
	snprintf(clause, sizeof clause, "%.*s", (int)(end - msg), msg);
	return draw_width(clause);
}

/* Draws the status line: the message, and at the right the active
 * pane's tagged count and size. On a narrow line the count gives the
 * message room (said without the size, or left out) before the message
 * is cut to less than half the line; a message that would lose more
 * than half of itself, or a word of its first clause (what it says before
 * a "; "), is said in the first of its shorter forms that fits (the last
 * when none does), and keeps the line before the count. */
static void draw_status(struct app *a, WINDOW *w)
{
	char tags[2][64] = { "", "" }, size[HUMAN_BUF], form[APP_STATUS_MAX];
	int wd = getmaxx(w);
	const struct pane *p = a->pane[a->active];
	const char *msg = a->status, *tag;
	werase(w);
	if (pane_tag_count(p) > 0) {
		snprintf(tags[0], sizeof tags[0], " %zu tagged, %s ", pane_tag_count(p),
			 human_size(pane_tag_bytes(p), size, sizeof size));
		snprintf(tags[1], sizeof tags[1], " %zu tagged ", pane_tag_count(p));
	}
	int mw = draw_width(msg), tw = draw_status_tags(tags, 2, wd, mw, false, &tag);
	if (a->status_short[0] != '\0' && mw > wd - tw &&
	    (2 * (wd - tw) < mw || draw_first_clause(msg, mw) > wd - tw)) {
		for (const char *f = a->status_short; *f != '\0';) {
			size_t n = strcspn(f, "\n");
			snprintf(form, sizeof form, "%.*s", (int)n, f);
			if (draw_width(form) <= wd)
				break;
			f += n + (f[n] == '\n');
		}
		msg = form;
		tw = draw_status_tags(tags, 2, wd, draw_width(msg), true, &tag);
	}
	draw_text_cut(w, 0, 0, msg, wd - tw, a->status_error ? draw_attr_error : A_NORMAL);
	if (tw > 0)
		draw_text(w, 0, wd - tw, tag, tw, draw_attr_bar, false);
	wnoutrefresh(w);
}

void draw_screen(struct app *a)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	int xfer_h = 0;
	size_t nq = queue_count(a->queue);
	size_t most = DRAW_XFER_ROWS;
	if (a->xfer_big && rows / DRAW_XFER_BIG_DIV > DRAW_XFER_ROWS)
		most = (size_t)(rows / DRAW_XFER_BIG_DIV);
	if (nq > 0)
		xfer_h = 1 + (int)(nq < most ? nq : most);
	/* The panes keep at least three rows; the panel gives way first. */
	while (xfer_h > 0 && rows - 3 - xfer_h < 3)
		xfer_h--;
	if (xfer_h == 1)
		xfer_h = 0;
	if (rows != draw_lay.rows || cols != draw_lay.cols || xfer_h != draw_lay.xfer_h)
		draw_layout(rows, cols, xfer_h);
	if (draw_lay.w[WIN_TOP] == NULL) {
		/* The longest of these that fits, so the words stay whole. */
		static const char *const small[] = {
			"ferry: terminal too small (at least " DRAW_XSTR(DRAW_MIN_COLS) "x"
			DRAW_XSTR(DRAW_MIN_ROWS) ")",
			"terminal too small", "too small",
		};
		erase();
		draw_fit(stdscr, 0, 0, draw_first_fit(small, sizeof small / sizeof small[0], cols),
			 cols > 0 ? cols : 0, A_NORMAL);
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

bool draw_too_small(void)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	return rows < DRAW_MIN_ROWS || cols < DRAW_MIN_COLS;
}

/* True when (y, x) is inside window w; sets *wy and *wx relative to it. */
static bool draw_inside(WINDOW *w, int y, int x, int *wy, int *wx)
{
	if (w == NULL)
		return false;
	int by, bx, h, wd;
	getbegyx(w, by, bx);
	getmaxyx(w, h, wd);
	*wy = y - by;
	*wx = x - bx;
	return *wy >= 0 && *wy < h && *wx >= 0 && *wx < wd;
}

void draw_hit(const struct app *a, int y, int x, struct draw_hit *out)
{
	int wy, wx;
	memset(out, 0, sizeof *out);
	out->region = DRAW_NOWHERE;
	for (int s = 0; s < APP_SIDES; s++) {
		WINDOW *w = draw_lay.w[s == APP_LOCAL ? WIN_LEFT : WIN_RIGHT];
		if (!draw_inside(w, y, x, &wy, &wx))
			continue;
		out->region = DRAW_PANE;
		out->side = (enum app_side)s;
		int h = getmaxy(w);
		/* Row 0 is the frame with the heading, the last row the footer. */
		out->row = wy >= 1 && wy < h - 1 ? (long)(draw_lay.top[s] + (size_t)(wy - 1)) : -1;
		return;
	}
	if (draw_inside(draw_lay.w[WIN_XFER], y, x, &wy, &wx)) {
		out->region = DRAW_XFER;
		out->row = wy >= 1 ? (long)(draw_lay.xfer_first + (size_t)(wy - 1)) : -1;
		return;
	}
	if (draw_inside(draw_lay.w[WIN_HINTS], y, x, &wy, &wx))
		for (size_t i = 0; i < draw_lay.hints; i++)
			if (wx >= draw_lay.hint[i].x0 && wx < draw_lay.hint[i].x1) {
				out->region = DRAW_HINT;
				out->action = draw_lay.hint[i].action;
				return;
			}
	(void)a;
}

void draw_flush(void)
{
	doupdate();
}

size_t draw_span(const char *s, size_t len, size_t max, int cols, size_t *blank)
{
	mbstate_t st;
	size_t i = 0;
	int used = 0;
	if (blank != NULL)
		*blank = 0;
	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		int w;
		size_t n = draw_char(s + i, len - i, &st, &wc, &w);
		if (used + w > cols || i + n > max)
			break;
		used += w;
		i += n;
		if (wc == L' ' && blank != NULL)
			*blank = i;
	}
	return i;
}

size_t draw_wrap(const char *s, size_t len, int cols)
{
	size_t blank, i = draw_span(s, len, len, cols, &blank);
	if (i == len || blank == 0)
		return i > 0 ? i : (len > 0 ? 1 : 0);
	return blank;
}
