/* Unit tests for plan: which entry is copied, replaced, deleted or
 * skipped, and why, for every combination of presence, kind, size and
 * time under each comparison rule, with and without --delete, and what
 * include and exclude patterns leave out. A plan is checked as the lines
 * mirror prints: "VERB PATH (REASON)". */
#include "config.h"

#include "plan.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

#define N(a) ((int)(sizeof a / sizeof a[0]))

/* The plan as text, one "verb path (reason)" line per action. */
static char *plan_text(struct plan_tree *src, struct plan_tree *dst, const struct plan_options *o,
		       struct plan *out)
{
	struct sbuf b;
	struct plan p;

	plan_build(src, dst, o, &p);
	sbuf_init(&b, 1 << 16);
	for (size_t i = 0; i < p.n; i++)
		sbuf_printf(&b, "%s %s (%s)\n", plan_verb_name(p.v[i].verb), p.v[i].path,
			    p.v[i].reason);
	char *text = strdup(sbuf_str(&b));
	sbuf_free(&b);
	if (out != NULL)
		*out = p;
	else
		plan_free(&p);
	return text;
}

/* Adds a file with an exact time. */
static void file(struct plan_tree *t, const char *path, off_t size, time_t mtime)
{
	plan_tree_add(t, path, PLAN_FILE, size, mtime, 1, NULL);
}

static void dir(struct plan_tree *t, const char *path)
{
	plan_tree_add(t, path, PLAN_DIR, -1, 0, 1, NULL);
}

/* One file present on both sides, compared under one rule. */
struct file_case {
	enum plan_compare cmp;
	off_t ssize, dsize;
	time_t stime, dtime;
	int sprec, dprec;
	const char *shash, *dhash;
	const char *want;
	bool arrival;  /* the target's times are arrival times */
};

static const struct file_case file_cases[] = {
	/* size + time (the default) */
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1000, 1000, 1, 1, NULL, NULL, "skip f (same size and time)\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 3, 1000, 1000, 1, 1, NULL, NULL,
	  "replace f (size differs (3 -> 5 bytes))\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 2000, 1000, 1, 1, NULL, NULL,
	  "replace f (time differs (source newer))\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1000, 2000, 1, 1, NULL, NULL,
	  "replace f (time differs (source older))\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1001, 1000, 1, 1, NULL, NULL,
	  "replace f (time differs (source newer))\n", false },
	/* a listing that shows minutes cannot tell 30 s apart */
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1030, 1000, 60, 1, NULL, NULL, "skip f (same size and time)\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1060, 1000, 60, 1, NULL, NULL,
	  "replace f (time differs (source newer))\n", false },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1000, 1000 + 86399, 1, 86400, NULL, NULL,
	  "skip f (same size and time)\n", false },
	/* unknown time: size decides */
	{ PLAN_CMP_SIZE_TIME, 5, 5, 0, 1000, 1, 1, NULL, NULL, "skip f (same size and time)\n", false },
	{ PLAN_CMP_SIZE_TIME, -1, 5, 1000, 1000, 1, 1, NULL, NULL, "skip f (same size and time)\n", false },
	/* newer */
	{ PLAN_CMP_NEWER, 5, 3, 1000, 2000, 1, 1, NULL, NULL, "skip f (target not older)\n", false },
	{ PLAN_CMP_NEWER, 5, 5, 2000, 1000, 1, 1, NULL, NULL, "replace f (source newer)\n", false },
	{ PLAN_CMP_NEWER, 5, 5, 1000, 1000, 1, 1, NULL, NULL, "skip f (target not older)\n", false },
	{ PLAN_CMP_NEWER, 5, 3, 0, 1000, 1, 1, NULL, NULL,
	  "replace f (size differs (3 -> 5 bytes), times unknown)\n", false },
	/* size only */
	{ PLAN_CMP_SIZE, 5, 5, 1000, 9000, 1, 1, NULL, NULL, "skip f (same size)\n", false },
	{ PLAN_CMP_SIZE, 0, 5, 1000, 1000, 1, 1, NULL, NULL,
	  "replace f (size differs (5 -> 0 bytes))\n", false },
	/* checksum */
	{ PLAN_CMP_CHECKSUM, 5, 5, 1000, 9000, 1, 1, "ab", "ab", "skip f (same checksum)\n", false },
	{ PLAN_CMP_CHECKSUM, 5, 5, 1000, 1000, 1, 1, "ab", "cd", "replace f (checksum differs)\n", false },
	{ PLAN_CMP_CHECKSUM, 5, 4, 1000, 1000, 1, 1, "ab", "ab",
	  "replace f (size differs (4 -> 5 bytes))\n", false },
	{ PLAN_CMP_CHECKSUM, 5, 5, 1000, 1000, 1, 1, "ab", NULL,
	  "skip f (same size and time, no checksum)\n", false },
	{ PLAN_CMP_CHECKSUM, 5, 5, 2000, 1000, 1, 1, NULL, NULL,
	  "replace f (time differs (source newer), no checksum)\n", false },
	/* a target that cannot keep times: newer there is the same */
	{ PLAN_CMP_SIZE_TIME, 5, 5, 1000, 2000, 1, 1, NULL, NULL, "skip f (same size and time)\n",
	  true },
	{ PLAN_CMP_SIZE_TIME, 5, 5, 2000, 1000, 1, 1, NULL, NULL,
	  "replace f (time differs (source newer))\n", true },
	{ PLAN_CMP_SIZE_TIME, 5, 6, 1000, 2000, 1, 1, NULL, NULL,
	  "replace f (size differs (6 -> 5 bytes))\n", true },
	/* always */
	{ PLAN_CMP_ALWAYS, 5, 5, 1000, 1000, 1, 1, NULL, NULL, "replace f (exists)\n", false },
};

