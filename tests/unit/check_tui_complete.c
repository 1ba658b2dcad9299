/* Unit tests for complete: Tab completion of a path from a pane's
 * listing (the common part of several names, a '/' after the only
 * directory, only the pane's own folder, UTF-8 names). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"

static struct pane *make_pane(const char *path)
{
	struct pane *p = pane_new();
	pane_load_begin(p, path, strcmp(path, "/") == 0);
	pane_load_add(p, "alpha", FTP_ENTRY_DIR, -1, 0);
	pane_load_add(p, "alpine", FTP_ENTRY_DIR, -1, 0);
	pane_load_add(p, "beta.txt", FTP_ENTRY_FILE, 3, 0);
	pane_load_add(p, "gr\xc3\xbcn dir", FTP_ENTRY_DIR, -1, 0);
	pane_load_end(p, NULL);
	return p;
}

/* Cases: the pane's path, the text typed, what Tab makes of it, how many matched. */
static const struct {
	const char *pane, *in, *out;
	size_t matched;
	const char *list;
} cases[] = {
	{ "/x/y", "al", "alp", 2, "alpha alpine " },
	{ "/x/y", "alph", "alpha/", 1, "alpha " },
	{ "/x/y", "b", "beta.txt", 1, "beta.txt " },
	{ "/x/y", "/x/y/be", "/x/y/beta.txt", 1, NULL },
	{ "/x/y/", "/x/y/be", "/x/y/beta.txt", 1, NULL },
	{ "/x/y", "gr", "gr\xc3\xbcn dir/", 1, NULL },
	{ "/x/y", "/other/al", "/other/al", 0, "" },
	{ "/x/y", "zz", "zz", 0, "" },
	{ "/x/y", "", "", 4, NULL },
	{ "/", "/al", "/alp", 2, NULL },
	{ "/x/y", "..", "..", 0, NULL },
};

START_TEST(test_complete)
{
	struct pane *p = make_pane(cases[_i].pane);
	char text[64], list[256];
	snprintf(text, sizeof text, "%s", cases[_i].in);
	size_t n = complete_path(p, text, sizeof text, list, sizeof list);
	ck_assert_msg(n == cases[_i].matched, "case %d: %zu matched", _i, n);
	ck_assert_str_eq(text, cases[_i].out);
	if (cases[_i].list != NULL)
		ck_assert_str_eq(list, cases[_i].list);
	pane_free(p);
}
END_TEST

START_TEST(test_small_buffer)
{
	struct pane *p = make_pane("/x/y");
	char text[6] = "alph";
	/* "alpha/" does not fit in 6 bytes with its NUL: left as typed. */
	ck_assert_uint_eq(complete_path(p, text, sizeof text, NULL, 0), 1);
	ck_assert_str_eq(text, "alph");
	pane_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_complete");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_complete, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_small_buffer);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
