/* listparse: MLSD facts and LIST lines into entries (see listparse.h).
 * Lenient about spacing and column layout, strict about every number:
 * a LIST line is recognised by its shape (a mode string, then somewhere a
 * size followed by a date), not by fixed columns, because servers differ
 * in how many owner/group columns they print and how wide. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civil.h"
#include "listparse.h"
#include "sanitize.h"
#include "xalloc.h"

/* Tokens looked at in a LIST line: enough for mode, links, owner, group,
 * size, three date fields and a few extra columns some servers add. */
#define LP_MAX_TOKENS 14
/* A time of day in the future by more than this means last year's date
 * (ls shows the time only for recent files; servers' clocks and time
 * zones differ by up to a day). */
#define LP_FUTURE_SLACK (2 * 24 * 3600)
/* Two-digit years below this are 20xx, others 19xx (DOS listings). */
#define LP_PIVOT_YEAR 70

/* One whitespace-separated word of a line. */
struct lp_token {
	const char *p;  /* first byte */
	size_t n;       /* length */
};

static const char month_names[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
					 "jul", "aug", "sep", "oct", "nov", "dec" };

void listparse_init(struct ftp_listing *l)
{
	memset(l, 0, sizeof *l);
}

void listparse_entry_free(struct ftp_entry *e)
{
	free(e->name);
	free(e->display);
	free(e->target);
	free(e->unique);
	e->name = e->display = e->target = e->unique = NULL;
}

void listparse_free(struct ftp_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		listparse_entry_free(&l->v[i]);
	free(l->v);
	listparse_init(l);
}

void listparse_add_skipped(struct ftp_listing *l, const struct ftp_listing *from)
{
	if (l->skipped == 0)
		memcpy(l->first_skipped, from->first_skipped, sizeof l->first_skipped);
	l->skipped += from->skipped;
}

static int lp_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A link target that names an entry of the same folder LIST shows. */
static bool lp_local_target(const char *t)
{
	return t != NULL && t[0] != '\0' && t[0] != '.' && strchr(t, '/') == NULL;
}

void listparse_mark_broken(const struct ftp_listing *l, bool *broken)
{
	size_t links = 0;
	for (size_t i = 0; i < l->n; i++) {
		broken[i] = false;
		links += lp_local_target(l->v[i].target);
	}
	if (links == 0)
		return;
	/* Sorted names, so a folder of many links costs n log n. */
	char **names = xmalloc(l->n * sizeof *names);
	for (size_t i = 0; i < l->n; i++)
		names[i] = l->v[i].display;
	qsort(names, l->n, sizeof *names, lp_cmp_names);
	for (size_t i = 0; i < l->n; i++) {
		const char *t = l->v[i].target;
		if (lp_local_target(t))
			broken[i] = bsearch(&t, names, l->n, sizeof *names, lp_cmp_names) == NULL;
	}
	free(names);
}

/* Returns a sanitised, NUL-terminated copy of n bytes; the caller frees. */
static char *lp_sanitised(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);  /* sanitising never lengthens text */
	return sanitize_text(s, n, out, n + 1);
}

/* Fills the name fields of e from n bytes at s. */
static void lp_set_name(struct ftp_entry *e, const char *s, size_t n)
{
	e->name = xstrndup(s, n);
	e->display = lp_sanitised(s, n);
}

/* True for the names a listing never shows as entries. */
static bool lp_dot_name(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.');
}

/* Resets e to "nothing known". */
static void lp_entry_clear(struct ftp_entry *e)
{
	memset(e, 0, sizeof *e);
	e->type = FTP_ENTRY_OTHER;
	e->size = -1;
}

