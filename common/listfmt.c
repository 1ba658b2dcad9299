/* listfmt: LIST and MLSx line formatting. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civil.h"
#include "digits.h"
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

/* Writes v (0..99) as two digits at p. */
static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* The last second of 9999-12-31 (UTC): times up to it have four-digit
 * years, which the arithmetic below writes without gmtime_r (whose time
 * zone lock a listing would take once per entry). */
#define LAST_4DIGIT_YEAR_TIME ((time_t)253402300799)

static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Writes the n bytes at src into a field of width bytes at p, padded with
 * spaces on the left (right) or on the right (!right); a longer value
 * takes the room it needs, as printf's widths do. Returns the bytes
 * written. */
static size_t put_field(char *p, const char *src, size_t n, size_t width, bool right)
{
	size_t pad = n < width ? width - n : 0;
	if (right) {
		memset(p, ' ', pad);
		memcpy(p + pad, src, n);
	} else {
		memcpy(p, src, n);
		memset(p + n, ' ', pad);
	}
	return n + pad;
}

/* The LIST line of an entry whose time has a four-digit year, written
 * without printf: the same bytes as the general case below. */
static bool ls_line_fast(struct sbuf *out, const char *name, const struct stat *st,
			 const char *link_target, time_t now)
{
	time_t mt = st->st_mtime;
	long long sec = (long long)(mt % 86400), year, month, day;
	civil_from_days((long long)(mt / 86400), &year, &month, &day);
	char f[160], num[DIGITS_MAX];
	char *p = f;
	listfmt_mode_string(st->st_mode, p);
	p += 10;
	*p++ = ' ';
	p += put_field(p, num, digits_uint(num, (uintmax_t)st->st_nlink, 10), 3, true);
	*p++ = ' ';
	p += put_field(p, num, digits_uint(num, (uintmax_t)st->st_uid, 10), 8, false);
	*p++ = ' ';
	p += put_field(p, num, digits_uint(num, (uintmax_t)st->st_gid, 10), 8, false);
	*p++ = ' ';
	p += put_field(p, num, digits_int(num, (intmax_t)st->st_size), 12, true);
	*p++ = ' ';
	memcpy(p, months[month - 1], 3);
	p += 3;
	*p++ = ' ';
	if (day < 10)
		*p++ = ' ', *p++ = (char)('0' + day);
	else
		put2(p, (unsigned)day), p += 2;
	/* Like ls: the time of day within the last six months, else the year. */
	const time_t half_year = 182 * 24 * 3600;
	if (mt > now - half_year && mt < now + 3600) {
		*p++ = ' ';
		put2(p, (unsigned)(sec / 3600));
		p[2] = ':';
		put2(p + 3, (unsigned)(sec / 60 % 60));
		p += 5;
	} else {
		*p++ = ' ';
		*p++ = ' ';
		put2(p, (unsigned)(year / 100));
		put2(p + 2, (unsigned)(year % 100));
		p += 4;
	}
	*p++ = ' ';
	size_t flen = (size_t)(p - f), nlen = strlen(name);
	size_t tlen = link_target ? strlen(link_target) : 0;
	if (!sbuf_fits(out, flen + nlen + (link_target ? 4 + tlen : 0) + 2))
		return false;
	sbuf_append(out, f, flen);
	sbuf_append(out, name, nlen);
	if (link_target) {
		sbuf_append(out, " -> ", 4);
		sbuf_append(out, link_target, tlen);
	}
	return sbuf_append(out, "\r\n", 2);
}

bool listfmt_ls(struct sbuf *out, const char *name, const struct stat *st,
		const char *link_target, time_t now)
{
	char mode[11];
	char when[32];  /* room for any int gmtime_r can return */
	struct tm tm;
	time_t mt = st->st_mtime;

	if (mt >= 0 && mt <= LAST_4DIGIT_YEAR_TIME)
		return ls_line_fast(out, name, st, link_target, now);
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
	if (t >= 0 && t <= LAST_4DIGIT_YEAR_TIME && outsz >= 15) {
		long long sec = (long long)(t % 86400), year, month, day;
		civil_from_days((long long)(t / 86400), &year, &month, &day);
		put2(out, (unsigned)(year / 100));
		put2(out + 2, (unsigned)(year % 100));
		put2(out + 4, (unsigned)month);
		put2(out + 6, (unsigned)day);
		put2(out + 8, (unsigned)(sec / 3600));
		put2(out + 10, (unsigned)(sec / 60 % 60));
		put2(out + 12, (unsigned)(sec % 60));
		out[14] = '\0';
		return;
	}
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
	size_t tlen = strlen(type), plen = perm ? strlen(perm) : 0;
	if (facts == MLST_ALL && perm != NULL && tlen <= 32 && plen <= 32) {
		/* The usual case (every MLSD line), written without printf:
		 * the facts into f, then the whole line at once or nothing. */
		char f[224];
		char *p = f;
		memcpy(p, "type=", 5), p += 5;
		memcpy(p, type, tlen), p += tlen;
		memcpy(p, ";size=", 6), p += 6;
		p += digits_int(p, (intmax_t)st->st_size);
		memcpy(p, ";modify=", 8), p += 8;
		size_t mlen = strlen(t);   /* 14 digits; 15 past the year 9999 */
		memcpy(p, t, mlen), p += mlen;
		memcpy(p, ";perm=", 6), p += 6;
		memcpy(p, perm, plen), p += plen;
		memcpy(p, ";unique=", 8), p += 8;
		p += digits_uint(p, (uintmax_t)st->st_dev, 16);
		*p++ = 'g';
		p += digits_uint(p, (uintmax_t)st->st_ino, 16);
		*p++ = ';';
		*p++ = ' ';
		size_t flen = (size_t)(p - f), nlen = strlen(name), total = flen + nlen + 2;
		if (!sbuf_fits(out, total))
			return false;
		return sbuf_append(out, f, flen) && sbuf_append(out, name, nlen) &&
		       sbuf_append(out, "\r\n", 2);
	}
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
