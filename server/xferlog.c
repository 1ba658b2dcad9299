/* xferlog: the classic transfer log (see xferlog.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xferlog.h"

/* The open log, inherited by sessions; -1 when none. */
static int xferlog_fd = -1;

/* Copies s into out (outsz bytes) with every byte the format cannot
 * hold in a field replaced by '_'; an empty field becomes "_". */
static void field(const char *s, char *out, size_t outsz)
{
	size_t o = 0;
	for (; *s && o + 1 < outsz; s++) {
		unsigned char c = (unsigned char)*s;
		out[o++] = c <= 0x20 || c == 0x7F ? '_' : (char)c;
	}
	if (o == 0 && outsz > 1)
		out[o++] = '_';
	out[o] = '\0';
}

size_t xferlog_format(const struct xferlog_entry *e, char *out, size_t outsz)
{
	char when[64], path[XFERLOG_LINE_MAX / 2], user[256];
	struct tm tm;
	/* ctime's layout, day of month padded with a space. */
	if (localtime_r(&e->when, &tm) == NULL ||
	    strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(when, sizeof when, "Thu Jan  1 00:00:00 1970");
	field(e->path, path, sizeof path);
	field(e->user, user, sizeof user);
	int n = snprintf(out, outsz, "%s %lld %s %lld %s %c _ %c %c %s ftp 0 * %c\n", when,
			 e->seconds < 1 ? 1 : e->seconds, e->host, e->bytes, path,
			 e->ascii ? 'a' : 'b', e->direction, e->anonymous ? 'a' : 'r', user,
			 e->complete ? 'c' : 'i');
	if (n < 0)
		return 0;
	if ((size_t)n >= outsz) {
		/* Cut inside the name, but keep the line's end. */
		out[outsz - 2] = '\n';
		return outsz - 1;
	}
	return (size_t)n;
}

bool xferlog_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return false;
	/* Load the time zone now: sessions format local times inside their
	 * sandbox, where /etc/localtime may not be readable. */
	tzset();
	if (xferlog_fd >= 0)
		close(xferlog_fd);
	xferlog_fd = fd;
	return true;
}

bool xferlog_enabled(void)
{
	return xferlog_fd >= 0;
}

void xferlog_write(const struct xferlog_entry *e)
{
	if (xferlog_fd < 0)
		return;
	char line[XFERLOG_LINE_MAX];
	size_t n = xferlog_format(e, line, sizeof line);
	ssize_t w;
	do
		w = write(xferlog_fd, line, n);
	while (w < 0 && errno == EINTR);
}
