/* Unit tests for the TUI transfer queue: adding, handing out one job at a
 * time or several at once (one per slot), progress, ETA and percent, finishing, cancelling, pruning, and the
 * policy for files whose target exists (held files, answers, "apply to
 * all"), table by table. */
#include "config.h"

#include "queue.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
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
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(j->id, 1);
	ck_assert_int_eq(j->state, QUEUE_RUNNING);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));      /* one at a time */
	ck_assert_ptr_eq(queue_running(q, QUEUE_LANE_COPY), j);
	queue_finish(q, 1, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_find(q, 1)->done, 1000);
	j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(j->id, 2);
	queue_finish(q, 2, QUEUE_FAILED, "x");
	j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(j->id, 3);
	ck_assert_str_eq(j->label, "c.txt");
	ck_assert_int_eq(j->dir, QUEUE_UPLOAD);
	ck_assert_int_eq(j->mode, QUEUE_MODE_RESUME);
	queue_finish(q, 3, QUEUE_DONE, NULL);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_uint_eq(queue_active(q), 0);
	ck_assert_str_eq(queue_state_name(QUEUE_CANCELLED), "cancelled");
	queue_free(q);
}
END_TEST

START_TEST(test_progress_eta)
{
	struct queue *q = three();
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_int_eq(queue_percent(j), 0);
	ck_assert(queue_eta(j) < 0);            /* no rate yet */
	queue_progress(q, 1, 0, -1, 1000);      /* the clock in ms */
	ck_assert(queue_eta(j) < 0);
	queue_progress(q, 1, 250, -1, 6000);    /* 250 B in 5 s */
	ck_assert_int_eq(queue_percent(j), 25);
	ck_assert(fabs(j->rate - 50.0) < 1e-9);
	ck_assert(fabs(queue_eta(j) - 15.0) < 1e-9);
	queue_progress(q, 1, 500, 2000, 7000);
	ck_assert_int_eq(j->size, 2000);
	ck_assert_int_eq(queue_percent(j), 25);
	ck_assert(!j->stalled);
	/* Nothing for 5 s: the rate is 0, the job stalled, no time left. */
	queue_progress(q, 1, 500, -1, 12000);
	ck_assert(j->stalled);
	ck_assert(j->rate == 0);
	ck_assert(queue_eta(j) < 0);
	/* Bytes again: no longer stalled, a rate and a time left. */
	queue_progress(q, 1, 600, -1, 12500);
	ck_assert(!j->stalled);
	ck_assert(j->rate > 0);
	ck_assert(queue_eta(j) > 0);
	queue_progress(q, 2, 999, -1, 13000);   /* not running: ignored */
	ck_assert_int_eq(queue_find(q, 2)->done, 0);
	queue_finish(q, 1, QUEUE_DONE, NULL);
	j = queue_next(q, QUEUE_LANE_COPY);
	queue_finish(q, j->id, QUEUE_DONE, NULL);
	j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_int_eq(queue_percent(j), -1); /* size unknown */
	queue_free(q);
}
END_TEST

START_TEST(test_cancel)
{
	struct queue *q = three();
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert(!queue_cancel(q, 2));         /* queued: cancelled at once */
	ck_assert_int_eq(queue_find(q, 2)->state, QUEUE_CANCELLED);
	ck_assert(queue_cancel(q, j->id));      /* running: the worker must stop it */
	ck_assert_int_eq(j->state, QUEUE_RUNNING);
	queue_finish(q, j->id, QUEUE_CANCELLED, "cancelled");
	ck_assert(!queue_cancel(q, j->id));     /* finished: nothing to do */
	ck_assert(!queue_cancel(q, 99));
	j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(j->id, 3);
	queue_free(q);
}
END_TEST

START_TEST(test_prune)
{
	struct queue *q = queue_new();
	for (int i = 0; i < 50; i++) {
		queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "l", "r", 1);
		struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
		if (i < 48)
			queue_finish(q, j->id, QUEUE_DONE, NULL);
	}
	ck_assert_uint_eq(queue_count(q), 50);
	queue_prune(q, 5, false);
	ck_assert_uint_eq(queue_count(q), 7);   /* 5 finished, 1 running, 1 queued */
	ck_assert_uint_eq(queue_at(q, 0)->id, 44);
	ck_assert_ptr_nonnull(queue_running(q, QUEUE_LANE_COPY));
	ck_assert_ptr_null(queue_at(q, 7));
	queue_prune(q, 0, false);
	ck_assert_uint_eq(queue_count(q), 2);
	/* Pruned jobs are still counted. */
	struct queue_counts c;
	queue_counts(q, &c);
	ck_assert_uint_eq(c.done, 48);
	ck_assert_uint_eq(c.running, 1);
	ck_assert_uint_eq(c.queued, 1);
	ck_assert_uint_eq(queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "l", "r", 1), 51);
	queue_free(q);
	queue_free(NULL);
}
END_TEST

START_TEST(test_zero_size)
{
	struct queue *q = queue_new();
	queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dir", "/dir", 0);
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert(j->tree);
	ck_assert_int_eq(queue_percent(j), 100);
	ck_assert(queue_eta(j) == 0);
	queue_free(q);
}
END_TEST

/* ---- held files: the overwrite policy ---- */

/* A held-file case: the answer given for f1, the first held file of
 * directory copy d (which also holds f2, held, and f3, not held), and
 * what that does to f1 and then to f2. Directory copy e holds g1. */
