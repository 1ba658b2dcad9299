/* Unit tests for tree: the walk behind every recursive copy, against the
 * scripted fake server (exact command sequences) and real local
 * directories: what is made, what is handed over and in which order, what
 * is skipped, and how a walk stops or fails. */
#include "config.h"

#include "tree.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_ftp_fake.h"
#include "check_ftp_scripts.h"
#include "sbuf.h"
#include "xalloc.h"

/* What a visitor saw, one line per call: "file LOCAL REMOTE SIZE fresh|old",
 * "skip-name DISPLAY", "skip-type LOCAL". */
struct seen {
	struct sbuf log;   /* the lines */
	int files;         /* files handed over */
	int stop_after;    /* stop (from stop) once this many files came; -1 never */
	int refuse_at;     /* file returns false for this file (1-based); 0 never */
};

static bool seen_file(void *arg, const struct tree_entry *e)
{
	struct seen *s = arg;
	s->files++;
	sbuf_printf(&s->log, "file %s %s %jd %s\n", e->local, e->remote, (intmax_t)e->size,
		    e->fresh ? "fresh" : "old");
	return s->files != s->refuse_at;
}

static void seen_skipped(void *arg, const struct tree_entry *e, enum tree_skip why)
{
	struct seen *s = arg;
	if (why == TREE_SKIP_NAME)
		sbuf_printf(&s->log, "skip-name %s\n", e->display);
	else
		sbuf_printf(&s->log, "skip-type %s\n", e->local);
}

static bool seen_stop(void *arg)
{
	struct seen *s = arg;
	return s->stop_after >= 0 && s->files >= s->stop_after;
}

static void seen_init(struct seen *s, struct tree_visitor *v)
{
	memset(s, 0, sizeof *s);
	sbuf_init(&s->log, 1 << 16);
	s->stop_after = -1;
	*v = (struct tree_visitor){ .file = seen_file, .skipped = seen_skipped, .stop = seen_stop,
				    .arg = s };
}