START_TEST(test_file_pair)
{
	const struct file_case *fc = &file_cases[_i];
	struct plan_tree s, d;
	struct plan_options o = { .compare = fc->cmp, .arrival_times = fc->arrival };
	struct plan p;

	plan_tree_init(&s);
	plan_tree_init(&d);
	plan_tree_add(&s, "f", PLAN_FILE, fc->ssize, fc->stime, fc->sprec, fc->shash);
	plan_tree_add(&d, "f", PLAN_FILE, fc->dsize, fc->dtime, fc->dprec, fc->dhash);
	char *text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text, fc->want);
	bool moves = strncmp(fc->want, "replace", 7) == 0;
	ck_assert_uint_eq(p.replaces, moves ? 1 : 0);
	ck_assert_uint_eq(p.skips, moves ? 0 : 1);
	ck_assert_int_eq(p.bytes, moves && fc->ssize > 0 ? fc->ssize : 0);
	plan_free(&p);
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* Presence: files and directories on one side only, nested. */
START_TEST(test_presence)
{
	struct plan_tree s, d;
	struct plan_options o = { 0 };
	struct plan p;

	plan_tree_init(&s);
	plan_tree_init(&d);
	dir(&s, "new");
	file(&s, "new/a", 3, 100);
	dir(&s, "new/deep");
	file(&s, "new/deep/b", 0, 100);
	file(&s, "same", 4, 100);
	dir(&d, "old");
	file(&d, "old/x", 1, 100);
	file(&d, "extra", 9, 100);
	file(&d, "same", 4, 100);
	char *text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text,
			 "skip extra (only in the target (kept without --delete))\n"
			 "copy new (missing)\n"
			 "copy new/a (missing)\n"
			 "copy new/deep (missing)\n"
			 "copy new/deep/b (missing)\n"
			 "skip old (only in the target (kept without --delete))\n"
			 "skip same (same size and time)\n");
	ck_assert_uint_eq(p.copies, 4);
	ck_assert_uint_eq(p.deletes, 0);
	ck_assert_int_eq(p.bytes, 3);
	plan_free(&p);
	free(text);

	o.delete = true;
	text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "delete extra (not in the source)\n"
			 "copy new (missing)\n"
			 "copy new/a (missing)\n"
			 "copy new/deep (missing)\n"
			 "copy new/deep/b (missing)\n"
			 "delete old (not in the source)\n"
			 "skip same (same size and time)\n");
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* A directory's contents follow it before a sibling whose name sorts
 * between ("a b" after "a/z"), so directories are made before their files. */
