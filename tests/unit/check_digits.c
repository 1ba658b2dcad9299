/* Unit tests for digits: the bytes printf's %ju, %jx and %jd would give,
 * at the extremes and along the powers of the base, and nothing written
 * past them. */
#include "config.h"

#include "digits.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A canary after the result shows nothing is written past it. */
#define CANARY '#'

/* got, written as n bytes after a canary fill, is want, at most max bytes
 * long, with the canary still after it. */
static void check_written(char *got, size_t n, const char *want, size_t max)
{
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_uint_le(n, max);
	ck_assert_int_eq(got[n], CANARY);
	got[n] = '\0';
	ck_assert_str_eq(got, want);
}

static void check_uint(uintmax_t v, unsigned base)
{
	char want[DIGITS_MAX + 1], got[DIGITS_MAX + 2];
	snprintf(want, sizeof want, base == 16 ? "%jx" : "%ju", v);
	memset(got, CANARY, sizeof got);
	check_written(got, digits_uint(got, v, base), want, DIGITS_MAX - 1);
}

static void check_int(intmax_t v)
{
	char want[DIGITS_MAX + 1], got[DIGITS_MAX + 2];
	snprintf(want, sizeof want, "%jd", v);
	memset(got, CANARY, sizeof got);
	check_written(got, digits_int(got, v), want, DIGITS_MAX);
}

static const uintmax_t uint_cases[] = {
	0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 4096, 65535, 1234567890,
	UINT32_MAX, (uintmax_t)UINT32_MAX + 1, INTMAX_MAX, (uintmax_t)INTMAX_MAX + 1,
	UINTMAX_MAX - 1, UINTMAX_MAX,
};

START_TEST(test_uint)
{
	check_uint(uint_cases[_i], 10);
	check_uint(uint_cases[_i], 16);
}
END_TEST

static const intmax_t int_cases[] = {
	0, 1, -1, 9, -9, 10, -10, 4096, -4096, INT32_MIN, INT32_MAX,
	INTMAX_MAX, INTMAX_MIN + 1, INTMAX_MIN,
};

START_TEST(test_int)
{
	check_int(int_cases[_i]);
}
END_TEST

/* Each power of 10 and 16, and one less: where a digit is added. */
START_TEST(test_powers)
{
	for (uintmax_t p = 1; p <= UINTMAX_MAX / 10; p *= 10) {
		check_uint(p, 10);
		check_uint(p - 1, 10);
		if (p <= INTMAX_MAX) {
			check_int((intmax_t)p);
			check_int(-(intmax_t)p);
			check_int(1 - (intmax_t)p);
		}
	}
	for (uintmax_t p = 1; p != 0; p <<= 4) {
		check_uint(p, 16);
		check_uint(p - 1, 16);
	}
}
END_TEST

static Suite *digits_suite(void)
{
	Suite *s = suite_create("digits");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_uint, 0, (int)(sizeof uint_cases / sizeof uint_cases[0]));
	tcase_add_loop_test(core, test_int, 0, (int)(sizeof int_cases / sizeof int_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_powers);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(digits_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
