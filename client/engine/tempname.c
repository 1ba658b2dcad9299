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

#include "segments.h"
#include "tempname.h"
#include "xalloc.h"

/* Suffix of temporary download names (mkstemp fills in the X's). */
static const char temp_suffix[] = ".ferry-XXXXXX";
/* How many X's mkstemp fills in. */
#define TEMP_RANDOM 6
/* Tries at a new temporary when a sweep removes one before its lock. */
#define TEMP_TRIES 8
/* Ending of a segmented download's temporary, and of its state files
 * after that (segments.h; ".new" is the state being written). */
static const char seg_suffix[] = ".ferry-segments";
static const char *const seg_state_ends[] = { ".state", ".state.new" };
/* Hex digits of the hash in a long name's stem, and what joins them on. */
#define STEM_HASH_DIGITS 16
#define STEM_HASH_MARK '~'
/* FNV-1a, 64 bits. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

void tempname_stem(const char *base, char *out, size_t outsz)
{
	size_t blen = strlen(base);
	if (blen <= TEMPNAME_STEM_MAX) {
		snprintf(out, outsz, "%s", base);
		return;
	}
	unsigned long long h = FNV_OFFSET;
	for (size_t i = 0; i < blen; i++) {
		h ^= (unsigned char)base[i];
		h *= FNV_PRIME;
	}
	/* The start of the name, cut before a UTF-8 continuation byte. */
	size_t keep = TEMPNAME_STEM_MAX - 1 - STEM_HASH_DIGITS;
	while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
		keep--;
	snprintf(out, outsz, "%.*s%c%016llx", (int)keep, base, STEM_HASH_MARK, h);
}

/* Splits local into its directory part (with the slash; dirlen bytes)
 * and the stem of its name (into stem). */
static void temp_split(const char *local, int *dirlen, char *stem, size_t stemsz)
{
	const char *slash = strrchr(local, '/');
	*dirlen = slash ? (int)(slash + 1 - local) : 0;
	tempname_stem(slash ? slash + 1 : local, stem, stemsz);
}

bool tempname_for(const char *local, char *out, size_t outsz)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	int dirlen;
	temp_split(local, &dirlen, stem, sizeof stem);
	int n = snprintf(out, outsz, "%.*s.%s%s", dirlen, local, stem, temp_suffix);
	return n > 0 && (size_t)n < outsz;
}

bool tempname_segments(const char *local, char *tmp, size_t tmpsz, char *state, size_t statesz)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	int dirlen;
	temp_split(local, &dirlen, stem, sizeof stem);
	int n = snprintf(tmp, tmpsz, "%.*s.%s%s", dirlen, local, stem, seg_suffix);
	if (n < 0 || (size_t)n >= tmpsz)
		return false;
	n = snprintf(state, statesz, "%s%s", tmp, seg_state_ends[0]);
	return n >= 0 && (size_t)n < statesz;
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

