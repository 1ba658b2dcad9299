/* Unit tests for wildmat: shell-style name matching as used by LIST/NLST
 * globs. */
#include "config.h"

#include "wildmat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

struct match_case {
	const char *pattern;
	const char *name;
	bool match;
};

static const struct match_case match_cases[] = {
	/* Literal text, case-sensitive. */
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "abc", "abc", true },
	{ "abc", "abd", false },
	{ "abc", "abcd", false },
	{ "abcd", "abc", false },
	{ "ABC", "abc", false },
	/* '*' */
	{ "*", "file.txt", true },
	{ "*", "", true },
	{ "*.txt", "a.txt", true },
	{ "*.txt", ".txt", true },
	{ "*.txt", "a.txt.gz", false },
	{ "*.txt", "a.TXT", false },
	{ "a*", "a", true },
	{ "a*b*c", "axxbyyc", true },
	{ "a*b*c", "abc", true },
	{ "a*b*c", "axxbyy", false },
	{ "a*b*c", "acb", false },
	{ "*a", "bba", true },
	{ "*a", "bab", false },
	{ "**", "x", true },
	{ "a**b", "axyzb", true },
	{ "*.*", "noext", false },
	{ "*.*", "a.b.c", true },
	{ "*ab", "aab", true },
	{ "*aab", "aaab", true },
	{ "*abc*", "ababcab", true },
	{ "*abc*", "ababab", false },
	/* '?' matches exactly one character. */
	{ "?", "a", true },
	{ "?", "", false },
	{ "?", "ab", false },
	{ "file?.c", "file1.c", true },
	{ "file?.c", "file12.c", false },
	{ "file?.c", "file.c", false },
	{ "*?", "", false },
	{ "*?", "a", true },
	{ "??*", "a", false },
	{ "??*", "ab", true },
	/* Sets. */
	{ "[abc]", "b", true },
	{ "[abc]", "d", false },
	{ "[abc]", "", false },
	{ "[abc]", "ab", false },
	{ "[!a]", "b", true },
	{ "[!a]", "a", false },
	{ "[^a]", "a", false },
	{ "[^a]", "z", true },
	{ "[a-z]", "m", true },
	{ "[a-z]", "a", true },
	{ "[a-z]", "z", true },
	{ "[a-z]", "M", false },
	{ "[a-z]", "-", false },
	{ "[!a-z]", "M", true },
	{ "[!a-z]", "q", false },
	{ "[a-cx-z]", "y", true },
	{ "[a-cx-z]", "m", false },
	{ "[a-]", "-", true },
	{ "[a-]", "a", true },
	{ "[-a]", "-", true },
	{ "[]]", "]", true },
	{ "[]a]", "a", true },
	{ "[!]]", "]", false },
	{ "[!]]", "a", true },
	{ "x[0-9][0-9]", "x42", true },
	{ "x[0-9][0-9]", "x4a", false },
	{ "*.[ch]", "main.c", true },
	{ "*.[ch]", "main.o", false },
	{ "[\\]]", "]", true },
	{ "[\\-]", "-", true },
	{ "[\\-]", "\\", false },
	/* Escapes make the next character literal. */
	{ "\\*", "*", true },
	{ "\\*", "a", false },
	{ "\\?", "?", true },
	{ "\\?", "x", false },
	{ "\\[a]", "[a]", true },
	{ "\\[a]", "a", false },
	{ "\\a", "a", true },
	{ "a\\*b", "a*b", true },
	{ "a\\*b", "axb", false },
	{ "*\\*", "star*", true },
	{ "a\\", "a\\", true },      /* a trailing backslash is itself */
	/* Never across '/'. */
	{ "*", "a/b", false },
	{ "a*", "a/b", false },
	{ "*b", "a/b", false },
	{ "*/b", "a/b", true },
	{ "a/*", "a/b", true },
	{ "a/*", "a/b/c", false },
	{ "*/*", "a/b", true },
	{ "a?b", "a/b", false },
	{ "a[/]b", "a/b", false },
	{ "*", "dir/", false },
	{ "a*c", "ab/c", false },
	{ "*.txt", "dir/a.txt", false },
	{ "*/x", "a/b/x", false },
	{ "a*/x", "ab/c/x", false },
	{ "*/*", "a/b/c", false },
	{ "*/*/*", "a/b/c", true },
	/* An unterminated '[' is an ordinary character. */
	{ "[", "[", true },
	{ "[", "a", false },
	{ "[abc", "[abc", true },
	{ "[abc", "a", false },
	{ "a[", "a[", true },
	{ "[a-", "[a-", true },
	{ "*[", "ab[", true },
	{ "[!", "[!", true },
	/* Bytes above 0x7f (UTF-8 names). */
	{ "\xe6\x97\xa5\xe6\x9c\xac*", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt", true },
	{ "*.txt", "\xc3\xa9t\xc3\xa9.txt", true },
	{ "caf?", "caf\xc3\xa9", false },   /* '?' is one byte, not one character */
	{ "caf??", "caf\xc3\xa9", true },
	/* Spaces are ordinary characters. */
	{ "my *.txt", "my file.txt", true },
	{ "my *.txt", "myfile.txt", false },
};

