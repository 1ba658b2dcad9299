/* sync: the trees of a plan and its actions (see sync.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "path.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sync.h"
#include "tempname.h"
#include "tree.h"
#include "xalloc.h"

/* Mode of new local files and directories before the umask. */
#define SYNC_FILE_MODE 0666
#define SYNC_DIR_MODE 0777
/* Descriptors nftw may hold open while deleting a local tree. */
#define SYNC_NFTW_FDS 16

/* What a symbolic link is called in the plan's reasons. */
static const char sync_link_text[] = "a symbolic link";

/* Fails with the engine's message for st, after "name: ". */
static enum ftp_status sync_fail_ftp(struct ftp *f, enum ftp_status st, const char *name,
				     char *msg, size_t msgsz)
{
	sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX, "%s: %s", name,
			       ftp_message_or_status(f, st));
	return st;
}

/* Fails with "name: not a directory on the server" (FTP_S_REFUSED). */
static enum ftp_status sync_fail_not_dir(const char *name, char *msg, size_t msgsz)
{
	sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX, "%s: " TREE_NOT_DIR, name);
	return FTP_S_REFUSED;
}

/* Fails with "name: strerror(err)". */
static enum ftp_status sync_fail_errno(int err, const char *name, char *msg, size_t msgsz)
{
	sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX, "%s: %s", name, strerror(err));
	return FTP_S_LOCAL;
}

/* Writes rel/name into out, or name alone at the top (rel ""); false
 * when it does not fit. */
static bool sync_rel_join(struct sbuf *out, const char *rel, const char *name)
{
	if (rel[0])
		return path_join(out, rel, name);
	sbuf_reset(out);
	return sbuf_puts(out, name);
}

/* Where the local scan reports the directories it cannot read. */
struct sync_unread {
	sync_unread_fn *fn;  /* NULL: such a directory fails the scan */
	void *arg;           /* its argument */
};

/* Reads the local directory dir (relative path rel below the top) into t;
 * the temporaries of downloads (tempname.h) are left out. A directory
 * below the top that cannot be opened, when u takes such directories,
 * is left out too, however deep: reported through u, its entry (the one
 * t had last) dropped, t marked incomplete. */
static bool sync_local_dir(const char *dir, const char *rel, int depth, struct plan_tree *t,
			   const struct sync_unread *u, char *msg, size_t msgsz)
{
	struct sbuf full, sub;
	size_t n = 0;
	bool ok = true;

	DIR *d = opendir(dir);
	if (d == NULL && depth > 0 && u->fn != NULL) {
		u->fn(u->arg, dir, strerror(errno));
		plan_tree_set_unread(t, dir);
		plan_tree_drop_last(t);
		return true;
	}
	if (depth > TREE_DEPTH_MAX) {
		if (d != NULL)
			closedir(d);
		sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX,
				       "%s: more than %d directory levels", dir, TREE_DEPTH_MAX);
		return false;
	}
	char **names = d != NULL ? tree_read_names(d, &n) : NULL;
	if (names == NULL) {
		sync_fail_errno(errno, dir, msg, msgsz);
		return false;
	}
	sbuf_init(&full, PATH_LEN_MAX);
	sbuf_init(&sub, PATH_LEN_MAX);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (!ok)
			break;
		if (!path_join(&full, dir, names[i]) ||
		    !sync_rel_join(&sub, rel, names[i])) {
			sync_fail_errno(ENAMETOOLONG, names[i], msg, msgsz);
			ok = false;
		} else if (lstat(sbuf_str(&full), &sb) < 0) {
			if (errno != ENOENT) {   /* gone since readdir: not there */
				sync_fail_errno(errno, sbuf_str(&full), msg, msgsz);
				ok = false;
			}
		} else if (S_ISREG(sb.st_mode) && tempname_is(names[i])) {
			continue;   /* a download's temporary: never compared, sent or deleted */
		} else if (S_ISDIR(sb.st_mode)) {
			plan_tree_add(t, sbuf_str(&sub), PLAN_DIR, -1, sb.st_mtime, 1, NULL);
			char *subrel = xstrdup(sbuf_str(&sub));
			ok = sync_local_dir(sbuf_str(&full), subrel, depth + 1, t, u, msg, msgsz);
			free(subrel);
		} else {
			struct plan_entry *e = plan_tree_add(t, sbuf_str(&sub), S_ISREG(sb.st_mode)
							     ? PLAN_FILE : PLAN_OTHER, sb.st_size,
							     sb.st_mtime, 1, NULL);
			if (S_ISLNK(sb.st_mode))
				plan_entry_set_what(e, sync_link_text);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbuf_free(&full);
	sbuf_free(&sub);
	return ok;
}