/* Parses n decimal digits into *v; false on anything else or overflow. */
static bool lp_number(const char *s, size_t n, long long *v)
{
	long long x = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (x > (INT64_MAX - (s[i] - '0')) / 10)
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

/* True if the n bytes are all digits. */
static bool lp_digits(const char *s, size_t n)
{
	long long v;
	return lp_number(s, n, &v);
}

/* Builds a UTC time from calendar fields checked for range; 0 if invalid.
 * The arithmetic gives what timegm gives (a day 31 of a shorter month and
 * second 60 carry over), without timegm's cost per call: a listing of
 * 10,000 entries makes 10,000 of them. */
static time_t lp_time(long long year, long long mon, long long day, long long hour,
		      long long min, long long sec)
{
	if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
	    hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
		return 0;
	return (time_t)(civil_to_days(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec);
}

/* ---- MLSx ------------------------------------------------------------- */

/* c in lower case, for ASCII letters only: facts are compared the same
 * way in every locale. */
static unsigned char lp_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* True if the fact name (n bytes) is want, ignoring ASCII case (RFC 3659
 * 7.5). */
static bool lp_fact_is(const char *s, size_t n, const char *want)
{
	if (strlen(want) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lp_lower((unsigned char)s[i]) != lp_lower((unsigned char)want[i]))
			return false;
	return true;
}

/* The facts an entry takes from an MLSx line. */
enum lp_fact_name {
	LP_FACT_OTHER, LP_FACT_TYPE, LP_FACT_SIZE, LP_FACT_MODIFY, LP_FACT_UNIQUE, LP_FACT_MODE
};

/* Which fact the name (n bytes) is. */
static enum lp_fact_name lp_fact(const char *s, size_t n)
{
	switch (n) {
	case 4:
		return lp_fact_is(s, n, "type") ? LP_FACT_TYPE :
		       lp_fact_is(s, n, "size") ? LP_FACT_SIZE : LP_FACT_OTHER;
	case 6:
		return lp_fact_is(s, n, "modify") ? LP_FACT_MODIFY :
		       lp_fact_is(s, n, "unique") ? LP_FACT_UNIQUE : LP_FACT_OTHER;
	case 9:
		return lp_fact_is(s, n, "UNIX.mode") ? LP_FACT_MODE : LP_FACT_OTHER;
	default:
		return LP_FACT_OTHER;
	}
}

bool listparse_reads_fact(const char *s, size_t n)
{
	return lp_fact(s, n) != LP_FACT_OTHER;
}

/* Applies a "type" fact's value. Returns false for cdir/pdir (leave out). */
static bool lp_mlsx_type(struct ftp_entry *e, const char *v, size_t n)
{
	static const char slink[] = "OS.unix=slink:";
	static const char symlink[] = "OS.unix=symlink";

	if (lp_fact_is(v, n, "cdir") || lp_fact_is(v, n, "pdir"))
		return false;
	if (lp_fact_is(v, n, "file"))
		e->type = FTP_ENTRY_FILE;
	else if (lp_fact_is(v, n, "dir"))
		e->type = FTP_ENTRY_DIR;
	else if (lp_fact_is(v, n, symlink))
		e->type = FTP_ENTRY_LINK;
	else if (n >= sizeof slink - 1 && strncasecmp(v, slink, sizeof slink - 1) == 0) {
		/* proftpd: "OS.unix=slink:/target"; pure-ftpd leaves it empty. */
		e->type = FTP_ENTRY_LINK;
		size_t tn = n - (sizeof slink - 1);
		if (tn > 0 && e->target == NULL)
			e->target = lp_sanitised(v + sizeof slink - 1, tn);
	} else
		e->type = FTP_ENTRY_OTHER;
	return true;
}

time_t listparse_time_val(const char *v, size_t n)
{
	if (n < 14 || (n > 14 && v[14] != '.'))
		return 0;
	for (size_t i = 0; i < 14; i++)
		if (v[i] < '0' || v[i] > '9')
			return 0;
#define LP_2DIGITS(i) ((v[i] - '0') * 10 + (v[(i) + 1] - '0'))
	return lp_time(LP_2DIGITS(0) * 100 + LP_2DIGITS(2), LP_2DIGITS(4), LP_2DIGITS(6),
		       LP_2DIGITS(8), LP_2DIGITS(10), LP_2DIGITS(12));
#undef LP_2DIGITS
}

/* Writes an `ls -l` mode string for an octal UNIX.mode fact into perms
 * ("0644"; pyftpdlib writes Python's "0o644"). */
static void lp_mode_perms(struct ftp_entry *e, const char *v, size_t n)
{
	unsigned mode = 0;
	if (n > 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) {
		v += 2;
		n -= 2;
	}
	if (n == 0 || n > 6)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7')
			return;
		mode = mode << 3 | (unsigned)(v[i] - '0');
	}
	static const char rwx[] = "rwxrwxrwx";
	char *p = e->perms;
	p[0] = e->type == FTP_ENTRY_DIR ? 'd' : e->type == FTP_ENTRY_LINK ? 'l' :
	       e->type == FTP_ENTRY_FILE ? '-' : '?';
	for (int i = 0; i < 9; i++)
		p[1 + i] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	if (mode & 04000) p[3] = (mode & 0100) ? 's' : 'S';
	if (mode & 02000) p[6] = (mode & 0010) ? 's' : 'S';
	if (mode & 01000) p[9] = (mode & 0001) ? 't' : 'T';
	p[10] = '\0';
}

/* Applies the fact from f to end (eq at its '='): the entry's type, size,
 * time, unique fact, or where its UNIX.mode is. Returns keep, or false for a "type"
 * the listing leaves out. */
static bool lp_mlsx_fact(struct ftp_entry *e, const char *f, const char *eq, const char *end,
			 bool keep, const char **mode, size_t *mode_len)
{
	const char *v = eq + 1;
	size_t vn = (size_t)(end - v);
	long long num;
	switch (lp_fact(f, (size_t)(eq - f))) {
	case LP_FACT_TYPE:
		return lp_mlsx_type(e, v, vn);
	case LP_FACT_SIZE:
		if (lp_number(v, vn, &num))
			e->size = (off_t)num;
		break;
	case LP_FACT_MODIFY:
		e->mtime = listparse_time_val(v, vn);
		break;
	case LP_FACT_UNIQUE:
		/* which object the entry is (RFC 3659 7.5.2): a directory
		 * shown under two names has one */
		if (vn > 0 && e->unique == NULL)
			e->unique = xstrndup(v, vn);
		break;
	case LP_FACT_MODE:
		*mode = v;
		*mode_len = vn;
		break;
	case LP_FACT_OTHER:
		break;
	}
	return keep;
}

int listparse_mlsx(const char *line, size_t len, struct ftp_entry *e)
{
	const char *name;

	lp_entry_clear(e);
	if (len == 0)
		return -1;
	const char *mode = NULL;
	size_t mode_len = 0;
	bool keep = true;
	if (line[0] == ' ') {           /* no facts at all */
		name = line + 1;
	} else {
		/* Facts "name=value;" end with ";" and one space; names may
		 * hold both. One pass over the bytes: a line's facts are
		 * short, shorter than what a call of memchr is worth. */
		const char *f = line, *eq = NULL;
		size_t i;
		for (i = 0;; i++) {
			if (i + 1 >= len || line[i] == '\0') {
				listparse_entry_free(e);
				return -1;
			}
			if (line[i] == '=' && eq == NULL) {
				eq = line + i;
			} else if (line[i] == ';') {
				if (eq != NULL)
					keep = lp_mlsx_fact(e, f, eq, line + i, keep, &mode, &mode_len);
				if (line[i + 1] == ' ')
					break;
				f = line + i + 1;
				eq = NULL;
			}
		}
		name = line + i + 2;
	}
	size_t name_len = len - (size_t)(name - line);
	if (name_len == 0 || memchr(name, '\0', name_len) != NULL) {
		listparse_entry_free(e);
		return -1;
	}
	e->mtime_exact = e->mtime != 0;
	if (!keep || lp_dot_name(name, name_len)) {
		listparse_entry_free(e);
		return 0;
	}
	if (mode != NULL)
		lp_mode_perms(e, mode, mode_len);
	lp_set_name(e, name, name_len);
	return 1;
}

/* ---- LIST ------------------------------------------------------------- */

/* Splits up to LP_MAX_TOKENS words off the line; returns how many. */
static size_t lp_tokens(const char *s, size_t n, struct lp_token *t)
{
	size_t count = 0, i = 0;
	while (count < LP_MAX_TOKENS) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		t[count].p = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		t[count].n = (size_t)(s + i - t[count].p);
		count++;
	}
	return count;
}

