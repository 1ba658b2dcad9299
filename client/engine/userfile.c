/* userfile: ferry's own files in the user's folders (see userfile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysio.h"
#include "userfile.h"

int userfile_path(const char *xdg_var, const char *fallback, const char *name, char *buf,
		  size_t n, char *err, size_t errsz)
{
	/* The XDG base directory rules: only an absolute path counts. */
	const char *xdg = getenv(xdg_var);
	const char *home = getenv("HOME");
	struct passwd *pw = home && *home ? NULL : getpwuid(getuid());
	if (pw)
		home = pw->pw_dir;
	int len;
	if (xdg && xdg[0] == '/')
		len = snprintf(buf, n, "%s/ferry/%s", xdg, name);
	else if (home && *home)
		len = snprintf(buf, n, "%s/%s/ferry/%s", home, fallback, name);
	else {
		snprintf(err, errsz, "no place for %s: neither %s nor HOME is set", name, xdg_var);
		return -1;
	}
	if (len < 0 || (size_t)len >= n) {
		snprintf(err, errsz, "the path of %s is too long", name);
		return -1;
	}
	return 0;
}

int userfile_read(const char *path, struct sbuf *b, char *err, size_t errsz)
{
	const char *why;
	int fd = sysio_open_regular(path, &why);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "cannot read %s: %s", path, why);
		return -1;
	}
	char chunk[8192];
	ssize_t r;
	while ((r = sysio_read(fd, chunk, sizeof chunk)) > 0) {
		if (!sbuf_append(b, chunk, (size_t)r)) {
			snprintf(err, errsz, "%s is larger than %zu bytes", path, b->max);
			close(fd);
			return -1;
		}
	}
	int saved = errno;
	close(fd);
	if (r < 0) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(saved));
		return -1;
	}
	return 0;
}

const char *userfile_lines(const char *xdg_var, const char *fallback, const char *name,
			   size_t max, userfile_line_fn *fn, void *arg, char *err, size_t errsz)
{
	char path[PATH_MAX];
	struct sbuf b;
	if (userfile_path(xdg_var, fallback, name, path, sizeof path, err, errsz) < 0)
		return err;
	sbuf_init(&b, max);
	if (userfile_read(path, &b, err, errsz) < 0) {
		sbuf_free(&b);
		return err;
	}
	const char *p = sbuf_str(&b), *end = p + b.len, *why = NULL;
	size_t lineno = 0;
	while (p < end && why == NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[USERFILE_LINE_MAX];
		lineno++;
		if (len >= sizeof line || memchr(p, '\0', len) != NULL) {
			why = len >= sizeof line ? "line too long" : "a NUL byte";
		} else {
			memcpy(line, p, len);
			line[len] = '\0';
			if (len > 0 && line[len - 1] == '\r')
				line[len - 1] = '\0';
			why = fn(arg, line);
		}
		p += len + (nl != NULL);
	}
	sbuf_free(&b);
	if (why == NULL)
		return NULL;
	snprintf(err, errsz, "%s line %zu: %s", path, lineno, why);
	return err;
}

/* Creates the folders above path (mode 0700) where missing. */
static int userfile_parents(const char *path, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);
	if (len >= sizeof dir) {
		snprintf(err, errsz, "the path %s is too long", path);
		return -1;
	}
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int userfile_save(const char *path, const char *data, size_t len, char *err, size_t errsz)
{
	if (userfile_parents(path, err, errsz) < 0)
		return -1;
	char tmp[PATH_MAX + 16];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errsz, "the path %s is too long", path);
		return -1;
	}
	/* mkstemp makes the file 0600 whatever the umask; fchmod says so
	 * explicitly. */
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = -1;
	if (fchmod(fd, 0600) < 0 || sysio_write_all(fd, data, len) < 0 || fsync(fd) < 0)
		snprintf(err, errsz, "cannot write %s: %s", tmp, strerror(errno));
	else {
		int closed = close(fd);
		fd = -1;
		if (closed < 0 || rename(tmp, path) < 0)
			snprintf(err, errsz, "cannot replace %s: %s", path, strerror(errno));
		else
			rc = 0;
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}
