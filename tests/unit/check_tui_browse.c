/* Unit tests for the local browsing worker, driven through its pipes as
 * the screen drives it: a listing with links (working, broken, to a
 * directory), mkdir, a rename that refuses to replace an existing name
 * unless told to, and a delete job that removes a tree, reports how many
 * entries went and never follows a link. */
#include "config.h"

#include "worker.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listparse.h"
#include "queue.h"

/* The temporary directory of a test, and the worker. */
static char dir[64];
static struct worker w;

/* Writes a file of n bytes at dir/rel. */
static void put(const char *rel, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

/* dir/rel as a path (in one of four buffers, so a call can take two). */
static const char *at(const char *rel)
{
	static char path[4][256];
	static int turn;
	turn = (turn + 1) % 4;
	snprintf(path[turn], sizeof path[turn], "%s/%s", dir, rel);
	return path[turn];
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check-browse-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	worker_init(&w);
	ck_assert_int_eq(worker_start(&w, WORKER_BROWSE_LOCAL, NULL), 0);
}

static void teardown(void)
{
	worker_stop(&w);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Sends a request of type with path, path2 and flags. */
static void ask(enum wire_type type, unsigned id, const char *path, const char *path2,
		unsigned flags)
{
	static struct wire_msg m;
	wire_init(&m, type, id);
	m.request.flags = (uint8_t)flags;
	wire_set_str(m.request.path, path);
	wire_set_str(m.request.path2, path2 ? path2 : "");
	ck_assert_int_eq(worker_send(&w, &m), 0);
}

/* The worker's next message (waits up to 5 s). */
static const struct wire_msg *next(void)
{
	for (int waited = 0; waited < 5000; waited += 10) {
		int rc = worker_read(&w);
		ck_assert_int_ge(rc, 0);
		if (rc == 1)
			return &w.report;
		struct pollfd pfd = { .fd = worker_fd(&w), .events = POLLIN };
		poll(&pfd, 1, 10);
	}
	ck_abort_msg("the browser did not answer");
	return NULL;
}

START_TEST(test_list)
{
	put("file.txt", 5);
	ck_assert_int_eq(mkdir(at("sub"), 0755), 0);
	ck_assert_int_eq(symlink("file.txt", at("good")), 0);
	ck_assert_int_eq(symlink("missing", at("dead")), 0);
	ck_assert_int_eq(symlink("sub", at("to-sub")), 0);
	ask(WIRE_LIST, 7, dir, NULL, 0);
	int seen = 0;
	const struct wire_msg *m;
	while ((m = next())->type == WIRE_ENTRY) {
		const struct wire_entry *e = &m->entry;
		ck_assert_uint_eq(m->id, 7);
		if (strcmp(e->name, "file.txt") == 0) {
			ck_assert(e->type == FTP_ENTRY_FILE && e->size == 5 && e->flags == 0);
		} else if (strcmp(e->name, "sub") == 0) {
			ck_assert(e->type == FTP_ENTRY_DIR && e->flags == 0);
		} else if (strcmp(e->name, "good") == 0) {
			ck_assert_uint_eq(e->flags, WIRE_LINK);
			ck_assert_str_eq(e->target, "file.txt");
			ck_assert(e->size == 5);    /* what it leads to */
		} else if (strcmp(e->name, "dead") == 0) {
			ck_assert_uint_eq(e->flags, WIRE_LINK | WIRE_BROKEN);
			ck_assert_str_eq(e->target, "missing");
		} else if (strcmp(e->name, "to-sub") == 0) {
			ck_assert(e->type == FTP_ENTRY_DIR && e->flags == WIRE_LINK);
		} else {
			ck_abort_msg("unexpected entry %s", e->name);
		}
		seen++;
	}
	ck_assert_int_eq(seen, 5);
	ck_assert_int_eq(m->type, WIRE_REPLY);
	ck_assert_uint_eq(m->id, 7);
	ck_assert_int_eq(m->reply.result, WIRE_OK);
	ck_assert_str_eq(m->reply.path, dir);
	/* A directory that is not there. */
	ask(WIRE_LIST, 8, at("nope"), NULL, 0);
	m = next();
	ck_assert_int_eq(m->type, WIRE_REPLY);
	ck_assert_int_eq(m->reply.result, WIRE_FAILED);
	ck_assert_msg(strstr(m->reply.message, "No such file") != NULL, "%s", m->reply.message);
}
END_TEST

START_TEST(test_mkdir_rename)
{
	put("up2.dat", 3);
	put("up3.dat", 150);
	ask(WIRE_MKDIR, 1, at("made"), NULL, 0);
	const struct wire_msg *m = next();
	ck_assert(m->type == WIRE_REPLY && m->id == 1 && m->reply.result == WIRE_OK);
	struct stat sb;
	ck_assert_int_eq(stat(at("made"), &sb), 0);
	ask(WIRE_MKDIR, 2, at("made"), NULL, 0);
	m = next();
	ck_assert(m->id == 2 && m->reply.result == WIRE_FAILED);
	/* Renaming onto an existing name is refused with its size... */
	ask(WIRE_RENAME, 3, at("up2.dat"), at("up3.dat"), 0);
	m = next();
	ck_assert_uint_eq(m->id, 3);
	ck_assert_int_eq(m->reply.result, WIRE_EXISTS);
	ck_assert_msg(m->reply.size == 150 && m->reply.mtime > 0, "size %lld mtime %lld", (long long)m->reply.size, (long long)m->reply.mtime);
	ck_assert_int_eq(stat(at("up3.dat"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 150);
	ck_assert_int_eq(stat(at("up2.dat"), &sb), 0);
	/* ...and done when replacing was agreed. */
	ask(WIRE_RENAME, 4, at("up2.dat"), at("up3.dat"), WIRE_REPLACE);
	m = next();
	ck_assert(m->id == 4 && m->reply.result == WIRE_OK);
	ck_assert_int_eq(stat(at("up3.dat"), &sb), 0);
	ck_assert_int_eq(sb.st_size, 3);
	ck_assert_int_eq(stat(at("up2.dat"), &sb), -1);
	/* A free name needs no agreement. */
	ask(WIRE_RENAME, 5, at("up3.dat"), at("up4.dat"), 0);
	m = next();
	ck_assert(m->id == 5 && m->reply.result == WIRE_OK);
	ck_assert_int_eq(stat(at("up4.dat"), &sb), 0);
}
END_TEST

START_TEST(test_remove_tree)
{
	char outside[64];
	snprintf(outside, sizeof outside, "/tmp/check-browse-out-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(outside));
	char kept[128];
	snprintf(kept, sizeof kept, "%s/kept.txt", outside);
	int fd = open(kept, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(mkdir(at("tree"), 0755), 0);
	ck_assert_int_eq(mkdir(at("tree/a"), 0755), 0);
	put("tree/one", 1);
	put("tree/a/two", 1);
	ck_assert_int_eq(symlink(outside, at("tree/a/out")), 0);
	ask(WIRE_REMOVE, 9, at("tree"), NULL, WIRE_TREE);
	const struct wire_msg *m;
	long long removed = -1;
	while ((m = next())->type == WIRE_PROGRESS) {
		ck_assert_uint_eq(m->id, 9);
		ck_assert(m->progress.done >= removed);
		removed = m->progress.done;
	}
	ck_assert_int_eq(m->type, WIRE_END);
	ck_assert_int_eq(m->end.state, QUEUE_DONE);
	ck_assert_int_eq(removed, 5);    /* one, two, out, a, tree */
	struct stat sb;
	ck_assert_int_eq(lstat(at("tree"), &sb), -1);
	ck_assert_int_eq(stat(kept, &sb), 0);   /* the link was not followed */
	/* A plain file, and one that is not there. */
	put("lone", 1);
	ask(WIRE_REMOVE, 10, at("lone"), NULL, 0);
	while ((m = next())->type == WIRE_PROGRESS)
		;
	ck_assert(m->type == WIRE_END && m->end.state == QUEUE_DONE);
	ask(WIRE_REMOVE, 11, at("lone"), NULL, 0);
	while ((m = next())->type == WIRE_PROGRESS)
		;
	ck_assert(m->type == WIRE_END && m->end.state == QUEUE_FAILED);
	ck_assert_msg(strstr(m->end.message, "lone") != NULL, "%s", m->end.message);
	unlink(kept);
	rmdir(outside);
}
END_TEST

static Suite *browse_suite(void)
{
	Suite *s = suite_create("tui_browse");
	TCase *core = tcase_create("core");
	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, test_list);
	tcase_add_test(core, test_mkdir_rename);
	tcase_add_test(core, test_remove_tree);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(browse_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