static const struct held_case {
	enum queue_answer answer;   /* given for f1 */
	bool all;                   /* "apply to all" */
	const char *name;           /* the new name typed for a rename, or NULL */
	bool taken;                 /* queue_held_answer accepts it */
	enum queue_state f1_state;  /* f1 afterwards */
	bool f1_held;
	enum queue_mode f1_mode;
	const char *f1_target;
	bool f2_settled;            /* f2 was settled without asking... */
	enum queue_state f2_state;  /* ...into this state */
	enum queue_mode f2_mode;    /* ...and mode */
	enum queue_answer f2_asks;  /* else: what queue_held_next asks about f2 */
} held_cases[] = {
	{ QUEUE_ANSWER_OVERWRITE, false, NULL, true, QUEUE_QUEUED, false, QUEUE_MODE_NEW, "dl/d/f1",
	  false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_OVERWRITE, true, NULL, true, QUEUE_QUEUED, false, QUEUE_MODE_NEW, "dl/d/f1",
	  true, QUEUE_QUEUED, QUEUE_MODE_NEW, 0 },
	{ QUEUE_ANSWER_RESUME, false, NULL, true, QUEUE_QUEUED, false, QUEUE_MODE_RESUME, "dl/d/f1",
	  false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_RESUME, true, NULL, true, QUEUE_QUEUED, false, QUEUE_MODE_RESUME, "dl/d/f1",
	  true, QUEUE_QUEUED, QUEUE_MODE_RESUME, 0 },
	/* Skipped files are shown as skipped, not as cancelled. */
	{ QUEUE_ANSWER_SKIP, false, NULL, true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW, "dl/d/f1",
	  false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_SKIP, true, NULL, true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW, "dl/d/f1",
	  true, QUEUE_SKIPPED, QUEUE_MODE_NEW, 0 },
	/* Abort (Esc) cancels the rest of that directory copy, "all" or not. */
	{ QUEUE_ANSWER_ABORT, false, NULL, true, QUEUE_CANCELLED, true, QUEUE_MODE_NEW, "dl/d/f1",
	  true, QUEUE_CANCELLED, QUEUE_MODE_NEW, 0 },
	/* A renamed file is created, never written over a file of its new name. */
	{ QUEUE_ANSWER_RENAME, false, "f1 (2)", true, QUEUE_QUEUED, false, QUEUE_MODE_KEEP,
	  "dl/d/f1 (2)", false, 0, 0, QUEUE_ANSWER_ASK },
	/* Renaming for all asks each file's name, nothing else. */
	{ QUEUE_ANSWER_RENAME, true, "Ã¼.txt", true, QUEUE_QUEUED, false, QUEUE_MODE_KEEP,
	  "dl/d/Ã¼.txt", false, 0, 0, QUEUE_ANSWER_RENAME },
	/* No usable name: the file is skipped. */
	{ QUEUE_ANSWER_RENAME, false, NULL, true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW, "dl/d/f1",
	  false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_RENAME, false, "../up", true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW,
	  "dl/d/f1", false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_RENAME, false, "a/b", true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW,
	  "dl/d/f1", false, 0, 0, QUEUE_ANSWER_ASK },
	{ QUEUE_ANSWER_RENAME, false, "", true, QUEUE_SKIPPED, true, QUEUE_MODE_NEW,
	  "dl/d/f1", false, 0, 0, QUEUE_ANSWER_ASK },
	/* "Ask" is no answer: nothing changes, f1 is still the one to ask about. */
	{ QUEUE_ANSWER_ASK, true, NULL, false, QUEUE_QUEUED, true, QUEUE_MODE_NEW, "dl/d/f1",
	  false, 0, 0, QUEUE_ANSWER_ASK },
};

START_TEST(test_held_answer)
{
	const struct held_case *c = &held_cases[_i];
	struct queue *q = queue_new();
	enum queue_answer ans;

	unsigned d = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl/d", "/d", 0);
	unsigned e = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl/e", "/e", 0);
	unsigned f1 = queue_add_found(q, d, QUEUE_DOWNLOAD, "dl/d/f1", "/d/f1", 10, true);
	unsigned f3 = queue_add_found(q, d, QUEUE_DOWNLOAD, "dl/d/f3", "/d/f3", 30, false);
	unsigned f2 = queue_add_found(q, d, QUEUE_DOWNLOAD, "dl/d/f2", "/d/f2", 20, true);
	unsigned g1 = queue_add_found(q, e, QUEUE_DOWNLOAD, "dl/e/g1", "/e/g1", 40, true);

	struct queue_job *j = queue_held_next(q, &ans);
	ck_assert_uint_eq(j->id, f1);
	ck_assert_int_eq(ans, QUEUE_ANSWER_ASK);
	ck_assert(queue_held_answer(q, f1, c->answer, c->all, c->name) == c->taken);

	j = queue_find(q, f1);
	ck_assert_int_eq(j->state, c->f1_state);
	ck_assert(j->held == c->f1_held);
	ck_assert_int_eq(j->mode, c->f1_mode);
	ck_assert_str_eq(queue_target(j), c->f1_target);
	ck_assert_str_eq(j->remote, "/d/f1");   /* the source never changes */
	/* A renamed copy is shown under its new name. */
	if (c->answer == QUEUE_ANSWER_RENAME && c->f1_state == QUEUE_QUEUED)
		ck_assert_str_eq(j->label, c->f1_target);

	j = queue_held_next(q, &ans);
	ck_assert_ptr_nonnull(j);
	if (!c->taken) {
		ck_assert_uint_eq(j->id, f1);
	} else if (c->f2_settled) {
		struct queue_job *j2 = queue_find(q, f2);
		ck_assert_int_eq(j2->state, c->f2_state);
		ck_assert_int_eq(j2->mode, c->f2_mode);
		ck_assert(j2->held == (c->f2_state != QUEUE_QUEUED));
		/* Another directory copy's files are still asked about. */
		ck_assert_uint_eq(j->id, g1);
		ck_assert_int_eq(ans, QUEUE_ANSWER_ASK);
	} else {
		ck_assert_uint_eq(j->id, f2);
		ck_assert_int_eq(ans, c->f2_asks);
	}
	j = queue_find(q, f3);
	ck_assert(!j->held);
	ck_assert_int_eq(j->state, QUEUE_QUEUED);
	queue_free(q);
}
END_TEST

/* Files found in a directory copy take its mode; a held one is never
 * handed to the worker until answered, and an answer for a job that is no
 * longer held changes nothing. */
START_TEST(test_held_waits)
{
	struct queue *q = queue_new();
	unsigned d = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_RESUME, true, "up", "/up", 0);
	unsigned f1 = queue_add_found(q, d, QUEUE_UPLOAD, "up/f1", "/up/f1", 5, true);
	unsigned f2 = queue_add_found(q, d, QUEUE_UPLOAD, "up/f2", "/up/f2", 6, false);
	unsigned orphan = queue_add_found(q, 999, QUEUE_UPLOAD, "x", "/x", 1, false);

	ck_assert_int_eq(queue_find(q, f2)->mode, QUEUE_MODE_RESUME);
	ck_assert_int_eq(queue_find(q, orphan)->mode, QUEUE_MODE_NEW);
	ck_assert_uint_eq(queue_find(q, f1)->parent, d);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
	queue_finish(q, d, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, f2);
	queue_finish(q, f2, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, orphan);
	queue_finish(q, orphan, QUEUE_DONE, NULL);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));          /* f1 waits for an answer */

	/* An upload's rename puts the remote target under the new name. */
	ck_assert(queue_held_answer(q, f1, QUEUE_ANSWER_RENAME, false, "f1.new"));
	ck_assert_str_eq(queue_target(queue_find(q, f1)), "/up/f1.new");
	ck_assert_str_eq(queue_find(q, f1)->local, "up/f1");
	ck_assert(!queue_held_answer(q, f1, QUEUE_ANSWER_SKIP, false, NULL));
	ck_assert(!queue_held_answer(q, 12345, QUEUE_ANSWER_SKIP, false, NULL));
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, f1);
	/* ...where it is created, never written over a file of that name. */
	ck_assert_int_eq(queue_find(q, f1)->mode, QUEUE_MODE_KEEP);
	enum queue_answer ans;
	ck_assert_ptr_null(queue_held_next(q, &ans));
	queue_free(q);
}
END_TEST


