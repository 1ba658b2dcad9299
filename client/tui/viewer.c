/* viewer: the built-in viewer (see viewer.h). The file is read whole (up
 * to VIEWER_MAX) and indexed by lines once; a line is drawn as text only as
 * far as the rows shown need, and where its wrapped rows start is kept
 * every VIEWER_MARK rows, so drawing a screen or moving costs only the
 * rows shown and a line of megabytes scrolls as fast as a short one. */
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
#include "viewrows.h"
#include "xalloc.h"

/* Bytes a hex row shows. */
#define VIEWER_HEX_ROW 16
/* Bytes looked at to tell text from binary. */
#define VIEWER_SNIFF (64 * 1024)
/* Longest search text, in bytes. */
#define VIEWER_FIND_MAX 256
/* Columns a tab reaches to a multiple of. */
#define VIEWER_TAB 8
/* Most bytes of a row as drawn: every byte read a tab. */
#define VIEWER_SHOWN_MAX ((size_t)VIEWER_MAX * VIEWER_TAB + 1)

/* Bytes of a line's text drawn at a time. */
#define VIEWER_CHUNK 16384
/* Wrapped rows of a line from one kept row start to the next. */
#define VIEWER_MARK 64
/* Raw bytes of a line that make it long: kept apart from the short ones. */
#define VIEWER_LONG 65536

/* A screen row: its line and the byte of the line's text as drawn
 * where the row starts (0 unless the line wraps). */
struct viewer_pos {
	size_t line;
	size_t off;
};

/* Bytes of a line's text as drawn from one kept column to the next. */
#define VIEWER_CUT_STEP 16384

/* A place in a line's text as drawn where a character starts, unwrapped:
 * the columns before it and the shift state there. */
struct viewer_cut {
	size_t off;
	int col;
	mbstate_t st;
};

/* A line's text as drawn, as far as it was needed, the start of every
 * VIEWER_MARK-th of its wrapped rows as far as they were found, and,
 * unwrapped, a character start every VIEWER_CUT_STEP bytes as far as
 * the columns scrolled past were walked (so a row scrolled far right is
 * drawn from near its columns, not from the line's start). */
struct viewer_text {
	size_t line;            /* SIZE_MAX: none */
	struct sbuf s;          /* the text drawn */
	size_t raw;             /* the bytes of the line it comes from */
	int col;                /* its columns */
	mbstate_t st;           /* the shift state after them */
	size_t *mark;           /* row starts, wrapped in mark_cols columns */
	size_t marks;
	size_t mark_cap;
	int mark_cols;          /* 0: none found */
	bool mark_end;          /* the last row is after the last mark */
	struct viewer_cut *cut; /* unwrapped: kept character starts, ascending */
	size_t cuts;
	size_t cut_cap;
};

/* The file on show. */
struct viewer {
	const char *title;      /* sanitised */
	char *data;             /* the bytes read */
	size_t len;
	bool cut;               /* the file is longer than what was read */
	bool hex;               /* shown as hex */
	size_t *row;            /* text: each row's first byte */
	size_t rows;            /* rows (lines, or hex rows of bytes) in all */
	struct viewer_pos top;  /* the first screen row shown */
	bool wrap;              /* long rows wrap; else they are cut, scrolled sideways */
	int left;               /* unwrapped: the columns scrolled past */
	bool more;              /* unwrapped: a row drawn is cut on the right */
	struct viewer_text text[2]; /* a short line and a long one as drawn */
	char find[VIEWER_FIND_MAX]; /* the last search */
	size_t found;           /* the row of the last match, SIZE_MAX none */
	char note[256];         /* the bottom line */
};

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
	/* The bytes read are kept where they were read to. */
	v->len = b.len;
	v->data = b.data != NULL ? b.data : xcalloc(1, 1);
	viewer_index(v);
	return true;
}

