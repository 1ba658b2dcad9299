/* dialog: modal questions drawn in a box over the screen (see
 * dialog.h). They wait through app_wait_key, so transfers and listings
 * keep arriving and the screen keeps redrawing (resize included) while a
 * question is open. Text fields are lineedit models; this file maps keys
 * to their operations and draws them. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "dialog.h"
#include "draw.h"
#include "human.h"
#include "keys.h"
#include "lineedit.h"
#include "pane.h"
#include "sanitize.h"

/* Widest dialog box with a text field, in columns. */
#define DIALOG_MAX_W 70
/* Widest box of text only (a certificate's fingerprint fits on a row). */
#define DIALOG_TEXT_MAX_W 120
/* Longest text drawn in a box line, in bytes. */
#define DIALOG_LINE_MAX 512
/* Narrowest column of the help screen when it has two. */
#define DIALOG_HELP_COL_MIN 40

/* What a dialog box shows: lines of text, one of which may be a field.
 * The first line's first row ('\n' ends it) says what is asked, the last
 * line the keys that answer it; the rows between are detail. */
struct dialog_view {
	const char *const *lines;     /* NULL-terminated */
	const char *keys_short;       /* a shorter last line for a small box, or NULL */
	int field;                    /* the line that shows le, or -1 */
	const struct lineedit *le;    /* the field being edited */
	bool secret;                  /* show the field as '*' */
	int scroll;                   /* detail rows scrolled past (Up, Down) on a low box */
};

/* Draws a text field at (y, x) in width columns: the text (or a '*' per
 * character), scrolled so the cursor shows; the selection or the cursor
 * cell in reverse video. */
static void dialog_field_draw(WINDOW *win, int y, int x, int width, const struct lineedit *le,
			      bool secret)
{
	mbstate_t st;
	size_t i = 0, start = 0;
	int before = 0;

	/* Scroll: the columns before the cursor must leave room for it. */
	memset(&st, 0, sizeof st);
	for (i = 0; i < le->cur;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, le->buf + i, le->len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			n = 1;
		before++;
		i += n;
	}
	int skip = before >= width ? before - width + 1 : 0;
	memset(&st, 0, sizeof st);
	for (i = 0; i < le->len && skip > 0; skip--) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, le->buf + i, le->len - i, &st);
		i += (n == (size_t)-1 || n == (size_t)-2 || n == 0) ? 1 : n;
	}
	start = i;
	wmove(win, y, x);
	int used = 0;
	memset(&st, 0, sizeof st);
	for (i = start; i < le->len && used < width;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, le->buf + i, le->len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		}
		if (secret || wcwidth(wc) != 1)
			wc = secret ? L'*' : wcwidth(wc) > 1 && used + 2 <= width ? wc : L'?';
		wattrset(win, le->selected || i == le->cur ? A_REVERSE : A_NORMAL);
		waddnwstr(win, &wc, 1);
		used += wcwidth(wc) > 1 ? 2 : 1;
		i += n;
	}
	wattrset(win, A_NORMAL);
	if (le->cur == le->len && !le->selected && used < width) {
		wattrset(win, A_REVERSE);
		waddch(win, ' ');
		wattrset(win, A_NORMAL);
	}
}

/* Most rows a dialog box holds. */
#define DIALOG_ROWS_MAX 32

/* A box's rows, its lines cut at '\n' and wrapped to its inside. */
struct dialog_rows {
	const char *row[DIALOG_ROWS_MAX];  /* where each starts */
	size_t len[DIALOG_ROWS_MAX];       /* its bytes */
	int n;                             /* how many */
	int first_end;                     /* the question's rows (the first line's first part) */
	int field;                         /* the field's row, or -1 */
	int last;                          /* the first row of the last line (the keys) */
};

/* Cuts the lines of v into rows of inner columns (the last line given as
 * last): the question and the keys wrap at blanks; so does the detail
 * unless cut, when each of its parts takes one row (cut with the
 * ellipsis when drawn) and empty ones none. */