/* ---- batches: cancelling a folder or everything, retrying, lanes ---- */

/* A directory copy d with files f1 (running) and f2 (queued), another
 * copy e with g1, and a lone file h. */
struct batch {
	struct queue *q;
	unsigned d, f1, f2, e, g1, h;
};

static void batch_make(struct batch *b)
{
	b->q = queue_new();
	b->d = queue_add(b->q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl/d", "/d", 0);
	b->e = queue_add(b->q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl/e", "/e", 0);
	b->h = queue_add(b->q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "h", "/h", 5);
	ck_assert_uint_eq(queue_next(b->q, QUEUE_LANE_COPY)->id, b->d);
	b->f1 = queue_add_found(b->q, b->d, QUEUE_DOWNLOAD, "dl/d/f1", "/d/f1", 1, false);
	b->f2 = queue_add_found(b->q, b->d, QUEUE_DOWNLOAD, "dl/d/f2", "/d/f2", 2, true);
	queue_finish(b->q, b->d, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(b->q, QUEUE_LANE_COPY)->id, b->e);
	b->g1 = queue_add_found(b->q, b->e, QUEUE_DOWNLOAD, "dl/e/g1", "/e/g1", 3, false);
	queue_finish(b->q, b->e, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(b->q, QUEUE_LANE_COPY)->id, b->h);
	queue_finish(b->q, b->h, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(b->q, QUEUE_LANE_COPY)->id, b->f1);
}

static enum queue_state state_of(struct queue *q, unsigned id)
{
	return queue_find(q, id)->state;
}

START_TEST(test_cancel_folder)
{
	struct batch b;
	batch_make(&b);
	/* Cancelling by one of its files cancels the whole folder copy: the
	 * running file is marked for its worker, the queued and held ones end. */
	ck_assert_uint_eq(queue_cancel_folder(b.q, b.f2), 1);
	ck_assert(queue_find(b.q, b.f1)->stopping);
	ck_assert_int_eq(state_of(b.q, b.f1), QUEUE_RUNNING);
	ck_assert_int_eq(state_of(b.q, b.f2), QUEUE_CANCELLED);
	ck_assert_int_eq(state_of(b.q, b.g1), QUEUE_QUEUED);   /* another copy */
	ck_assert_int_eq(state_of(b.q, b.d), QUEUE_DONE);
	queue_finish(b.q, b.f1, QUEUE_CANCELLED, "cancelled");
	ck_assert(!queue_find(b.q, b.f1)->stopping);
	ck_assert_uint_eq(queue_next(b.q, QUEUE_LANE_COPY)->id, b.g1);
	ck_assert_uint_eq(queue_cancel_folder(b.q, 999), 0);
	queue_free(b.q);
}
END_TEST

START_TEST(test_cancel_all)
{
	struct batch b;
	batch_make(&b);
	unsigned del = queue_add(b.q, QUEUE_DELETE_REMOTE, QUEUE_MODE_NEW, true, "", "/old", -1);
	ck_assert_uint_eq(queue_next(b.q, QUEUE_LANE_REMOTE)->id, del);
	ck_assert_uint_eq(queue_cancel_all(b.q), 2);   /* f1 and the delete run */
	ck_assert_int_eq(state_of(b.q, b.f2), QUEUE_CANCELLED);
	ck_assert_int_eq(state_of(b.q, b.g1), QUEUE_CANCELLED);
	ck_assert_int_eq(state_of(b.q, b.h), QUEUE_DONE);
	ck_assert(queue_find(b.q, del)->stopping);
	ck_assert_ptr_null(queue_next(b.q, QUEUE_LANE_COPY));
	queue_free(b.q);
}
END_TEST

/* Deletes run on their side's lane, beside the copies. */
START_TEST(test_lanes)
{
	struct queue *q = queue_new();
	unsigned c = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "a", "/a", 1);
	unsigned l = queue_add(q, QUEUE_DELETE_LOCAL, QUEUE_MODE_NEW, true, "/tmp/x", "", -1);
	unsigned r1 = queue_add(q, QUEUE_DELETE_REMOTE, QUEUE_MODE_NEW, false, "", "/y", -1);
	unsigned r2 = queue_add(q, QUEUE_DELETE_REMOTE, QUEUE_MODE_NEW, false, "", "/z", -1);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, c);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_LOCAL)->id, l);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_REMOTE)->id, r1);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_REMOTE));
	ck_assert_str_eq(queue_target(queue_find(q, l)), "/tmp/x");
	ck_assert_str_eq(queue_find(q, r1)->label, "/y");
	ck_assert(queue_is_delete(queue_find(q, r1)));
	queue_progress(q, r1, 7, -1, 0);
	queue_finish(q, r1, QUEUE_DONE, NULL);
	ck_assert_int_eq(queue_find(q, r1)->done, 7);   /* entries removed */
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_REMOTE)->id, r2);
	queue_free(q);
}
END_TEST

/* Failed jobs go back to the queue; a folder copy expanded again does
 * not add its files twice; failed jobs survive pruning until cleared. */
