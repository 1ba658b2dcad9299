/* Unit tests for progress: the bar line (fits the terminal, cuts long
 * names at a character, leaves out what is unknown) and the summary. */
#include "config.h"

#include "progress.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Counts characters of UTF-8 text. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

START_TEST(test_bar_known)
{
	char out[PROGRESS_LINE_MAX];

	progress_format(out, sizeof out, 80, "d.bin", 3774874, 8388608, 12.1 * 1048576, false);
	ck_assert_msg(strncmp(out, "d.bin", 5) == 0, "%s", out);
	ck_assert_msg(strstr(out, "  45% [") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "]  3.60 MB  12.1 MB/s  ETA 0:00") != NULL, "%s", out);
	ck_assert_uint_le(chars(out), 79);
	/* The bar is filled in proportion. */
	const char *bar = strchr(out, '[') + 1;
	size_t width = (size_t)(strchr(bar, ']') - bar);
	size_t filled = strspn(bar, "=");
	ck_assert_uint_eq(filled, width * 45 / 100);
	ck_assert_int_eq(bar[filled], '>');
}
END_TEST

START_TEST(test_bar_unknown_total)
{
	char out[PROGRESS_LINE_MAX];

	progress_format(out, sizeof out, 80, "stream", 2048, -1, 1024, false);
	ck_assert_str_eq(out, "stream  2.00 KB  1.00 KB/s");
}
END_TEST

START_TEST(test_bar_done)
{
	char out[PROGRESS_LINE_MAX];

	progress_format(out, sizeof out, 80, "x", 100, 100, 50, false);
	ck_assert_msg(strstr(out, " 100% [") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "=]") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "ETA 0:00") != NULL, "%s", out);
	progress_format(out, sizeof out, 80, "empty", 0, 0, 0, false);
	ck_assert_msg(strstr(out, " 100%") != NULL, "%s", out);
}
END_TEST

/* Every width gives a line that fits; narrow ones lose the bar, then
 * the time left, then the rate. */
START_TEST(test_bar_widths)
{
	char out[PROGRESS_LINE_MAX];
	const char *name = "a-rather-long-file-name-for-the-bar.tar.gz";

	for (int w = 1; w <= 200; w++) {
		progress_format(out, sizeof out, w, name, 123456789, 987654321, 33e6, false);
		ck_assert_msg(chars(out) <= (size_t)(w > 1 ? w - 1 : 0), "width %d: %zu: %s", w,
			      chars(out), out);
		if (w >= 50)
			ck_assert_msg(strstr(out, "ETA") != NULL, "width %d: %s", w, out);
		if (w >= 60)
			ck_assert_msg(strchr(out, '[') != NULL, "width %d: %s", w, out);
		if (w >= 36)
			ck_assert_msg(strstr(out, "MB/s") != NULL, "width %d: %s", w, out);
	}
	progress_format(out, sizeof out, 200, name, 1, 2, 1, false);
	ck_assert_msg(strncmp(out, name, strlen(name)) == 0, "%s", out);
}
END_TEST

/* A long name is cut with "...", never inside a UTF-8 character. */
START_TEST(test_bar_cut_utf8)
{
	char out[PROGRESS_LINE_MAX];
	char name[200];

	for (int i = 0; i < 40; i++)
		memcpy(name + 2 * i, "\xc3\xbc", 2);   /* 40 x u-umlaut */
	name[80] = '\0';
	progress_format(out, sizeof out, 50, name, 1, 2, 1, false);
	const char *dots = strstr(out, "...");
	ck_assert_ptr_nonnull(dots);
	ck_assert_uint_eq((size_t)(dots - out) % 2, 0);
	ck_assert_uint_le(chars(out), 49);
}
END_TEST

/* A tiny buffer still gets a terminated string. */
START_TEST(test_bar_small_buffer)
{
	char out[8];
	progress_format(out, sizeof out, 80, "name.bin", 1, 2, 1, false);
	ck_assert_uint_eq(strlen(out), 7);
}
END_TEST

START_TEST(test_summary)
{
	struct progress p;
	char out[PROGRESS_LINE_MAX];

	progress_start(&p, "downloaded", "d.bin", false, 0);
	progress_update(&p, 8388608, 8388608);
	p.t_end = p.t0 + 40;
	progress_summary(&p, out, sizeof out);
	ck_assert_str_eq(out, "downloaded d.bin: 8388608 bytes in 0.04 s (200 MB/s)");
	ck_assert_int_eq(progress_moved(&p), 8388608);
}
END_TEST

/* A resumed transfer counts only what it moved; names are sanitised. */
START_TEST(test_summary_resumed)
{
	struct progress p;
	char out[PROGRESS_LINE_MAX];

	progress_start(&p, "uploaded", "a\033[2Jb", false, 1000);
	progress_update(&p, 1000 + 1048576, -1);
	p.t_end = p.t0 + 2000;
	progress_summary(&p, out, sizeof out);
	ck_assert_str_eq(out, "uploaded a?[2Jb: 1048576 bytes in 2.00 s (512 KB/s)");
}
END_TEST

/* The rate is taken over the last RATEWIN_SPAN_MS, not since the start:
 * a fast start followed by a slow stretch shows the slow rate. */