static void dialog_rows_make(struct dialog_rows *r, const struct dialog_view *v, const char *last,
			     int inner, bool cut)
{
	r->n = 0;
	r->first_end = 0;
	r->field = -1;
	r->last = 0;
	for (int i = 0; v->lines[i] != NULL && r->n < DIALOG_ROWS_MAX; i++) {
		if (i == v->field) {
			r->field = r->n;
			r->row[r->n] = "";
			r->len[r->n++] = 0;
			continue;
		}
		bool is_last = v->lines[i + 1] == NULL;
		const char *p = is_last ? last : v->lines[i];
		if (is_last)
			r->last = r->n;
		do {
			size_t piece = strcspn(p, "\n");
			const char *q = p;
			bool wrap = !cut || is_last || (i == 0 && p == v->lines[0]);
			if (!wrap) {
				if (piece > 0) {
					r->row[r->n] = p;
					r->len[r->n++] = piece;
				}
				q += piece;
			}
			while (q < p + piece && r->n < DIALOG_ROWS_MAX) {
				size_t k = draw_wrap(q, piece - (size_t)(q - p), inner);
				r->row[r->n] = q;
				r->len[r->n++] = k;
				q += k;
				while (q < p + piece && *q == ' ')
					q++;
			}
			if (wrap && piece == 0 && r->n < DIALOG_ROWS_MAX) {
				r->row[r->n] = p;
				r->len[r->n++] = 0;
			}
			if (i == 0 && p == v->lines[0])
				r->first_end = r->n;
			p += piece;
		} while (*p++ == '\n' && r->n < DIALOG_ROWS_MAX);
	}
}

/* True when the keys' rows fit in room rows under the field (if any)
 * and, when detail is true and there is detail, a row of it and the
 * whole question; else under the question's first row. */
static bool dialog_rows_fit(const struct dialog_rows *r, int room, bool detail)
{
	int nd = r->last - r->first_end - (r->field >= 0);
	int q = detail && nd > 0 ? r->first_end + 1 : r->first_end > 0;
	return q + (r->field >= 0) + (r->n - r->last) <= room;
}

/* Chooses which of r's rows show in room rows (fewer than r->n on a
 * low screen), writing their indexes in order into pick; returns how
 * many. The keys that answer stay, and the question above them when it
 * fits (else its first row, the rest of it scrolling with the detail);
 * the detail between shows as many rows as are left, from *scroll
 * (clamped here), always with the field. *hidden is set to the rows
 * that scroll left out. Where even the keys and a row above them do not
 * fit, the first rows show. */
static int dialog_pick(int *pick, const struct dialog_rows *r, int room, int *scroll,
		       int *hidden)
{
	int m = 0, n = r->n, keep = n - r->last;
	*hidden = 0;
	if (n <= room || keep + 1 > room) {
		for (int i = 0; i < n && i < room; i++)
			pick[m++] = i;
		return m;
	}
	/* The rows from the first that scrolls: the detail's, or with a
	 * question too long for the box, the question's after its first
	 * row and then the detail's. */
	int from = r->first_end, q = from;
	if (q > room - keep) {
		q = room - keep > 1 ? 1 : 0;
		from = q;
	}
	int d = room - keep - q, nd = r->last - from;
	if (r->field >= 0 && d == 0 && q > 0) {
		q--;
		d++;
	}
	*hidden = d > 0 && nd > d ? nd - d : 0;
	if (*scroll > *hidden)
		*scroll = *hidden;
	if (*scroll < 0)
		*scroll = 0;
	if (r->field >= 0) {
		int f = r->field - from;
		if (f < *scroll)
			*scroll = f;
		if (f >= *scroll + d)
			*scroll = f - d + 1;
	}
	for (int i = 0; i < q; i++)
		pick[m++] = i;
	for (int i = 0; i < d && i < nd; i++)
		pick[m++] = from + *scroll + i;
	for (int i = r->last; i < n; i++)
		pick[m++] = i;
	return m;
}

/* Draws a box of lines (a struct dialog_view) in the middle of the screen;
 * a line breaks at '\n' and wraps at blanks when it is wider than the box.
 * A box too low for every row keeps the question and the keys, one row
 * for each line of detail and scrolls those; one too small for even that
 * says the keys the short way (keys_short), then fills the screen
 * without its frame. */
