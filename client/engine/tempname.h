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
#include <sys/types.h>

/* Longest stem of a temporary's name, in bytes: what NAME_MAX leaves for
 * it beside the leading "." and the longest ending a temporary has
 * (".ferry-segments.state.new"). */
#define TEMPNAME_STEM_MAX 229

/* Writes the stem of the temporaries of the file named base (a name, no
 * directory) into out (TEMPNAME_STEM_MAX + 1 bytes or more): base itself
 * when it is no longer than TEMPNAME_STEM_MAX, else its first bytes
 * (whole UTF-8 characters), "~" and 16 hex digits of a 64-bit FNV-1a
 * hash of the whole name, so that a long name's temporaries are its own
 * and the next download of it finds them. */
void tempname_stem(const char *base, char *out, size_t outsz);

/* Writes a mkstemp(3) template for local into out: ".STEM.ferry-XXXXXX"
 * in the same directory (STEM: tempname_stem of its name). Returns false
 * if out is too small. */
bool tempname_for(const char *local, char *out, size_t outsz);

/* Writes the name of a segmented download's temporary for local into
 * tmp (".STEM.ferry-segments" beside it) and of its state file into
 * state (the same with ".state"; segments.h); false when they do not
 * fit. */
bool tempname_segments(const char *local, char *tmp, size_t tmpsz, char *state, size_t statesz);

/* True if name (a file name, no directory) has the form of a download
 * temporary: ".STEM.ferry-XXXXXX" (or ".ferry-XXXXXX", which earlier
 * versions used for long names), or of a segmented download's temporary
 * and state (".STEM.ferry-segments", with ".state" and ".state.new",
 * segments.h). */
bool tempname_is(const char *name);

/* Writes the stem of name, a plain download's temporary
 * (".STEM.ferry-XXXXXX"), into stem (stemsz bytes): what tempname_stem
 * gave for the file it is a temporary of, which is that file's name when
 * it is no longer than TEMPNAME_STEM_MAX. False when name is no such
 * temporary, or names no stem (".ferry-XXXXXX"). */
bool tempname_stem_of(const char *name, char *stem, size_t stemsz);

/* Creates a new temporary for local (its name in tmp, tmpsz bytes), open
 * for writing with O_CLOEXEC and locked. Returns the descriptor, or -1
 * with errno set. */
int tempname_create(const char *local, char *tmp, size_t tmpsz);

/* Takes the lock on a temporary opened again (fd), as tempname_create
 * does; false if a running process holds it. */
bool tempname_lock(int fd);

/* Opens the temporary path (read-only, O_CLOEXEC; made with mode when it
 * is not there, *created then set) and takes its lock, trying again when
 * a sweep removes it meanwhile. Returns the descriptor, or -1 with errno
 * set: EBUSY when a running process holds it. */
int tempname_hold(const char *path, mode_t mode, bool *created);

/* Clears the stale temporaries of local (those beside it that no process
 * holds locked): the ".STEM.ferry-XXXXXX" of plain downloads and the
 * temporary and state of a segmented download (".STEM.ferry-segments",
 * the state files going with it, or alone when there is no temporary).
 * Each is removed, except that with adopt set and no file named local,
 * the one holding the most of the file's start is renamed to local so
 * that a resumed download continues from it (a segmented download's
 * temporary cut to its ranges complete from the start). Returns the size
 * of the adopted file, or -1 when none was adopted. Never touches a
 * locked temporary, nor the state of one. */
long long tempname_sweep(const char *local, bool adopt);

/* The names of the download temporaries in one directory, read once for
 * many downloads into it (tempname_sweep_listed): a tree's files, a
 * pattern's. Starts zeroed; tempname_dir_free when done. */
struct tempname_dir {
	char *dir;        /* the directory read (NULL: none yet) */
	char **names;     /* its names of a temporary's form (tempname_is) */
	size_t n;
};

/* tempname_sweep of local, its directory read only when td holds another
 * one (or none): later sweeps in the same directory look among the names
 * read then, and touch the directory only when one of them is a
 * temporary of local. So downloads of N files into one directory read it
 * once, not N times. A temporary that appears in the directory after td
 * read it (left by a download killed meanwhile) is left to a later
 * download. td NULL: tempname_sweep. */
long long tempname_sweep_listed(struct tempname_dir *td, const char *local, bool adopt);

/* Frees what td holds and zeroes it. */
void tempname_dir_free(struct tempname_dir *td);

/* Clears the stale ".STEM.ferry-XXXXXX" of local as tempname_sweep does,
 * leaving a segmented download's temporary and state (what
 * get --segments resumes from). */
void tempname_sweep_plain(const char *local);

/* Removes name from the directory open as dirfd when it is a stale
 * temporary of a plain download (".STEM.ferry-XXXXXX", tempname_stem_of):
 * a regular file no process holds locked. For a caller that read the
 * directory once and judged the temporary's file itself (the orphans of
 * sync_clear_orphans). True when it was removed. */
bool tempname_clear(int dirfd, const char *name);

#endif
