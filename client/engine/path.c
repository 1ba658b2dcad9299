/* path: paths for copies (see path.h). */
#include "config.h"

#include <string.h>

#include "path.h"
#include "vpath.h"

bool path_join(struct sbuf *out, const char *dir, const char *name)
{
	sbuf_reset(out);
	size_t n = strlen(dir);
	return sbuf_puts(out, dir) && (n == 0 || dir[n - 1] == '/' || sbuf_puts(out, "/")) &&
	       sbuf_puts(out, name);
}

bool path_safe_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

bool path_basename(const char *path, char *out, size_t outsz)
{
	size_t end = strlen(path);
	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t n = end - start;
	if (n == 0 || n >= outsz || (n == 1 && path[start] == '.') ||
	    (n == 2 && path[start] == '.' && path[start + 1] == '.'))
		return false;
	memcpy(out, path + start, n);
	out[n] = '\0';
	return true;
}

bool path_parent(const char *path, char *out, size_t outsz)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	while (end > 0 && path[end - 1] != '/')
		end--;
	while (end > 1 && path[end - 1] == '/')
		end--;
	if (end == 0) {
		/* A relative single name: its parent is the current directory. */
		if (outsz < 2)
			return false;
		out[0] = '.';
		out[1] = '\0';
		return true;
	}
	if (end + 1 > outsz)
		return false;
	memcpy(out, path, end);
	out[end] = '\0';
	return true;
}

const char *path_last(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool path_sibling(struct sbuf *out, const char *path, const char *name)
{
	const char *last = path_last(path);
	sbuf_reset(out);
	return sbuf_append(out, path, (size_t)(last - path)) && sbuf_puts(out, name);
}

bool path_resolve(struct sbuf *out, const char *dir, const char *to)
{
	sbuf_reset(out);
	if ((to[0] == '/' || dir[0] == '/') && !sbuf_puts(out, "/"))
		return false;
	return (to[0] == '/' || vpath_walk(out, dir, strlen(dir))) &&
	       vpath_walk(out, to, strlen(to));
}

bool path_is_above(const char *above, const char *path)
{
	size_t n = strlen(above);
	if (strncmp(above, path, n) != 0)
		return false;
	if (n == 0)
		return path[0] != '/';
	return path[n] == '\0' || path[n] == '/' || above[n - 1] == '/';
}