static void dialog_box_draw(struct app *a, const void *arg)
{
	struct dialog_view *v = (struct dialog_view *)arg;
	struct dialog_rows r;
	const char *last = NULL;
	int rows, cols, w = 10;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	for (int i = 0; v->lines[i] != NULL; i++) {
		last = v->lines[i];
		for (const char *p = v->lines[i]; *p != '\0';) {
			size_t piece = strcspn(p, "\n");
			/* By columns: a wide character takes two, in three bytes. */
			int pw = draw_columns_n(p, piece);
			if (pw + 4 > w)
				w = pw + 4;
			p += piece + (p[piece] == '\n');
		}
	}
	if (last == NULL)
		return;
	int most = v->field >= 0 ? DIALOG_MAX_W : DIALOG_TEXT_MAX_W;
	if (v->field >= 0 && w < DIALOG_MAX_W)
		w = DIALOG_MAX_W;
	if (w > most)
		w = most;
	if (w > cols)
		w = cols;
	if (w < 5)
		return;
	/* Framed with the keys in full, framed with them short, then
	 * without the frame: the first where the question and the keys fit
	 * with a row of detail, else the first where they fit. */
	bool framed = true;
	dialog_rows_make(&r, v, last, w - 4, false);
	const struct {
		bool framed;
		const char *keys;
	} tries[] = { { true, last }, { true, v->keys_short }, { false, last },
		      { false, v->keys_short } };
	for (int detail = 1; detail >= 0 && r.n + 2 > rows; detail--)
		for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
			if (tries[t].keys == NULL)
				continue;
			framed = tries[t].framed;
			dialog_rows_make(&r, v, tries[t].keys, framed ? w - 4 : cols, true);
			if (dialog_rows_fit(&r, framed ? rows - 2 : rows, detail)) {
				detail = -1;
				break;
			}
		}
	int pad = framed ? 2 : 0, edge = framed ? 1 : 0;
	if (!framed)
		w = cols;
	int h = r.n + 2 * edge > rows ? rows : r.n + 2 * edge;
	/* On a terminal below the least size, a box that cannot show every
	 * row of the keys that answer leaves the screen to say it is too
	 * small. */
	if (h < 1 + 2 * edge || (draw_too_small() && r.n - r.last > h - 2 * edge))
		return;
	WINDOW *win = draw_window(h, w, framed);
	if (win == NULL)
		return;
	int pick[DIALOG_ROWS_MAX], hidden;
	int m = dialog_pick(pick, &r, h - 2 * edge, &v->scroll, &hidden);
	for (int i = 0; i < m; i++) {
		int k = pick[i];
		if (k == r.field) {
			dialog_field_draw(win, i + edge, pad, w - 2 * pad, v->le, v->secret);
			continue;
		}
		char shown[DIALOG_LINE_MAX];
		sanitize_text(r.row[k], r.len[k], shown, sizeof shown);
		/* By columns: a row of wide characters holds more bytes. */
		draw_cut(win, i + edge, pad, shown, w - 2 * pad);
	}
	/* The frame says that more detail scrolls into view. */
	if (framed && hidden > 0) {
		static const char *const more[] = { " Up, Down: more ", " more " };
		draw_fit(win, h - 1, 2, draw_first_fit(more, 2, w - 4), w - 4, A_NORMAL);
	}
	wnoutrefresh(win);
	delwin(win);
}

/* Shows the view and waits for a key, keeping the box up through
 * redraws; Up and Down scroll its detail on a low screen. Returns any
 * other key. */
static int dialog_ask_view(struct app *a, struct dialog_view *v)
{
	for (;;) {
		int k = dialog_overlay_key(a, dialog_box_draw, v);
		if (k == KEYS_FN + KEY_UP)
			v->scroll = v->scroll > 0 ? v->scroll - 1 : 0;
		else if (k == KEYS_FN + KEY_DOWN)
			v->scroll++;    /* held to the rows hidden when drawn */
		else
			return k;
	}
}

int dialog_overlay_key(struct app *a, void (*draw)(struct app *a, const void *arg),
		       const void *arg)
{
	a->overlay = draw;
	a->overlay_arg = arg;
	app_redraw(a);
	int k = app_wait_key(a);
	a->overlay = NULL;
	a->overlay_arg = NULL;
	return k;
}

