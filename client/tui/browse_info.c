/* browse_info: what the browsers know of one entry, for the file info
 * box (`i`). Locally everything lstat(2) says; remotely every fact of the
 * server's MLST reply (RFC 3659), each on its own line with its times
 * also written out, and STAT's listing line (owner, group, permissions
 * as the server lists them) where the server answers STAT with a path.
 * A server with neither gives SIZE and MDTM. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "browse_private.h"
#include "sanitize.h"
#include "sbuf.h"

/* Longest link target shown, in bytes. */
#define INFO_TARGET_MAX 1024

/* Writes a time as "YYYY-MM-DD HH:MM:SS ZONE" (local time) into out. */
static void info_time(time_t t, long nsec, char *out, size_t outsz)
{
	struct tm tm;
	char zone[16] = "";
	if (localtime_r(&t, &tm) == NULL) {
		snprintf(out, outsz, "%jd", (intmax_t)t);
		return;
	}
	strftime(out, outsz, "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%Z", &tm);
	size_t n = strlen(out);
	if (nsec > 0)
		snprintf(out + n, outsz - n, ".%09ld %s", nsec, zone);
	else
		snprintf(out + n, outsz - n, " %s", zone);
}

/* The letters of a mode ("drwxr-xr-x"). */
static void info_mode(mode_t m, char out[11])
{
	static const char bits[] = "rwxrwxrwx";
	out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's'
	       : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400 >> i)) ? bits[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

bool browse_local_info(struct browse *b, const char *path, char *out, size_t outsz)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		browse_fail(b, "%s: %s", path, strerror(errno));
		return false;
	}
	struct sbuf s;
	char mode[11], mtime[64], atime[64], ctime_[64], target[INFO_TARGET_MAX] = "";
	char shown[INFO_TARGET_MAX * 4];
	struct passwd *pw = getpwuid(st.st_uid);
	struct group *gr = getgrgid(st.st_gid);
	info_mode(st.st_mode, mode);
	info_time(st.st_mtim.tv_sec, st.st_mtim.tv_nsec, mtime, sizeof mtime);
	info_time(st.st_atim.tv_sec, st.st_atim.tv_nsec, atime, sizeof atime);
	info_time(st.st_ctim.tv_sec, st.st_ctim.tv_nsec, ctime_, sizeof ctime_);
	sbuf_init(&s, outsz - 1);
	sbuf_printf(&s, "type: %s\n", S_ISDIR(st.st_mode) ? "directory" : S_ISLNK(st.st_mode)
		    ? "symbolic link" : S_ISREG(st.st_mode) ? "file" : "special file");
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = '\0';
		sanitize_text(target, strlen(target), shown, sizeof shown);
		struct stat to;
		sbuf_printf(&s, "link to: %s%s\n", shown,
			    stat(path, &to) < 0 ? " (leads nowhere)" : "");
	}
	sbuf_printf(&s, "size: %jd bytes\n", (intmax_t)st.st_size);
	sbuf_printf(&s, "permissions: %s (%04o)\n", mode, (unsigned)(st.st_mode & 07777));
	sbuf_printf(&s, "owner: %s (%ju)\n", pw ? pw->pw_name : "?", (uintmax_t)st.st_uid);
	sbuf_printf(&s, "group: %s (%ju)\n", gr ? gr->gr_name : "?", (uintmax_t)st.st_gid);
	sbuf_printf(&s, "modified: %s\n", mtime);
	sbuf_printf(&s, "accessed: %s\n", atime);
	sbuf_printf(&s, "changed: %s\n", ctime_);
	sbuf_printf(&s, "links: %ju, inode: %ju, device: %ju", (uintmax_t)st.st_nlink,
		    (uintmax_t)st.st_ino, (uintmax_t)st.st_dev);
	snprintf(out, outsz, "%s", sbuf_str(&s));
	sbuf_free(&s);
	return true;
}

/* "YYYYMMDDHHMMSS[.sss]" (an MLST time, UTC) written out, or "". */
static void info_mlst_time(const char *v, size_t n, char *out, size_t outsz)
{
	int y, mo, d, h, mi, se;
	out[0] = '\0';
	if (n < 14 || sscanf(v, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &se) != 6)
		return;
	snprintf(out, outsz, " (%04d-%02d-%02d %02d:%02d:%02d%.*s UTC)", y, mo, d, h, mi, se,
		 n > 14 && v[14] == '.' ? (int)(n - 14) : 0, v + 14);
}

