/* Unit tests for the TUI pane model: loading, sort (dirs first, ".." on
 * top), cursor and scroll, filter, hidden switch, tags across reloads,
 * and a 100,000-entry folder. */
#include "config.h"

#include "pane.h"

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A small folder used by most cases. */
static const struct {
	const char *name;
	enum ftp_entry_type type;
	off_t size;
	time_t mtime;
} sample[] = {
	{ "beta.txt", FTP_ENTRY_FILE, 300, 1000 },
	{ "Alpha.txt", FTP_ENTRY_FILE, 100, 3000 },
	{ "docs", FTP_ENTRY_DIR, 4096, 2000 },
	{ ".hidden", FTP_ENTRY_FILE, 5, 500 },
	{ "gamma.bin", FTP_ENTRY_FILE, 200, 2500 },
	{ "src", FTP_ENTRY_DIR, 4096, 100 },
	{ "bad\x1b[31mname", FTP_ENTRY_FILE, 1, 1 },
};
#define NSAMPLE (sizeof sample / sizeof sample[0])

/* Loads the sample into a new pane at /pub (not the root). */
static struct pane *sample_pane(void)
{
	struct pane *p = pane_new();
	pane_load_begin(p, "/pub", false);
	for (size_t i = 0; i < NSAMPLE; i++)
		pane_load_add(p, sample[i].name, sample[i].type, sample[i].size, sample[i].mtime);
	pane_load_end(p, NULL);
	return p;
}

/* Joins the display names of the visible rows with ','. */
static void rows_str(const struct pane *p, char *out, size_t outsz)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < pane_rows(p); i++) {
		int n = snprintf(out + len, outsz - len, "%s%s", i ? "," : "",
				 pane_row(p, i)->display);
		if (n < 0 || (size_t)n >= outsz - len)
			break;
		len += (size_t)n;
	}
}

static const struct {
	enum pane_sort mode;
	bool reverse;
	const char *want;
} sort_cases[] = {
	{ PANE_SORT_NAME, false, "..,docs,src,Alpha.txt,bad?[31mname,beta.txt,gamma.bin" },
	{ PANE_SORT_NAME, true, "..,src,docs,gamma.bin,beta.txt,bad?[31mname,Alpha.txt" },
	/* By extension: none first, then bin, then txt (by name within). */
	{ PANE_SORT_EXT, false, "..,docs,src,bad?[31mname,gamma.bin,Alpha.txt,beta.txt" },
	{ PANE_SORT_EXT, true, "..,src,docs,beta.txt,Alpha.txt,gamma.bin,bad?[31mname" },
	{ PANE_SORT_SIZE, false, "..,docs,src,beta.txt,gamma.bin,Alpha.txt,bad?[31mname" },
	{ PANE_SORT_DATE, false, "..,docs,src,Alpha.txt,gamma.bin,beta.txt,bad?[31mname" },
	{ PANE_SORT_DATE, true, "..,src,docs,bad?[31mname,beta.txt,gamma.bin,Alpha.txt" },
};

START_TEST(test_sort)
{
	char got[512];
	struct pane *p = sample_pane();
	pane_set_sort(p, sort_cases[_i].mode, sort_cases[_i].reverse);
	rows_str(p, got, sizeof got);
	ck_assert_str_eq(got, sort_cases[_i].want);
	pane_free(p);
}
END_TEST

START_TEST(test_sort_keeps_cursor)
{
	struct pane *p = sample_pane();
	pane_move(p, 4);
	ck_assert_str_eq(pane_current(p)->name, "bad\x1b[31mname");
	pane_cycle_sort(p);
	ck_assert_int_eq(pane_sort_mode(p), PANE_SORT_EXT);
	ck_assert_str_eq(pane_current(p)->name, "bad\x1b[31mname");
	ck_assert_uint_eq(pane_cursor(p), 3);
	pane_cycle_sort(p);
	ck_assert_int_eq(pane_sort_mode(p), PANE_SORT_SIZE);
	ck_assert_str_eq(pane_current(p)->name, "bad\x1b[31mname");
	ck_assert_uint_eq(pane_cursor(p), 6);
	/* Reversing keeps the mode and the cursor's entry. */
	pane_reverse_sort(p);
	ck_assert(pane_sort_reverse(p));
	ck_assert_int_eq(pane_sort_mode(p), PANE_SORT_SIZE);
	ck_assert_str_eq(pane_current(p)->name, "bad\x1b[31mname");
	ck_assert_uint_eq(pane_cursor(p), 3);
	pane_reverse_sort(p);
	ck_assert(!pane_sort_reverse(p));
	pane_cycle_sort(p);
	pane_cycle_sort(p);
	ck_assert_int_eq(pane_sort_mode(p), PANE_SORT_NAME);
	ck_assert_str_eq(pane_sort_name(PANE_SORT_EXT), "ext");
	ck_assert_str_eq(pane_sort_name(PANE_SORT_DATE), "date");
	pane_free(p);
}
END_TEST

