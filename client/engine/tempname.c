/* tempname: temporary names for downloads (see tempname.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tempname.h"

/* Suffix of temporary download names (mkstemp fills in the X's). */
static const char temp_suffix[] = ".ferry-XXXXXX";
/* How many X's mkstemp fills in. */
#define TEMP_RANDOM 6
/* Tries at a new temporary when a sweep removes one before its lock. */
#define TEMP_TRIES 8

bool tempname_for(const char *local, char *out, size_t outsz)
{
	const char *slash = strrchr(local, '/');
	const char *base = slash ? slash + 1 : local;
	int dirlen = slash ? (int)(slash + 1 - local) : 0;
	bool fits = strlen(base) + sizeof temp_suffix + 1 <= NAME_MAX;
	int n = snprintf(out, outsz, "%.*s.%s%s", dirlen, local, fits ? base : "",
			 fits ? temp_suffix : temp_suffix + 1);
	return n > 0 && (size_t)n < outsz;
}

bool tempname_lock(int fd)
{
	int r;
	while ((r = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
		;
	return r == 0;
}

/* True if fd is still the file named path (a sweep may have removed the
 * name between its creation and the lock). */
static bool still_named(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && a.st_nlink > 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int tempname_create(const char *local, char *tmp, size_t tmpsz)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		if (!tempname_for(local, tmp, tmpsz)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		int fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return -1;
		/* A sweep removes a temporary only while holding its lock, so
		 * one still named once locked is this download's for good. */
		if (tempname_lock(fd) && still_named(fd, tmp))
			return fd;
		close(fd);
	}
	errno = EBUSY;
	return -1;
}

/* True if s is the suffix of a temporary: ".ferry-" and the characters
 * mkstemp chose. */
static bool temp_tail(const char *s)
{
	size_t fixed = sizeof temp_suffix - 1 - TEMP_RANDOM;
	if (strncmp(s, temp_suffix, fixed) != 0)
		return false;
	const char *r = s + fixed;
	for (int i = 0; i < TEMP_RANDOM; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
		      (r[i] >= '0' && r[i] <= '9')))
			return false;
	return r[TEMP_RANDOM] == '\0';
}

/* True if name is a temporary of base: "." base ".ferry-" and the
 * characters mkstemp chose. */
static bool temp_of(const char *name, const char *base, size_t blen)
{
	return name[0] == '.' && strncmp(name + 1, base, blen) == 0 && temp_tail(name + 1 + blen);
}

/* True if name ends with end. */
static bool ends_with(const char *name, size_t len, const char *end)
{
	size_t n = strlen(end);
	return len >= n && strcmp(name + len - n, end) == 0;
}

bool tempname_is(const char *name)
{
	size_t len = strlen(name);
	size_t tail = sizeof temp_suffix - 1;
	if (name[0] != '.')
		return false;
	return (len >= tail && temp_tail(name + len - tail)) ||
	       ends_with(name, len, ".ferry-segments") ||
	       ends_with(name, len, ".ferry-segments.state") ||
	       ends_with(name, len, ".ferry-segments.state.new");
}

/* Opens and locks dir/name if it is a stale temporary (a regular file
 * nobody holds locked); returns the descriptor or -1. */
static int open_stale(int dfd, const char *name, struct stat *sb)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat now;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || !tempname_lock(fd) ||
	    fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0 ||
	    now.st_dev != sb->st_dev || now.st_ino != sb->st_ino) {
		close(fd);
		return -1;
	}
	return fd;
}

long long tempname_sweep(const char *local, bool adopt)
{
	const char *slash = strrchr(local, '/');
	const char *base = slash ? slash + 1 : local;
	size_t blen = strlen(base);
	char dir[PATH_MAX];

	if (blen == 0 || blen + sizeof temp_suffix + 1 > NAME_MAX)
		return -1;
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == local)
		strcpy(dir, "/");
	else if ((size_t)snprintf(dir, sizeof dir, "%.*s", (int)(slash - local), local) >= sizeof dir)
		return -1;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	struct stat tb;
	if (adopt && fstatat(dfd, base, &tb, AT_SYMLINK_NOFOLLOW) == 0)
		adopt = false;
	/* The largest stale temporary, kept open and locked while the others
	 * go, when one is to be adopted. */
	int keep = -1;
	char keep_name[NAME_MAX + 1];
	off_t keep_size = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!temp_of(e->d_name, base, blen))
			continue;
		struct stat sb;
		int fd = open_stale(dfd, e->d_name, &sb);
		if (fd < 0)
			continue;
		if (adopt && sb.st_size > keep_size) {
			if (keep >= 0) {
				unlinkat(dfd, keep_name, 0);
				close(keep);
			}
			keep = fd;
			keep_size = sb.st_size;
			memcpy(keep_name, e->d_name, strlen(e->d_name) + 1);
			continue;
		}
		unlinkat(dfd, e->d_name, 0);
		close(fd);
	}
	long long adopted = -1;
	if (keep >= 0) {
		/* Renamed only if no file of the target's name appeared. */
		if (linkat(dfd, keep_name, dfd, base, 0) == 0) {
			unlinkat(dfd, keep_name, 0);
			adopted = (long long)keep_size;
		} else if (errno != EEXIST && renameat(dfd, keep_name, dfd, base) == 0) {
			adopted = (long long)keep_size;
		} else {
			unlinkat(dfd, keep_name, 0);
		}
		close(keep);
	}
	closedir(d);
	return adopted;
}
