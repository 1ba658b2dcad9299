/* vfs: confined file operations (see vfs.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "ftp_limits.h"
#include "sysio.h"
#include "vfs.h"
#include "vpath.h"
#include "xalloc.h"

/* Mode given to new files and directories, before the umask. */
#define VFS_FILE_MODE 0666
/* Times openat2 is retried when it answers EAGAIN. */
#define OPENAT2_RETRIES 64

bool vfs_is_temp_name(const char *name)
{
	return strncmp(name, VFS_TEMP_PREFIX, sizeof VFS_TEMP_PREFIX - 1) == 0;
}

bool vfs_is_special(mode_t mode)
{
	return S_ISSOCK(mode) || S_ISFIFO(mode) || S_ISCHR(mode) || S_ISBLK(mode);
}

/* True if a component of the relative path rel is a hidden upload
 * temporary: those are never opened for a client. */
static bool names_temp(const char *rel)
{
	for (const char *p = rel; (p = strstr(p, VFS_TEMP_PREFIX)) != NULL; p++)
		if (p == rel || p[-1] == '/')
			return true;
	return false;
}

/* openat2 confined to dir_fd. RESOLVE_IN_ROOT answers EAGAIN when a
 * rename or mount anywhere on the system races with a ".." in the walk
 * (a symlink such as "up -> ../x"); the walk is then simply repeated. */
static int open_in(int dir_fd, const char *rel, int flags, mode_t mode)
{
	if (names_temp(rel))
		return (errno = ENOENT, -1);
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int again = 0;
	do
		fd = syscall(SYS_openat2, dir_fd, rel, &how, sizeof how);
	while (fd < 0 && (errno == EINTR || (errno == EAGAIN && again++ < OPENAT2_RETRIES)));
	return (int)fd;
}

/* The relative form of a virtual path: "/" -> ".", "/a/b" -> "a/b". */
static const char *rel(const char *vpath)
{
	while (*vpath == '/')
		vpath++;
	return *vpath ? vpath : ".";
}

