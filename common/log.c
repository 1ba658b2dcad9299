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

void log_msg(int level, const char *fmt, ...)
{
	if (level == LOG_DEBUG && !log_debug)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_target == LOG_TO_SYSLOG) {
		syslog(level, "%s", msg);
		return;
	}
	/* One write per line, so lines from many sessions do not interleave. */
	char line[2200];
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(line, sizeof line, "%s %s[%ld]: %s\n", stamp, log_ident,
			 (long)getpid(), msg);
	if (n > 0)
		sysio_write_all(STDERR_FILENO, line,
				(size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}
