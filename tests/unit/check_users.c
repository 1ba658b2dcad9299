/* Unit tests for users: parsing the ferryd users file. */
#include "config.h"

#include "users.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One line and what it parses to: rc 1 (account), 0 (skipped), -1 (error). */
struct line_case {
	const char *line;
	int rc;
	const char *name;
	const char *hash;
	const char *home;
	bool writable;
};

static const struct line_case line_cases[] = {
	/* Two, three and four fields. */
	{ "alice:$6$salt$hash", 1, "alice", "$6$salt$hash", "", true },
	{ "bob:$y$j9T$abc:/srv/bob", 1, "bob", "$y$j9T$abc", "/srv/bob", true },
	{ "carol:$6$x:pub:ro", 1, "carol", "$6$x", "pub", false },
	{ "dave:$6$x:pub:rw", 1, "dave", "$6$x", "pub", true },
	{ "erin:$6$x::ro", 1, "erin", "$6$x", "", false },
	{ "frank:$6$x:", 1, "frank", "$6$x", "", true },
	{ "gina:$6$x:home dir/with spaces:rw", 1, "gina", "$6$x", "home dir/with spaces", true },
	{ "anonymous:*", 1, "anonymous", "*", "", true },
	{ "x:h", 1, "x", "h", "", true },
	{ "\xc3\xa9lise:$6$x", 1, "\xc3\xa9lise", "$6$x", "", true },
	/* Line endings are not part of the last field. */
	{ "hank:$6$x\n", 1, "hank", "$6$x", "", true },
	{ "hank:$6$x\r\n", 1, "hank", "$6$x", "", true },
	{ "ivy:$6$x:files:ro\r\n", 1, "ivy", "$6$x", "files", false },
	/* Comments and blank lines. */
	{ "# a comment", 0, NULL, NULL, NULL, false },
	{ "#alice:$6$x", 0, NULL, NULL, NULL, false },
	{ "   # indented comment", 0, NULL, NULL, NULL, false },
	{ "", 0, NULL, NULL, NULL, false },
	{ "\n", 0, NULL, NULL, NULL, false },
	{ "\r\n", 0, NULL, NULL, NULL, false },
	{ "   \t ", 0, NULL, NULL, NULL, false },
	{ " \t\r\n", 0, NULL, NULL, NULL, false },
	/* Malformed lines. */
	{ ":$6$x", -1, NULL, NULL, NULL, false },
	{ ":", -1, NULL, NULL, NULL, false },
	{ "al ice:$6$x", -1, NULL, NULL, NULL, false },
	{ "al\tice:$6$x", -1, NULL, NULL, NULL, false },
	{ " alice:$6$x", -1, NULL, NULL, NULL, false },
	{ "alice :$6$x", -1, NULL, NULL, NULL, false },
	{ "al\x7fice:$6$x", -1, NULL, NULL, NULL, false },
	{ "alice:", -1, NULL, NULL, NULL, false },
	{ "alice::home", -1, NULL, NULL, NULL, false },
	{ "alice", -1, NULL, NULL, NULL, false },
	{ "alice\r\n", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:RO", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:yes", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:r", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:rwx", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:rw:extra", -1, NULL, NULL, NULL, false },
	{ "alice:$6$x:home:ro:", -1, NULL, NULL, NULL, false },
	{ "a:b:c:d:e:f", -1, NULL, NULL, NULL, false },
};

START_TEST(test_parse_line)
{
	const struct line_case *c = &line_cases[_i];
	struct user_entry e;
	const char *err = NULL;

	int rc = users_parse_line(c->line, &e, &err);
	ck_assert_msg(rc == c->rc, "\"%s\": %d, expected %d (%s)", c->line, rc, c->rc,
		      err ? err : "no message");
	if (rc == 1) {
		ck_assert_str_eq(e.name, c->name);
		ck_assert_str_eq(e.hash, c->hash);
		ck_assert_str_eq(e.home, c->home);
		ck_assert_int_eq(e.writable, c->writable);
		users_entry_free(&e);
		ck_assert_ptr_null(e.name);
	} else if (rc < 0) {
		ck_assert_ptr_nonnull(err);
		ck_assert_uint_gt(strlen(err), 0);
	}
}
END_TEST

/* Each kind of mistake gets its own explanation. */
START_TEST(test_parse_line_messages)
{
	static const char *const bad[] = {
		":$6$x", "al ice:$6$x", "alice:", "alice", "alice:$6$x:h:RO", "a:b:c:rw:e",
	};
	const char *msgs[sizeof bad / sizeof bad[0]];
	struct user_entry e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		msgs[i] = NULL;
		ck_assert_int_eq(users_parse_line(bad[i], &e, &msgs[i]), -1);
		ck_assert_ptr_nonnull(msgs[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(msgs[i], msgs[j]);
	}
}
END_TEST

/* Writes text to a new temporary file; returns its path (caller frees
 * and unlinks). */
static char *temp_file(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	ck_assert_ptr_nonnull(path);
	snprintf(path, 4096, "%s/check_users.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t n = strlen(text);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

/* Rates: digits with an optional K, M or G (powers of 1024), at most
 * 1 TiB/s; a value whose unit would overflow is refused, not wrapped. */
START_TEST(test_parse_rate)
{
	static const struct {
		const char *text;
		bool ok;
		long long v;
	} cases[] = {
		{ "500000", true, 500000 },
		{ "2M", true, 2LL << 20 },
		{ "2m", true, 2LL << 20 },
		{ "1K", true, 1024 },
		{ "1024G", true, 1LL << 40 },
		{ "1025G", false, 0 },
		{ "277757937749G", false, 0 },
		{ "9223372036854775807", false, 0 },
		{ "99999999999K", false, 0 },
		{ "M", false, 0 },
		{ "", false, 0 },
		{ "2T", false, 0 },
		{ "2MB", false, 0 },
		{ "-1", false, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long v = -7;
		bool ok = users_parse_rate(cases[i].text, strlen(cases[i].text), &v);
		ck_assert_msg(ok == cases[i].ok, "%s", cases[i].text);
		if (ok)
			ck_assert_int_eq(v, cases[i].v);
		else
			ck_assert_int_eq(v, -7);
	}
	struct user_entry e;
	const char *why = NULL;
	ck_assert_int_eq(users_parse_line("x:hw:home:rw:277757937749G\n", &e, &why), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_load_ok)
{
	char *path = temp_file("# ferryd users\n"
			       "alice:$6$a:/home/alice:rw\n"
			       "\n"
			       "   # disabled: mallory:$6$m\n"
			       "bob:$6$b::ro\n"
			       "carol:$6$c\n");
	struct users u;
	char err[512] = "";

	ck_assert_msg(users_load(path, &u, err, sizeof err), "load failed: %s", err);
	ck_assert_uint_eq(u.n, 3);
	/* In file order. */
	ck_assert_str_eq(u.v[0].name, "alice");
	ck_assert_str_eq(u.v[1].name, "bob");
	ck_assert_str_eq(u.v[2].name, "carol");

	const struct user_entry *e = users_find(&u, "alice");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->hash, "$6$a");
	ck_assert_str_eq(e->home, "/home/alice");
	ck_assert(e->writable);
	e = users_find(&u, "bob");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->home, "");
	ck_assert(!e->writable);
	e = users_find(&u, "carol");
	ck_assert_ptr_nonnull(e);
	ck_assert(e->writable);
	/* Names are matched exactly. */
	ck_assert_ptr_null(users_find(&u, "mallory"));
	ck_assert_ptr_null(users_find(&u, "Alice"));
	ck_assert_ptr_null(users_find(&u, "alic"));
	ck_assert_ptr_null(users_find(&u, "alicex"));
	ck_assert_ptr_null(users_find(&u, ""));

	users_free(&u);
	ck_assert_uint_eq(u.n, 0);
	ck_assert_ptr_null(users_find(&u, "alice"));
	unlink(path);
	free(path);
}
END_TEST

/* Files written on Windows, and files without a final newline. */
START_TEST(test_load_crlf_no_final_newline)
{
	char *path = temp_file("alice:$6$a:pub:ro\r\n\r\nbob:$6$b");
	struct users u;
	char err[512] = "";

	ck_assert_msg(users_load(path, &u, err, sizeof err), "load failed: %s", err);
	ck_assert_uint_eq(u.n, 2);
	ck_assert_str_eq(u.v[0].home, "pub");
	ck_assert(!u.v[0].writable);
	ck_assert_str_eq(u.v[1].name, "bob");
	ck_assert_str_eq(u.v[1].hash, "$6$b");
	users_free(&u);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_load_empty)
{
	char *path = temp_file("");
	struct users u;
	char err[512] = "";

	ck_assert(users_load(path, &u, err, sizeof err));
	ck_assert_uint_eq(u.n, 0);
	ck_assert_ptr_null(users_find(&u, "alice"));
	users_free(&u);
	unlink(path);
	free(path);
}
END_TEST

/* Asserts that err starts with "PATH:LINE:" and contains word. */
static void expect_error(const char *err, const char *path, unsigned line, const char *word)
{
	char prefix[4200];
	snprintf(prefix, sizeof prefix, "%s:%u: ", path, line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "\"%s\" does not start with \"%s\"",
		      err, prefix);
	ck_assert_uint_gt(strlen(err), strlen(prefix));
	if (word != NULL)
		ck_assert_msg(strstr(err, word) != NULL, "\"%s\" does not mention \"%s\"", err, word);
}

START_TEST(test_load_duplicate)
{
	char *path = temp_file("alice:$6$a\n# comment\nbob:$6$b\nalice:$6$c\n");
	struct users u;
	char err[512] = "";

	ck_assert(!users_load(path, &u, err, sizeof err));
	expect_error(err, path, 4, "alice");
	ck_assert_uint_eq(u.n, 0);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_load_bad_line)
{
	char *path = temp_file("alice:$6$a\n\nbroken line\ncarol:$6$c\n");
	struct users u;
	char err[512] = "";

	ck_assert(!users_load(path, &u, err, sizeof err));
	expect_error(err, path, 3, NULL);
	ck_assert_uint_eq(u.n, 0);
	unlink(path);
	free(path);

	path = temp_file("alice:$6$a:home:admin\n");
	ck_assert(!users_load(path, &u, err, sizeof err));
	expect_error(err, path, 1, NULL);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_load_missing)
{
	const char *path = "/nonexistent-ferry-dir/users";
	struct users u;
	char err[512] = "";

	ck_assert(!users_load(path, &u, err, sizeof err));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "\"%s\" does not name the file", err);
	ck_assert_uint_gt(strlen(err), strlen(path));
	ck_assert_uint_eq(u.n, 0);
}
END_TEST

/* A line too long for the reader is an error at that line, not a silently
 * split account. */
START_TEST(test_load_long_line)
{
	size_t n = 20000;
	char *text = malloc(n + 64);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "alice:$6$a\nbob:");
	size_t off = strlen(text);
	memset(text + off, 'h', n);
	strcpy(text + off + n, "\n");

	char *path = temp_file(text);
	struct users u;
	char err[512] = "";
	ck_assert(!users_load(path, &u, err, sizeof err));
	expect_error(err, path, 2, NULL);
	ck_assert_uint_eq(u.n, 0);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

/* A long hash that still fits the reader loads whole. */
START_TEST(test_load_long_hash)
{
	size_t n = 4000;
	char *text = malloc(n + 64);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "bob:");
	memset(text + 4, 'h', n);
	strcpy(text + 4 + n, ":pub:ro\n");

	char *path = temp_file(text);
	struct users u;
	char err[512] = "";
	ck_assert_msg(users_load(path, &u, err, sizeof err), "load failed: %s", err);
	ck_assert_uint_eq(u.n, 1);
	ck_assert_uint_eq(strlen(u.v[0].hash), n);
	ck_assert_str_eq(u.v[0].home, "pub");
	users_free(&u);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

/* Many accounts: all loaded, each found by name with its own fields. */
START_TEST(test_load_many)
{
	const int count = 2000;
	char *text = malloc((size_t)count * 48);
	ck_assert_ptr_nonnull(text);
	size_t off = 0;
	for (int i = 0; i < count; i++)
		off += (size_t)snprintf(text + off, 48, "user%d:$6$h%d:home%d:%s\n", i, i, i,
					i % 2 ? "ro" : "rw");
	char *path = temp_file(text);

	struct users u;
	char err[512] = "";
	ck_assert_msg(users_load(path, &u, err, sizeof err), "load failed: %s", err);
	ck_assert_uint_eq(u.n, (size_t)count);
	for (int i = 0; i < count; i += 97) {
		char name[32], hash[32], home[32];
		snprintf(name, sizeof name, "user%d", i);
		snprintf(hash, sizeof hash, "$6$h%d", i);
		snprintf(home, sizeof home, "home%d", i);
		const struct user_entry *e = users_find(&u, name);
		ck_assert_ptr_nonnull(e);
		ck_assert_str_eq(e->name, name);
		ck_assert_str_eq(e->hash, hash);
		ck_assert_str_eq(e->home, home);
		ck_assert_int_eq(e->writable, i % 2 == 0);
	}
	ck_assert_ptr_nonnull(users_find(&u, "user1999"));
	ck_assert_ptr_null(users_find(&u, "user2000"));
	users_free(&u);
	unlink(path);
	free(path);
	free(text);
}
END_TEST

/* A message longer than the caller's buffer is cut, never overrun. */
START_TEST(test_load_small_err)
{
	char *path = temp_file("broken\n");
	struct users u;
	char err[12];

	memset(err, 'Z', sizeof err);
	ck_assert(!users_load(path, &u, err, 8));
	ck_assert_uint_eq(strlen(err), 7);
	ck_assert_int_eq(err[8], 'Z');
	unlink(path);
	free(path);
}
END_TEST

static Suite *users_suite(void)
{
	Suite *s = suite_create("users");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_parse_line, 0,
			    (int)(sizeof line_cases / sizeof line_cases[0]));
	tcase_add_test(core, test_parse_line_messages);
	tcase_add_test(core, test_parse_rate);
	tcase_add_test(core, test_load_ok);
	tcase_add_test(core, test_load_crlf_no_final_newline);
	tcase_add_test(core, test_load_empty);
	tcase_add_test(core, test_load_duplicate);
	tcase_add_test(core, test_load_bad_line);
	tcase_add_test(core, test_load_missing);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_load_long_line);
	tcase_add_test(limits, test_load_long_hash);
	tcase_add_test(limits, test_load_many);
	tcase_add_test(limits, test_load_small_err);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(users_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