int vfs_open_root(const char *dir)
{
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int vfs_open_home(int root_fd, const char *home)
{
	if (home[0] == '/')
		return vfs_open_root(home);
	if (home[0] == '\0')
		return open_in(root_fd, ".", O_PATH | O_DIRECTORY, 0);
	return open_in(root_fd, home, O_PATH | O_DIRECTORY, 0);
}

bool vfs_supported(int root_fd)
{
	int fd = open_in(root_fd, ".", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return errno != ENOSYS && errno != EINVAL && errno != EPERM;
	close(fd);
	return true;
}

int vfs_open(int root_fd, const char *vpath, int flags, mode_t mode)
{
	return open_in(root_fd, rel(vpath), flags, mode);
}

int vfs_can_enter(int root_fd, const char *vpath)
{
	int fd = vfs_open(root_fd, vpath, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	int in = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int err = errno;
	close(fd);
	if (in < 0)
		return (errno = err, -1);
	close(in);
	return 0;
}

/* A name that can be looked up on its own: not ".", "..", or a hidden
 * upload temporary. */
static bool plain_name(const char *name)
{
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !vfs_is_temp_name(name);
}

/* The directory of the last "dir/name" that vfs_stat looked up: its
 * O_PATH descriptor, and the inode it was opened as. */
static int stat_dir_fd = -1;
static dev_t stat_dir_dev;
static ino_t stat_dir_ino;

/* A descriptor of the directory that root_fd's entry dir (one plain
 * component) is now, or -1 if it is not one: a symlink, missing, an
 * error. The entry is looked up without being followed, so nothing is
 * walked. The descriptor is kept and used again while the entry is
 * still the same inode; holding it keeps that inode's number from going
 * to another file, so the same number is the same directory. */
static int dir_in_root(int root_fd, const char *dir)
{
	struct stat st, fst;
	if (fstatat(root_fd, dir, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	if (stat_dir_fd >= 0 && st.st_dev == stat_dir_dev && st.st_ino == stat_dir_ino)
		return stat_dir_fd;
	int fd = open_in(root_fd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return -1;
	if (fstat(fd, &fst) < 0 || fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) {
		sysio_close(&fd);   /* replaced between the two looks */
		return -1;
	}
	sysio_close(&stat_dir_fd);
	stat_dir_fd = fd;
	stat_dir_dev = st.st_dev;
	stat_dir_ino = st.st_ino;
	return fd;
}

/* Looks up name in dir_fd without following it: 0 with *st, -1 with
 * ENOENT when it is not there, 1 when the confined walk must answer
 * (a symlink, whose target the walk resolves inside the root, or any
 * other error). */
static int stat_entry(int dir_fd, const char *name, struct stat *st)
{
	if (fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st->st_mode) ? 1 : 0;
	return errno == ENOENT ? -1 : 1;
}

int vfs_stat(int root_fd, const char *vpath, struct stat *st)
{
	const char *name = rel(vpath);
	/* A name straight under the root, or one directory below it (SIZE,
	 * MDTM, MLST of "f.bin" or "pub/f.bin"): fstatat instead of openat2,
	 * fstat and close. Each component is plain and looked up without
	 * being followed, in root_fd or in the descriptor dir_in_root found
	 * to be the root's entry, so the look-up cannot leave the root. */
	const char *slash = strchr(name, '/');
	int r = 1;
	if (slash == NULL) {
		if (strcmp(name, "..") != 0 && !vfs_is_temp_name(name))
			r = stat_entry(root_fd, name, st);
	} else if (slash != name && slash - name <= NAME_MAX && slash[1] != '\0' &&
		   strchr(slash + 1, '/') == NULL && plain_name(slash + 1)) {
		char dir[NAME_MAX + 1];
		memcpy(dir, name, (size_t)(slash - name));
		dir[slash - name] = '\0';
		int dfd = plain_name(dir) ? dir_in_root(root_fd, dir) : -1;
		if (dfd >= 0)
			r = stat_entry(dfd, slash + 1, st);
	}
	if (r <= 0)
		return r;
	int fd = open_in(root_fd, name, O_PATH, 0);
	if (fd < 0)
		return -1;
	r = fstat(fd, st);
	sysio_close(&fd);
	return r;
}

int vfs_open_parent(int root_fd, const char *vpath, const char **base)
{
	char parent[FTP_PATH_MAX + 1];
	*base = vpath_basename(vpath);
	if (**base == '\0')
		return (errno = EINVAL, -1);
	if (vfs_is_temp_name(*base))
		return (errno = ENOENT, -1);
	vpath_dirname(vpath, parent, sizeof parent);
	return open_in(root_fd, rel(parent), O_PATH | O_DIRECTORY, 0);
}

int vfs_lstat(int root_fd, const char *vpath, struct stat *st)
{
	const char *base;
	if (strcmp(vpath, "/") == 0)
		return vfs_stat(root_fd, vpath, st);
	int dfd = vfs_open_parent(root_fd, vpath, &base);
	if (dfd < 0)
		return -1;
	int r = fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
	sysio_close(&dfd);
	return r;
}

void vfs_fd_name(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* True if vpath leads to the file whose fstat is want (a symlink on the
 * way, or at the end, that leads there counts). */
static bool names_file(int root_fd, const char *vpath, const struct stat *want)
{
	struct stat st;
	return vfs_stat(root_fd, vpath, &st) == 0 && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino;
}

/* The kernel's name of the file open as fd (from /proc) into buf (size
 * bytes, NUL-terminated); its length, or -1. */
static ssize_t fd_path(int fd, char *buf, size_t size)
{
	char name[40];
	vfs_fd_name(fd, name, sizeof name);
	ssize_t n = readlinkat(AT_FDCWD, name, buf, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	return n;
}

bool vfs_locate(int root_fd, int fd, const struct stat *opened, char *vpath)
{
	/* The device and inode of an open file never change: the fstat
	 * taken when it was opened serves the first look. Its link count
	 * does, and is read afresh when the file has left its name. */
	struct stat want;
	if (opened == NULL) {
		if (fstat(fd, &want) < 0)
			return false;
		opened = &want;
	}
	if (names_file(root_fd, vpath, opened))
		return true;
	if (fstat(fd, &want) < 0 || want.st_nlink == 0)
		return false;
	/* The file's name on the host, less the root's: "/" stands for no
	 * prefix at all. The result is checked like any client's name, so a
	 * file moved out of the root is never named. */
	char root[FTP_PATH_MAX + 1], file[FTP_PATH_MAX + 1];
	ssize_t rn = fd_path(root_fd, root, sizeof root);
	ssize_t fn = fd_path(fd, file, sizeof file);
	if (rn < 1 || fn < 1)
		return false;
	if (rn == 1)
		rn = 0;
	if (fn <= rn || memcmp(file, root, (size_t)rn) != 0 || file[rn] != '/' ||
	    !names_file(root_fd, file + rn, &want))
		return false;
	memmove(vpath, file + rn, (size_t)(fn - rn) + 1);
	return true;
}

static int stat_marked(int dfd, const char *name, int flags, struct stat *st, enum vfs_mark *mark);
static void read_refusal(int dfd, const char *name, const struct vfs_removal *seen,
			 struct vfs_removal *why);

/* Clears *why (if not NULL): no mark known, as when the folder cannot be
 * opened to read one. */
static void no_refusal(struct vfs_removal *why)
{
	if (why != NULL)
		memset(why, 0, sizeof *why);
}

/* Runs one *at(2) call on the last component of vpath; on EPERM, the
 * marks that refused it into *why (if not NULL). */
enum name_op { OP_UNLINK, OP_RMDIR, OP_MKDIR };
static int name_op(int root_fd, const char *vpath, enum name_op op, mode_t mode,
		   struct vfs_removal *why)
{
	const char *base;
	no_refusal(why);
	int dfd = vfs_open_parent(root_fd, vpath, &base);
	if (dfd < 0)
		return -1;
	int r;
	struct vfs_removal seen;   /* the entry, as OP_UNLINK found it */
	const struct vfs_removal *entry = NULL;
	switch (op) {
	case OP_UNLINK:
		/* unlink(2) of a directory gives EISDIR on Linux; say so
		 * clearly. The statx(2) that tells also reads the entry's
		 * mark, which then names a refusal without a second look. */
		memset(&seen, 0, sizeof seen);
		entry = &seen;
		if (stat_marked(dfd, base, AT_SYMLINK_NOFOLLOW, &seen.st, &seen.mark) == 0 &&
		    S_ISDIR(seen.st.st_mode)) {
			errno = EISDIR;
			r = -1;
		} else {
			r = unlinkat(dfd, base, 0);
		}
		break;
	case OP_RMDIR: r = unlinkat(dfd, base, AT_REMOVEDIR); break;
	default: r = mkdirat(dfd, base, mode); break;
	}
	if (r < 0)
		read_refusal(dfd, base, entry, why);
	sysio_close(&dfd);
	return r;
}

int vfs_unlink(int root_fd, const char *vpath, struct vfs_removal *why)
{
	return name_op(root_fd, vpath, OP_UNLINK, 0, why);
}

int vfs_rmdir(int root_fd, const char *vpath, struct vfs_removal *why)
{
	return name_op(root_fd, vpath, OP_RMDIR, 0, why);
}

int vfs_mkdir(int root_fd, const char *vpath, mode_t mode, struct vfs_removal *why)
{
	return name_op(root_fd, vpath, OP_MKDIR, mode, why);
}

int vfs_rename(int root_fd, const char *from, const char *to, bool replace,
	       struct vfs_removal *why)
{
	const char *fbase, *tbase;
	no_refusal(why);
	int ffd = vfs_open_parent(root_fd, from, &fbase);
	if (ffd < 0)
		return -1;
	int tfd = vfs_open_parent(root_fd, to, &tbase);
	if (tfd < 0) {
		sysio_close(&ffd);
		return -1;
	}
	int r = renameat2(ffd, fbase, tfd, tbase, replace ? 0 : RENAME_NOREPLACE);
	if (r < 0)
		read_refusal(tfd, tbase, NULL, why);
	sysio_close(&ffd);
	sysio_close(&tfd);
	return r;
}

/* Writes a fresh random hidden temporary name into name. */
static int temp_name(char *name, size_t namesz)
{
	unsigned char rnd[6];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	snprintf(name, namesz, VFS_TEMP_PREFIX "%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5]);
	return 0;
}

/* Creates a hidden, uniquely named temporary file in dir_fd. */
static int named_temp(int dir_fd, char *name, size_t namesz)
{
	for (int tries = 0; tries < 16; tries++) {
		if (temp_name(name, namesz) < 0)
			return -1;
		int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
				VFS_FILE_MODE);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return (errno = EEXIST, -1);
}

/* How an unnamed (O_TMPFILE) upload gets its name when it is committed:
 * linkat(AT_EMPTY_PATH), which Linux allows the opener of the file since
 * 6.10 (and anyone with CAP_DAC_READ_SEARCH), else through /proc, else
 * not at all (uploads then use named temporaries). Found out once per
 * process, before the first upload's data is read. */
enum link_way { LINK_UNKNOWN, LINK_EMPTY_PATH, LINK_PROC, LINK_NONE };
static enum link_way link_way = LINK_UNKNOWN;

/* Gives the unnamed file fd the name name in dir_fd. */
static int link_unnamed(int fd, int dir_fd, const char *name, enum link_way way)
{
	if (way == LINK_EMPTY_PATH)
		return linkat(fd, "", dir_fd, name, AT_EMPTY_PATH);
	char proc[40];
	vfs_fd_name(fd, proc, sizeof proc);
	return linkat(AT_FDCWD, proc, dir_fd, name, AT_SYMLINK_FOLLOW);
}

/* Tries each way of naming an unnamed file on a probe file in dir_fd. */
static void probe_link_way(int dir_fd)
{
	int fd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	char name[40];
	link_way = LINK_NONE;
	for (enum link_way way = LINK_EMPTY_PATH; way <= LINK_PROC; way++) {
		if (temp_name(name, sizeof name) < 0)
			break;
		if (link_unnamed(fd, dir_fd, name, way) == 0) {
			unlinkat(dir_fd, name, 0);
			link_way = way;
			break;
		}
	}
	close(fd);
}

/* Directory (device, inode) whose stale temporaries this process removed
 * last, so a session storing many files there looks only once. */
static dev_t cleaned_dev;
static ino_t cleaned_ino;

int vfs_clean_temps(int dir_fd, int idle_timeout)
{
	struct vfs_dir d = { .fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	if (d.fd < 0)
		return 0;
	struct stat dst;
	if (fstat(d.fd, &dst) == 0) {
		cleaned_dev = dst.st_dev;
		cleaned_ino = dst.st_ino;
	}
	time_t limit = time(NULL) - idle_timeout - VFS_TEMP_GRACE;
	int removed = 0;
	const char *name;
	while ((name = vfs_dir_next(&d)) != NULL) {
		struct stat st;
		if (!vfs_is_temp_name(name) || fstatat(d.fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= limit)
			continue;
		if (unlinkat(d.fd, name, 0) == 0)
			removed++;
	}
	vfs_dir_close(&d);
	return removed;
}

/* The process's umask, read once (nothing here changes it). */
static mode_t process_umask(void)
{
	static int mask = -1;
	if (mask < 0) {
		mask = (int)umask(0);
		umask((mode_t)mask);
	}
	return (mode_t)mask;
}

bool vfs_sticky_allows(const struct stat *dir, const struct stat *entry, uid_t uid)
{
	return !(dir->st_mode & S_ISVTX) || entry->st_uid == uid || dir->st_uid == uid;
}

/* The stat(2) of name in the folder dfd (statx(2) flags), or of the
 * folder itself ("", AT_EMPTY_PATH), and its mark (chattr(1)), both from
 * one statx(2); 0, or -1 with errno. */
static int stat_marked(int dfd, const char *name, int flags, struct stat *st, enum vfs_mark *mark)
{
	struct statx stx;
	if (statx(dfd, name, flags, STATX_BASIC_STATS, &stx) < 0)
		return -1;
	memset(st, 0, sizeof *st);
	st->st_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	st->st_ino = stx.stx_ino;
	st->st_mode = stx.stx_mode;
	st->st_nlink = stx.stx_nlink;
	st->st_uid = stx.stx_uid;
	st->st_gid = stx.stx_gid;
	st->st_size = (off_t)stx.stx_size;
	if (stx.stx_attributes & STATX_ATTR_IMMUTABLE)
		*mark = VFS_MARK_IMMUTABLE;
	else if (stx.stx_attributes & STATX_ATTR_APPEND)
		*mark = VFS_MARK_APPEND_ONLY;
	else
		*mark = VFS_MARK_NONE;
	return 0;
}

/* The uid of a read that wants the marks alone (the entry may be
 * missing): the allowed it leaves is not read. */
#define NO_UID ((uid_t)-1)

/* The rest of removal_check once r holds the entry's statx(2) (r->st
 * zeroed when it is missing): the folder's mark, unless the entry's own
 * already forbids the removal, and whether uid may remove it. */
static void removal_finish(int dfd, uid_t uid, struct vfs_removal *r)
{
	if (r->mark != VFS_MARK_NONE)
		return;
	bool found = r->st.st_mode != 0;
	enum vfs_mark dmark;
	r->dir_known = stat_marked(dfd, "", AT_EMPTY_PATH, &r->dir, &dmark) == 0;
	if (r->dir_known && dmark != VFS_MARK_NONE) {
		r->mark = dmark;
		r->folder_mark = true;
	}
	r->allowed = r->mark == VFS_MARK_NONE &&
		     !(found && r->dir_known && !vfs_sticky_allows(&r->dir, &r->st, uid));
}

/* Whether uid may remove or replace the entry name of the folder dfd, as
 * unlink(2) and rename(2) decide, read with one statx(2) of the entry
 * (not followed) and, unless its own mark already forbids it, one of the
 * folder. An entry that cannot be looked up fails (-1 with errno), or,
 * when may_be_missing, leaves r->st zeroed and only the folder's mark
 * read. */
static int removal_check(int dfd, const char *name, uid_t uid, bool may_be_missing,
			 struct vfs_removal *r)
{
	memset(r, 0, sizeof *r);
	bool found = stat_marked(dfd, name, AT_SYMLINK_NOFOLLOW, &r->st, &r->mark) == 0;
	if (!found && !may_be_missing)
		return -1;
	removal_finish(dfd, uid, r);
	return 0;
}

/* After a change to the entry name of the folder dfd failed with errno:
 * for EPERM, the marks that refused it into *why (if not NULL), read
 * through dfd, not through a new lookup of the folder. seen, if not
 * NULL, is the entry as a statx(2) of it read it before the change (st
 * zeroed if missing): it is not read again. errno is kept. */
static void read_refusal(int dfd, const char *name, const struct vfs_removal *seen,
			 struct vfs_removal *why)
{
	int saved = errno;
	if (saved == EPERM && why != NULL && seen != NULL) {
		*why = *seen;
		removal_finish(dfd, NO_UID, why);
	} else if (saved == EPERM && why != NULL) {
		removal_check(dfd, name, NO_UID, true, why);
	}
	errno = saved;
}

/* removal_check of vpath through one lookup of its folder (*r zeroed when
 * that fails). */
static int removal_at(int root_fd, const char *vpath, uid_t uid, bool may_be_missing,
		      struct vfs_removal *r)
{
	const char *base;
	memset(r, 0, sizeof *r);
	int dfd = vfs_open_parent(root_fd, vpath, &base);
	if (dfd < 0)
		return -1;
	int rc = removal_check(dfd, base, uid, may_be_missing, r);
	int saved = errno;
	sysio_close(&dfd);
	errno = saved;
	return rc;
}

int vfs_removal_check(int root_fd, const char *vpath, uid_t uid, struct vfs_removal *r)
{
	return removal_at(root_fd, vpath, uid, false, r);
}

enum vfs_mark vfs_removal_mark(int root_fd, const char *vpath, bool *folder)
{
	struct vfs_removal r;
	removal_at(root_fd, vpath, NO_UID, true, &r);
	if (folder != NULL)
		*folder = r.folder_mark;
	return r.mark;
}

int vfs_upload_begin(int root_fd, const char *vpath, uid_t uid, struct vfs_upload *up,
		     int idle_timeout)
{
	const char *base;
	memset(up, 0, sizeof *up);
	up->fd = -1;
	/* The parent, opened O_PATH: every use below is an *at call
	 * relative to it (O_TMPFILE and O_CREAT opens, fstatat, linkat,
	 * renameat2, unlinkat), which an O_PATH descriptor serves. */
	up->dir_fd = vfs_open_parent(root_fd, vpath, &base);
	if (up->dir_fd < 0)
		return -1;
	int dfd = up->dir_fd;

	/* Every reason the name cannot be stored (too long, say, or another
	 * account's file in a sticky folder, or an immutable or append-only
	 * file or folder, or a node such as a socket, which is no file to
	 * replace) is found before any data is read: one look at the entry,
	 * and one at the folder when the entry exists, read both the modes
	 * and owners and the marks. */
	struct vfs_removal *r = &up->removal;
	bool exists = removal_check(dfd, base, uid, false, r) == 0;
	const struct stat old = r->st;
	int refuse = !exists && errno != ENOENT ? errno : 0;
	if (exists && S_ISDIR(old.st_mode))
		refuse = EISDIR;
	else if (exists && vfs_is_special(old.st_mode))
		refuse = ENXIO;
	else if (exists && !r->allowed)
		refuse = EPERM;
	else if (exists && r->dir_known)
		up->dir = r->dir;
	if (refuse) {
		sysio_close(&up->dir_fd);
		return (errno = refuse, -1);
	}
	up->replaces = exists && S_ISREG(old.st_mode);
	up->fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, VFS_FILE_MODE);
	if (up->fd >= 0) {
		if (link_way == LINK_UNKNOWN)
			probe_link_way(dfd);
		if (link_way == LINK_NONE)
			sysio_close(&up->fd);
		else
			up->unnamed = true;
	} else if (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT) {
		read_refusal(dfd, base, NULL, r);
		sysio_close(&up->dir_fd);
		return -1;
	}
	if (up->fd < 0) {
		/* Named temporaries: one renamed into place leaves its
		 * folder, which an append-only folder forbids, and a failed
		 * upload could not remove it; refused before the data. */
		enum vfs_mark dmark;
		bool known = stat_marked(dfd, "", AT_EMPTY_PATH, &up->dir, &dmark) == 0;
		if (known && dmark != VFS_MARK_NONE) {
			r->mark = dmark;
			r->folder_mark = true;
			sysio_close(&up->dir_fd);
			return (errno = EPERM, -1);
		}
		/* Where one can be left behind (a session killed mid-upload),
		 * clear out old ones first. */
		if (known && (up->dir.st_dev != cleaned_dev || up->dir.st_ino != cleaned_ino))
			vfs_clean_temps(dfd, idle_timeout);
		up->fd = named_temp(dfd, up->tmpname, sizeof up->tmpname);
		if (up->fd < 0) {
			read_refusal(dfd, base, NULL, r);
			sysio_close(&up->dir_fd);
			return -1;
		}
	}
	/* The old file's mode, or the umask applied as open(2) would for a
	 * new file (O_TMPFILE ignores it on kernels before 6.0): changed only
	 * where the new file's differs, a change costing a journal entry. */
	mode_t want = exists && S_ISREG(old.st_mode) ? old.st_mode & 07777
						     : VFS_FILE_MODE & ~process_umask();
	struct stat now;
	if (fstat(up->fd, &now) < 0 || (now.st_mode & 07777) != want)
		fchmod(up->fd, want);
	up->base = xstrdup(base);
	return 0;
}

/* Releases what a finished upload holds. */
static void upload_done(struct vfs_upload *up)
{
	up->tmpname[0] = '\0';
	sysio_close(&up->fd);
	sysio_close(&up->dir_fd);
	free(up->base);
	up->base = NULL;
}

int vfs_upload_commit(struct vfs_upload *up)
{
	/* A new name (none there when the upload began): the unnamed file is
	 * linked straight to it, which, like the rename below, never shows a
	 * part of the file and fails (EEXIST) rather than replace a file that
	 * has appeared since; then it takes the way of a replacement. */
	if (up->unnamed && !up->replaces) {
		if (link_unnamed(up->fd, up->dir_fd, up->base, link_way) == 0) {
			upload_done(up);
			return 0;
		}
		if (errno == EEXIST && up->keep_existing) {
			vfs_upload_abandon(up);
			return -1;
		}
	}
	if (up->unnamed) {
		/* Give the unnamed file a hidden name, then rename it into place. */
		for (int tries = 0; tries < 16; tries++) {
			if (temp_name(up->tmpname, sizeof up->tmpname) < 0)
				break;
			if (link_unnamed(up->fd, up->dir_fd, up->tmpname, link_way) == 0)
				break;
			up->tmpname[0] = '\0';
			if (errno != EEXIST)
				break;
		}
		if (up->tmpname[0] == '\0') {
			vfs_upload_abandon(up);
			return -1;
		}
	}
	if (renameat2(up->dir_fd, up->tmpname, up->dir_fd, up->base,
		      up->keep_existing ? RENAME_NOREPLACE : 0) < 0) {
		vfs_upload_abandon(up);
		return -1;
	}
	upload_done(up);
	return 0;
}

bool vfs_upload_locate(int root_fd, const struct vfs_upload *up, char *vpath)
{
	char dir[FTP_PATH_MAX + 1];
	vpath_dirname(vpath, dir, sizeof dir);
	if (!vfs_locate(root_fd, up->dir_fd, up->dir.st_ino != 0 ? &up->dir : NULL, dir))
		return false;
	size_t dlen = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	size_t blen = strlen(up->base);
	if (dlen + 1 + blen > FTP_PATH_MAX)
		return false;
	memcpy(vpath, dir, dlen);
	vpath[dlen] = '/';
	memcpy(vpath + dlen + 1, up->base, blen + 1);
	return true;
}

void vfs_upload_abandon(struct vfs_upload *up)
{
	int e = errno;
	if (up->tmpname[0] != '\0' && up->dir_fd >= 0)
		unlinkat(up->dir_fd, up->tmpname, 0);
	up->tmpname[0] = '\0';
	sysio_close(&up->fd);
	sysio_close(&up->dir_fd);
	free(up->base);
	up->base = NULL;
	errno = e;
}

/* Writes into suffix (16 bytes) what try i of a unique name adds to the
 * stem: nothing for the first numbered try, else _i, or a random _hex. */
static int unique_suffix(int i, bool random, char *suffix)
{
	unsigned char rnd[6];
	suffix[0] = '\0';
	if (!random) {
		if (i > 0)
			snprintf(suffix, 16, "_%d", i);
		return 0;
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	snprintf(suffix, 16, "_%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		 rnd[5]);
	return 0;
}

static int create_unique(int root_fd, const char *want, char *path, int tries, bool random)
{
	char parent[FTP_PATH_MAX + 1];
	const char *base;
	/* The parent is opened O_PATH, as for STOR: creating a name in it
	 * takes write and search permission only, not read. */
	int wdir = vfs_open_parent(root_fd, want, &base);
	if (wdir < 0)
		return -1;
	vpath_dirname(want, parent, sizeof parent);
	const char *dot = strrchr(base, '.');
	size_t stem = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
	const char *ext = (dot && dot != base) ? dot : "";
	char name[FTP_PATH_MAX + 1];
	int fd = -1;
	size_t elen = strlen(ext);
	for (int i = 0; i < tries; i++) {
		char num[16];
		if (unique_suffix(i, random, num) < 0)
			break;
		if (num[0] == '\0') {
			snprintf(name, sizeof name, "%s", base);
		} else {
			/* A numbered name longer than NAME_MAX gets a shorter stem,
			 * cut before a UTF-8 continuation byte. */
			size_t nlen = strlen(num);
			size_t keep = stem;
			if (keep + nlen + elen > NAME_MAX) {
				keep = NAME_MAX > nlen + elen ? NAME_MAX - nlen - elen : 0;
				while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
					keep--;
			}
			snprintf(name, sizeof name, "%.*s%s%s", (int)keep, base, num, ext);
		}
		fd = openat(wdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	close(wdir);
	if (fd >= 0 && vpath_resolve(parent, name, strlen(name), path, FTP_PATH_MAX + 1) != VPATH_OK) {
		close(fd);
		return (errno = ENAMETOOLONG, -1);
	}
	return fd;
}

int vfs_create_unique(int root_fd, const char *want, char *path, int tries)
{
	return create_unique(root_fd, want, path, tries, false);
}

int vfs_create_random(int root_fd, const char *want, char *path)
{
	return create_unique(root_fd, want, path, 16, true);
}

int vfs_dir_open(struct vfs_dir *d, int root_fd, const char *vpath)
{
	d->fd = vfs_open(root_fd, vpath, O_RDONLY | O_DIRECTORY, 0);
	d->pos = d->len = 0;
	return d->fd < 0 ? -1 : 0;
}

ssize_t vfs_dir_read(struct vfs_dir *d, void *buf, size_t size)
{
	return getdents64(d->fd, buf, size);
}

const char *vfs_dir_next(struct vfs_dir *d)
{
	size_t nlen;
	const char *name = vfs_dir_record(d->buf, d->len, &d->pos, &nlen);
	if (name)
		return name;
	ssize_t n = vfs_dir_read(d, d->buf, sizeof d->buf);
	if (n <= 0)
		return NULL;
	d->pos = 0;
	d->len = (size_t)n;
	return vfs_dir_record(d->buf, d->len, &d->pos, &nlen);
}

const char *vfs_dir_record(const char *buf, size_t len, size_t *pos, size_t *nlen)
{
	size_t at = *pos;
	if (at >= len || len - at <= offsetof(struct dirent64, d_name))
		return NULL;
	unsigned short reclen;
	memcpy(&reclen, buf + at + offsetof(struct dirent64, d_reclen), sizeof reclen);
	size_t name_at = at + offsetof(struct dirent64, d_name);
	if (reclen <= offsetof(struct dirent64, d_name) || reclen > len - at)
		return NULL;
	const char *name = buf + name_at;
	*nlen = strnlen(name, at + reclen - name_at);
	*pos = at + reclen;
	return name;
}

void vfs_dir_close(struct vfs_dir *d)
{
	sysio_close(&d->fd);
}

int vfs_entry_lstat(int dir_fd, const char *name, struct stat *st)
{
	return fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t vfs_entry_readlink(int dir_fd, const char *name, char *buf, size_t size)
{
	if (size == 0)
		return (errno = EINVAL, -1);
	ssize_t n = readlinkat(dir_fd, name, buf, size - 1);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}
