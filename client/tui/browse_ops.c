/* browse_ops: the two sides a browsing worker works on, as one table of
 * operations each (browse_private.h): the local file system (opendir and
 * lstat, mkdir, rename, unlinkat walks) and the server through the
 * worker's engine connection (CWD and MLSD/LIST, MKD, RNFR/RNTO, and the
 * engine's tree removal, tree.h, for a directory). Deleting a directory removes everything in it; links are
 * removed, never followed. Errors become one line in b->msg. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browse_private.h"
#include "path.h"
#include "sanitize.h"
#include "sbuf.h"
#include "tree.h"
#include "xalloc.h"

/* Mode of new local directories before the umask. */
#define BROWSE_DIR_MODE 0777

/* ---- the local side ---- */

/* Notes a local error on path. */
static bool local_fail(struct browse *b, const char *path)
{
	browse_fail(b, "%s: %s", path, strerror(errno));
	return false;
}

/* Sends one local entry: what a link leads to (a directory link opens
 * like a directory; a dangling one is marked broken) and its target. */
static void local_entry(struct browse *b, int dfd, const char *name)
{
	struct stat sb, tb;
	char target[PATH_MAX], shown[PATH_MAX];

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return;   /* vanished meanwhile */
	enum ftp_entry_type type = S_ISREG(sb.st_mode) ? FTP_ENTRY_FILE
				 : S_ISDIR(sb.st_mode) ? FTP_ENTRY_DIR
				 : S_ISLNK(sb.st_mode) ? FTP_ENTRY_LINK : FTP_ENTRY_OTHER;
	if (type != FTP_ENTRY_LINK) {
		browse_entry(b, name, type, sb.st_size, sb.st_mtime, NULL, false, false);
		return;
	}
	ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	sanitize_text(target, strlen(target), shown, sizeof shown);
	bool broken = fstatat(dfd, name, &tb, 0) < 0;
	if (!broken && S_ISDIR(tb.st_mode))
		type = FTP_ENTRY_DIR;
	browse_entry(b, name, type, broken ? sb.st_size : tb.st_size,
		     broken ? sb.st_mtime : tb.st_mtime, shown, true, broken);
}

static bool local_list(struct browse *b, const char *path)
{
	char real[PATH_MAX];
	if (realpath(path, real) == NULL)
		return local_fail(b, path);
	DIR *d = opendir(real);
	if (d == NULL)
		return local_fail(b, path);
	wire_set_str(b->dir, real);
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			local_entry(b, dirfd(d), de->d_name);
	closedir(d);
	return true;
}

static bool local_mkdir(struct browse *b, const char *path)
{
	return mkdir(path, BROWSE_DIR_MODE) == 0 || local_fail(b, path);
}

static bool local_exists(struct browse *b, const char *path, int64_t *size, int64_t *mtime)
{
	struct stat sb;
	(void)b;
	if (lstat(path, &sb) < 0)
		return false;
	*size = S_ISREG(sb.st_mode) ? sb.st_size : -1;
	*mtime = sb.st_mtime;
	return true;
}

static bool local_rename(struct browse *b, const char *from, const char *to)
{
	return rename(from, to) == 0 || local_fail(b, from);
}

static bool local_remove(struct browse *b, const char *path)
{
	return unlink(path) == 0 || local_fail(b, path);
}

/* Removes directory name (relative to the open directory parent, or a
 * path with AT_FDCWD) and everything in it, counting each entry removed;
 * shown is its full path for messages. Symbolic links are removed as links, never followed. Stops
 * at the first entry that cannot be removed, or when cancelled. */
