/* listing: LIST/NLST/MLSD output (see listing.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "listfmt.h"
#include "listing.h"
#include "log.h"
#include "sanitize.h"
#include "sysio.h"
#include "vfs.h"
#include "vpath.h"
#include "wildmat.h"
#include "xalloc.h"

/* Most entries one listing returns. */
#define LISTING_MAX_ENTRIES 1000000

void listing_perm(const struct session *s, const struct stat *st, char *perm)
{
	/* The owner, group or other bits that apply to this process. */
	mode_t m = st->st_mode;
	bool r, w, x;
	if (st->st_uid == s->uid) {
		r = m & S_IRUSR; w = m & S_IWUSR; x = m & S_IXUSR;
	} else if (st->st_gid == s->gid) {
		r = m & S_IRGRP; w = m & S_IWGRP; x = m & S_IXGRP;
	} else {
		r = m & S_IROTH; w = m & S_IWOTH; x = m & S_IXOTH;
	}
	w = w && s->writable;
	/* The account's policy takes away what the gate would refuse. */
	unsigned deny = commands_denied(s);
	bool del = s->writable && !(deny & DENY_DELETE);
	size_t n = 0;
	if (S_ISDIR(m)) {
		if (x) perm[n++] = 'e';
		if (r && x) perm[n++] = 'l';
		if (w && x) { perm[n++] = 'c'; perm[n++] = 'm'; }
		if (w && x && del) perm[n++] = 'p';
	} else {
		if (r) perm[n++] = 'r';
		if (w && !(deny & DENY_OVERWRITE)) { perm[n++] = 'w'; perm[n++] = 'a'; }
	}
	if (del) perm[n++] = 'd';
	if (s->writable && !(deny & DENY_RENAME)) perm[n++] = 'f';
	perm[n] = '\0';
}

/* Splits LIST options ("-la dir") from the path; sets *all for -a. */
static const char *skip_options(const char *arg, bool *all)
{
	*all = false;
	while (arg[0] == '-' && arg[1] != '\0' && arg[1] != ' ') {
		const char *p = arg + 1;
		while (*p && *p != ' ') {
			if (*p == 'a' || *p == 'A')
				*all = true;
			p++;
		}
		while (*p == ' ')
			p++;
		arg = p;
	}
	return arg;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rarer paths of a listing keep their path-sized buffers in frames
 * of their own, so the usual one stays a few hundred bytes deep: every
 * stack page a session process touches is a page of its own. */
#define RARE_PATH __attribute__((noinline, cold))

/* The LIST line of a symlink, with its target. */
static RARE_PATH bool add_link(int dfd, const char *name, const struct stat *st, time_t now,
			       struct sbuf *out)
{
	char target[PATH_MAX];
	const char *link = NULL;
	if (vfs_entry_readlink(dfd, name, target, sizeof target) >= 0)
		link = target;
	return listfmt_ls(out, name, st, link, now);
}

/* Appends the line for one entry named name in directory dfd. vpath is
 * its full virtual path (for following symlinks in MLSD). prefix is
 * prepended to NLST names. */
static bool add_entry(struct session *s, enum listing_kind kind, int dfd, const char *name,
		      const char *vpath, const char *prefix, time_t now, struct sbuf *out)
{
	struct stat st;
	if (kind == LISTING_NLST)
		return sbuf_printf(out, "%s%s\r\n", prefix, name);
	if (vfs_entry_lstat(dfd, name, &st) < 0)
		return true;       /* vanished meanwhile: leave it out */
	if (kind == LISTING_LIST)
		return S_ISLNK(st.st_mode) ? add_link(dfd, name, &st, now, out)
					   : listfmt_ls(out, name, &st, NULL, now);
	/* MLSD describes what a symlink leads to, when that is inside the root. */
	if (S_ISLNK(st.st_mode)) {
		struct stat tst;
		if (vfs_stat(s->root_fd, vpath, &tst) == 0)
			st = tst;
	}
	char perm[16];
	listing_perm(s, &st, perm);
	return listfmt_mlsx(out, s->mlst_facts, name, &st, NULL, perm);
}

/* An MLSD line: add_entry with the entry's full virtual path. */
static RARE_PATH bool add_mlsd_entry(struct session *s, int dfd, const char *dirpath,
				     const char *name, time_t now, struct sbuf *out)
{
	char vp[FTP_PATH_MAX + 1];
	if (vpath_resolve(dirpath, name, strlen(name), vp, sizeof vp) != VPATH_OK)
		return false;
	return add_entry(s, LISTING_MLSD, dfd, name, vp, "", now, out);
}

static RARE_PATH void log_unlistable(const struct session *s, const char *dirpath, size_t n)
{
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(dirpath, strlen(dirpath), clean, sizeof clean);
	log_msg(LOG_WARNING, "session %s: %zu names with CR or LF left out of the listing of %s",
		s->peer_str, n, clean);
}

/* Lists the directory dirpath; pattern (may be NULL) filters names. */
static bool list_dir(struct session *s, enum listing_kind kind, const char *dirpath,
		     const char *pattern, const char *prefix, bool all, struct sbuf *out)
{
	struct vfs_dir d;
	if (vfs_dir_open(&d, s->root_fd, dirpath) < 0) {
		session_reply_errno(s, 0, dirpath, errno);
		return false;
	}
	char **names = NULL;
	size_t n = 0, cap = 0, unlistable = 0;
	const char *nm;
	while ((nm = vfs_dir_next(&d)) != NULL && n < LISTING_MAX_ENTRIES) {
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || vfs_is_temp_name(nm))
			continue;
		/* A name with CR or LF (made outside FTP) would end a listing
		 * line early and let the rest pose as another entry: leave it
		 * out, and say so in the log. */
		if (vpath_bad_name(nm, strlen(nm))) {
			unlistable++;
			continue;
		}
		if (nm[0] == '.' && !all && (pattern == NULL || pattern[0] != '.'))
			continue;
		if (pattern && !wildmat_match(pattern, nm))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(nm);
	}
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	time_t now = time(NULL);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		if (ok)
			ok = kind == LISTING_MLSD
				? add_mlsd_entry(s, d.fd, dirpath, names[i], now, out)
				: add_entry(s, kind, d.fd, names[i], "", prefix, now, out);
		free(names[i]);
	}
	free(names);
	vfs_dir_close(&d);
	if (unlistable > 0)
		log_unlistable(s, dirpath, unlistable);
	if (!ok)
		session_reply(s, FTP_LOCAL_ERROR, "Listing too large.");
	return ok;
}