bool sync_scan_local(const char *top, bool missing_ok, struct plan_tree *t,
		     sync_unread_fn *unread, void *unread_arg, char *msg, size_t msgsz)
{
	struct sync_unread u = { .fn = unread, .arg = unread_arg };
	struct stat sb;

	if (stat(top, &sb) < 0) {
		if (errno == ENOENT && missing_ok)
			return true;
		sync_fail_errno(errno, top, msg, msgsz);
		return false;
	}
	if (!S_ISDIR(sb.st_mode)) {
		sync_fail_errno(ENOTDIR, top, msg, msgsz);
		return false;
	}
	return sync_local_dir(top, "", 0, t, &u, msg, msgsz);
}

/* The remote tree's files as sync_clear_orphans looks them up, by name:
 * their paths, and the paths of the stems of those named longer than a
 * stem (the directory's path and tempname_stem of the name), each
 * sorted by strcmp. */
struct sync_remote_names {
	const char **files;   /* the tree's paths, not owned */
	size_t nfiles;
	char **stems;         /* owned */
	size_t nstems;
};

/* Orders C strings for qsort and bsearch over char * arrays. */
static int sync_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fills rn with the files of remote. */
static void sync_remote_names_init(struct sync_remote_names *rn, struct plan_tree *remote)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	struct sbuf key;

	*rn = (struct sync_remote_names){ 0 };
	rn->files = xmalloc((remote->n + 1) * sizeof *rn->files);
	rn->stems = xmalloc((remote->n + 1) * sizeof *rn->stems);
	sbuf_init(&key, PATH_LEN_MAX);
	for (size_t i = 0; i < remote->n; i++) {
		const char *p = remote->v[i].path;
		if (remote->v[i].kind != PLAN_FILE)
			continue;
		rn->files[rn->nfiles++] = p;
		const char *slash = strrchr(p, '/');
		const char *base = slash ? slash + 1 : p;
		if (strlen(base) <= TEMPNAME_STEM_MAX)
			continue;
		tempname_stem(base, stem, sizeof stem);
		sbuf_reset(&key);
		if (sbuf_printf(&key, "%.*s%s", (int)(base - p), p, stem))
			rn->stems[rn->nstems++] = xstrdup(sbuf_str(&key));
	}
	sbuf_free(&key);
	qsort(rn->files, rn->nfiles, sizeof *rn->files, sync_strp_cmp);
	qsort(rn->stems, rn->nstems, sizeof *rn->stems, sync_strp_cmp);
}

/* Frees what rn holds. */
static void sync_remote_names_free(struct sync_remote_names *rn)
{
	for (size_t i = 0; i < rn->nstems; i++)
		free(rn->stems[i]);
	free(rn->stems);
	free(rn->files);
}

/* True when the sorted v (n strings) holds s. */
static bool sync_strp_has(const void *v, size_t n, const char *s)
{
	return n > 0 && bsearch(&s, v, n, sizeof s, sync_strp_cmp) != NULL;
}

/* True when the remote tree holds the file rel/name (rel "" the top). */
static bool sync_remote_file(const struct sync_remote_names *rn, const char *rel,
			     const char *name, struct sbuf *path)
{
	if (!sync_rel_join(path, rel, name))
		return true;   /* cannot be asked: as if there */
	return sync_strp_has(rn->files, rn->nfiles, sbuf_str(path));
}

/* True when the remote tree holds a file in directory rel whose
 * temporaries have the stem stem: the file of that name, or a longer
 * name that tempname_stem makes stem of. */
static bool sync_stem_listed(const struct sync_remote_names *rn, const char *rel,
			     const char *stem, struct sbuf *path)
{
	if (sync_remote_file(rn, rel, stem, path))
		return true;
	return sync_strp_has(rn->stems, rn->nstems, sbuf_str(path));
}

/* A name of a plain download's temporary in a directory
 * sync_orphans_dir reads. */
