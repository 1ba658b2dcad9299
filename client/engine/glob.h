/* glob: the files a pattern names, remote or local, by one rule for both
 * front ends (the command line's get, put and rm; the screen's selection
 * by pattern). Wildcards ('*', '?', '[set]', '\' escapes, as wildmat
 * reads them) may stand in the last part of a path only; that part's
 * directory is listed and its names matched. A name starting with '.'
 * matches only a pattern whose last part starts with '.', as in a shell.
 * A name equal to the pattern itself is taken as it is, alone, so a file
 * called "a[1].txt" can still be named; a pattern whose every wildcard
 * is escaped ("st\*ar") names the one file it spells ("st*ar"). Matches
 * come sorted by name. */
#ifndef FERRY_GLOB_H
#define FERRY_GLOB_H

#include <stdbool.h>

#include "ftp.h"

/* True when word holds a wildcard and so is a pattern. */
bool glob_is_pattern(const char *word);
/* True when pattern can name one file only: its last part holds no
 * wildcard outside a '\' escape. */
bool glob_names_one(const char *pattern);
/* True when name (one path component) matches the last part of a
 * pattern by the rule above. */
bool glob_match(const char *pattern, const char *name);
/* The remote entries pattern names, appended to out (initialised by the
 * caller): each entry's name is the path to use (the pattern's directory
 * joined with the name), display its sanitised form; out->skipped counts
 * the directory listing's lines not understood. Returns FTP_S_OK
 * (with no entries when nothing matched), FTP_S_USAGE for a wildcard
 * before the last part, or the listing's failure. */
enum ftp_status ftp_glob(struct ftp *f, const char *pattern, struct ftp_listing *out);
/* The same for local files (read with readdir, typed with lstat).
 * Returns 0, or -1 with errno (EINVAL: a wildcard before the last part). */
int glob_local(const char *pattern, struct ftp_listing *out);

#endif