/* A fresh empty temporary directory; the caller removes it (rm_tree). */
static char *temp_dir(void)
{
	char *path = xstrdup("/tmp/check_tree.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(path));
	return path;
}

/* Writes a local file of n bytes. */
static void put_file(const char *dir, const char *rel, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	for (size_t i = 0; i < n; i++)
		fputc('x', fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static void make_dir(const char *dir, const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static bool is_dir(const char *dir, const char *rel)
{
	char path[512];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void rm_tree(char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

/* One test's walk: the fake server and the engine logged in to it, a
 * visitor that records, and a temporary local directory. */
struct walk {
	struct fake *fk;
	struct ftp *f;
	struct seen s;
	struct tree_visitor v;
	struct tree_result r;
	char *tmp;
};

static void walk_start(struct walk *w, const struct fake_step *steps)
{
	w->f = fake_client(steps, &w->fk, FTP_S_OK);
	seen_init(&w->s, &w->v);
	w->tmp = temp_dir();
}

/* Checks the script ran whole and cleans up. */
static void walk_end(struct walk *w)
{
	fake_client_done(w->f, w->fk);
	sbuf_free(&w->s.log);
	rm_tree(w->tmp);
}

/* A download walks the listing in name order: files handed over with
 * their targets, a subdirectory made and entered, a link and a name with
 * a slash skipped, "." and ".." passed over. */
START_TEST(test_download)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD top", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=3; b.txt\r\n"
			  "type=dir;size=4096; sub\r\n"
			  "type=cdir; .\r\n"
			  "type=OS.unix=slink:/etc;size=4; ln\r\n"
			  "type=file;size=7; a\r\n"
			  "type=file;size=1; x/y\r\n",
		  .after = "226 Done.\r\n" },
		EPSV_OK,
		{ .expect = "MLSD top/sub", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=2; c\x1b\r\n", .after = "226 Done.\r\n" },
		END,
	};
	struct walk w;
	char local[256], expect[2048];

	walk_start(&w, steps);
	snprintf(local, sizeof local, "%s/dl", w.tmp);
	tree_walk(w.f, TREE_DOWNLOAD, local, "top", &w.v, &w.r);
	ck_assert_msg(w.r.end == TREE_DONE, "%d: %s", w.r.end, w.r.msg);
	snprintf(expect, sizeof expect,
		 "file %s/dl/a top/a 7 fresh\n"
		 "file %s/dl/b.txt top/b.txt 3 fresh\n"
		 "skip-type %s/dl/ln\n"
		 "file %s/dl/sub/c\x1b top/sub/c\x1b 2 fresh\n"
		 "skip-name x/y\n", w.tmp, w.tmp, w.tmp, w.tmp);
	ck_assert_str_eq(sbuf_str(&w.s.log), expect);
	ck_assert(is_dir(w.tmp, "dl"));
	ck_assert(is_dir(w.tmp, "dl/sub"));
	walk_end(&w);
}
END_TEST

/* A local target directory that exists is filled in (its files are not
 * fresh); a file in its place fails the walk before anything is listed. */
START_TEST(test_download_existing_target)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD top", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=3; f\r\n", .after = "226 Done.\r\n" },
		END,
	};
	struct walk w;
	char expect[1024], file[300];

	walk_start(&w, steps);
	tree_walk(w.f, TREE_DOWNLOAD, w.tmp, "top", &w.v, &w.r);
	ck_assert_msg(w.r.end == TREE_DONE, "%s", w.r.msg);
	snprintf(expect, sizeof expect, "file %s/f top/f 3 old\n", w.tmp);
	ck_assert_str_eq(sbuf_str(&w.s.log), expect);

	put_file(w.tmp, "plain", 1);
	snprintf(file, sizeof file, "%s/plain", w.tmp);
	tree_walk(w.f, TREE_DOWNLOAD, file, "top", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_int_eq(w.r.status, FTP_S_LOCAL);
	snprintf(expect, sizeof expect, "%s: %s", file, strerror(ENOTDIR));
	ck_assert_str_eq(w.r.msg, expect);
	walk_end(&w);
}
END_TEST

/* A listing refused below the top names the directory; the walk stops there. */
START_TEST(test_download_sub_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD top", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=dir; a\r\ntype=file;size=1; z\r\n", .after = "226 Done.\r\n" },
		EPSV_OK,
		STEP("MLSD top/a", "550 Permission denied.\r\n"),
		STEP("MLST top/a", "550 Permission denied.\r\n"),
		END,
	};
	struct walk w;

	walk_start(&w, steps);
	tree_walk(w.f, TREE_DOWNLOAD, w.tmp, "top", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_int_eq(w.r.status, FTP_S_REFUSED);
	ck_assert_str_eq(w.r.msg, "top/a: 550 Permission denied.");
	ck_assert_str_eq(sbuf_str(&w.s.log), "");
	walk_end(&w);
}
END_TEST

/* The visitor stops the walk: from stop (no more listings are asked
 * for) and from file. */
START_TEST(test_download_stopped)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD top", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=1; a\r\ntype=dir; d\r\ntype=file;size=1; e\r\n",
		  .after = "226 Done.\r\n" },
		EPSV_OK,
		{ .expect = "MLSD top", .reply = "150 Here.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=1; a\r\ntype=file;size=1; b\r\n",
		  .after = "226 Done.\r\n" },
		END,
	};
	struct walk w;
	char expect[1024];

	walk_start(&w, steps);
	w.s.stop_after = 1;
	tree_walk(w.f, TREE_DOWNLOAD, w.tmp, "top", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_STOPPED);
	snprintf(expect, sizeof expect, "file %s/a top/a 1 old\n", w.tmp);
	ck_assert_str_eq(sbuf_str(&w.s.log), expect);

	sbuf_reset(&w.s.log);
	w.s.files = 0;
	w.s.stop_after = -1;
	w.s.refuse_at = 1;
	tree_walk(w.f, TREE_DOWNLOAD, w.tmp, "top", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_STOPPED);
	ck_assert_str_eq(sbuf_str(&w.s.log), expect);
	walk_end(&w);
}
END_TEST

/* An upload makes each remote directory as it enters it; a refused MKD
 * is fine when entering the directory (and coming back) shows it exists,
 * and the files inside it are then not fresh. Links are skipped. */
START_TEST(test_upload)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("MKD dst", "257 \"/dst\" created.\r\n"),
		STEP("MKD dst/d", "550 Create directory operation failed.\r\n"),
		STEP("CWD dst/d", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/dst/d\" is the current directory.\r\n"),
		STEP("CWD /", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory.\r\n"),
		END,
	};
	struct walk w;
	char expect[2048], link[300];

	walk_start(&w, steps);
	put_file(w.tmp, "b", 2);
	put_file(w.tmp, "a", 3);
	make_dir(w.tmp, "d");
	put_file(w.tmp, "d/e", 1);
	snprintf(link, sizeof link, "%s/l", w.tmp);
	ck_assert_int_eq(symlink("a", link), 0);
	tree_walk(w.f, TREE_UPLOAD, w.tmp, "dst", &w.v, &w.r);
	ck_assert_msg(w.r.end == TREE_DONE, "%s", w.r.msg);
	snprintf(expect, sizeof expect,
		 "file %s/a dst/a 3 fresh\n"
		 "file %s/b dst/b 2 fresh\n"
		 "file %s/d/e dst/d/e 1 old\n"
		 "skip-type %s/l\n", w.tmp, w.tmp, w.tmp, w.tmp);
	ck_assert_str_eq(sbuf_str(&w.s.log), expect);
	ck_assert_str_eq(ftp_dir(w.f), "/");
	walk_end(&w);
}
END_TEST