struct sync_temp {
	const char *name;   /* ".STEM.ferry-XXXXXX"; the directory's name list's */
	size_t slen;        /* the length of its stem (from name + 1) */
	bool reg;           /* a regular file when it was read */
};

/* Orders temporaries by stem, then name, so a stem's are side by side. */
static int sync_temp_cmp(const void *a, const void *b)
{
	const struct sync_temp *x = a, *y = b;
	int c = memcmp(x->name + 1, y->name + 1, x->slen < y->slen ? x->slen : y->slen);
	if (c == 0)
		c = (x->slen > y->slen) - (x->slen < y->slen);
	return c != 0 ? c : strcmp(x->name, y->name);
}

/* True when a and b have the same stem. */
static bool sync_temp_same(const struct sync_temp *a, const struct sync_temp *b)
{
	return a->slen == b->slen && memcmp(a->name + 1, b->name + 1, a->slen) == 0;
}

/* Clears the orphans among the temporaries t (nt of them, sorted by
 * sync_temp_cmp) of the directory dir (rel below the top): for each stem
 * with a regular file among its names, whose file the server does not
 * list and none of whose names it lists as a file (then they are no
 * temporaries), the names no running download holds locked. */
static void sync_orphans_clear(const char *dir, const char *rel, struct sync_temp *t,
			       size_t nt, const struct sync_remote_names *rn)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	struct sbuf path;
	int dfd = -1;

	sbuf_init(&path, PATH_LEN_MAX);
	for (size_t i = 0, j; i < nt; i = j) {
		bool reg = false, listed = false;
		for (j = i; j < nt && sync_temp_same(&t[i], &t[j]); j++) {
			reg = reg || t[j].reg;
			listed = listed || sync_remote_file(rn, rel, t[j].name, &path);
		}
		snprintf(stem, sizeof stem, "%.*s", (int)t[i].slen, t[i].name + 1);
		if (!reg || listed || sync_stem_listed(rn, rel, stem, &path))
			continue;
		if (dfd < 0)
			dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			break;
		for (size_t k = i; k < j; k++)
			tempname_clear(dfd, t[k].name);
	}
	if (dfd >= 0)
		close(dfd);
	sbuf_free(&path);
}

/* sync_clear_orphans in the local directory dir (rel below the top),
 * read once: the temporaries are judged from that one reading. */
static void sync_orphans_dir(const char *dir, const char *rel, int depth,
			     const struct sync_remote_names *rn)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	struct sbuf full, sub;
	size_t n = 0, nt = 0;

	char **names = depth <= TREE_DEPTH_MAX ? tree_read_dir(dir, &n) : NULL;
	if (names == NULL)
		return;
	struct sync_temp *t = xmalloc((n + 1) * sizeof *t);
	sbuf_init(&full, PATH_LEN_MAX);
	sbuf_init(&sub, PATH_LEN_MAX);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		bool there = path_join(&full, dir, names[i]) && lstat(sbuf_str(&full), &sb) == 0;
		if (there && S_ISDIR(sb.st_mode) && sync_rel_join(&sub, rel, names[i])) {
			char *subrel = xstrdup(sbuf_str(&sub));
			sync_orphans_dir(sbuf_str(&full), subrel, depth + 1, rn);
			free(subrel);
		}
		/* Every name of a temporary's form counts for its stem (one the
		 * server lists keeps the others); only regular files go. */
		if (tempname_stem_of(names[i], stem, sizeof stem))
			t[nt++] = (struct sync_temp){ .name = names[i], .slen = strlen(stem),
						      .reg = there && S_ISREG(sb.st_mode) };
	}
	qsort(t, nt, sizeof *t, sync_temp_cmp);
	sync_orphans_clear(dir, rel, t, nt, rn);
	free(t);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbuf_free(&full);
	sbuf_free(&sub);
}

void sync_clear_orphans(const char *top, struct plan_tree *remote)
{
	struct sync_remote_names rn;

	if (remote->incomplete != NULL)
		return;
	sync_remote_names_init(&rn, remote);
	sync_orphans_dir(top, "", 0, &rn);
	sync_remote_names_free(&rn);
}

/* How exact a listing's time is: to the second (MLSD), else what a LIST
 * line shows: a time of day (minutes) or only a date. */
