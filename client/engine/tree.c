/* tree: the walk behind every recursive copy (see tree.h). tree_down
 * walks one server directory, tree_up one local directory; both hand each
 * entry to tree_visit, which recurses into directories and reports the
 * rest through the visitor. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "path.h"
#include "sanitize.h"
#include "sbuf.h"
#include "tempname.h"
#include "tree.h"
#include "xalloc.h"

/* Mode of new local directories before the umask. */
#define TREE_DIR_MODE 0777

/* One walk's state. */
struct tree_walk {
	struct ftp *f;                 /* the connection */
	enum tree_way way;             /* which tree */
	const struct tree_visitor *v;  /* the caller's callbacks */
	struct tree_result *r;         /* the outcome */
};

/* Ends the walk as failed with status st and a formatted message; returns false. */
static bool tree_fail(struct tree_walk *w, enum ftp_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool tree_fail(struct tree_walk *w, enum ftp_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sanitize_vformat_elided(w->r->msg, sizeof w->r->msg, FTP_MSG_LINE_MAX, fmt, ap);
	va_end(ap);
	w->r->end = TREE_FAILED;
	w->r->status = st;
	return false;
}

/* Fails with "path: strerror(err)". */
static bool tree_fail_errno(struct tree_walk *w, int err, const char *path)
{
	return tree_fail(w, FTP_S_LOCAL, "%s: %s", path, strerror(err));
}

/* Fails with the engine's message for st, after "prefix: " when prefix is
 * set and the message does not name it already (a server's refusal often
 * does: "550 /pub/x: Permission denied."). */
static bool tree_fail_ftp(struct tree_walk *w, enum ftp_status st, const char *prefix)
{
	const char *msg = ftp_message_or_status(w->f, st);
	if (prefix != NULL && strstr(msg, prefix) == NULL)
		return tree_fail(w, st, "%s: %s", prefix, msg);
	return tree_fail(w, st, "%s", msg);
}

/* Refuses to go deeper than TREE_DEPTH_MAX; true when depth is fine. */
static bool tree_depth_ok(struct tree_walk *w, int depth, const char *path)
{
	if (depth <= TREE_DEPTH_MAX)
		return true;
	return tree_fail(w, FTP_S_LOCAL, "%s: more than %d directory levels", path,
			 TREE_DEPTH_MAX);
}

/* True (having stopped the walk) when the visitor asks to stop. */
static bool tree_stop(struct tree_walk *w)
{
	if (w->v->stop == NULL || !w->v->stop(w->v->arg))
		return false;
	w->r->end = TREE_STOPPED;
	return true;
}

/* Makes the local directory path unless it is one already; sets *made
 * when it is new. False (walk failed) otherwise. */
static bool tree_local_mkdir(struct tree_walk *w, const char *path, bool *made)
{
	struct stat sb;

	*made = mkdir(path, TREE_DIR_MODE) == 0;
	if (*made)
		return true;
	if (errno != EEXIST)
		return tree_fail_errno(w, errno, path);
	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return tree_fail_errno(w, ENOTDIR, path);
	return true;
}

/* Makes the remote directory path unless it exists already; sets *made
 * when it is new. name prefixes messages (NULL at the top). */
static bool tree_remote_mkdir(struct tree_walk *w, const char *path, const char *name,
			      bool *made)
{
	char why[TREE_MSG_MAX];

	enum ftp_status st = ftp_mkdir(w->f, path);
	*made = st == FTP_S_OK;
	if (st == FTP_S_OK)
		return true;
	if (st != FTP_S_REFUSED)
		return tree_fail_ftp(w, st, name);
	/* Refused: fine when the directory is there already, which entering
	 * it (and coming back) shows. */
	if (ftp_dir(w->f)[0] == '\0')
		return true;   /* no way back after the test: the uploads will tell */
	snprintf(why, sizeof why, "%s", ftp_message(w->f));
	bool exists;
	st = tree_remote_is_dir(w->f, path, &exists);
	if (st != FTP_S_OK)
		return tree_fail_ftp(w, st, name);
	if (!exists)
		return name ? tree_fail(w, FTP_S_REFUSED, "%s: %s", name, why)
			    : tree_fail(w, FTP_S_REFUSED, "%s", why);
	return true;
}

/* Takes back the failure of the walk so far: it goes on. */
static void tree_go_on(struct tree_walk *w)
{
	w->r->end = TREE_DONE;
	w->r->status = FTP_S_OK;
	w->r->msg[0] = '\0';
}

/* Leaves out a directory the walk cannot read (why: the server's reply
 * or the local error), through the visitor's unlisted callback; the walk
 * failed so far goes on. False (the walk stays failed) without one. */
static bool tree_unlisted(struct tree_walk *w, const char *local, const char *remote,
			  const char *why)
{
	if (w->v->unlisted == NULL)
		return false;
	w->v->unlisted(w->v->arg, local, remote, why);
	tree_go_on(w);
	return true;
}

static bool tree_down(struct tree_walk *w, const char *local, const char *remote, int depth,
		      const struct tree_chain *self);
static bool tree_up(struct tree_walk *w, const char *local, const char *remote, int depth);

/* Goes into a directory, hands over a file, or reports a skipped entry;
 * false when the walk ends. chain: a directory of a download with the
 * directories above it (NULL for an upload). */
static bool tree_visit(struct tree_walk *w, const struct tree_entry *e, int depth,
		       const struct tree_chain *chain)
{
	switch (e->type) {
	case FTP_ENTRY_DIR:
		return w->way == TREE_DOWNLOAD ? tree_down(w, e->local, e->remote, depth + 1, chain)
					       : tree_up(w, e->local, e->remote, depth + 1);
	case FTP_ENTRY_FILE:
		if (w->v->file(w->v->arg, e))
			return true;
		w->r->end = TREE_STOPPED;
		return false;
	case FTP_ENTRY_LINK:
	case FTP_ENTRY_OTHER:
		break;
	}
	if (w->v->skipped != NULL)
		w->v->skipped(w->v->arg, e, TREE_SKIP_TYPE);
	return true;
}

/* Orders listing entries by raw name. */
static int tree_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ftp_entry *)a)->name, ((const struct ftp_entry *)b)->name);
}

