/* Unit tests for path: joining, the names that are safe below a
 * directory, last names, parents and siblings, and paths that do not fit. */
#include "config.h"

#include "path.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* path_join: dir, name, result. */
static const struct { const char *dir, *name, *out; } join_cases[] = {
	{ "/", "a", "/a" },
	{ "/d", "a b", "/d/a b" },
	{ "/d/", "a", "/d/a" },
	{ "", "a", "a" },
	{ "rel", "x.txt", "rel/x.txt" },
	{ "/d", "\xff\xfe", "/d/\xff\xfe" },
};

START_TEST(test_join)
{
	struct sbuf out;
	sbuf_init(&out, PATH_LEN_MAX);
	ck_assert(path_join(&out, join_cases[_i].dir, join_cases[_i].name));
	ck_assert_str_eq(sbuf_str(&out), join_cases[_i].out);
	sbuf_free(&out);
}
END_TEST

/* path_safe_name: name, safe. */
static const struct { const char *name; bool safe; } safe_cases[] = {
	{ "a", true }, { "...", true }, { ".hidden", true }, { "a b", true },
	{ "\xff", true }, { "..a", true },
	{ "", false }, { ".", false }, { "..", false }, { "a/b", false }, { "/", false },
	{ "../x", false }, { "x/", false },
};

START_TEST(test_safe_name)
{
	ck_assert_msg(path_safe_name(safe_cases[_i].name) == safe_cases[_i].safe, "'%s'",
		      safe_cases[_i].name);
}
END_TEST

/* path_basename: path, last name (NULL: none usable). */
static const struct { const char *path, *base; } base_cases[] = {
	{ "a.txt", "a.txt" }, { "/pub/a.txt", "a.txt" }, { "pub/dir/", "dir" },
	{ "pub//dir//", "dir" }, { "/x", "x" },
	{ "", NULL }, { "/", NULL }, { ".", NULL }, { "..", NULL }, { "a/..", NULL },
	{ "a/./", NULL }, { "///", NULL },
};

START_TEST(test_basename)
{
	char out[64];
	bool ok = path_basename(base_cases[_i].path, out, sizeof out);
	if (base_cases[_i].base == NULL) {
		ck_assert_msg(!ok, "'%s' gave '%s'", base_cases[_i].path, out);
		return;
	}
	ck_assert_msg(ok, "'%s'", base_cases[_i].path);
	ck_assert_str_eq(out, base_cases[_i].base);
}
END_TEST

/* path_parent and path_last: path, parent, last. */
static const struct { const char *path, *parent, *last; } parent_cases[] = {
	{ "/a/b", "/a", "b" }, { "/a", "/", "a" }, { "/", "/", "" },
	{ "/a/b/", "/a", "" }, { "//a//b", "//a", "b" }, { "a", ".", "a" },
	{ "a/b", "a", "b" },
};

START_TEST(test_parent_last)
{
	char out[64];
	ck_assert(path_parent(parent_cases[_i].path, out, sizeof out));
	ck_assert_str_eq(out, parent_cases[_i].parent);
	ck_assert_str_eq(path_last(parent_cases[_i].path), parent_cases[_i].last);
}
END_TEST

/* path_sibling: path, new last name, result. */
static const struct { const char *path, *name, *out; } sibling_cases[] = {
	{ "/d/a", "b", "/d/b" }, { "/a", "b", "/b" }, { "a", "b", "b" },
	{ "x/y/z.txt", "z (2).txt", "x/y/z (2).txt" },
};

START_TEST(test_sibling)
{
	struct sbuf out;
	sbuf_init(&out, PATH_LEN_MAX);
	ck_assert(path_sibling(&out, sibling_cases[_i].path, sibling_cases[_i].name));
	ck_assert_str_eq(sbuf_str(&out), sibling_cases[_i].out);
	sbuf_free(&out);
}
END_TEST

/* path_resolve: directory, path from it, result. */
static const struct { const char *dir, *to, *out; } resolve_cases[] = {
	{ "/a/b", "../c", "/a/c" }, { "/a/b", ".", "/a/b" }, { "/a/b", "..", "/a" },
	{ "/a", "..", "/" }, { "/", "..", "/" }, { "/a/b", "/x//y/./z/..", "/x/y" },
	{ "a", ".", "a" }, { "a", "..", "" }, { "", "..", ".." }, { "a", "../../b", "../b" },
	{ "a/b/", "c/", "a/b/c" }, { "", "", "" }, { "a", "/", "/" },
	/* Where vpath_resolve, on the same walk, differs: a relative dir and
	 * to stay relative, ".." kept above their start ("/b", "/", "/a",
	 * "/" there)... */
	{ "", "../..", "../.." }, { "..", "../b", "../../b" }, { "a/b", "../../..", ".." },
	{ "x", "", "x" },
	/* ...an absolute dir makes the result absolute, as there... */
	{ "/", "", "/" }, { "//a//", ".//b/", "/a/b" }, { "/a", "x/../..", "/" },
	/* ...and CR or LF are kept as any other byte (refused there). */
	{ "/d", "a\rb", "/d/a\rb" }, { "", "x\n/", "x\n" },
};

