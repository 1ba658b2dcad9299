/* vpath: lexical normalisation of virtual paths. */
#include "config.h"

#include <string.h>

#include "ftp_limits.h"
#include "vpath.h"

bool vpath_bad_name(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (name[i] == '\r' || name[i] == '\n' || name[i] == '\0')
			return true;
	return false;
}

/* Appends the components of s (n bytes) to out, which holds a normalised
 * path of *olen bytes; ".." pops a component, never past "/". */
static enum vpath_error push_components(char *out, size_t outsz, size_t *olen,
					const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		size_t start = i;
		while (i < n && s[i] != '/')
			i++;
		size_t clen = i - start;
		if (clen == 0 || (clen == 1 && s[start] == '.'))
			continue;
		if (clen == 2 && s[start] == '.' && s[start + 1] == '.') {
			while (*olen > 0 && out[*olen - 1] != '/')
				(*olen)--;
			if (*olen > 1)
				(*olen)--;       /* drop the slash too, unless it is the root */
			if (*olen == 0)
				*olen = 1;
			out[*olen] = '\0';
			continue;
		}
		size_t need = *olen + (*olen > 1 ? 1 : 0) + clen;
		if (need >= outsz || need > FTP_PATH_MAX)
			return VPATH_TOO_LONG;
		if (*olen > 1)
			out[(*olen)++] = '/';
		memcpy(out + *olen, s + start, clen);
		*olen += clen;
		out[*olen] = '\0';
	}
	return VPATH_OK;
}

enum vpath_error vpath_resolve(const char *cwd, const char *arg, size_t len,
			       char *out, size_t outsz)
{
	if (outsz < 2)
		return VPATH_TOO_LONG;
	if (vpath_bad_name(arg, len))
		return VPATH_BAD_CHAR;
	size_t olen = 1;
	out[0] = '/';
	out[1] = '\0';
	enum vpath_error e;
	if (len == 0 || arg[0] != '/') {
		e = push_components(out, outsz, &olen, cwd, strlen(cwd));
		if (e != VPATH_OK)
			return e;
	}
	return push_components(out, outsz, &olen, arg, len);
}

const char *vpath_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

void vpath_dirname(const char *path, char *out, size_t outsz)
{
	const char *slash = strrchr(path, '/');
	size_t n = (slash == NULL || slash == path) ? 1 : (size_t)(slash - path);
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, slash == NULL ? "/" : path, n);
	if (slash == NULL || slash == path)
		out[0] = '/';
	out[n] = '\0';
}