/* Orders names for qsort. */
static int tree_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True for "." and "..", which every walk passes over in silence. */
static bool tree_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* tree_remote_is_dir for a connection that does not know its directory:
 * asks without moving. */
static enum ftp_status tree_remote_is_dir_here(struct ftp *f, const char *path, bool *dir)
{
	struct ftp_entry e;
	off_t size;

	enum ftp_status st = ftp_stat(f, path, &e);
	if (st == FTP_S_OK) {
		enum ftp_entry_type type = e.type;
		listparse_entry_free(&e);
		if (type != FTP_ENTRY_LINK) {
			*dir = type == FTP_ENTRY_DIR;
			return FTP_S_OK;
		}
		/* A link, whatever it leads to: a file answers SIZE. */
		st = ftp_size(f, path, &size);
	}
	/* Refused: no file of that name the server would size or send. */
	if (st != FTP_S_OK && st != FTP_S_REFUSED)
		return st;
	*dir = st == FTP_S_REFUSED;
	return FTP_S_OK;
}

/* tree_remote_is_dir, also setting *where (when not NULL; the caller
 * frees it) to the server's name of the directory path leads to, as PWD
 * says it after entering it, or NULL when not known. */
static enum ftp_status tree_remote_where(struct ftp *f, const char *path, bool *dir,
					 char **where)
{
	*dir = false;
	if (where != NULL)
		*where = NULL;
	if (ftp_dir(f)[0] == '\0')
		return tree_remote_is_dir_here(f, path, dir);
	char *back = xstrdup(ftp_dir(f));
	enum ftp_status st = ftp_cwd(f, path);
	if (st == FTP_S_OK) {
		*dir = true;
		if (where != NULL && ftp_dir(f)[0] != '\0')
			*where = xstrdup(ftp_dir(f));
		st = ftp_cwd(f, back);
	} else if (st == FTP_S_REFUSED) {
		st = FTP_S_OK;   /* not a directory; the connection has not moved */
	}
	free(back);
	return st;
}

enum ftp_status tree_remote_is_dir(struct ftp *f, const char *path, bool *dir)
{
	return tree_remote_where(f, path, dir, NULL);
}

