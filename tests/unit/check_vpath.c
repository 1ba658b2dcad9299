/* Unit tests for vpath: resolving FTP path arguments against the working
 * directory into normalised virtual paths that never rise above "/", and
 * the walk over names it shares with the client's path_resolve. */
#include "config.h"

#include "vpath.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ftp_limits.h"

struct resolve_case {
	const char *cwd;
	const char *arg;
	const char *want;
};

static const struct resolve_case resolve_cases[] = {
	/* ".." never climbs above the root. */
	{ "/", "..", "/" },
	{ "/", "../../..", "/" },
	{ "/a", "..", "/" },
	{ "/a/b", "..", "/a" },
	{ "/a/b", "../../..", "/" },
	{ "/a/b/c", "../../../../etc/passwd", "/etc/passwd" },
	{ "/pub", "/../../etc", "/etc" },
	{ "/", "a/b/../../..", "/" },
	/* "." and repeated slashes vanish. */
	{ "/", "/a/./b//c/", "/a/b/c" },
	{ "/a", ".", "/a" },
	{ "/a", "./", "/a" },
	{ "/a", "b/./c/.", "/a/b/c" },
	{ "/a", "//", "/" },
	{ "/a", "/", "/" },
	/* ".." in the middle of a relative argument. */
	{ "/x", "a/../../b", "/b" },
	{ "/x/y", "a/../../b", "/x/b" },
	{ "/x/y", "a/../b/../c", "/x/y/c" },
	/* Absolute arguments ignore cwd. */
	{ "/home/user", "/etc/motd", "/etc/motd" },
	{ "/home/user", "/", "/" },
	/* An empty argument means cwd. */
	{ "/home/user", "", "/home/user" },
	{ "/", "", "/" },
	/* Trailing slashes. */
	{ "/a", "b/", "/a/b" },
	{ "/a", "b///", "/a/b" },
	{ "/", "dir/sub/", "/dir/sub" },
	/* Names that only look like dots are ordinary names. */
	{ "/a", "...", "/a/..." },
	{ "/a", "..b", "/a/..b" },
	{ "/a", "b..", "/a/b.." },
	{ "/a", ".hidden", "/a/.hidden" },
	/* Spaces, other punctuation and UTF-8 are kept as they are. */
	{ "/", "my file.txt", "/my file.txt" },
	{ "/docs", " leading and trailing ", "/docs/ leading and trailing " },
	{ "/docs", "a\\b:c*?", "/docs/a\\b:c*?" },
	{ "/d", "na\xc3\xafve/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt",
	  "/d/na\xc3\xafve/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt" },
	{ "/\xc3\xa9t\xc3\xa9", "..", "/" },
	{ "/\xc3\xa9t\xc3\xa9", "x", "/\xc3\xa9t\xc3\xa9/x" },
	/* A relative or untidy cwd counts from "/": the result is absolute,
	 * where the client's path_resolve keeps it relative ("a", "../../b"
	 * -> "../b" there; "", "" -> ""). */
	{ "a/b", "..", "/a" },
	{ "a", "../../b", "/b" },
	{ "", "", "/" },
	{ "", "..", "/" },
	{ "x", "", "/x" },
	{ "//a/./b//", "c", "/a/b/c" },
	{ "a/..", "b", "/b" },
};

START_TEST(test_resolve)
{
	const struct resolve_case *c = &resolve_cases[_i];
	char out[FTP_PATH_MAX + 1];

	memset(out, 'Z', sizeof out);
	enum vpath_error e = vpath_resolve(c->cwd, c->arg, strlen(c->arg), out, sizeof out);
	ck_assert_msg(e == VPATH_OK, "cwd \"%s\" arg \"%s\": error %d", c->cwd, c->arg, (int)e);
	ck_assert_str_eq(out, c->want);
}
END_TEST

/* vpath_walk: the path b starts as, the names added, the path after. */
static const struct { const char *start, *s, *want; } walk_cases[] = {
	/* Empty names and "." vanish, wherever the slashes are. */
	{ "/", "a//b/./c/", "/a/b/c" },
	{ "/a", "", "/a" },
	{ "/a", "///", "/a" },
	{ "", "", "" },
	{ "", "./a/.", "a" },
	/* The start decides whether the path is absolute, not s. */
	{ "", "//a", "a" },
	{ "/", "a", "/a" },
	/* ".." takes away the name before it... */
	{ "/a/b", "..", "/a" },
	{ "/a", "..", "/" },
	{ "a/b", "..", "a" },
	{ "a", "..", "" },
	{ "../a", "..", ".." },
	{ "", ".../..", "" },
	/* ...vanishes at "/"... */
	{ "/", "..", "/" },
	{ "/", "../../a/../..", "/" },
	/* ...and is kept above the start of a relative path. */
	{ "", "..", ".." },
	{ "", "a/../..", ".." },
	{ "a", "../../..", "../.." },
	{ "..", "../b", "../../b" },
	/* Names that only look like dots, and any byte, are names. */
	{ "/x", "..a/b../...", "/x/..a/b../..." },
	{ "", "a\r/\nb", "a\r/\nb" },
};