/* Tells text from binary and finds where each row starts. */
static void viewer_index(struct viewer *v)
{
	v->hex = sanitize_binary(v->data, v->len, VIEWER_SNIFF);
	if (v->hex) {
		v->rows = (v->len + VIEWER_HEX_ROW - 1) / VIEWER_HEX_ROW;
		return;
	}
	size_t cap = 1024;
	v->row = xmalloc(cap * sizeof *v->row);
	v->row[v->rows++] = 0;
	for (const char *nl = v->data; (nl = memchr(nl, '\n', v->len - (size_t)(nl - v->data))) != NULL;) {
		size_t i = (size_t)(++nl - v->data);
		if (i >= v->len)
			break;
		if (v->rows == cap) {
			cap *= 2;
			v->row = xrealloc(v->row, cap * sizeof *v->row);
		}
		v->row[v->rows++] = i;
	}
}

/* Writes hex row i into out: the offset, the bytes in hex and as ASCII. */
static void viewer_hex_row(const struct viewer *v, size_t i, char *out, size_t outsz)
{
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
}

/* The byte after line i's last. */
static size_t viewer_line_end(const struct viewer *v, size_t i)
{
	return i + 1 < v->rows ? v->row[i + 1] : v->len;
}

/* Draws more of the line of t as text, until it holds want bytes and
 * upto bytes of the line are drawn, or the line ends: its line end left
 * out, tabs expanded to the next multiple of VIEWER_TAB columns,
 * anything unprintable made visible. */
static void viewer_render(const struct viewer *v, struct viewer_text *t, size_t want, size_t upto)
{
	size_t start = v->row[t->line], end = viewer_line_end(v, t->line);
	size_t k = start + t->raw;
	/* Room for the line drawn (as long as it, more with tabs) at once:
	 * a line of megabytes is not moved at every doubling. */
	if (t->raw == 0 && end - start > VIEWER_CHUNK)
		sbuf_reserve(&t->s, end - start);
	while (k < end && (t->s.len < want || k - start < upto)) {
		/* A run of printable ASCII is copied at once, up to upto
		 * when the text is long enough. */
		size_t stop = t->s.len < want || start + upto > end ? end : start + upto, run = 0;
		while (k + run < stop && (unsigned char)v->data[k + run] >= 0x20 &&
		       (unsigned char)v->data[k + run] < 0x7f)
			run++;
		if (run > 0 && mbsinit(&t->st)) {
			sbuf_append(&t->s, v->data + k, run);
			t->col += (int)run;
			k += run;
			continue;
		}
		char c = v->data[k];
		if (c == '\n' || (c == '\r' && k + 1 < end && v->data[k + 1] == '\n')) {
			k++;
			continue;
		}
		if (c == '\t') {
			do
				sbuf_append(&t->s, " ", 1);
			while (++t->col % VIEWER_TAB != 0);
			k++;
			continue;
		}
		wchar_t wc;
		int cw;
		size_t n = draw_char(v->data + k, end - k, &t->st, &wc, &cw);
		char shown[8];
		sanitize_text(v->data + k, n, shown, sizeof shown);
		sbuf_puts(&t->s, shown);
		t->col += cw;
		k += n;
	}
	t->raw = k - start;
}

/* The slot that holds line i as drawn: emptied for it when it held
 * another line. */
static struct viewer_text *viewer_text(struct viewer *v, size_t i)
{
	size_t raw = v->hex ? VIEWER_HEX_ROW : viewer_line_end(v, i) - v->row[i];
	struct viewer_text *t = &v->text[raw > VIEWER_LONG];
	if (t->line != i) {
		sbuf_reset(&t->s);
		t->line = i;
		t->raw = 0;
		t->col = 0;
		memset(&t->st, 0, sizeof t->st);
		t->marks = 0;
		t->mark_cols = 0;
		t->mark_end = false;
		t->cuts = 0;
		if (v->hex) {
			char row[128];
			viewer_hex_row(v, i, row, sizeof row);
			sbuf_puts(&t->s, row);
		}
	}
	return t;
}

/* The text of line i as drawn, at least its first want bytes when it
 * has them (the bytes drawn so far in *len), kept until another line of
 * its slot is asked for. */
static const char *viewer_line(struct viewer *v, size_t i, size_t want, size_t *len)
{
	struct viewer_text *t = viewer_text(v, i);
	if (!v->hex && t->s.len < want)
		viewer_render(v, t, want + VIEWER_CHUNK, 0);
	*len = t->s.len;
	return sbuf_str(&t->s);
}