enum ftp_status tree_list_sure(struct ftp *f, const char *dir, bool empty_ok,
			       struct ftp_listing *l, bool *not_dir)
{
	char base[NAME_MAX + 1];
	size_t n = 0;
	const struct ftp_entry *only = NULL;

	listparse_init(l);
	enum ftp_status st = ftp_list(f, dir, l);
	for (size_t i = 0; st == FTP_S_OK && i < l->n; i++) {
		if (tree_dot(l->v[i].name))
			continue;
		n++;
		only = &l->v[i];
	}
	/* The one entry of a file is named by its last name (LIST) or by
	 * dir as given (MLST, ftp_list). */
	bool doubtful = n == 0 ? !empty_ok
		      : n == 1 && ((path_basename(dir, base, sizeof base) &&
				    strcmp(only->name, base) == 0) || strcmp(only->name, dir) == 0);
	bool is_dir = true;
	if (st == FTP_S_OK && doubtful)
		st = tree_remote_is_dir(f, dir, &is_dir);
	/* Not entered: no directory when the one entry says so too (vsftpd
	 * lists a directory it cannot read as itself, a directory); else the
	 * message is the server's refusal of dir. */
	*not_dir = st == FTP_S_OK && !is_dir && n == 1 && only->type != FTP_ENTRY_DIR;
	if (st == FTP_S_OK && !is_dir)
		st = FTP_S_REFUSED;
	if (st != FTP_S_OK)
		listparse_free(l);
	return st;
}

/* Lists the remote directory remote into l (initialised here; the caller
 * frees it on success), in name order, as tree_list_sure believes it
 * (an empty one too only when the server enters it); false (walk
 * failed) otherwise, "REMOTE: not a directory on the server" for one
 * that is no directory (*not_dir set). */
static bool tree_list(struct tree_walk *w, const char *remote, int depth, struct ftp_listing *l,
		      bool *not_dir)
{
	enum ftp_status st = tree_list_sure(w->f, remote, false, l, not_dir);
	if (*not_dir)
		return tree_fail(w, st, "%s: " TREE_NOT_DIR, remote);
	if (st != FTP_S_OK)
		return tree_fail_ftp(w, st, depth > 0 ? remote : NULL);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof l->v[0], tree_entry_cmp);
	if (l->skipped > 0 && w->v->partial != NULL)
		w->v->partial(w->v->arg, remote, l);
	return true;
}

const struct tree_chain *tree_chain_loops(const struct tree_chain *chain,
					  const struct ftp_entry *e)
{
	if (e->type != FTP_ENTRY_DIR || e->unique == NULL)
		return NULL;
	for (; chain != NULL; chain = chain->up)
		if (chain->unique != NULL && strcmp(chain->unique, e->unique) == 0)
			return chain;
	return NULL;
}

char *tree_loop_text(const char *to, char *out, size_t outsz)
{
	if (to == NULL)
		return sanitize_format_elided(out, outsz, outsz - 1, "a link back to a folder above it");
	return sanitize_format_elided(out, outsz, outsz - 1, "a link back to %s, a folder above it",
				      to);
}

char *tree_partial_text(const char *dir, size_t lines, const char *first, char *out,
			size_t outsz)
{
	bool quoted = first != NULL && first[0] != '\0';
	return sanitize_format_elided(out, outsz, outsz - 1,
				      "the listing%s%s had %zu line%s not understood, left out%s%s%s",
				      dir != NULL ? " of " : "", dir != NULL ? dir : "", lines,
				      lines == 1 ? "" : "s", quoted ? " (the first: \"" : "",
				      quoted ? first : "", quoted ? "\")" : "");
}

char *tree_chain_top(struct ftp *f, const char *dir, const struct ftp_listing *l)
{
	struct ftp_entry e;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == FTP_ENTRY_DIR && l->v[i].unique != NULL)
			break;
	if (i == l->n || !(ftp_features(f) & FTP_FEAT_MLST) || ftp_stat(f, dir, &e) != FTP_S_OK)
		return NULL;
	char *unique = e.unique;
	e.unique = NULL;
	listparse_entry_free(&e);
	return unique;
}

/* One directory of a chain and where it is, as path_resolve writes it
 * (NULL: not known). */
struct tree_level {
	const struct tree_chain *c;
	char *real;
};