START_TEST(test_walk)
{
	struct sbuf b;

	sbuf_init(&b, FTP_PATH_MAX);
	ck_assert(sbuf_puts(&b, walk_cases[_i].start));
	ck_assert_msg(vpath_walk(&b, walk_cases[_i].s, strlen(walk_cases[_i].s)), "\"%s\" \"%s\"",
		      walk_cases[_i].start, walk_cases[_i].s);
	ck_assert_str_eq(sbuf_str(&b), walk_cases[_i].want);
	sbuf_free(&b);
}
END_TEST

/* Only n bytes of s count, a NUL among them too. */
START_TEST(test_walk_uses_n)
{
	struct sbuf b;

	sbuf_init(&b, 64);
	ck_assert(sbuf_puts(&b, "/"));
	ck_assert(vpath_walk(&b, "ab/cd", 2));
	ck_assert_str_eq(sbuf_str(&b), "/ab");
	ck_assert(vpath_walk(&b, "../zz", 2));
	ck_assert_str_eq(sbuf_str(&b), "/");
	ck_assert(vpath_walk(&b, "q\0r", 3));
	ck_assert_uint_eq(b.len, 4);
	ck_assert_int_eq(memcmp(b.data, "/q\0r", 4), 0);
	ck_assert(vpath_walk(&b, "s/\0/..", 6));
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(memcmp(b.data, "/q\0r/s", 7), 0);
	sbuf_free(&b);
}
END_TEST

/* CR, LF and NUL anywhere in the argument are refused. */
static const struct {
	const char *arg;
	size_t len;
} bad_args[] = {
	{ "a\rb", 3 },
	{ "a\nb", 3 },
	{ "a\0b", 3 },
	{ "\r", 1 },
	{ "\n", 1 },
	{ "\0", 1 },
	{ "file.txt\r\n", 10 },
	{ "/etc/passwd\0.txt", 16 },
	{ "../\n/x", 6 },
};

START_TEST(test_resolve_bad_char)
{
	char out[FTP_PATH_MAX + 1];

	ck_assert_int_eq(vpath_resolve("/", bad_args[_i].arg, bad_args[_i].len, out, sizeof out),
			 VPATH_BAD_CHAR);
	ck_assert_int_eq(vpath_resolve("/home", bad_args[_i].arg, bad_args[_i].len, out,
				       sizeof out), VPATH_BAD_CHAR);
	ck_assert(vpath_bad_name(bad_args[_i].arg, bad_args[_i].len));
}
END_TEST

