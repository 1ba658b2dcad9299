/* plan: comparing two trees into a list of actions (see plan.h). Both
 * trees are sorted in plan order and walked side by side once; a
 * directory handled as a whole (deleted, kept, excluded, in the way) has
 * everything below it passed over in the same walk. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "wildmat.h"
#include "xalloc.h"

void plan_tree_init(struct plan_tree *t)
{
	memset(t, 0, sizeof *t);
}

struct plan_entry *plan_tree_add(struct plan_tree *t, const char *path, enum plan_kind kind,
				 off_t size, time_t mtime, int mtime_prec, const char *hash)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	struct plan_entry *e = &t->v[t->n++];
	t->sorted = false;
	memset(e, 0, sizeof *e);
	e->path = xstrdup(path);
	e->kind = kind;
	e->size = size;
	e->mtime = mtime;
	e->mtime_prec = mtime_prec > 0 ? mtime_prec : 1;
	if (hash != NULL)
		snprintf(e->hash, sizeof e->hash, "%s", hash);
	return e;
}

void plan_tree_set_incomplete(struct plan_tree *t, const char *path)
{
	if (t->incomplete == NULL)
		t->incomplete = xstrdup(path);
}

void plan_tree_set_unread(struct plan_tree *t, const char *path)
{
	if (t->incomplete == NULL)
		t->unread = true;
	plan_tree_set_incomplete(t, path);
}

void plan_tree_drop_last(struct plan_tree *t)
{
	if (t->n == 0)
		return;
	t->n--;
	free(t->v[t->n].path);
	free(t->v[t->n].what);
}

void plan_entry_set_what(struct plan_entry *e, const char *what)
{
	free(e->what);
	e->what = xstrdup(what);
}

void plan_tree_free(struct plan_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].what);
	}
	free(t->v);
	free(t->incomplete);
	plan_tree_init(t);
}

int plan_path_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	/* '/' sorts before every other byte (but after the end), so a
	 * directory's contents follow it directly. */
	unsigned cx = *x == '/' ? 1u : *x == '\0' ? 0u : (unsigned)*x + 1u;
	unsigned cy = *y == '/' ? 1u : *y == '\0' ? 0u : (unsigned)*y + 1u;
	return (cx > cy) - (cx < cy);
}

/* Orders entries for qsort. */
static int plan_entry_cmp(const void *a, const void *b)
{
	return plan_path_cmp(((const struct plan_entry *)a)->path,
			     ((const struct plan_entry *)b)->path);
}

void plan_tree_sort(struct plan_tree *t)
{
	if (!t->sorted && t->n > 1)
		qsort(t->v, t->n, sizeof t->v[0], plan_entry_cmp);
	t->sorted = true;
}

/* Orders a path (the key) against an entry, for bsearch. */
static int plan_key_cmp(const void *key, const void *e)
{
	return plan_path_cmp(key, ((const struct plan_entry *)e)->path);
}

struct plan_entry *plan_tree_find(struct plan_tree *t, const char *path)
{
	plan_tree_sort(t);
	return t->n > 0 ? bsearch(path, t->v, t->n, sizeof t->v[0], plan_key_cmp) : NULL;
}

/* True when pattern matches the entry path of kind kind: the whole
 * relative path when the pattern has a '/' before its end, else the last
 * name. A pattern ending in '/' matches directories only (as in rsync). */