START_TEST(test_resolve)
{
	struct sbuf out;
	sbuf_init(&out, PATH_LEN_MAX);
	ck_assert(path_resolve(&out, resolve_cases[_i].dir, resolve_cases[_i].to));
	ck_assert_str_eq(sbuf_str(&out), resolve_cases[_i].out);
	sbuf_free(&out);
}
END_TEST

/* path_is_above: above, path, whether it is. */
static const struct { const char *above, *path; bool is; } above_cases[] = {
	{ "/a", "/a/b", true }, { "/a", "/a", true }, { "/a", "/ab", false },
	{ "/", "/x", true }, { "", "a", true }, { "", "/a", false }, { "a/b", "a", false },
	{ "/a", "a", false },
};

START_TEST(test_is_above)
{
	ck_assert(path_is_above(above_cases[_i].above, above_cases[_i].path) ==
		  above_cases[_i].is);
}
END_TEST

/* path_resolve's limit is out's maximum: exactly it fits, one more byte
 * does not; a kept ".." counts, and so does a step a later ".." takes
 * back. */
START_TEST(test_resolve_limit)
{
	static const struct { const char *dir, *to; bool fits; } cases[] = {
		{ "/ab", "cd", true }, { "/ab", "cde", false }, { "ab", "c/de", false },
		{ "", "../..", true }, { "x", "../../../..", false },
		{ "/abc", "defg/../h", false }, { "/abc", "../defgh", true },
	};
	struct sbuf out;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sbuf_init(&out, 6);
		ck_assert_msg(path_resolve(&out, cases[i].dir, cases[i].to) == cases[i].fits,
			      "\"%s\" \"%s\"", cases[i].dir, cases[i].to);
		sbuf_free(&out);
	}
	char dir[PATH_LEN_MAX + 1];
	memset(dir, 'd', PATH_LEN_MAX);
	dir[0] = '/';
	dir[PATH_LEN_MAX] = '\0';
	sbuf_init(&out, PATH_LEN_MAX);
	ck_assert(path_resolve(&out, dir, "."));
	ck_assert_str_eq(sbuf_str(&out), dir);
	ck_assert(!path_resolve(&out, dir, "x"));
	ck_assert(path_resolve(&out, dir, "../x"));
	ck_assert_str_eq(sbuf_str(&out), "/x");
	sbuf_free(&out);
}
END_TEST

/* Paths that pass the maximum are refused, never cut. */
START_TEST(test_too_long)
{
	char dir[PATH_LEN_MAX], small[4];
	struct sbuf out;

	memset(dir, 'd', sizeof dir - 1);
	dir[sizeof dir - 1] = '\0';
	sbuf_init(&out, PATH_LEN_MAX);
	ck_assert(!path_join(&out, dir, "name"));
	ck_assert(!path_sibling(&out, "/a/b", dir));
	sbuf_free(&out);
	ck_assert(!path_basename("/abcd", small, sizeof small));
	ck_assert(!path_parent("/abcd/e", small, sizeof small));
	ck_assert(path_parent("/ab/c", small, sizeof small));
	ck_assert_str_eq(small, "/ab");
}
END_TEST

#define N(a) ((int)(sizeof a / sizeof a[0]))

static Suite *path_suite(void)
{
	Suite *s = suite_create("path");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_join, 0, N(join_cases));
	tcase_add_loop_test(core, test_safe_name, 0, N(safe_cases));
	tcase_add_loop_test(core, test_basename, 0, N(base_cases));
	tcase_add_loop_test(core, test_parent_last, 0, N(parent_cases));
	tcase_add_loop_test(core, test_sibling, 0, N(sibling_cases));
	tcase_add_loop_test(core, test_resolve, 0, N(resolve_cases));
	tcase_add_loop_test(core, test_is_above, 0, N(above_cases));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_too_long);
	tcase_add_test(limits, test_resolve_limit);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(path_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
