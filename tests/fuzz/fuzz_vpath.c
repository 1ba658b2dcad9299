/* Fuzz target: virtual path normalisation (common/vpath.c), the first
 * line of confinement. Input: a working directory, a NUL byte, then the
 * argument a client sent (which may itself hold NUL bytes). Properties: a
 * result is absolute and normal (no empty, "." or ".." component, no
 * trailing slash), never longer than FTP_PATH_MAX, equals what a simple
 * component stack computes, and resolves to itself from anywhere. A
 * name with CR, LF or NUL is refused. */
#include "config.h"

#include <string.h>

#include "ftp_limits.h"
#include "fuzz.h"
#include "vpath.h"

/* The reference: components of cwd then arg on a stack. */
static void model(const char *cwd, const char *arg, size_t len, char *out, size_t outsz)
{
	const char *start[FTP_PATH_MAX];
	size_t clen[FTP_PATH_MAX];
	int depth = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? cwd : arg;
		size_t n = pass == 0 ? strlen(cwd) : len;
		if (pass == 1 && n > 0 && s[0] == '/')
			depth = 0;
		size_t i = 0;
		while (i < n) {
			while (i < n && s[i] == '/')
				i++;
			size_t b = i;
			while (i < n && s[i] != '/')
				i++;
			size_t l = i - b;
			if (l == 0 || (l == 1 && s[b] == '.'))
				continue;
			if (l == 2 && s[b] == '.' && s[b + 1] == '.') {
				if (depth > 0)
					depth--;
				continue;
			}
			fuzz_check(depth < FTP_PATH_MAX);
			start[depth] = s + b;
			clen[depth++] = l;
		}
	}
	size_t o = 0;
	out[o] = '\0';
	for (int d = 0; d < depth && o + clen[d] + 2 < outsz; d++) {
		out[o++] = '/';
		memcpy(out + o, start[d], clen[d]);
		o += clen[d];
		out[o] = '\0';
	}
	if (o == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
}

static void check_normal(const char *p)
{
	size_t n = strlen(p);
	fuzz_check(n >= 1 && n <= FTP_PATH_MAX && p[0] == '/');
	fuzz_check(n == 1 || p[n - 1] != '/');
	fuzz_check(strstr(p, "//") == NULL);
	fuzz_check(strstr(p, "/./") == NULL && strstr(p, "/../") == NULL);
	fuzz_check(!(n >= 2 && strcmp(p + n - 2, "/.") == 0));
	fuzz_check(!(n >= 3 && strcmp(p + n - 3, "/..") == 0));
	fuzz_check(!vpath_bad_name(p, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cwd[FTP_PATH_MAX + 1], out[FTP_PATH_MAX + 1], again[FTP_PATH_MAX + 1];
	static char want[2 * FTP_PATH_MAX + 2];
	const uint8_t *nul = memchr(data, '\0', size);
	if (nul == NULL)
		return 0;
	/* The working directory comes from resolving the first part from "/". */
	if (vpath_resolve("/", (const char *)data, (size_t)(nul - data), cwd, sizeof cwd) != VPATH_OK)
		return 0;
	check_normal(cwd);
	const char *arg = (const char *)nul + 1;
	size_t len = size - (size_t)(nul - data) - 1;
	enum vpath_error r = vpath_resolve(cwd, arg, len, out, sizeof out);
	if (vpath_bad_name(arg, len)) {
		fuzz_check(r == VPATH_BAD_CHAR);
		return 0;
	}
	fuzz_check(r == VPATH_OK || r == VPATH_TOO_LONG);
	if (r != VPATH_OK)
		return 0;
	check_normal(out);
	model(cwd, arg, len, want, sizeof want);
	if (strcmp(out, want) != 0)
		fuzz_fail("\"%s\" resolved to \"%s\", expected \"%s\"", cwd, out, want);
	/* A normal path resolves to itself, from the root and from cwd. */
	fuzz_check(vpath_resolve("/", out, strlen(out), again, sizeof again) == VPATH_OK);
	fuzz_check(strcmp(again, out) == 0);
	fuzz_check(vpath_resolve(cwd, out, strlen(out), again, sizeof again) == VPATH_OK);
	fuzz_check(strcmp(again, out) == 0);
	/* dirname + basename put it together again. */
	if (strcmp(out, "/") != 0) {
		char parent[FTP_PATH_MAX + 1];
		vpath_dirname(out, parent, sizeof parent);
		const char *base = vpath_basename(out);
		fuzz_check(*base != '\0' && strchr(base, '/') == NULL);
		fuzz_check(vpath_resolve(parent, base, strlen(base), again, sizeof again) == VPATH_OK);
		fuzz_check(strcmp(again, out) == 0);
	}
	return 0;
}