static int sync_list_prec(const struct ftp_entry *e)
{
	if (e->mtime_exact)
		return 1;
	return e->mtime % 86400 == 0 ? 86400 : 60;
}

/* Where the remote scan reports the names it passes over and the
 * directories the server refuses to list. */
struct sync_skip {
	sync_skip_fn *fn;  /* NULL: none */
	void *arg;         /* its argument */
	struct sync_unread unread;
	size_t *nowhere;   /* links are followed, counting here those leading
			    * nowhere; NULL: links are entries of their own */
};

static enum ftp_status sync_remote_dir(struct ftp *f, const char *dir, const char *rel, int depth,
				       const struct tree_chain *self, struct plan_tree *t,
				       const struct sync_skip *sk, char *msg, size_t msgsz);

/* Reads the remote link e (path: its remote path, rel: its relative
 * path) in the directory self, at depth, into t as what it leads to. */
static enum ftp_status sync_remote_link(struct ftp *f, const struct ftp_entry *e,
					const char *path, const char *rel, int depth,
					const struct tree_chain *self, struct plan_tree *t,
					const struct sync_skip *sk, char *msg, size_t msgsz)
{
	struct tree_link_info li;
	char what[PLAN_REASON_MAX];
	time_t mtime = 0;

	enum ftp_status st = tree_link_follow(f, self, e, path, &li);
	if (st != FTP_S_OK) {
		tree_link_free(&li);
		return sync_fail_ftp(f, st, path, msg, msgsz);
	}
	if (li.kind == TREE_LINK_NOWHERE)
		sanitize_format_elided(what, sizeof what, FTP_MSG_LINE_MAX,
				       "a link leading nowhere: %s", ftp_message(f));
	if (li.kind == TREE_LINK_FILE && ftp_mdtm(f, path, &mtime) != FTP_S_OK)
		mtime = 0;
	enum plan_kind kind = li.kind == TREE_LINK_FILE ? PLAN_FILE
			      : li.kind == TREE_LINK_DIR ? PLAN_DIR : PLAN_OTHER;
	struct plan_entry *pe = plan_tree_add(t, rel, kind, li.size, mtime, 1, NULL);
	if (li.kind == TREE_LINK_LOOP) {
		plan_entry_set_what(pe, tree_loop_text(li.loops_to, what, sizeof what));
	} else if (li.kind == TREE_LINK_NOWHERE) {
		plan_entry_set_what(pe, what);
		(*sk->nowhere)++;
	} else if (li.kind == TREE_LINK_DIR) {
		char *subdir = xstrdup(path), *subrel = xstrdup(rel);
		struct tree_chain here = { .unique = li.unique, .path = subdir, .up = self,
					   .real = li.real };
		st = sync_remote_dir(f, subdir, subrel, depth + 1, &here, t, sk, msg, msgsz);
		free(subdir);
		free(subrel);
	}
	tree_link_free(&li);
	return st;
}

/* Reads the remote directory dir (relative path rel) into t; self: it
 * and the directories above it (NULL at the top). A directory leading
 * back to one of them (a link the server lists as a directory) goes into
 * t as neither file nor directory, and is not read. */