/* True for an `ls -l` mode string, with an optional ACL/xattr mark. */
static bool lp_is_mode(const struct lp_token *t)
{
	static const char types[] = "-dlcbpsDn";
	static const char bits[] = "-rwxsStTlL";
	if (t->n < 10 || t->n > LISTPARSE_PERMS_MAX - 1)
		return false;
	if (memchr(types, t->p[0], sizeof types - 1) == NULL)
		return false;
	for (size_t i = 1; i < 10; i++)
		if (memchr(bits, t->p[i], sizeof bits - 1) == NULL)
			return false;
	return true;
}

/* Returns 1..12 for an English month abbreviation, else 0. */
static int lp_month(const struct lp_token *t)
{
	if (t->n != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(t->p, month_names[i], 3) == 0)
			return i + 1;
	return 0;
}

/* Parses "H:MM" or "HH:MM" into *h and *m. */
static bool lp_hhmm(const char *s, size_t n, long long *h, long long *m)
{
	const char *colon = memchr(s, ':', n);
	if (colon == NULL)
		return false;
	size_t hn = (size_t)(colon - s);
	return hn >= 1 && hn <= 2 && n - hn - 1 == 2 && lp_number(s, hn, h) &&
	       lp_number(colon + 1, 2, m) && *h <= 23 && *m <= 59;
}

