/* Unit tests for human: sizes in MB, sizes and rates in fitting units,
 * durations and times left. */
#include "config.h"

#include "human.h"

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	off_t bytes;
	const char *want;
} mb_cases[] = {
	{ 0, "0.00 MB" },
	{ 3145733, "3.00 MB" },
	{ 1048576, "1.00 MB" },
	{ 1572864, "1.50 MB" },
	{ 5000, "0.00 MB" },
	{ 10485760, "10.00 MB" },
	{ (off_t)1 << 40, "1048576.00 MB" },
};

START_TEST(test_mb)
{
	char out[HUMAN_BUF];
	ck_assert_str_eq(human_mb(mb_cases[_i].bytes, out, sizeof out), mb_cases[_i].want);
}
END_TEST

static const struct {
	off_t bytes;
	const char *want;
} size_cases[] = {
	{ 0, "0 B" },
	{ 1, "1 B" },
	{ 999, "999 B" },
	{ 1000, "0.98 KB" },
	{ 1024, "1.00 KB" },
	{ 1536, "1.50 KB" },
	{ 10240, "10.0 KB" },
	{ 102400, "100 KB" },
	{ 1048576, "1.00 MB" },
	{ 8388608, "8.00 MB" },
	{ 209715200, "200 MB" },
	{ (off_t)6 << 30, "6.00 GB" },
	{ (off_t)3 << 40, "3.00 TB" },
	{ -5, "0 B" },
};

START_TEST(test_size)
{
	char out[HUMAN_BUF];
	ck_assert_str_eq(human_size(size_cases[_i].bytes, out, sizeof out), size_cases[_i].want);
}
END_TEST

static const struct {
	double rate;
	const char *want;
} rate_cases[] = {
	{ 0, "0 B/s" },
	{ 146.3, "146 B/s" },
	{ 1024, "1.00 KB/s" },
	{ 12.1 * 1048576, "12.1 MB/s" },
	{ 8388608 / 0.04, "200 MB/s" },
	{ 2.5 * 1073741824.0, "2.50 GB/s" },
	{ -1, "0 B/s" },
	{ NAN, "0 B/s" },
	{ INFINITY, "0 B/s" },
};

START_TEST(test_rate)
{
	char out[HUMAN_BUF];
	ck_assert_str_eq(human_rate(rate_cases[_i].rate, out, sizeof out), rate_cases[_i].want);
}
END_TEST

static const struct {
	double secs;
	const char *want;
} seconds_cases[] = {
	{ 0, "0.00 s" },
	{ 0.04, "0.04 s" },
	{ 12.5, "12.50 s" },
	{ 99.99, "99.99 s" },
	{ 250.4, "250 s" },
	{ -3, "0.00 s" },
};

START_TEST(test_seconds)
{
	char out[HUMAN_BUF];
	ck_assert_str_eq(human_seconds(seconds_cases[_i].secs, out, sizeof out),
			 seconds_cases[_i].want);
}
END_TEST

static const struct {
	double secs;
	const char *want;
} eta_cases[] = {
	{ 0, "0:00" },
	{ 3.4, "0:03" },
	{ 59.6, "1:00" },
	{ 62, "1:02" },
	{ 3599, "59:59" },
	{ 3600, "1:00:00" },
	{ 3723, "1:02:03" },
	{ 99 * 3600, "99:00:00" },
	{ 99 * 3600 + 1, "--:--" },
	{ -1, "--:--" },
	{ NAN, "--:--" },
	{ INFINITY, "--:--" },
};

START_TEST(test_eta)
{
	char out[HUMAN_BUF];
	ck_assert_str_eq(human_eta(eta_cases[_i].secs, out, sizeof out), eta_cases[_i].want);
}
END_TEST

/* Small buffers get a truncated, terminated string. */
static const struct {
	const char *text;
	bool ok;
	off_t bytes;
	const char *shown;
} parse_cases[] = {
	{ "0", true, 0, "0" },
	{ "1000", true, 1000, "1000" },
	{ "512K", true, 524288, "512K" },
	{ "512k", true, 524288, "512K" },
	{ "512KB", true, 524288, "512K" },
	{ "1.5M", true, 1572864, "1536K" },
	{ "2m", true, 2097152, "2M" },
	{ "1G", true, 1073741824, "1G" },
	{ "1024", true, 1024, "1K" },
	{ "", false, 0, NULL },
	{ "K", false, 0, NULL },
	{ "-1", false, 0, NULL },
	{ "5 K", false, 0, NULL },
	{ "5X", false, 0, NULL },
	{ "5KBB", false, 0, NULL },
	{ "1e3", false, 0, NULL },
	{ "99999999999G", false, 0, NULL },
};

START_TEST(test_parse_size)
{
	off_t got = -7;
	char out[HUMAN_BUF];
	bool ok = human_parse_size(parse_cases[_i].text, &got);
	ck_assert_msg(ok == parse_cases[_i].ok, "\"%s\"", parse_cases[_i].text);
	if (!ok) {
		ck_assert_int_eq(got, -7);
		return;
	}
	ck_assert_int_eq(got, parse_cases[_i].bytes);
	ck_assert_str_eq(human_format_size(got, out, sizeof out), parse_cases[_i].shown);
}
END_TEST

/* Whole numbers within bounds, as options and fields take them. */
static const struct {
	const char *text;
	int lo, hi, want;
} count_cases[] = {
	{ "0", 0, 100, 0 }, { "100", 0, 100, 100 }, { "101", 0, 100, -1 }, { "-1", 0, 100, -1 },
	{ "1", 1, 8, 1 }, { "8", 1, 8, 8 }, { "0", 1, 8, -1 }, { "", 1, 8, -1 }, { "3x", 1, 8, -1 },
	{ "3.0", 1, 8, -1 }, { "99999999999999999999", 0, 100, -1 }, { "x", 0, 100, -1 },
};

START_TEST(test_parse_count)
{
	ck_assert_int_eq(human_parse_count(count_cases[_i].text, count_cases[_i].lo,
					   count_cases[_i].hi), count_cases[_i].want);
}
END_TEST

START_TEST(test_small_buffer)
{
	char out[4];
	memset(out, 'Z', sizeof out);
	human_size(8388608, out, sizeof out);
	ck_assert_str_eq(out, "8.0");
	human_eta(3723, out, 1);
	ck_assert_str_eq(out, "");
}
END_TEST

static Suite *human_suite(void)
{
	Suite *s = suite_create("human");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_mb, 0, (int)(sizeof mb_cases / sizeof mb_cases[0]));
	tcase_add_loop_test(core, test_size, 0, (int)(sizeof size_cases / sizeof size_cases[0]));
	tcase_add_loop_test(core, test_rate, 0, (int)(sizeof rate_cases / sizeof rate_cases[0]));
	tcase_add_loop_test(core, test_seconds, 0,
			    (int)(sizeof seconds_cases / sizeof seconds_cases[0]));
	tcase_add_loop_test(core, test_eta, 0, (int)(sizeof eta_cases / sizeof eta_cases[0]));
	tcase_add_loop_test(core, test_parse_count, 0,
			    (int)(sizeof count_cases / sizeof count_cases[0]));
	tcase_add_loop_test(core, test_parse_size, 0,
			    (int)(sizeof parse_cases / sizeof parse_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_small_buffer);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(human_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