START_TEST(test_match)
{
	const struct match_case *c = &match_cases[_i];

	ck_assert_msg(wildmat_match(c->pattern, c->name) == c->match,
		      "pattern \"%s\" name \"%s\": expected %s", c->pattern, c->name,
		      c->match ? "match" : "no match");
}
END_TEST

static const struct {
	const char *pattern;
	bool magic;
} magic_cases[] = {
	{ "*.c", true },
	{ "a?c", true },
	{ "[ab]", true },
	{ "dir/*", true },
	{ "plain.txt", false },
	{ "", false },
	{ "a\\b", false },
	{ "with space", false },
	{ "a]b", false },
};

START_TEST(test_has_magic)
{
	ck_assert_int_eq(wildmat_has_magic(magic_cases[_i].pattern), magic_cases[_i].magic);
}
END_TEST

/* Returns a new string of n copies of c followed by tail. */
static char *repeat(char c, size_t n, const char *tail)
{
	size_t t = strlen(tail);
	char *s = malloc(n + t + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	memcpy(s + n, tail, t + 1);
	return s;
}

/* The classic exponential case for recursive matchers gives the right
 * answer both ways. */
START_TEST(test_pathological)
{
	const char *pat = "*a*a*a*a*a*a*a*a*a*a*b";
	char *as = repeat('a', 250, "");
	char *asb = repeat('a', 250, "b");

	ck_assert(!wildmat_match(pat, as));
	ck_assert(wildmat_match(pat, asb));
	ck_assert(!wildmat_match("*?*?*?*?*?*?*?*?*?*?*?*b", as));
	free(asb);
	free(as);
}
END_TEST

/* Long patterns and names. */
START_TEST(test_long_inputs)
{
	char *name = repeat('x', 4000, ".log");
	char *stars = repeat('*', 1000, ".log");
	char *qs = repeat('?', 4000, ".log");
	char *qs_short = repeat('?', 3999, ".log");

	ck_assert(wildmat_match("*", name));
	ck_assert(wildmat_match("*.log", name));
	ck_assert(!wildmat_match("*.txt", name));
	ck_assert(wildmat_match(stars, name));
	ck_assert(wildmat_match(qs, name));
	ck_assert(!wildmat_match(qs_short, name));
	ck_assert(!wildmat_match(name, "x.log"));
	free(qs_short);
	free(qs);
	free(stars);
	free(name);
}
END_TEST

static Suite *wildmat_suite(void)
{
	Suite *s = suite_create("wildmat");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_match, 0,
			    (int)(sizeof match_cases / sizeof match_cases[0]));
	tcase_add_loop_test(core, test_has_magic, 0,
			    (int)(sizeof magic_cases / sizeof magic_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_pathological);
	tcase_add_test(limits, test_long_inputs);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wildmat_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