static const struct {
	long move;
	size_t want;
} move_cases[] = {
	{ 0, 0 }, { 1, 1 }, { 6, 6 }, { 7, 6 }, { 1000, 6 }, { -1, 0 }, { -1000, 0 },
};

START_TEST(test_move)
{
	struct pane *p = sample_pane();
	pane_move(p, move_cases[_i].move);
	ck_assert_uint_eq(pane_cursor(p), move_cases[_i].want);
	pane_free(p);
}
END_TEST

START_TEST(test_page_home_end)
{
	struct pane *p = sample_pane();
	pane_page(p, 1, 4);
	ck_assert_uint_eq(pane_cursor(p), 3);
	pane_page(p, 1, 4);
	ck_assert_uint_eq(pane_cursor(p), 6);
	pane_page(p, -1, 4);
	ck_assert_uint_eq(pane_cursor(p), 3);
	pane_end(p);
	ck_assert_uint_eq(pane_cursor(p), 6);
	pane_home(p);
	ck_assert_uint_eq(pane_cursor(p), 0);
	pane_free(p);
}
END_TEST

START_TEST(test_scroll)
{
	struct pane *p = sample_pane();
	ck_assert_uint_eq(pane_scroll(p, 3), 0);
	pane_move(p, 2);
	ck_assert_uint_eq(pane_scroll(p, 3), 0);
	pane_move(p, 1);
	ck_assert_uint_eq(pane_scroll(p, 3), 1);
	pane_end(p);
	ck_assert_uint_eq(pane_scroll(p, 3), 4);
	pane_move(p, -1);
	ck_assert_uint_eq(pane_scroll(p, 3), 4);
	pane_home(p);
	ck_assert_uint_eq(pane_scroll(p, 3), 0);
	ck_assert_uint_eq(pane_scroll(p, 100), 0);
	pane_end(p);
	ck_assert_uint_eq(pane_scroll(p, 0), 6);
	pane_free(p);
}
END_TEST

static const struct {
	const char *filter;
	size_t rows;
	const char *first;
} filter_cases[] = {
	{ "", 10, ".." },
	{ "a", 4, "Alpha.txt" },
	{ "TXT", 4, "Alpha.txt" },
	{ "doc", 1, "docs" },
	{ "hidden", 0, NULL },
	{ "zzz", 0, NULL },
	{ "[31m", 1, "bad\x1b[31mname" },
	/* Case folds beyond ASCII. */
	{ "GR\xc3\x9c", 2, "Gr\xc3\xbcn-Tee" },
	{ "gr\xc3\xbcn", 2, "Gr\xc3\xbcn-Tee" },
	{ "\xc5\xbc\xc3\x93\xc5\x81W", 1, "\xc5\xbc\xc3\xb3\xc5\x82w.txt" },
	{ "GRUN", 0, NULL },
};

START_TEST(test_filter)
{
	/* The names folded by the filter beyond ASCII. */
	static const char *const extra[] = { "Gr\xc3\xbcn-Tee", "gr\xc3\xbcn.txt",
					     "\xc5\xbc\xc3\xb3\xc5\x82w.txt" };
	struct pane *p = pane_new();
	pane_load_begin(p, "/pub", false);
	for (size_t i = 0; i < NSAMPLE; i++)
		pane_load_add(p, sample[i].name, sample[i].type, sample[i].size, sample[i].mtime);
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		pane_load_add(p, extra[i], FTP_ENTRY_FILE, 1, 1);
	pane_load_end(p, NULL);
	pane_move(p, 3);
	size_t n = pane_set_filter(p, filter_cases[_i].filter);
	ck_assert_uint_eq(n, filter_cases[_i].rows);
	ck_assert_uint_eq(pane_rows(p), filter_cases[_i].rows);
	ck_assert_uint_eq(pane_cursor(p), 0);
	if (filter_cases[_i].first == NULL)
		ck_assert_ptr_null(pane_current(p));
	else
		ck_assert_str_eq(pane_current(p)->name, filter_cases[_i].first);
	ck_assert_str_eq(pane_filter(p), filter_cases[_i].filter);
	pane_set_filter(p, NULL);
	ck_assert_uint_eq(pane_rows(p), 10);
	pane_free(p);
}
END_TEST