/* Adds the facts of an MLST entry line ("fact=value;fact=value; name"),
 * one a line. */
static void info_facts(struct sbuf *s, const char *line, size_t len)
{
	const char *end = line + len, *p = line;
	const char *name = memchr(line, ' ', len);
	if (name != NULL)
		end = name;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		size_t n = semi ? (size_t)(semi - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', n);
		if (eq != NULL) {
			size_t kn = (size_t)(eq - p), vn = n - kn - 1;
			char when[64] = "";
			if ((kn == 6 && strncasecmp(p, "modify", 6) == 0) ||
			    (kn == 6 && strncasecmp(p, "create", 6) == 0))
				info_mlst_time(eq + 1, vn, when, sizeof when);
			sbuf_printf(s, "%.*s: %.*s%s%s\n", (int)kn, p, (int)vn, eq + 1, when,
				    kn == 4 && strncasecmp(p, "size", 4) == 0 ? " bytes" : "");
		}
		p += n + (semi != NULL);
	}
}

/* Sends "VERB path" and adds the lines between the first and the last of
 * a 2xx reply, each through add (or as they are). True when it answered so. */
static bool info_ask(struct browse *b, const char *verb, const char *path, struct sbuf *s,
		     bool facts)
{
	char cmd[WIRE_STR_MAX + 16];
	snprintf(cmd, sizeof cmd, "%s %s", verb, path);
	if (ftp_quote(b->ftp, cmd) != FTP_S_OK || ftp_reply_code(b->ftp) / 100 != 2)
		return false;
	const char *t = ftp_reply_lines(b->ftp);
	const char *first = strchr(t, '\n');
	bool any = false;
	while (first != NULL) {
		const char *line = first + 1, *nl = strchr(line, '\n');
		if (nl == NULL)
			break;   /* the last line closes the reply */
		while (*line == ' ')
			line++;
		if (nl > line) {
			if (facts)
				info_facts(s, line, (size_t)(nl - line));
			else
				sbuf_printf(s, "%s: %.*s\n", verb, (int)(nl - line), line);
			any = true;
		}
		first = nl;
	}
	return any;
}

bool browse_remote_info(struct browse *b, const char *path, char *out, size_t outsz)
{
	struct sbuf s;
	sbuf_init(&s, outsz - 1);
	bool any = (ftp_features(b->ftp) & FTP_FEAT_MLST) && info_ask(b, "MLST", path, &s, true);
	any = info_ask(b, "STAT", path, &s, false) || any;
	if (!any) {
		off_t size;
		time_t mtime;
		char when[64];
		if (ftp_size(b->ftp, path, &size) == FTP_S_OK) {
			sbuf_printf(&s, "size: %jd bytes\n", (intmax_t)size);
			any = true;
		}
		if (ftp_mdtm(b->ftp, path, &mtime) == FTP_S_OK) {
			struct tm tm;
			gmtime_r(&mtime, &tm);
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
			sbuf_printf(&s, "modified: %s\n", when);
			any = true;
		}
	}
	if (!any)
		browse_fail(b, "the server tells nothing of %s: %s", path, ftp_message(b->ftp));
	size_t n = s.len;
	snprintf(out, outsz, "%.*s", (int)(n > 0 && sbuf_str(&s)[n - 1] == '\n' ? n - 1 : n),
		 sbuf_str(&s));
	sbuf_free(&s);
	return any;
}

int64_t browse_local_avail(struct browse *b, const char *path)
{
	struct statvfs sv;
	(void)b;
	if (statvfs(path, &sv) < 0)
		return -1;
	return (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
}

int64_t browse_remote_avail(struct browse *b, const char *path)
{
	char cmd[WIRE_STR_MAX + 16];
	long long n;
	if (b->no_avbl)
		return -1;
	/* AVBL (draft-peterson-streamlined-ftp-command-extensions): "213 <bytes>". */
	snprintf(cmd, sizeof cmd, "AVBL %s", path);
	enum ftp_status st = ftp_quote(b->ftp, cmd);
	if (st != FTP_S_OK || ftp_reply_code(b->ftp) != 213) {
		int code = ftp_reply_code(b->ftp);
		/* Not known (500, 502) or not for this path: not asked again for the former. */
		b->no_avbl = code == 500 || code == 502 || code == 504 || st == FTP_S_BROKEN;
		return -1;
	}
	if (sscanf(ftp_reply_lines(b->ftp), "213 %lld", &n) != 1 || n < 0)
		return -1;
	return (int64_t)n;
}