/* A refused MKD for a directory that is not there fails the walk with
 * MKD's reply; nothing is handed over. */
START_TEST(test_upload_mkdir_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("MKD dst", "550 Permission denied.\r\n"),
		STEP("CWD dst", "550 Failed to change directory.\r\n"),
		END,
	};
	struct walk w;

	walk_start(&w, steps);
	put_file(w.tmp, "a", 1);
	tree_walk(w.f, TREE_UPLOAD, w.tmp, "dst", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_int_eq(w.r.status, FTP_S_REFUSED);
	ck_assert_str_eq(w.r.msg, "550 Permission denied.");
	ck_assert_str_eq(sbuf_str(&w.s.log), "");
	walk_end(&w);
}
END_TEST

/* A tree deeper than TREE_DEPTH_MAX fails at the level past it, having
 * made every directory above. */
START_TEST(test_upload_too_deep)
{
	enum { LEVELS = TREE_DEPTH_MAX + 2 };
	static const struct fake_step login[] = { LOGIN_FERRYD };
	enum { NLOGIN = sizeof login / sizeof login[0] };
	struct fake_step *steps = xcalloc(NLOGIN + TREE_DEPTH_MAX + 2, sizeof *steps);
	struct sbuf mkd, rel;
	struct walk w;
	char top[300], expect[1024];

	/* The login, then MKD dst, MKD dst/d, ... down to the deepest level allowed. */
	memcpy(steps, login, sizeof login);
	sbuf_init(&mkd, 4096);
	sbuf_puts(&mkd, "MKD dst");
	for (int i = 0; i <= TREE_DEPTH_MAX; i++) {
		steps[NLOGIN + i].expect = xstrdup(sbuf_str(&mkd));
		steps[NLOGIN + i].reply = "257 Created.\r\n";
		sbuf_puts(&mkd, "/d");
	}
	steps[NLOGIN + TREE_DEPTH_MAX + 1].end = true;
	walk_start(&w, steps);
	/* Locally d/d/d/... one level deeper than that. */
	sbuf_init(&rel, 4096);
	for (int i = 0; i < LEVELS; i++) {
		sbuf_puts(&rel, i ? "/d" : "d");
		make_dir(w.tmp, sbuf_str(&rel));
	}
	snprintf(top, sizeof top, "%s/d", w.tmp);
	tree_walk(w.f, TREE_UPLOAD, top, "dst", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_int_eq(w.r.status, FTP_S_LOCAL);
	snprintf(expect, sizeof expect, "%s/%s: more than %d directory levels", w.tmp,
		 sbuf_str(&rel), TREE_DEPTH_MAX);
	ck_assert_str_eq(w.r.msg, expect);
	walk_end(&w);
	for (int i = 0; i <= TREE_DEPTH_MAX; i++)
		free((char *)steps[NLOGIN + i].expect);
	free(steps);
	sbuf_free(&rel);
	sbuf_free(&mkd);
}
END_TEST

/* rm -r: files and links deleted (a link never followed), directories
 * (each first refused as a file) entered and removed after their
 * contents, in name order; counted. */
START_TEST(test_remove)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("DELE d", "550 Is a directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD d", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=cdir; d\r\ntype=dir; sub\r\ntype=file;size=1; a\r\n"
			  "type=OS.unix=slink:/etc; l\r\n", .after = "226 ok\r\n" },
		STEP("DELE d/a", "250 Deleted.\r\n"),
		STEP("DELE d/l", "250 Deleted.\r\n"),
		STEP("DELE d/sub", "550 Is a directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD d/sub", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=1; x\r\n", .after = "226 ok\r\n" },
		STEP("DELE d/sub/x", "250 Deleted.\r\n"),
		STEP("RMD d/sub", "250 Removed.\r\n"),
		STEP("RMD d", "250 Removed.\r\n"),
		END,
	};
	struct walk w;
	walk_start(&w, steps);
	tree_remove(w.f, "d", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_DONE);
	ck_assert_uint_eq(w.r.removed_files, 3);
	ck_assert_uint_eq(w.r.removed_dirs, 2);
	walk_end(&w);
}
END_TEST