START_TEST(test_retry)
{
	struct queue *q = queue_new();
	unsigned d = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, true, "up", "/up", 0);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
	unsigned f1 = queue_add_found(q, d, QUEUE_UPLOAD, "up/f1", "/up/f1", 5, false);
	queue_finish(q, d, QUEUE_FAILED, "421 gone");
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, f1);
	queue_progress(q, f1, 3, -1, 10);
	queue_finish(q, f1, QUEUE_FAILED, "connection lost");
	struct queue_counts c;
	queue_counts(q, &c);
	ck_assert_uint_eq(c.failed, 2);
	queue_prune(q, 0, false);
	ck_assert_uint_eq(queue_count(q), 2);   /* failed ones stay */
	ck_assert_uint_eq(queue_retry_failed(q), 2);
	ck_assert_int_eq(state_of(q, f1), QUEUE_QUEUED);
	ck_assert_int_eq(queue_find(q, f1)->done, 0);
	ck_assert_str_eq(queue_find(q, f1)->message, "");
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
	/* The walk reports f1 again (queued already) and a new f2. */
	ck_assert_uint_eq(queue_add_found(q, d, QUEUE_UPLOAD, "up/f1", "/up/f1", 5, false), f1);
	unsigned f2 = queue_add_found(q, d, QUEUE_UPLOAD, "up/f2", "/up/f2", 6, false);
	ck_assert_uint_ne(f2, f1);
	ck_assert_uint_eq(queue_count(q), 3);
	ck_assert_uint_eq(queue_retry_failed(q), 0);
	queue_finish(q, d, QUEUE_FAILED, "again");
	queue_prune(q, 0, true);                 /* clearing takes failed ones too, */
	ck_assert_uint_eq(queue_count(q), 3);   /* but not a folder with files queued */
	queue_finish(q, queue_next(q, QUEUE_LANE_COPY)->id, QUEUE_DONE, NULL);
	queue_finish(q, queue_next(q, QUEUE_LANE_COPY)->id, QUEUE_FAILED, "no");
	queue_prune(q, 0, true);
	ck_assert_uint_eq(queue_count(q), 0);
	queue_free(q);
}
END_TEST

/* A directory copy whose listing is done stays while files of it are
 * unfinished (X names it and cancels by it), and goes with them. */
START_TEST(test_prune_keeps_busy_folder)
{
	struct queue *q = queue_new();
	unsigned d = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl", "/d", 0);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
	unsigned f1 = queue_add_found(q, d, QUEUE_DOWNLOAD, "dl/f1", "/d/f1", 1, false);
	unsigned f2 = queue_add_found(q, d, QUEUE_DOWNLOAD, "dl/f2", "/d/f2", 2, false);
	queue_finish(q, d, QUEUE_DONE, NULL);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, f1);
	queue_finish(q, f1, QUEUE_DONE, NULL);
	queue_prune(q, 0, false);
	ck_assert_uint_eq(queue_count(q), 2);   /* the folder and f2 */
	ck_assert_ptr_nonnull(queue_find(q, d));
	ck_assert_ptr_null(queue_find(q, f1));
	ck_assert_uint_eq(queue_cancel_folder(q, f2), 0);
	ck_assert_int_eq(state_of(q, f2), QUEUE_CANCELLED);
	queue_prune(q, 0, false);
	ck_assert_uint_eq(queue_count(q), 0);
	queue_free(q);
}
END_TEST

/* A connection to another server: the jobs queued for the old one that
 * touch the server fail and are not queued again; a local delete is. */
START_TEST(test_new_connection)
{
	struct queue *q = queue_new();
	unsigned run = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "a", "/a", 1);
	unsigned wait = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "b", "/b", 1);
	unsigned rdel = queue_add(q, QUEUE_DELETE_REMOTE, QUEUE_MODE_NEW, false, "", "/c", 1);
	unsigned ldel = queue_add(q, QUEUE_DELETE_LOCAL, QUEUE_MODE_NEW, false, "d", "", 1);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, run);
	queue_finish(q, run, QUEUE_FAILED, "stopped by a new connection");
	ck_assert_uint_eq(queue_new_connection(q, "not run"), 2);
	ck_assert_int_eq(state_of(q, wait), QUEUE_FAILED);
	ck_assert_str_eq(queue_find(q, wait)->message, "not run");
	ck_assert_int_eq(state_of(q, rdel), QUEUE_FAILED);
	ck_assert_int_eq(state_of(q, ldel), QUEUE_QUEUED);
	ck_assert_uint_eq(queue_stale(q), 3);
	ck_assert_uint_eq(queue_retry_failed(q), 0);
	unsigned now = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "e", "/e", 1);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, now);
	queue_finish(q, now, QUEUE_FAILED, "550");
	ck_assert_uint_eq(queue_retry_failed(q), 1);
	ck_assert_int_eq(state_of(q, now), QUEUE_QUEUED);
	ck_assert_int_eq(state_of(q, wait), QUEUE_FAILED);
	queue_free(q);
}
END_TEST

/* A top-level copy the user skipped, and the dates kept for the question. */
START_TEST(test_skip_and_dates)
{
	struct queue *q = queue_new();
	unsigned a = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "a", "/a", 10);
	queue_set_dates(q, a, 1000, 20, 2000);
	ck_assert(queue_skip(q, a));
	ck_assert(!queue_skip(q, a));
	struct queue_job *j = queue_find(q, a);
	ck_assert_int_eq(j->state, QUEUE_SKIPPED);
	ck_assert_str_eq(queue_state_name(j->state), "skipped");
	ck_assert(j->mtime == 1000 && j->target_size == 20 && j->target_mtime == 2000);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	struct queue_counts c;
	queue_counts(q, &c);
	ck_assert_uint_eq(c.skipped, 1);
	ck_assert_uint_eq(queue_active(q), 0);
	queue_free(q);
}
END_TEST

/* An entry a directory copy leaves out (a loop) is listed skipped with
 * why, its control bytes sanitised, and never runs. */
START_TEST(test_left_out)
{
	struct queue *q = queue_new();
	unsigned d = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "dl/d", "/d", 0);
	unsigned l = queue_add_left_out(q, d, QUEUE_DOWNLOAD, "dl/d/loop", "/d/loop",
					"a link back to /d\x1b, a folder above it");
	struct queue_job *j = queue_find(q, l);
	ck_assert_int_eq(j->state, QUEUE_SKIPPED);
	ck_assert_uint_eq(j->parent, d);
	ck_assert_str_eq(j->message, "a link back to /d?, a folder above it");
	queue_next(q, QUEUE_LANE_COPY);   /* the directory job */
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	queue_free(q);
}
END_TEST

/* Two slots: two copies run at once, each in its own slot; the third
 * waits until one ends, then takes the slot that came free. */
