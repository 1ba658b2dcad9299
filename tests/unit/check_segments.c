/* Unit tests for segments: how a file is split into ranges (covering it
 * exactly, nearly equal, never smaller than the minimum), the resume
 * state written and read back, state files that must be refused, and
 * the names of the temporary and its state. */
#include "config.h"

#include "segments.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Checks that the ranges cover [0, size) in order without gaps. */
static void assert_cover(const struct segments *s, off_t size)
{
	off_t at = 0;
	ck_assert_int_ge(s->n, 1);
	for (int i = 0; i < s->n; i++) {
		ck_assert_int_eq(s->v[i].start, at);
		ck_assert_int_ge(s->v[i].end, s->v[i].start);
		at = s->v[i].end;
	}
	ck_assert_int_eq(at, size);
}

struct split_case {
	off_t size;
	int want;
	int n;        /* ranges expected */
	off_t first;  /* length of the first */
	off_t last;   /* length of the last */
};

static const struct split_case split_cases[] = {
	{ 0, 4, 1, 0, 0 },
	{ 1000, 4, 1, 1000, 1000 },                        /* below the minimum: one range */
	{ 4 * SEGMENTS_MIN_SIZE, 4, 4, SEGMENTS_MIN_SIZE, SEGMENTS_MIN_SIZE },
	/* 4 MIN - 1 = 3 * 349525 bytes: three equal ranges */
	{ 4 * SEGMENTS_MIN_SIZE - 1, 4, 3, (4 * SEGMENTS_MIN_SIZE - 1) / 3,
	  (4 * SEGMENTS_MIN_SIZE - 1) / 3 },
	{ 4 * SEGMENTS_MIN_SIZE - 2, 4, 3, (4 * SEGMENTS_MIN_SIZE - 2) / 3 + 1,
	  (4 * SEGMENTS_MIN_SIZE - 2) / 3 },
	{ 10 * SEGMENTS_MIN_SIZE + 3, 4, 4, (10 * SEGMENTS_MIN_SIZE + 3) / 4 + 1,
	  (10 * SEGMENTS_MIN_SIZE + 3) / 4 },
	{ 1000 * SEGMENTS_MIN_SIZE, 99, SEGMENTS_MAX, 1000 * SEGMENTS_MIN_SIZE / SEGMENTS_MAX,
	  1000 * SEGMENTS_MIN_SIZE / SEGMENTS_MAX },
	{ 8 * SEGMENTS_MIN_SIZE, 0, 1, 8 * SEGMENTS_MIN_SIZE, 8 * SEGMENTS_MIN_SIZE },
	{ 8 * SEGMENTS_MIN_SIZE, 1, 1, 8 * SEGMENTS_MIN_SIZE, 8 * SEGMENTS_MIN_SIZE },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	struct segments s;

	segments_split(&s, c->size, 1234, c->want);
	assert_cover(&s, c->size);
	ck_assert_int_eq(s.n, c->n);
	ck_assert_int_eq(s.v[0].end - s.v[0].start, c->first);
	ck_assert_int_eq(s.v[s.n - 1].end - s.v[s.n - 1].start, c->last);
	ck_assert_int_eq(segments_done(&s), 0);
	ck_assert(segments_complete(&s) == (c->size == 0));
	ck_assert_int_eq(s.mtime, 1234);
}
END_TEST

START_TEST(test_progress)
{
	struct segments s;

	segments_split(&s, 4 * SEGMENTS_MIN_SIZE, 0, 4);
	s.v[0].done = SEGMENTS_MIN_SIZE;
	s.v[2].done = 10;
	ck_assert_int_eq(segments_done(&s), SEGMENTS_MIN_SIZE + 10);
	ck_assert(!segments_complete(&s));
	for (int i = 0; i < s.n; i++)
		s.v[i].done = s.v[i].end - s.v[i].start;
	ck_assert(segments_complete(&s));
	ck_assert_int_eq(segments_done(&s), 4 * SEGMENTS_MIN_SIZE);
}
END_TEST

START_TEST(test_format_parse)
{
	struct segments s, back;
	char text[4096];

	segments_split(&s, 3 * SEGMENTS_MIN_SIZE + 5, 1700000000, 3);
	s.v[1].done = 77;
	ck_assert(segments_format(&s, text, sizeof text));
	ck_assert(segments_parse(text, &back));
	ck_assert_int_eq(back.n, 3);
	ck_assert_int_eq(back.size, s.size);
	ck_assert_int_eq(back.mtime, 1700000000);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(back.v[i].start, s.v[i].start);
		ck_assert_int_eq(back.v[i].end, s.v[i].end);
		ck_assert_int_eq(back.v[i].done, s.v[i].done);
	}
	ck_assert(!segments_format(&s, text, 20));   /* does not fit */
}
END_TEST

static const char *const bad_states[] = {
	"",
	"ferry-segments 2\nsize 10 mtime 0 ranges 1\n0 10 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 9 0\n",        /* does not cover */
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 11\n",       /* done past the end */
	"ferry-segments 1\nsize 10 mtime 0 ranges 2\n0 5 0\n4 10 0\n", /* overlap */
	"ferry-segments 1\nsize 10 mtime 0 ranges 2\n0 5 0\n",         /* a range missing */
	"ferry-segments 1\nsize 10 mtime 0 ranges 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 17\n",
	"ferry-segments 1\nsize -1 mtime 0 ranges 1\n0 0 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 -1\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 0\ntrailing\n",
};

START_TEST(test_parse_refuses)
{
	struct segments s;
	ck_assert(!segments_parse(bad_states[_i], &s));
}
END_TEST

START_TEST(test_save_load)
{
	char dir[] = "/tmp/check_segments-XXXXXX";
	char path[256], tmp[256], state[256];
	struct segments s, back;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert(segments_names("/x/y/file.bin", tmp, sizeof tmp, state, sizeof state));
	ck_assert_str_eq(tmp, "/x/y/.file.bin.ferry-segments");
	ck_assert_str_eq(state, "/x/y/.file.bin.ferry-segments.state");
	ck_assert(segments_names("plain", tmp, sizeof tmp, state, sizeof state));
	ck_assert_str_eq(tmp, ".plain.ferry-segments");
	ck_assert(!segments_names("plain", tmp, 10, state, sizeof state));

	snprintf(path, sizeof path, "%s/state", dir);
	ck_assert(!segments_load(path, &back));
	segments_split(&s, 5 * SEGMENTS_MIN_SIZE, 42, 5);
	s.v[4].done = 9;
	ck_assert_int_eq(segments_save(&s, path), 0);
	ck_assert(segments_load(path, &back));
	ck_assert_int_eq(back.v[4].done, 9);
	ck_assert_int_eq(back.n, 5);
	unlink(path);
	rmdir(dir);
}
END_TEST

#define N(a) ((int)(sizeof a / sizeof a[0]))

static Suite *segments_suite(void)
{
	Suite *s = suite_create("segments");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_split, 0, N(split_cases));
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_format_parse);
	tcase_add_loop_test(tc, test_parse_refuses, 0, N(bad_states));
	tcase_add_test(tc, test_save_load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(segments_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
