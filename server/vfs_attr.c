/* vfs_attr: file attributes, confined (see vfs_attr.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "sysio.h"
#include "vfs.h"
#include "vfs_attr.h"

/* 1 if the file open as fd is keep (same device and inode), else 0;
 * -1 with errno if it cannot be read. NULL keep: 0. */
static int is_kept(int fd, const struct stat *keep, struct stat *st)
{
	if (keep == NULL)
		return 0;
	if (fstat(fd, st) < 0)
		return -1;
	return st->st_dev == keep->st_dev && st->st_ino == keep->st_ino;
}

int vfs_set_mtime(int root_fd, const char *vpath, const struct timespec *mtime,
		  const struct stat *keep, struct stat *st)
{
	int fd = vfs_open(root_fd, vpath, O_PATH, 0);
	if (fd < 0)
		return -1;
	int r = is_kept(fd, keep, st);
	if (r == 0) {
		char name[40];
		vfs_fd_name(fd, name, sizeof name);
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, *mtime };
		r = utimensat(AT_FDCWD, name, ts, 0);
		if (r == 0)
			r = fstat(fd, st);
	}
	int e = errno;
	sysio_close(&fd);
	errno = e;
	return r;
}

int vfs_chmod(int root_fd, const char *vpath, mode_t mode, const struct stat *keep)
{
	int fd = vfs_open(root_fd, vpath, O_PATH, 0);
	if (fd < 0)
		return -1;
	struct stat st;
	int r = is_kept(fd, keep, &st);
	if (r == 0) {
		char name[40];
		vfs_fd_name(fd, name, sizeof name);
		r = fchmodat(AT_FDCWD, name, mode & 07777, 0);
	}
	int e = errno;
	sysio_close(&fd);
	errno = e;
	return r;
}

int vfs_avail(int root_fd, const char *vpath, unsigned long long *bytes)
{
	int fd = vfs_open(root_fd, vpath, O_PATH, 0);
	if (fd < 0)
		return -1;
	struct statvfs sv;
	int r = fstatvfs(fd, &sv);
	int e = errno;
	sysio_close(&fd);
	if (r == 0)
		*bytes = (unsigned long long)sv.f_bavail * sv.f_frsize;
	errno = e;
	return r;
}
