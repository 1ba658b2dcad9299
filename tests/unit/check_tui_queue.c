/* Unit tests for the TUI transfer queue: adding, handing out one job at a
 * time, progress, ETA and percent, finishing, cancelling, pruning. */
#include "config.h"

#include "queue.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Adds three downloads a.txt, b.txt, c.txt of 1000 bytes. */
static struct queue *three(void)
{
	struct queue *q = queue_new();
	ck_assert_uint_eq(queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "a.txt", "/a.txt", 1000), 1);
	ck_assert_uint_eq(queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "b.txt", "/b.txt", 1000), 2);
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_RESUME, false, "c.txt", "/c.txt", -1), 3);
	return q;
}

/* How a job ends, and what the queue shows then. */
static const struct {
	enum queue_state end;
	const char *msg;
	enum queue_state want;
	const char *want_msg;
} finish_cases[] = {
	{ QUEUE_DONE, NULL, QUEUE_DONE, "" },
	{ QUEUE_FAILED, "550 nope", QUEUE_FAILED, "550 nope" },
	{ QUEUE_CANCELLED, "cancelled", QUEUE_CANCELLED, "cancelled" },
	{ QUEUE_FAILED, "bad\x1b[2Jtext", QUEUE_FAILED, "bad?[2Jtext" },
	{ QUEUE_QUEUED, "not an end", QUEUE_RUNNING, "" },
};

START_TEST(test_finish)
{
	struct queue *q = three();
	struct queue_job *j = queue_next(q);
	ck_assert_uint_eq(j->id, 1);
	queue_finish(q, 1, finish_cases[_i].end, finish_cases[_i].msg);
	j = queue_find(q, 1);
	ck_assert_int_eq(j->state, finish_cases[_i].want);
	ck_assert_str_eq(j->message, finish_cases[_i].want_msg);
	queue_free(q);
}
END_TEST

START_TEST(test_order)
{
	struct queue *q = three();
	ck_assert_uint_eq(queue_count(q), 3);
	ck_assert_uint_eq(queue_active(q), 3);
	struct queue_job *j = queue_next(q);
	ck_assert_uint_eq(j->id, 1);
	ck_assert_int_eq(j->state, QUEUE_RUNNING);
	ck_assert_ptr_null(queue_next(q));      /* one at a time */
	ck_assert_ptr_eq(queue_running(q), j);
	queue_finish(q, 1, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_find(q, 1)->done, 1000);
	j = queue_next(q);
	ck_assert_uint_eq(j->id, 2);
	queue_finish(q, 2, QUEUE_FAILED, "x");
	j = queue_next(q);
	ck_assert_uint_eq(j->id, 3);
	ck_assert_str_eq(j->label, "c.txt");
	ck_assert_int_eq(j->dir, QUEUE_UPLOAD);
	ck_assert_int_eq(j->mode, QUEUE_MODE_RESUME);
	queue_finish(q, 3, QUEUE_DONE, NULL);
	ck_assert_ptr_null(queue_next(q));
	ck_assert_uint_eq(queue_active(q), 0);
	ck_assert_str_eq(queue_state_name(QUEUE_CANCELLED), "cancelled");
	queue_free(q);
}
END_TEST

START_TEST(test_progress_eta)
{
	struct queue *q = three();
	struct queue_job *j = queue_next(q);
	ck_assert_int_eq(queue_percent(j), 0);
	ck_assert(queue_eta(j) < 0);            /* no rate yet */
	queue_progress(q, 1, 250, -1, 50.0);
	ck_assert_int_eq(queue_percent(j), 25);
	ck_assert(fabs(queue_eta(j) - 15.0) < 1e-9);
	queue_progress(q, 1, 500, 2000, 100.0);
	ck_assert_int_eq(j->size, 2000);
	ck_assert_int_eq(queue_percent(j), 25);
	queue_progress(q, 1, 500, -1, NAN);
	ck_assert(queue_eta(j) < 0);
	queue_progress(q, 2, 999, -1, 1.0);     /* not running: ignored */
	ck_assert_int_eq(queue_find(q, 2)->done, 0);
	queue_finish(q, 1, QUEUE_DONE, NULL);
	j = queue_next(q);
	queue_finish(q, j->id, QUEUE_DONE, NULL);
	j = queue_next(q);
	ck_assert_int_eq(queue_percent(j), -1); /* size unknown */
	queue_free(q);
}
END_TEST

START_TEST(test_cancel)
{
	struct queue *q = three();
	struct queue_job *j = queue_next(q);
	ck_assert(!queue_cancel(q, 2));         /* queued: cancelled at once */
	ck_assert_int_eq(queue_find(q, 2)->state, QUEUE_CANCELLED);
	ck_assert(queue_cancel(q, j->id));      /* running: the worker must stop it */
	ck_assert_int_eq(j->state, QUEUE_RUNNING);
	queue_finish(q, j->id, QUEUE_CANCELLED, "cancelled");
	ck_assert(!queue_cancel(q, j->id));     /* finished: nothing to do */
	ck_assert(!queue_cancel(q, 99));
	j = queue_next(q);
	ck_assert_uint_eq(j->id, 3);
	queue_free(q);
}
END_TEST

START_TEST(test_prune)
{
	struct queue *q = queue_new();
	for (int i = 0; i < 50; i++) {
		queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "l", "r", 1);
		struct queue_job *j = queue_next(q);
		if (i < 48)
			queue_finish(q, j->id, QUEUE_DONE, NULL);
	}
	ck_assert_uint_eq(queue_count(q), 50);
	queue_prune(q, 5);
	ck_assert_uint_eq(queue_count(q), 7);   /* 5 finished, 1 running, 1 queued */
	ck_assert_uint_eq(queue_at(q, 0)->id, 44);
	ck_assert_ptr_nonnull(queue_running(q));
	ck_assert_ptr_null(queue_at(q, 7));
	queue_prune(q, 0);
	ck_assert_uint_eq(queue_count(q), 2);
	ck_assert_uint_eq(queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "l", "r", 1), 51);
	queue_free(q);
	queue_free(NULL);
}
END_TEST

START_TEST(test_zero_size)
{
	struct queue *q = queue_new();
	queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dir", "/dir", 0);
	struct queue_job *j = queue_next(q);
	ck_assert(j->tree);
	ck_assert_int_eq(queue_percent(j), 100);
	ck_assert(queue_eta(j) == 0);
	queue_free(q);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("tui_queue");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_finish, 0,
			    (int)(sizeof finish_cases / sizeof finish_cases[0]));
	tcase_add_test(core, test_order);
	tcase_add_test(core, test_progress_eta);
	tcase_add_test(core, test_cancel);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_prune);
	tcase_add_test(limits, test_zero_size);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