static bool plan_match(const char *pattern, const char *path, enum plan_kind kind)
{
	size_t n = strlen(pattern);
	if (n > 1 && pattern[n - 1] == '/') {
		if (kind != PLAN_DIR)
			return false;
		char *dir = xstrdup(pattern);
		while (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
		bool hit = plan_match(dir, path, kind);
		free(dir);
		return hit;
	}
	if (strchr(pattern, '/') != NULL)
		return wildmat_match(pattern, path);
	const char *slash = strrchr(path, '/');
	return wildmat_match(pattern, slash ? slash + 1 : path);
}

bool plan_filtered(const struct plan_options *o, const char *path, enum plan_kind kind)
{
	for (size_t i = 0; i < o->nexclude; i++)
		if (plan_match(o->exclude[i], path, kind))
			return true;
	if (kind == PLAN_DIR || o->ninclude == 0)
		return false;
	for (size_t i = 0; i < o->ninclude; i++)
		if (plan_match(o->include[i], path, kind))
			return false;
	return true;
}

/* True when path is below the directory dir (dir + "/" is its start). */
static bool plan_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* One side of the walk: its sorted entries, with the filtered ones
 * marked, and where the walk is. */
struct plan_side {
	struct plan_tree *t;
	bool *drop;   /* drop[i]: left out by the patterns */
	size_t i;     /* the next entry */
};

/* Marks what the patterns leave out: an excluded directory takes
 * everything below it along. */
static void plan_side_init(struct plan_side *s, struct plan_tree *t, const struct plan_options *o)
{
	const char *dropped_dir = NULL;

	plan_tree_sort(t);
	s->t = t;
	s->i = 0;
	s->drop = xcalloc(t->n ? t->n : 1, sizeof *s->drop);
	for (size_t i = 0; i < t->n; i++) {
		const struct plan_entry *e = &t->v[i];
		if (dropped_dir != NULL && plan_below(e->path, dropped_dir)) {
			s->drop[i] = true;
			continue;
		}
		dropped_dir = NULL;
		s->drop[i] = plan_filtered(o, e->path, e->kind);
		if (s->drop[i] && e->kind == PLAN_DIR)
			dropped_dir = e->path;
	}
}

/* The next entry the patterns keep, or NULL at the end. */
static struct plan_entry *plan_side_peek(struct plan_side *s)
{
	while (s->i < s->t->n && s->drop[s->i])
		s->i++;
	return s->i < s->t->n ? &s->t->v[s->i] : NULL;
}

/* Passes over everything below the directory dir. */
static void plan_side_skip_below(struct plan_side *s, const char *dir)
{
	while (s->i < s->t->n && plan_below(s->t->v[s->i].path, dir))
		s->i++;
}

/* Appends an action about e with a formatted reason. */
static void plan_add(struct plan *p, enum plan_verb verb, const struct plan_entry *e,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void plan_add(struct plan *p, enum plan_verb verb, const struct plan_entry *e,
		     const char *fmt, ...)
{
	va_list ap;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * sizeof *p->v);
	}
	struct plan_action *a = &p->v[p->n++];
	memset(a, 0, sizeof *a);
	a->verb = verb;
	a->path = xstrdup(e->path);
	a->kind = e->kind;
	a->size = e->size;
	a->mtime = e->mtime;
	a->mtime_prec = e->mtime_prec;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof a->reason, fmt, ap);
	va_end(ap);
	switch (verb) {
	case PLAN_COPY:
	case PLAN_REPLACE:
		if (verb == PLAN_COPY)
			p->copies++;
		else
			p->replaces++;
		if (e->kind == PLAN_FILE && e->size > 0)
			p->bytes += e->size;
		break;
	case PLAN_DELETE:
		p->deletes++;
		break;
	case PLAN_SKIP:
		p->skips++;
		break;
	}
}

/* What e is: "a file", "a directory", else what its tree said of it
 * ("a symbolic link") or "not a file or directory". */
static const char *plan_kind_text(const struct plan_entry *e)
{
	return e->kind == PLAN_FILE ? "a file" : e->kind == PLAN_DIR ? "a directory"
	       : e->what != NULL ? e->what : "not a file or directory";
}

/* The time comparison of two files: 1 when s is newer than d by more
 * than the coarser of the two can tell, -1 when older, 0 when the same
 * or either is unknown. */
static int plan_time_cmp(const struct plan_entry *s, const struct plan_entry *d)
{
	if (s->mtime == 0 || d->mtime == 0)
		return 0;
	int prec = s->mtime_prec > d->mtime_prec ? s->mtime_prec : d->mtime_prec;
	time_t diff = s->mtime - d->mtime;
	if (diff >= prec)
		return 1;
	if (-diff >= prec)
		return -1;
	return 0;
}

/* True when both sizes are known and differ. */
static bool plan_sizes_differ(const struct plan_entry *s, const struct plan_entry *d)
{
	return s->size >= 0 && d->size >= 0 && s->size != d->size;
}