/* Shows a box of lines and waits for a key. */
static int dialog_ask(struct app *a, const char *const *lines)
{
	struct dialog_view v = { .lines = lines, .field = -1 };
	return dialog_ask_view(a, &v);
}

/* True for a key that cancels a question: Esc or Ctrl-C. */
static bool dialog_is_cancel(int k)
{
	return k == KEYS_ESC || k == KEYS_CTRL('c');
}

/* True for a key that ends a line with Enter. */
static bool dialog_is_enter(int k)
{
	return k == KEYS_ENTER || k == '\r' || k == KEYS_FN + KEY_ENTER;
}

/* The last line of a yes/no question. */
#define DIALOG_YESNO_HINT "y = yes, n / Enter / Esc = no"

/* A yes/no question's answer to key k: 1 yes, 0 no, -1 neither. */
static int dialog_yesno_answer(int k)
{
	if (k == 'y' || k == 'Y')
		return 1;
	if (k == 'n' || k == 'N' || dialog_is_cancel(k) || dialog_is_enter(k))
		return 0;
	return -1;
}

bool dialog_yesno(struct app *a, const char *question)
{
	const char *lines[] = { question, "", DIALOG_YESNO_HINT, NULL };
	int ans;
	while ((ans = dialog_yesno_answer(dialog_ask(a, lines))) < 0)
		;
	return ans == 1;
}

/* Draws a question of dialog_yesno_live, its text made now. */
static void dialog_live_draw(struct app *a, const void *arg)
{
	const dialog_texter *make = arg;
	char text[DIALOG_LINE_MAX];
	(*make)(a, text, sizeof text);
	const char *lines[] = { text, "", DIALOG_YESNO_HINT, NULL };
	struct dialog_view v = { .lines = lines, .field = -1 };
	dialog_box_draw(a, &v);
}

bool dialog_yesno_live(struct app *a, dialog_texter make)
{
	int ans;
	while ((ans = dialog_yesno_answer(dialog_overlay_key(a, dialog_live_draw, &make))) < 0)
		;
	return ans == 1;
}

int dialog_choose(struct app *a, const char *const *lines, const char *keys, int def)
{
	for (;;) {
		int k = dialog_ask(a, lines);
		if (dialog_is_cancel(k))
			return -1;
		if (dialog_is_enter(k) && def >= 0)
			return def;
		if (k >= 'A' && k <= 'Z')
			k += 'a' - 'A';
		const char *hit = k > 0 && k < 128 ? strchr(keys, k) : NULL;
		if (hit != NULL)
			return (int)(hit - keys);
	}
}

void dialog_message(struct app *a, const char *const *lines)
{
	for (;;) {
		int k = dialog_ask(a, lines);
		if (dialog_is_cancel(k) || dialog_is_enter(k))
			return;
	}
}

/* The editing keys of a text field, readline's. */
static const struct {
	int key;                 /* key code */
	enum lineedit_op op;     /* what it does */
} dialog_edit_keys[] = {
	{ KEYS_FN + KEY_LEFT, LE_LEFT }, { KEYS_CTRL('b'), LE_LEFT },
	{ KEYS_FN + KEY_RIGHT, LE_RIGHT }, { KEYS_CTRL('f'), LE_RIGHT },
	{ KEYS_FN + KEY_HOME, LE_HOME }, { KEYS_CTRL('a'), LE_HOME },
	{ KEYS_FN + KEY_END, LE_END }, { KEYS_CTRL('e'), LE_END },
	{ KEYS_FN + KEY_BACKSPACE, LE_BACKSPACE }, { KEYS_DEL_ASCII, LE_BACKSPACE },
	{ KEYS_CTRL('h'), LE_BACKSPACE },
	{ KEYS_FN + KEY_DC, LE_DELETE }, { KEYS_CTRL('d'), LE_DELETE },
	{ KEYS_CTRL('w'), LE_KILL_WORD }, { KEYS_CTRL('u'), LE_KILL_START },
	{ KEYS_CTRL('k'), LE_KILL_END },
};

/* Applies key to field le: an editing key or a character typed. Returns
 * false for a key that is neither. */
