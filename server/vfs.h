/* vfs: every file operation a session makes, confined to its root.
 * The root is an open directory fd; every virtual path ("/a/b", always
 * normalised by vpath) is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS), so "..", absolute symlinks and symlinks to
 * anywhere can never reach outside it. Operations on a name (unlink,
 * rename, mkdir) open the parent this way and act on the last component,
 * which vpath guarantees is a plain name. Errors return -1 with errno. */
#ifndef FERRYD_VFS_H
#define FERRYD_VFS_H

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Opens the directory dir (absolute) as a root fd; -1 with errno. */
int vfs_open_root(const char *dir);
/* Opens home (relative to the root root_fd, or absolute on the host) as a
 * new root fd; -1 with errno. */
int vfs_open_home(int root_fd, const char *home);
/* True if this kernel offers openat2 with RESOLVE_IN_ROOT. */
bool vfs_supported(int root_fd);

/* Opens vpath below root_fd with open(2) flags and mode. */
int vfs_open(int root_fd, const char *vpath, int flags, mode_t mode);
/* Whether uid may remove or replace the entry (stat entry) of the folder
 * (stat dir) as far as a sticky folder (as /tmp is) restricts it: only
 * the owner of the entry or of the folder may, as unlink(2) and rename(2)
 * decide for a process without CAP_FOWNER, which a session never holds
 * (it never runs as root and gives up every capability, --no-sandbox or
 * not). */
bool vfs_sticky_allows(const struct stat *dir, const struct stat *entry, uid_t uid);
/* Marks a file system keeps on a file or folder (chattr(1) +i, +a). */
enum vfs_mark {
	VFS_MARK_NONE,
	VFS_MARK_IMMUTABLE,     /* nothing may change, remove or rename it */
	VFS_MARK_APPEND_ONLY,   /* it may only grow (a folder: gain names) */
};
/* The mark that forbids everyone, root too, to remove, rename or replace
 * vpath (and so to store over it): its own, else its folder's, when
 * *folder (if not NULL) is set true. VFS_MARK_NONE if neither has one or
 * they cannot be read. */
enum vfs_mark vfs_removal_mark(int root_fd, const char *vpath, bool *folder);
/* What vfs_removal_check found out about an entry (after a refusal,
 * vfs_unlink, vfs_rmdir, vfs_mkdir, vfs_rename and vfs_upload_begin fill
 * in the marks). */
struct vfs_removal {
	struct stat st;      /* the entry (a symlink itself; zeroed if missing) */
	struct stat dir;     /* its folder, when dir_known */
	bool dir_known;
	enum vfs_mark mark;  /* the mark that forbids removal: the entry's, else */
	bool folder_mark;    /* the folder's (then set) */
	bool allowed;        /* neither a mark nor a sticky folder forbids uid */
};
/* Whether uid may remove, rename or replace vpath (as unlink(2) and
 * rename(2) decide: the marks of vpath and its folder, and a sticky
 * folder), read through one lookup of its folder (the one reached
 * through any links before the name); 0 with *r, -1 with errno when
 * vpath cannot be looked up. */
int vfs_removal_check(int root_fd, const char *vpath, uid_t uid, struct vfs_removal *r);
/* 0 if vpath is a directory that may be entered: one that may be
 * searched (x), as chdir(2) asks, read permission or not (looking up "."
 * in it takes that permission); -1 with errno if not. */
int vfs_can_enter(int root_fd, const char *vpath);
/* stat(2) of vpath, following symlinks inside the root. A name one
 * directory below the root is looked up in a descriptor of that
 * directory, kept from one call to the next while the root's entry is
 * still the same directory (one more descriptor open per process). */
int vfs_stat(int root_fd, const char *vpath, struct stat *st);
/* Opens the parent directory of vpath (O_PATH) and points *base at the
 * last component; fails with EINVAL for "/". */
int vfs_open_parent(int root_fd, const char *vpath, const char **base);
/* lstat(2) of vpath: a symlink itself, not its target. */
int vfs_lstat(int root_fd, const char *vpath, struct stat *st);
/* Writes into buf (size bytes) the name under which the kernel reaches
 * the file open as fd itself ("/proc/self/fd/N"). */
void vfs_fd_name(int fd, char *buf, size_t size);
/* Where the file open as fd is now. vpath (FTP_PATH_MAX + 1 bytes) holds
 * the name it was opened under: while that still names the file it stays,
 * else, when another process has renamed the file or a folder above it,
 * the file's present name below root_fd is written there. opened is an
 * fstat(2) of fd taken since it was opened (its device and inode are
 * used), or NULL to take one now. Returns true if vpath names the file
 * on return; false, vpath unchanged, when the file is deleted, outside
 * the root, or cannot be found. */
bool vfs_locate(int root_fd, int fd, const struct stat *opened, char *vpath);
/* unlink(2), rmdir(2), mkdir(2) of vpath. When one fails with EPERM and
 * why is not NULL, why->mark and why->folder_mark say which mark (chattr
 * +i, +a) of the entry or its folder refused it, if one did, read
 * through the same lookup of the folder. */
int vfs_unlink(int root_fd, const char *vpath, struct vfs_removal *why);
int vfs_rmdir(int root_fd, const char *vpath, struct vfs_removal *why);
int vfs_mkdir(int root_fd, const char *vpath, mode_t mode, struct vfs_removal *why);
/* Creates a new file for STOU: want itself, else want's stem with _1,
 * _2, ... before its extension (up to tries names), never replacing
 * anything (O_EXCL, no symlink followed). Writes the name it created as
 * a vpath into path (FTP_PATH_MAX + 1 bytes) and returns the open fd
 * (O_WRONLY); -1 with errno (EEXIST when every name is taken). */
