/* Unit tests for the viewer's wrapped rows: a row of ASCII stepped over
 * at once starts the rows where a walk a character at a time does, on
 * text of ASCII, tabs, control and invalid bytes, UTF-8, wide characters
 * and combining marks, at many widths, a wide character or a tab's
 * blanks across a row's end included. */
#include "config.h"

#include "viewrows.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

/* Most rows a case has. */
#define ROWS_MAX 4096

/* The starts of the rows of s (len bytes) in cols columns, a row of ASCII
 * at a time (fast) or a character at a time; returns how many. */
static size_t rows_of(const char *s, size_t len, int cols, bool fast, size_t *start)
{
	struct viewrows w;
	size_t n = 0;
	viewrows_start(&w, cols);
	start[n++] = 0;
	for (size_t k = 0; k < len;) {
		bool starts;
		size_t step = fast ? viewrows_step(&w, s, len, k, &starts)
				   : viewrows_step_char(&w, s, len, k, &starts);
		ck_assert_uint_gt(step, 0);
		if (starts) {
			ck_assert_uint_lt(n, ROWS_MAX);
			start[n++] = k;
		}
		k += step;
	}
	return n;
}

/* raw as the viewer draws it: tabs as blanks, control and invalid bytes
 * as '?'. (The tabs reach a multiple of 8 bytes, not columns: the rows
 * are compared on whatever text.) Freed by the caller. */
static char *drawn(const char *raw, size_t *len)
{
	const unsigned char *r = (const unsigned char *)raw;
	size_t n = strlen(raw), o = 0;
	char *out = malloc(n * 8 + 1);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n;) {
		size_t m = r[i] < 0x80 ? 1 : sanitize_utf8_len(r + i, n - i);
		if (r[i] == '\t') {
			do
				out[o++] = ' ';
			while (o % 8 != 0);
		} else if (m == 0 || (m == 1 && (r[i] < 0x20 || r[i] == 0x7f))) {
			out[o++] = '?';
		} else {
			memcpy(out + o, raw + i, m);
			o += m;
		}
		i += m ? m : 1;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Mixed texts, as read from a file. */
static const char *const mixed[] = {
	"plain ASCII words, a row of them and more: the quick brown fox jumps over",
	"tab\tafter\tthree\tletters\tand\tfive\t\t\tend",
	"\x01\x02 controls \x1b[31m and \x7f delete, \xff\xfe invalid \xc3 cut",
	"caf\xc3\xa9 na\xc3\xafve \xce\xb1\xce\xb2\xce\xb3 \xe2\x82\xac 12",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e wide \xe6\x97\xa5" "a\xe6\x97\xa5" "ab\xe6\x97\xa5"
	"abc\xe6\x97\xa5",
	"e\xcc\x81 combining a\xcc\x81\xcc\x82 marks e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81 on",
	"x\t\xe6\x97\xa5\t\xff\ty\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5z\x03\x04\x05tail",
	"0123456789abcdefghij\xe6\x97\xa5" "0123456789abcdefghijk\xc3\xa9" "0123456789ab\xe6\x97\xa5",
	"\xf0\x9f\x98\x80 emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x80 and ascii",
};

START_TEST(test_rows_as_a_character_at_a_time)
{
	static size_t fast[ROWS_MAX], slow[ROWS_MAX];
	for (size_t c = 0; c < sizeof mixed / sizeof mixed[0]; c++) {
		/* The case repeated, and after one to seven ASCII bytes, so
		 * its characters fall at every place of a row. */
		char raw[2048];
		size_t at = 0, m = strlen(mixed[c]);
		for (size_t rep = 0; rep < 8; rep++) {
			ck_assert_uint_lt(at + rep + m, sizeof raw);
			memcpy(raw + at, "abcdefg", rep);
			memcpy(raw + at + rep, mixed[c], m);
			at += rep + m;
		}
		raw[at] = '\0';
		/* As drawn, and as read (tabs, control and invalid bytes). */
		size_t len;
		char *s = drawn(raw, &len);
		static const int widths[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 17, 31, 59, 80 };
		for (int as_read = 0; as_read < 2; as_read++) {
			const char *text = as_read ? raw : s;
			size_t n = as_read ? at : len;
			for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
				size_t nf = rows_of(text, n, widths[i], true, fast);
				size_t ns = rows_of(text, n, widths[i], false, slow);
				ck_assert_msg(nf == ns && memcmp(fast, slow, nf * sizeof *fast) == 0,
					      "case %zu%s, %d columns: %zu rows a row at a time, %zu a "
					      "character at a time", c, as_read ? " as read" : "",
					      widths[i], nf, ns);
			}
		}
		free(s);
	}
}
END_TEST

/* Rows worked out by hand: where each starts. */
static const struct {
	const char *raw;
	int cols;
	size_t starts[8];   /* ends at the first 0 after the first */
} known[] = {
	{ "abcdefghij", 4, { 0, 4, 8 } },
	/* A wide character that does not fit starts the next row. */
	{ "ab\xe6\x97\xa5" "cd", 3, { 0, 2, 6 } },
	/* Alone in a row too narrow for it, it stays. */
	{ "\xe6\x97\xa5" "a", 1, { 0, 3 } },
	/* A combining mark stays with its letter at a row's end. */
	{ "abce\xcc\x81" "f", 4, { 0, 6 } },
	/* A tab's blanks run on into the next row. */
	{ "abcdef\tgh", 7, { 0, 7 } },
	/* An invalid byte and a control one are a column each. */
	{ "ab\xff\x01" "cd", 3, { 0, 3 } },
};

START_TEST(test_rows_known)
{
	size_t start[ROWS_MAX], len;
	char *s = drawn(known[_i].raw, &len);
	for (int fast = 0; fast < 2; fast++) {
		size_t n = rows_of(s, len, known[_i].cols, fast, start);
		size_t want = 1;
		while (want < 8 && known[_i].starts[want] != 0)
			want++;
		ck_assert_uint_eq(n, want);
		for (size_t r = 0; r < n; r++)
			ck_assert_uint_eq(start[r], known[_i].starts[r]);
	}
	free(s);
}
END_TEST

static Suite *viewrows_suite(void)
{
	Suite *s = suite_create("viewrows");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_rows_as_a_character_at_a_time);
	tcase_add_loop_test(tc, test_rows_known, 0, (int)(sizeof known / sizeof known[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "en_US.UTF-8");
	SRunner *sr = srunner_create(viewrows_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