START_TEST(test_hidden)
{
	struct pane *p = sample_pane();
	ck_assert(!pane_hidden_shown(p));
	ck_assert_uint_eq(pane_total(p), 8);
	pane_move(p, 3);
	const char *at = pane_current(p)->name;
	pane_set_hidden(p, true);
	ck_assert_uint_eq(pane_rows(p), 8);
	ck_assert_str_eq(pane_current(p)->name, at);
	ck_assert_str_eq(pane_row(p, 3)->name, ".hidden");
	pane_set_hidden(p, false);
	ck_assert_uint_eq(pane_rows(p), 7);
	pane_free(p);
}
END_TEST

START_TEST(test_tags)
{
	struct pane *p = sample_pane();
	ck_assert(!pane_tag_toggle(p));          /* ".." cannot be tagged */
	pane_move(p, 3);
	ck_assert(pane_tag_toggle(p));
	pane_move(p, 2);
	ck_assert(pane_tag_toggle(p));
	ck_assert_uint_eq(pane_tag_count(p), 2);
	pane_set_sort(p, PANE_SORT_SIZE, false);
	ck_assert_uint_eq(pane_tag_count(p), 2);
	/* A refresh of the same folder keeps the tags by name. */
	pane_load_begin(p, "/pub", false);
	for (size_t i = 0; i < NSAMPLE; i++)
		pane_load_add(p, sample[i].name, sample[i].type, sample[i].size, sample[i].mtime);
	pane_load_end(p, "beta.txt");
	ck_assert_uint_eq(pane_tag_count(p), 2);
	ck_assert_str_eq(pane_current(p)->name, "beta.txt");
	size_t it = 0, n = 0;
	const struct pane_entry *e;
	while ((e = pane_tag_next(p, &it)) != NULL) {
		ck_assert(e->tagged);
		n++;
	}
	ck_assert_uint_eq(n, 2);
	ck_assert(pane_find(p, "Alpha.txt")->tagged);
	ck_assert(pane_find(p, "beta.txt")->tagged);
	pane_move_to(p, 0);
	pane_move(p, 3);
	ck_assert(!pane_tag_toggle(p));
	ck_assert_uint_eq(pane_tag_count(p), 1);
	/* Another folder starts untagged. */
	pane_load_begin(p, "/other", true);
	pane_load_add(p, "Alpha.txt", FTP_ENTRY_FILE, 1, 1);
	pane_load_end(p, NULL);
	ck_assert_uint_eq(pane_tag_count(p), 0);
	ck_assert_uint_eq(pane_rows(p), 1);
	pane_tag_clear(p);
	pane_free(p);
}
END_TEST

START_TEST(test_empty)
{
	struct pane *p = pane_new();
	ck_assert_str_eq(pane_path(p), "");
	ck_assert_uint_eq(pane_rows(p), 0);
	ck_assert_ptr_null(pane_current(p));
	pane_move(p, 5);
	pane_page(p, -1, 10);
	pane_end(p);
	ck_assert_uint_eq(pane_cursor(p), 0);
	ck_assert_uint_eq(pane_scroll(p, 10), 0);
	ck_assert(!pane_tag_toggle(p));
	pane_load_begin(p, "/", true);
	pane_load_add(p, ".", FTP_ENTRY_DIR, 0, 0);
	pane_load_add(p, "..", FTP_ENTRY_DIR, 0, 0);
	pane_load_add(p, "", FTP_ENTRY_FILE, 0, 0);
	pane_load_end(p, "missing");
	ck_assert_uint_eq(pane_total(p), 0);
	pane_free(NULL);
	pane_free(p);
}
END_TEST