START_TEST(test_rate_window)
{
	struct ratewin w;

	ratewin_start(&w, 1000, 0);
	ck_assert(ratewin_rate(&w, 1000) == 0);
	/* 1 MB in the first second, read every 100 ms. */
	for (int i = 1; i <= 10; i++)
		ratewin_add(&w, 1000 + 100 * i, (off_t)i * 104858);
	ck_assert(ratewin_rate(&w, 2000) > 1000000.0);
	/* Then 1 KB a second for 10 s. */
	off_t done = 1048580;
	for (int i = 1; i <= 100; i++)
		ratewin_add(&w, 2000 + 100 * i, done + (off_t)i * 100);
	double r = ratewin_rate(&w, 12000);
	ck_assert_msg(r > 900.0 && r < 1100.0, "rate %f", r);
	ck_assert(!ratewin_stalled(&w, 12000));
	/* A resume offset is not counted as moved. */
	ratewin_start(&w, 0, 1 << 30);
	ratewin_add(&w, 2000, (1 << 30) + 2000);
	ck_assert(fabs(ratewin_rate(&w, 2000) - 1000.0) < 1e-9);
}
END_TEST

/* Nothing arriving: the rate falls to 0 within the span and the
 * transfer is stalled after RATEWIN_STALL_MS; bytes again end both. */
START_TEST(test_rate_stall)
{
	struct ratewin w;
	long long t = 0;
	off_t done = 0;

	ratewin_start(&w, t, done);
	for (; t < 10000; t += 100) {
		done += 4096;
		ratewin_add(&w, t + 100, done);
	}
	/* t = 10000: 40 KB/s. The engine goes on calling, with no bytes. */
	ck_assert(fabs(ratewin_rate(&w, t) - 40960.0) < 1.0);
	double before = ratewin_rate(&w, t);
	for (long long s = t + 100; s < t + RATEWIN_STALL_MS; s += 100) {
		ratewin_add(&w, s, done);
		ck_assert(ratewin_rate(&w, s) < before);
		ck_assert(!ratewin_stalled(&w, s));
	}
	ratewin_add(&w, t + RATEWIN_STALL_MS, done);
	ck_assert(ratewin_stalled(&w, t + RATEWIN_STALL_MS));
	ck_assert(ratewin_rate(&w, t + RATEWIN_SPAN_MS) == 0);
	/* With no call at all, the clock alone says so too. */
	ck_assert(ratewin_stalled(&w, t + 60000));
	ck_assert(ratewin_rate(&w, t + 60000) == 0);
	/* Bytes again. */
	t += 60000;
	ratewin_add(&w, t, done + 8192);
	ck_assert(!ratewin_stalled(&w, t));
	ck_assert(ratewin_rate(&w, t + 100) > 0);
	/* A count going down (a transfer begun again) starts over. */
	ratewin_add(&w, t + 200, 10);
	ck_assert(ratewin_rate(&w, t + 200) == 0);
	ck_assert(!ratewin_stalled(&w, t + 200));
	/* Not started: neither a rate nor a stall. */
	memset(&w, 0, sizeof w);
	ck_assert(ratewin_rate(&w, 5000) == 0);
	ck_assert(!ratewin_stalled(&w, 1000000));
}
END_TEST

/* The bar of a stalled transfer says so where the time left goes, and
 * shows the rate it is given (0); the progress keeps its window. */
START_TEST(test_bar_stalled)
{
	char out[PROGRESS_LINE_MAX];
	struct progress p;

	progress_format(out, sizeof out, 80, "s.bin", 1 << 20, 4 << 20, 0, true);
	ck_assert_msg(strstr(out, "  0 B/s  ETA " RATEWIN_STALLED) != NULL, "%s", out);
	progress_format(out, sizeof out, 80, "s.bin", 1 << 20, 4 << 20, 1024, false);
	ck_assert_msg(strstr(out, "  1.00 KB/s  ETA 51:12") != NULL, "%s", out);
	/* Every width still fits. */
	for (int w = 1; w <= 120; w++) {
		progress_format(out, sizeof out, w, "s.bin", 1 << 20, 4 << 20, 0, true);
		ck_assert_uint_le(chars(out), (size_t)(w > 1 ? w - 1 : 0));
	}
	progress_start(&p, "downloaded", "s.bin", false, 0);
	progress_note(&p, p.t0 + 1000, 40960, 4 << 20);
	ck_assert(fabs(progress_rate(&p, p.t0 + 1000) - 40960.0) < 1e-6);
	ck_assert(!progress_stalled(&p, p.t0 + 1000));
	progress_note(&p, p.t0 + 7000, 40960, 4 << 20);
	ck_assert(progress_rate(&p, p.t0 + 7000) == 0);
	ck_assert(progress_stalled(&p, p.t0 + 7000));
}
END_TEST

static Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");

	TCase *core = tcase_create("core");
	tcase_add_test(core, test_bar_known);
	tcase_add_test(core, test_bar_unknown_total);
	tcase_add_test(core, test_bar_done);
	tcase_add_test(core, test_summary);
	tcase_add_test(core, test_summary_resumed);
	tcase_add_test(core, test_rate_window);
	tcase_add_test(core, test_rate_stall);
	tcase_add_test(core, test_bar_stalled);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_bar_widths);
	tcase_add_test(limits, test_bar_cut_utf8);
	tcase_add_test(limits, test_bar_small_buffer);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(progress_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
