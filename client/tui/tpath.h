/* tpath: path helpers for the TUI's two sides (local paths and remote
 * paths are both '/'-separated). Pure functions; nothing printed. */
#ifndef FERRY_TUI_TPATH_H
#define FERRY_TUI_TPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Longest path built, in bytes. */
#define TPATH_MAX 4096

/* Writes dir/name into out (reset first; no doubled slash); false if too long. */
bool tpath_join(struct sbuf *out, const char *dir, const char *name);
/* True for a name from a listing that is safe to use below a directory
 * (not empty, no '/', not "." or ".."). */
bool tpath_safe_name(const char *name);
/* Writes the parent of path into out (outsz bytes): "/a/b" -> "/a",
 * "/a" -> "/", "/" -> "/"; returns false if out is too small. */
bool tpath_parent(const char *path, char *out, size_t outsz);
/* Returns the last name of path (a pointer into path; "" for "/"). */
const char *tpath_base(const char *path);

#endif
