/* Unit tests for creds: the one login rule both front ends use (-u over
 * the URL, ~/.netrc for a missing password, anonymous names), table by
 * table, with a .netrc written per case. */
#include "config.h"

#include "creds.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The host every case logs in to. */
#define HOST "h.example"

struct creds_case {
	const char *option;     /* -u */
	const char *url_user;   /* the URL's user */
	const char *url_pass;   /* the URL's password */
	const char *netrc;      /* the .netrc's text, NULL: no file */
	const char *user;       /* expected user, NULL: anonymous */
	const char *pass;       /* expected password, NULL: none */
};

static const struct creds_case cases[] = {
	/* -u overrides the URL, password and all. */
	{ "bob:pw", "alice", "apw", NULL, "bob", "pw" },
	{ "bob:", "alice", "apw", NULL, "bob", "" },
	{ "bob:p:w", NULL, NULL, NULL, "bob", "p:w" },
	/* -u's user without a password: ~/.netrc's for that user, never the URL's. */
	{ "bob", "alice", "apw", "machine " HOST " login bob password npw\n", "bob", "npw" },
	{ "bob", "alice", "apw", "machine " HOST " login alice password x\n", "bob", NULL },
	{ "bob", NULL, NULL, "machine " HOST " password anyone\n", "bob", "anyone" },
	{ "bob", NULL, NULL, NULL, "bob", NULL },
	/* Without -u: the URL. */
	{ NULL, "alice", "apw", "machine " HOST " login alice password npw\n", "alice", "apw" },
	{ NULL, "alice", NULL, "machine " HOST " login alice password npw\n", "alice", "npw" },
	{ NULL, "alice", NULL, "machine other login alice password npw\n", "alice", NULL },
	{ NULL, "alice", "", NULL, "alice", "" },
	/* Nobody named: ~/.netrc names the user, or the login is anonymous. */
	{ NULL, NULL, NULL, "machine " HOST " login carol password cpw\n", "carol", "cpw" },
	{ NULL, NULL, NULL, "default login dave password dpw\n", "dave", "dpw" },
	{ NULL, NULL, NULL, "machine " HOST " login erin\n", "erin", NULL },
	{ NULL, NULL, NULL, "machine " HOST " password alone\n", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
	{ ":pw", NULL, NULL, NULL, NULL, NULL },
	{ "", "alice", "apw", NULL, "alice", "apw" },
	/* Anonymous names without a password are the anonymous login. */
	{ NULL, "anonymous", NULL, NULL, NULL, NULL },
	{ NULL, "FTP", NULL, NULL, NULL, NULL },
	{ "anonymous", "alice", "apw", NULL, NULL, NULL },
	{ NULL, "ftp", "me@example.org", NULL, "ftp", "me@example.org" },
};

START_TEST(test_resolve)
{
	const struct creds_case *c = &cases[_i];
	char path[] = "/tmp/check_creds_netrc_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	if (c->netrc != NULL)
		ck_assert_int_eq(write(fd, c->netrc, strlen(c->netrc)), (int)strlen(c->netrc));
	close(fd);
	if (c->netrc == NULL)
		unlink(path);

	struct creds_source src = { .option = c->option, .url_user = c->url_user,
				    .url_pass = c->url_pass, .host = HOST, .netrc = path };
	struct creds cr;
	creds_resolve(&src, &cr);
	if (c->user == NULL)
		ck_assert_msg(cr.user == NULL, "case %d: user %s, not anonymous", _i, cr.user);
	else
		ck_assert_msg(cr.user != NULL && strcmp(cr.user, c->user) == 0,
			      "case %d: user %s, not %s", _i, cr.user ? cr.user : "(anonymous)",
			      c->user);
	if (c->pass == NULL)
		ck_assert_msg(cr.pass == NULL, "case %d: password %s, not none", _i, cr.pass);
	else
		ck_assert_msg(cr.pass != NULL && strcmp(cr.pass, c->pass) == 0,
			      "case %d: password %s, not %s", _i, cr.pass ? cr.pass : "(none)",
			      c->pass);
	ck_assert(creds_need_password(&cr) == (c->user != NULL && c->pass == NULL));
	creds_free(&cr);
	ck_assert_ptr_null(cr.user);
	ck_assert_ptr_null(cr.pass);
	if (c->netrc != NULL)
		unlink(path);
}
END_TEST

/* The last login to a server is reused only for that same server (host,
 * any case, and port) and only when neither -u nor the URL names a user. */
static const struct {
	const char *option, *url_user, *host;
	int port;
	const char *user, *pass;   /* expected; NULL user: anonymous */
} last_cases[] = {
	{ NULL, NULL, HOST, 2121, "alice", "apw" },
	{ NULL, NULL, "H.Example", 2121, "alice", "apw" },
	{ NULL, NULL, HOST, 21, NULL, NULL },
	{ NULL, NULL, "other.example", 2121, NULL, NULL },
	{ NULL, "bob", HOST, 2121, "bob", NULL },
	{ "carol:c", NULL, HOST, 2121, "carol", "c" },
};

START_TEST(test_last_login)
{
	struct creds_source src = { .option = last_cases[_i].option,
				    .url_user = last_cases[_i].url_user,
				    .host = last_cases[_i].host, .port = last_cases[_i].port,
				    .netrc = "/nonexistent/.netrc", .last_host = HOST,
				    .last_port = 2121, .last_user = "alice", .last_pass = "apw" };
	struct creds cr;
	creds_resolve(&src, &cr);
	if (last_cases[_i].user == NULL) {
		ck_assert_ptr_null(cr.user);
	} else {
		ck_assert_str_eq(cr.user, last_cases[_i].user);
		if (last_cases[_i].pass == NULL)
			ck_assert_ptr_null(cr.pass);
		else
			ck_assert_str_eq(cr.pass, last_cases[_i].pass);
	}
	creds_free(&cr);
}
END_TEST

/* A ~/.netrc that others can read gives no password, and says so. */
START_TEST(test_netrc_unsafe)
{
	char path[] = "/tmp/check_creds_netrc_XXXXXX";
	const char text[] = "machine " HOST " login erin password epw\n";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof text - 1), (int)sizeof text - 1);
	close(fd);
	ck_assert_int_eq(chmod(path, 0644), 0);
	struct creds_source src = { .host = HOST, .netrc = path };
	struct creds cr;
	creds_resolve(&src, &cr);
	ck_assert_str_eq(cr.user, "erin");
	ck_assert_ptr_null(cr.pass);
	ck_assert(cr.netrc_unsafe);
	ck_assert(creds_need_password(&cr));
	creds_free(&cr);
	ck_assert_int_eq(chmod(path, 0600), 0);
	creds_resolve(&src, &cr);
	ck_assert_str_eq(cr.pass, "epw");
	ck_assert(!cr.netrc_unsafe);
	creds_free(&cr);
	unlink(path);
}
END_TEST

static const struct { const char *name; bool anonymous; } anon_cases[] = {
	{ "anonymous", true }, { "ANONYMOUS", true }, { "ftp", true }, { "Ftp", true },
	{ "anon", false }, { "ftpuser", false }, { "", false }, { "alice", false },
};

START_TEST(test_anonymous_names)
{
	ck_assert_msg(creds_is_anonymous(anon_cases[_i].name) == anon_cases[_i].anonymous,
		      "'%s'", anon_cases[_i].name);
}
END_TEST

#define N(a) ((int)(sizeof a / sizeof a[0]))

static Suite *creds_suite(void)
{
	Suite *s = suite_create("creds");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_resolve, 0, N(cases));
	tcase_add_loop_test(core, test_anonymous_names, 0, N(anon_cases));
	tcase_add_loop_test(core, test_last_login, 0, N(last_cases));
	tcase_add_test(core, test_netrc_unsafe);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(creds_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