/* Unwrapped: the last kept character start of t before column col
 * (the text's start when none is, or col is 0). */
static struct viewer_cut viewer_cut_near(const struct viewer_text *t, int col)
{
	struct viewer_cut c = { 0 };
	size_t lo = 0, hi = t->cuts;
	if (col <= 0)
		return c;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->cut[mid].col < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? t->cut[lo - 1] : c;
}

/* Where a walk along the screen row at p to column col starts: unwrapped,
 * the last kept character start of its line before col; wrapped, the
 * row's start. */
static struct viewer_cut viewer_row_from(struct viewer *v, struct viewer_pos p, int col)
{
	if (v->wrap || p.off != 0)
		return (struct viewer_cut){ .off = p.off };
	return viewer_cut_near(viewer_text(v, p.line), col);
}

/* Unwrapped: keeps the character start at off (col columns in, shift
 * state st) when it is VIEWER_CUT_STEP bytes past the last one kept. */
static void viewer_cut_keep(struct viewer_text *t, size_t off, int col, const mbstate_t *st)
{
	size_t last = t->cuts > 0 ? t->cut[t->cuts - 1].off : 0;
	if (off < last + VIEWER_CUT_STEP)
		return;
	if (t->cuts == t->cut_cap) {
		t->cut_cap = t->cut_cap ? t->cut_cap * 2 : 64;
		t->cut = xrealloc(t->cut, t->cut_cap * sizeof *t->cut);
	}
	t->cut[t->cuts++] = (struct viewer_cut){ .off = off, .col = col, .st = *st };
}

/* Whether byte off of line i's text as drawn is past its end. */
static bool viewer_ends(struct viewer *v, size_t i, size_t off)
{
	size_t len;
	viewer_line(v, i, off + 1, &len);
	return off >= len;
}

/* The bytes of text as drawn at s (len bytes) that fill at most cols
 * columns, as draw_span: ASCII, one column a byte there, is counted
 * without decoding. */
static size_t viewer_span(const char *s, size_t len, int cols)
{
	size_t i = 0;
	int used = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		int w = 1;
		size_t n = (unsigned char)s[i] < 0x80 ? 1 : draw_char(s + i, len - i, &st, &wc, &w);
		if (used + w > cols)
			break;
		used += w;
		i += n;
	}
	return i;
}

/* The bytes of the screen row of line p.line that starts at p.off, in
 * cols columns: wrapped, as many whole characters as fit (at least one;
 * combining marks stay with theirs); else the rest of the line as far
 * as the columns scrolled past, those shown and one more (enough to tell
 * that it goes on). */
static size_t viewer_seg(struct viewer *v, struct viewer_pos p, int cols)
{
	size_t len, had;
	const char *s = viewer_line(v, p.line, p.off + 1, &len);
	if (p.off >= len)
		return 0;
	/* Unwrapped: as far as the columns shown and one more, counted on
	 * from the last character start kept before them. */
	int span = v->wrap ? cols : v->left + cols + 2;
	struct viewer_cut from = viewer_row_from(v, p, v->left);
	for (;;) {
		size_t n = from.off - p.off + viewer_span(s + from.off, len - from.off, span - from.col);
		if (n == 0) {
			mbstate_t st;
			wchar_t wc;
			int cw;
			memset(&st, 0, sizeof st);
			n = draw_char(s + p.off, len - p.off, &st, &wc, &cw);
			n += draw_span(s + p.off + n, len - p.off - n, SIZE_MAX, 0, NULL);
		}
		/* The row may go on in the text not drawn yet. */
		had = len;
		if (p.off + n < len || (s = viewer_line(v, p.line, len + 1, &len), len == had))
			return n;
	}
}

/* Moves p to the next screen row; false at the last. */
static bool viewer_next(struct viewer *v, struct viewer_pos *p, int cols)
{
	if (v->wrap) {
		size_t n = viewer_seg(v, *p, cols);
		if (!viewer_ends(v, p->line, p->off + n)) {
			p->off += n;
			return true;
		}
	}
	if (p->line + 1 >= v->rows)
		return false;
	p->line++;
	p->off = 0;
	return true;
}

