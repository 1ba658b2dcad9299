/* cmd_attr: file attributes: MFMT (draft-somers-ftp-mfxx), SITE CHMOD and
 * SITE HELP, AVBL (free space below a directory). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "log.h"
#include "sanitize.h"
#include "vfs.h"
#include "vfs_attr.h"

/* Refuses a change to an existing file's attributes where the account may
 * not change existing files (--no-overwrite, the anonymous drop box);
 * true if the change may go ahead. */
static bool may_change(struct session *s)
{
	if (!(commands_denied(s) & DENY_OVERWRITE))
		return true;
	session_reply(s, FTP_FILE_UNAVAILABLE,
		      "Permission denied (changing existing files is disabled for this account).");
	return false;
}

/* Answers an attribute change of path that vfs_set_mtime or vfs_chmod
 * did not make: r 1, the file is the root (what: "change the time of"),
 * else r -1 with errno. */
static void reply_unchanged(struct session *s, int r, const char *path, const char *what)
{
	if (r > 0)
		session_reply_root(s, what);
	else
		session_reply_errno(s, 0, path, errno);
}

/* Parses n decimal digits at p into *v. */
static bool digits(const char *p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/* Parses "YYYYMMDDHHMMSS[.sss]" (UTC) at the start of text into *ts and
 * points *end after it; false unless it is a real date and time. */
static bool parse_mfmt_time(const char *text, const char **end, struct timespec *ts)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;
	if (!digits(text, 4, &y) || !digits(text + 4, 2, &mo) || !digits(text + 6, 2, &d) ||
	    !digits(text + 8, 2, &h) || !digits(text + 10, 2, &mi) || !digits(text + 12, 2, &sec))
		return false;
	const char *p = text + 14;
	long nsec = 0;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 9)
				nsec = nsec * 10 + (*p - '0');
		if (n == 0)
			return false;
		for (; n < 9; n++)
			nsec *= 10;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	/* timegm normalises 20230231 to March: such a date is refused. */
	if (tm.tm_year != y - 1900 || tm.tm_mon != mo - 1 || tm.tm_mday != d ||
	    tm.tm_hour != h || tm.tm_min != mi || tm.tm_sec != sec)
		return false;
	ts->tv_sec = t;
	ts->tv_nsec = nsec;
	*end = p;
	return true;
}

void cmd_mfmt(struct session *s, const char *arg)
{
	const char *p;
	struct timespec ts;
	if (!parse_mfmt_time(arg, &p, &ts) || *p != ' ' || p[1] == '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS,
			      "Syntax: MFMT YYYYMMDDHHMMSS <path> (a valid UTC date and time).");
		return;
	}
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, p + 1, path, PATH_FOLLOWS) || !may_change(s) ||
	    session_refuse_root(s, path, "change the time of"))
		return;
	/* The root, however named, is refused by the same lookup that sets
	 * the time (clients send MFMT after every upload). The reply gives
	 * the time the file now has (a file system may store it more
	 * coarsely than asked). */
	struct stat st;
	int r = vfs_set_mtime(s->root_fd, path, &ts, &s->root_st, &st);
	if (r != 0) {
		reply_unchanged(s, r, path, "change the time of");
		return;
	}
	ts.tv_sec = st.st_mtime;
	struct tm tm;
	char stamp[32];
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(p + 1, strlen(p + 1), clean, sizeof clean);
	log_msg(LOG_INFO, "mfmt: peer=%s user=%s %s %s", s->peer_str, s->user, stamp, clean);
	session_reply(s, FTP_FILE_STATUS, "Modify=%s; %s", stamp, clean);
}

/* SITE CHMOD <octal mode> <path>: permission bits only (no set-user-ID,
 * set-group-ID or sticky bit). */
static void site_chmod(struct session *s, const char *arg)
{
	unsigned mode = 0;
	int n = 0;
	const char *p = arg;
	for (; *p >= '0' && *p <= '7' && n < 5; p++, n++)
		mode = mode * 8 + (unsigned)(*p - '0');
	if (n == 0 || *p != ' ' || p[1] == '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: SITE CHMOD <octal mode> <path>");
		return;
	}
	if (mode > 0777) {
		session_reply(s, FTP_BAD_PARAMETER,
			      "SITE CHMOD sets permission bits only (0 to 777).");
		return;
	}
	if (!s->writable) {
		session_reply(s, FTP_FILE_UNAVAILABLE, "Permission denied (read-only account).");
		return;
	}
	/* Modes are the owner's business: anonymous sessions may upload
	 * where the server lets them, never open or close a file to others. */
	if (s->anonymous) {
		session_reply(s, FTP_FILE_UNAVAILABLE,
			      "Permission denied (anonymous sessions may not change modes).");
		return;
	}
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, p + 1, path, PATH_FOLLOWS) || !may_change(s) ||
	    session_refuse_root(s, path, "change the mode of"))
		return;
	/* The root, however named (a link to it), is refused by the same
	 * lookup that changes the mode. */
	int r = vfs_chmod(s->root_fd, path, (mode_t)mode, &s->root_st);
	if (r != 0) {
		reply_unchanged(s, r, path, "change the mode of");
		return;
	}
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(path, strlen(path), clean, sizeof clean);
	log_msg(LOG_INFO, "chmod: peer=%s user=%s %03o %s", s->peer_str, s->user, mode, clean);
	session_reply(s, FTP_OK, "Mode of %s set to %03o.", clean, mode);
}

void cmd_site(struct session *s, const char *arg)
{
	arg += strspn(arg, " ");
	if (*arg == '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: SITE <command> (see SITE HELP).");
		return;
	}
	size_t n = strcspn(arg, " ");
	const char *rest = arg[n] ? arg + n + 1 : "";
	if (n == 5 && strncasecmp(arg, "CHMOD", 5) == 0) {
		site_chmod(s, rest);
	} else if (n == 4 && strncasecmp(arg, "HELP", 4) == 0) {
		session_reply(s, FTP_HELP, "SITE commands:\n CHMOD <octal mode> <path>\n"
			      " HELP\nSITE HELP OK.");
	} else {
		char clean[32];
		sanitize_text(arg, n, clean, sizeof clean);
		session_reply(s, FTP_NOT_IMPLEMENTED, "Unknown SITE command %s (see SITE HELP).",
			      clean);
	}
}

void cmd_avbl(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_path(s, arg, path))
		return;
	struct stat st;
	if (vfs_stat(s->root_fd, path, &st) < 0) {
		session_reply_errno(s, 0, path, errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		session_reply_errno(s, 0, path, ENOTDIR);
		return;
	}
	unsigned long long bytes;
	if (vfs_avail(s->root_fd, path, &bytes) < 0) {
		session_reply_errno(s, 0, path, errno);
		return;
	}
	session_reply(s, FTP_FILE_STATUS, "%llu", bytes);
}
