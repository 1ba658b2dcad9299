/* Unit tests for glob: the matching rule (hidden names, sets, escapes,
 * the literal name), local patterns over a real directory, and remote
 * patterns against the scripted fake server (which directory is listed,
 * what comes back, and that a wildcard before the last part is refused
 * unsent). */
#include "config.h"

#include "glob.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_ftp_fake.h"
#include "check_ftp_scripts.h"

static const struct {
	const char *pattern, *name;
	bool match;
} match_cases[] = {
	{ "*.log", "a.log", true },
	{ "*.log", "a.log.1", false },
	{ "*.log", ".hidden.log", false },
	{ ".*.log", ".hidden.log", true },
	{ "*", ".profile", false },
	{ "old-*", "old-2024.tar", true },
	{ "old-*", "older", false },
	{ "f?.txt", "f1.txt", true },
	{ "f?.txt", "f10.txt", false },
	{ "[ab]*", "apple", true },
	{ "[!ab]*", "apple", false },
	{ "a\\*b", "a*b", true },
	{ "a\\*b", "axb", false },
	{ "*ü*", "grün", true },
};

START_TEST(test_match)
{
	ck_assert_msg(glob_match(match_cases[_i].pattern, match_cases[_i].name) ==
		      match_cases[_i].match, "%s ~ %s", match_cases[_i].pattern,
		      match_cases[_i].name);
}
END_TEST

static const struct {
	const char *pattern;
	bool one;
} names_one_cases[] = {
	{ "st\\*ar", true },
	{ "d*/q\\?", true },
	{ "a\\[1]", true },
	{ "a\\\\*", false },
	{ "data[1].csv", false },
	{ "q?", false },
	{ "*", false },
	{ "trailing\\", true },
};

START_TEST(test_names_one)
{
	ck_assert_msg(glob_names_one(names_one_cases[_i].pattern) == names_one_cases[_i].one,
		      "%s", names_one_cases[_i].pattern);
}
END_TEST

/* Joins the names of l with spaces into buf. */
static const char *names(const struct ftp_listing *l, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", l->v[i].name);
	return buf;
}

/* Local patterns over a directory holding files, a subdirectory and a
 * file whose name looks like a pattern. */
START_TEST(test_local)
{
	char dir[] = "/tmp/check_glob.XXXXXX", path[256], buf[512];
	const char *files[] = { "b.log", "a.log", "c.txt", ".h.log", "x[1].log", "sub/in.log" };
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		FILE *fp = fopen(path, "w");
		ck_assert_ptr_nonnull(fp);
		fclose(fp);
	}
	struct ftp_listing l;
	listparse_init(&l);
	snprintf(path, sizeof path, "%s/*.log", dir);
	ck_assert_int_eq(glob_local(path, &l), 0);
	char want[512];
	snprintf(want, sizeof want, "%s/a.log %s/b.log %s/x[1].log", dir, dir, dir);
	ck_assert_str_eq(names(&l, buf, sizeof buf), want);
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_FILE);
	listparse_free(&l);
	/* The literal name wins over its reading as a pattern. */
	snprintf(path, sizeof path, "%s/x[1].log", dir);
	ck_assert_int_eq(glob_local(path, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, path);
	listparse_free(&l);
	snprintf(path, sizeof path, "%s/s*", dir);
	ck_assert_int_eq(glob_local(path, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_DIR);
	listparse_free(&l);
	snprintf(path, sizeof path, "%s/*.none", dir);
	ck_assert_int_eq(glob_local(path, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	snprintf(path, sizeof path, "%s/s*/in.log", dir);
	ck_assert_int_eq(glob_local(path, &l), -1);
	ck_assert_int_eq(errno, EINVAL);
	listparse_free(&l);
	const char *rm[] = { "b.log", "a.log", "c.txt", ".h.log", "x[1].log", "sub/in.log", "sub" };
	for (size_t i = 0; i < sizeof rm / sizeof rm[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, rm[i]);
		remove(path);
	}
	rmdir(dir);
}
END_TEST

/* Remote patterns: the pattern's directory is listed (MLSD), the matches
 * come back as paths; a wildcard in a directory part is refused unsent. */
START_TEST(test_remote)
{
	static const char body[] =
		"type=cdir;modify=20261121100318; .\r\n"
		"type=file;size=5;modify=20261121100313; b.log\r\n"
		"type=file;size=1;modify=20261121100313; a.log\r\n"
		"type=dir;modify=20261121100313; d.log\r\n"
		"type=file;size=2;modify=20261121100313; notes.txt\r\n";
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD logs", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = body,
		  .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "MLSD", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = body,
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	char buf[512];
	listparse_init(&l);
	ck_status(f, ftp_glob(f, "logs/*.log", &l), FTP_S_OK);
	ck_assert_str_eq(names(&l, buf, sizeof buf), "logs/a.log logs/b.log logs/d.log");
	ck_assert_int_eq(l.v[2].type, FTP_ENTRY_DIR);
	ck_assert_int_eq(l.v[1].size, 5);
	listparse_free(&l);
	ck_status(f, ftp_glob(f, "n*", &l), FTP_S_OK);
	ck_assert_str_eq(names(&l, buf, sizeof buf), "notes.txt");
	listparse_free(&l);
	ck_status(f, ftp_glob(f, "l*/a.log", &l), FTP_S_USAGE);
	ck_assert_uint_eq(l.n, 0);
	fake_client_done(f, fk);
}
END_TEST

static Suite *glob_suite(void)
{
	Suite *s = suite_create("glob");
	TCase *core = tcase_create("core");
	tcase_set_timeout(core, 20);
	tcase_add_loop_test(core, test_match, 0, (int)(sizeof match_cases / sizeof match_cases[0]));
	tcase_add_loop_test(core, test_names_one, 0,
			    (int)(sizeof names_one_cases / sizeof names_one_cases[0]));
	tcase_add_test(core, test_local);
	tcase_add_test(core, test_remote);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(glob_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