/* The first refusal ends the removal: nothing after it is sent, and a
 * name that is not plain stops it before anything is deleted. */
START_TEST(test_remove_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("DELE d", "550 Is a directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD d", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=1; a\r\ntype=file;size=1; b\r\n", .after = "226 ok\r\n" },
		STEP("DELE d/a", "550 Permission denied.\r\n"),
		STEP("DELE e", "550 Is a directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD e", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=1; ../x\r\n", .after = "226 ok\r\n" },
		END,
	};
	struct walk w;
	walk_start(&w, steps);
	tree_remove(w.f, "d", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_int_eq(w.r.status, FTP_S_REFUSED);
	ck_assert_str_eq(w.r.msg, "d/a: 550 Permission denied.");
	tree_remove(w.f, "e", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_FAILED);
	ck_assert_str_eq(w.r.msg, "e: the server listed ../x, not a plain name; nothing more deleted");
	walk_end(&w);
}
END_TEST

/* A link a server lists as a directory (it reports what the link points
 * to) goes with the DELE tried first: it is never listed or emptied. */
START_TEST(test_remove_link_listed_as_dir)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("DELE d", "550 Is a directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD d", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=dir; lnk\r\n", .after = "226 ok\r\n" },
		STEP("DELE d/lnk", "250 Deleted.\r\n"),
		STEP("RMD d", "250 Removed.\r\n"),
		END,
	};
	struct walk w;
	walk_start(&w, steps);
	tree_remove(w.f, "d", &w.v, &w.r);
	ck_assert_int_eq(w.r.end, TREE_DONE);
	ck_assert_uint_eq(w.r.removed_files, 1);
	ck_assert_uint_eq(w.r.removed_dirs, 1);
	walk_end(&w);
}
END_TEST

/* Whether a remote path is a directory: where the connection knows its
 * directory, by entering it and coming back; a refused CWD is a file, a
 * refused CWD back the failure. */
START_TEST(test_is_dir)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("CWD f", "550 Failed to change directory.\r\n"),
		STEP("CWD d", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/d\" is the current directory\r\n"),
		STEP("CWD /", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory\r\n"),
		STEP("CWD e", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/e\" is the current directory\r\n"),
		STEP("CWD /", "550 Failed to change directory.\r\n"),
		END,
	};
	struct walk w;
	bool dir = true;

	walk_start(&w, steps);
	ck_assert_int_eq(tree_remote_is_dir(w.f, "f", &dir), FTP_S_OK);
	ck_assert(!dir);
	ck_assert_int_eq(tree_remote_is_dir(w.f, "d", &dir), FTP_S_OK);
	ck_assert(dir);
	ck_assert_str_eq(ftp_dir(w.f), "/");
	ck_assert_int_eq(tree_remote_is_dir(w.f, "e", &dir), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(w.f), "550 Failed to change directory.");
	walk_end(&w);
}
END_TEST

/* Where the server will not name the connection's directory (no PWD),
 * the connection never moves: SIZE tells a file, and a name of which the
 * server sizes no file (a link to a folder) is taken for a directory;
 * MLST's type tells where the server has it. */
START_TEST(test_is_dir_without_pwd)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Welcome to Pure-FTPd.\r\n" },
		STEP("USER anonymous", "331 Any password will work\r\n"),
		STEP("PASS anonymous@", "230 Anonymous user logged in\r\n"),
		STEP("FEAT", FEAT_PURE),
		STEP("OPTS UTF8 ON", "504 Unknown command\r\n"),
		STEP("TYPE I", "200 TYPE is now 8-bit binary\r\n"),
		STEP("PWD", "502 Command not implemented.\r\n"),
		STEP("MLST d", "250-Begin\r\n type=dir;size=4096; d\r\n250 End.\r\n"),
		STEP("MLST f", "250-Begin\r\n type=file;size=2; f\r\n250 End.\r\n"),
		STEP("MLST dlink", "250-Begin\r\n type=OS.unix=slink:/d; dlink\r\n250 End.\r\n"),
		STEP("SIZE dlink", "550 Not a regular file\r\n"),
		STEP("MLST flink", "250-Begin\r\n type=OS.unix=slink:/f; flink\r\n250 End.\r\n"),
		STEP("SIZE flink", "213 2\r\n"),
		END,
	};
	static const struct {
		const char *path;
		bool dir;
	} cases[] = { { "d", true }, { "f", false }, { "dlink", true }, { "flink", false } };
	struct walk w;

	walk_start(&w, steps);
	ck_assert_str_eq(ftp_dir(w.f), "");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool dir = !cases[i].dir;
		ck_assert_int_eq(tree_remote_is_dir(w.f, cases[i].path, &dir), FTP_S_OK);
		ck_assert_msg(dir == cases[i].dir, "%s", cases[i].path);
	}
	walk_end(&w);
}
END_TEST