/* A listing of one file (path, not a directory), as its parent's would show it. */
static RARE_PATH bool list_file(struct session *s, enum listing_kind kind, const char *arg,
				const char *path, struct sbuf *out)
{
	char parent[FTP_PATH_MAX + 1];
	const char *base = vpath_basename(path);
	vpath_dirname(path, parent, sizeof parent);
	int dfd = vfs_open(s->root_fd, parent, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0) {
		session_reply_errno(s, 0, path, errno);
		return false;
	}
	bool ok = add_entry(s, kind, dfd, base, path, "", time(NULL), out);
	close(dfd);
	if (ok && kind == LISTING_NLST) {
		sbuf_reset(out);
		ok = sbuf_printf(out, "%s\r\n", arg);
	}
	return ok;
}

/* A listing of the names matching the pattern in path's last component. */
static RARE_PATH bool list_pattern(struct session *s, enum listing_kind kind, const char *arg,
				   const char *path, bool all, struct sbuf *out)
{
	char parent[FTP_PATH_MAX + 1];
	vpath_dirname(path, parent, sizeof parent);
	/* NLST names keep the directory part the client gave. */
	char prefix[FTP_PATH_MAX + 1] = "";
	const char *slash = strrchr(arg, '/');
	if (slash != NULL) {
		size_t plen = (size_t)(slash - arg) + 1;
		memcpy(prefix, arg, plen);
		prefix[plen] = '\0';
	}
	return list_dir(s, kind, parent, vpath_basename(path), prefix, all, out);
}

bool listing_build(struct session *s, enum listing_kind kind, const char *arg,
		   struct sbuf *out, char *what)
{
	bool all = kind == LISTING_MLSD;
	if (kind != LISTING_MLSD) {
		bool a;
		arg = skip_options(arg, &a);
		all = a;
	}
	/* The path is resolved straight into what (the caller's buffer). */
	if (!session_path(s, arg, what))
		return false;
	const char *path = what;

	struct stat st;
	int err = vfs_stat(s->root_fd, path, &st) == 0 ? 0 : errno;
	if (err == 0) {
		if (S_ISDIR(st.st_mode))
			return list_dir(s, kind, path, NULL, "", all, out);
		if (kind == LISTING_MLSD) {
			session_reply(s, FTP_BAD_ARGUMENTS, "MLSD needs a directory; use MLST.");
			return false;
		}
		return list_file(s, kind, arg, path, out);
	}
	/* Not a path: a pattern in the last component? */
	if (kind != LISTING_MLSD && err == ENOENT && wildmat_has_magic(vpath_basename(path)))
		return list_pattern(s, kind, arg, path, all, out);
	session_reply_errno(s, 0, path, err);
	return false;
}
