/* cli_list: ls and lls. Both print the same columns, one entry a line:
 * type and permissions, size, date and time (local time), name, and for
 * a symbolic link " -> target"; or (-1) names only; or (--json) one JSON
 * object holding every entry. Remote entries come from the engine's
 * listing (MLSD or LIST); local ones are read into the same struct
 * ftp_listing so one printer serves both. Names are sorted bytewise. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_private.h"
#include "ftp_limits.h"
#include "json.h"
#include "listfmt.h"
#include "listparse.h"
#include "sanitize.h"
#include "sbuf.h"
#include "xalloc.h"

/* The date column's format and width. */
static const char list_date_fmt[] = "%Y-%m-%d %H:%M";
#define LIST_DATE_COLS 16
/* Width of the type and permissions column ("drwxr-xr-x"). */
#define LIST_PERMS_COLS 10

/* The first letter of a mode string for each entry type. */
static const char list_type_letter[] = {
	[FTP_ENTRY_FILE] = '-',
	[FTP_ENTRY_DIR] = 'd',
	[FTP_ENTRY_LINK] = 'l',
	[FTP_ENTRY_OTHER] = '?',
};

/* Orders entries by raw name. */
static int list_by_name(const void *a, const void *b)
{
	const struct ftp_entry *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* Writes the perms column: the server's string, or the type letter
 * alone when the server gave none (MLSD without UNIX.mode). */
static void list_perms(const struct ftp_entry *e, char *out, size_t outsz)
{
	if (e->perms[0] != '\0')
		snprintf(out, outsz, "%s", e->perms);
	else
		snprintf(out, outsz, "%c", list_type_letter[e->type]);
}

/* How a listing is printed. */
enum list_form {
	LIST_LONG,   /* ls, ls -l: type and permissions, size, date, name */
	LIST_NAMES,  /* ls -1: names only */
	LIST_JSON,   /* --json: one object {"path", "entries"} */
};

/* The names JSON gives the entry types. */
static const char *const list_type_name[] = {
	[FTP_ENTRY_FILE] = "file",
	[FTP_ENTRY_DIR] = "dir",
	[FTP_ENTRY_LINK] = "link",
	[FTP_ENTRY_OTHER] = "other",
};

/* Prints l as one JSON object: the path listed and its entries, names as
 * they are (not sanitised; invalid UTF-8 bytes become U+FFFD). */
static void list_print_json(const struct ftp_listing *l, const char *path)
{
	struct sbuf line;
	struct json j;

	sbuf_init(&line, FTP_LISTING_MAX);
	json_begin(&j, &line);
	json_string(&j, "path", path);
	json_array_begin(&j, "entries");
	for (size_t i = 0; i < l->n; i++) {
		const struct ftp_entry *e = &l->v[i];
		json_item_begin(&j);
		json_string(&j, "name", e->name);
		json_string(&j, "type", list_type_name[e->type]);
		if (e->size >= 0)
			json_int(&j, "size", (intmax_t)e->size);
		else
			json_string(&j, "size", NULL);
		json_time(&j, "modified", e->mtime);
		json_string(&j, "perms", e->perms[0] ? e->perms : NULL);
		if (e->type == FTP_ENTRY_LINK)
			json_string(&j, "target", e->target);
		json_item_end(&j);
	}
	json_array_end(&j);
	if (json_end(&j))
		puts(sbuf_str(&line));
	sbuf_free(&line);
}

/* Prints the entries of l, sorted by name, in the form asked for; path
 * is what was listed. */
static void list_print(struct ftp_listing *l, enum list_form form, const char *path)
{
	int size_cols = 1;
	char perms[LISTPARSE_PERMS_MAX + 1], date[LIST_DATE_COLS + 8], size[32];
	struct sbuf line;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof l->v[0], list_by_name);
	if (form == LIST_JSON) {
		list_print_json(l, path);
		return;
	}
	if (form == LIST_NAMES) {
		for (size_t i = 0; i < l->n; i++)
			cli_print(l->v[i].display);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		int w = snprintf(size, sizeof size, "%jd", (intmax_t)l->v[i].size);
		if (l->v[i].size >= 0 && w > size_cols)
			size_cols = w;
	}
	sbuf_init(&line, CLI_MSG_MAX + PATH_LEN_MAX);
	for (size_t i = 0; i < l->n; i++) {
		const struct ftp_entry *e = &l->v[i];
		struct tm tm;
		list_perms(e, perms, sizeof perms);
		if (e->size >= 0)
			snprintf(size, sizeof size, "%jd", (intmax_t)e->size);
		else
			snprintf(size, sizeof size, "-");
		if (e->mtime != 0 && localtime_r(&e->mtime, &tm) != NULL)
			strftime(date, sizeof date, list_date_fmt, &tm);
		else
			snprintf(date, sizeof date, "-");
		sbuf_reset(&line);
		sbuf_printf(&line, "%-*s %*s %-*s %s", LIST_PERMS_COLS, perms, size_cols, size,
			    LIST_DATE_COLS, date, e->display);
		if (e->type == FTP_ENTRY_LINK && e->target != NULL)
			sbuf_printf(&line, " -> %s", e->target);
		cli_print(sbuf_str(&line));
	}
	sbuf_free(&line);
}

