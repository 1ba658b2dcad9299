/* side: the two sides a pane can show, as one table of operations:
 * the local file system (opendir/lstat, mkdir, unlinkat walks, rename)
 * and the server through the browser's engine connection (CWD+LIST,
 * MKD, LIST+DELE+RMD walks, RNFR/RNTO). Deleting a directory removes
 * everything in it; links are removed, never followed. Errors go to the
 * status line and never end the program; a dropped connection is
 * reported, and the engine reopens it on the next action. */
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

#include "app.h"
#include "sbuf.h"
#include "path.h"
#include "worker.h"
#include "xalloc.h"

/* Mode of new local directories before the umask. */
#define SIDE_DIR_MODE 0777
/* Deepest directory nesting a recursive delete walks into. */
#define SIDE_DEPTH_MAX 256

/* The operations of one side; paths are raw and absolute. */
struct side_ops {
	const char *name;                                           /* "local" or "remote" */
	bool (*load)(struct app *a, struct pane *p, const char *path); /* list path into p */
	bool (*mkdir)(struct app *a, const char *path);             /* make a directory */
	bool (*remove)(struct app *a, const char *path, bool dir);  /* remove a file or a whole dir */
	bool (*is_tree)(struct app *a, const char *path, bool dir); /* a real directory, not a link */
	bool (*rename)(struct app *a, const char *from, const char *to); /* rename */
};

/* Reports a local error on path. */
static bool side_local_fail(struct app *a, const char *path)
{
	app_status(a, true, "%s: %s", path, strerror(errno));
	return false;
}

/* Reports an engine error. */
static bool side_remote_fail(struct app *a, enum ftp_status st)
{
	if (st == FTP_S_BROKEN)
		app_status(a, true, "connection lost (%s); it is reopened on the next action",
			   ftp_message(a->ftp));
	else
		app_status(a, true, "%s", ftp_message(a->ftp));
	return false;
}

/* Lists a local directory. */
static bool side_local_load(struct app *a, struct pane *p, const char *path)
{
	char real[PATH_MAX];
	struct stat sb;
	struct sbuf full;

	if (realpath(path, real) == NULL)
		return side_local_fail(a, path);
	DIR *d = opendir(real);
	if (d == NULL)
		return side_local_fail(a, path);
	sbuf_init(&full, PATH_LEN_MAX);
	pane_load_begin(p, real, strcmp(real, "/") == 0);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!path_join(&full, real, de->d_name) || lstat(sbuf_str(&full), &sb) < 0)
			continue;
		enum ftp_entry_type type = S_ISREG(sb.st_mode) ? FTP_ENTRY_FILE
					 : S_ISDIR(sb.st_mode) ? FTP_ENTRY_DIR
					 : S_ISLNK(sb.st_mode) ? FTP_ENTRY_LINK : FTP_ENTRY_OTHER;
		struct stat tb;
		if (type == FTP_ENTRY_LINK && stat(sbuf_str(&full), &tb) == 0 && S_ISDIR(tb.st_mode))
			type = FTP_ENTRY_DIR;
		pane_load_add(p, de->d_name, type, sb.st_size, sb.st_mtime);
	}
	closedir(d);
	sbuf_free(&full);
	return true;
}

/* Lists a remote directory: CWD there (learning its real name), then LIST. */
static bool side_remote_load(struct app *a, struct pane *p, const char *path)
{
	struct ftp_listing l;
	if (!a->connected) {
		app_status(a, true, "not connected: press F2 to connect");
		return false;
	}
	enum ftp_status st = ftp_cwd(a->ftp, path);
	if (st != FTP_S_OK)
		return side_remote_fail(a, st);
	listparse_init(&l);
	st = ftp_list(a->ftp, NULL, &l);
	if (st != FTP_S_OK) {
		listparse_free(&l);
		return side_remote_fail(a, st);
	}
	const char *dir = ftp_dir(a->ftp);
	pane_load_begin(p, dir, strcmp(dir, "/") == 0);
	pane_load_listing(p, &l);
	listparse_free(&l);
	return true;
}

static bool side_local_mkdir(struct app *a, const char *path)
{
	return mkdir(path, SIDE_DIR_MODE) == 0 || side_local_fail(a, path);
}

static bool side_remote_mkdir(struct app *a, const char *path)
{
	enum ftp_status st = ftp_mkdir(a->ftp, path);
	return st == FTP_S_OK || side_remote_fail(a, st);
}

/* Reports that a tree is nested deeper than SIDE_DEPTH_MAX. */
static bool side_too_deep(struct app *a, const char *path)
{
	app_status(a, true, "%s: nested too deep to delete", path);
	return false;
}

/* Removes directory name (relative to the open directory parent, or a
 * path with AT_FDCWD) and everything in it; shown is its full path for
 * messages. Symbolic links are removed as links, never followed. Stops
 * at the first entry that cannot be removed and reports it. */