/* Dates `ls -l` prints: "Mon DD HH:MM" (the year is worked out from now)
 * or "Mon DD YYYY". Returns the time, or -1 if the tokens are no date. */
static time_t lp_ls_date(const struct lp_token *t, time_t now)
{
	int mon = lp_month(&t[0]);
	long long day, year, h, m;
	if (mon == 0 || t[1].n > 2 || !lp_number(t[1].p, t[1].n, &day) || day < 1 || day > 31)
		return -1;
	if (lp_hhmm(t[2].p, t[2].n, &h, &m)) {
		struct tm tm;
		gmtime_r(&now, &tm);
		year = tm.tm_year + 1900;
		time_t when = lp_time(year, mon, day, h, m, 0);
		if (when > now + LP_FUTURE_SLACK)
			when = lp_time(year - 1, mon, day, h, m, 0);
		return when;
	}
	if (t[2].n == 4 && lp_number(t[2].p, 4, &year))
		return lp_time(year, mon, day, 0, 0, 0);
	return -1;
}

/* ISO dates some servers print (ls --time-style=long-iso):
 * "YYYY-MM-DD HH:MM". Returns the time, or -1. */
static time_t lp_iso_date(const struct lp_token *t)
{
	long long y, mo, d, h, m;
	const char *s = t[0].p;
	if (t[0].n != 10 || s[4] != '-' || s[7] != '-' || !lp_number(s, 4, &y) ||
	    !lp_number(s + 5, 2, &mo) || !lp_number(s + 8, 2, &d) ||
	    !lp_hhmm(t[1].p, t[1].n, &h, &m))
		return -1;
	time_t when = lp_time(y, mo, d, h, m, 0);
	return when == 0 ? -1 : when;
}

