/* pane: one file pane's model (see pane.h). Entries live in one array in
 * load order; `order` holds their indices sorted, `vis` the indices of
 * the rows shown (order minus hidden and filtered), `byname` their
 * indices sorted by name for lookups (made on the first lookup after the
 * entries changed, dropped whenever they change). No curses here. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "pane.h"
#include "sanitize.h"
#include "wildmat.h"
#include "xalloc.h"

/* Longest display name kept, in bytes. */
#define PANE_DISPLAY_MAX 1024
/* First allocation of the entry array. */
#define PANE_INITIAL_CAP 64
/* Longest text compared case-folded, in characters (longer names are
 * compared on their first PANE_FOLD_MAX characters). */
#define PANE_FOLD_MAX 1024

struct pane {
	char path[PANE_PATH_MAX];        /* directory shown, raw */
	struct pane_entry *v;            /* entries in load order */
	size_t n;                        /* entries in v */
	size_t cap;                      /* slots in v */
	size_t *order;                   /* indices into v, sorted (n of them) */
	size_t *vis;                     /* indices into v of visible rows */
	size_t *byname;                  /* indices into v by name (n of them); NULL until
					  * a lookup needs it after the entries changed */
	size_t nvis;                     /* visible rows */
	size_t cursor;                   /* visible row under the cursor */
	size_t top;                      /* first row drawn at the last pane_scroll */
	enum pane_sort sort;             /* sort mode */
	bool reverse;                    /* sort direction reversed */
	bool show_hidden;                /* dot names shown */
	char filter[PANE_FILTER_MAX];    /* filter text, "" when none */
	wchar_t folded[PANE_FILTER_MAX]; /* the filter, case-folded */
	char **keep_tags;                /* tagged names kept across a reload, sorted */
	size_t nkeep;                    /* names in keep_tags */
	size_t ntagged;                  /* tagged entries */
};

/* Names of the sort modes, indexed by enum pane_sort. */
static const char *const pane_sort_names[PANE_SORT_COUNT] = {
	[PANE_SORT_NAME] = "name",
	[PANE_SORT_EXT] = "ext",
	[PANE_SORT_SIZE] = "size",
	[PANE_SORT_DATE] = "date",
};

struct pane *pane_new(void)
{
	struct pane *p = xcalloc(1, sizeof *p);
	return p;
}

/* Drops the name index: the entries changed (pane_lookup makes it again). */
static void pane_drop_index(struct pane *p)
{
	free(p->byname);
	p->byname = NULL;
}

/* Frees the entries (not the arrays). */
static void pane_drop_entries(struct pane *p)
{
	pane_drop_index(p);
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].display);
		free(p->v[i].target);
	}
	p->n = 0;
	p->nvis = 0;
	p->cursor = 0;
	p->top = 0;
	p->ntagged = 0;
}

/* Frees the names kept for re-tagging. */
static void pane_drop_keep(struct pane *p)
{
	for (size_t i = 0; i < p->nkeep; i++)
		free(p->keep_tags[i]);
	free(p->keep_tags);
	p->keep_tags = NULL;
	p->nkeep = 0;
}

void pane_free(struct pane *p)
{
	if (p == NULL)
		return;
	pane_drop_entries(p);
	pane_drop_keep(p);
	free(p->v);
	free(p->order);
	free(p->vis);
	free(p->byname);
	free(p);
}

/* Orders C strings for qsort/bsearch over char * arrays. */
static int pane_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void pane_push(struct pane *p, const char *name, enum ftp_entry_type type,
		      off_t size, time_t mtime);

void pane_load_begin(struct pane *p, const char *path, bool at_root)
{
	pane_drop_keep(p);
	if (strcmp(path, p->path) == 0 && p->ntagged > 0) {
		p->keep_tags = xcalloc(p->ntagged, sizeof *p->keep_tags);
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].tagged)
				p->keep_tags[p->nkeep++] = xstrdup(p->v[i].name);
		qsort(p->keep_tags, p->nkeep, sizeof *p->keep_tags, pane_strp_cmp);
	}
	pane_drop_entries(p);
	size_t len = strlen(path);
	if (len >= sizeof p->path)
		len = sizeof p->path - 1;
	memcpy(p->path, path, len);
	p->path[len] = '\0';
	if (!at_root)
		pane_push(p, PANE_PARENT, FTP_ENTRY_DIR, -1, 0);
}