START_TEST(test_parallel_two)
{
	struct queue *q = three();
	ck_assert_uint_eq(queue_parallel(q), 1);
	queue_set_parallel(q, 2);
	ck_assert_uint_eq(queue_parallel(q), 2);
	struct queue_job *a = queue_next(q, QUEUE_LANE_COPY);
	struct queue_job *b = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(a->id, 1);
	ck_assert_uint_eq(b->id, 2);
	ck_assert_uint_eq(a->slot, 0);
	ck_assert_uint_eq(b->slot, 1);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));   /* both slots taken */
	struct queue_counts c;
	queue_counts(q, &c);
	ck_assert_uint_eq(c.running, 2);
	ck_assert_uint_eq(c.queued, 1);
	ck_assert_ptr_eq(queue_running_in(q, QUEUE_LANE_COPY, 0), a);
	ck_assert_ptr_eq(queue_running_in(q, QUEUE_LANE_COPY, 1), b);
	ck_assert_ptr_null(queue_running_in(q, QUEUE_LANE_COPY, 2));
	queue_progress(q, 1, 0, -1, 0);
	queue_progress(q, 1, 1000, -1, 1000);   /* 1000 B/s */
	queue_progress(q, 2, 0, -1, 0);
	queue_progress(q, 2, 500, -1, 1000);    /* 500 B/s */
	ck_assert(fabs(queue_total_rate(q) - 1500.0) < 1e-9);
	/* The first ends: the third starts in its slot, the second runs on. */
	queue_finish(q, 1, QUEUE_DONE, NULL);
	ck_assert(fabs(queue_total_rate(q) - 500.0) < 1e-9);
	struct queue_job *n = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(n->id, 3);
	ck_assert_uint_eq(n->slot, 0);
	ck_assert_int_eq(queue_find(q, 2)->state, QUEUE_RUNNING);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	queue_free(q);
}
END_TEST

/* Cancelling everything marks both running copies stopping (their
 * workers are asked) and the waiting one cancelled; nothing starts. */
START_TEST(test_parallel_cancel_all)
{
	struct queue *q = three();
	queue_set_parallel(q, 2);
	struct queue_job *a = queue_next(q, QUEUE_LANE_COPY);
	struct queue_job *b = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(queue_cancel_all(q), 2);
	ck_assert(a->stopping);
	ck_assert(b->stopping);
	ck_assert_int_eq(queue_find(q, 3)->state, QUEUE_CANCELLED);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	queue_finish(q, 1, QUEUE_CANCELLED, "cancelled");
	queue_finish(q, 2, QUEUE_CANCELLED, "cancelled");
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_uint_eq(queue_active(q), 0);
	queue_free(q);
}
END_TEST

/* Fewer slots while copies run: they go on, and the next one waits until
 * fewer run than the new number; the number stays within 1..MAX. */
START_TEST(test_parallel_shrink)
{
	struct queue *q = queue_new();
	for (int i = 0; i < 5; i++)
		queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "l", "/r", 10);
	queue_set_parallel(q, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->slot, (unsigned)i);
	queue_set_parallel(q, 1);
	queue_finish(q, 1, QUEUE_DONE, NULL);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));   /* two still run */
	queue_finish(q, 3, QUEUE_DONE, NULL);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));   /* one still runs (slot 1) */
	queue_finish(q, 2, QUEUE_DONE, NULL);
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_uint_eq(j->id, 4);
	ck_assert_uint_eq(j->slot, 0);
	queue_set_parallel(q, 0);
	ck_assert_uint_eq(queue_parallel(q), 1);
	queue_set_parallel(q, 1000);
	ck_assert_uint_eq(queue_parallel(q), QUEUE_PARALLEL_MAX);
	queue_free(q);
}
END_TEST

/* A held file does not take a slot: the ones after it run meanwhile, and
 * deletes keep one slot per side whatever the copies' number. */
START_TEST(test_parallel_held_and_deletes)
{
	struct queue *q = queue_new();
	unsigned dir = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "d", "/d", -1);
	queue_set_parallel(q, 4);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, dir);
	unsigned held = queue_add_found(q, dir, QUEUE_DOWNLOAD, "d/a", "/d/a", 5, true);
	unsigned free1 = queue_add_found(q, dir, QUEUE_DOWNLOAD, "d/b", "/d/b", 5, false);
	queue_add(q, QUEUE_DELETE_LOCAL, QUEUE_MODE_NEW, false, "x", "", -1);
	queue_add(q, QUEUE_DELETE_LOCAL, QUEUE_MODE_NEW, false, "y", "", -1);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, free1);
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_LOCAL));
	ck_assert_ptr_null(queue_next(q, QUEUE_LANE_LOCAL));
	ck_assert_int_eq(queue_find(q, held)->state, QUEUE_QUEUED);
	queue_free(q);
}
END_TEST

/* The number of copies at once as typed. */
static const struct {
	const char *text;
	int want;
} parallel_cases[] = {
	{ "1", 1 }, { "2", 2 }, { "8", 8 }, { "0", -1 }, { "9", -1 }, { "-1", -1 },
	{ "", -1 }, { "2x", -1 }, { " 3", 3 }, { "99999999999999999999", -1 },
};

/* A note after the end lands on a job that ended done only. */
START_TEST(test_note_done)
{
	struct queue *q = three();
	queue_next(q, QUEUE_LANE_COPY);
	queue_note_done(q, 1, "too early");
	ck_assert_str_eq(queue_find(q, 1)->message, "");
	queue_finish(q, 1, QUEUE_DONE, NULL);
	queue_note_done(q, 1, "the time was not set: 550 no\x1b[2J");
	ck_assert_int_eq(queue_find(q, 1)->state, QUEUE_DONE);
	ck_assert_str_eq(queue_find(q, 1)->message, "the time was not set: 550 no?[2J");
	queue_next(q, QUEUE_LANE_COPY);
	queue_finish(q, 2, QUEUE_FAILED, "550 nope");
	queue_note_done(q, 2, "other");
	ck_assert_str_eq(queue_find(q, 2)->message, "550 nope");
	queue_note_done(q, 99, "no such job");
	queue_free(q);
}
END_TEST

START_TEST(test_parse_parallel)
{
	ck_assert_int_eq(queue_parse_parallel(parallel_cases[_i].text), parallel_cases[_i].want);
}
END_TEST


/* ---- the queue's tallies against a count of its jobs ---- */

/* The oldest queued job of lane not held, found by looking at every job. */
static struct queue_job *scan_next(struct queue *q, enum queue_lane lane)
{
	for (size_t i = 0; i < queue_count(q); i++) {
		struct queue_job *j = queue_at(q, i);
		if (j->state == QUEUE_QUEUED && !j->held && queue_lane(j) == lane)
			return j;
	}
	return NULL;
}

/* The oldest file l/f of parent that did not fail, found by looking at
 * every job; 0 when none. */
static unsigned scan_found(struct queue *q, unsigned parent)
{
	for (size_t i = 0; i < queue_count(q); i++) {
		const struct queue_job *j = queue_at(q, i);
		if (j->parent == parent && j->state != QUEUE_FAILED &&
		    strcmp(j->local, "l/f") == 0 && strcmp(j->remote, "/r/f") == 0)
			return j->id;
	}
	return 0;
}