/* Parses a Unix `ls -l` line whose first token is a mode string. */
static int lp_unix(const char *line, size_t len, const struct lp_token *t, size_t nt,
		   time_t now, struct ftp_entry *e)
{
	time_t when = -1;
	const struct lp_token *last = NULL;   /* the date's last token */
	size_t size_tok = 0;

	/* The size is the number just before the date; owner and group
	 * columns before it vary (missing group, names with digits). */
	for (size_t i = 2; i + 1 < nt && last == NULL; i++) {
		if (!lp_digits(t[i - 1].p, t[i - 1].n))
			continue;
		if (i + 2 < nt && (when = lp_ls_date(&t[i], now)) >= 0)
			last = &t[i + 2];
		else if ((when = lp_iso_date(&t[i])) >= 0)
			last = &t[i + 1];
		if (last != NULL)
			size_tok = i - 1;
	}
	if (last == NULL)
		return -1;
	/* The name follows the date after exactly one space. */
	const char *name = last->p + last->n + 1;
	if (name >= line + len)
		return -1;
	size_t name_len = (size_t)(line + len - name);

	switch (t[0].p[0]) {
	case '-': e->type = FTP_ENTRY_FILE; break;
	case 'd': e->type = FTP_ENTRY_DIR; break;
	case 'l': e->type = FTP_ENTRY_LINK; break;
	default: e->type = FTP_ENTRY_OTHER; break;
	}
	if (e->type == FTP_ENTRY_LINK) {
		const char *arrow = NULL;
		for (size_t i = 0; i + 4 <= name_len; i++)
			if (memcmp(name + i, " -> ", 4) == 0) {
				arrow = name + i;
				break;
			}
		if (arrow != NULL) {
			const char *target = arrow + 4;
			e->target = lp_sanitised(target, (size_t)(name + name_len - target));
			name_len = (size_t)(arrow - name);
		}
	}
	if (name_len == 0 || lp_dot_name(name, name_len)) {
		listparse_entry_free(e);
		return name_len == 0 ? -1 : 0;
	}
	long long size;
	if (e->type != FTP_ENTRY_OTHER && lp_number(t[size_tok].p, t[size_tok].n, &size))
		e->size = (off_t)size;
	e->mtime = when;
	memcpy(e->perms, t[0].p, t[0].n);
	e->perms[t[0].n] = '\0';
	lp_set_name(e, name, name_len);
	return 1;
}

/* Parses a DOS date "MM-DD-YY" or "MM-DD-YYYY" ('/' also accepted). */
static bool lp_dos_date(const struct lp_token *t, long long *y, long long *mo, long long *d)
{
	const char *s = t->p;
	if ((t->n != 8 && t->n != 10) || (s[2] != '-' && s[2] != '/') || s[5] != s[2] ||
	    !lp_number(s, 2, mo) || !lp_number(s + 3, 2, d) || !lp_number(s + 6, t->n - 6, y))
		return false;
	if (t->n == 8)
		*y += *y < LP_PIVOT_YEAR ? 2000 : 1900;
	return true;
}

/* Parses a DOS time "HH:MM", "HH:MMAM" or "HH:MMPM" (the AM/PM may also be
 * the next token, which *used then counts). */
static bool lp_dos_time(const struct lp_token *t, size_t avail, long long *h, long long *m,
			size_t *used)
{
	size_t n = t[0].n;
	const char *ampm = NULL;
	*used = 1;
	if (n > 2 && (strncasecmp(t[0].p + n - 2, "AM", 2) == 0 ||
		      strncasecmp(t[0].p + n - 2, "PM", 2) == 0)) {
		ampm = t[0].p + n - 2;
		n -= 2;
	} else if (avail > 1 && t[1].n == 2 && (strncasecmp(t[1].p, "AM", 2) == 0 ||
						strncasecmp(t[1].p, "PM", 2) == 0)) {
		ampm = t[1].p;
		*used = 2;
	}
	if (!lp_hhmm(t[0].p, n, h, m))
		return false;
	if (ampm != NULL) {
		if (*h < 1 || *h > 12)
			return false;
		bool pm = ampm[0] == 'P' || ampm[0] == 'p';
		*h = (*h % 12) + (pm ? 12 : 0);
	}
	return true;
}

