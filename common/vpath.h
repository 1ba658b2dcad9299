/* vpath: virtual paths as FTP users see them ("/", "/docs/a.txt").
 * A virtual path is always absolute, normalised ("." and ".." resolved
 * lexically, no repeated or trailing slashes) and can never rise above "/".
 * It is a name only: the server's vfs maps it onto the disk, confined. */
#ifndef FERRY_VPATH_H
#define FERRY_VPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* Reasons a path is refused. */
enum vpath_error {
	VPATH_OK = 0,
	VPATH_TOO_LONG,    /* result longer than FTP_PATH_MAX */
	VPATH_BAD_CHAR,    /* CR, LF or NUL inside the name */
};

/* Adds the names of s (n bytes) to the normalised path in b, the walk
 * that vpath_resolve and the client's path_resolve share: "" (repeated or
 * trailing slashes) and "." vanish; ".." takes away the name before it,
 * vanishes at "/" and is kept at the start of a relative path ("" or
 * "../.."), where there is no name to take. b starts as "/" for an
 * absolute path, "" for a relative one. False, b holding part of the
 * path, if it would pass b's maximum, which counts every step: a path
 * that passes it before a later ".." brings it back is refused. */
bool vpath_walk(struct sbuf *b, const char *s, size_t n);
/* Joins arg (absolute, or relative to cwd) onto cwd and normalises the
 * result into out (size outsz). An empty arg means cwd; the result is
 * always absolute (a relative cwd counts from "/"). len is arg's length
 * (arg may contain NUL bytes, which are refused). */
enum vpath_error vpath_resolve(const char *cwd, const char *arg, size_t len,
			       char *out, size_t outsz);
/* Points at the last component of a normalised path ("" for "/"). */
const char *vpath_basename(const char *path);
/* Writes the parent of a normalised path into out ("/" for "/x" and "/"). */
void vpath_dirname(const char *path, char *out, size_t outsz);
/* The length of the client's path arg without the slashes and "/."
 * components it ends in ("a/b" of "a/b/./", "" of "/."): shorter than arg
 * when arg ends in a slash or "/.", which, as in a shell, then names a
 * folder (the one a link leads to). */
size_t vpath_folder_len(const char *arg);
/* Whether arg ends in a slash or "/." (vpath_folder_len shortens it). */
bool vpath_names_folder(const char *arg);
/* True if the name holds a byte FTP names may not contain (CR, LF, NUL). */
bool vpath_bad_name(const char *name, size_t len);

#endif
