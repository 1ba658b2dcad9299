/* browse_find: a find run by a pane's browser: the names below a folder
 * that match a shell pattern (fnmatch), walked depth first, locally with
 * opendir and lstat, remotely with one listing per folder (MLSD, or LIST
 * where it is refused). Links are reported when they match but never
 * followed. The walk is bounded (FIND_DEPTH_MAX folders deep,
 * FIND_RESULTS_MAX names, FIND_DIRS_MAX folders read), says where it
 * stopped, and skips folders it cannot read, counting them. The matches
 * go to the screen as the entries of a listing, named by their path below
 * the folder; the screen cancels a find as it cancels a listing, by
 * ending the browser. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "browse_private.h"
#include "path.h"
#include "sbuf.h"
#include "sync.h"

/* Deepest folder below the start a find looks into. */
#define FIND_DEPTH_MAX 32
/* Most names a find reports. */
#define FIND_RESULTS_MAX 10000
/* Most folders a find reads. */
#define FIND_DIRS_MAX 20000

/* One find's state. */
struct find {
	struct browse *b;
	const char *pattern;   /* matched against each name (not its path) */
	size_t found;          /* names reported */
	size_t dirs;           /* folders read */
	size_t unread;         /* folders that could not be read */
	bool cut;              /* a bound was reached */
	bool broken;           /* the connection failed: stop */
};

/* Counts a match and sends it, named rel/name; false once enough were found. */
static bool find_report(struct find *f, const char *rel, const char *name,
			enum ftp_entry_type type, int64_t size, int64_t mtime, bool link)
{
	struct sbuf p;
	if (f->found >= FIND_RESULTS_MAX) {
		f->cut = true;
		return false;
	}
	if (fnmatch(f->pattern, name, FNM_PERIOD) != 0)
		return true;
	sbuf_init(&p, WIRE_STR_MAX);
	if (rel[0] == '\0' ? sbuf_puts(&p, name) : path_join(&p, rel, name)) {
		browse_entry(f->b, sbuf_str(&p), type, size, mtime, NULL, link, false);
		f->found++;
	}
	sbuf_free(&p);
	return true;
}

/* True when another folder may be read at depth. */
static bool find_may_enter(struct find *f, int depth)
{
	if (depth >= FIND_DEPTH_MAX || f->dirs >= FIND_DIRS_MAX || f->found >= FIND_RESULTS_MAX) {
		f->cut = true;
		return false;
	}
	f->dirs++;
	return true;
}

/* Walks the local folder abs (rel below the start). */
static void find_local(struct find *f, const char *abs, const char *rel, int depth)
{
	if (!find_may_enter(f, depth))
		return;
	DIR *d = opendir(abs);
	if (d == NULL) {
		f->unread++;
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		struct stat st;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 ||
		    fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		enum ftp_entry_type type = S_ISREG(st.st_mode) ? FTP_ENTRY_FILE
					 : S_ISDIR(st.st_mode) ? FTP_ENTRY_DIR
					 : S_ISLNK(st.st_mode) ? FTP_ENTRY_LINK : FTP_ENTRY_OTHER;
		if (!find_report(f, rel, n, type, st.st_size, st.st_mtime, S_ISLNK(st.st_mode)))
			break;
		if (type != FTP_ENTRY_DIR)
			continue;
		struct sbuf sa, sr;
		sbuf_init(&sa, WIRE_STR_MAX);
		sbuf_init(&sr, WIRE_STR_MAX);
		if (path_join(&sa, abs, n) && (rel[0] == '\0' ? sbuf_puts(&sr, n)
						       : path_join(&sr, rel, n)))
			find_local(f, sbuf_str(&sa), sbuf_str(&sr), depth + 1);
		sbuf_free(&sa);
		sbuf_free(&sr);
	}
	closedir(d);
}