/* Parses a DOS/Windows (IIS) line: date, time, "<DIR>" or size, name. */
static int lp_dos(const char *line, size_t len, const struct lp_token *t, size_t nt,
		  struct ftp_entry *e)
{
	long long y, mo, d, h, m;
	size_t used;
	if (nt < 4 || !lp_dos_date(&t[0], &y, &mo, &d) || !lp_dos_time(&t[1], nt - 1, &h, &m, &used))
		return -1;
	time_t when = lp_time(y, mo, d, h, m, 0);
	if (when == 0)
		return -1;
	if (2 + used > nt)
		return -1;
	const struct lp_token *sz = &t[1 + used];
	if (sz->n == 5 && memcmp(sz->p, "<DIR>", 5) == 0) {
		e->type = FTP_ENTRY_DIR;
	} else {
		/* Sizes may be grouped with commas ("1,234,567"). */
		long long size = 0;
		size_t digits = 0;
		for (size_t i = 0; i < sz->n; i++) {
			if (sz->p[i] == ',')
				continue;
			if (sz->p[i] < '0' || sz->p[i] > '9' || size > (INT64_MAX - 9) / 10)
				return -1;
			size = size * 10 + (sz->p[i] - '0');
			digits++;
		}
		if (digits == 0)
			return -1;
		e->type = FTP_ENTRY_FILE;
		e->size = (off_t)size;
	}
	/* The name is the rest of the line after the column's spaces. */
	const char *name = sz->p + sz->n;
	while (name < line + len && (*name == ' ' || *name == '\t'))
		name++;
	size_t name_len = (size_t)(line + len - name);
	if (name_len == 0)
		return -1;
	if (lp_dot_name(name, name_len))
		return 0;
	e->mtime = when;
	lp_set_name(e, name, name_len);
	return 1;
}

int listparse_list(const char *line, size_t len, time_t now, struct ftp_entry *e)
{
	struct lp_token t[LP_MAX_TOKENS];

	lp_entry_clear(e);
	if (memchr(line, '\0', len) != NULL)
		return -1;
	size_t nt = lp_tokens(line, len, t);
	if (nt == 0)
		return 0;
	if (nt == 2 && t[0].n == 5 && strncasecmp(t[0].p, "total", 5) == 0 &&
	    lp_digits(t[1].p, t[1].n))
		return 0;
	if (lp_is_mode(&t[0]))
		return lp_unix(line, len, t, nt, now, e);
	return lp_dos(line, len, t, nt, e);
}

void listparse_add(struct ftp_listing *l, const struct ftp_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, cap * sizeof *l->v);  /* bounded by the listing size */
		l->cap = cap;
	}
	l->v[l->n++] = *e;
}

/* True for a LIST line that listparse_list left out (r == 0) naming a
 * directory "." (ls -a's line for the directory listed). */
static bool lp_self_line(const char *line, size_t n, int r)
{
	return r == 0 && n > 2 && line[0] == 'd' && line[n - 2] == ' ' && line[n - 1] == '.';
}

void listparse_buffer(const char *data, size_t len, bool mlsx, time_t now,
		      struct ftp_listing *out)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		struct ftp_entry e;
		int r = mlsx ? listparse_mlsx(p, n, &e) : listparse_list(p, n, now, &e);
		if (r > 0) {
			listparse_add(out, &e);
		} else if (!mlsx && lp_self_line(p, n, r)) {
			out->self_seen = true;
		} else if (r < 0 && n > 0) {
			if (out->skipped++ == 0)
				sanitize_text_elided(p, n, out->first_skipped,
						     sizeof out->first_skipped,
						     sizeof out->first_skipped - 1);
		}
		p = nl ? nl + 1 : end;
	}
}
