/* Unit tests for progress: the bar line (fits the terminal, cuts long
 * names at a character, leaves out what is unknown) and the summary. */
#include "config.h"

#include "progress.h"

#include <check.h>
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

	progress_format(out, sizeof out, 80, "d.bin", 3774874, 8388608, 12.1 * 1048576);
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

	progress_format(out, sizeof out, 80, "stream", 2048, -1, 1024);
	ck_assert_str_eq(out, "stream  2.00 KB  1.00 KB/s");
}
END_TEST

START_TEST(test_bar_done)
{
	char out[PROGRESS_LINE_MAX];

	progress_format(out, sizeof out, 80, "x", 100, 100, 50);
	ck_assert_msg(strstr(out, " 100% [") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "=]") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "ETA 0:00") != NULL, "%s", out);
	progress_format(out, sizeof out, 80, "empty", 0, 0, 0);
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
		progress_format(out, sizeof out, w, name, 123456789, 987654321, 33e6);
		ck_assert_msg(chars(out) <= (size_t)(w > 1 ? w - 1 : 0), "width %d: %zu: %s", w,
			      chars(out), out);
		if (w >= 50)
			ck_assert_msg(strstr(out, "ETA") != NULL, "width %d: %s", w, out);
		if (w >= 60)
			ck_assert_msg(strchr(out, '[') != NULL, "width %d: %s", w, out);
		if (w >= 36)
			ck_assert_msg(strstr(out, "MB/s") != NULL, "width %d: %s", w, out);
	}
	progress_format(out, sizeof out, 200, name, 1, 2, 1);
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
	progress_format(out, sizeof out, 50, name, 1, 2, 1);
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
	progress_format(out, sizeof out, 80, "name.bin", 1, 2, 1);
	ck_assert_uint_eq(strlen(out), 7);
}
END_TEST

START_TEST(test_summary)
{
	struct progress p;
	char out[PROGRESS_LINE_MAX];

	progress_start(&p, "downloaded", "d.bin", false, 0);
	progress_update(&p, 8388608, 8388608, 0);
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
	progress_update(&p, 1000 + 1048576, -1, 0);
	p.t_end = p.t0 + 2000;
	progress_summary(&p, out, sizeof out);
	ck_assert_str_eq(out, "uploaded a?[2Jb: 1048576 bytes in 2.00 s (512 KB/s)");
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