/* The directories of chain, chain itself first, each with where it is:
 * where the link to it leads when the walk followed one, else its name
 * below the directory above it, else (the top) its path, from the
 * connection's directory when it knows it. Each is worked out once, from
 * the top down. Sets *n; tree_levels_free frees them. */
static struct tree_level *tree_levels(struct ftp *f, const struct tree_chain *chain, size_t *n)
{
	struct sbuf real;
	size_t k = 0;

	for (const struct tree_chain *c = chain; c != NULL; c = c->up)
		k++;
	struct tree_level *v = xcalloc(k > 0 ? k : 1, sizeof *v);
	k = 0;
	for (const struct tree_chain *c = chain; c != NULL; c = c->up)
		v[k++].c = c;
	sbuf_init(&real, PATH_LEN_MAX);
	for (size_t i = k; i-- > 0;) {
		const struct tree_chain *c = v[i].c;
		bool top = i == k - 1;
		const char *above = top ? ftp_dir(f) : v[i + 1].real;
		bool ok;
		if (c->real != NULL)
			ok = path_resolve(&real, "", c->real);
		else if (c->path == NULL || above == NULL)
			ok = false;
		else
			ok = path_resolve(&real, above, top ? c->path : path_last(c->path));
		v[i].real = ok ? xstrdup(sbuf_str(&real)) : NULL;
	}
	sbuf_free(&real);
	*n = k;
	return v;
}

/* Frees the n levels v. */
static void tree_levels_free(struct tree_level *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].real);
	free(v);
}

/* Fills out for a link leading to a directory (tree_link_follow). */
static void tree_link_dir(struct ftp *f, const struct tree_chain *chain,
			  const struct ftp_entry *e, const char *path, char *where,
			  struct tree_link_info *out)
{
	struct sbuf to;
	struct ftp_entry me;
	struct tree_level *lv = NULL;
	size_t n = 0;

	out->kind = TREE_LINK_DIR;
	sbuf_init(&to, PATH_LEN_MAX);
	if (e->target != NULL || where != NULL)
		lv = tree_levels(f, chain, &n);
	/* Where it leads: its target from the link's directory, else where
	 * the server says it entered (PWD; the real folder on servers that
	 * tell it, as pure-ftpd and vsftpd do). */
	if ((e->target != NULL && n > 0 && lv[0].real != NULL &&
	     path_resolve(&to, lv[0].real, e->target)) ||
	    (e->target == NULL && where != NULL && path_resolve(&to, "", where))) {
		out->real = xstrdup(sbuf_str(&to));
		/* A loop when it leads to a directory of the chain or above
		 * one: named by the walk's path of the topmost directory of
		 * the chain it is, else by where it leads. */
		bool under = false;
		const char *named = NULL;
		for (size_t i = 0; i < n; i++) {
			if (lv[i].real == NULL)
				continue;
			under = under || path_is_above(out->real, lv[i].real);
			if (lv[i].c->path != NULL && strcmp(lv[i].real, out->real) == 0)
				named = lv[i].c->path;
		}
		if (under) {
			out->kind = TREE_LINK_LOOP;
			out->loops_to = named != NULL ? named : out->real;
		}
	}
	tree_levels_free(lv, n);
	sbuf_free(&to);
	if (out->kind != TREE_LINK_DIR)
		return;
	/* The directory's unique fact, where MLST of the path describes the
	 * directory (the listing's may be the link's own: pure-ftpd). */
	if ((ftp_features(f) & FTP_FEAT_MLST) && ftp_stat(f, path, &me) == FTP_S_OK) {
		if (me.type == FTP_ENTRY_DIR) {
			out->unique = me.unique;
			me.unique = NULL;
		}
		listparse_entry_free(&me);
	}
	struct ftp_entry as_dir = { .type = FTP_ENTRY_DIR, .unique = out->unique };
	const struct tree_chain *c = tree_chain_loops(chain, &as_dir);
	if (c != NULL) {
		out->kind = TREE_LINK_LOOP;
		out->loops_to = c->path;
	}
}

enum ftp_status tree_link_follow(struct ftp *f, const struct tree_chain *chain,
				 const struct ftp_entry *e, const char *path,
				 struct tree_link_info *out)
{
	bool dir;
	char *where;

