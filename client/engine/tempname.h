/* tempname: the temporary name a download is written under before it is
 * renamed into place, shared by the command line and the TUI's worker.
 *
 * A download holds an flock(2) lock on its temporary for as long as it
 * has it open; the kernel drops the lock when the process ends, however
 * it ends (kill -9 included). A temporary of a target that nobody holds
 * locked is stale: what an ended download left behind. */
#ifndef FERRY_TEMPNAME_H
#define FERRY_TEMPNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Writes a mkstemp(3) template for local into out: ".NAME.ferry-XXXXXX" in
 * the same directory (".ferry-XXXXXX" when NAME is too long for that).
 * Returns false if out is too small. */
bool tempname_for(const char *local, char *out, size_t outsz);

/* True if name (a file name, no directory) has the form of a download
 * temporary: ".NAME.ferry-XXXXXX" or ".ferry-XXXXXX", or of a segmented
 * download's temporary and state (".NAME.ferry-segments", with ".state"
 * and ".state.new", segments.h). */
bool tempname_is(const char *name);

/* Creates a new temporary for local (its name in tmp, tmpsz bytes), open
 * for writing with O_CLOEXEC and locked. Returns the descriptor, or -1
 * with errno set. */
int tempname_create(const char *local, char *tmp, size_t tmpsz);

/* Takes the lock on a temporary opened again (fd), as tempname_create
 * does; false if a running process holds it. */
bool tempname_lock(int fd);

/* Clears the stale temporaries of local (".NAME.ferry-XXXXXX" beside it
 * that no process holds locked): each is removed, except that with adopt
 * set and no file named local, the largest is renamed to local so that a
 * resumed download continues from it. Returns the size of the adopted
 * file, or -1 when none was adopted. Never touches a locked temporary. */
long long tempname_sweep(const char *local, bool adopt);

#endif