/* Adds an entry without the "."/".." check. */
static void pane_push(struct pane *p, const char *name, enum ftp_entry_type type,
		      off_t size, time_t mtime)
{
	char disp[PANE_DISPLAY_MAX];

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : PANE_INITIAL_CAP;
		if (cap < p->cap || cap > SIZE_MAX / sizeof *p->v)
			return;
		p->v = xrealloc(p->v, cap * sizeof *p->v);
		p->order = xrealloc(p->order, cap * sizeof *p->order);
		p->vis = xrealloc(p->vis, cap * sizeof *p->vis);
		p->cap = cap;
	}
	pane_drop_index(p);
	struct pane_entry *e = &p->v[p->n++];
	e->name = xstrdup(name);
	e->display = xstrdup(sanitize_text(name, strlen(name), disp, sizeof disp));
	e->type = type;
	e->size = size;
	e->mtime = mtime;
	e->target = NULL;
	e->link = false;
	e->broken = false;
	e->tagged = false;
}

/* True for a name the source may not add: ".." is only ever the entry
 * pane_load_begin adds. */
static bool pane_refused_name(const char *name)
{
	return strcmp(name, ".") == 0 || name[0] == '\0' || strcmp(name, PANE_PARENT) == 0;
}

void pane_load_add(struct pane *p, const char *name, enum ftp_entry_type type,
		   off_t size, time_t mtime)
{
	if (!pane_refused_name(name))
		pane_push(p, name, type, size, mtime);
}

void pane_load_add_link(struct pane *p, const char *name, enum ftp_entry_type type,
			off_t size, time_t mtime, const char *target, bool broken)
{
	if (pane_refused_name(name))
		return;
	size_t before = p->n;
	pane_push(p, name, type, size, mtime);
	if (p->n == before)
		return;
	struct pane_entry *e = &p->v[p->n - 1];
	e->link = true;
	e->broken = broken;
	if (target != NULL && target[0] != '\0') {
		char disp[PANE_DISPLAY_MAX];
		e->target = xstrdup(sanitize_text(target, strlen(target), disp, sizeof disp));
	}
}

void pane_load_listing(struct pane *p, const struct ftp_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ftp_entry *e = &l->v[i];
		pane_load_add(p, e->name, e->type, e->size, e->mtime);
	}
}

/* The pane whose order is being sorted (qsort has no context argument). */
static const struct pane *pane_sorting;

/* The extension of a name: what follows its last '.', "" when none (a
 * leading dot starts a hidden name, not an extension). */
static const char *pane_ext(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot != NULL && dot != name ? dot + 1 : "";
}

/* Compares two numbers, -1/0/1. */
static int pane_cmp_num(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

/* Sort order: ".." first, then directories, then the mode's key (with
 * the direction), then the name. */
static int pane_order_cmp(const void *a, const void *b)
{
	const struct pane *p = pane_sorting;
	const struct pane_entry *x = &p->v[*(const size_t *)a];
	const struct pane_entry *y = &p->v[*(const size_t *)b];
	bool xp = strcmp(x->name, PANE_PARENT) == 0, yp = strcmp(y->name, PANE_PARENT) == 0;
	if (xp != yp)
		return xp ? -1 : 1;
	bool xd = x->type == FTP_ENTRY_DIR, yd = y->type == FTP_ENTRY_DIR;
	if (xd != yd)
		return xd ? -1 : 1;
	int c = 0;
	switch (p->sort) {
	case PANE_SORT_EXT:
		c = strcmp(pane_ext(x->name), pane_ext(y->name));
		break;
	case PANE_SORT_SIZE:
		c = -pane_cmp_num(x->size, y->size);
		break;
	case PANE_SORT_DATE:
		c = -pane_cmp_num(x->mtime, y->mtime);
		break;
	default:
		break;
	}
	if (c == 0)
		c = strcmp(x->name, y->name);
	return p->reverse ? -c : c;
}

/* Sorts the order array. */
static void pane_sort_all(struct pane *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->order[i] = i;
	pane_sorting = p;
	if (p->n > 1)
		qsort(p->order, p->n, sizeof *p->order, pane_order_cmp);
	pane_sorting = NULL;
}

/* Writes s case-folded as wide characters into out (max of them, NUL
 * included); a byte that is no character of the locale stands for itself. */
static void pane_fold(const char *s, wchar_t *out, size_t max)
{
	mbstate_t st;
	size_t k = 0, left = strlen(s);
	memset(&st, 0, sizeof st);
	while (left > 0 && k + 1 < max) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = (wchar_t)(unsigned char)*s;
			n = 1;
			memset(&st, 0, sizeof st);
		}
		out[k++] = (wchar_t)towlower((wint_t)wc);
		s += n;
		left -= n;
	}
	out[k] = L'\0';
}

/* True when the display name holds the filter, case folded. */
static bool pane_matches(const struct pane *p, const char *display)
{
	wchar_t name[PANE_FOLD_MAX];
	pane_fold(display, name, PANE_FOLD_MAX);
	return wcsstr(name, p->folded) != NULL;
}

