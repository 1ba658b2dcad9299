/* Unit tests for civil: every day from 1970-01-01 to 9999-12-31 both
 * ways against a calendar counted day by day, dates before 1970, a day
 * past a month's end, and agreement with gmtime_r. */
#include "config.h"

#include "civil.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* The days of month m (1..12) of year y, from the calendar's rules. */
static long long month_days(long long y, long long m)
{
	static const long long days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Every day 1970-01-01 .. 9999-12-31: the count from the date is the
 * day's number, and the date from the count is the day's date. */
START_TEST(test_every_day_both_ways)
{
	long long y = 1970, m = 1, d = 1, n = 0;
	for (;;) {
		long long gy, gm, gd;
		civil_from_days(n, &gy, &gm, &gd);
		if (gy != y || gm != m || gd != d)
			ck_abort_msg("day %lld: %lld-%lld-%lld, want %lld-%lld-%lld",
				     n, gy, gm, gd, y, m, d);
		if (civil_to_days(y, m, d) != n)
			ck_abort_msg("%lld-%lld-%lld: day %lld, want %lld", y, m, d,
				     civil_to_days(y, m, d), n);
		if (y == 9999 && m == 12 && d == 31)
			break;
		n++;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	ck_assert_int_eq(n, 2932896);
}
END_TEST

/* Days counted back from 1969-12-31 to 1600-01-01. */
START_TEST(test_before_1970)
{
	long long y = 1969, m = 12, d = 31, n = -1;
	while (y >= 1600) {
		long long gy, gm, gd;
		civil_from_days(n, &gy, &gm, &gd);
		if (gy != y || gm != m || gd != d || civil_to_days(y, m, d) != n)
			ck_abort_msg("day %lld: %lld-%lld-%lld, want %lld-%lld-%lld",
				     n, gy, gm, gd, y, m, d);
		n--;
		if (--d < 1) {
			if (--m < 1) {
				m = 12;
				y--;
			}
			d = month_days(y, m);
		}
	}
}
END_TEST

struct known_day {
	long long y, m, d, days;
};

static const struct known_day known_days[] = {
	{ 1970, 1, 1, 0 },
	{ 1969, 12, 31, -1 },
	{ 1972, 2, 29, 789 },
	{ 2000, 2, 29, 11016 },
	{ 2000, 3, 1, 11017 },
	{ 2038, 1, 19, 24855 },
	{ 2100, 3, 1, 47541 },
	{ 9999, 12, 31, 2932896 },
	{ 0, 3, 1, -719468 },
};

START_TEST(test_known_days)
{
	const struct known_day *k = &known_days[_i];
	long long y, m, d;
	ck_assert_int_eq(civil_to_days(k->y, k->m, k->d), k->days);
	civil_from_days(k->days, &y, &m, &d);
	ck_assert_int_eq(y, k->y);
	ck_assert_int_eq(m, k->m);
	ck_assert_int_eq(d, k->d);
}
END_TEST

/* A day past the month's end counts on into the next month. */
START_TEST(test_day_past_month_end)
{
	ck_assert_int_eq(civil_to_days(2023, 2, 31), civil_to_days(2023, 3, 3));
	ck_assert_int_eq(civil_to_days(2024, 2, 30), civil_to_days(2024, 3, 1));
	ck_assert_int_eq(civil_to_days(2023, 4, 31), civil_to_days(2023, 5, 1));
	ck_assert_int_eq(civil_to_days(2023, 12, 32), civil_to_days(2024, 1, 1));
}
END_TEST

/* The same dates as gmtime_r, every 997 hours from 1970 to 9999. */
START_TEST(test_agrees_with_gmtime)
{
	for (long long t = 0; t < 253402300800LL; t += 997LL * 3600) {
		time_t tt = (time_t)t;
		struct tm tm;
		ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
		long long y, m, d;
		civil_from_days(t / 86400, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
			ck_abort_msg("t=%lld: %lld-%lld-%lld, gmtime_r %d-%d-%d", t, y, m, d,
				     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
}
END_TEST

static Suite *civil_suite(void)
{
	Suite *s = suite_create("civil");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_known_days, 0,
			    (int)(sizeof known_days / sizeof known_days[0]));
	tcase_add_test(core, test_day_past_month_end);
	tcase_add_test(core, test_agrees_with_gmtime);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_every_day_both_ways);
	tcase_add_test(limits, test_before_1970);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(civil_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