START_TEST(test_order)
{
	struct plan_tree s, d;
	struct plan_options o = { 0 };

	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&s, "a b", 1, 1);
	file(&s, "a/z", 1, 1);
	dir(&s, "a");
	file(&s, "a-c", 1, 1);
	char *text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text, "copy a (missing)\ncopy a/z (missing)\ncopy a b (missing)\n"
			 "copy a-c (missing)\n");
	ck_assert_int_lt(plan_path_cmp("a/z", "a b"), 0);
	ck_assert_int_lt(plan_path_cmp("a", "a/z"), 0);
	ck_assert_int_eq(plan_path_cmp("x/y", "x/y"), 0);
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* A file where the target has a directory, and a directory where it has
 * a file: left alone without --delete, swapped with it. */
START_TEST(test_kind_conflicts)
{
	struct plan_tree s, d;
	struct plan_options o = { 0 };

	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&s, "f", 2, 1);
	dir(&s, "g");
	file(&s, "g/in", 1, 1);
	dir(&d, "f");
	file(&d, "f/old", 1, 1);
	file(&d, "g", 5, 1);
	char *text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "skip f (a directory on the target is in the way (use --delete))\n"
			 "skip g (a file on the target is in the way (use --delete))\n");
	free(text);
	o.delete = true;
	text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "delete f (a directory is in the way of a file)\n"
			 "copy f (replaces a directory)\n"
			 "delete g (a file is in the way of a directory)\n"
			 "copy g (replaces a file)\n"
			 "copy g/in (missing)\n");
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* Links and devices are never copied; a link in the target is in the way
 * of a file. */
START_TEST(test_other_kinds)
{
	struct plan_tree s, d;
	struct plan_options o = { .delete = true };

	plan_tree_init(&s);
	plan_tree_init(&d);
	plan_tree_add(&s, "link", PLAN_OTHER, 10, 1, 1, NULL);
	plan_tree_add(&s, "both", PLAN_OTHER, 10, 1, 1, NULL);
	file(&d, "both", 3, 1);
	file(&s, "f", 1, 1);
	plan_tree_add(&d, "f", PLAN_OTHER, 10, 1, 1, NULL);
	char *text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "skip both (not a file or directory)\n"
			 "delete f (not a file or directory is in the way of a file)\n"
			 "copy f (replaces not a file or directory)\n"
			 "skip link (not a file or directory)\n");
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* An entry whose tree says what it is is named so in every reason. */
START_TEST(test_other_kinds_named)
{
	struct plan_tree s, d;
	struct plan_options o = { .delete = true };

	plan_tree_init(&s);
	plan_tree_init(&d);
	plan_entry_set_what(plan_tree_add(&s, "loop", PLAN_OTHER, -1, 1, 1, NULL),
			    "a link back to top, a folder above it");
	struct plan_entry *ln = plan_tree_add(&s, "ln", PLAN_OTHER, 4, 1, 1, NULL);
	plan_entry_set_what(ln, "a link");
	plan_entry_set_what(ln, "a symbolic link");   /* said again: the last word counts */
	plan_tree_add(&s, "dev", PLAN_OTHER, 0, 1, 1, NULL);
	file(&s, "f", 1, 1);
	plan_entry_set_what(plan_tree_add(&d, "f", PLAN_OTHER, 10, 1, 1, NULL), "a symbolic link");
	char *text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "skip dev (not a file or directory)\n"
			 "delete f (a symbolic link is in the way of a file)\n"
			 "copy f (replaces a symbolic link)\n"
			 "skip ln (a symbolic link)\n"
			 "skip loop (a link back to top, a folder above it)\n");
	free(text);
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* Frees a test's plan text, plan and two trees. */
static void plan_done(char *text, struct plan *p, struct plan_tree *s, struct plan_tree *d)
{
	free(text);
	plan_free(p);
	plan_tree_free(s);
	plan_tree_free(d);
}

/* A tree whose listing was not whole (on either side) lets --delete
 * delete nothing: what would go is kept, saying why, and the plan says
 * deletes were held back; copies go on. */
