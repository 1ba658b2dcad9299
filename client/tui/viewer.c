/* viewer: the built-in viewer (see viewer.h). The file is read whole (up
 * to VIEWER_MAX) and indexed by rows once; drawing a screen costs only its
 * rows, so a large file scrolls as fast as a small one. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "dialog.h"
#include "draw.h"
#include "keys.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sysio.h"
#include "viewer.h"
#include "xalloc.h"

/* Bytes a hex row shows. */
#define VIEWER_HEX_ROW 16
/* Bytes looked at to tell text from binary. */
#define VIEWER_SNIFF (64 * 1024)
/* Longest row drawn, in bytes. */
#define VIEWER_ROW_MAX 4096
/* Longest search text, in bytes. */
#define VIEWER_FIND_MAX 256
/* Columns a tab reaches to a multiple of. */
#define VIEWER_TAB 8

/* The file on show. */
struct viewer {
	const char *title;      /* sanitised */
	char *data;             /* the bytes read */
	size_t len;
	bool cut;               /* the file is longer than what was read */
	bool hex;               /* shown as hex */
	size_t *row;            /* text: each row's first byte */
	size_t rows;            /* rows in all */
	size_t top;             /* the first row shown */
	char find[VIEWER_FIND_MAX]; /* the last search */
	size_t found;           /* the row of the last match, SIZE_MAX none */
	char note[256];         /* the bottom line */
};

/* True when the first bytes hold a NUL or are not valid UTF-8. */
static bool viewer_binary(const char *s, size_t len)
{
	size_t n = len < VIEWER_SNIFF ? len : VIEWER_SNIFF;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	for (size_t i = 0; i < n;) {
		if (s[i] == '\0')
			return true;
		size_t k = mbrtowc(NULL, s + i, n - i, &st);
		if (k == (size_t)-2)
			return i + 4 < len;   /* cut by the sniff's end: fine */
		if (k == (size_t)-1)
			return true;
		i += k;
	}
	return false;
}

static void viewer_index(struct viewer *v);

/* Reads the file and indexes its rows; false with errno. */
static bool viewer_load(struct viewer *v, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct sbuf b;
	char chunk[65536];
	ssize_t r;
	sbuf_init(&b, VIEWER_MAX);
	while ((r = sysio_read(fd, chunk, sizeof chunk)) > 0) {
		size_t room = VIEWER_MAX - b.len;
		if ((size_t)r > room) {
			sbuf_append(&b, chunk, room);
			v->cut = true;
			break;
		}
		sbuf_append(&b, chunk, (size_t)r);
	}
	int saved = errno;
	close(fd);
	if (r < 0) {
		sbuf_free(&b);
		errno = saved;
		return false;
	}
	v->len = b.len;
	v->data = xmalloc(b.len + 1);
	memcpy(v->data, sbuf_str(&b), b.len + 1);
	sbuf_free(&b);
	viewer_index(v);
	return true;
}

/* Tells text from binary and finds where each row starts. */
static void viewer_index(struct viewer *v)
{
	v->hex = viewer_binary(v->data, v->len);
	if (v->hex) {
		v->rows = (v->len + VIEWER_HEX_ROW - 1) / VIEWER_HEX_ROW;
		return;
	}
	size_t cap = 1024;
	v->row = xmalloc(cap * sizeof *v->row);
	v->row[v->rows++] = 0;
	for (size_t i = 0; i < v->len; i++)
		if (v->data[i] == '\n' && i + 1 < v->len) {
			if (v->rows == cap) {
				cap *= 2;
				v->row = xrealloc(v->row, cap * sizeof *v->row);
			}
			v->row[v->rows++] = i + 1;
		}
}

/* Writes row i as text into out: hex and ASCII, or the line with tabs
 * expanded and anything unprintable made visible. */