static bool dialog_edit(struct lineedit *le, int k)
{
	for (size_t i = 0; i < sizeof dialog_edit_keys / sizeof dialog_edit_keys[0]; i++)
		if (dialog_edit_keys[i].key == k) {
			lineedit_apply(le, dialog_edit_keys[i].op);
			return true;
		}
	if (k < ' ' || k >= KEYS_FN || k == KEYS_DEL_ASCII)
		return false;
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)k, &st);
	if (n == (size_t)-1)
		return false;
	mb[n] = '\0';
	lineedit_insert(le, mb);
	return true;
}

bool dialog_input(struct app *a, const char *prompt, char *buf, size_t bufsz, bool secret,
		  bool select)
{
	return dialog_input_complete(a, prompt, buf, bufsz, secret, select, NULL, NULL);
}

bool dialog_input_complete(struct app *a, const char *prompt, char *buf, size_t bufsz,
			   bool secret, bool select, dialog_completer complete, void *arg)
{
	struct lineedit le;
	char note[DIALOG_LINE_MAX] = "";
	lineedit_init(&le, buf, bufsz, select);
	const char *lines[] = { prompt, "", note, complete ? "Tab completes, Enter = OK, Esc = cancel"
						 : "Enter = OK, Esc = cancel", NULL };
	struct dialog_view v = { .lines = lines, .field = 1, .le = &le, .secret = secret };
	for (;;) {
		int k = dialog_ask_view(a, &v);
		if (dialog_is_enter(k))
			return true;
		if (dialog_is_cancel(k))
			return false;
		if (k == KEYS_TAB && complete != NULL) {
			complete(arg, buf, bufsz, note, sizeof note);
			lineedit_init(&le, buf, bufsz, false);
			continue;
		}
		note[0] = '\0';
		dialog_edit(&le, k);
	}
}

/* The choices of the existing-target question, by key. */
static const struct {
	int key;                   /* key typed (lower case) */
	enum queue_answer answer;  /* what it means */
} dialog_exists_keys[] = {
	{ 'o', QUEUE_ANSWER_OVERWRITE },
	{ 's', QUEUE_ANSWER_SKIP },
	{ 'r', QUEUE_ANSWER_RESUME },
	{ 'n', QUEUE_ANSWER_RENAME },
};

/* Writes one side of the existing-target question: "what: SIZE  DATE". */
static void dialog_side_line(char *out, size_t outsz, const char *what, off_t size, time_t mtime)
{
	char sz[2 * HUMAN_BUF + 8] = "size unknown", date[32] = "date unknown";
	struct tm tm;
	if (size >= 0)
		snprintf(sz, sizeof sz, "%jd B", (intmax_t)size);
	if (size >= 1024) {
		char h[HUMAN_BUF];
		human_size(size, h, sizeof h);
		snprintf(sz + strlen(sz), sizeof sz - strlen(sz), " (%s)", h);
	}
	if (mtime > 0 && localtime_r(&mtime, &tm) != NULL)
		strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
	snprintf(out, outsz, "%s %s, %s", what, sz, date);
}

enum queue_answer dialog_exists(struct app *a, const char *name, const struct dialog_sides *s,
				bool *all)
{
	char q[DIALOG_LINE_MAX], keys[160], old[128], new[128];
	/* The keys that answer are one line of short rows, the box's last:
	 * a low screen keeps them all, a narrow one does not part a key from
	 * its word. */
	char keys_short[96];
	const char *lines[] = { q, old, new, "", keys, NULL };
	struct dialog_view v = { .lines = lines, .keys_short = keys_short, .field = -1 };
	snprintf(q, sizeof q, "%s exists.", name);
	dialog_side_line(old, sizeof old, "existing:", s->target_size, s->target_mtime);
	dialog_side_line(new, sizeof new, "new:     ", s->size, s->mtime);
	*all = false;
	for (;;) {
		snprintf(keys, sizeof keys, "o = overwrite, s = skip\nr = resume, n = rename\n"
			 "a = apply to all: [%s]\nEsc = stop copying", *all ? "x" : " ");
		snprintf(keys_short, sizeof keys_short, "o overwrite, s skip\nr resume, n rename\n"
			 "a all: [%s], Esc stop", *all ? "x" : " ");
		int k = dialog_ask_view(a, &v);
		if (dialog_is_cancel(k))
			return QUEUE_ANSWER_ABORT;
		if (k == 'a' || k == 'A') {
			*all = !*all;
			continue;
		}
		if (k >= 'A' && k <= 'Z')
			k += 'a' - 'A';
		for (size_t i = 0; i < sizeof dialog_exists_keys / sizeof dialog_exists_keys[0]; i++)
			if (dialog_exists_keys[i].key == k)
				return dialog_exists_keys[i].answer;
	}
}

