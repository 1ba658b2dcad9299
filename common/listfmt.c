/* listfmt: LIST and MLSx line formatting. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "listfmt.h"

static const char *const fact_names[] = { "type", "size", "modify", "perm", "unique" };

void listfmt_mode_string(mode_t m, char mode[11])
{
	char t = '-';
	if (S_ISDIR(m)) t = 'd';
	else if (S_ISLNK(m)) t = 'l';
	else if (S_ISCHR(m)) t = 'c';
	else if (S_ISBLK(m)) t = 'b';
	else if (S_ISFIFO(m)) t = 'p';
	else if (S_ISSOCK(m)) t = 's';
	mode[0] = t;
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		mode[1 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	if (m & S_ISUID) mode[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID) mode[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX) mode[9] = (m & S_IXOTH) ? 't' : 'T';
	mode[10] = '\0';
}

bool listfmt_ls(struct sbuf *out, const char *name, const struct stat *st,
		const char *link_target, time_t now)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char mode[11];
	char when[32];  /* room for any int gmtime_r can return */
	struct tm tm;
	time_t mt = st->st_mtime;

	listfmt_mode_string(st->st_mode, mode);
	gmtime_r(&mt, &tm);
	/* Like ls: the time of day within the last six months, else the year. */
	const time_t half_year = 182 * 24 * 3600;
	if (mt > now - half_year && mt < now + 3600)
		snprintf(when, sizeof when, "%s %2d %02d:%02d", months[tm.tm_mon],
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
	else
		snprintf(when, sizeof when, "%s %2d  %4d", months[tm.tm_mon], tm.tm_mday,
			 tm.tm_year + 1900);
	bool ok = sbuf_printf(out, "%s %3ju %-8ju %-8ju %12jd %s %s", mode,
			      (uintmax_t)st->st_nlink, (uintmax_t)st->st_uid,
			      (uintmax_t)st->st_gid, (intmax_t)st->st_size, when, name);
	if (ok && link_target != NULL)
		ok = sbuf_printf(out, " -> %s", link_target);
	return ok && sbuf_puts(out, "\r\n");
}

void listfmt_time(time_t t, char *out, size_t outsz)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, outsz, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

bool listfmt_mlsx(struct sbuf *out, unsigned facts, const char *name,
		  const struct stat *st, const char *type, const char *perm)
{
	bool ok = true;
	char t[16];
	if (type == NULL)
		type = S_ISDIR(st->st_mode) ? "dir" :
		       S_ISREG(st->st_mode) ? "file" :
		       S_ISLNK(st->st_mode) ? "OS.unix=symlink" : "OS.unix=special";
	if (facts & MLST_MODIFY)
		listfmt_time(st->st_mtime, t, sizeof t);
	if (facts == MLST_ALL && perm != NULL)   /* the usual case, in one call */
		return sbuf_printf(out, "type=%s;size=%jd;modify=%s;perm=%s;unique=%jxg%jx; %s\r\n",
				   type, (intmax_t)st->st_size, t, perm, (uintmax_t)st->st_dev,
				   (uintmax_t)st->st_ino, name);
	if (facts & MLST_TYPE)
		ok = ok && sbuf_printf(out, "type=%s;", type);
	if (facts & MLST_SIZE)
		ok = ok && sbuf_printf(out, "size=%jd;", (intmax_t)st->st_size);
	if (facts & MLST_MODIFY)
		ok = ok && sbuf_printf(out, "modify=%s;", t);
	if ((facts & MLST_PERM) && perm != NULL)
		ok = ok && sbuf_printf(out, "perm=%s;", perm);
	if (facts & MLST_UNIQUE)
		ok = ok && sbuf_printf(out, "unique=%jxg%jx;", (uintmax_t)st->st_dev,
				       (uintmax_t)st->st_ino);
	return ok && sbuf_printf(out, " %s\r\n", name);
}

unsigned listfmt_parse_facts(const char *s)
{
	unsigned mask = 0;
	while (*s) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		for (size_t i = 0; i < sizeof fact_names / sizeof fact_names[0]; i++)
			if (strlen(fact_names[i]) == n && strncasecmp(fact_names[i], s, n) == 0)
				mask |= 1u << i;
		s += n;
		if (*s == ';')
			s++;
	}
	return mask;
}

bool listfmt_facts_string(struct sbuf *out, unsigned enabled, bool stars)
{
	bool ok = true;
	for (size_t i = 0; i < sizeof fact_names / sizeof fact_names[0]; i++) {
		bool on = enabled & (1u << i);
		if (stars)
			ok = ok && sbuf_printf(out, "%s%s;", fact_names[i], on ? "*" : "");
		else if (on)
			ok = ok && sbuf_printf(out, "%s;", fact_names[i]);
	}
	return ok;
}