/* Size and time, the default rule; note ends each reason (for the
 * checksum rule's fallback). */
static void plan_size_time(struct plan *p, const struct plan_entry *s, const struct plan_entry *d,
			   bool arrival, const char *note)
{
	int t = plan_time_cmp(s, d);
	if (arrival && t < 0)
		t = 0;
	if (plan_sizes_differ(s, d))
		plan_add(p, PLAN_REPLACE, s, "size differs (%jd -> %jd bytes)%s",
			 (intmax_t)d->size, (intmax_t)s->size, note);
	else if (t != 0)
		plan_add(p, PLAN_REPLACE, s, "time differs (source %s)%s",
			 t > 0 ? "newer" : "older", note);
	else
		plan_add(p, PLAN_SKIP, s, "same size and time%s", note);
}

/* Decides about a file in both trees. */
static void plan_files(struct plan *p, const struct plan_entry *s, const struct plan_entry *d,
		       const struct plan_options *o)
{
	switch (o->compare) {
	case PLAN_CMP_SIZE_TIME:
		plan_size_time(p, s, d, o->arrival_times, "");
		break;
	case PLAN_CMP_NEWER:
		if (plan_time_cmp(s, d) > 0)
			plan_add(p, PLAN_REPLACE, s, "source newer");
		else if ((s->mtime == 0 || d->mtime == 0) && plan_sizes_differ(s, d))
			plan_add(p, PLAN_REPLACE, s, "size differs (%jd -> %jd bytes), times "
				 "unknown", (intmax_t)d->size, (intmax_t)s->size);
		else
			plan_add(p, PLAN_SKIP, s, "target not older");
		break;
	case PLAN_CMP_SIZE:
		if (plan_sizes_differ(s, d))
			plan_add(p, PLAN_REPLACE, s, "size differs (%jd -> %jd bytes)",
				 (intmax_t)d->size, (intmax_t)s->size);
		else
			plan_add(p, PLAN_SKIP, s, "same size");
		break;
	case PLAN_CMP_CHECKSUM:
		if (plan_sizes_differ(s, d))
			plan_add(p, PLAN_REPLACE, s, "size differs (%jd -> %jd bytes)",
				 (intmax_t)d->size, (intmax_t)s->size);
		else if (s->hash[0] == '\0' || d->hash[0] == '\0')
			plan_size_time(p, s, d, o->arrival_times, ", no checksum");
		else if (strcmp(s->hash, d->hash) != 0)
			plan_add(p, PLAN_REPLACE, s, "checksum differs");
		else
			plan_add(p, PLAN_SKIP, s, "same checksum");
		break;
	case PLAN_CMP_ALWAYS:
		plan_add(p, PLAN_REPLACE, s, "exists");
		break;
	}
}

/* Handles an entry only in the target: deleted with the option, else
 * kept (withheld: why the option deletes nothing). */
static void plan_extra(struct plan *p, struct plan_side *dst, const struct plan_entry *d,
		       const struct plan_options *o, const char *withheld)
{
	if (d->kept)
		plan_add(p, PLAN_SKIP, d, "%s", plan_kind_text(d));
	else if (withheld != NULL)
		plan_add(p, PLAN_SKIP, d, "kept: %s", withheld);
	else if (o->delete)
		plan_add(p, PLAN_DELETE, d, "not in the source");
	else
		plan_add(p, PLAN_SKIP, d, "only in the target (kept without --delete)");
	dst->i++;
	if (d->kind == PLAN_DIR)
		plan_side_skip_below(dst, d->path);
}

/* Handles a name that is a different kind of entry on each side. */
static void plan_conflict(struct plan *p, struct plan_side *src, struct plan_side *dst,
			  const struct plan_entry *s, const struct plan_entry *d,
			  const struct plan_options *o, const char *withheld)
{
	src->i++;
	dst->i++;
	if (d->kind == PLAN_DIR)
		plan_side_skip_below(dst, d->path);
	if (withheld != NULL) {
		plan_add(p, PLAN_SKIP, s, "%s on the target is in the way; kept: %s",
			 plan_kind_text(d), withheld);
		if (s->kind == PLAN_DIR)
			plan_side_skip_below(src, s->path);
		return;
	}
	if (o->delete) {
		plan_add(p, PLAN_DELETE, d, "%s is in the way of %s", plan_kind_text(d),
			 plan_kind_text(s));
		plan_add(p, PLAN_COPY, s, "replaces %s", plan_kind_text(d));
		return;
	}
	plan_add(p, PLAN_SKIP, s, "%s on the target is in the way (use --delete)",
		 plan_kind_text(d));
	if (s->kind == PLAN_DIR)
		plan_side_skip_below(src, s->path);
}