/* The form the options and --json ask for. */
static enum list_form list_form(const struct cli *c, const struct cli_args *a)
{
	if (c->opt.json)
		return LIST_JSON;
	return (a->opts & CLI_OPT('1')) && !(a->opts & CLI_OPT('l')) ? LIST_NAMES : LIST_LONG;
}

enum ferry_exit cli_cmd_ls(struct cli *c, const struct cli_args *a)
{
	struct ftp_listing l;
	const char *path = a->argc > 0 ? a->argv[0] : NULL;

	listparse_init(&l);
	enum ftp_status st = ftp_list(c->ftp, path, &l);
	if (st == FTP_S_OK)
		list_print(&l, list_form(c, a), path ? path : ftp_dir(c->ftp));
	listparse_free(&l);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

/* Adds the local file at path, shown as name, to l. */
static void list_add_local(struct ftp_listing *l, const char *path, const char *name)
{
	struct stat sb;
	char shown[PATH_LEN_MAX];

	if (lstat(path, &sb) < 0)
		return;   /* gone since it was listed */
	struct ftp_entry entry = { 0 };
	struct ftp_entry *e = &entry;
	e->name = xstrdup(name);
	e->display = xstrdup(sanitize_text(name, strlen(name), shown, sizeof shown));
	e->type = S_ISDIR(sb.st_mode) ? FTP_ENTRY_DIR : S_ISLNK(sb.st_mode) ? FTP_ENTRY_LINK :
		  S_ISREG(sb.st_mode) ? FTP_ENTRY_FILE : FTP_ENTRY_OTHER;
	e->size = sb.st_size;
	e->mtime = sb.st_mtime;
	listfmt_mode_string(sb.st_mode, e->perms);
	if (S_ISLNK(sb.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n >= 0) {
			target[n] = '\0';
			e->target = xstrdup(sanitize_text(target, (size_t)n, shown, sizeof shown));
		}
	}
	listparse_add(l, e);
}

enum ferry_exit cli_cmd_lls(struct cli *c, const struct cli_args *a)
{
	const char *dir = a->argc > 0 ? a->argv[0] : ".";
	struct ftp_listing l;
	struct stat sb;
	struct sbuf path;

	if (lstat(dir, &sb) < 0)
		return cli_fail_errno(c, errno, dir);
	listparse_init(&l);
	if (!S_ISDIR(sb.st_mode)) {
		list_add_local(&l, dir, dir);
		list_print(&l, list_form(c, a), dir);
		listparse_free(&l);
		return FERRY_EXIT_OK;
	}
	DIR *d = opendir(dir);
	if (d == NULL)
		return cli_fail_errno(c, errno, dir);
	sbuf_init(&path, PATH_LEN_MAX);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sbuf_reset(&path);
		if (sbuf_puts(&path, dir) && sbuf_puts(&path, "/") && sbuf_puts(&path, de->d_name))
			list_add_local(&l, sbuf_str(&path), de->d_name);
	}
	closedir(d);
	sbuf_free(&path);
	list_print(&l, list_form(c, a), dir);
	listparse_free(&l);
	return FERRY_EXIT_OK;
}