START_TEST(test_long_filter)
{
	char big[PANE_FILTER_MAX * 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct pane *p = sample_pane();
	ck_assert_uint_eq(pane_set_filter(p, big), 0);
	ck_assert_uint_eq(strlen(pane_filter(p)), PANE_FILTER_MAX - 1);
	pane_free(p);
}
END_TEST

/* Entries in the large-folder case. */
#define BIG_N 100000

START_TEST(test_big_folder)
{
	char name[64];
	struct pane *p = pane_new();
	clock_t t0 = clock();
	pane_load_begin(p, "/big", false);
	for (int i = 0; i < BIG_N; i++) {
		snprintf(name, sizeof name, "file-%06d.dat", (i * 7919) % BIG_N);
		pane_load_add(p, name, FTP_ENTRY_FILE, i, i);
	}
	pane_load_end(p, NULL);
	ck_assert_uint_eq(pane_rows(p), BIG_N + 1);
	ck_assert_str_eq(pane_row(p, 1)->name, "file-000000.dat");
	pane_set_sort(p, PANE_SORT_SIZE, false);
	ck_assert_int_eq(pane_row(p, 1)->size, BIG_N - 1);
	ck_assert_uint_eq(pane_set_filter(p, "99999"), 1);
	ck_assert_uint_eq(pane_set_filter(p, "-0999"), 100);
	pane_set_filter(p, "");
	for (int i = 0; i < 1000; i++) {
		pane_page(p, 1, 40);
		pane_scroll(p, 40);
	}
	pane_end(p);
	ck_assert_uint_eq(pane_scroll(p, 40), BIG_N + 1 - 40);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ck_assert_msg(secs < 5.0, "100,000 entries took %.2f s", secs);
	pane_free(p);
}
END_TEST


/* The tagged set's size, tagging by pattern and inverting (mc's + - *). */
START_TEST(test_tag_keys)
{
	struct pane *p = sample_pane();
	ck_assert_uint_eq(pane_tag_pattern(p, "*.txt", true), 2);
	ck_assert_uint_eq(pane_tag_count(p), 2);
	ck_assert_int_eq(pane_tag_bytes(p), 400);          /* beta 300 + Alpha 100 */
	ck_assert_uint_eq(pane_tag_pattern(p, "*.txt", true), 0);   /* already */
	/* beta is tagged already: gamma and bad... are new. */
	ck_assert_uint_eq(pane_tag_pattern(p, "[bg]*", true), 2);
	ck_assert_uint_eq(pane_tag_count(p), 4);
	ck_assert_int_eq(pane_tag_bytes(p), 601);
	ck_assert_uint_eq(pane_tag_pattern(p, "beta.txt", false), 1);
	ck_assert_int_eq(pane_tag_bytes(p), 301);
	/* Inverting: the visible rows but ".."; a directory's size is not counted. */
	ck_assert_uint_eq(pane_tag_invert(p), 3);          /* docs, src, beta */
	ck_assert(pane_find(p, "docs")->tagged);
	ck_assert(!pane_find(p, "Alpha.txt")->tagged);
	ck_assert(!pane_find(p, ".hidden")->tagged);       /* not shown, not touched */
	ck_assert_int_eq(pane_tag_bytes(p), 300);
	ck_assert_uint_eq(pane_tag_pattern(p, "..", true), 0);
	ck_assert_uint_eq(pane_tag_pattern(p, "*", false), 3);
	ck_assert_uint_eq(pane_tag_count(p), 0);
	ck_assert_int_eq(pane_tag_bytes(p), 0);
	/* The filter limits them too. */
	pane_set_filter(p, "a");
	ck_assert_uint_eq(pane_tag_invert(p), 4);
	ck_assert(!pane_find(p, "src")->tagged);
	pane_free(p);
}
END_TEST

/* Links keep their target and whether they lead nowhere. */
START_TEST(test_links)
{
	struct pane *p = pane_new();
	pane_load_begin(p, "/", true);
	pane_load_add_link(p, "to-dir", FTP_ENTRY_DIR, 4096, 1, "sub\x1b[1m", false);
	pane_load_add_link(p, "dead", FTP_ENTRY_LINK, 7, 1, "missing.txt", true);
	pane_load_add_link(p, "unknown", FTP_ENTRY_LINK, -1, 0, NULL, false);
	pane_load_add_link(p, "..", FTP_ENTRY_DIR, 1, 1, "x", false);
	pane_load_end(p, NULL);
	ck_assert_uint_eq(pane_total(p), 3);
	const struct pane_entry *e = pane_find(p, "to-dir");
	ck_assert(e->link && !e->broken && e->type == FTP_ENTRY_DIR);
	ck_assert_str_eq(e->target, "sub?[1m");
	e = pane_find(p, "dead");
	ck_assert(e->link && e->broken);
	ck_assert_str_eq(e->target, "missing.txt");
	e = pane_find(p, "unknown");
	ck_assert(e->link && e->target == NULL);
	pane_free(p);
}
END_TEST

/* pane_find finds every entry whatever the sort, the first loaded of two
 * with one name, and after a reload the new entries only (its index
 * follows the entries). */
START_TEST(test_find)
{
	struct pane *p = sample_pane();
	for (int mode = 0; mode < PANE_SORT_COUNT; mode++) {
		pane_set_sort(p, (enum pane_sort)mode, mode % 2 == 1);
		for (size_t i = 0; i < NSAMPLE; i++) {
			const struct pane_entry *e = pane_find(p, sample[i].name);
			ck_assert_msg(e != NULL, "%s not found", sample[i].name);
			ck_assert_str_eq(e->name, sample[i].name);
			ck_assert_int_eq(e->size, sample[i].size);
		}
		ck_assert_str_eq(pane_find(p, PANE_PARENT)->name, PANE_PARENT);
		ck_assert_ptr_null(pane_find(p, "alpha.txt"));
		ck_assert_ptr_null(pane_find(p, "beta.tx"));
		ck_assert_ptr_null(pane_find(p, ""));
	}
	/* A reload of another folder: the old names are gone, the new found;
	 * names added after a lookup are found too. */
	pane_load_begin(p, "/other", true);
	pane_load_add(p, "zeta", FTP_ENTRY_FILE, 1, 1);
	ck_assert_ptr_nonnull(pane_find(p, "zeta"));
	pane_load_add(p, "twice", FTP_ENTRY_FILE, 2, 1);
	pane_load_add(p, "twice", FTP_ENTRY_FILE, 3, 1);
	pane_load_end(p, NULL);
	ck_assert_ptr_null(pane_find(p, "beta.txt"));
	ck_assert_ptr_null(pane_find(p, PANE_PARENT));
	ck_assert_int_eq(pane_find(p, "twice")->size, 2);
	ck_assert_ptr_nonnull(pane_find(p, "zeta"));
	/* Tags by name go through the same lookup. */
	const char *names[] = { "twice", "zeta", "none" };
	ck_assert_uint_eq(pane_tag_names(p, names, 3), 2);
	ck_assert(pane_find(p, "zeta")->tagged);
	pane_load_begin(p, "/other", true);
	pane_load_end(p, NULL);
	ck_assert_ptr_null(pane_find(p, "zeta"));
	pane_free(p);
}
END_TEST

static Suite *pane_suite(void)
{
	Suite *s = suite_create("tui_pane");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_sort, 0, (int)(sizeof sort_cases / sizeof sort_cases[0]));
	tcase_add_test(core, test_sort_keeps_cursor);
	tcase_add_loop_test(core, test_move, 0, (int)(sizeof move_cases / sizeof move_cases[0]));
	tcase_add_test(core, test_page_home_end);
	tcase_add_test(core, test_scroll);
	tcase_add_loop_test(core, test_filter, 0,
			    (int)(sizeof filter_cases / sizeof filter_cases[0]));
	tcase_add_test(core, test_hidden);
	tcase_add_test(core, test_tags);
	tcase_add_test(core, test_tag_keys);
	tcase_add_test(core, test_links);
	tcase_add_test(core, test_find);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_set_timeout(limits, 30);
	tcase_add_test(limits, test_empty);
	tcase_add_test(limits, test_long_filter);
	tcase_add_test(limits, test_big_folder);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	/* The filter folds case as the locale says: a UTF-8 one, as ferry runs. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "the C.UTF-8 locale is missing\n");
		return EXIT_FAILURE;
	}
	SRunner *sr = srunner_create(pane_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
