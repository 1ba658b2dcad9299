/* log: stderr or syslog logging (see log.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sysio.h"

static const char *log_ident = "ferry";
static enum log_target log_target = LOG_TO_STDERR;
static bool log_debug;

void log_init(const char *ident, enum log_target target, bool verbose)
{
	log_ident = ident;
	log_target = target;
	log_debug = verbose;
	if (target == LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_FTP);
}

bool log_verbose(void)
{
	return log_debug;
}

/* The longest message kept, with its NUL; the time stamp and the name
 * before it take at most LOG_HEAD_MAX bytes, the newline one more. */
#define LOG_MSG_MAX 2048
#define LOG_HEAD_MAX 151

/* The bytes snprintf put into a buffer of size room (room > 0), given
 * what it returned. */
static size_t log_written(int n, size_t room)
{
	if (n < 0)
		return 0;
	return (size_t)n < room ? (size_t)n : room - 1;
}

void log_msg(int level, const char *fmt, ...)
{
	if (level == LOG_DEBUG && !log_debug)
		return;
	/* One buffer for the whole line, so lines from many sessions do not
	 * interleave (one write each) and the frame stays small. */
	char line[LOG_HEAD_MAX + LOG_MSG_MAX + 1];
	size_t off = 0;
	if (log_target != LOG_TO_SYSLOG) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		off = strftime(line, LOG_HEAD_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
		off += log_written(snprintf(line + off, LOG_HEAD_MAX - off, " %s[%ld]: ",
					    log_ident, (long)getpid()),
				   LOG_HEAD_MAX - off);
	}
	va_list ap;
	va_start(ap, fmt);
	size_t len = off + log_written(vsnprintf(line + off, LOG_MSG_MAX, fmt, ap), LOG_MSG_MAX);
	va_end(ap);
	if (log_target == LOG_TO_SYSLOG) {
		syslog(level, "%s", line);
		return;
	}
	line[len++] = '\n';
	sysio_write_all(STDERR_FILENO, line, len);
}