	*out = (struct tree_link_info){ .kind = TREE_LINK_NOWHERE, .size = -1 };
	enum ftp_status st = tree_remote_where(f, path, &dir, &where);
	if (st == FTP_S_OK && dir)
		tree_link_dir(f, chain, e, path, where, out);
	free(where);
	if (st != FTP_S_OK || dir)
		return st;
	/* A file answers SIZE; a link the server refuses (550) leads nowhere. */
	st = ftp_size(f, path, &out->size);
	if (st == FTP_S_OK)
		out->kind = TREE_LINK_FILE;
	else
		out->size = -1;
	return st == FTP_S_REFUSED ? FTP_S_OK : st;
}

void tree_link_free(struct tree_link_info *out)
{
	free(out->unique);
	free(out->real);
	out->unique = out->real = NULL;
}

/* Copies the remote link e (fe as listed in the directory self) as what
 * it leads to: a file, a directory walked below it, or a note of what it
 * is not copied for; false when the walk ends. */
static bool tree_follow(struct tree_walk *w, struct tree_entry *e, const struct ftp_entry *fe,
			int depth, const struct tree_chain *self)
{
	struct tree_link_info li;
	bool ok = true;

	enum ftp_status st = tree_link_follow(w->f, self, fe, e->remote, &li);
	if (st != FTP_S_OK) {
		tree_link_free(&li);
		return tree_fail_ftp(w, st, e->remote);
	}
	switch (li.kind) {
	case TREE_LINK_FILE:
		e->type = FTP_ENTRY_FILE;
		e->size = li.size;
		e->mtime = 0;   /* the link's own: the file's is asked for */
		ok = tree_visit(w, e, depth, NULL);
		break;
	case TREE_LINK_DIR: {
		struct tree_chain sub = { .unique = li.unique, .path = e->remote, .up = self,
					  .real = li.real };
		ok = tree_down(w, e->local, e->remote, depth + 1, &sub);
		break;
	}
	case TREE_LINK_LOOP:
		e->loops_to = li.loops_to;
		if (w->v->skipped != NULL)
			w->v->skipped(w->v->arg, e, TREE_SKIP_LOOP);
		break;
	case TREE_LINK_NOWHERE:
		e->why = ftp_message_or_status(w->f, FTP_S_REFUSED);
		if (w->v->skipped != NULL)
			w->v->skipped(w->v->arg, e, TREE_SKIP_NOWHERE);
		break;
	}
	tree_link_free(&li);
	return ok;
}

/* Copies the entry fe listed in the remote directory self, e with its
 * paths set, as what it is: a file or directory visited, a link followed,
 * or a note of why it is left out; false when the walk ends. */
static bool tree_down_entry(struct tree_walk *w, struct tree_entry *e,
			    const struct ftp_entry *fe, int depth, const struct tree_chain *self)
{
	if (fe->type == FTP_ENTRY_FILE && tempname_is(fe->name)) {
		/* The next download beside it would take its copy for a stale
		 * temporary and remove it. */
		if (w->v->skipped != NULL)
			w->v->skipped(w->v->arg, e, TREE_SKIP_TEMP);
		return true;
	}
	struct tree_chain sub = { .unique = fe->unique, .path = e->remote, .up = self };
	const struct tree_chain *to = tree_chain_loops(self, fe);
	if (to == NULL && fe->type == FTP_ENTRY_LINK && w->v->follow_links &&
	    w->way == TREE_DOWNLOAD)
		return tree_follow(w, e, fe, depth, self);
	if (to == NULL)
		return tree_visit(w, e, depth, &sub);
	if (w->v->skipped != NULL) {
		e->loops_to = to->path;
		w->v->skipped(w->v->arg, e, TREE_SKIP_LOOP);
	}
	return true;
}

/* Copies the remote directory remote into the local directory local;
 * self: it and the directories above it (NULL at the top). */
