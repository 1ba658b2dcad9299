/* side: the two sides a pane can show, as one table of operations:
 * the local file system (opendir/lstat, mkdir, unlink, rename) and the
 * server through the browser's engine connection (CWD+LIST, MKD,
 * DELE/RMD, RNFR/RNTO). Errors go to the status line and never end the
 * program; a dropped connection is reported, and the engine reopens it
 * on the next action. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "sbuf.h"
#include "tpath.h"
#include "worker.h"
#include "xalloc.h"

/* Mode of new local directories before the umask. */
#define SIDE_DIR_MODE 0777

/* The operations of one side; paths are raw and absolute. */
struct side_ops {
	const char *name;                                           /* "local" or "remote" */
	bool (*load)(struct app *a, struct pane *p, const char *path); /* list path into p */
	bool (*mkdir)(struct app *a, const char *path);             /* make a directory */
	bool (*remove)(struct app *a, const char *path, bool dir);  /* remove a file or empty dir */
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
	sbuf_init(&full, TPATH_MAX);
	pane_load_begin(p, real, strcmp(real, "/") == 0);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!tpath_join(&full, real, de->d_name) || lstat(sbuf_str(&full), &sb) < 0)
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

static bool side_local_remove(struct app *a, const char *path, bool dir)
{
	return (dir ? rmdir(path) : unlink(path)) == 0 || side_local_fail(a, path);
}

static bool side_remote_remove(struct app *a, const char *path, bool dir)
{
	enum ftp_status st = dir ? ftp_rmdir(a->ftp, path) : ftp_delete(a->ftp, path);
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
		.rename = side_local_rename,
	},
	[APP_REMOTE] = {
		.name = "remote",
		.load = side_remote_load,
		.mkdir = side_remote_mkdir,
		.remove = side_remote_remove,
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
	return tpath_join(out, pane_path(a->pane[side]), name);
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
	sbuf_init(&path, TPATH_MAX);
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
	char *base = xstrdup(tpath_base(cur));
	if (tpath_parent(cur, parent, sizeof parent))
		side_load(a, side, parent, base);
	free(base);
}

bool side_mkdir(struct app *a, enum app_side side, const char *name)
{
	struct sbuf path;
	sbuf_init(&path, TPATH_MAX);
	bool ok = side_path(a, side, name, &path) && side_table[side].mkdir(a, sbuf_str(&path));
	sbuf_free(&path);
	if (ok)
		side_load(a, side, NULL, name);
	return ok;
}

bool side_remove(struct app *a, enum app_side side, const struct pane_entry *e)
{
	struct sbuf path;
	sbuf_init(&path, TPATH_MAX);
	bool ok = side_path(a, side, e->name, &path) &&
		  side_table[side].remove(a, sbuf_str(&path), e->type == FTP_ENTRY_DIR);
	sbuf_free(&path);
	return ok;
}

bool side_rename(struct app *a, enum app_side side, const char *from, const char *to)
{
	struct sbuf f, t;
	sbuf_init(&f, TPATH_MAX);
	sbuf_init(&t, TPATH_MAX);
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