/* The index of the last of the n ascending offsets of v (v[0] 0) at or
 * before at. */
static size_t viewer_last_at(const size_t *v, size_t n, size_t at)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The index of the last kept start of line i's rows (wrapped in cols
 * columns) at or before byte at of its text, the rows up to it found
 * when not yet. */
static size_t viewer_mark(struct viewer *v, size_t i, size_t at, int cols)
{
	struct viewer_text *t = viewer_text(v, i);
	if (t->mark_cols != cols) {
		t->mark_cols = cols;
		t->marks = 0;
		t->mark_end = false;
	}
	if (t->marks == 0) {
		if (t->mark_cap == 0) {
			t->mark_cap = 64;
			t->mark = xmalloc(t->mark_cap * sizeof *t->mark);
		}
		t->mark[t->marks++] = 0;
	}
	/* The rows are walked from the last kept start: a character at a
	 * time, a run of ASCII a row at a time (viewrows). */
	size_t len, k = t->mark[t->marks - 1];
	const char *s = viewer_line(v, i, k + 1, &len);
	int rows = 0;
	struct viewrows w;
	viewrows_start(&w, cols);
	while (!t->mark_end && t->mark[t->marks - 1] <= at) {
		if (k >= len) {
			size_t had = len;
			s = viewer_line(v, i, len + 1, &len);
			if (len == had) {
				t->mark_end = true;
				break;
			}
		}
		bool starts;
		size_t n = viewrows_step(&w, s, len, k, &starts);
		if (starts && ++rows == VIEWER_MARK) {
			rows = 0;
			if (t->marks == t->mark_cap) {
				t->mark_cap *= 2;
				t->mark = xrealloc(t->mark, t->mark_cap * sizeof *t->mark);
			}
			t->mark[t->marks++] = k;
		}
		k += n;
	}
	return viewer_last_at(t->mark, t->marks, at);
}

/* The start of line i's row (wrapped in cols columns) that is back
 * marks kept starts before the one at or before byte at. */
static size_t viewer_mark_back(struct viewer *v, size_t i, size_t at, size_t back, int cols)
{
	size_t m = viewer_mark(v, i, at, cols);
	return viewer_text(v, i)->mark[m > back ? m - back : 0];
}

/* Moves p back by up to n screen rows (p.off SIZE_MAX: from after the
 * end of its line); returns the rows moved. A wrapped line is walked
 * from a kept row start far enough back, not from its start. */
static size_t viewer_back(struct viewer *v, struct viewer_pos *p, size_t n, int cols)
{
	size_t moved = 0;
	size_t *ring = xmalloc((n > 0 ? n : 1) * sizeof *ring);
	while (moved < n) {
		if (p->off == 0) {
			if (p->line == 0)
				break;
			p->line--;
			p->off = SIZE_MAX;
		}
		/* The starts of the line's rows before p->off, the last
		 * want of them in ring. */
		size_t want = n - moved, count = 0;
		struct viewer_pos q = { p->line, 0 };
		if (v->wrap && p->off > 0)
			q.off = viewer_mark_back(v, q.line, p->off - 1, want / VIEWER_MARK + 1, cols);
		do {
			ring[count++ % want] = q.off;
			if (!v->wrap)
				break;
			size_t k = viewer_seg(v, q, cols);
			if (k == 0 || viewer_ends(v, q.line, q.off + k))
				break;
			q.off += k;
		} while (q.off < p->off);
		if (count >= want) {
			p->off = ring[(count - want) % want];
			moved += want;
		} else {
			p->off = 0;
			moved += count;
		}
	}
	free(ring);
	return moved;
}

/* Moves p to the start of the screen row holding its byte (after a
 * resize or a search). */
static void viewer_snap(struct viewer *v, struct viewer_pos *p, int cols)
{
	size_t at = p->off;
	p->off = v->wrap && at > 0 ? viewer_mark_back(v, p->line, at, 0, cols) : 0;
	for (;;) {
		struct viewer_pos q = *p;
		if (q.off >= at || !viewer_next(v, &q, cols) || q.line != p->line || q.off > at)
			return;
		*p = q;
	}
}

