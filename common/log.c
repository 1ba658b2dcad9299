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

/* The longest message kept; the line adds the time stamp and the name. */
#define LOG_MSG_MAX 2048

void log_msg(int level, const char *fmt, ...)
{
	if (level == LOG_DEBUG && !log_debug)
		return;
	/* One buffer for the whole line, so lines from many sessions do not
	 * interleave (one write each) and the frame stays small. */
	char line[LOG_MSG_MAX + 152];
	size_t off = 0;
	if (log_target != LOG_TO_SYSLOG) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		off = strftime(line, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
		int n = snprintf(line + off, sizeof line - off - LOG_MSG_MAX - 1, " %s[%ld]: ",
				 log_ident, (long)getpid());
		if (n > 0)
			off += (size_t)n < sizeof line - off - LOG_MSG_MAX - 1
				       ? (size_t)n : sizeof line - off - LOG_MSG_MAX - 2;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + off, LOG_MSG_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	size_t len = off + ((size_t)n < LOG_MSG_MAX ? (size_t)n : LOG_MSG_MAX - 1);
	if (log_target == LOG_TO_SYSLOG) {
		syslog(level, "%s", line);
		return;
	}
	line[len++] = '\n';
	sysio_write_all(STDERR_FILENO, line, len);
}
