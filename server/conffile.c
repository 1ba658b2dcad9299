/* conffile: ferryd.conf line splitting (see conffile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"
#include "sanitize.h"
#include "sysio.h"
#include "xalloc.h"

/* Space and tab: the blanks trimmed around keys and values. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Checks one line's bytes (n of them, line end removed): no NUL, no
 * control byte but tab, valid UTF-8. Returns NULL or why not. */
static const char *line_bytes_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\0')
			return "NUL byte in the line";
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return "control character in the line";
		size_t len = sanitize_utf8_len((const unsigned char *)s + i, n - i);
		if (len == 0)
			return "the line is not valid UTF-8";
		i += len;
	}
	return NULL;
}

/* Splits one line (NUL-terminated, changed in place) and hands its
 * setting to fn. Returns false with err (no prefix) if it is refused. */
static bool one_line(char *line, unsigned lineno, conffile_fn *fn, void *arg, char *err,
		     size_t errsz)
{
	char *p = line;
	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return true;
	char *eq = strchr(p, '=');
	if (eq == NULL) {
		snprintf(err, errsz, "expected 'key = value'");
		return false;
	}
	char *kend = eq;
	while (kend > p && is_blank(kend[-1]))
		kend--;
	*kend = '\0';
	if (*p == '\0') {
		snprintf(err, errsz, "a key is missing before '='");
		return false;
	}
	char *value = eq + 1;
	while (is_blank(*value))
		value++;
	char *vend = value + strlen(value);
	while (vend > value && is_blank(vend[-1]))
		vend--;
	*vend = '\0';
	return fn(arg, p, value, lineno, err, errsz);
}

enum conffile_status conffile_parse(const char *path, const char *text, size_t n,
				    conffile_fn *fn, void *arg, char *err, size_t errsz)
{
	char *line = xmalloc(CONFFILE_LINE_MAX + 1);
	unsigned lineno = 0;
	enum conffile_status st = CONFFILE_OK;
	/* A UTF-8 byte order mark, as some editors write, is not the first key's. */
	size_t pos = sanitize_bom_len(text, n);
	while (pos < n) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - (text + pos)) : n - pos;
		const char *start = text + pos;
		pos += len + (nl != NULL);
		if (len > 0 && start[len - 1] == '\r')
			len--;     /* a file edited on Windows */
		char why[512];
		const char *bad = len > CONFFILE_LINE_MAX ? "line too long" : line_bytes_ok(start, len);
		if (bad) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, bad);
			st = CONFFILE_BAD;
			break;
		}
		memcpy(line, start, len);
		line[len] = '\0';
		why[0] = '\0';
		if (!one_line(line, lineno, fn, arg, why, sizeof why)) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
			st = CONFFILE_BAD;
			break;
		}
	}
	free(line);
	return st;
}

enum conffile_status conffile_read(const char *path, bool missing_ok, conffile_fn *fn, void *arg,
				   char *err, size_t errsz)
{
	/* Only a regular file is read: a FIFO must not stop the start or a
	 * reload, and a device such as /dev/zero has no end. */
	const char *why = NULL;
	int fd = sysio_open_regular(path, &why);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return CONFFILE_OK;
		snprintf(err, errsz, "%s: %s", path, why);
		return CONFFILE_UNREADABLE;
	}
	size_t cap = 8192, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			if (cap >= CONFFILE_SIZE_MAX) {
				snprintf(err, errsz, "%s: larger than %d bytes", path, CONFFILE_SIZE_MAX);
				free(buf);
				close(fd);
				return CONFFILE_BAD;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return CONFFILE_UNREADABLE;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	enum conffile_status st = conffile_parse(path, buf, n, fn, arg, err, errsz);
	free(buf);
	return st;
}