static enum ftp_status sync_remote_dir(struct ftp *f, const char *dir, const char *rel, int depth,
				       const struct tree_chain *self, struct plan_tree *t,
				       const struct sync_skip *sk, char *msg, size_t msgsz)
{
	struct ftp_listing l;
	struct sbuf full, sub;
	enum ftp_status st;

	if (depth > TREE_DEPTH_MAX) {
		sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX,
				       "%s: more than %d directory levels", dir, TREE_DEPTH_MAX);
		return FTP_S_LOCAL;
	}
	/* An empty top is judged by sync_scan_remote, which knows whether a
	 * missing one will do. */
	bool not_dir;
	st = tree_list_sure(f, dir, depth == 0, &l, &not_dir);
	if (st == FTP_S_REFUSED && depth > 0 && sk->unread.fn != NULL) {
		/* Left out, as the tree walk leaves it: the entry the caller
		 * added for it last goes, and the tree is not whole. */
		sk->unread.fn(sk->unread.arg, dir,
			      not_dir ? TREE_NOT_DIR : ftp_message_or_status(f, st));
		plan_tree_set_unread(t, dir);
		plan_tree_drop_last(t);
		return FTP_S_OK;
	}
	if (not_dir)
		return sync_fail_not_dir(dir, msg, msgsz);
	if (st != FTP_S_OK)
		return sync_fail_ftp(f, st, dir, msg, msgsz);
	if (l.skipped > 0)
		plan_tree_set_incomplete(t, dir);   /* lines not understood: entries may be missing */
	char *top = NULL;
	struct tree_chain top_chain = { 0 };
	if (self == NULL) {
		top = tree_chain_top(f, dir, &l);
		top_chain.unique = top;
		top_chain.path = dir;
		self = &top_chain;
	}
	char what[PLAN_REASON_MAX];
	sbuf_init(&full, PATH_LEN_MAX);
	sbuf_init(&sub, PATH_LEN_MAX);
	for (size_t i = 0; i < l.n && st == FTP_S_OK; i++) {
		const struct ftp_entry *e = &l.v[i];
		if (!path_safe_name(e->name)) {
			/* ".", "..", or a name that could climb out */
			if (sk->fn != NULL && strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0)
				sk->fn(sk->arg, e->display);
			continue;
		}
		if (!path_join(&full, dir, e->name) ||
		    !sync_rel_join(&sub, rel, e->name)) {
			st = sync_fail_errno(ENAMETOOLONG, e->display, msg, msgsz);
			break;
		}
		if (e->type == FTP_ENTRY_LINK && sk->nowhere != NULL) {
			st = sync_remote_link(f, e, sbuf_str(&full), sbuf_str(&sub), depth, self, t,
					      sk, msg, msgsz);
			continue;
		}
		const struct tree_chain *to = tree_chain_loops(self, e);
		/* A file named as a download's temporary is as the local ones
		 * (sync_local_dir): never copied, where a download beside it
		 * would remove it as stale, nor deleted. */
		bool temp = e->type == FTP_ENTRY_FILE && tempname_is(e->name);
		enum plan_kind kind = e->type == FTP_ENTRY_FILE && !temp ? PLAN_FILE
				      : e->type == FTP_ENTRY_DIR && to == NULL ? PLAN_DIR
				      : PLAN_OTHER;
		struct plan_entry *pe = plan_tree_add(t, sbuf_str(&sub), kind, e->size, e->mtime,
						      sync_list_prec(e), NULL);
		if (to != NULL)
			plan_entry_set_what(pe, tree_loop_text(to->path, what, sizeof what));
		else if (temp)
			plan_entry_set_what(pe, TREE_TEMP_TEXT);
		else if (e->type == FTP_ENTRY_LINK)
			plan_entry_set_what(pe, sync_link_text);
		pe->kept = temp;
		if (kind == PLAN_DIR) {
			char *subdir = xstrdup(sbuf_str(&full)), *subrel = xstrdup(sbuf_str(&sub));
			struct tree_chain here = { .unique = e->unique, .path = subdir, .up = self };
			st = sync_remote_dir(f, subdir, subrel, depth + 1, &here, t, sk, msg, msgsz);
			free(subdir);
			free(subrel);
		}
	}
	free(top);
	sbuf_free(&full);
	sbuf_free(&sub);
	listparse_free(&l);
	return st;
}

enum ftp_status sync_remote_mkdir(struct ftp *f, const char *path, char *msg, size_t msgsz)
{
	enum ftp_status st = ftp_mkdir(f, path);
	if (st == FTP_S_OK)
		return st;
	/* Refused: fine when it is there already, which entering it shows. */
	sync_fail_ftp(f, st, path, msg, msgsz);
	bool dir;
	if (st == FTP_S_REFUSED && ftp_dir(f)[0] != '\0' &&
	    tree_remote_is_dir(f, path, &dir) == FTP_S_OK && dir) {
		msg[0] = '\0';
		return FTP_S_OK;
	}
	return st;
}

enum ftp_status sync_scan_remote(struct ftp *f, const char *top, bool missing_ok,
				 struct plan_tree *t, sync_skip_fn *skipped, void *skip_arg,
				 sync_unread_fn *unread, void *unread_arg, char *msg, size_t msgsz)
{
	return sync_scan_remote_follow(f, top, missing_ok, t, skipped, skip_arg, unread, unread_arg,
				       NULL, msg, msgsz);
}

