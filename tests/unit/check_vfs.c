/* Unit tests for vfs: a session's file operations stay below its root.
 * The tree is a temporary directory holding a file beside the root
 * ("outside the root") and the root itself, which holds symlinks that
 * point out of it in every way: "..", a relative path through "..", an
 * absolute path, a symlinked directory. Each operation must act inside
 * the root (where "/" is the root) or fail, and the outside file must
 * never change. Also STOU's vfs_create_unique. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ftp_limits.h"
#include "vfs.h"

static char base[64];        /* temporary directory */
static char root[128];       /* base/root */
static int root_fd = -1;

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Reads the file at host path path into buf ("" if missing). */
static const char *host_read(const char *path, char *buf, size_t bufsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, bufsz - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Reads vpath through vfs_open; NULL if it cannot be opened. */
static const char *vfs_read(const char *vpath, char *buf, size_t bufsz)
{
	int fd = vfs_open(root_fd, vpath, O_RDONLY, 0);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, bufsz - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void in_base(const char *rel, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", base, rel);
}

static void setup(void)
{
	char p[256], target[256];
	snprintf(base, sizeof base, "/tmp/check-vfs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(root, sizeof root, "%s/root", base);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	in_base("secret.txt", p, sizeof p);
	write_file(p, "outside the root");
	in_base("root/secret.txt", p, sizeof p);
	write_file(p, "inside");
	in_base("root/f.txt", p, sizeof p);
	write_file(p, "f");
	in_base("root/dir", p, sizeof p);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	/* Symlinks that point out of the root. */
	in_base("root/rel", p, sizeof p);
	ck_assert_int_eq(symlink("../secret.txt", p), 0);
	in_base("root/dir/deep", p, sizeof p);
	ck_assert_int_eq(symlink("../../../secret.txt", p), 0);
	in_base("root/abs", p, sizeof p);
	in_base("secret.txt", target, sizeof target);
	ck_assert_int_eq(symlink(target, p), 0);
	in_base("root/up", p, sizeof p);
	ck_assert_int_eq(symlink("..", p), 0);
	in_base("root/absdir", p, sizeof p);
	ck_assert_int_eq(symlink(base, p), 0);
	in_base("root/dangling.txt", p, sizeof p);
	in_base("created-outside.txt", target, sizeof target);
	ck_assert_int_eq(symlink(target, p), 0);
	root_fd = vfs_open_root(root);
	ck_assert_int_ge(root_fd, 0);
	ck_assert(vfs_supported(root_fd));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Checks nothing outside the root changed, then removes the tree. */
static void teardown(void)
{
	char p[256], buf[64];
	in_base("secret.txt", p, sizeof p);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "outside the root");
	in_base("created-outside.txt", p, sizeof p);
	ck_assert_int_ne(access(p, F_OK), 0);
	in_base("newdir", p, sizeof p);
	ck_assert_int_ne(access(p, F_OK), 0);
	close(root_fd);
	nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- reading ---- */

/* Every way out resolves inside the root: ".." at the root is the root,
 * so each of these reaches the root's own secret.txt ("inside") or
 * nothing, never the file beside the root. */
static const char *const escapes[] = {
	"/../secret.txt", "../secret.txt", "/../../../secret.txt", "/rel", "/dir/deep", "/abs",
	"/up/secret.txt", "/up/up/secret.txt", "/dir/../../secret.txt",
};

START_TEST(test_open_stays_inside)
{
	char buf[64];
	const char *got = vfs_read(escapes[_i], buf, sizeof buf);
	if (got != NULL)
		ck_assert_msg(strcmp(got, "inside") == 0, "%s read \"%s\"", escapes[_i], got);
	else
		ck_assert_msg(errno == ENOENT, "%s: %s", escapes[_i], strerror(errno));
	struct stat st;
	if (vfs_stat(root_fd, escapes[_i], &st) == 0)
		ck_assert_int_eq(st.st_size, 6);         /* "inside", not the outside file */
}
END_TEST

/* An absolute symlink names a path under the root: here, nothing. */
START_TEST(test_absolute_symlink)
{
	char buf[64];
	ck_assert_ptr_null(vfs_read("/abs", buf, sizeof buf));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(vfs_read("/absdir/secret.txt", buf, sizeof buf));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(vfs_read("/secret.txt", buf, sizeof buf), "inside");
}
END_TEST

/* vfs_stat of vpath finds a regular file of size bytes. */
static void expect_file(const char *vpath, off_t size)
{
	struct stat st;
	ck_assert_msg(vfs_stat(root_fd, vpath, &st) == 0, "%s: %s", vpath, strerror(errno));
	ck_assert_msg(S_ISREG(st.st_mode), "%s", vpath);
	ck_assert_msg(st.st_size == size, "%s: %lld bytes", vpath, (long long)st.st_size);
}

/* vfs_stat of a name straight under the root (the one-fstatat path):
 * files and directories as they are, symlinks followed inside the root,
 * ".." the root itself, hidden temporaries and dangling links absent. */
START_TEST(test_stat_in_root)
{
	struct stat st, rst;
	ck_assert_int_eq(fstat(root_fd, &rst), 0);
	expect_file("/f.txt", 1);
	expect_file("f.txt", 1);
	ck_assert_int_eq(vfs_stat(root_fd, "/dir", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* "/rel" is "../secret.txt": the root's own secret.txt, 6 bytes. */
	ck_assert_int_eq(vfs_stat(root_fd, "/rel", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 6);
	const char *const is_root[] = { "/", "/up", "..", "/.." };
	for (size_t i = 0; i < sizeof is_root / sizeof is_root[0]; i++) {
		ck_assert_msg(vfs_stat(root_fd, is_root[i], &st) == 0, "%s", is_root[i]);
		ck_assert_msg(st.st_ino == rst.st_ino && st.st_dev == rst.st_dev, "%s", is_root[i]);
	}
	const char *const absent[] = { "/abs", "/dangling.txt", "/missing", "/" VFS_TEMP_PREFIX "0123456789ab" };
	char p[256];
	in_base("root/" VFS_TEMP_PREFIX "0123456789ab", p, sizeof p);
	write_file(p, "temporary");
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		errno = 0;
		ck_assert_msg(vfs_stat(root_fd, absent[i], &st) < 0, "%s", absent[i]);
		ck_assert_msg(errno == ENOENT, "%s: %s", absent[i], strerror(errno));
	}
	ck_assert_int_eq(unlink(p), 0);
}
END_TEST

/* vfs_stat one directory below the root (the path that keeps the
 * directory's descriptor): entries as they are, symlinks in either place
 * resolved inside the root, temporaries hidden, and a directory replaced
 * under the same name (by another directory, then by a symlink out of
 * the root) answered for what the name is now. */
START_TEST(test_stat_below_root)
{
	struct stat st, rst;
	char p[256], q[256];
	ck_assert_int_eq(fstat(root_fd, &rst), 0);
	in_base("root/dir/g.txt", p, sizeof p);
	write_file(p, "gg");
	expect_file("/dir/g.txt", 2);
	expect_file("dir/g.txt", 2);
	/* "dir/deep" is "../../../secret.txt": the root's secret.txt. */
	expect_file("/dir/deep", 6);
	expect_file("/up/secret.txt", 6);
	ck_assert_int_eq(vfs_stat(root_fd, "/dir/..", &st), 0);
	ck_assert(st.st_ino == rst.st_ino && st.st_dev == rst.st_dev);
	in_base("root/dir/" VFS_TEMP_PREFIX "0123456789ab", q, sizeof q);
	write_file(q, "temporary");
	const char *const absent[] = { "/absdir/secret.txt", "/dir/missing", "/missing/g.txt",
				       "/dir/" VFS_TEMP_PREFIX "0123456789ab",
				       "/" VFS_TEMP_PREFIX "0123456789ab/g.txt" };
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		errno = 0;
		ck_assert_msg(vfs_stat(root_fd, absent[i], &st) < 0, "%s", absent[i]);
		ck_assert_msg(errno == ENOENT, "%s: %s", absent[i], strerror(errno));
	}
	ck_assert_int_eq(unlink(q), 0);
	/* The directory moves away and another takes its name. */
	char old[256];
	in_base("root/old", old, sizeof old);
	in_base("root/dir", q, sizeof q);
	ck_assert_int_eq(rename(q, old), 0);
	ck_assert_int_eq(mkdir(q, 0755), 0);
	in_base("root/dir/g.txt", p, sizeof p);
	write_file(p, "ggg");
	expect_file("/dir/g.txt", 3);
	expect_file("/old/g.txt", 2);
	expect_file("/dir/g.txt", 3);
	/* Now the name is a symlink to the directory holding the root: the
	 * outside secret.txt must not be what answers. */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(rmdir(q), 0);
	ck_assert_int_eq(symlink(base, q), 0);
	errno = 0;
	ck_assert_int_lt(vfs_stat(root_fd, "/dir/secret.txt", &st), 0);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_lt(vfs_stat(root_fd, "/dir/g.txt", &st), 0);
	/* Put the tree back for teardown's checks. */
	ck_assert_int_eq(unlink(q), 0);
	ck_assert_int_eq(rename(old, q), 0);
}
END_TEST

/* ---- changing ---- */

/* mkdir, unlink, rename and create through symlinks out of the root act
 * inside it (or fail); unlink of a symlink removes the link only. */
START_TEST(test_changes_stay_inside)
{
	char p[256], buf[64];
	/* "/up" is the root itself: mkdir lands in the root. */
	ck_assert_int_eq(vfs_mkdir(root_fd, "/up/newdir", 0755, NULL), 0);
	in_base("root/newdir", p, sizeof p);
	ck_assert_int_eq(access(p, F_OK), 0);
	ck_assert_int_eq(vfs_rmdir(root_fd, "/up/newdir", NULL), 0);
	/* Writing through a symlink that points outside writes inside. */
	int fd = vfs_open(root_fd, "/rel", O_WRONLY | O_TRUNC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "INSIDE", 6), 6);
	close(fd);
	in_base("root/secret.txt", p, sizeof p);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "INSIDE");
	/* A dangling symlink to a host path is not followed out to create it. */
	fd = vfs_open(root_fd, "/dangling.txt", O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	/* unlink removes the link, never its target. */
	ck_assert_int_eq(vfs_unlink(root_fd, "/abs", NULL), 0);
	in_base("root/abs", p, sizeof p);
	ck_assert_int_ne(access(p, F_OK), 0);
	/* rename into "/up" renames inside the root. */
	ck_assert_int_eq(vfs_rename(root_fd, "/f.txt", "/up/g.txt", false, NULL), 0);
	in_base("root/g.txt", p, sizeof p);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "f");
	ck_assert_int_eq(vfs_rename(root_fd, "/g.txt", "/secret.txt", false, NULL), -1);
	ck_assert_int_eq(errno, EEXIST);                /* no replace unless asked */
	/* "/" has no parent to act in. */
	const char *b;
	ck_assert_int_eq(vfs_open_parent(root_fd, "/", &b), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(vfs_rmdir(root_fd, "/", NULL), -1);
}
END_TEST

/* ---- listing ---- */

/* A directory opened through a symlink out of the root lists the root;
 * its entries are described, never followed. */
START_TEST(test_opendir_and_entries)
{
	struct vfs_dir d;
	ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/up/dir/.."), 0);
	bool saw_rel = false, saw_root = false;
	const char *name;
	while ((name = vfs_dir_next(&d)) != NULL) {
		saw_rel |= strcmp(name, "rel") == 0;
		saw_root |= strcmp(name, "root") == 0;
	}
	ck_assert(saw_rel && !saw_root);
	struct stat st;
	ck_assert_int_eq(vfs_entry_lstat(d.fd, "rel", &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	char target[8];
	ck_assert_int_eq(vfs_entry_readlink(d.fd, "rel", target, sizeof target), 7);
	ck_assert_str_eq(target, "../secr");          /* cut to the buffer, terminated */
	ck_assert_int_lt(vfs_entry_readlink(d.fd, "f.txt", target, sizeof target), 0);
	vfs_dir_close(&d);
	ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/f.txt"), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/absdir"), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* A directory whose entries take many times the reader's buffer: every
 * name comes back, once. */
START_TEST(test_dir_many_entries)
{
	enum { N = 300 };
	ck_assert_int_eq(vfs_mkdir(root_fd, "/many", 0755, NULL), 0);
	char path[96];
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/many/entry-with-a-rather-long-name-%04d", i);
		int fd = vfs_open(root_fd, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	static bool seen[N];
	int count = 0;
	struct vfs_dir d;
	ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/many"), 0);
	const char *name;
	while ((name = vfs_dir_next(&d)) != NULL) {
		int i;
		if (sscanf(name, "entry-with-a-rather-long-name-%d", &i) != 1)
			continue;
		ck_assert(i >= 0 && i < N && !seen[i]);
		seen[i] = true;
		count++;
	}
	vfs_dir_close(&d);
	ck_assert_int_eq(count, N);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/many/entry-with-a-rather-long-name-%04d", i);
		ck_assert_int_eq(vfs_unlink(root_fd, path, NULL), 0);
	}
	ck_assert_int_eq(vfs_rmdir(root_fd, "/many", NULL), 0);
}
END_TEST

/* vfs_dir_read and vfs_dir_record, as a listing uses them: records read
 * into the caller's buffer (one small buffer's worth at a time, then all
 * at once), each name kept by moving it down over the records already
 * passed. Every name comes back once, "." and ".." too; a buffer cut
 * inside a record ends the walk before it. */
START_TEST(test_dir_read_records)
{
	enum { N = 200 };
	ck_assert_int_eq(vfs_mkdir(root_fd, "/recs", 0755, NULL), 0);
	char path[96];
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/recs/r%0*d", 1 + i % 40, i);
		int fd = vfs_open(root_fd, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	static const size_t sizes[] = { 1024, 64 << 10 };
	static char buf[2 * (64 << 10)] __attribute__((aligned(8)));
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		struct vfs_dir d;
		ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/recs"), 0);
		size_t kept = 0, reads = 0;
		int names = 0, dots = 0;
		for (;;) {
			size_t at = (kept + 7) & ~(size_t)7;
			ck_assert_uint_le(at + sizes[k], sizeof buf);
			ssize_t got = vfs_dir_read(&d, buf + at, sizes[k]);
			ck_assert_int_ge(got, 0);
			if (got == 0)
				break;
			reads++;
			size_t pos = 0, len;
			const char *nm;
			while ((nm = vfs_dir_record(buf + at, (size_t)got, &pos, &len)) != NULL) {
				ck_assert_uint_eq(len, strlen(nm));
				if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0) {
					dots++;
					continue;
				}
				ck_assert_uint_le(kept, (size_t)(nm - buf));
				memmove(buf + kept, nm, len + 1);
				kept += len + 1;
				names++;
			}
			ck_assert_uint_eq(pos, (size_t)got);
		}
		vfs_dir_close(&d);
		ck_assert_int_eq(dots, 2);
		ck_assert_int_eq(names, N);
		ck_assert(k == 0 ? reads > 1 : reads == 1);
		/* The kept names, one after another: each of them once. */
		static bool seen[N];
		memset(seen, 0, sizeof seen);
		for (size_t off = 0; off < kept; off += strlen(buf + off) + 1) {
			int i;
			ck_assert_int_eq(sscanf(buf + off, "r%d", &i), 1);
			snprintf(path, sizeof path, "r%0*d", 1 + i % 40, i);
			ck_assert_str_eq(buf + off, path);
			ck_assert(i >= 0 && i < N && !seen[i]);
			seen[i] = true;
		}
	}
	/* A length that ends inside a record: the records before it only. */
	struct vfs_dir d;
	ck_assert_int_eq(vfs_dir_open(&d, root_fd, "/recs"), 0);
	ssize_t got = vfs_dir_read(&d, buf, 4096);
	ck_assert_int_gt(got, 64);
	vfs_dir_close(&d);
	size_t pos = 0, len, whole = 0, last = 0;
	while (vfs_dir_record(buf, (size_t)got, &pos, &len) != NULL) {
		whole++;
		last = pos;
	}
	size_t pos2 = 0, cut = 0;
	while (vfs_dir_record(buf, last - 1, &pos2, &len) != NULL)
		cut++;
	ck_assert_uint_eq(cut, whole - 1);
	ck_assert_ptr_null(vfs_dir_record(buf, (size_t)got, &pos, &len));
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/recs/r%0*d", 1 + i % 40, i);
		ck_assert_int_eq(vfs_unlink(root_fd, path, NULL), 0);
	}
	ck_assert_int_eq(vfs_rmdir(root_fd, "/recs", NULL), 0);
}
END_TEST

/* ---- STOU ---- */

START_TEST(test_create_unique)
{
	char path[FTP_PATH_MAX + 1], p[256], buf[64];
	int fd = vfs_create_unique(root_fd, "/new.txt", path, 10);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(path, "/new.txt");
	ck_assert_int_eq(write(fd, "1", 1), 1);
	close(fd);
	fd = vfs_create_unique(root_fd, "/new.txt", path, 10);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(path, "/new_1.txt");
	close(fd);
	fd = vfs_create_unique(root_fd, "/new.txt", path, 10);
	ck_assert_str_eq(path, "/new_2.txt");
	close(fd);
	/* The first file is untouched. */
	in_base("root/new.txt", p, sizeof p);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "1");
	/* No extension, a leading dot, a subdirectory. */
	close(vfs_create_unique(root_fd, "/dir", path, 10));
	ck_assert_str_eq(path, "/dir_1");
	close(vfs_create_unique(root_fd, "/.hidden", path, 10));
	close(vfs_create_unique(root_fd, "/.hidden", path, 10));
	ck_assert_str_eq(path, "/.hidden_1");
	close(vfs_create_unique(root_fd, "/dir/f.txt", path, 10));
	ck_assert_str_eq(path, "/dir/f.txt");
	/* Through a symlink out of the root: created inside. */
	fd = vfs_create_unique(root_fd, "/up/up/made.txt", path, 10);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_str_eq(path, "/up/up/made.txt");
	in_base("root/made.txt", p, sizeof p);
	ck_assert_int_eq(access(p, F_OK), 0);
	/* A symlink in the way is a name in use, never followed. */
	fd = vfs_create_unique(root_fd, "/dangling.txt", path, 10);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_str_eq(path, "/dangling_1.txt");
	/* Every name taken: EEXIST. */
	ck_assert_int_eq(vfs_create_unique(root_fd, "/new.txt", path, 3), -1);
	ck_assert_int_eq(errno, EEXIST);
	/* A missing directory. */
	ck_assert_int_eq(vfs_create_unique(root_fd, "/nodir/x", path, 10), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ---- hidden temporaries ---- */

START_TEST(test_temp_names)
{
	ck_assert(vfs_is_temp_name(VFS_TEMP_PREFIX "0123456789ab"));
	ck_assert(!vfs_is_temp_name("f.txt"));
	ck_assert(vfs_is_temp_name(VFS_TEMP_PREFIX "x"));   /* the whole prefix is reserved */
	ck_assert(!vfs_is_temp_name(".ferryd-uploa"));
}
END_TEST

/* ---- uploads ---- */

/* Counts the hidden upload temporaries in the root. */
static int temps_in_root(void)
{
	DIR *d = opendir(root);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += vfs_is_temp_name(e->d_name);
	closedir(d);
	return n;
}

/* Starts an upload of vpath and writes text into it. */
static void upload_text(const char *vpath, const char *text, struct vfs_upload *up)
{
	ck_assert_int_eq(vfs_upload_begin(root_fd, vpath, getuid(), up, 60), 0);
	ck_assert_int_eq(write(up->fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* An upload shows under its name only once committed, whole, whether the
 * name is new, taken by an old file, or taken meanwhile by another
 * writer; no temporary is left behind. */
START_TEST(test_upload_commit)
{
	char p[256], buf[64];
	struct vfs_upload up;
	/* A new name. */
	upload_text("/up.txt", "new", &up);
	in_base("root/up.txt", p, sizeof p);
	ck_assert_int_ne(access(p, F_OK), 0);
	ck_assert_int_eq(vfs_upload_commit(&up), 0);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "new");
	/* Replacing it: the old file stays until the commit. */
	upload_text("/up.txt", "second", &up);
	ck_assert(up.replaces);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "new");
	ck_assert_int_eq(vfs_upload_commit(&up), 0);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "second");
	/* A name that another writer takes during the upload: replaced. */
	upload_text("/race.txt", "upload", &up);
	ck_assert(!up.replaces);
	in_base("root/race.txt", p, sizeof p);
	write_file(p, "other");
	ck_assert_int_eq(vfs_upload_commit(&up), 0);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "upload");
	/* The same without overwriting (--no-overwrite): EEXIST, the other
	 * writer's file kept. */
	upload_text("/race2.txt", "upload", &up);
	up.keep_existing = true;
	in_base("root/race2.txt", p, sizeof p);
	write_file(p, "other");
	ck_assert_int_eq(vfs_upload_commit(&up), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "other");
	/* Abandoned: the name never appears. */
	upload_text("/gone.txt", "partial", &up);
	vfs_upload_abandon(&up);
	in_base("root/gone.txt", p, sizeof p);
	ck_assert_int_ne(access(p, F_OK), 0);
	ck_assert_int_eq(temps_in_root(), 0);
}
END_TEST

/* Who may remove an entry: anyone (marks aside) in a folder without the
 * sticky bit; in a sticky one, the owner of the entry or of the folder.
 * The entry is looked at itself, a link not followed. */
START_TEST(test_removal_check)
{
	char p[256];
	struct vfs_removal r;
	uid_t me = getuid(), other = me + 1;
	ck_assert_int_eq(vfs_removal_check(root_fd, "/f.txt", other, &r), 0);
	ck_assert(r.allowed);
	ck_assert(S_ISREG(r.st.st_mode));
	ck_assert(r.dir_known && S_ISDIR(r.dir.st_mode));
	ck_assert_int_eq(vfs_removal_check(root_fd, "/rel", other, &r), 0);
	ck_assert(S_ISLNK(r.st.st_mode));
	in_base("root/dir", p, sizeof p);
	ck_assert_int_eq(chmod(p, 01777), 0);
	in_base("root/dir/mine.txt", p, sizeof p);
	write_file(p, "mine");
	ck_assert_int_eq(vfs_removal_check(root_fd, "/dir/mine.txt", other, &r), 0);
	ck_assert(!r.allowed);
	ck_assert_int_eq(r.mark, VFS_MARK_NONE);
	ck_assert_int_eq(vfs_removal_check(root_fd, "/dir/mine.txt", me, &r), 0);
	ck_assert(r.allowed);
	/* Through a link to the folder: the folder reached. */
	ck_assert_int_eq(vfs_removal_check(root_fd, "/up/dir/mine.txt", other, &r), 0);
	ck_assert(!r.allowed);
	/* An upload over it is refused or begun for the user it is given. */
	struct vfs_upload up;
	ck_assert_int_eq(vfs_upload_begin(root_fd, "/dir/mine.txt", other, &up, 60), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(up.removal.mark, VFS_MARK_NONE);
	ck_assert_int_eq(vfs_upload_begin(root_fd, "/dir/mine.txt", me, &up, 60), 0);
	vfs_upload_abandon(&up);
	ck_assert_int_eq(vfs_removal_check(root_fd, "/dir/missing.txt", me, &r), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(vfs_removal_check(root_fd, "/f.txt/x", me, &r), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

/* Sets (on) or clears the mark flag (FS_IMMUTABLE_FL: chattr +i,
 * FS_APPEND_FL: +a) of the host path base/rel; clearing a mark that
 * cannot be read is no failure (teardown). */
static void set_mark(const char *rel, int flag, bool on)
{
	char p[256];
	in_base(rel, p, sizeof p);
	int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int flags = 0;
	bool done = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
	flags = on ? flags | flag : flags & ~flag;
	done = done && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
	if (fd >= 0)
		close(fd);
	ck_assert_msg(done || !on, "chattr %s: %s (run as root)", p, strerror(errno));
}

static void set_immutable(const char *rel, bool on)
{
	set_mark(rel, FS_IMMUTABLE_FL, on);
}

/* Folders and files the marks tests mark; cleared again after them. */
static void teardown_marks(void)
{
	static const char *const marked[] = { "root/f.txt", "root/dir/sub", "root/dir" };
	for (size_t i = 0; i < sizeof marked / sizeof marked[0]; i++)
		set_mark(marked[i], FS_IMMUTABLE_FL | FS_APPEND_FL, false);
	teardown();
}

/* The mark that refuses a removal (chattr +i): the file's own, else its
 * folder's, the folder's alone for a name not there. A refused unlink or
 * upload hands it back with the refusal, as vfs_removal_mark reads it
 * afresh. */
START_TEST(test_removal_marks)
{
	struct vfs_removal why;
	struct vfs_upload up;
	bool folder = true;
	set_immutable("root/f.txt", true);
	ck_assert_int_eq(vfs_unlink(root_fd, "/f.txt", &why), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(why.mark, VFS_MARK_IMMUTABLE);
	ck_assert(!why.folder_mark);
	ck_assert_int_eq(vfs_upload_begin(root_fd, "/f.txt", getuid(), &up, 60), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(up.removal.mark, VFS_MARK_IMMUTABLE);
	ck_assert(!up.removal.folder_mark);
	ck_assert_int_eq(vfs_removal_mark(root_fd, "/f.txt", &folder), VFS_MARK_IMMUTABLE);
	ck_assert(!folder);
	set_immutable("root/f.txt", false);
	ck_assert_int_eq(vfs_removal_mark(root_fd, "/f.txt", &folder), VFS_MARK_NONE);

	char p[256];
	in_base("root/dir/in.txt", p, sizeof p);
	write_file(p, "in");
	set_immutable("root/dir", true);
	ck_assert_int_eq(vfs_unlink(root_fd, "/dir/in.txt", &why), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(why.mark, VFS_MARK_IMMUTABLE);
	ck_assert(why.folder_mark);
	ck_assert_int_eq(vfs_removal_mark(root_fd, "/dir/in.txt", &folder), VFS_MARK_IMMUTABLE);
	ck_assert(folder);
	/* A new name: only the folder has a mark to read. */
	folder = false;
	ck_assert_int_eq(vfs_removal_mark(root_fd, "/dir/new.txt", &folder), VFS_MARK_IMMUTABLE);
	ck_assert(folder);
	ck_assert_int_eq(vfs_upload_begin(root_fd, "/dir/new.txt", getuid(), &up, 60), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(up.removal.mark, VFS_MARK_IMMUTABLE);
	ck_assert(up.removal.folder_mark);
	ck_assert_int_eq(vfs_removal_check(root_fd, "/dir/new.txt", getuid(), &why), -1);
	ck_assert_int_eq(errno, ENOENT);
	set_immutable("root/dir", false);
	ck_assert_int_eq(vfs_removal_mark(root_fd, "/dir/new.txt", &folder), VFS_MARK_NONE);
	ck_assert_int_eq(vfs_unlink(root_fd, "/dir/in.txt", &why), 0);
	ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

/* Checks that a change to vpath failed with EPERM and handed back, in
 * why, the mark (the entry's own unless folder) that vfs_removal_mark
 * reads afresh, from which the reply's text is made. */
static void assert_refused_by(int r, const struct vfs_removal *why, const char *vpath,
			      enum vfs_mark mark, bool folder)
{
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(why->mark, mark);
	ck_assert_int_eq(why->folder_mark, folder);
	bool read_folder = !folder;
	ck_assert_int_eq(vfs_removal_mark(root_fd, vpath, &read_folder), mark);
	ck_assert_int_eq(read_folder, folder);
}

/* A refused mkdir, rmdir, rename onto a marked name and unlink hand back
 * the mark that refused them, read through the folder they opened: the
 * entry's own (immutable, append-only), else its folder's. */
START_TEST(test_change_marks)
{
	struct vfs_removal why;
	char p[256];
	in_base("root/dir/sub", p, sizeof p);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	in_base("root/dir/in.txt", p, sizeof p);
	write_file(p, "in");
	in_base("root/g.txt", p, sizeof p);
	write_file(p, "g");

	set_mark("root/dir", FS_IMMUTABLE_FL, true);
	assert_refused_by(vfs_mkdir(root_fd, "/dir/new", 0755, &why), &why, "/dir/new",
			  VFS_MARK_IMMUTABLE, true);
	assert_refused_by(vfs_rmdir(root_fd, "/dir/sub", &why), &why, "/dir/sub",
			  VFS_MARK_IMMUTABLE, true);
	assert_refused_by(vfs_rename(root_fd, "/g.txt", "/dir/x.txt", true, &why), &why,
			  "/dir/x.txt", VFS_MARK_IMMUTABLE, true);
	ck_assert_int_eq(vfs_mkdir(root_fd, "/dir/new", 0755, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
	set_mark("root/dir", FS_IMMUTABLE_FL, false);

	set_mark("root/dir", FS_APPEND_FL, true);
	assert_refused_by(vfs_unlink(root_fd, "/dir/in.txt", &why), &why, "/dir/in.txt",
			  VFS_MARK_APPEND_ONLY, true);
	assert_refused_by(vfs_rmdir(root_fd, "/dir/sub", &why), &why, "/dir/sub",
			  VFS_MARK_APPEND_ONLY, true);
	set_mark("root/dir", FS_APPEND_FL, false);

	set_mark("root/dir/sub", FS_IMMUTABLE_FL, true);
	assert_refused_by(vfs_rmdir(root_fd, "/dir/sub", &why), &why, "/dir/sub",
			  VFS_MARK_IMMUTABLE, false);
	set_mark("root/dir/sub", FS_IMMUTABLE_FL, false);

	set_mark("root/f.txt", FS_IMMUTABLE_FL, true);
	assert_refused_by(vfs_rename(root_fd, "/g.txt", "/f.txt", true, &why), &why, "/f.txt",
			  VFS_MARK_IMMUTABLE, false);
	set_mark("root/f.txt", FS_IMMUTABLE_FL, false);
	set_mark("root/f.txt", FS_APPEND_FL, true);
	assert_refused_by(vfs_rename(root_fd, "/g.txt", "/f.txt", true, &why), &why, "/f.txt",
			  VFS_MARK_APPEND_ONLY, false);
	assert_refused_by(vfs_unlink(root_fd, "/f.txt", &why), &why, "/f.txt",
			  VFS_MARK_APPEND_ONLY, false);
	set_mark("root/f.txt", FS_APPEND_FL, false);

	/* Unmarked, each goes ahead. */
	ck_assert_int_eq(vfs_rename(root_fd, "/g.txt", "/f.txt", true, &why), 0);
	in_base("root/f.txt", p, sizeof p);
	char buf[8];
	ck_assert_str_eq(host_read(p, buf, sizeof buf), "g");
	ck_assert_int_eq(vfs_rmdir(root_fd, "/dir/sub", &why), 0);
	ck_assert_int_eq(vfs_mkdir(root_fd, "/dir/new", 0755, &why), 0);
	ck_assert_int_eq(vfs_unlink(root_fd, "/dir/in.txt", &why), 0);
}
END_TEST

static Suite *vfs_suite(void)
{
	Suite *su = suite_create("vfs");
	TCase *tc = tcase_create("confinement");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_open_stays_inside, 0, sizeof escapes / sizeof escapes[0]);
	tcase_add_test(tc, test_absolute_symlink);
	tcase_add_test(tc, test_stat_in_root);
	tcase_add_test(tc, test_stat_below_root);
	tcase_add_test(tc, test_changes_stay_inside);
	tcase_add_test(tc, test_opendir_and_entries);
	tcase_add_test(tc, test_dir_many_entries);
	tcase_add_test(tc, test_dir_read_records);
	tcase_add_test(tc, test_create_unique);
	tcase_add_test(tc, test_temp_names);
	tcase_add_test(tc, test_upload_commit);
	tcase_add_test(tc, test_removal_check);
	suite_add_tcase(su, tc);
	tc = tcase_create("marks");
	tcase_add_checked_fixture(tc, setup, teardown_marks);
	tcase_add_test(tc, test_removal_marks);
	tcase_add_test(tc, test_change_marks);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(vfs_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