static bool local_rmtree_at(struct browse *b, int parent, const char *name, const char *shown,
			    int depth)
{
	if (depth > BROWSE_DEPTH_MAX) {
		browse_fail(b, "%s: nested too deep to delete", shown);
		return false;
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return local_fail(b, shown);
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return local_fail(b, shown);
	}
	struct sbuf full;
	sbuf_init(&full, PATH_LEN_MAX);
	bool ok = true;
	struct dirent *de;
	while (ok && (errno = 0, de = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!path_join(&full, shown, de->d_name)) {
			browse_fail(b, "%s: path too long", shown);
			ok = false;
		} else if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			ok = local_fail(b, sbuf_str(&full));
		} else if (S_ISDIR(sb.st_mode)) {
			ok = local_rmtree_at(b, fd, de->d_name, sbuf_str(&full), depth + 1);
		} else if (unlinkat(fd, de->d_name, 0) < 0) {
			ok = local_fail(b, sbuf_str(&full));
		} else {
			ok = browse_step(b);
		}
	}
	if (ok && de == NULL && errno != 0)
		ok = local_fail(b, shown);
	closedir(d);
	sbuf_free(&full);
	if (!ok)
		return false;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0)
		return local_fail(b, shown);
	if (depth > 0)
		return browse_step(b);
	b->removed++;   /* the top: the delete ends, no pause after it */
	return true;
}

