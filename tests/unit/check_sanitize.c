/* Unit tests for sanitize: what a terminal or a log gets of untrusted
 * text — controls and broken UTF-8 as '?', valid UTF-8 kept, long text
 * shortened in the middle at character boundaries, formatted text of any
 * length. */
#include "config.h"

#include "sanitize.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_controls_become_question_marks)
{
	char out[64];
	const char in[] = "a\x1b[2Jb\r\nc\x7f" "d\0e";
	sanitize_text(in, sizeof in - 1, out, sizeof out);
	ck_assert_str_eq(out, "a?[2Jb??c?d?e");
}
END_TEST

START_TEST(test_utf8_kept_broken_replaced)
{
	char out[64];
	/* é, a lone continuation byte, 0xFF, an overlong '/', a C1 control, 日 */
	const char in[] = "\xc3\xa9|\x80|\xff|\xc0\xaf|\xc2\x9b|\xe6\x97\xa5";
	sanitize_text(in, strlen(in), out, sizeof out);
	ck_assert_str_eq(out, "\xc3\xa9|?|?|??|??|\xe6\x97\xa5");
}
END_TEST

START_TEST(test_cut_at_character)
{
	char out[5];
	/* Four bytes of room: "ab" and the first two-byte é fit, the next does not. */
	sanitize_text("ab\xc3\xa9\xc3\xa9", 6, out, sizeof out);
	ck_assert_str_eq(out, "ab\xc3\xa9");
	char tiny[3];
	sanitize_text("a\xe6\x97\xa5", 4, tiny, sizeof tiny);
	ck_assert_str_eq(tiny, "a");
}
END_TEST

START_TEST(test_short_text_whole)
{
	char out[64];
	sanitize_text_elided("path: No such file", 18, out, sizeof out, 18);
	ck_assert_str_eq(out, "path: No such file");
	sanitize_text_elided("x\ty", 3, out, sizeof out, 10);
	ck_assert_str_eq(out, "x?y");
}
END_TEST

START_TEST(test_long_text_keeps_reason)
{
	char in[300], out[64];
	memset(in, 'd', 250);
	strcpy(in + 250, "/f: Permission denied");
	sanitize_text_elided(in, strlen(in), out, sizeof out, 40);
	ck_assert_uint_eq(strlen(out), 40);
	ck_assert_ptr_nonnull(strstr(out, "..."));
	ck_assert_int_eq(strncmp(out, "ddddd", 5), 0);
	ck_assert_str_eq(out + strlen(out) - 21, "/f: Permission denied");
}
END_TEST

START_TEST(test_elided_at_character_boundaries)
{
	/* 100 three-byte characters: both cuts land between characters. */
	char in[301], out[64];
	for (int i = 0; i < 100; i++)
		memcpy(in + 3 * i, "\xe6\x97\xa5", 3);
	in[300] = '\0';
	sanitize_text_elided(in, 300, out, sizeof out, 31);
	size_t len = strlen(out);
	ck_assert_uint_le(len, 31);
	char *dots = strstr(out, "...");
	ck_assert_ptr_nonnull(dots);
	ck_assert_uint_eq((size_t)(dots - out) % 3, 0);
	ck_assert_uint_eq((len - (size_t)(dots - out) - 3) % 3, 0);
}
END_TEST

START_TEST(test_output_smaller_than_max)
{
	char in[100], out[16];
	memset(in, 'a', 90);
	memcpy(in + 90, ": reason", 9);
	sanitize_text_elided(in, strlen(in), out, sizeof out, 1000);
	ck_assert_uint_eq(strlen(out), sizeof out - 1);
	ck_assert_str_eq(out + strlen(out) - 8, ": reason");
}
END_TEST

START_TEST(test_format_any_length)
{
	/* A formatted message longer than any fixed buffer keeps its end. */
	size_t n = 100000;
	char *path = malloc(n + 1);
	ck_assert_ptr_nonnull(path);
	memset(path, 'p', n);
	path[n] = '\0';
	char out[128];
	sanitize_format_elided(out, sizeof out, 60, "%s: %s (%d)", path, "refused\n", 550);
	ck_assert_uint_le(strlen(out), 60);
	ck_assert_str_eq(out + strlen(out) - 16, ": refused? (550)");
	free(path);
}
END_TEST

START_TEST(test_format_short)
{
	char out[128];
	sanitize_format_elided(out, sizeof out, 1000, "%s: more than %d levels", "a\x1b" "b", 64);
	ck_assert_str_eq(out, "a?b: more than 64 levels");
}
END_TEST

START_TEST(test_bom)
{
	ck_assert_uint_eq(sanitize_bom_len("\xef\xbb\xbfopen x", 9), 3);
	ck_assert_uint_eq(sanitize_bom_len("\xef\xbb", 2), 0);
	ck_assert_uint_eq(sanitize_bom_len("open x", 6), 0);
}
END_TEST

static Suite *sanitize_suite(void)
{
	Suite *s = suite_create("sanitize");

	TCase *text = tcase_create("text");
	tcase_add_test(text, test_controls_become_question_marks);
	tcase_add_test(text, test_utf8_kept_broken_replaced);
	tcase_add_test(text, test_cut_at_character);
	tcase_add_test(text, test_bom);
	suite_add_tcase(s, text);

	TCase *elided = tcase_create("elided");
	tcase_add_test(elided, test_short_text_whole);
	tcase_add_test(elided, test_long_text_keeps_reason);
	tcase_add_test(elided, test_elided_at_character_boundaries);
	tcase_add_test(elided, test_output_smaller_than_max);
	tcase_add_test(elided, test_format_any_length);
	tcase_add_test(elided, test_format_short);
	suite_add_tcase(s, elided);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sanitize_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
