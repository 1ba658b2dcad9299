/* Unit tests for creds: the one login rule both front ends use (-u over
 * the URL, ~/.netrc for a missing password, anonymous names), table by
 * table, with a .netrc written per case. */
#include "config.h"

#include "creds.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