/* -1, 0 or 1 as a is before, at or after b. */
static int viewer_cmp(struct viewer_pos a, struct viewer_pos b)
{
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	return a.off < b.off ? -1 : a.off > b.off;
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

/* Draws the screen row at p (its line's text s, len bytes) on row y of w
 * in cols columns: wrapped, its part; unwrapped, the columns from
 * v->left on, with the ellipsis at the left edge when scrolled and at the
 * right one when the line goes on. */
static void viewer_draw_row(struct viewer *v, WINDOW *w, int y, int cols, struct viewer_pos p,
			    attr_t attr)
{
	size_t len, n = viewer_seg(v, p, cols);
	const char *s = viewer_line(v, p.line, 0, &len);
	int from = v->wrap ? 0 : v->left + (v->left > 0);
	struct viewer_text *t = viewer_text(v, p.line);
	struct viewer_cut c = viewer_row_from(v, p, from);
	int col = c.col;
	size_t at = c.off;
	mbstate_t st = c.st;
	/* Unwrapped: skip the columns scrolled past, with the combining
	 * marks of the last character skipped (a wide character cut by the
	 * edge shows as a blank); from the last character start kept before
	 * them, keeping more on the way. */
	while (at < p.off + n) {
		if (!v->wrap && p.off == 0)
			viewer_cut_keep(t, at, col, &st);
		mbstate_t next = st;
		wchar_t wc;
		int cw;
		size_t k = draw_char(s + at, p.off + n - at, &next, &wc, &cw);
		if (col >= from && (cw > 0 || at == p.off))
			break;
		at += k;
		col += cw;
		st = next;
	}
	int x = col - from + (v->wrap || v->left == 0 ? 0 : 1);
	if (at < p.off + n && x < cols) {
		char *part = xmalloc(p.off + n - at + 1);
		memcpy(part, s + at, p.off + n - at);
		part[p.off + n - at] = '\0';
		if (!v->wrap && draw_columns(part) > cols - x)
			v->more = true;
		draw_fit(w, y, x, part, cols - x, attr);
		free(part);
	}
	if (!v->wrap && v->left > 0 && len > 0)
		draw_fit(w, y, 0, draw_ellipsis(), 1, attr);
}

/* Draws the viewer over the whole screen: the title and the rows shown
 * (said shorter on a narrow screen so the title keeps its start), the
 * text, and the keys, the way out first when they do not all fit. */
static void viewer_draw(struct app *a, const void *arg)
{
	struct viewer *v = (struct viewer *)arg;
	int rows, cols;
	(void)a;
	getmaxyx(stdscr, rows, cols);
	WINDOW *w = draw_window(rows, cols, false);
	if (w == NULL)
		return;
	char where[3][96];
	int shown = rows > 2 ? rows - 2 : 1;
	struct viewer_pos p = v->top;
	v->more = false;
	for (int r = 0; r < shown && v->rows > 0; r++) {
		if (r > 0 && !viewer_next(v, &p, cols))
			break;
		viewer_draw_row(v, w, 1 + r, cols, p,
				p.line == v->found ? A_BOLD | A_UNDERLINE : A_NORMAL);
	}
	size_t last = v->rows ? p.line + 1 : 0;
	size_t from = v->rows ? v->top.line + 1 : 0;
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
	static const char *const keys_wrap[] = {
		"/ search  n next  w F2 unwrap  arrows PgUp PgDn Home End  q Esc F3 close",
		"q close  / search  n next  w unwrap  PgUp PgDn", "q close  / search  n next",
		"q close  / search", "q close",
	};
	static const char *const keys_cut[] = {
		"/ search  n next  w F2 wrap  Left Right scroll  PgUp PgDn Home End  q Esc F3 close",
		"q close  / search  n next  w wrap  Left Right", "q close  / search  n next",
		"q close  / search", "q close",
	};
	const char *const *keys = v->wrap ? keys_wrap : keys_cut;
	viewer_bar(w, rows - 1, cols, v->note[0] ? v->note
		   : draw_first_fit(keys, sizeof keys_wrap / sizeof keys_wrap[0], cols), "");
	wnoutrefresh(w);
	delwin(w);
}

/* The row holding byte at. */
static size_t viewer_row_of(const struct viewer *v, size_t at)
{
	return v->hex ? at / VIEWER_HEX_ROW : viewer_last_at(v->row, v->rows, at);
}

/* Bytes of the search text quoted in the bottom line. */
#define VIEWER_NOTE_FIND 200

/* The bytes of s's longest start of at most max bytes that ends between
 * two characters (an invalid byte counts as one character). */
static int viewer_cut(const char *s, size_t max)
{
	return (int)draw_span(s, strlen(s), max, INT_MAX, NULL);
}

/* Shows the match at byte at (of row v->found): its screen row on top,
 * scrolled sideways to it when rows do not wrap. */
static void viewer_show_match(struct viewer *v, size_t at, int cols)
{
	v->top.line = v->found;
	v->top.off = 0;
	if (v->hex)
		return;
	/* The line drawn up to the match: the text's bytes and columns
	 * before it (drawn again from the start when drawn past it). */
	size_t upto = at - v->row[v->found];
	struct viewer_text *t = viewer_text(v, v->found);
	if (t->raw > upto) {
		t->line = SIZE_MAX;
		t = viewer_text(v, v->found);
	}
	viewer_render(v, t, 0, upto);
	v->top.off = t->s.len;
	if (!v->wrap) {
		int col = t->col;
		v->top.off = 0;
		if (col < v->left + (v->left > 0) || col >= v->left + cols)
			v->left = col >= cols ? col - cols / 2 : 0;
	}
	viewer_snap(v, &v->top, cols);
}

/* Finds v->find after row from (wrapping to the start); moves there. */
static void viewer_search(struct viewer *v, size_t from, int cols)
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
			viewer_show_match(v, (size_t)(hit - v->data), cols);
			snprintf(v->note, sizeof v->note, "found \"%.*s\" on row %zu%s", quoted, v->find,
				 v->found + 1, pass ? " (from the start)" : "");
			return;
		}
		start = 0;
	}
	v->found = SIZE_MAX;
	snprintf(v->note, sizeof v->note, "\"%.*s\" not found", quoted, v->find);
}