static void viewer_row(const struct viewer *v, size_t i, char *out, size_t outsz)
{
	if (v->hex) {
		size_t at = i * VIEWER_HEX_ROW, n = v->len - at < VIEWER_HEX_ROW ? v->len - at
										 : VIEWER_HEX_ROW;
		int o = snprintf(out, outsz, "%08zx ", at);
		for (size_t k = 0; k < VIEWER_HEX_ROW; k++)
			o += snprintf(out + o, outsz - (size_t)o, k < n ? "%s%02x" : "%s  ",
				      k == 8 ? "  " : " ", k < n ? (unsigned char)v->data[at + k] : 0);
		o += snprintf(out + o, outsz - (size_t)o, "  |");
		for (size_t k = 0; k < n; k++) {
			unsigned char c = (unsigned char)v->data[at + k];
			out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		snprintf(out + o, outsz - (size_t)o, "|");
		return;
	}
	size_t start = v->row[i], end = i + 1 < v->rows ? v->row[i + 1] : v->len;
	char raw[VIEWER_ROW_MAX];
	size_t o = 0;
	for (size_t k = start; k < end && o + VIEWER_TAB < sizeof raw; k++) {
		char c = v->data[k];
		if (c == '\n' || (c == '\r' && k + 1 < end && v->data[k + 1] == '\n'))
			continue;
		if (c == '\t') {
			do
				raw[o++] = ' ';
			while (o % VIEWER_TAB != 0);
			continue;
		}
		raw[o++] = c;
	}
	sanitize_text(raw, o, out, outsz);
}

/* Draws a bar in reverse video on row y of w (cols columns): left, cut
 * by columns with the ellipsis to leave right whole after it when it can. */
static void viewer_bar(WINDOW *w, int y, int cols, const char *left, const char *right)
{
	int rw = draw_columns(right), lw = draw_columns(left);
	int room = cols - rw > 1 ? cols - rw : cols;
	int used = draw_fit(w, y, 0, left, lw < room ? lw : room, A_REVERSE);
	if (used < cols)
		used += draw_fit(w, y, used, right, cols - used, A_REVERSE);
	wattrset(w, A_REVERSE);
	for (int x = used; x < cols; x++)
		mvwaddch(w, y, x, ' ');
	wattrset(w, A_NORMAL);
}

/* Columns the title keeps beside the rows shown, when it is longer. */
#define VIEWER_TITLE_MIN 12

/* Draws the viewer over the whole screen: the title and the rows shown
 * (said shorter on a narrow screen so the title keeps its start), the
 * text, and the keys, the way out first when they do not all fit. */
static void viewer_draw(struct app *a, const void *arg)
{
	const struct viewer *v = arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	WINDOW *w = newwin(rows, cols, 0, 0);
	if (w == NULL)
		return;
	werase(w);
	char line[VIEWER_ROW_MAX * 2], where[3][96];
	size_t shown = rows > 2 ? (size_t)(rows - 2) : 1;
	size_t last = v->top + shown < v->rows ? v->top + shown : v->rows;
	size_t from = v->rows ? v->top + 1 : 0;
	const char *kind = v->hex ? "hex" : "text";
	snprintf(where[0], sizeof where[0], "  %s%s  rows %zu-%zu of %zu", kind,
		 v->cut ? ", first 16 MiB only" : "", from, last, v->rows);
	snprintf(where[1], sizeof where[1], "  %s %zu-%zu/%zu", kind, from, last, v->rows);
	snprintf(where[2], sizeof where[2], " %zu-%zu/%zu", from, last, v->rows);
	/* By columns: the title may be a name of wide characters. */
	int tw = draw_columns(v->title);
	int keep = tw < VIEWER_TITLE_MIN ? tw : VIEWER_TITLE_MIN;
	const char *right = where[2];
	for (int i = 0; i < 3; i++)
		if (cols - draw_columns(where[i]) >= keep) {
			right = where[i];
			break;
		}
	viewer_bar(w, 0, cols, v->title, right);
	for (size_t r = 0; r < shown && v->top + r < v->rows; r++) {
		viewer_row(v, v->top + r, line, sizeof line);
		/* By columns: a row of wide characters holds more bytes. */
		draw_fit(w, 1 + (int)r, 0, line, cols,
			 v->top + r == v->found ? A_BOLD | A_UNDERLINE : A_NORMAL);
	}
	static const char *const keys[] = {
		"/ search  n next  arrows PgUp PgDn Home End  q Esc F3 close",
		"q close  / search  n next  PgUp PgDn", "q close  / search  n next",
		"q close  / search", "q close",
	};
	viewer_bar(w, rows - 1, cols, v->note[0] ? v->note
		   : draw_first_fit(keys, sizeof keys / sizeof keys[0], cols), "");
	wnoutrefresh(w);
	delwin(w);
}

/* The row holding byte at. */
static size_t viewer_row_of(const struct viewer *v, size_t at)
{
	if (v->hex)
		return at / VIEWER_HEX_ROW;
	size_t lo = 0, hi = v->rows;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (v->row[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Bytes of the search text quoted in the bottom line. */
#define VIEWER_NOTE_FIND 200

/* The bytes of s's longest start of at most max bytes that ends between
 * two characters (an invalid byte counts as one character). */
static int viewer_cut(const char *s, size_t max)
{
	return (int)draw_span(s, strlen(s), max, INT_MAX, NULL);
}

/* Finds v->find after row from (wrapping to the start); moves there. */
static void viewer_search(struct viewer *v, size_t from)
{
	size_t n = strlen(v->find);
	int quoted = viewer_cut(v->find, VIEWER_NOTE_FIND);
	if (n == 0 || v->len == 0)
		return;
	size_t start = from < v->rows ? (v->hex ? from * VIEWER_HEX_ROW : v->row[from]) : 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *hit = memmem(v->data + start, v->len - start, v->find, n);
		if (hit != NULL) {
			v->found = viewer_row_of(v, (size_t)(hit - v->data));
			v->top = v->found;
			snprintf(v->note, sizeof v->note, "found \"%.*s\" on row %zu%s", quoted, v->find,
				 v->found + 1, pass ? " (from the start)" : "");
			return;
		}
		start = 0;
	}
	v->found = SIZE_MAX;
	snprintf(v->note, sizeof v->note, "\"%.*s\" not found", quoted, v->find);
}

/* Shows v until it is closed; frees what it holds. */
static void viewer_run(struct app *a, struct viewer *v, bool at_end)
{
	bool first = true;
	for (bool done = false; !done;) {
		int rows, cols;
		getmaxyx(stdscr, rows, cols);
		(void)cols;
		size_t page = rows > 3 ? (size_t)(rows - 2) : 1;
		size_t maxtop = v->rows > page ? v->rows - page : 0;
		if (first && at_end)
			v->top = maxtop;
		first = false;
		if (v->top > maxtop)
			v->top = maxtop;
		int k = dialog_overlay_key(a, viewer_draw, v);
		enum keys_action act = keys_lookup(k);
		v->note[0] = '\0';
		if (k == 'q' || k == KEYS_ESC || k == KEYS_FN + KEY_F(3) || k == KEYS_FN + KEY_F(10) ||
		    k == KEYS_CTRL('c') || act == ACT_LOG)
			done = true;
		else if (act == ACT_UP)
			v->top -= v->top > 0;
		else if (act == ACT_DOWN)
			v->top += v->top < maxtop;
		else if (act == ACT_PGUP)
			v->top = v->top > page ? v->top - page : 0;
		else if (act == ACT_PGDN || k == ' ')
			v->top = v->top + page < maxtop ? v->top + page : maxtop;
		else if (act == ACT_HOME)
			v->top = 0;
		else if (act == ACT_END)
			v->top = maxtop;
		else if (k == '/' && dialog_input(a, "Search for:", v->find, sizeof v->find, false, true))
			viewer_search(v, v->top);
		else if (k == 'n')
			viewer_search(v, v->found != SIZE_MAX ? v->found + 1 : v->top);
	}
	free(v->data);
	free(v->row);
}

bool viewer_show(struct app *a, const char *path, const char *title)
{
	struct viewer v;
	memset(&v, 0, sizeof v);
	v.title = title;
	v.found = SIZE_MAX;
	if (!viewer_load(&v, path)) {
		app_status(a, true, "%s: %s", title, strerror(errno));
		return false;
	}
	viewer_run(a, &v, false);
	return true;
}

void viewer_show_text(struct app *a, char *text, size_t len, const char *title, bool at_end)
{
	struct viewer v;
	memset(&v, 0, sizeof v);
	v.title = title;
	v.found = SIZE_MAX;
	v.data = text;
	v.len = len;
	viewer_index(&v);
	viewer_run(a, &v, at_end);
}