void dialog_filter(struct app *a)
{
	struct pane *p = a->pane[a->active];
	char buf[PANE_FILTER_MAX];
	struct lineedit le;
	snprintf(buf, sizeof buf, "%s", pane_filter(p));
	lineedit_init(&le, buf, sizeof buf, false);
	for (;;) {
		app_status(a, false, "filter: %.*s_%s   (Enter keeps, Esc clears)", (int)le.cur, buf,
			   buf + le.cur);
		app_redraw(a);
		int k = app_wait_key(a);
		if (dialog_is_enter(k)) {
			app_status(a, false, "filter \"%s\": %zu match(es)", buf, pane_rows(p));
			return;
		}
		if (dialog_is_cancel(k)) {
			pane_set_filter(p, "");
			app_status(a, false, "filter cleared");
			return;
		}
		if (dialog_edit(&le, k))
			pane_set_filter(p, buf);
	}
}

/* The columns of the key names on the help screen and in the menu. */
#define DIALOG_KEY_COLS 14

void dialog_key_row(char *line, size_t linesz, const char *lead, const char *key,
		    const char *what)
{
	int used = draw_columns(key);
	int pad = used < DIALOG_KEY_COLS ? DIALOG_KEY_COLS - used : 0;
	snprintf(line, linesz, "%s%s%*s %s", lead, key, pad, "", what);
}

/* Narrowest description beside its key on a help screen of one
 * column; narrower, it goes on rows of its own below the key. */
#define DIALOG_HELP_DESC_MIN 24
/* Longest key name and description on the help screen, in bytes. */
#define DIALOG_HELP_KEY_MAX 64
#define DIALOG_HELP_WHAT_MAX 384
/* Where a description below its key starts. */
#define DIALOG_HELP_INDENT 4

/* Writes the key (keysz bytes) and what it does (whatsz) of the help
 * screen's row i: the built-in keys, then the keys file's. */
static void dialog_help_entry(size_t i, char *key, size_t keysz, char *what, size_t whatsz)
{
	size_t n, nuser;
	const struct keys_binding *t = keys_table(&n);
	const enum keys_action *acts;
	const int *ukeys = keys_user(&nuser, &acts);
	if (i < n) {
		snprintf(key, keysz, "%s", t[i].names);
		snprintf(what, whatsz, "%s", t[i].help);
		return;
	}
	const char *act = keys_action_name(acts[i - n]);
	keys_name(ukeys[i - n], key, keysz);
	snprintf(what, whatsz, "%s (keys file)", act ? act : "nothing");
}

/* Lays out the help screen of one column, width columns wide, its
 * descriptions wrapped (beside the key, or below it when too narrow):
 * returns its rows, drawing those from first on in rows rows of w from
 * row 2 when w is not NULL. */
static size_t dialog_help_wrapped(WINDOW *w, size_t total, int width, size_t first, int rows)
{
	size_t at = 0;
	int beside = DIALOG_KEY_COLS + 3, room = width - 1 - beside;
	bool below = room < DIALOG_HELP_DESC_MIN;
	if (below)
		room = width - 1 - DIALOG_HELP_INDENT;
	if (room < 1)
		room = 1;
	for (size_t i = 0; i < total; i++) {
		char key[DIALOG_HELP_KEY_MAX], what[DIALOG_HELP_WHAT_MAX], line[DIALOG_LINE_MAX];
		dialog_help_entry(i, key, sizeof key, what, sizeof what);
		const char *p = what, *end = what + strlen(what);
		bool head = true;
		while (head || p < end) {
			size_t k = below && head ? 0 : draw_wrap(p, (size_t)(end - p), room);
			char piece[DIALOG_HELP_WHAT_MAX];
			snprintf(piece, sizeof piece, "%.*s", (int)k, p);
			if (head)
				dialog_key_row(line, sizeof line, "  ", key, piece);
			else
				snprintf(line, sizeof line, "%*s%s",
					 below ? DIALOG_HELP_INDENT : beside, "", piece);
			if (w != NULL && at >= first && at - first < (size_t)rows)
				draw_cut(w, (int)(at - first) + 2, 0, line, width - 1);
			at++;
			head = false;
			p += k;
			while (p < end && *p == ' ')
				p++;
		}
	}
	return at;
}