/* True when the entry passes the hidden switch and the filter. */
static bool pane_shows(const struct pane *p, const struct pane_entry *e)
{
	bool parent = strcmp(e->name, PANE_PARENT) == 0;
	if (parent)
		return p->filter[0] == '\0';
	if (!p->show_hidden && e->name[0] == '.')
		return false;
	return p->filter[0] == '\0' || pane_matches(p, e->display);
}

/* Rebuilds the visible rows from the order, putting the cursor back on
 * entry index keep (SIZE_MAX = row 0). */
static void pane_rebuild(struct pane *p, size_t keep)
{
	p->nvis = 0;
	p->cursor = 0;
	for (size_t i = 0; i < p->n; i++) {
		size_t k = p->order[i];
		if (!pane_shows(p, &p->v[k]))
			continue;
		if (k == keep)
			p->cursor = p->nvis;
		p->vis[p->nvis++] = k;
	}
	if (p->top > p->cursor)
		p->top = p->cursor;
}

/* Index into v of the entry under the cursor, or SIZE_MAX. */
static size_t pane_cur_index(const struct pane *p)
{
	return p->nvis > 0 ? p->vis[p->cursor] : SIZE_MAX;
}

void pane_load_end(struct pane *p, const char *keep)
{
	size_t ki = SIZE_MAX;
	for (size_t i = 0; i < p->n; i++) {
		struct pane_entry *e = &p->v[i];
		if (p->nkeep > 0 && bsearch(&e->name, p->keep_tags, p->nkeep,
					    sizeof *p->keep_tags, pane_strp_cmp) != NULL) {
			e->tagged = true;
			p->ntagged++;
		}
		if (keep != NULL && ki == SIZE_MAX && strcmp(e->name, keep) == 0)
			ki = i;
	}
	pane_drop_keep(p);
	pane_sort_all(p);
	p->top = 0;
	pane_rebuild(p, ki);
}

const char *pane_path(const struct pane *p) { return p->path; }
size_t pane_total(const struct pane *p) { return p->n; }
size_t pane_rows(const struct pane *p) { return p->nvis; }
size_t pane_cursor(const struct pane *p) { return p->cursor; }

const struct pane_entry *pane_row(const struct pane *p, size_t i)
{
	return i < p->nvis ? &p->v[p->vis[i]] : NULL;
}

const struct pane_entry *pane_current(const struct pane *p)
{
	return pane_row(p, p->cursor);
}

void pane_move_to(struct pane *p, size_t i)
{
	if (p->nvis == 0)
		p->cursor = 0;
	else
		p->cursor = i < p->nvis ? i : p->nvis - 1;
}

void pane_move(struct pane *p, long delta)
{
	if (delta < 0) {
		size_t back = (size_t)-(delta + 1) + 1;
		pane_move_to(p, back > p->cursor ? 0 : p->cursor - back);
	} else {
		size_t fwd = (size_t)delta;
		pane_move_to(p, fwd > SIZE_MAX - p->cursor ? SIZE_MAX : p->cursor + fwd);
	}
}

void pane_page(struct pane *p, int dir, size_t height)
{
	long step = height > 1 ? (long)(height - 1) : 1;
	pane_move(p, dir < 0 ? -step : step);
}

void pane_home(struct pane *p) { pane_move_to(p, 0); }
void pane_end(struct pane *p) { pane_move_to(p, SIZE_MAX); }

size_t pane_scroll(struct pane *p, size_t height)
{
	if (height == 0)
		return p->top = p->cursor;
	if (p->cursor < p->top)
		p->top = p->cursor;
	else if (p->cursor >= p->top + height)
		p->top = p->cursor - height + 1;
	/* No empty space below the last row when the rows could fill it. */
	if (p->nvis >= height && p->top > p->nvis - height)
		p->top = p->nvis - height;
	if (p->nvis < height)
		p->top = 0;
	return p->top;
}

void pane_set_sort(struct pane *p, enum pane_sort mode, bool reverse)
{
	size_t keep = pane_cur_index(p);
	p->sort = mode < PANE_SORT_COUNT ? mode : PANE_SORT_NAME;
	p->reverse = reverse;
	pane_sort_all(p);
	pane_rebuild(p, keep);
}

void pane_cycle_sort(struct pane *p)
{
	pane_set_sort(p, (enum pane_sort)((p->sort + 1) % PANE_SORT_COUNT), p->reverse);
}

void pane_reverse_sort(struct pane *p)
{
	pane_set_sort(p, p->sort, !p->reverse);
}

enum pane_sort pane_sort_mode(const struct pane *p) { return p->sort; }
bool pane_sort_reverse(const struct pane *p) { return p->reverse; }