static bool side_local_rmtree(struct app *a, int parent, const char *name, const char *shown,
			      int depth)
{
	if (depth > SIDE_DEPTH_MAX)
		return side_too_deep(a, shown);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return side_local_fail(a, shown);
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return side_local_fail(a, shown);
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
			app_status(a, true, "%s: path too long", shown);
			ok = false;
		} else if (fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			ok = side_local_fail(a, sbuf_str(&full));
		} else if (S_ISDIR(sb.st_mode)) {
			ok = side_local_rmtree(a, fd, de->d_name, sbuf_str(&full), depth + 1);
		} else if (unlinkat(fd, de->d_name, 0) < 0) {
			ok = side_local_fail(a, sbuf_str(&full));
		}
	}
	if (ok && de == NULL && errno != 0)
		ok = side_local_fail(a, shown);
	closedir(d);
	sbuf_free(&full);
	return ok && (unlinkat(parent, name, AT_REMOVEDIR) == 0 || side_local_fail(a, shown));
}

/* True when path is a directory itself (lstat: a link to one is not). */
static bool side_local_is_tree(struct app *a, const char *path, bool dir)
{
	struct stat sb;
	(void)a;
	(void)dir;
	return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool side_local_remove(struct app *a, const char *path, bool dir)
{
	if (side_local_is_tree(a, path, dir))
		return side_local_rmtree(a, AT_FDCWD, path, path, 0);
	return unlink(path) == 0 || side_local_fail(a, path);
}

/* Removes remote directory path and everything in it: lists it, deletes
 * its files and links (never following a link), recurses into its
 * directories, then RMD. Stops at the first failure and reports it. */
static bool side_remote_rmtree(struct app *a, const char *path, int depth)
{
	if (depth > SIDE_DEPTH_MAX)
		return side_too_deep(a, path);
	struct ftp_listing l;
	listparse_init(&l);
	enum ftp_status st = ftp_list(a->ftp, path, &l);
	bool ok = st == FTP_S_OK || side_remote_fail(a, st);
	struct sbuf full;
	sbuf_init(&full, PATH_LEN_MAX);
	for (size_t i = 0; ok && i < l.n; i++) {
		const struct ftp_entry *e = &l.v[i];
		if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
			continue;
		if (!path_safe_name(e->name)) {
			app_status(a, true, "%s: the server listed an unsafe name %s", path, e->display);
			ok = false;
		} else if (!path_join(&full, path, e->name)) {
			app_status(a, true, "%s: path too long", path);
			ok = false;
		} else if (e->type == FTP_ENTRY_DIR) {
			ok = side_remote_rmtree(a, sbuf_str(&full), depth + 1);
		} else {
			st = ftp_delete(a->ftp, sbuf_str(&full));
			ok = st == FTP_S_OK || side_remote_fail(a, st);
		}
	}
	sbuf_free(&full);
	listparse_free(&l);
	if (ok) {
		st = ftp_rmdir(a->ftp, path);
		ok = st == FTP_S_OK || side_remote_fail(a, st);
	}
	return ok;
}

/* True for a remote directory (the listing's type: a link is not one). */
static bool side_remote_is_tree(struct app *a, const char *path, bool dir)
{
	(void)a;
	(void)path;
	return dir;
}

static bool side_remote_remove(struct app *a, const char *path, bool dir)
{
	if (dir)
		return side_remote_rmtree(a, path, 0);
	enum ftp_status st = ftp_delete(a->ftp, path);
	return st == FTP_S_OK || side_remote_fail(a, st);
}

static bool side_local_rename(struct app *a, const char *from, const char *to)
{
	return rename(from, to) == 0 || side_local_fail(a, from);
}

static bool side_remote_rename(struct app *a, const char *from, const char *to)
{
	enum ftp_status st = ftp_rename(a->ftp, from, to);
	return st == FTP_S_OK || side_remote_fail(a, st);
}

/* The two sides, indexed by enum app_side. */
static const struct side_ops side_table[APP_SIDES] = {
	[APP_LOCAL] = {
		.name = "local",
		.load = side_local_load,
		.mkdir = side_local_mkdir,
		.remove = side_local_remove,
		.is_tree = side_local_is_tree,
		.rename = side_local_rename,
	},
	[APP_REMOTE] = {
		.name = "remote",
		.load = side_remote_load,
		.mkdir = side_remote_mkdir,
		.remove = side_remote_remove,
		.is_tree = side_remote_is_tree,
		.rename = side_remote_rename,
	},
};

bool side_load(struct app *a, enum app_side side, const char *path, const char *keep)
{
	struct pane *p = a->pane[side];
	char *where = xstrdup(path ? path : pane_path(p)[0] ? pane_path(p) : "/");
	char *filter = xstrdup(pane_filter(p));
	bool ok = side_table[side].load(a, p, where);
	if (ok) {
		pane_load_end(p, keep);
		if (filter[0] != '\0' && path == NULL)
			pane_set_filter(p, filter);
		else if (filter[0] != '\0')
			pane_set_filter(p, "");
	}
	free(filter);
	free(where);
	return ok;
}

/* Writes the path of name in side's directory into out; false if too long. */
static bool side_path(struct app *a, enum app_side side, const char *name, struct sbuf *out)
{
	return path_join(out, pane_path(a->pane[side]), name);
}

void side_enter(struct app *a, enum app_side side)
{
	const struct pane_entry *e = pane_current(a->pane[side]);
	struct sbuf path;
	if (e == NULL)
		return;
	if (strcmp(e->name, PANE_PARENT) == 0) {
		side_up(a, side);
		return;
	}
	if (e->type != FTP_ENTRY_DIR && e->type != FTP_ENTRY_LINK) {
		app_status(a, false, "%s is not a directory (F5 copies it)", e->display);
		return;
	}
	sbuf_init(&path, PATH_LEN_MAX);
	if (side_path(a, side, e->name, &path) && side_load(a, side, sbuf_str(&path), NULL))
		app_status(a, false, "%s", "");
	sbuf_free(&path);
}

void side_up(struct app *a, enum app_side side)
{
	char parent[PANE_PATH_MAX];
	const char *cur = pane_path(a->pane[side]);
	if (strcmp(cur, "/") == 0 || cur[0] == '\0')
		return;
	char *base = xstrdup(path_last(cur));
	if (path_parent(cur, parent, sizeof parent))
		side_load(a, side, parent, base);
	free(base);
}

bool side_mkdir(struct app *a, enum app_side side, const char *name)
{
	struct sbuf path;
	sbuf_init(&path, PATH_LEN_MAX);
	bool ok = side_path(a, side, name, &path) && side_table[side].mkdir(a, sbuf_str(&path));
	sbuf_free(&path);
	if (ok)
		side_load(a, side, NULL, name);
	return ok;
}

bool side_remove(struct app *a, enum app_side side, const struct pane_entry *e)
{
	struct sbuf path;
	sbuf_init(&path, PATH_LEN_MAX);
	bool ok = side_path(a, side, e->name, &path) &&
		  side_table[side].remove(a, sbuf_str(&path), e->type == FTP_ENTRY_DIR);
	sbuf_free(&path);
	return ok;
}

bool side_is_tree(struct app *a, enum app_side side, const struct pane_entry *e)
{
	struct sbuf path;
	sbuf_init(&path, PATH_LEN_MAX);
	bool tree = side_path(a, side, e->name, &path) &&
		    side_table[side].is_tree(a, sbuf_str(&path), e->type == FTP_ENTRY_DIR);
	sbuf_free(&path);
	return tree;
}

bool side_rename(struct app *a, enum app_side side, const char *from, const char *to)
{
	struct sbuf f, t;
	sbuf_init(&f, PATH_LEN_MAX);
	sbuf_init(&t, PATH_LEN_MAX);
	bool ok = side_path(a, side, from, &f) && side_path(a, side, to, &t) &&
		  side_table[side].rename(a, sbuf_str(&f), sbuf_str(&t));
	sbuf_free(&f);
	sbuf_free(&t);
	if (ok)
		side_load(a, side, NULL, to);
	return ok;
}

bool side_connect(struct app *a)
{
	struct app_login *l = &a->login;
	worker_stop(&a->worker);
	struct queue_job *run = queue_running(a->queue);
	if (run != NULL)
		queue_finish(a->queue, run->id, QUEUE_FAILED, "stopped by a new connection");
	a->connected = false;
	enum ftp_status st = ftp_connect(a->ftp, l->host, l->port, l->user[0] ? l->user : NULL,
					 l->pass[0] ? l->pass : NULL);
	if (st != FTP_S_OK) {
		app_status(a, true, "%s", ftp_message(a->ftp));
		pane_load_begin(a->pane[APP_REMOTE], "", true);
		pane_load_end(a->pane[APP_REMOTE], NULL);
		return false;
	}
	a->connected = true;
	struct worker_login wl = {
		.host = l->host, .port = l->port,
		.user = l->user[0] ? l->user : NULL, .pass = l->pass[0] ? l->pass : NULL,
	};
	if (worker_start(&a->worker, &wl) < 0)
		app_status(a, true, "cannot start the transfer process: %s", strerror(errno));
	else
		app_status(a, false, "connected to %s", l->host);
	side_load(a, APP_REMOTE, ftp_dir(a->ftp), NULL);
	app_pump(a);
	return true;
}