enum ftp_status sync_scan_remote_follow(struct ftp *f, const char *top, bool missing_ok,
					struct plan_tree *t, sync_skip_fn *skipped,
					void *skip_arg, sync_unread_fn *unread, void *unread_arg,
					size_t *nowhere, char *msg, size_t msgsz)
{
	struct sync_skip sk = { .fn = skipped, .arg = skip_arg,
				.unread = { .fn = unread, .arg = unread_arg }, .nowhere = nowhere };
	enum ftp_status st = sync_remote_dir(f, top, "", 0, NULL, t, &sk, msg, msgsz);
	/* Some servers (vsftpd) list a folder that is not there as empty: a
	 * source must be entered to be believed, or --delete would empty
	 * the target. */
	bool dir;
	if (st == FTP_S_OK && t->n == 0 && !missing_ok &&
	    (tree_remote_is_dir(f, top, &dir) != FTP_S_OK || !dir)) {
		return sync_fail_not_dir(top, msg, msgsz);
	}
	if (st == FTP_S_REFUSED && missing_ok && t->n == 0) {
		/* Listing a directory that is not there: an empty target, if
		 * nothing by that name exists (a file would be in the way). */
		struct ftp_entry e;
		if (ftp_stat(f, top, &e) == FTP_S_OK) {
			listparse_entry_free(&e);
			return st;
		}
		msg[0] = '\0';
		return FTP_S_OK;
	}
	return st;
}

enum ftp_status sync_verify(struct ftp *f, const char *remote, int fd, bool *checked, char *msg,
			    size_t msgsz)
{
	struct stat sb;
	off_t rsize;

	*checked = false;
	msg[0] = '\0';
	if (fstat(fd, &sb) < 0)
		return sync_fail_errno(errno, remote, msg, msgsz);
	if (ftp_features(f) & FTP_FEAT_HASH) {
		char alg[FTP_HASH_ALG_MAX], theirs[FTP_HASH_HEX_MAX], ours[DIGEST_HEX_MAX];
		enum digest_alg da;
		enum ftp_status st = ftp_hash(f, remote, alg, theirs);
		if (st != FTP_S_OK)
			return sync_fail_ftp(f, st, remote, msg, msgsz);
		if (!digest_parse(alg, &da))
			return sync_fail_errno(ENOTSUP, alg, msg, msgsz);
		if (digest_fd(da, fd, 0, -1, ours) < 0)
			return sync_fail_errno(errno, remote, msg, msgsz);
		*checked = true;
		if (strcmp(ours, theirs) != 0) {
			sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX,
					       "%s: does not verify: the server's %s is %s, the copy's %s",
					       remote, alg, theirs, ours);
			return FTP_S_BROKEN;
		}
		return FTP_S_OK;
	}
	if (ftp_ascii(f) || !(ftp_features(f) & FTP_FEAT_SIZE)) {
		sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX, "%s: not verified: %s", remote,
				       ftp_ascii(f) ? "sizes differ in ascii mode"
				       : "the server offers neither HASH nor SIZE");
		return FTP_S_OK;
	}
	enum ftp_status st = ftp_size(f, remote, &rsize);
	if (st != FTP_S_OK)
		return sync_fail_ftp(f, st, remote, msg, msgsz);
	*checked = true;
	if (rsize != sb.st_size) {
		sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX,
				       "%s: does not verify: the server has %jd bytes, the copy %jd",
				       remote, (intmax_t)rsize, (intmax_t)sb.st_size);
		return FTP_S_BROKEN;
	}
	return FTP_S_OK;
}

enum ftp_status sync_checksums(struct ftp *f, const struct sync_job *j, struct plan_tree *local,
			       struct plan_tree *remote, char *msg, size_t msgsz)
{
	struct sbuf lp, rp;
	size_t i = 0, k = 0;
	enum ftp_status st = FTP_S_OK;