/* The oldest running job of lane, found by looking at every job. */
static struct queue_job *scan_running(struct queue *q, enum queue_lane lane)
{
	for (size_t i = 0; i < queue_count(q); i++) {
		struct queue_job *j = queue_at(q, i);
		if (j->state == QUEUE_RUNNING && queue_lane(j) == lane)
			return j;
	}
	return NULL;
}

/* Checks queue_counts, queue_active, queue_running, queue_running_in,
 * queue_total_rate and queue_first_queued against a look at every job;
 * pruned counts the finished jobs dropped. */
static void check_tallies(struct queue *q, size_t pruned, unsigned step)
{
	struct queue_counts c, want;
	size_t running[QUEUE_LANES] = { 0 };
	double rate = 0;
	struct queue_job *first_queued = NULL;
	memset(&want, 0, sizeof want);
	for (size_t i = 0; i < queue_count(q); i++) {
		struct queue_job *j = queue_at(q, i);
		rate += j->state == QUEUE_RUNNING ? j->rate : 0;
		if (first_queued == NULL && j->state == QUEUE_QUEUED)
			first_queued = j;
		want.queued += j->state == QUEUE_QUEUED;
		want.held += j->state == QUEUE_QUEUED && j->held;
		want.running += j->state == QUEUE_RUNNING;
		want.done += j->state != QUEUE_QUEUED && j->state != QUEUE_RUNNING;
		if (j->state == QUEUE_RUNNING) {
			running[queue_lane(j)]++;
			ck_assert_ptr_eq(queue_running_in(q, queue_lane(j), j->slot), j);
		}
	}
	queue_counts(q, &c);
	ck_assert_msg(c.queued == want.queued && c.held == want.held && c.running == want.running,
		      "step %u: queued %zu/%zu, held %zu/%zu, running %zu/%zu", step, c.queued,
		      want.queued, c.held, want.held, c.running, want.running);
	ck_assert_uint_eq(c.done + c.failed + c.cancelled + c.skipped, want.done + pruned);
	ck_assert_uint_eq(queue_active(q), want.queued + want.running);
	for (int lane = 0; lane < QUEUE_LANES; lane++) {
		ck_assert_ptr_eq(queue_running(q, (enum queue_lane)lane),
				 scan_running(q, (enum queue_lane)lane));
		for (unsigned slot = 0; slot <= QUEUE_PARALLEL_MAX; slot++) {
			struct queue_job *in = queue_running_in(q, (enum queue_lane)lane, slot);
			ck_assert(in == NULL || (in->state == QUEUE_RUNNING &&
						 queue_lane(in) == (enum queue_lane)lane && in->slot == slot));
		}
	}
	ck_assert(fabs(queue_total_rate(q) - rate) < 1e-6);
	ck_assert_ptr_eq(queue_first_queued(q), first_queued);
}

/* A long run of every kind of change, chosen by a fixed pseudo-random
 * sequence: after each one the counts are those of the jobs, and
 * queue_next hands out the job a look at every job finds, as does
 * queue_add_found for a file a retried folder copy found before. */
START_TEST(test_tallies_follow_every_change)
{
	struct queue *q = queue_new();
	unsigned seed = 12345, parent = 0;
	size_t pruned = 0, found_again = 0;
	queue_set_parallel(q, 3);
	for (unsigned step = 0; step < 4000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 8) % 100, pick = (seed >> 16) % 64;
		size_t n = queue_count(q);
		struct queue_job *j = n > 0 ? queue_at(q, pick % n) : NULL;
		enum queue_answer ans = (enum queue_answer)(pick % QUEUE_ANSWER_ASK);
		if (r < 25) {
			queue_add(q, pick % 4 == 0 ? QUEUE_DELETE_REMOTE : QUEUE_UPLOAD, QUEUE_MODE_NEW,
				  pick % 8 == 1, "l", "/r", 10);
		} else if (r < 35 && parent != 0) {
			const struct queue_job *p = queue_find(q, parent);
			unsigned want = p != NULL && p->retried ? scan_found(q, parent) : 0;
			unsigned got = queue_add_found(q, parent, QUEUE_DOWNLOAD, "l/f", "/r/f", 5,
						       pick % 2 == 0);
			ck_assert_uint_eq(got, want != 0 ? want : queue_at(q, queue_count(q) - 1)->id);
			found_again += want != 0;
		} else if (r < 38) {
			parent = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "l", "/r", -1);
		} else if (r < 55) {
			enum queue_lane lane = (enum queue_lane)(pick % QUEUE_LANES);
			struct queue_job *want = scan_next(q, lane);
			struct queue_job *got = queue_next(q, lane);
			ck_assert(got == NULL || got == want);
			if (got != NULL) {   /* a rate of its own: 1000 bytes in 1 s */
				queue_progress(q, got->id, 0, -1, 1000);
				queue_progress(q, got->id, 1000 + pick, -1, 2000);
			}
			if (got == NULL && want != NULL) {   /* only when the lane's slots are taken */
				unsigned busy = 0, slots = lane == QUEUE_LANE_COPY ? queue_parallel(q) : 1;
				for (size_t i = 0; i < queue_count(q); i++)
					busy += queue_at(q, i)->state == QUEUE_RUNNING &&
						queue_lane(queue_at(q, i)) == lane;
				ck_assert_uint_ge(busy, slots);
			}
		} else if (r < 70 && j != NULL) {
			queue_finish(q, j->id, pick % 3 == 0 ? QUEUE_FAILED : QUEUE_DONE, NULL);
		} else if (r < 74 && j != NULL) {
			queue_cancel(q, j->id);
		} else if (r < 77 && j != NULL) {
			queue_skip(q, j->id);
		} else if (r < 82 && j != NULL) {
			queue_held_answer(q, j->id, ans, pick % 5 == 0, "renamed");
		} else if (r < 85) {
			enum queue_answer a;
			struct queue_job *h = queue_held_next(q, &a);
			if (h != NULL)
				queue_held_answer(q, h->id, QUEUE_ANSWER_OVERWRITE, false, NULL);
		} else if (r < 89) {
			queue_retry_failed(q);
		} else if (r < 90) {
			queue_cancel_all(q);
		} else if (r < 91) {
			queue_new_connection(q, "another server");
		} else if (r < 95) {
			queue_prune(q, pick % 10, pick % 2 == 0);
			pruned += n - queue_count(q);
		} else if (j != NULL) {
			queue_set_parallel(q, 1 + pick % 4);
		}
		check_tallies(q, pruned, step);
	}
	ck_assert_uint_gt(found_again, 0);   /* the run met files found again */
	queue_free(q);
}
END_TEST

/* Files of a folder copy, held or not, and what is done to them before
 * and while they run: the order queue_next hands them out in. */