/* Walks the remote folder abs (rel below the start). */
static void find_remote(struct find *f, const char *abs, const char *rel, int depth)
{
	if (f->broken || !find_may_enter(f, depth))
		return;
	struct ftp_listing l;
	listparse_init(&l);
	enum ftp_status st = ftp_list(f->b->ftp, abs, &l);
	if (st != FTP_S_OK) {
		f->broken = st == FTP_S_BROKEN;
		if (f->broken)
			browse_fail(f->b, "connection lost (%s)", ftp_message(f->b->ftp));
		f->unread++;
		listparse_free(&l);
		return;
	}
	for (size_t i = 0; i < l.n && !f->broken; i++) {
		const struct ftp_entry *e = &l.v[i];
		bool link = e->type == FTP_ENTRY_LINK || e->target != NULL;
		if (!find_report(f, rel, e->name, e->type, e->size, e->mtime, link))
			break;
		if (e->type != FTP_ENTRY_DIR || link)
			continue;
		struct sbuf sa, sr;
		sbuf_init(&sa, WIRE_STR_MAX);
		sbuf_init(&sr, WIRE_STR_MAX);
		if (path_join(&sa, abs, e->name) &&
		    (rel[0] == '\0' ? sbuf_puts(&sr, e->name) : path_join(&sr, rel, e->name)))
			find_remote(f, sbuf_str(&sa), sbuf_str(&sr), depth + 1);
		sbuf_free(&sa);
		sbuf_free(&sr);
	}
	listparse_free(&l);
}

/* Says how the find ended, when there is something to say. */
static void find_summary(struct find *f)
{
	char unread[64] = "";
	if (f->unread > 0)
		snprintf(unread, sizeof unread, "%zu folder(s) could not be read", f->unread);
	if (f->cut)
		browse_fail(f->b, "stopped at %zu names, %zu folders (the most a find looks at)%s%s",
			    f->found, f->dirs, unread[0] ? "; " : "", unread);
	else if (unread[0])
		browse_fail(f->b, "%s", unread);
}

bool browse_local_find(struct browse *b, const char *path, const char *pattern)
{
	struct find f = { .b = b, .pattern = pattern };
	struct stat st;
	if (stat(path, &st) < 0) {
		browse_fail(b, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		browse_fail(b, "%s: not a folder", path);
		return false;
	}
	wire_set_str(b->dir, path);
	find_local(&f, path, "", 0);
	find_summary(&f);
	return true;
}

bool browse_remote_find(struct browse *b, const char *path, const char *pattern)
{
	struct find f = { .b = b, .pattern = pattern };
	enum ftp_status st = ftp_cwd(b->ftp, path);
	if (st != FTP_S_OK) {
		browse_fail(b, "%s", ftp_message(b->ftp));
		return false;
	}
	wire_set_str(b->dir, ftp_dir(b->ftp));
	find_remote(&f, b->dir, "", 0);
	if (f.broken)
		return false;
	find_summary(&f);
	return true;
}

/* Sends the entries of a tree read for a synchronize: none when there are
 * more than a find reports (a plan of part of a tree would be wrong). */
static bool scan_send(struct browse *b, struct plan_tree *t)
{
	if (t->n > FIND_RESULTS_MAX) {
		browse_fail(b, "%s: more than %d entries below it (the most synchronize reads)",
			    b->dir, FIND_RESULTS_MAX);
		return false;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct plan_entry *e = &t->v[i];
		enum ftp_entry_type type = e->kind == PLAN_FILE ? FTP_ENTRY_FILE
					 : e->kind == PLAN_DIR ? FTP_ENTRY_DIR : FTP_ENTRY_OTHER;
		browse_entry(b, e->path, type, e->size, e->mtime, NULL, false, false);
	}
	return true;
}

bool browse_local_scan(struct browse *b, const char *path)
{
	struct plan_tree t;
	char msg[SYNC_MSG_MAX];
	plan_tree_init(&t);
	wire_set_str(b->dir, path);
	bool ok = sync_scan_local(path, false, &t, NULL, NULL, msg, sizeof msg);
	if (!ok)
		browse_fail(b, "%s", msg);
	ok = ok && scan_send(b, &t);
	plan_tree_free(&t);
	return ok;
}

bool browse_remote_scan(struct browse *b, const char *path)
{
	struct plan_tree t;
	char msg[SYNC_MSG_MAX];
	enum ftp_status st = ftp_cwd(b->ftp, path);
	if (st != FTP_S_OK) {
		browse_fail(b, "%s", ftp_message(b->ftp));
		return false;
	}
	wire_set_str(b->dir, ftp_dir(b->ftp));
	plan_tree_init(&t);
	bool ok = sync_scan_remote(b->ftp, b->dir, false, &t, NULL, NULL, NULL, NULL, msg,
				   sizeof msg) == FTP_S_OK;
	if (!ok)
		browse_fail(b, "%s", msg);
	ok = ok && scan_send(b, &t);
	if (ok && t.incomplete != NULL) {
		/* The plan then deletes nothing, nor does the sweep of stale
		 * temporaries (sync_clear_orphans) run. */
		b->incomplete = true;
		browse_fail(b, "%s", t.incomplete);
	}
	plan_tree_free(&t);
	return ok;
}