static bool local_rmtree(struct browse *b, const char *path)
{
	struct stat sb;
	/* A link to a directory loses only the link. */
	if (lstat(path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		if (!local_remove(b, path))
			return false;
		b->removed++;
		return true;
	}
	return local_rmtree_at(b, AT_FDCWD, path, path, 0);
}

const struct browse_ops browse_local_ops = {
	.list = local_list,
	.mkdir = local_mkdir,
	.exists = local_exists,
	.rename = local_rename,
	.remove = local_remove,
	.rmtree = local_rmtree,
	.find = browse_local_find,
	.scan = browse_local_scan,
	.avail = browse_local_avail,
	.info = browse_local_info,
};

/* ---- the remote side ---- */

/* Notes an engine error. */
static bool remote_fail(struct browse *b, enum ftp_status st)
{
	if (st == FTP_S_BROKEN)
		browse_fail(b, "connection lost (%s); it is reopened on the next action",
			    ftp_message(b->ftp));
	else
		browse_fail(b, "%s", ftp_message(b->ftp));
	return false;
}

/* Lists a remote directory: CWD there (learning its real name), then the
 * listing (LIST standing in for a refused MLSD). */
static bool remote_list(struct browse *b, const char *path)
{
	struct ftp_listing l;
	enum ftp_status st = ftp_cwd(b->ftp, path);
	if (st != FTP_S_OK)
		return remote_fail(b, st);
	listparse_init(&l);
	st = ftp_list(b->ftp, NULL, &l);
	if (st != FTP_S_OK) {
		listparse_free(&l);
		return remote_fail(b, st);
	}
	wire_set_str(b->dir, ftp_dir(b->ftp));
	if (ftp_list_fell_back(b->ftp)) {
		b->fell_back = true;
		browse_fail(b, "%s", ftp_message(b->ftp));
	}
	bool *broken = xcalloc(l.n ? l.n : 1, sizeof *broken);
	listparse_mark_broken(&l, broken);
	for (size_t i = 0; i < l.n; i++) {
		const struct ftp_entry *e = &l.v[i];
		bool link = e->type == FTP_ENTRY_LINK || e->target != NULL;
		browse_entry(b, e->name, e->type, e->size, e->mtime, e->target, link, broken[i]);
	}
	free(broken);
	listparse_free(&l);
	return true;
}

static bool remote_mkdir(struct browse *b, const char *path)
{
	enum ftp_status st = ftp_mkdir(b->ftp, path);
	return st == FTP_S_OK || remote_fail(b, st);
}

/* A file that answers SIZE exists (a directory does not, on most servers:
 * the screen checks its own listing for those). */
static bool remote_exists(struct browse *b, const char *path, int64_t *size, int64_t *mtime)
{
	off_t sz;
	time_t t;
	if (ftp_size(b->ftp, path, &sz) != FTP_S_OK)
		return false;
	*size = sz;
	*mtime = ftp_mdtm(b->ftp, path, &t) == FTP_S_OK ? t : 0;
	return true;
}

static bool remote_rename(struct browse *b, const char *from, const char *to)
{
	enum ftp_status st = ftp_rename(b->ftp, from, to);
	return st == FTP_S_OK || remote_fail(b, st);
}

static bool remote_remove(struct browse *b, const char *path)
{
	enum ftp_status st = ftp_delete(b->ftp, path);
	return st == FTP_S_OK || remote_fail(b, st);
}

/* A remote delete's walk: the browser, and the engine's count. */
struct remote_rm {
	struct browse *b;      /* the browser */
	struct tree_result r;  /* what the walk removed so far, how it ended */
	size_t partial;        /* listings with lines not understood */
	char left[TREE_MSG_MAX]; /* what the first of them left out */
	size_t kept;           /* folders the server does not list, left */
	char first[TREE_MSG_MAX]; /* the first of them, and the refusal */
};

/* Notes a folder of the walk the server refuses to list: it stays, with
 * the folders above it, and the rest is deleted around it. */
static void remote_rm_unlisted(void *arg, const char *local, const char *remote,
			       const char *why)
{
	struct remote_rm *w = arg;
	(void)local;
	if (w->kept++ == 0)
		sanitize_format_elided(w->first, sizeof w->first, FTP_MSG_LINE_MAX,
				       "cannot delete %s: the server does not list it: %s", remote,
				       why);
}

/* Notes a listing of the walk with lines not understood: the entries
 * they stand for are not deleted, nor is their folder. */
static void remote_rm_partial(void *arg, const char *dir, const struct ftp_listing *l)
{
	struct remote_rm *w = arg;
	if (w->partial++ == 0)
		tree_partial_text(dir, l->skipped, l->first_skipped, w->left, sizeof w->left);
}

/* Asked by the walk before each entry: the count so far, progress now and
 * then, the requests waiting; true stops the walk (cancelled). */
static bool remote_rm_stop(void *arg)
{
	struct remote_rm *w = arg;
	w->b->removed = (long long)(w->r.removed_files + w->r.removed_dirs);
	return !browse_between(w->b);
}

/* Removes remote directory path and everything in it with the engine's
 * walk, the one the command line's rm -r uses (links deleted, never
 * followed; a name that is not a plain name stops it; a folder the
 * server does not list stays, with the folders above it, and fails the
 * delete naming it once the rest is gone). A failure names the listing
 * lines not understood first, whose entries stayed. */
static bool remote_rmtree(struct browse *b, const char *path)
{
	struct remote_rm w = { .b = b };
	struct tree_visitor v = { .partial = remote_rm_partial, .unlisted = remote_rm_unlisted,
				  .stop = remote_rm_stop, .arg = &w };
	tree_remove(b->ftp, path, &v, &w.r);
	b->removed = (long long)(w.r.removed_files + w.r.removed_dirs);
	if (w.r.end == TREE_DONE && w.kept > 1) {
		browse_fail(b, "%s (and %zu more folder%s)", w.first, w.kept - 1,
			    w.kept == 2 ? "" : "s");
		return false;
	}
	if (w.r.end == TREE_DONE && w.kept == 1) {
		browse_fail(b, "%s", w.first);
		return false;
	}
	/* Lines not understood come first: they are why a folder was not
	 * empty when its turn came. */
	if (w.r.end == TREE_FAILED && w.partial > 1)
		browse_fail(b, "%s (and %zu more listing%s); %s", w.left, w.partial - 1,
			    w.partial == 2 ? "" : "s", w.r.msg);
	else if (w.r.end == TREE_FAILED && w.partial == 1)
		browse_fail(b, "%s; %s", w.left, w.r.msg);
	else if (w.r.end == TREE_FAILED)
		browse_fail(b, "%s", w.r.msg);
	return w.r.end == TREE_DONE;
}

const struct browse_ops browse_remote_ops = {
	.list = remote_list,
	.mkdir = remote_mkdir,
	.exists = remote_exists,
	.rename = remote_rename,
	.remove = remote_remove,
	.rmtree = remote_rmtree,
	.find = browse_remote_find,
	.scan = browse_remote_scan,
	.avail = browse_remote_avail,
	.info = browse_remote_info,
};
