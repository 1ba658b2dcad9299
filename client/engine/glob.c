/* glob: patterns over remote and local directories (see glob.h). Both
 * sides list the pattern's directory into entries, then keep the ones
 * glob_keep chooses, named by their full path. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ftp_private.h"
#include "glob.h"
#include "path.h"
#include "sanitize.h"
#include "sbuf.h"
#include "wildmat.h"
#include "xalloc.h"

bool glob_is_pattern(const char *word)
{
	return wildmat_has_magic(word);
}

bool glob_names_one(const char *pattern)
{
	for (const char *p = path_last(pattern); *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (strchr("*?[", *p) != NULL)
			return false;
	}
	return true;
}

bool glob_match(const char *pattern, const char *name)
{
	if (name[0] == '.' && pattern[0] != '.')
		return false;
	return wildmat_match(pattern, name);
}

/* Splits pattern into its directory (written to dir: "" for the current
 * one) and its last part (returned). False when the directory holds a
 * wildcard or does not fit. */
static bool glob_split(const char *pattern, struct sbuf *dir, const char **last)
{
	*last = path_last(pattern);
	size_t n = (size_t)(*last - pattern);
	if (n > 1)
		n--;   /* "d/x" -> "d", "/x" -> "/" */
	sbuf_reset(dir);
	if (!sbuf_append(dir, pattern, n))
		return false;
	return !wildmat_has_magic(sbuf_str(dir));
}

/* Orders entries by raw name. */
static int glob_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ftp_entry *)a)->name, ((const struct ftp_entry *)b)->name);
}

/* Keeps from all (a listing of dir) the entries last matches, renamed to
 * their full paths, in out; frees all. */
static void glob_keep(struct ftp_listing *all, const char *dir, const char *last,
		      struct ftp_listing *out)
{
	struct sbuf full;
	size_t exact = all->n;

	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->v[i].name, last) == 0)
			exact = i;
	if (all->n > 1)
		qsort(all->v, all->n, sizeof all->v[0], glob_cmp);
	sbuf_init(&full, PATH_LEN_MAX);
	for (size_t i = 0; i < all->n; i++) {
		struct ftp_entry *e = &all->v[i];
		bool want = exact < all->n ? strcmp(e->name, last) == 0
			  : path_safe_name(e->name) && glob_match(last, e->name);
		if (!want || !path_join(&full, dir, e->name))
			continue;
		size_t n = full.len;
		char *shown = xmalloc(n + 1);
		sanitize_text(sbuf_str(&full), n, shown, n + 1);
		free(e->name);
		free(e->display);
		e->name = xstrdup(sbuf_str(&full));
		e->display = shown;
		listparse_add(out, e);
		memset(e, 0, sizeof *e);   /* out owns its strings now */
	}
	sbuf_free(&full);
	listparse_add_skipped(out, all);
	listparse_free(all);
}

enum ftp_status ftp_glob(struct ftp *f, const char *pattern, struct ftp_listing *out)
{
	struct sbuf dir;
	struct ftp_listing all;
	const char *last;

	sbuf_init(&dir, PATH_LEN_MAX);
	if (!glob_split(pattern, &dir, &last)) {
		sbuf_free(&dir);
		ftp_set_msg(f, "wildcards may stand in the last part of a name only");
		f->code = 0;
		return FTP_S_USAGE;
	}
	listparse_init(&all);
	enum ftp_status st = ftp_list(f, sbuf_str(&dir), &all);
	if (st == FTP_S_OK)
		glob_keep(&all, sbuf_str(&dir), last, out);
	else
		listparse_free(&all);
	sbuf_free(&dir);
	return st;
}

/* Reads the local directory dir ("" = ".") into l, typed by lstat. */
static int glob_read_local(const char *dir, struct ftp_listing *l)
{
	const char *d = dir[0] != '\0' ? dir : ".";
	DIR *dp = opendir(d);
	struct sbuf path;
	struct dirent *de;

	if (dp == NULL)
		return -1;
	sbuf_init(&path, PATH_LEN_MAX);
	while ((errno = 0, de = readdir(dp)) != NULL) {
		struct stat sb;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    !path_join(&path, d, de->d_name) || lstat(sbuf_str(&path), &sb) < 0)
			continue;
		struct ftp_entry e = { .name = xstrdup(de->d_name), .size = sb.st_size,
				       .mtime = sb.st_mtime, .mtime_exact = true };
		e.display = xstrdup(e.name);
		e.type = S_ISDIR(sb.st_mode) ? FTP_ENTRY_DIR : S_ISREG(sb.st_mode) ? FTP_ENTRY_FILE
		       : S_ISLNK(sb.st_mode) ? FTP_ENTRY_LINK : FTP_ENTRY_OTHER;
		listparse_add(l, &e);
	}
	int err = errno;
	closedir(dp);
	sbuf_free(&path);
	errno = err;
	return err == 0 ? 0 : -1;
}

int glob_local(const char *pattern, struct ftp_listing *out)
{
	struct sbuf dir;
	struct ftp_listing all;
	const char *last;
	int rc = 0;

	sbuf_init(&dir, PATH_LEN_MAX);
	listparse_init(&all);
	if (!glob_split(pattern, &dir, &last)) {
		errno = EINVAL;
		rc = -1;
	} else if (glob_read_local(sbuf_str(&dir), &all) < 0) {
		rc = -1;
	} else {
		glob_keep(&all, sbuf_str(&dir), last, out);
	}
	int err = errno;
	listparse_free(&all);
	sbuf_free(&dir);
	errno = err;
	return rc;
}