/* Draws the help screen from the key table over everything, in two
 * columns of rows cut with the ellipsis when one does not fit and the
 * screen is wide enough, else in one of wrapped rows. */
static void dialog_help_draw(struct app *a, const void *arg)
{
	size_t n, nuser;
	const enum keys_action *acts;
	keys_table(&n);
	keys_user(&nuser, &acts);
	size_t *first = (size_t *)arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	WINDOW *w = draw_window(rows, cols, false);
	if (w == NULL)
		return;
	int per_col = rows - 2 > 0 ? rows - 2 : 1;
	size_t total = n + nuser;
	/* Two columns narrower than DIALOG_HELP_COL_MIN would leave a word
	 * or two of each description: one column, scrolled, instead. */
	int ncols = (int)total > per_col && cols >= 2 * DIALOG_HELP_COL_MIN ? 2 : 1;
	int colw = cols / ncols;
	size_t page = (size_t)per_col * (size_t)ncols;
	size_t lines = ncols == 1 ? dialog_help_wrapped(NULL, total, cols, 0, 0) : total;
	/* Scrolled a row at a time when one screen does not hold them all. */
	if (*first + page > lines)
		*first = lines > page ? lines - page : 0;
	/* The title's longest form that fits, so its words stay whole; on a
	 * narrow screen the keys that scroll and close it take the next row. */
	static const char *const scrolled[] = {
		"ferry keys (Up, Down, PgUp, PgDn scroll; any other key closes this)",
		"ferry keys (Up, Down, PgUp, PgDn scroll)", "ferry keys",
	};
	static const char *const scroll_keys[] = {
		"Up, Down, PgUp, PgDn scroll; other keys close", "Up, Down scroll; Esc closes",
		"Up, Down; Esc closes",
	};
	static const char *const still[] = { "ferry keys (any key closes this)", "ferry keys" };
	const char *title = lines > page ? draw_first_fit(scrolled, 3, cols)
		: draw_first_fit(still, 2, cols);
	draw_fit(w, 0, 0, title, cols, A_NORMAL);
	if (lines > page && strchr(title, '(') == NULL)
		draw_fit(w, 1, 0, draw_first_fit(scroll_keys, 3, cols), cols, A_NORMAL);
	if (ncols == 1) {
		dialog_help_wrapped(w, total, cols, *first, per_col);
	} else {
		for (size_t i = *first; i < total && i - *first < page; i++) {
			int c = (int)((i - *first) / (size_t)per_col);
			int r = (int)((i - *first) % (size_t)per_col);
			char line[DIALOG_LINE_MAX], key[DIALOG_HELP_KEY_MAX], what[DIALOG_HELP_WHAT_MAX];
			dialog_help_entry(i, key, sizeof key, what, sizeof what);
			dialog_key_row(line, sizeof line, "  ", key, what);
			/* A line too long for its column ends with an ellipsis. */
			draw_cut(w, r + 2, c * colw, line, colw - 1);
		}
	}
	wnoutrefresh(w);
	delwin(w);
}

void dialog_help(struct app *a)
{
	size_t first = 0;
	for (;;) {
		int k = dialog_overlay_key(a, dialog_help_draw, &first);
		enum keys_action act = keys_lookup(k);
		if (act == ACT_DOWN)
			first++;
		else if (act == ACT_UP && first > 0)
			first--;
		else if (act == ACT_PGDN)
			first += 10;
		else if (act == ACT_PGUP)
			first = first > 10 ? first - 10 : 0;
		else
			break;
	}
	draw_resize();
}