static const struct pick_case {
	const char *files;  /* one letter a file, in the order found: h held, r not */
	const char *steps;  /* r<i> release file i (overwrite), x<i> cancel it, s<i>
			     * skip it, "." run the next job to its end */
	const char *want;   /* the files handed out, in order (the queue run dry) */
} pick_cases[] = {
	{ "hhhr", "", "3" },            /* held first */
	{ "rrh", "", "01" },            /* held last */
	{ "hrh", "", "1" },             /* not held in the middle */
	{ "hrhrh", "", "13" },
	{ "hhh", "", "" },              /* all held */
	{ "hhr", "r1", "12" },          /* a held file released: its turn by age */
	{ "hhr", "r1r0", "012" },
	{ "hrr", ".r0", "102" },        /* released while others ran */
	{ "hhhr", ".r2", "32" },        /* released after the last ran */
	{ "rrr", "x0", "12" },          /* a file removed */
	{ "hr", "x0", "1" },            /* a held file removed */
	{ "hrhr", "x1", "3" },          /* the only free file ahead removed */
	{ "rhr", "s0", "2" },
	{ "hhr", "r0x0", "2" },         /* released, then removed */
	{ "rhrh", ".r3x2", "03" },
};

/* Runs the next copy of q to its end, checking it is the one a look at
 * every job finds, and notes its place among the n files ids in got;
 * false when none was handed out. */
static bool pick_run(struct queue *q, const unsigned *ids, size_t n, char *got)
{
	struct queue_job *want = scan_next(q, QUEUE_LANE_COPY);
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_ptr_eq(j, want);
	if (j == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ids[i] == j->id) {
			size_t len = strlen(got);
			got[len] = (char)('0' + i);
			got[len + 1] = '\0';
		}
	queue_finish(q, j->id, QUEUE_DONE, NULL);
	return true;
}

/* The files of a pick_cases row, handed out: queue_next agrees with a look
 * at every job each time, and hands out want's files in turn. */
START_TEST(test_next_skips_held)
{
	const struct pick_case *c = &pick_cases[_i];
	struct queue *q = queue_new();
	unsigned d = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "l", "/r", -1);
	unsigned ids[10];
	char got[16] = "";
	size_t n = strlen(c->files);

	ck_assert_uint_le(n, 10);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
	for (size_t i = 0; i < n; i++) {
		char name[8];
		snprintf(name, sizeof name, "f%zu", i);
		ids[i] = queue_add_found(q, d, QUEUE_DOWNLOAD, name, name, 1, c->files[i] == 'h');
	}
	queue_finish(q, d, QUEUE_DONE, NULL);
	for (const char *s = c->steps; *s != '\0'; s += *s == '.' ? 1 : 2) {
		unsigned id = *s == '.' ? 0 : ids[s[1] - '0'];
		if (*s == '.')
			ck_assert(pick_run(q, ids, n, got));
		else if (*s == 'r')
			ck_assert(queue_held_answer(q, id, QUEUE_ANSWER_OVERWRITE, false, NULL));
		else if (*s == 'x')
			queue_cancel(q, id);
		else
			ck_assert(queue_skip(q, id));
	}
	while (pick_run(q, ids, n, got))
		continue;
	ck_assert_msg(strcmp(got, c->want) == 0, "case %d (%s, %s): handed out \"%s\", want \"%s\"",
		      _i, c->files, c->steps, got, c->want);
	queue_free(q);
}
END_TEST

/* Copies that failed (they stay listed, to be retried) before the ones
 * that run, in the tests of many jobs. */
#define MANY_JOBS 40000
/* Longest time the looks at many jobs may take, in seconds (under ASan on
 * a loaded machine; a walk over every job per look takes minutes). */
#define MANY_SECS 5.0

/* Adds MANY_JOBS copies to q that fail. */
static void many_failed(struct queue *q)
{
	for (unsigned i = 0; i < MANY_JOBS; i++) {
		unsigned id = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, "f", "/f", 1);
		ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, id);
		queue_finish(q, id, QUEUE_FAILED, "550 no");
	}
}

/* How long a listing took, in ms, and how long its pane then waits to be
 * read again while jobs run: 1 s at least, else 4 times the listing's
 * time, but never more than 10 s. */
static const struct {
	long long took, want;
} gap_cases[] = {
	{ -5, 1000 },      /* a clock that went back: the floor */
	{ 0, 1000 },
	{ 100, 1000 },
	{ 250, 1000 },
	{ 251, 1004 },
	{ 1000, 4000 },
	{ 2500, 10000 },
	{ 2501, 10000 },   /* the ceiling */
	{ 30000, 10000 },  /* a listing of 30 s: not 2 minutes */
	{ 24LL * 3600 * 1000, 10000 },
};

START_TEST(test_reload_gap)
{
	ck_assert_int_eq(queue_reload_gap(gap_cases[_i].took), gap_cases[_i].want);
}
END_TEST

/* Most jobs queue_next may look at for one job it hands out. */
#define NEXT_LOOKS_MAX 2

/* Hands out the next copy of q, which must be id, and ends it; returns
 * how many jobs queue_next looked at for it. */
static size_t next_looks(struct queue *q, unsigned id)
{
	size_t before = queue_next_looks(q);
	struct queue_job *j = queue_next(q, QUEUE_LANE_COPY);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(j->id, id);
	queue_finish(q, id, QUEUE_DONE, NULL);
	return queue_next_looks(q) - before;
}

/* A folder copy whose first files are held (10 of them, or MANY_JOBS):
 * queue_next looks at no more than NEXT_LOOKS_MAX jobs to hand out each
 * file that may run, those behind the held ones, and then each held one
 * as it is released, the last first. A walk from the first queued job
 * looked at every held one each time. */
START_TEST(test_next_behind_many_held)
{
	const unsigned held[] = { 10, MANY_JOBS };
	size_t looks[2] = { 0, 0 };
	for (size_t k = 0; k < 2; k++) {
		struct queue *q = queue_new();
		unsigned d = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "l", "/r", -1);
		ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, d);
		for (unsigned i = 0; i < held[k]; i++) {
			char name[16];
			snprintf(name, sizeof name, "h%u", i);
			queue_add_found(q, d, QUEUE_DOWNLOAD, name, name, 1, true);
		}
		unsigned free1 = queue_add_found(q, d, QUEUE_DOWNLOAD, "l/a", "/r/a", 1, false);
		unsigned free2 = queue_add_found(q, d, QUEUE_DOWNLOAD, "l/b", "/r/b", 1, false);
		queue_finish(q, d, QUEUE_DONE, NULL);
		for (unsigned id = free1; id <= free2; id++) {
			size_t n = next_looks(q, id);
			ck_assert_msg(n <= NEXT_LOOKS_MAX, "%u held ahead: %zu looks", held[k], n);
			looks[k] += n;
		}
		ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
		for (unsigned id = free1 - 1; id > d; id--) {
			ck_assert(queue_held_answer(q, id, QUEUE_ANSWER_OVERWRITE, false, NULL));
			size_t n = next_looks(q, id);
			ck_assert_msg(n <= NEXT_LOOKS_MAX, "job %u released: %zu looks", id, n);
		}
		ck_assert_ptr_null(queue_next(q, QUEUE_LANE_COPY));
		queue_free(q);
	}
	ck_assert_uint_eq(looks[0], looks[1]);
}
END_TEST

