/* path: building the paths both front ends copy between. Local and
 * remote paths are both '/'-separated; names that come from a listing are
 * checked before they are put below a directory, so a hostile server
 * cannot make a copy climb out of its target. Pure functions; nothing
 * printed. */
#ifndef FERRY_PATH_H
#define FERRY_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Longest path built, in bytes. */
#define PATH_LEN_MAX 4096

/* Writes dir/name into out (reset first; no doubled slash; just name when
 * dir is ""); false if it would pass out's maximum. */
bool path_join(struct sbuf *out, const char *dir, const char *name);
/* True for a name from a listing that is safe to use below a directory
 * (not empty, no '/', not "." or ".."). */
bool path_safe_name(const char *name);
/* Writes the last component of path (trailing slashes ignored) into out;
 * false when there is none usable as a file name ("", "/", ".", "..")
 * or it does not fit in outsz bytes. */
bool path_basename(const char *path, char *out, size_t outsz);
/* Writes the parent of path into out (outsz bytes): "/a/b" -> "/a",
 * "/a" -> "/", "/" -> "/", "a" -> "."; false if out is too small. */
bool path_parent(const char *path, char *out, size_t outsz);
/* Returns what follows the last '/' of path (a pointer into path; "" for
 * "/" or a path ending in '/'). */
const char *path_last(const char *path);
/* Writes path with its last name replaced by name into out ("/d/a", "b"
 * -> "/d/b"; "a", "b" -> "b"; "/a", "b" -> "/b"); false if too long. */
bool path_sibling(struct sbuf *out, const char *path, const char *name);
/* Writes where the path to leads from the directory dir (to itself when
 * it starts with '/') into out, as words of a path, without ".", ".."
 * (taking away the name before it; kept at the start of a relative path,
 * dropped at "/") or doubled slashes: "/a/b", "../c" -> "/a/c"; "a", "."
 * -> "a"; "a", ".." -> ""; "", ".." -> ".."; "/", ".." -> "/". False if
 * it would pass out's maximum.
 * The walk is vpath_walk, as in ferryd's vpath_resolve, which differs
 * where its paths do: those are FTP arguments, always absolute, while
 * these come from the server (PWD answers, link targets) and need not
 * start with '/'. So a relative dir and to give a relative path, with
 * ".." kept above its start, whose directory is not known (vpath_resolve
 * reads a relative cwd from "/": "a", ".." -> "/"; "", "" -> "/"); any
 * byte but NUL is kept (vpath_resolve refuses CR, LF and NUL, which no
 * command line can carry); the limit is out's maximum (there, the
 * buffer's size and FTP_PATH_MAX). */
bool path_resolve(struct sbuf *out, const char *dir, const char *to);
/* True when the path above (as path_resolve writes it) is path or a
 * directory above it: "/a" of "/a/b", "" of "a", "/" of "/x". */
bool path_is_above(const char *above, const char *path);

#endif
