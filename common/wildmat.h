/* wildmat: shell-style matching of one name against a pattern.
 * Supports '*', '?', '[set]', '[!set]', ranges and '\' escapes; never
 * crosses '/' and never recurses, so any pattern matches any name in
 * O(pattern * name) steps: a pathological pattern cannot stall a server. */
#ifndef FERRY_WILDMAT_H
#define FERRY_WILDMAT_H

#include <stdbool.h>

/* True if name matches pattern. */
bool wildmat_match(const char *pattern, const char *name);
/* True if pattern holds a wildcard character ('*', '?' or '['). */
bool wildmat_has_magic(const char *pattern);

#endif