void plan_build(struct plan_tree *src, struct plan_tree *dst, const struct plan_options *o,
		struct plan *p)
{
	struct plan_side S, D;
	const struct plan_tree *part = src->incomplete ? src : dst;

	memset(p, 0, sizeof *p);
	plan_side_init(&S, src, o);
	plan_side_init(&D, dst, o);
	if (o->delete && part->incomplete != NULL) {
		const char *dir = part->incomplete[0] ? part->incomplete : "the top";
		p->withheld_unread = part->unread;
		if (part->unread)
			snprintf(p->withheld, sizeof p->withheld, "%s could not be read", dir);
		else
			snprintf(p->withheld, sizeof p->withheld, "the listing of %s was not whole",
				 dir);
	}
	const char *withheld = p->withheld[0] ? p->withheld : NULL;
	for (;;) {
		struct plan_entry *s = plan_side_peek(&S), *d = plan_side_peek(&D);
		if (s == NULL && d == NULL)
			break;
		int cmp = s && d ? plan_path_cmp(s->path, d->path) : s ? -1 : 1;
		if (cmp > 0) {
			plan_extra(p, &D, d, o, withheld);
		} else if (cmp < 0) {
			S.i++;
			if (s->kind == PLAN_OTHER)
				plan_add(p, PLAN_SKIP, s, "%s", plan_kind_text(s));
			else
				plan_add(p, PLAN_COPY, s, "missing");
		} else if (s->kind == PLAN_OTHER) {
			S.i++;
			D.i++;
			plan_add(p, PLAN_SKIP, s, "%s", plan_kind_text(s));
			if (d->kind == PLAN_DIR)
				plan_side_skip_below(&D, d->path);
		} else if (s->kind != d->kind) {
			plan_conflict(p, &S, &D, s, d, o, withheld);
		} else {
			S.i++;
			D.i++;
			if (s->kind == PLAN_FILE)
				plan_files(p, s, d, o);
		}
	}
	free(S.drop);
	free(D.drop);
}

void plan_marks(struct plan_tree *a, struct plan_tree *b, enum plan_mark *ma, enum plan_mark *mb)
{
	size_t i = 0, j = 0;

	plan_tree_sort(a);
	plan_tree_sort(b);
	while (i < a->n || j < b->n) {
		int cmp = i < a->n && j < b->n ? plan_path_cmp(a->v[i].path, b->v[j].path)
					      : i < a->n ? -1 : 1;
		if (cmp < 0) {
			ma[i++] = PLAN_MARK_MISSING;
			continue;
		}
		if (cmp > 0) {
			mb[j++] = PLAN_MARK_MISSING;
			continue;
		}
		const struct plan_entry *x = &a->v[i], *y = &b->v[j];
		ma[i] = mb[j] = PLAN_MARK_NONE;
		if (x->kind != y->kind) {
			ma[i] = mb[j] = PLAN_MARK_DIFFERENT;
		} else if (x->kind != PLAN_DIR) {
			int t = plan_time_cmp(x, y);
			if (t > 0)
				ma[i] = PLAN_MARK_NEWER;
			else if (t < 0)
				mb[j] = PLAN_MARK_NEWER;
			else if (plan_sizes_differ(x, y))
				ma[i] = mb[j] = PLAN_MARK_DIFFERENT;
		}
		i++;
		j++;
	}
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof *p);
}

const char *plan_verb_name(enum plan_verb v)
{
	static const char *const names[] = {
		[PLAN_COPY] = "copy",
		[PLAN_REPLACE] = "replace",
		[PLAN_DELETE] = "delete",
		[PLAN_SKIP] = "skip",
	};
	return names[v];
}