START_TEST(test_incomplete_listing_deletes_nothing)
{
	struct plan_tree s, d;
	struct plan p;
	struct plan_options o = { .delete = true };

	for (int side = 0; side < 2; side++) {
		plan_tree_init(&s);
		plan_tree_init(&d);
		file(&s, "new", 1, 1);
		plan_tree_add(&s, "x", PLAN_DIR, -1, 1, 1, NULL);
		file(&d, "extra", 1, 1);
		file(&d, "x", 1, 1);
		plan_tree_set_incomplete(side == 0 ? &s : &d, "sub dir");
		plan_tree_set_incomplete(side == 0 ? &s : &d, "later");   /* the first counts */
		char *text = plan_text(&s, &d, &o, &p);
		ck_assert_str_eq(text,
				 "skip extra (kept: the listing of sub dir was not whole)\n"
				 "copy new (missing)\n"
				 "skip x (a file on the target is in the way; kept: the listing "
				 "of sub dir was not whole)\n");
		ck_assert_str_eq(p.withheld, "the listing of sub dir was not whole");
		ck_assert_uint_eq(p.deletes, 0);
		plan_done(text, &p, &s, &d);
	}
	/* Without --delete nothing is held back. */
	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&d, "extra", 1, 1);
	plan_tree_set_incomplete(&s, "");
	o.delete = false;
	char *text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text, "skip extra (only in the target (kept without --delete))\n");
	ck_assert_str_eq(p.withheld, "");
	plan_done(text, &p, &s, &d);
}
END_TEST

/* A directory not read at all (left out) holds deletes back the same
 * way, saying so; the first directory to make a tree incomplete names
 * the reason, whichever kind it was. */
START_TEST(test_unread_directory_deletes_nothing)
{
	struct plan_tree s, d;
	struct plan p;
	struct plan_options o = { .delete = true };

	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&d, "extra", 1, 1);
	plan_tree_set_unread(&s, "src/locked");
	plan_tree_set_incomplete(&s, "src/later");
	char *text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text, "skip extra (kept: src/locked could not be read)\n");
	ck_assert_str_eq(p.withheld, "src/locked could not be read");
	ck_assert(p.withheld_unread);
	plan_done(text, &p, &s, &d);

	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&s, "extra", 1, 1);
	plan_tree_set_incomplete(&d, "sub");
	plan_tree_set_unread(&d, "sub/locked");
	text = plan_text(&d, &s, &o, &p);
	ck_assert_str_eq(p.withheld, "the listing of sub was not whole");
	ck_assert(!p.withheld_unread);
	plan_done(text, &p, &s, &d);
}
END_TEST

/* Exclude drops on both sides (never deleted), a directory with its
 * contents; include limits files only; '/' patterns see the whole path. */
START_TEST(test_patterns)
{
	struct plan_tree s, d;
	const char *inc[] = { "*.txt" };
	const char *exc[] = { "tmp", "keep/*.log" };
	struct plan_options o = { .delete = true, .include = inc, .ninclude = 1,
				  .exclude = exc, .nexclude = 2 };

	plan_tree_init(&s);
	plan_tree_init(&d);
	file(&s, "a.txt", 1, 1);
	file(&s, "b.bin", 1, 1);
	dir(&s, "tmp");
	file(&s, "tmp/c.txt", 1, 1);
	dir(&s, "keep");
	file(&s, "keep/d.txt", 1, 1);
	file(&s, "keep/e.log", 1, 1);
	dir(&d, "tmp");
	file(&d, "tmp/old.txt", 1, 1);
	dir(&d, "keep");
	file(&d, "keep/x.log", 1, 1);
	file(&d, "keep/y.txt", 1, 1);
	file(&d, "z.bin", 1, 1);
	char *text = plan_text(&s, &d, &o, NULL);
	ck_assert_str_eq(text,
			 "copy a.txt (missing)\n"
			 "copy keep/d.txt (missing)\n"
			 "delete keep/y.txt (not in the source)\n");
	free(text);
	ck_assert(plan_filtered(&o, "tmp", PLAN_DIR));
	ck_assert(!plan_filtered(&o, "other", PLAN_DIR));
	ck_assert(plan_filtered(&o, "q/r.bin", PLAN_FILE));
	ck_assert(!plan_filtered(&o, "q/r.txt", PLAN_FILE));
	ck_assert(plan_filtered(&o, "keep/r.log", PLAN_FILE));
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* Two empty trees and two equal trees: nothing to do. */
START_TEST(test_nothing_to_do)
{
	struct plan_tree s, d;
	struct plan_options o = { .delete = true };
	struct plan p;

	plan_tree_init(&s);
	plan_tree_init(&d);
	char *text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text, "");
	ck_assert_uint_eq(p.n, 0);
	plan_free(&p);
	free(text);
	dir(&s, "d");
	file(&s, "d/f", 7, 50);
	file(&d, "d/f", 7, 50);
	dir(&d, "d");
	text = plan_text(&s, &d, &o, &p);
	ck_assert_str_eq(text, "skip d/f (same size and time)\n");
	ck_assert_uint_eq(p.copies + p.replaces + p.deletes, 0);
	plan_free(&p);
	free(text);
	ck_assert_ptr_nonnull(plan_tree_find(&s, "d/f"));
	ck_assert_ptr_null(plan_tree_find(&s, "d/g"));
	plan_tree_free(&s);
	plan_tree_free(&d);
}
END_TEST

