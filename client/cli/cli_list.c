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
#include "digits.h"
#include "ftp_limits.h"
#include "json.h"
#include "listfmt.h"
#include "listparse.h"
#include "sanitize.h"
#include "sbuf.h"
#include "tree.h"
#include "xalloc.h"

/* The date column's format and width. */
static const char list_date_fmt[] = "%Y-%m-%d %H:%M";
static const char list_day_fmt[] = "%Y-%m-%d";
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

/* Listing lines on their way to stdout: gathered into one buffer and
 * written LIST_OUT_CHUNK bytes at a time. Each line is what cli_print
 * would print (sanitised, cut at the same length). */
#define LIST_OUT_LINE_MAX (CLI_MSG_MAX + PATH_LEN_MAX)
#define LIST_OUT_CHUNK (64 * 1024)
struct list_out {
	char *buf;
	size_t len;
};

static void list_out_flush(struct list_out *o)
{
	if (o->len > 0)
		fwrite(o->buf, 1, o->len, stdout);
	o->len = 0;
}

static void list_out_line(struct list_out *o, const char *text, size_t n)
{
	if (o->len + LIST_OUT_LINE_MAX + 1 > LIST_OUT_CHUNK)
		list_out_flush(o);
	char *at = o->buf + o->len;
	sanitize_text(text, n, at, LIST_OUT_LINE_MAX);
	o->len += strlen(at);
	o->buf[o->len++] = '\n';
}

/* Writes s padded with blanks to width at p, on the left (right aligned)
 * or on the right, then one blank; returns the end. width is at most
 * LIST_COL_MAX. */
#define LIST_COL_MAX 24
static char *list_col(char *p, const char *s, size_t width, bool right)
{
	size_t n = strlen(s);
	size_t pad = n < width ? width - n : 0;
	if (right) {
		memset(p, ' ', pad);
		p += pad;
	}
	memcpy(p, s, n);
	p += n;
	if (!right) {
		memset(p, ' ', pad);
		p += pad;
	}
	*p++ = ' ';
	return p;
}

/* Writes v in decimal into num as a string; returns num. */
static const char *list_decimal(intmax_t v, char num[DIGITS_MAX + 1])
{
	num[digits_int(num, v)] = '\0';
	return num;
}

/* The date column of one time, remembered for the next entry: a listing's
 * entries often share their times. */
struct list_date {
	time_t t;
	bool day;
	bool known;
	char text[LIST_DATE_COLS + 8];
};

/* The date column of e's time: in local time; a LIST date without a time
 * of day (midnight UTC, as it was parsed) is that date alone, since moving
 * it to another zone would make up a time and could change the day. */
static const char *list_date(struct list_date *d, const struct ftp_entry *e)
{
	time_t t = e->mtime;
	bool day = !e->mtime_exact && t % 86400 == 0;
	if (d->known && d->t == t && d->day == day)
		return d->text;
	struct tm tm;
	if (t != 0 && day && gmtime_r(&t, &tm) != NULL)
		strftime(d->text, sizeof d->text, list_day_fmt, &tm);
	else if (t != 0 && localtime_r(&t, &tm) != NULL)
		strftime(d->text, sizeof d->text, list_date_fmt, &tm);
	else
		snprintf(d->text, sizeof d->text, "-");
	d->t = t;
	d->day = day;
	d->known = true;
	return d->text;
}

/* True if l is already in list_by_name's order (servers mostly send
 * sorted listings). */
static bool list_sorted(const struct ftp_listing *l)
{
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(l->v[i - 1].name, l->v[i].name) > 0)
			return false;
	return true;
}

/* Prints the entries of l, sorted by name, in the form asked for; path
 * is what was listed. Each line is what cli_print would print of
 * "%-10s %*s %-16s %s[ -> target]" (type and permissions, size, date,
 * name), put together without printf: a listing of 10,000 entries is
 * 10,000 of them. */
static void list_print(struct ftp_listing *l, enum list_form form, const char *path)
{
	size_t size_cols = 1;
	char num[DIGITS_MAX + 1];
	struct sbuf line;
	struct list_out out = { 0 };
	struct list_date date = { 0 };

	if (l->n > 1 && !list_sorted(l))
		qsort(l->v, l->n, sizeof l->v[0], list_by_name);
	if (form == LIST_JSON) {
		list_print_json(l, path);
		return;
	}
	out.buf = xmalloc(LIST_OUT_CHUNK);
	if (form == LIST_NAMES) {
		for (size_t i = 0; i < l->n; i++)
			list_out_line(&out, l->v[i].display, strlen(l->v[i].display));
		list_out_flush(&out);
		free(out.buf);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		size_t w = digits_int(num, (intmax_t)l->v[i].size);
		if (l->v[i].size >= 0 && w > size_cols)
			size_cols = w;
	}
	sbuf_init(&line, LIST_OUT_LINE_MAX);
	for (size_t i = 0; i < l->n; i++) {
		const struct ftp_entry *e = &l->v[i];
		/* Type and permissions: the server's string, or the type
		 * letter alone when the server gave none (MLSD without
		 * UNIX.mode); size; date. */
		char head[LISTPARSE_PERMS_MAX + 3 * LIST_COL_MAX], *p = head;
		char type[2] = { list_type_letter[e->type], '\0' };
		p = list_col(p, e->perms[0] != '\0' ? e->perms : type, LIST_PERMS_COLS, false);
		p = list_col(p, e->size >= 0 ? list_decimal((intmax_t)e->size, num) : "-",
			     size_cols, true);
		p = list_col(p, list_date(&date, e), LIST_DATE_COLS, false);
		sbuf_reset(&line);
		sbuf_append(&line, head, (size_t)(p - head));
		/* A line too long for the buffer is left empty, as by
		 * sbuf_printf. */
		if (!sbuf_append(&line, e->display, strlen(e->display)))
			sbuf_reset(&line);
		if (e->type == FTP_ENTRY_LINK && e->target != NULL)
			sbuf_printf(&line, " -> %s", e->target);
		list_out_line(&out, sbuf_str(&line), line.len);
	}
	list_out_flush(&out);
	free(out.buf);
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
	/* LIST of a name that is not there may come back empty (vsftpd):
	 * nothing listed stands only for a directory. */
	if (st == FTP_S_OK && path != NULL && l.n == 0 && l.skipped == 0 &&
	    ftp_list_by_list(c->ftp)) {
		bool dir;
		st = tree_remote_is_dir(c->ftp, path, &dir);
		if (st == FTP_S_OK && !dir)
			st = FTP_S_REFUSED;
	}
	if (st == FTP_S_OK)
		list_print(&l, list_form(c, a), path ? path : ftp_dir(c->ftp));
	if (st == FTP_S_OK && l.skipped > 0)
		cli_note_partial(c, path ? path : ftp_dir(c->ftp), &l);
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