int tempname_hold(const char *path, mode_t mode, bool *created)
{
	for (int i = 0; i < TEMP_TRIES; i++) {
		int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
		*created = true;
		int fd = open(path, flags | O_CREAT | O_EXCL, mode);
		if (fd < 0 && errno == EEXIST) {
			*created = false;
			fd = open(path, flags);
		}
		if (fd < 0 && errno == ENOENT)
			continue;   /* removed between the two opens */
		if (fd < 0)
			return -1;
		bool locked = tempname_lock(fd);
		bool named = still_named(fd, path);
		if (locked && named)
			return fd;
		close(fd);
		if (!locked && named) {
			errno = EBUSY;   /* a running download's */
			return -1;
		}
		/* A sweep removed it before the lock: a new one. */
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

/* True if name is a temporary of stem: "." stem ".ferry-" and the
 * characters mkstemp chose. */
static bool temp_of(const char *name, const char *stem, size_t slen)
{
	return name[0] == '.' && strncmp(name + 1, stem, slen) == 0 && temp_tail(name + 1 + slen);
}

/* True if name ends with end. */
static bool ends_with(const char *name, size_t len, const char *end)
{
	size_t n = strlen(end);
	return len >= n && strcmp(name + len - n, end) == 0;
}

bool tempname_is(const char *name)
{
	char end[sizeof seg_suffix + sizeof ".state.new"];
	size_t len = strlen(name);
	size_t tail = sizeof temp_suffix - 1;
	if (name[0] != '.')
		return false;
	if ((len >= tail && temp_tail(name + len - tail)) || ends_with(name, len, seg_suffix))
		return true;
	for (size_t i = 0; i < sizeof seg_state_ends / sizeof seg_state_ends[0]; i++) {
		snprintf(end, sizeof end, "%s%s", seg_suffix, seg_state_ends[i]);
		if (ends_with(name, len, end))
			return true;
	}
	return false;
}

bool tempname_stem_of(const char *name, char *stem, size_t stemsz)
{
	size_t len = strlen(name), tail = sizeof temp_suffix - 1;

	/* ".ferry-XXXXXX" alone (earlier versions' long names) names no stem. */
	if (name[0] != '.' || len < tail + 2 || !temp_tail(name + len - tail))
		return false;
	int n = snprintf(stem, stemsz, "%.*s", (int)(len - tail - 1), name + 1);
	return n > 0 && (size_t)n < stemsz;
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

/* What a sweep keeps to adopt: the stale temporary holding most of the
 * file's start, open and locked while the others go. */
struct sweep_keep {
	int fd;                    /* -1: none yet */
	char name[NAME_MAX + 1];
	off_t size;                /* the bytes of the file's start it holds */
	bool cut;                  /* to be cut to size first (a segmented temporary) */
};

/* Offers the stale temporary name (open and locked as fd), holding size
 * bytes of the file's start, for adoption: it is kept when it holds
 * more than the one kept so far, which then goes; otherwise it goes. */
static void sweep_offer(int dfd, struct sweep_keep *k, int fd, const char *name, off_t size,
			bool cut)
{
	if (size <= k->size) {
		unlinkat(dfd, name, 0);
		close(fd);
		return;
	}
	if (k->fd >= 0) {
		unlinkat(dfd, k->name, 0);
		close(k->fd);
	}
	k->fd = fd;
	k->size = size;
	k->cut = cut;
	snprintf(k->name, sizeof k->name, "%s", name);
}

/* The bytes of the file's start that a segmented download's state (the
 * file state) says are in its temporary: its ranges complete from the
 * first, and what the next one got. 0 when the state is missing or not
 * valid. */
static off_t sweep_seg_start(const char *state)
{
	struct segments s;
	off_t got = 0;
	bool ok = segments_load(state, &s);
	for (int i = 0; ok && i < s.n; i++) {
		got += s.v[i].done;
		if (s.v[i].start + s.v[i].done < s.v[i].end)
			break;
	}
	return got;
}

/* Clears a segmented download's leftovers of stem in dfd: its state
 * files when its temporary is gone or stale, and the stale temporary
 * itself (offered for adoption with adopt, cut to its complete start). */
static void sweep_segments(int dfd, const char *dir, const char *stem, bool adopt,
			   struct sweep_keep *k)
{
	char tmp[NAME_MAX + 1], state[NAME_MAX + 1], path[PATH_MAX];
	struct stat sb;

	snprintf(tmp, sizeof tmp, ".%s%s", stem, seg_suffix);
	int fd = -1;
	if (fstatat(dfd, tmp, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		fd = open_stale(dfd, tmp, &sb);
		if (fd < 0)
			return;   /* a running download's, or not a file */
	} else if (errno != ENOENT) {
		return;
	}
	off_t start = 0;
	for (size_t i = 0; i < sizeof seg_state_ends / sizeof seg_state_ends[0]; i++) {
		snprintf(state, sizeof state, "%s%s", tmp, seg_state_ends[i]);
		if (i == 0 && fd >= 0 && adopt &&
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir, state) < sizeof path)
			start = sweep_seg_start(path);
		unlinkat(dfd, state, 0);
	}
	if (fd < 0)
		return;
	if (start > sb.st_size)
		start = sb.st_size;
	if (adopt) {
		sweep_offer(dfd, k, fd, tmp, start, true);
	} else {
		unlinkat(dfd, tmp, 0);
		close(fd);
	}
}

/* Gives the kept temporary the target's name base, unless a file of that
 * name appeared; returns its size, or -1 when it was removed instead. */
static long long sweep_adopt(int dfd, struct sweep_keep *k, const char *base)
{
	long long adopted = -1;
	bool ok = true;
	if (k->cut) {
		/* Opened read-only for its lock: cut through a second descriptor
		 * of the same file. */
		struct stat a, b;
		int wfd = openat(dfd, k->name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		ok = wfd >= 0 && fstat(wfd, &a) == 0 && fstat(k->fd, &b) == 0 &&
		     a.st_dev == b.st_dev && a.st_ino == b.st_ino && ftruncate(wfd, k->size) == 0;
		if (wfd >= 0)
			close(wfd);
	}
	if (!ok) {
		unlinkat(dfd, k->name, 0);
	} else if (linkat(dfd, k->name, dfd, base, 0) == 0) {
		unlinkat(dfd, k->name, 0);
		adopted = (long long)k->size;
	} else if (errno != EEXIST && renameat(dfd, k->name, dfd, base) == 0) {
		adopted = (long long)k->size;
	} else {
		unlinkat(dfd, k->name, 0);
	}
	close(k->fd);
	return adopted;
}

/* Splits local into its directory (dir, PATH_MAX bytes: "." for none),
 * its name (*base) and the stem of its temporaries (stem,
 * TEMPNAME_STEM_MAX + 1 bytes); false when it names no file or the
 * directory does not fit. */
static bool sweep_split(const char *local, char *dir, const char **base, char *stem)
{
	const char *slash = strrchr(local, '/');
	*base = slash ? slash + 1 : local;
	if (**base == '\0')
		return false;
	tempname_stem(*base, stem, TEMPNAME_STEM_MAX + 1);
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == local)
		strcpy(dir, "/");
	else if ((size_t)snprintf(dir, PATH_MAX, "%.*s", (int)(slash - local), local) >= PATH_MAX)
		return false;
	return true;
}

/* The sweep of tempname_sweep (segments: a segmented download's
 * leftovers too). */
static long long sweep(const char *local, bool adopt, bool segments)
{
	const char *base;
	char dir[PATH_MAX], stem[TEMPNAME_STEM_MAX + 1];

	if (!sweep_split(local, dir, &base, stem))
		return -1;
	size_t slen = strlen(stem);
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
	struct sweep_keep keep = { .fd = -1, .size = -1 };
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!temp_of(e->d_name, stem, slen))
			continue;
		struct stat sb;
		int fd = open_stale(dfd, e->d_name, &sb);
		if (fd < 0)
			continue;
		if (adopt) {
			sweep_offer(dfd, &keep, fd, e->d_name, sb.st_size, false);
		} else {
			unlinkat(dfd, e->d_name, 0);
			close(fd);
		}
	}
	if (segments)
		sweep_segments(dfd, dir, stem, adopt, &keep);
	long long adopted = keep.fd >= 0 ? sweep_adopt(dfd, &keep, base) : -1;
	closedir(d);
	return adopted;
}

long long tempname_sweep(const char *local, bool adopt)
{
	return sweep(local, adopt, true);
}

void tempname_sweep_plain(const char *local)
{
	sweep(local, false, false);
}

bool tempname_clear(int dirfd, const char *name)
{
	char stem[TEMPNAME_STEM_MAX + 1];
	struct stat sb;

	if (!tempname_stem_of(name, stem, sizeof stem))
		return false;
	int fd = open_stale(dirfd, name, &sb);
	if (fd < 0)
		return false;
	bool gone = unlinkat(dirfd, name, 0) == 0;
	close(fd);
	return gone;
}

/* True if name is one of the temporaries a sweep of stem (slen bytes)
 * looks at: a plain download's, a segmented download's or its state. */
static bool temp_of_stem(const char *name, const char *stem, size_t slen)
{
	if (temp_of(name, stem, slen))
		return true;
	if (name[0] != '.' || strncmp(name + 1, stem, slen) != 0)
		return false;
	const char *end = name + 1 + slen;
	if (strncmp(end, seg_suffix, sizeof seg_suffix - 1) != 0)
		return false;
	end += sizeof seg_suffix - 1;
	if (*end == '\0')
		return true;
	for (size_t i = 0; i < sizeof seg_state_ends / sizeof seg_state_ends[0]; i++)
		if (strcmp(end, seg_state_ends[i]) == 0)
			return true;
	return false;
}

void tempname_dir_free(struct tempname_dir *td)
{
	for (size_t i = 0; i < td->n; i++)
		free(td->names[i]);
	free(td->names);
	free(td->dir);
	*td = (struct tempname_dir){ 0 };
}

/* Reads the temporaries' names of dir into td, in place of what it held;
 * false when dir cannot be read. */
static bool dir_read(struct tempname_dir *td, const char *dir)
{
	tempname_dir_free(td);
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	td->dir = xstrdup(dir);
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!tempname_is(e->d_name))
			continue;
		if (td->n == cap) {
			cap = cap ? 2 * cap : 8;
			td->names = xrealloc(td->names, cap * sizeof *td->names);
		}
		td->names[td->n++] = xstrdup(e->d_name);
	}
	closedir(d);
	return true;
}

long long tempname_sweep_listed(struct tempname_dir *td, const char *local, bool adopt)
{
	const char *base;
	char dir[PATH_MAX], stem[TEMPNAME_STEM_MAX + 1];

	if (td == NULL)
		return tempname_sweep(local, adopt);
	if (!sweep_split(local, dir, &base, stem))
		return -1;
	if ((td->dir == NULL || strcmp(td->dir, dir) != 0) && !dir_read(td, dir))
		return -1;   /* as the sweep, which could not open it either */
	size_t slen = strlen(stem);
	for (size_t i = 0; i < td->n; i++)
		if (temp_of_stem(td->names[i], stem, slen))
			return sweep(local, adopt, true);
	return -1;
}