static bool tree_down(struct tree_walk *w, const char *local, const char *remote, int depth,
		      const struct tree_chain *self)
{
	struct ftp_listing l;
	struct sbuf rpath, lpath;
	bool fresh, ok = true;

	/* The listing before the local directory is made, so a tree the
	 * server does not have leaves none behind; a file in its place
	 * fails the walk before anything is listed. */
	struct stat sb;
	if (!tree_depth_ok(w, depth, local))
		return false;
	if (stat(local, &sb) == 0 && !S_ISDIR(sb.st_mode))
		return tree_fail_errno(w, ENOTDIR, local);
	bool not_dir;
	if (!tree_list(w, remote, depth, &l, &not_dir))
		return depth > 0 && w->r->status == FTP_S_REFUSED &&
		       tree_unlisted(w, local, remote, not_dir ? TREE_NOT_DIR
						   : ftp_message_or_status(w->f, FTP_S_REFUSED));
	if (!tree_local_mkdir(w, local, &fresh)) {
		listparse_free(&l);
		return false;
	}
	char *top = NULL;
	struct tree_chain top_chain = { 0 };
	if (self == NULL) {
		top = tree_chain_top(w->f, remote, &l);
		top_chain.unique = top;
		top_chain.path = remote;
		self = &top_chain;
	}
	sbuf_init(&rpath, PATH_LEN_MAX);
	sbuf_init(&lpath, PATH_LEN_MAX);
	for (size_t i = 0; i < l.n && ok; i++) {
		const struct ftp_entry *fe = &l.v[i];
		struct tree_entry e = { .display = fe->display, .type = fe->type, .size = fe->size,
					.mtime = fe->mtime_exact ? fe->mtime : 0, .fresh = fresh };
		if (tree_stop(w)) {
			ok = false;
		} else if (tree_dot(fe->name)) {
			continue;
		} else if (!path_safe_name(fe->name)) {
			if (w->v->skipped != NULL)
				w->v->skipped(w->v->arg, &e, TREE_SKIP_NAME);
		} else if (!path_join(&rpath, remote, fe->name) ||
			   !path_join(&lpath, local, fe->name)) {
			ok = tree_fail_errno(w, ENAMETOOLONG, fe->display);
		} else {
			e.local = sbuf_str(&lpath);
			e.remote = sbuf_str(&rpath);
			ok = tree_down_entry(w, &e, fe, depth, self);
		}
	}
	free(top);
	sbuf_free(&rpath);
	sbuf_free(&lpath);
	listparse_free(&l);
	return ok;
}

char **tree_read_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);

	*n = 0;
	return d != NULL ? tree_read_names(d, n) : NULL;
}