	plan_tree_sort(local);
	plan_tree_sort(remote);
	sbuf_init(&lp, PATH_LEN_MAX);
	sbuf_init(&rp, PATH_LEN_MAX);
	while (i < local->n && k < remote->n && st == FTP_S_OK) {
		struct plan_entry *l = &local->v[i], *r = &remote->v[k];
		int cmp = plan_path_cmp(l->path, r->path);
		if (cmp != 0) {
			if (cmp < 0)
				i++;
			else
				k++;
			continue;
		}
		i++;
		k++;
		if (l->kind != PLAN_FILE || r->kind != PLAN_FILE || l->size != r->size)
			continue;
		char alg[FTP_HASH_ALG_MAX], theirs[FTP_HASH_HEX_MAX], ours[DIGEST_HEX_MAX];
		enum digest_alg da;
		if (!path_join(&lp, j->local, l->path) || !path_join(&rp, j->remote, r->path)) {
			st = sync_fail_errno(ENAMETOOLONG, l->path, msg, msgsz);
			break;
		}
		st = ftp_hash(f, sbuf_str(&rp), alg, theirs);
		if (st != FTP_S_OK) {
			sync_fail_ftp(f, st, sbuf_str(&rp), msg, msgsz);
			break;
		}
		int fd = open(sbuf_str(&lp), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (!digest_parse(alg, &da)) {
			st = sync_fail_errno(ENOTSUP, alg, msg, msgsz);
		} else if (fd < 0 || digest_fd(da, fd, 0, -1, ours) < 0) {
			st = sync_fail_errno(errno, sbuf_str(&lp), msg, msgsz);
		} else {
			snprintf(l->hash, sizeof l->hash, "%s:%s", alg, ours);
			snprintf(r->hash, sizeof r->hash, "%s:%s", alg, theirs);
		}
		if (fd >= 0)
			close(fd);
	}
	sbuf_free(&lp);
	sbuf_free(&rp);
	return st;
}

/* Downloads remote into a temporary beside local, renamed over it when
 * complete, with the server's time (mtime when the listing knew it). The
 * temporary is locked while it is written (tempname.h), and the stale
 * ones of local that ended downloads left are removed first (looked for
 * among the names temps holds: tempname_sweep_listed). */
static enum ftp_status sync_get(struct ftp *f, const char *remote, const char *local,
				struct tempname_dir *temps, time_t known, bool verify,
				ftp_progress_fn *progress, void *arg, off_t *moved, char *msg,
				size_t msgsz)
{
	char tmp[PATH_LEN_MAX];
	struct stat sb;

	tempname_sweep_listed(temps, local, false);
	int fd = tempname_create(local, tmp, sizeof tmp);
	if (fd < 0)
		return sync_fail_errno(errno, local, msg, msgsz);
	mode_t mask = umask(0);
	umask(mask);
	enum ftp_status st = FTP_S_OK;
	if (fchmod(fd, SYNC_FILE_MODE & ~mask) < 0)
		st = sync_fail_errno(errno, local, msg, msgsz);
	if (st == FTP_S_OK) {
		st = ftp_get(f, remote, fd, 0, progress, arg);
		if (st != FTP_S_OK)
			sync_fail_ftp(f, st, remote, msg, msgsz);
	}
	if (st == FTP_S_OK && fstat(fd, &sb) == 0)
		*moved = sb.st_size;
	bool checked;
	if (st == FTP_S_OK && verify)
		st = sync_verify(f, remote, fd, &checked, msg, msgsz);
	time_t t;
	if (st == FTP_S_OK && ftp_file_time(f, remote, known, &t) == FTP_S_OK) {
		struct timespec ts[2] = { { .tv_sec = t }, { .tv_sec = t } };
		futimens(fd, ts);
	}
	if (close(fd) < 0 && st == FTP_S_OK)
		st = sync_fail_errno(errno, local, msg, msgsz);
	if (st == FTP_S_OK && rename(tmp, local) < 0)
		st = sync_fail_errno(errno, local, msg, msgsz);
	if (st != FTP_S_OK)
		unlink(tmp);
	return st;
}

/* Uploads local as remote, then gives it the local time where the
 * server can set it. */
static enum ftp_status sync_put(struct ftp *f, const char *local, const char *remote,
				bool verify, ftp_progress_fn *progress, void *arg, off_t *moved,
				char *msg, size_t msgsz)
{
	struct stat sb;
	int fd = open(local, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return sync_fail_errno(errno, local, msg, msgsz);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		int err = errno;
		close(fd);
		return sync_fail_errno(S_ISREG(sb.st_mode) ? err : EINVAL, local, msg, msgsz);
	}
	enum ftp_status st = ftp_put(f, fd, remote, FTP_PUT_REPLACE, 0, progress, arg);
	if (st != FTP_S_OK) {
		close(fd);
		return sync_fail_ftp(f, st, remote, msg, msgsz);
	}
	*moved = sb.st_size;
	bool checked;
	if (verify && (st = sync_verify(f, remote, fd, &checked, msg, msgsz)) != FTP_S_OK) {
		close(fd);
		if (st == FTP_S_BROKEN)
			ftp_delete(f, remote);   /* no copy that does not verify */
		return st;
	}
	close(fd);
	/* Without waiting: the MFMT goes out with the next command. */
	if (ftp_features(f) & FTP_FEAT_MFMT)
		ftp_set_mtime_later(f, remote, sb.st_mtime, NULL, NULL);
	return FTP_S_OK;
}

/* nftw callback: removes one entry of a local tree, deepest first. */
static int sync_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Deletes the local entry path (a directory with everything in it;
 * links deleted, never followed). */
static enum ftp_status sync_rm_local(const char *path, enum plan_kind kind, char *msg,
				     size_t msgsz)
{
	int rc = kind == PLAN_DIR ? nftw(path, sync_rm_one, SYNC_NFTW_FDS, FTW_DEPTH | FTW_PHYS)
				  : unlink(path);
	return rc == 0 ? FTP_S_OK : sync_fail_errno(errno, path, msg, msgsz);
}

/* Deletes the remote entry path (a directory with everything in it). */
static enum ftp_status sync_rm_remote(struct ftp *f, const char *path, enum plan_kind kind,
				      char *msg, size_t msgsz)
{
	if (kind == PLAN_DIR) {
		struct tree_visitor v = { 0 };
		struct tree_result r;
		tree_remove(f, path, &v, &r);
		if (r.end == TREE_DONE)
			return FTP_S_OK;
		sanitize_format_elided(msg, msgsz, FTP_MSG_LINE_MAX, "%s", r.msg);
		return r.status;
	}
	enum ftp_status st = ftp_delete(f, path);
	return st == FTP_S_OK ? st : sync_fail_ftp(f, st, path, msg, msgsz);
}

enum ftp_status sync_act(struct ftp *f, const struct sync_job *j, const struct plan_action *a,
			 struct tempname_dir *temps, ftp_progress_fn *progress, void *arg,
			 off_t *moved, char *msg, size_t msgsz)
{
	struct sbuf local, remote;
	enum ftp_status st = FTP_S_OK;
	bool down = j->way == SYNC_DOWNLOAD;

	*moved = 0;
	msg[0] = '\0';
	if (a->verb == PLAN_SKIP)
		return FTP_S_OK;
	sbuf_init(&local, PATH_LEN_MAX);
	sbuf_init(&remote, PATH_LEN_MAX);
	if (!path_join(&local, j->local, a->path) || !path_join(&remote, j->remote, a->path)) {
		st = sync_fail_errno(ENAMETOOLONG, a->path, msg, msgsz);
	} else if (a->verb == PLAN_DELETE) {
		st = down ? sync_rm_local(sbuf_str(&local), a->kind, msg, msgsz)
			  : sync_rm_remote(f, sbuf_str(&remote), a->kind, msg, msgsz);
	} else if (a->kind == PLAN_DIR) {
		if (!down) {
			st = ftp_mkdir(f, sbuf_str(&remote));
			if (st != FTP_S_OK)
				sync_fail_ftp(f, st, sbuf_str(&remote), msg, msgsz);
		} else if (mkdir(sbuf_str(&local), SYNC_DIR_MODE) < 0 && errno != EEXIST) {
			st = sync_fail_errno(errno, sbuf_str(&local), msg, msgsz);
		}
	} else if (down) {
		st = sync_get(f, sbuf_str(&remote), sbuf_str(&local), temps,
			      a->mtime_prec == 1 ? a->mtime : 0, j->verify, progress, arg, moved,
			      msg, msgsz);
	} else {
		st = sync_put(f, sbuf_str(&local), sbuf_str(&remote), j->verify, progress, arg,
			      moved, msg, msgsz);
	}
	if (!down)
		st = ftp_upload_status(st, sbuf_str(&local), sbuf_str(&remote));
	sbuf_free(&local);
	sbuf_free(&remote);
	return st;
}
