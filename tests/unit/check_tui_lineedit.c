/* Unit tests for the text field model: readline keys on ASCII and UTF-8
 * text, a selected default that typing replaces, and the buffer limit. */
#include "config.h"

#include "lineedit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One editing case: a start text (selected or not), keys, the result. */
static const struct {
	const char *start;   /* the field's default */
	bool select;         /* selected at the start */
	const char *keys;    /* what is done: letters typed, or one of <>^$bdwuk for
			      * left, right, home, end, backspace, delete, Ctrl-W,
			      * Ctrl-U, Ctrl-K; '#' types "é" */
	const char *want;    /* the text afterwards */
	size_t cur;          /* the cursor afterwards (bytes) */
} edit_cases[] = {
	/* Typing over a selected default replaces it (the connect dialog). */
	{ "127.0.0.1", true, "ftp.example.org", "ftp.example.org", 15 },
	/* Unselected, typing appends. */
	{ "127.0.0.1", false, "9", "127.0.0.19", 10 },
	/* A movement ends the selection and keeps the text. */
	{ "name.txt", true, "$X", "name.txtX", 9 },
	{ "name.txt", true, "^X", "Xname.txt", 1 },
	{ "name.txt", true, "<X", "name.txXt", 8 },
	/* Deleting a selection deletes all of it. */
	{ "name.txt", true, "b", "", 0 },
	{ "name.txt", true, "d", "", 0 },
	{ "abc", false, "<<b", "bc", 0 },
	{ "abc", false, "^d", "bc", 0 },
	{ "abc", false, "^>d", "ac", 1 },
	{ "abc", false, "^>>>>>d", "abc", 3 },
	{ "abc", false, "^<<b", "abc", 0 },
	/* Ctrl-W: the word before the cursor, and the blanks before it. */
	{ "get some file", false, "w", "get some ", 9 },
	{ "get some file  ", false, "w", "get some ", 9 },
	{ "one two", false, "<<<w", "two", 0 },
	/* Ctrl-U and Ctrl-K. */
	{ "one two", false, "<<<u", "two", 0 },
	{ "one two", false, "<<<k", "one ", 4 },
	/* UTF-8: one key moves or deletes a whole character. */
	{ "gr\xc3\xbcn", false, "<<b", "g\xc3\xbcn", 1 },
	{ "gr\xc3\xbcn", false, "<<d", "grn", 2 },
	{ "gr\xc3\xbcn", false, "<<#", "gr\xc3\xa9\xc3\xbcn", 4 },
	{ "\xc3\xa9", false, "<>>d", "\xc3\xa9", 2 },
};

START_TEST(test_edit)
{
	char buf[64];
	struct lineedit le;
	snprintf(buf, sizeof buf, "%s", edit_cases[_i].start);
	lineedit_init(&le, buf, sizeof buf, edit_cases[_i].select);
	for (const char *k = edit_cases[_i].keys; *k; k++) {
		static const char ops[] = "<>^$bdwuk";
		const char *op = strchr(ops, *k);
		if (*k == '#')
			lineedit_insert(&le, "\xc3\xa9");
		else if (op != NULL)
			lineedit_apply(&le, (enum lineedit_op)(op - ops));
		else
			lineedit_insert(&le, (char[]){ *k, '\0' });
	}
	ck_assert_str_eq(buf, edit_cases[_i].want);
	ck_assert_uint_eq(le.len, strlen(edit_cases[_i].want));
	ck_assert_uint_eq(le.cur, edit_cases[_i].cur);
}
END_TEST

/* The field never writes past its buffer: what does not fit is refused whole. */
START_TEST(test_limit)
{
	char buf[6] = "abcd";
	struct lineedit le;
	lineedit_init(&le, buf, sizeof buf, false);
	ck_assert(lineedit_insert(&le, "e"));
	ck_assert(!lineedit_insert(&le, "f"));
	ck_assert(!lineedit_insert(&le, "\xc3\xa9"));
	ck_assert_str_eq(buf, "abcde");
	lineedit_apply(&le, LE_BACKSPACE);
	ck_assert(!lineedit_insert(&le, "\xc3\xa9"));
	ck_assert(lineedit_insert(&le, "z"));
	ck_assert_str_eq(buf, "abcdz");
	/* An empty default is never "selected". */
	char empty[4] = "";
	lineedit_init(&le, empty, sizeof empty, true);
	ck_assert(!le.selected);
}
END_TEST

static Suite *lineedit_suite(void)
{
	Suite *s = suite_create("tui_lineedit");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_edit, 0, (int)(sizeof edit_cases / sizeof edit_cases[0]));
	suite_add_tcase(s, core);
	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_limit);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lineedit_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