/* plan_tree_find finds every entry of a tree built in any order (names
 * that sort differently in plan order than by strcmp among them), also
 * ones added after a find, and nothing for a name not in it. */
START_TEST(test_find)
{
	static const char *const names[] = { "a/z", "a b", "a", "a-b", "a/b/c", "z", "a/b", "" };
	struct plan_tree t;

	plan_tree_init(&t);
	for (int i = 0; i < N(names); i++)
		file(&t, names[i], i, 0);
	for (int i = 0; i < N(names); i++) {
		const struct plan_entry *e = plan_tree_find(&t, names[i]);
		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e->path, names[i]);
		ck_assert_int_eq(e->size, i);
	}
	ck_assert_ptr_null(plan_tree_find(&t, "a/"));
	ck_assert_ptr_null(plan_tree_find(&t, "a/b/c/d"));
	ck_assert_ptr_null(plan_tree_find(&t, "b"));
	file(&t, "a/a", 42, 0);
	file(&t, "0", 43, 0);
	file(&t, "1", 44, 0);
	plan_tree_drop_last(&t);
	ck_assert_int_eq(plan_tree_find(&t, "a/a")->size, 42);
	ck_assert_int_eq(plan_tree_find(&t, "0")->size, 43);
	ck_assert_ptr_null(plan_tree_find(&t, "1"));
	for (int i = 0; i < N(names); i++)
		ck_assert_int_eq(plan_tree_find(&t, names[i])->size, i);
	plan_tree_free(&t);
	ck_assert_ptr_null(plan_tree_find(&t, "a"));
}
END_TEST

/* The screen's compare: missing, newer and different on each side. */
START_TEST(test_marks)
{
	struct plan_tree l, r;
	enum plan_mark ml[8], mr[8];
	static const char *const names[] = { "none", "missing", "newer", "different" };

	plan_tree_init(&l);
	plan_tree_init(&r);
	file(&l, "only-left", 1, 100);
	file(&l, "same", 5, 100);
	file(&l, "newer-left", 5, 200);
	file(&l, "newer-right", 5, 100);
	file(&l, "size", 5, 100);
	dir(&l, "dir");
	dir(&l, "kind");
	file(&r, "same", 5, 100);
	file(&r, "newer-left", 9, 100);
	file(&r, "newer-right", 5, 300);
	file(&r, "size", 6, 100);
	file(&r, "kind", 1, 100);
	dir(&r, "dir");
	file(&r, "only-right", 1, 100);
	plan_marks(&l, &r, ml, mr);
	struct sbuf b;
	sbuf_init(&b, 4096);
	for (size_t i = 0; i < l.n; i++)
		sbuf_printf(&b, "L %s %s\n", l.v[i].path, names[ml[i]]);
	for (size_t i = 0; i < r.n; i++)
		sbuf_printf(&b, "R %s %s\n", r.v[i].path, names[mr[i]]);
	ck_assert_str_eq(sbuf_str(&b),
			 "L dir none\nL kind different\nL newer-left newer\nL newer-right none\n"
			 "L only-left missing\nL same none\nL size different\n"
			 "R dir none\nR kind different\nR newer-left none\nR newer-right newer\n"
			 "R only-right missing\nR same none\nR size different\n");
	sbuf_free(&b);
	plan_tree_free(&l);
	plan_tree_free(&r);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_file_pair, 0, N(file_cases));
	tcase_add_test(tc, test_presence);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_kind_conflicts);
	tcase_add_test(tc, test_other_kinds);
	tcase_add_test(tc, test_other_kinds_named);
	tcase_add_test(tc, test_incomplete_listing_deletes_nothing);
	tcase_add_test(tc, test_unread_directory_deletes_nothing);
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_nothing_to_do);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_marks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