/* The running jobs behind MANY_JOBS failed ones, as the screen asks for
 * them (every job's line, its worker, the total rate) MANY_JOBS times:
 * each look takes O(1). A walk from the first job each time managed
 * about 2,500 looks in 5 s under ASan (the whole run: over a minute). */
START_TEST(test_running_behind_many)
{
	struct queue *q = queue_new();
	many_failed(q);
	queue_set_parallel(q, 3);
	unsigned first = queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "u", "/u", 10);
	queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "v", "/v", 10);
	unsigned del = queue_add(q, QUEUE_DELETE_REMOTE, QUEUE_MODE_NEW, true, "", "/d", -1);
	queue_add(q, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, "w", "/w", 10);
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_COPY));
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_REMOTE));
	for (unsigned id = first; id <= first + 3; id++) {
		queue_progress(q, id, 0, -1, 1000);
		queue_progress(q, id, 500, -1, 2000);
	}
	clock_t t0 = clock();
	for (unsigned i = 0; i < MANY_JOBS; i++) {
		ck_assert_uint_eq(queue_running(q, QUEUE_LANE_COPY)->id, first);
		ck_assert_uint_eq(queue_running(q, QUEUE_LANE_REMOTE)->id, del);
		ck_assert_ptr_null(queue_running(q, QUEUE_LANE_LOCAL));
		for (unsigned slot = 0; slot < 3; slot++)
			ck_assert_ptr_nonnull(queue_running_in(q, QUEUE_LANE_COPY, slot));
		ck_assert(fabs(queue_total_rate(q) - 4 * 500.0) < 1.0);
		ck_assert_ptr_null(queue_first_queued(q));
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		ck_assert_msg(secs < MANY_SECS, "%u looks at the running jobs took %.1f s", i + 1,
			      secs);
	}
	queue_free(q);
}
END_TEST

/* A folder of a deep folder. */
#define DEEP "d/a-folder-deep-down/in-a-tree-of-folders/with-names-long-enough/" \
	"that-their-paths-take-a-while-to-compare/and-some-more-below/the-last"

/* A folder copy of MANY_JOBS files, queued again after it failed, reports
 * every file again: each is found among those listed (not added twice) in
 * O(1). A look through the queue for each found about 10,000 in 5 s
 * under ASan (all of them: over a minute). */
START_TEST(test_retried_folder_of_many)
{
	char local[256], remote[256];
	struct queue *q = queue_new();
	unsigned tree = queue_add(q, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, true, "d", "/d", -1);
	ck_assert_ptr_nonnull(queue_next(q, QUEUE_LANE_COPY));
	for (unsigned i = 0; i < MANY_JOBS; i++) {
		snprintf(local, sizeof local, DEEP "/f%05u", i);
		snprintf(remote, sizeof remote, "/" DEEP "/f%05u", i);
		ck_assert_uint_eq(queue_add_found(q, tree, QUEUE_DOWNLOAD, local, remote, 1, false),
				  tree + 1 + i);
	}
	queue_finish(q, tree, QUEUE_FAILED, "426 connection lost");
	queue_finish(q, tree + 1, QUEUE_FAILED, "426 connection lost");
	ck_assert_uint_eq(queue_retry_failed(q), 2);
	ck_assert_uint_eq(queue_next(q, QUEUE_LANE_COPY)->id, tree);
	clock_t t0 = clock();
	for (unsigned i = 0; i < MANY_JOBS; i++) {
		snprintf(local, sizeof local, DEEP "/f%05u", i);
		snprintf(remote, sizeof remote, "/" DEEP "/f%05u", i);
		ck_assert_uint_eq(queue_add_found(q, tree, QUEUE_DOWNLOAD, local, remote, 1, false),
				  tree + 1 + i);
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		ck_assert_msg(secs < MANY_SECS, "%u files found again took %.1f s", i + 1, secs);
	}
	ck_assert_uint_eq(queue_count(q), MANY_JOBS + 1);
	/* one that is new to the retry is added */
	ck_assert_uint_eq(queue_add_found(q, tree, QUEUE_DOWNLOAD, "d/new", "/d/new", 1, false),
			  tree + 1 + MANY_JOBS);
	ck_assert_uint_eq(queue_count(q), MANY_JOBS + 2);
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
	tcase_add_test(core, test_parallel_two);
	tcase_add_test(core, test_parallel_cancel_all);
	tcase_add_test(core, test_parallel_shrink);
	tcase_add_test(core, test_parallel_held_and_deletes);
	tcase_add_loop_test(core, test_parse_parallel, 0,
			    sizeof parallel_cases / sizeof parallel_cases[0]);
	tcase_add_test(core, test_progress_eta);
	tcase_add_test(core, test_cancel);
	tcase_add_loop_test(core, test_held_answer, 0,
			    (int)(sizeof held_cases / sizeof held_cases[0]));
	tcase_add_test(core, test_held_waits);
	tcase_add_test(core, test_cancel_folder);
	tcase_add_test(core, test_cancel_all);
	tcase_add_test(core, test_lanes);
	tcase_add_test(core, test_retry);
	tcase_add_test(core, test_new_connection);
	tcase_add_test(core, test_skip_and_dates);
	tcase_add_test(core, test_left_out);
	tcase_add_test(core, test_note_done);
	tcase_add_loop_test(core, test_next_skips_held, 0,
			    (int)(sizeof pick_cases / sizeof pick_cases[0]));
	tcase_add_loop_test(core, test_reload_gap, 0,
			    (int)(sizeof gap_cases / sizeof gap_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_prune);
	tcase_add_test(limits, test_prune_keeps_busy_folder);
	tcase_add_test(limits, test_zero_size);
	tcase_add_test(limits, test_tallies_follow_every_change);
	tcase_add_test(limits, test_running_behind_many);
	tcase_add_test(limits, test_next_behind_many_held);
	tcase_add_test(limits, test_retried_folder_of_many);
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