/* Steps of tree_link_follow entering the link PATH where the server
 * names the folder WHERE, then coming back to "/". */
#define FOLLOW_STEPS(path, where) \
	STEP("CWD " path, "250 Directory successfully changed.\r\n"), \
	STEP("PWD", "257 \"" where "\" is the current directory\r\n"), \
	STEP("CWD /", "250 Directory successfully changed.\r\n"), \
	STEP("PWD", "257 \"/\" is the current directory\r\n")

/* A link at the bottom of a deep walk (below a followed link to /x/y)
 * leading back up is named by the path the walk took to the folder it
 * leads to: one above the followed link, the followed link itself, one
 * below it; where it leads when that is no folder of the walk but one
 * above them; a link without a target by where the server enters it. A
 * link elsewhere is a directory. */
START_TEST(test_link_loop_deep)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/t/a"),
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/x/y"),
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/x/y/c"),
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/x"),
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/t"),
		FOLLOW_STEPS("t/a/b/l/c/d/k", "/t/a/z"),
		END,
	};
	static const struct {
		const char *target;    /* the listing's, NULL: none */
		enum tree_link kind;
		const char *loops_to;  /* TREE_LINK_LOOP */
		const char *real;
	} cases[] = {
		{ "/t/a", TREE_LINK_LOOP, "t/a", "/t/a" },
		{ "../..", TREE_LINK_LOOP, "t/a/b/l", "/x/y" },
		{ "..", TREE_LINK_LOOP, "t/a/b/l/c", "/x/y/c" },
		{ "../../..", TREE_LINK_LOOP, "/x", "/x" },
		{ NULL, TREE_LINK_LOOP, "t", "/t" },
		{ "../../../../t/a/z", TREE_LINK_DIR, NULL, "/t/a/z" },
	};
	struct tree_chain top = { .path = "t" };
	struct tree_chain a = { .path = "t/a", .up = &top };
	struct tree_chain b = { .path = "t/a/b", .up = &a };
	struct tree_chain l = { .path = "t/a/b/l", .up = &b, .real = "/x/y" };
	struct tree_chain c = { .path = "t/a/b/l/c", .up = &l };
	struct tree_chain d = { .path = "t/a/b/l/c/d", .up = &c };
	char name[] = "k";
	struct walk w;

	walk_start(&w, steps);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ftp_entry e = { .name = name, .display = name, .type = FTP_ENTRY_LINK,
				       .target = (char *)cases[i].target };
		struct tree_link_info li;
		ck_assert_int_eq(tree_link_follow(w.f, &d, &e, "t/a/b/l/c/d/k", &li), FTP_S_OK);
		ck_assert_msg(li.kind == cases[i].kind, "case %zu: kind %d", i, (int)li.kind);
		ck_assert_str_eq(li.real, cases[i].real);
		if (cases[i].loops_to != NULL)
			ck_assert_str_eq(li.loops_to, cases[i].loops_to);
		ck_assert_ptr_null(li.unique);
		tree_link_free(&li);
	}
	walk_end(&w);
}
END_TEST

static Suite *tree_suite(void)
{
	Suite *s = suite_create("tree");

	TCase *down = tcase_create("download");
	tcase_add_test(down, test_download);
	tcase_add_test(down, test_download_existing_target);
	tcase_add_test(down, test_download_sub_refused);
	tcase_add_test(down, test_download_stopped);
	tcase_add_test(down, test_is_dir);
	tcase_add_test(down, test_is_dir_without_pwd);
	tcase_add_test(down, test_link_loop_deep);
	suite_add_tcase(s, down);

	TCase *up = tcase_create("upload");
	tcase_add_test(up, test_upload);
	tcase_add_test(up, test_upload_mkdir_refused);
	tcase_add_test(up, test_remove);
	tcase_add_test(up, test_remove_refused);
	tcase_add_test(up, test_remove_link_listed_as_dir);
	suite_add_tcase(s, up);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_upload_too_deep);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tree_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
