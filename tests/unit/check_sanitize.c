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

/* A text of whole characters, each of the given bytes. */
static const char *const chars[] = { "a", "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80" };

START_TEST(test_binary_window_cuts_a_character)
{
	/* Character _i (1 to 4 bytes) repeated; the window ends after each
	 * byte of one of them in turn, the text going on past it. */
	const char *c = chars[_i];
	size_t w = strlen(c);
	char text[64] = "";
	for (size_t k = 0; k < 8; k++)
		strcat(text, c);
	for (size_t cut = 0; cut < w; cut++) {
		size_t window = 4 * w + cut;
		ck_assert_msg(!sanitize_binary(text, strlen(text), window),
			      "%zu-byte character, window ends %zu bytes in", w, cut);
		/* The text itself ends there. */
		ck_assert_msg(!sanitize_binary(text, window, 64),
			      "%zu-byte character, text ends %zu bytes in", w, cut);
	}
}
END_TEST

START_TEST(test_binary_bytes)
{
	static const struct {
		const char *text;
		size_t len;
		size_t window;
		bool binary;
	} cases[] = {
		{ "plain text\n", 11, 64, false },
		{ "", 0, 64, false },
		{ "\xe6\x97\xa5\xe6\x97\xa5", 6, 3, false },      /* window ends after one */
		{ "ab\0cd", 5, 64, true },                           /* NUL */
		{ "ab\0cd", 5, 2, false },                           /* NUL past the window */
		{ "ab\xff" "cd", 5, 64, true },
		{ "ab\xfe", 3, 64, true },
		{ "ab\x80", 3, 64, true },                           /* lone continuation */
		{ "ab\xc0\xaf", 4, 64, true },                       /* overlong '/' */
		{ "ab\xc1", 3, 64, true },                           /* overlong, cut */
		{ "ab\xe0\x80\xaf", 5, 64, true },                   /* overlong, 3 bytes */
		{ "ab\xe0\x80", 4, 64, true },                       /* ... cut by the end */
		{ "ab\xe0\x80", 4, 4, true },                        /* ... by the window */
		{ "ab\xf0\x80\x80\xaf", 6, 64, true },               /* overlong, 4 bytes */
		{ "ab\xf0\x8f", 4, 64, true },
		{ "ab\xed\xa0\x80", 5, 64, true },                   /* a surrogate */
		{ "ab\xf4\x90\x80\x80", 6, 64, true },               /* past U+10FFFF */
		{ "ab\xf5\x80\x80\x80", 6, 64, true },
		{ "ab\xe6\x41\x41", 5, 64, true },                   /* lead, then ASCII */
		{ "ab\xe6\x97\x41", 5, 64, true },
		{ "ab\xc2\x85" "cd", 6, 64, false },                 /* C1 NEL: text */
		{ "\xef\xbb\xbftext", 7, 64, false },                /* BOM */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(sanitize_binary(cases[i].text, cases[i].len, cases[i].window) ==
			      cases[i].binary, "case %zu", i);
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
	tcase_add_loop_test(text, test_binary_window_cuts_a_character, 0,
			    sizeof chars / sizeof chars[0]);
	tcase_add_test(text, test_binary_bytes);
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
