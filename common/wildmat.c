/* wildmat: linear-backtracking glob matcher (see wildmat.h). */
#include "config.h"

#include <string.h>

#include "wildmat.h"

bool wildmat_has_magic(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

/* Matches c against the set starting after '[' at *pp; advances *pp past
 * the closing ']'. Returns -1 if the set is unterminated (then '[' is an
 * ordinary character), else 1 for a match and 0 for none. */
static int match_set(const char **pp, unsigned char c)
{
	const char *p = *pp;
	bool negate = false, matched = false;
	if (*p == '!' || *p == '^') {
		negate = true;
		p++;
	}
	bool first = true;
	while (*p && (*p != ']' || first)) {
		first = false;
		unsigned char lo = (unsigned char)*p++;
		if (lo == '\\' && *p)
			lo = (unsigned char)*p++;
		unsigned char hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			p += 2;
			if (hi == '\\' && *p)
				hi = (unsigned char)*p++;
		}
		if (c >= lo && c <= hi)
			matched = true;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return matched != negate;
}

bool wildmat_match(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name;
	const char *star_p = NULL, *star_n = NULL;

	while (*n) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return strchr(n, '/') == NULL;
			star_p = p;
			star_n = n;
			continue;
		}
		if (*n == '/' && *p != '/')
			return false;
		const char *next = p;
		bool ok;
		if (*p == '?') {
			ok = true;
			next = p + 1;
		} else if (*p == '[') {
			next = p + 1;
			int r = match_set(&next, (unsigned char)*n);
			if (r < 0) {
				ok = *n == '[';
				next = p + 1;
			} else {
				ok = r == 1;
			}
		} else if (*p == '\\' && p[1]) {
			ok = p[1] == *n;
			next = p + 2;
		} else {
			ok = *p != '\0' && *p == *n;
			next = p + 1;
		}
		if (ok) {
			p = next;
			n++;
			continue;
		}
		/* Mismatch: let the last star swallow one more character. */
		if (star_p == NULL || *star_n == '/')
			return false;
		p = star_p;
		n = ++star_n;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
