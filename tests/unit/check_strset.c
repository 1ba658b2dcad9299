/* Unit tests for strset: the hashed set of strings the client keeps the
 * names of a copy in. */
#include "config.h"

#include "strset.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Strings added in a row, each answered on its own. */
static const struct {
	const char *str;
	bool added;   /* strset_add's answer: new or there already */
} add_cases[] = {
	{ "a.txt", true },
	{ "b.txt", true },
	{ "a.txt", false },
	{ "", true },
	{ "", false },
	{ "A.TXT", true },        /* bytewise: case counts */
	{ "a.txt ", true },
	{ "caf\xc3\xa9", true },
	{ "caf\xc3\xa9", false },
};
#define ADD_CASES (sizeof add_cases / sizeof add_cases[0])

START_TEST(test_add_says_whether_new)
{
	struct strset s;
	strset_init(&s);
	ck_assert(!strset_has(&s, "a.txt"));   /* empty, nothing allocated */
	for (size_t i = 0; i < ADD_CASES; i++) {
		ck_assert_msg(strset_add(&s, add_cases[i].str) == add_cases[i].added,
			      "case %zu (\"%s\")", i, add_cases[i].str);
		ck_assert(strset_has(&s, add_cases[i].str));
	}
	ck_assert_uint_eq(s.n, 6);
	ck_assert(!strset_has(&s, "c.txt"));
	ck_assert(!strset_has(&s, "a.tx"));
	strset_free(&s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert(!strset_has(&s, "a.txt"));
	/* Used again after strset_free. */
	ck_assert(strset_add(&s, "a.txt"));
	ck_assert(strset_has(&s, "a.txt"));
	strset_free(&s);
}
END_TEST

START_TEST(test_strings_are_copied)
{
	char buf[16];
	struct strset s;
	strset_init(&s);
	snprintf(buf, sizeof buf, "first");
	ck_assert(strset_add(&s, buf));
	snprintf(buf, sizeof buf, "second");
	ck_assert(strset_has(&s, "first"));
	ck_assert(!strset_has(&s, "second"));
	strset_free(&s);
}
END_TEST

/* Names of a big folder: every one found after the table grew many times,
 * none that was never added. */
#define MANY 100000

START_TEST(test_many_names)
{
	char name[32];
	struct strset s;
	strset_init(&s);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "file-%06d", i);
		ck_assert(strset_add(&s, name));
	}
	ck_assert_uint_eq(s.n, MANY);
	ck_assert_uint_ge(s.size, 2 * s.n);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "file-%06d", i);
		ck_assert(strset_has(&s, name));
		ck_assert(!strset_add(&s, name));
		snprintf(name, sizeof name, "file-%06d.part", i);
		ck_assert(!strset_has(&s, name));
	}
	ck_assert_uint_eq(s.n, MANY);
	strset_free(&s);
}
END_TEST

START_TEST(test_hash_is_fnv1a)
{
	/* The published FNV-1a 64-bit values (on a 64-bit size_t). */
	if (sizeof(size_t) < 8)
		return;
	ck_assert_uint_eq(strset_hash(""), (size_t)0xcbf29ce484222325ULL);
	ck_assert_uint_eq(strset_hash("a"), (size_t)0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(strset_hash("foobar"), (size_t)0x85944171f73967e8ULL);
}
END_TEST

static Suite *strset_suite(void)
{
	Suite *s = suite_create("strset");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_add_says_whether_new);
	tcase_add_test(core, test_strings_are_copied);
	tcase_add_test(core, test_hash_is_fnv1a);
	suite_add_tcase(s, core);
	TCase *limits = tcase_create("limits");
	tcase_set_timeout(limits, 60);
	tcase_add_test(limits, test_many_names);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(strset_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