/* Only len bytes of the argument count. */
START_TEST(test_resolve_uses_len)
{
	char out[64];

	ck_assert_int_eq(vpath_resolve("/a", "b/c\r\n", 3, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/a/b/c");
	ck_assert_int_eq(vpath_resolve("/a", "/xyz", 2, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/x");
	ck_assert_int_eq(vpath_resolve("/a", "zzz", 0, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/a");
	ck_assert_int_eq(vpath_resolve("/a", "/zzz", 0, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/a");
}
END_TEST

static const struct {
	const char *name;
	size_t len;
	bool bad;
} name_cases[] = {
	{ "plain.txt", 9, false },
	{ "with space", 10, false },
	{ "", 0, false },
	{ "tab\there", 8, false },
	{ "\xff\xfe", 2, false },
	{ "cr\r", 3, true },
	{ "\nlf", 3, true },
	{ "nul\0", 4, true },
};

START_TEST(test_bad_name)
{
	ck_assert_int_eq(vpath_bad_name(name_cases[_i].name, name_cases[_i].len),
			 name_cases[_i].bad);
}
END_TEST

static const struct {
	const char *arg;
	size_t len;      /* vpath_folder_len */
} folder_cases[] = {
	{ "", 0 },
	{ "a", 1 },
	{ ".", 1 },
	{ "..", 2 },
	{ "a.", 2 },
	{ "a/..", 4 },
	{ "a/", 1 },
	{ "a//", 1 },
	{ "a/.", 1 },
	{ "a/./", 1 },
	{ "a/.//./.", 1 },
	{ "./", 1 },
	{ "/", 0 },
	{ "/.", 0 },
	{ "*/.", 1 },
	{ "sub/*/.", 5 },
	{ "a/.b", 4 },
};

START_TEST(test_folder_len)
{
	const char *arg = folder_cases[_i].arg;
	ck_assert_uint_eq(vpath_folder_len(arg), folder_cases[_i].len);
	ck_assert_int_eq(vpath_names_folder(arg), folder_cases[_i].len < strlen(arg));
}
END_TEST

struct split_case {
	const char *path;
	const char *base;
	const char *dir;
};

static const struct split_case split_cases[] = {
	{ "/", "", "/" },
	{ "/a", "a", "/" },
	{ "/a/b", "b", "/a" },
	{ "/a/b/c.txt", "c.txt", "/a/b" },
	{ "/dir with space/my file", "my file", "/dir with space" },
	{ "/\xc3\xa9/\xe6\x97\xa5", "\xe6\x97\xa5", "/\xc3\xa9" },
	{ "/a/.hidden", ".hidden", "/a" },
};

START_TEST(test_basename_dirname)
{
	const struct split_case *c = &split_cases[_i];
	char dir[FTP_PATH_MAX + 1];

	ck_assert_str_eq(vpath_basename(c->path), c->base);
	vpath_dirname(c->path, dir, sizeof dir);
	ck_assert_str_eq(dir, c->dir);
}
END_TEST

/* Walking up with dirname always ends at "/". */
START_TEST(test_dirname_walk)
{
	char a[64], b[64];
	int steps = 0;

	strcpy(a, "/one/two/three/four");
	while (strcmp(a, "/") != 0 && steps < 10) {
		vpath_dirname(a, b, sizeof b);
		ck_assert_uint_lt(strlen(b), strlen(a));
		strcpy(a, b);
		steps++;
	}
	ck_assert_int_eq(steps, 4);
}
END_TEST

/* Returns a new string: "/" followed by n copies of c. */
static char *slash_and(size_t n, char c)
{
	char *s = malloc(n + 2);
	ck_assert_ptr_nonnull(s);
	s[0] = '/';
	memset(s + 1, c, n);
	s[n + 1] = '\0';
	return s;
}

/* A result of exactly FTP_PATH_MAX bytes is accepted; one more is not. */
START_TEST(test_too_long_absolute)
{
	char *out = malloc(FTP_PATH_MAX + 64);
	ck_assert_ptr_nonnull(out);

	char *ok = slash_and(FTP_PATH_MAX - 1, 'x');
	ck_assert_int_eq(vpath_resolve("/", ok, strlen(ok), out, FTP_PATH_MAX + 1), VPATH_OK);
	ck_assert_uint_eq(strlen(out), FTP_PATH_MAX);
	ck_assert_str_eq(out, ok);
	/* A bigger buffer does not raise the limit. */
	char *big = slash_and(FTP_PATH_MAX, 'x');
	ck_assert_int_eq(vpath_resolve("/", big, strlen(big), out, FTP_PATH_MAX + 64),
			 VPATH_TOO_LONG);
	free(big);
	free(ok);
	free(out);
}
END_TEST

/* The limit applies to cwd and argument joined. */
START_TEST(test_too_long_relative)
{
	char out[FTP_PATH_MAX + 1];
	char *cwd = slash_and(2000, 'c');
	/* "/" + 2000 + "/" + n bytes: n = FTP_PATH_MAX - 2002 just fits. */
	size_t fit = FTP_PATH_MAX - 2002;
	char *arg = malloc(fit + 2);
	ck_assert_ptr_nonnull(arg);
	memset(arg, 'a', fit + 1);
	arg[fit + 1] = '\0';

	ck_assert_int_eq(vpath_resolve(cwd, arg, fit, out, sizeof out), VPATH_OK);
	ck_assert_uint_eq(strlen(out), FTP_PATH_MAX);
	ck_assert_int_eq(vpath_resolve(cwd, arg, fit + 1, out, sizeof out), VPATH_TOO_LONG);
	/* Many short components add up the same way. */
	char *many = malloc(3 * 2100 + 1);
	ck_assert_ptr_nonnull(many);
	for (size_t i = 0; i < 2100; i++)
		memcpy(many + 2 * i, "d/", 2);
	ck_assert_int_eq(vpath_resolve(cwd, many, 2 * 2100, out, sizeof out), VPATH_TOO_LONG);
	free(many);
	free(arg);
	free(cwd);
}
END_TEST

/* A long argument whose result is short is fine: the limit is on the
 * result, and ".." floods stay at the root. */
START_TEST(test_long_arg_short_result)
{
	char out[FTP_PATH_MAX + 1];
	size_t n = 3 * 3000;
	char *arg = malloc(n + 1);
	ck_assert_ptr_nonnull(arg);
	for (size_t i = 0; i < 3000; i++)
		memcpy(arg + 3 * i, "../", 3);
	arg[n] = '\0';
	ck_assert_int_eq(vpath_resolve("/a/b/c", arg, n, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/");

	for (size_t i = 0; i < 3000; i++)
		memcpy(arg + 3 * i, "/./", 3);
	memcpy(arg + n - 3, "//z", 3);
	ck_assert_int_eq(vpath_resolve("/", arg, n, out, sizeof out), VPATH_OK);
	ck_assert_str_eq(out, "/z");

	/* "/" + 3000 bytes, "..", then 3000 more: 3001 bytes in the end. */
	char *mixed = malloc(3000 + 4 + 3000 + 2);
	ck_assert_ptr_nonnull(mixed);
	mixed[0] = '/';
	memset(mixed + 1, 'p', 3000);
	memcpy(mixed + 3001, "/../", 4);
	memset(mixed + 3005, 'q', 3000);
	mixed[6005] = '\0';
	ck_assert_int_eq(vpath_resolve("/", mixed, 6005, out, sizeof out), VPATH_OK);
	ck_assert_uint_eq(strlen(out), 3001);
	ck_assert_int_eq(out[1], 'q');
	free(mixed);
	free(arg);
}
END_TEST

/* A small output buffer is never overrun: too small means VPATH_TOO_LONG. */
START_TEST(test_small_outsz)
{
	char out[16];

	memset(out, 'Z', sizeof out);
	ck_assert_int_eq(vpath_resolve("/", "abcdefg", 7, out, 9), VPATH_OK);
	ck_assert_str_eq(out, "/abcdefg");
	ck_assert_int_eq(vpath_resolve("/", "abcdefgh", 8, out, 9), VPATH_TOO_LONG);
	ck_assert_int_eq(out[9], 'Z');
	ck_assert_int_eq(vpath_resolve("/ab", "cdefgh", 6, out, 9), VPATH_TOO_LONG);
	ck_assert_int_eq(out[9], 'Z');
	ck_assert_int_eq(vpath_resolve("/", "", 0, out, 2), VPATH_OK);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(vpath_resolve("/", "", 0, out, 1), VPATH_TOO_LONG);
}
END_TEST

/* The walk stops at b's maximum: a result of exactly the maximum fits,
 * one more byte does not; a kept ".." counts; so does every step on the
 * way, even one a later ".." would take back. */
START_TEST(test_walk_limit)
{
	static const struct { const char *start, *s; bool fits; } cases[] = {
		{ "/", "abcd", true },
		{ "/", "abcde", false },
		{ "/ab", "c/d", false },
		{ "/ab", "c", true },
		{ "", "../..", true },
		{ "", "../../..", false },
		{ "a", "../../..", true },
		{ "a", "../../../..", false },
		{ "/", "abcdef/..", false },
		{ "/", "abcd/../efgh", true },
		{ "/", "../../../../../../abcd", true },
	};
	struct sbuf b;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sbuf_init(&b, 5);
		ck_assert(sbuf_puts(&b, cases[i].start));
		ck_assert_msg(vpath_walk(&b, cases[i].s, strlen(cases[i].s)) == cases[i].fits,
			      "\"%s\" \"%s\"", cases[i].start, cases[i].s);
		ck_assert_uint_le(b.len, 5);
		sbuf_free(&b);
	}
}
END_TEST

static Suite *vpath_suite(void)
{
	Suite *s = suite_create("vpath");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_resolve, 0,
			    (int)(sizeof resolve_cases / sizeof resolve_cases[0]));
	tcase_add_loop_test(core, test_resolve_bad_char, 0,
			    (int)(sizeof bad_args / sizeof bad_args[0]));
	tcase_add_test(core, test_resolve_uses_len);
	tcase_add_loop_test(core, test_walk, 0, (int)(sizeof walk_cases / sizeof walk_cases[0]));
	tcase_add_test(core, test_walk_uses_n);
	tcase_add_loop_test(core, test_bad_name, 0,
			    (int)(sizeof name_cases / sizeof name_cases[0]));
	tcase_add_loop_test(core, test_basename_dirname, 0,
			    (int)(sizeof split_cases / sizeof split_cases[0]));
	tcase_add_test(core, test_dirname_walk);
	tcase_add_loop_test(core, test_folder_len, 0,
			    (int)(sizeof folder_cases / sizeof folder_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_too_long_absolute);
	tcase_add_test(limits, test_too_long_relative);
	tcase_add_test(limits, test_long_arg_short_result);
	tcase_add_test(limits, test_small_outsz);
	tcase_add_test(limits, test_walk_limit);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vpath_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