char **tree_read_names(DIR *d, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (tree_dot(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	int err = errno;
	closedir(d);
	if (err != 0) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		errno = err;
		return NULL;
	}
	if (v == NULL)
		v = xmalloc(sizeof *v);
	if (*n > 1)
		qsort(v, *n, sizeof *v, tree_name_cmp);
	return v;
}

/* Judges the walk's failure to make the remote directory remote for the
 * local one, local: a name that cannot be sent (ftp_upload_status) is a
 * local failure; below the top, with the visitor's unsendable set, that
 * directory alone is left out and the walk goes on (true). */
static bool tree_unsendable(struct tree_walk *w, const char *local, const char *remote,
			    int depth)
{
	enum ftp_status st = w->r->status;
	w->r->status = ftp_upload_status(st, local, remote);
	if (w->r->status == st || depth == 0 || w->v->unsendable == NULL)
		return false;
	w->v->unsendable(w->v->arg, local, remote, w->r->msg);
	tree_go_on(w);
	return true;
}

/* Copies the local directory local into the remote directory remote. */
static bool tree_up(struct tree_walk *w, const char *local, const char *remote, int depth)
{
	struct sbuf rpath, lpath;
	char shown[NAME_MAX + 1];
	size_t n;
	bool fresh;

	if (!tree_depth_ok(w, depth, local))
		return false;
	char **names = tree_read_dir(local, &n);
	if (names == NULL) {
		int err = errno;
		tree_fail_errno(w, err, local);
		return depth > 0 && tree_unlisted(w, local, remote, strerror(err));
	}
	bool ok = tree_remote_mkdir(w, remote, depth > 0 ? local : NULL, &fresh);
	bool left_out = !ok && tree_unsendable(w, local, remote, depth);
	sbuf_init(&rpath, PATH_LEN_MAX);
	sbuf_init(&lpath, PATH_LEN_MAX);
	for (size_t i = 0; i < n && ok; i++) {
		struct stat sb;
		struct tree_entry e = {
			.display = sanitize_text(names[i], strlen(names[i]), shown, sizeof shown),
			.fresh = fresh,
		};
		if (tree_stop(w)) {
			ok = false;
		} else if (!path_join(&rpath, remote, names[i]) ||
			   !path_join(&lpath, local, names[i])) {
			ok = tree_fail_errno(w, ENAMETOOLONG, names[i]);
		} else if (lstat(sbuf_str(&lpath), &sb) < 0) {
			ok = tree_fail_errno(w, errno, sbuf_str(&lpath));
		} else {
			e.local = sbuf_str(&lpath);
			e.remote = sbuf_str(&rpath);
			e.size = sb.st_size;
			e.mtime = sb.st_mtime;
			e.type = S_ISDIR(sb.st_mode) ? FTP_ENTRY_DIR
			       : S_ISREG(sb.st_mode) ? FTP_ENTRY_FILE
			       : S_ISLNK(sb.st_mode) ? FTP_ENTRY_LINK : FTP_ENTRY_OTHER;
			ok = tree_visit(w, &e, depth, NULL);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbuf_free(&rpath);
	sbuf_free(&lpath);
	return ok || left_out;
}

/* Starts a result: done, nothing failed, nothing counted. */
static void tree_result_init(struct tree_result *r)
{
	r->end = TREE_DONE;
	r->status = FTP_S_OK;
	r->msg[0] = '\0';
	r->removed_files = r->removed_dirs = 0;
}

/* The directories above the top of a removal, by their unique facts
 * (MLST of "top/..", "top/../.." and so on up to the root), so that a
 * link leading up out of the directory removed is known too. */
struct tree_above {
	struct tree_chain v[TREE_DEPTH_MAX];
	size_t n;
};

/* Fills a with the directories above remote, linked in above top. */
static void tree_above_fill(struct ftp *f, const char *remote,
			    struct tree_chain *top, struct tree_above *a)
{
	struct sbuf path;
	const char *last = top->unique;
	struct tree_chain *in = top;

	a->n = 0;
	sbuf_init(&path, PATH_LEN_MAX);
	bool fits = sbuf_puts(&path, remote);
	size_t len = strlen(remote);
	const char *step = len > 0 && remote[len - 1] == '/' ? ".." : "/..";
	while (fits && a->n < TREE_DEPTH_MAX) {
		struct ftp_entry e;
		if (!sbuf_puts(&path, step) || ftp_stat(f, sbuf_str(&path), &e) != FTP_S_OK)
			break;
		step = "/..";
		char *u = e.unique;
		e.unique = NULL;
		listparse_entry_free(&e);
		if (u == NULL || strcmp(u, last) == 0) {   /* the root's ".." is itself */
			free(u);
			break;
		}
		a->v[a->n].unique = u;
		a->v[a->n].up = NULL;
		in->up = &a->v[a->n];
		in = &a->v[a->n++];
		last = u;
	}
	sbuf_free(&path);
}

/* Frees a (NULL: nothing) and the facts tree_above_fill kept in it. */
static void tree_above_free(struct tree_above *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free((char *)a->v[i].unique);
	free(a);
}

/* A directory of a removal the server refuses to list: removed when it
 * is empty (RMD), else left, with the directories above it (*kept), and
 * reported through the visitor's unlisted callback with the refusal of
 * its listing. False (the removal stays failed) without one. */
static bool tree_rm_unlisted(struct tree_walk *w, const char *remote, bool *kept)
{
	char why[TREE_MSG_MAX];

	if (w->v->unlisted == NULL)
		return false;
	snprintf(why, sizeof why, "%s", ftp_message_or_status(w->f, FTP_S_REFUSED));
	enum ftp_status st = ftp_rmdir(w->f, remote);
	if (st == FTP_S_OK) {
		w->r->removed_dirs++;
		tree_go_on(w);
		return true;
	}
	if (st != FTP_S_REFUSED)
		return tree_fail_ftp(w, st, remote);
	*kept = true;
	return tree_unlisted(w, NULL, remote, why);
}

/* Removes the remote directory remote with everything in it. It is
 * first deleted as a file: a server that lists a link to a directory as
 * a directory (it reports what the link points to) removes the link
 * itself for DELE, so what it points to is never emptied; a real
 * directory refuses DELE and is listed and emptied. One that refuses
 * DELE and leads back to a directory being removed (self: it and the
 * directories above it, by the MLSx unique fact, and at the top those
 * above the directory removed; NULL at the top) is a link the server
 * will not delete: the removal stops there rather than go round the loop
 * or empty a directory above. A directory below the top the server does
 * not list is left (tree_rm_unlisted), and so is every one above it:
 * *kept is set; the top itself fails with the refusal (it may not exist). */
static bool tree_rm(struct tree_walk *w, const char *remote, int depth,
		    const struct tree_chain *self, bool *kept)
{
	struct ftp_listing l;
	struct sbuf path;
	bool ok = true, below_kept = false;

	if (!tree_depth_ok(w, depth, remote))
		return false;
	enum ftp_status st = ftp_delete(w->f, remote);
	if (st == FTP_S_OK) {
		w->r->removed_files++;
		return true;
	}
	if (st != FTP_S_REFUSED)
		return tree_fail_ftp(w, st, remote);
	bool not_dir;
	if (!tree_list(w, remote, depth, &l, &not_dir))
		return depth > 0 && !not_dir && w->r->status == FTP_S_REFUSED &&
		       tree_rm_unlisted(w, remote, kept);
	char *top = NULL;
	struct tree_chain top_chain = { 0 };
	struct tree_above *above = NULL;
	if (self == NULL) {
		top = tree_chain_top(w->f, remote, &l);
		top_chain.unique = top;
		if (top != NULL) {
			above = xcalloc(1, sizeof *above);
			tree_above_fill(w->f, remote, &top_chain, above);
		}
		self = &top_chain;
	}
	sbuf_init(&path, PATH_LEN_MAX);
	for (size_t i = 0; i < l.n && ok; i++) {
		const struct ftp_entry *e = &l.v[i];
		struct tree_chain sub = { .unique = e->unique, .up = self };
		if (tree_stop(w)) {
			ok = false;
		} else if (tree_dot(e->name)) {
			continue;
		} else if (!path_safe_name(e->name)) {
			ok = tree_fail(w, FTP_S_REFUSED, "%s: the server listed %s, not a plain name; "
				       "nothing more deleted", remote, e->display);
		} else if (!path_join(&path, remote, e->name)) {
			ok = tree_fail_errno(w, ENAMETOOLONG, e->display);
		} else if (tree_chain_loops(self, e)) {
			if ((st = ftp_delete(w->f, sbuf_str(&path))) == FTP_S_OK)
				w->r->removed_files++;
			else
				ok = tree_fail(w, FTP_S_REFUSED, "%s/%s: leads back up (a link the "
					       "server does not delete); nothing more deleted",
					       remote, e->display);
		} else if (e->type == FTP_ENTRY_DIR) {
			ok = tree_rm(w, sbuf_str(&path), depth + 1, &sub, &below_kept);
		} else if ((st = ftp_delete(w->f, sbuf_str(&path))) != FTP_S_OK) {
			ok = tree_fail_ftp(w, st, sbuf_str(&path));
		} else {
			w->r->removed_files++;
		}
	}
	free(top);
	tree_above_free(above);
	sbuf_free(&path);
	listparse_free(&l);
	if (!ok)
		return false;
	if (below_kept) {   /* not empty: it stays, and so do the directories above */
		*kept = true;
		return true;
	}
	if ((st = ftp_rmdir(w->f, remote)) != FTP_S_OK)
		return tree_fail_ftp(w, st, remote);
	w->r->removed_dirs++;
	return true;
}

void tree_remove(struct ftp *f, const char *remote, const struct tree_visitor *v,
		 struct tree_result *r)
{
	struct tree_walk w = { .f = f, .v = v, .r = r };
	bool kept = false;

	tree_result_init(r);
	tree_rm(&w, remote, 0, NULL, &kept);
}

void tree_walk(struct ftp *f, enum tree_way way, const char *local, const char *remote,
	       const struct tree_visitor *v, struct tree_result *r)
{
	struct tree_walk w = { .f = f, .way = way, .v = v, .r = r };

	tree_result_init(r);
	if (way == TREE_DOWNLOAD)
		tree_down(&w, local, remote, 0, NULL);
	else
		tree_up(&w, local, remote, 0);
}
