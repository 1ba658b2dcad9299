/* vfs_attr: changing and asking about a file's attributes (MFMT, SITE
 * CHMOD, AVBL), confined below the session root like every vfs call. The
 * file is found with openat2 (vfs_open, O_PATH): symlinks are followed
 * only inside the root. The change then goes to that very file through
 * its /proc/self/fd name, so no name is looked up a second time.
 * Errors return -1 with errno. */
#ifndef FERRYD_VFS_ATTR_H
#define FERRYD_VFS_ATTR_H

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

/* Sets vpath's modification time (the access time is left alone) and
 * fills st with the file's status after it (from the same file, not a
 * second lookup of vpath). Returns 1, changing nothing, when vpath
 * leads to the file keep (same device and inode; NULL: none), with its
 * status in st. */
int vfs_set_mtime(int root_fd, const char *vpath, const struct timespec *mtime,
		  const struct stat *keep, struct stat *st);
/* Sets vpath's permission bits (mode & 07777). Returns 1, changing
 * nothing, when vpath leads to the file keep (same device and inode;
 * NULL: none), found by the same lookup that changes the mode. */
int vfs_chmod(int root_fd, const char *vpath, mode_t mode, const struct stat *keep);
/* Bytes an unprivileged user may still write on the file system that
 * holds vpath (statvfs f_bavail * f_frsize) into *bytes. */
int vfs_avail(int root_fd, const char *vpath, unsigned long long *bytes);

#endif