/* Whether n screen rows follow p's. */
static bool viewer_ahead(struct viewer *v, struct viewer_pos p, size_t n, int cols)
{
	for (size_t i = 0; i < n; i++)
		if (!viewer_next(v, &p, cols))
			return false;
	return true;
}

/* The last screen's first row, page rows of cols columns: found when
 * first asked for after the layout changed (*known false). */
static struct viewer_pos viewer_maxtop(struct viewer *v, struct viewer_pos *maxtop, bool *known,
				       size_t page, int cols)
{
	if (!*known) {
		maxtop->line = v->rows > 0 ? v->rows - 1 : 0;
		maxtop->off = v->rows > 0 ? SIZE_MAX : 0;
		if (v->rows > 0)
			viewer_back(v, maxtop, page, cols);
		*known = true;
	}
	return *maxtop;
}

/* Shows v until it is closed; frees what it holds. Up, Down, PgUp, PgDn
 * move by screen rows, wrapped or not. */
static void viewer_run(struct app *a, struct viewer *v, bool at_end)
{
	bool first = true, laid_wrap = v->wrap, known = false;
	int laid_cols = -1;
	size_t laid_page = 0;
	struct viewer_pos maxtop = { 0, 0 };
	for (bool done = false; !done;) {
		int rows, cols;
		getmaxyx(stdscr, rows, cols);
		size_t page = rows > 3 ? (size_t)(rows - 2) : 1;
		/* Laid out again when the size or the wrapping changed; the
		 * last screen is found only when asked for (End, or a row
		 * shown too near the end): a line of megabytes is wrapped to
		 * its end at most once, not at every key. */
		if (cols != laid_cols || page != laid_page || v->wrap != laid_wrap) {
			known = false;
			viewer_snap(v, &v->top, cols);
			laid_cols = cols;
			laid_page = page;
			laid_wrap = v->wrap;
		}
		if (first && at_end)
			v->top = viewer_maxtop(v, &maxtop, &known, page, cols);
		first = false;
		if (!viewer_ahead(v, v->top, page - 1, cols) &&
		    viewer_cmp(v->top, viewer_maxtop(v, &maxtop, &known, page, cols)) > 0)
			v->top = maxtop;
		int k = dialog_overlay_key(a, viewer_draw, v);
		enum keys_action act = keys_lookup(k);
		v->note[0] = '\0';
		if (k == 'q' || k == KEYS_ESC || k == KEYS_FN + KEY_F(3) || k == KEYS_FN + KEY_F(10) ||
		    k == KEYS_CTRL('c') || act == ACT_LOG) {
			done = true;
		} else if (k == 'w' || k == KEYS_FN + KEY_F(2)) {
			v->wrap = !v->wrap;
			v->top.off = 0;
			v->left = 0;
			snprintf(v->note, sizeof v->note, "%s", v->wrap ? "long rows wrap"
				 : "long rows cut: Left, Right scroll sideways");
		} else if (k == KEYS_FN + KEY_LEFT) {
			if (!v->wrap)
				v->left = v->left > cols / 2 ? v->left - (cols > 1 ? cols / 2 : 1) : 0;
		} else if (k == KEYS_FN + KEY_RIGHT) {
			if (!v->wrap && v->more)
				v->left += cols > 1 ? cols / 2 : 1;
		} else if (act == ACT_UP) {
			viewer_back(v, &v->top, 1, cols);
		} else if (act == ACT_DOWN) {
			if (viewer_ahead(v, v->top, page, cols))
				viewer_next(v, &v->top, cols);
		} else if (act == ACT_PGUP) {
			viewer_back(v, &v->top, page, cols);
		} else if (act == ACT_PGDN || k == ' ') {
			/* A page on, or to the last page when less follows. */
			struct viewer_pos q = v->top;
			for (size_t i = 0; i < page && viewer_next(v, &q, cols); i++)
				;
			if (viewer_ahead(v, q, page - 1, cols))
				v->top = q;
			else
				v->top = viewer_maxtop(v, &maxtop, &known, page, cols);
		} else if (act == ACT_HOME) {
			v->top.line = v->top.off = 0;
			v->left = 0;
		} else if (act == ACT_END) {
			v->top = viewer_maxtop(v, &maxtop, &known, page, cols);
		} else if (k == '/' && dialog_input(a, "Search for:", v->find, sizeof v->find, false,
						     true)) {
			viewer_search(v, v->top.line, cols);
		} else if (k == 'n') {
			viewer_search(v, v->found != SIZE_MAX ? v->found + 1 : v->top.line, cols);
		}
	}
	free(v->data);
	free(v->row);
	for (int i = 0; i < 2; i++) {
		sbuf_free(&v->text[i].s);
		free(v->text[i].mark);
		free(v->text[i].cut);
	}
}

/* Sets v up to show a text titled title, long rows wrapped. */
static void viewer_init(struct viewer *v, const char *title)
{
	memset(v, 0, sizeof *v);
	v->title = title;
	v->found = SIZE_MAX;
	v->wrap = true;
	for (int i = 0; i < 2; i++) {
		v->text[i].line = SIZE_MAX;
		sbuf_init(&v->text[i].s, VIEWER_SHOWN_MAX);
	}
}

bool viewer_show(struct app *a, const char *path, const char *title)
{
	struct viewer v;
	viewer_init(&v, title);
	if (!viewer_load(&v, path)) {
		app_status(a, true, "%s: %s", title, strerror(errno));
		for (int i = 0; i < 2; i++)
			sbuf_free(&v.text[i].s);
		return false;
	}
	viewer_run(a, &v, false);
	return true;
}

void viewer_show_text(struct app *a, char *text, size_t len, const char *title, bool at_end)
{
	struct viewer v;
	viewer_init(&v, title);
	v.data = text;
	v.len = len;
	viewer_index(&v);
	viewer_run(a, &v, at_end);
}
