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

/* True for the name "..", n bytes at name. */
static bool vpath_is_dotdot(const char *name, size_t n)
{
	return n == 2 && name[0] == '.' && name[1] == '.';
}

bool vpath_walk(struct sbuf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		const char *name = s + i;
		while (i < n && s[i] != '/')
			i++;
		size_t len = (size_t)(s + i - name);
		if (len == 0 || (len == 1 && name[0] == '.'))
			continue;
		const char *path = sbuf_str(b);
		if (vpath_is_dotdot(name, len)) {
			size_t last = b->len;   /* where the last name starts */
			while (last > 0 && path[last - 1] != '/')
				last--;
			if (b->len > last && !vpath_is_dotdot(path + last, b->len - last)) {
				/* Takes the last name and the slash before it,
				 * unless that slash is the root. */
				sbuf_truncate(b, last > 1 ? last - 1 : last);
				continue;
			}
			if (path[0] == '/')
				continue;   /* never above the root */
		}
		size_t sep = b->len > 0 && path[b->len - 1] != '/' ? 1 : 0;
		char *at = sbuf_extend(b, sep + len);
		if (at == NULL)
			return false;
		if (sep > 0)
			*at++ = '/';
		memcpy(at, name, len);
	}
	return true;
}

enum vpath_error vpath_resolve(const char *cwd, const char *arg, size_t len,
			       char *out, size_t outsz)
{
	struct sbuf b;

	if (outsz < 2)
		return VPATH_TOO_LONG;
	if (vpath_bad_name(arg, len))
		return VPATH_BAD_CHAR;
	/* At most FTP_PATH_MAX bytes, however big out is. */
	sbuf_init_over(&b, out, outsz <= FTP_PATH_MAX ? outsz : FTP_PATH_MAX + 1);
	sbuf_puts(&b, "/");
	if ((len == 0 || arg[0] != '/') && !vpath_walk(&b, cwd, strlen(cwd)))
		return VPATH_TOO_LONG;
	return vpath_walk(&b, arg, len) ? VPATH_OK : VPATH_TOO_LONG;
}

const char *vpath_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

size_t vpath_folder_len(const char *arg)
{
	size_t n = strlen(arg);
	for (;;) {
		if (n > 0 && arg[n - 1] == '/')
			n--;
		else if (n >= 2 && arg[n - 1] == '.' && arg[n - 2] == '/')
			n--;
		else
			return n;
	}
}

bool vpath_names_folder(const char *arg)
{
	return vpath_folder_len(arg) < strlen(arg);
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