const char *pane_sort_name(enum pane_sort mode)
{
	return mode < PANE_SORT_COUNT ? pane_sort_names[mode] : "?";
}

size_t pane_set_filter(struct pane *p, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	if (len >= sizeof p->filter)
		len = sizeof p->filter - 1;
	if (len > 0)
		memcpy(p->filter, text, len);
	p->filter[len] = '\0';
	pane_fold(p->filter, p->folded, PANE_FILTER_MAX);
	pane_rebuild(p, SIZE_MAX);
	p->top = 0;
	return p->nvis;
}

const char *pane_filter(const struct pane *p) { return p->filter; }

void pane_set_hidden(struct pane *p, bool show)
{
	size_t keep = pane_cur_index(p);
	p->show_hidden = show;
	pane_rebuild(p, keep);
}

bool pane_hidden_shown(const struct pane *p) { return p->show_hidden; }

bool pane_tag_toggle(struct pane *p)
{
	size_t k = pane_cur_index(p);
	if (k == SIZE_MAX || strcmp(p->v[k].name, PANE_PARENT) == 0)
		return false;
	struct pane_entry *e = &p->v[k];
	e->tagged = !e->tagged;
	if (e->tagged)
		p->ntagged++;
	else
		p->ntagged--;
	return e->tagged;
}

size_t pane_tag_count(const struct pane *p) { return p->ntagged; }

off_t pane_tag_bytes(const struct pane *p)
{
	off_t sum = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pane_entry *e = &p->v[i];
		if (e->tagged && e->type != FTP_ENTRY_DIR && e->size > 0)
			sum += e->size;
	}
	return sum;
}

/* Sets the tag of entry e; true when it changed. */
static bool pane_tag_set(struct pane *p, struct pane_entry *e, bool tag)
{
	if (e->tagged == tag || strcmp(e->name, PANE_PARENT) == 0)
		return false;
	e->tagged = tag;
	if (tag)
		p->ntagged++;
	else
		p->ntagged--;
	return true;
}

size_t pane_tag_pattern(struct pane *p, const char *pattern, bool tag)
{
	size_t changed = 0;
	for (size_t i = 0; i < p->nvis; i++) {
		struct pane_entry *e = &p->v[p->vis[i]];
		if (wildmat_match(pattern, e->name))
			changed += pane_tag_set(p, e, tag);
	}
	return changed;
}

/* Name order of the index: bytewise, then load order (so the first of
 * two entries of one name is the one found). */
static int pane_byname_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(pane_sorting->v[x].name, pane_sorting->v[y].name);
	return c != 0 ? c : (x > y) - (x < y);
}

/* Index into v of the first entry loaded called name, or SIZE_MAX: a
 * binary search of the name index, made here (n log n) when the entries
 * changed since the last lookup. */
static size_t pane_lookup(struct pane *p, const char *name)
{
	if (p->n == 0)
		return SIZE_MAX;
	if (p->byname == NULL) {
		p->byname = xcalloc(p->n, sizeof *p->byname);
		for (size_t i = 0; i < p->n; i++)
			p->byname[i] = i;
		pane_sorting = p;
		qsort(p->byname, p->n, sizeof *p->byname, pane_byname_cmp);
		pane_sorting = NULL;
	}
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(p->v[p->byname[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && strcmp(p->v[p->byname[lo]].name, name) == 0 ? p->byname[lo]
									  : SIZE_MAX;
}

size_t pane_tag_names(struct pane *p, const char *const *names, size_t n)
{
	size_t tagged = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = strcmp(names[i], PANE_PARENT) != 0 ? pane_lookup(p, names[i]) : SIZE_MAX;
		if (k != SIZE_MAX) {
			pane_tag_set(p, &p->v[k], true);
			tagged++;
		}
	}
	return tagged;
}

size_t pane_tag_invert(struct pane *p)
{
	for (size_t i = 0; i < p->nvis; i++) {
		struct pane_entry *e = &p->v[p->vis[i]];
		pane_tag_set(p, e, !e->tagged);
	}
	return p->ntagged;
}

void pane_tag_clear(struct pane *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->v[i].tagged = false;
	p->ntagged = 0;
}

const struct pane_entry *pane_tag_next(const struct pane *p, size_t *it)
{
	while (*it < p->n) {
		const struct pane_entry *e = &p->v[p->order[(*it)++]];
		if (e->tagged)
			return e;
	}
	return NULL;
}

const struct pane_entry *pane_find(struct pane *p, const char *name)
{
	size_t k = pane_lookup(p, name);
	return k != SIZE_MAX ? &p->v[k] : NULL;
}