int vfs_create_unique(int root_fd, const char *want, char *path, int tries);
/* The same with a random part instead of the number, always added
 * (want_0123456789ab.ext): the name created tells nothing of the names
 * already there. */
int vfs_create_random(int root_fd, const char *want, char *path);
/* A directory being read: getdents64 into a small buffer of its own
 * (readdir's is 32 KiB, and each page a session process touches stays
 * its own). */
struct vfs_dir {
	int fd;                   /* the directory (O_RDONLY), owned */
	size_t pos, len;          /* entries not yet returned are buf[pos..len) */
	_Alignas(8) char buf[2048];
};
/* Opens the directory vpath for reading its entries: 0, or -1 with errno. */
int vfs_dir_open(struct vfs_dir *d, int root_fd, const char *vpath);
/* The next entry's name ("." and ".." included), or NULL at the end. */
const char *vfs_dir_next(struct vfs_dir *d);
/* For a caller that keeps the names itself: reads the directory's next
 * records into buf (size bytes, 8-byte aligned), bypassing d's buffer.
 * Returns the bytes read, 0 at the end, -1 with errno. */
ssize_t vfs_dir_read(struct vfs_dir *d, void *buf, size_t size);
/* The name of the record at *pos in buf (len bytes that vfs_dir_read
 * returned) and its length in *nlen; moves *pos to the next record. NULL
 * after the last one. The record is read before the name is returned,
 * so the name may be copied over the records already passed. */
const char *vfs_dir_record(const char *buf, size_t len, size_t *pos, size_t *nlen);
void vfs_dir_close(struct vfs_dir *d);
/* lstat(2) and readlink(2) of the entry name (one component, as read from
 * a directory that vfs opened) in dir_fd; nothing is followed. The link's
 * target is NUL-terminated in buf (size bytes, cut if longer). */
int vfs_entry_lstat(int dir_fd, const char *name, struct stat *st);
ssize_t vfs_entry_readlink(int dir_fd, const char *name, char *buf, size_t size);
/* rename(2) from one vpath to another; unless replace, fails with EEXIST
 * when to exists (atomically: RENAME_NOREPLACE). On EPERM, why (if not
 * NULL) names the mark of to, or of to's folder, as vfs_unlink's does. */
int vfs_rename(int root_fd, const char *from, const char *to, bool replace,
	       struct vfs_removal *why);

/* Hidden temporary names (prefix + 12 hex digits) hold uploads where the
 * file system has no O_TMPFILE or an unnamed file cannot be linked. Such
 * names are never listed, opened or created for a client. */
#define VFS_TEMP_PREFIX ".ferryd-upload-"
/* A temporary unchanged for longer than the idle timeout plus this many
 * seconds belongs to no upload any more (an upload that writes nothing for
 * the idle timeout is ended) and is removed. */
#define VFS_TEMP_GRACE 60

/* True if name (one component) is a hidden upload temporary's. */
bool vfs_is_temp_name(const char *name);
/* True for the mode of a socket, a FIFO or a device node: no regular
 * file, and nothing a transfer reads, writes or replaces (their open
 * fails with ENXIO, as for a socket, or reads or writes another
 * program's data). */
bool vfs_is_special(mode_t mode);
/* Removes the stale hidden temporaries in directory dir_fd (see
 * VFS_TEMP_GRACE); returns how many. */
int vfs_clean_temps(int dir_fd, int idle_timeout);

/* An upload in progress: data goes to a file that has no name (or a hidden
 * temporary name) until vfs_upload_commit puts it in place. */
struct vfs_upload {
	int fd;            /* file to write the data to */
	int dir_fd;        /* parent directory of the target (O_PATH) */
	char *base;        /* target's name in dir_fd */
	char tmpname[40];  /* hidden temporary name, "" while unnamed */
	bool unnamed;      /* fd is an O_TMPFILE */
	bool replaces;     /* a regular file of that name exists */
	bool keep_existing;/* set by the caller: commit fails (EEXIST) rather than replace */
	struct stat dir;   /* dir_fd's stat when the upload began, if read (st_ino 0: not) */
	struct vfs_removal removal; /* the target and its folder as read when the upload
				     * began; after it failed with EPERM, the mark that
				     * refused it (mark, folder_mark) */
};
/* Starts an upload by uid (the process's effective user, which a sticky
 * folder checks) that will replace vpath (its mode is kept if it
 * exists). Fails with EISDIR if vpath is a directory, with ENXIO if it
 * is a socket, FIFO or device node (vfs_is_special), and with the error
 * of any other reason the name cannot be stored (ENAMETOOLONG...; EPERM
 * with up->removal naming the mark that forbids it, if one does). Where
 * it must use a named temporary it first removes stale ones in that
 * directory (idle_timeout: the server's, see VFS_TEMP_GRACE). */
int vfs_upload_begin(int root_fd, const char *vpath, uid_t uid, struct vfs_upload *up,
		     int idle_timeout);
/* Puts the finished upload in place atomically; 0 or -1 (then the
 * upload is abandoned as by vfs_upload_abandon). */
int vfs_upload_commit(struct vfs_upload *up);
/* Before vfs_upload_commit: where the upload will land. vpath (FTP_PATH_MAX
 * + 1 bytes) holds the target's name; its folder is looked for as
 * vfs_locate does and the result, with the target's own name, written
 * there. Returns true if vpath names the place on return. */
bool vfs_upload_locate(int root_fd, const struct vfs_upload *up, char *vpath);
/* Throws the upload away: the target is left as it was. */
void vfs_upload_abandon(struct vfs_upload *up);

#endif
