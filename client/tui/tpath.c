/* tpath: path helpers for the TUI (see tpath.h). */
#include "config.h"

#include <string.h>

#include "tpath.h"

bool tpath_join(struct sbuf *out, const char *dir, const char *name)
{
	sbuf_reset(out);
	size_t n = strlen(dir);
	return sbuf_puts(out, dir) && (n == 0 || dir[n - 1] == '/' || sbuf_puts(out, "/")) &&
	       sbuf_puts(out, name);
}

bool tpath_safe_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

bool tpath_parent(const char *path, char *out, size_t outsz)
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

const char *tpath_base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}
