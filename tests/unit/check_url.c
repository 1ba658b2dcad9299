/* Unit tests for url: ftp:// addresses with credentials, IPv6 hosts,
 * ports and percent-decoded paths, and the errors for bad ones. */
#include "config.h"

#include "url.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct url_case {
	const char *in;
	const char *user, *pass, *host;
	int port;
	const char *path;
};

static const struct url_case good_cases[] = {
	{ "ftp://example.org", NULL, NULL, "example.org", 21, NULL },
	{ "ftp://example.org/", NULL, NULL, "example.org", 21, NULL },
	{ "FTP://Example.org:2121", NULL, NULL, "Example.org", 2121, NULL },
	{ "ftp://example.org:2121/pub/file.txt", NULL, NULL, "example.org", 2121, "pub/file.txt" },
	{ "ftp://alice@host", "alice", NULL, "host", 21, NULL },
	{ "ftp://alice:s3cret@host:21/", "alice", "s3cret", "host", 21, NULL },
	{ "ftp://alice:@host", "alice", "", "host", 21, NULL },
	/* Percent-decoding of user, password and path. */
	{ "ftp://a%40b.c:p%3Aw%2Fd%25@host/my%20file.txt", "a@b.c", "p:w/d%", "host", 21,
	  "my file.txt" },
	{ "ftp://host/%2Fetc/motd", NULL, NULL, "host", 21, "/etc/motd" },
	{ "ftp://host/%c3%bcn%C3%AF.txt", NULL, NULL, "host", 21, "\xc3\xbcn\xc3\xaf.txt" },
	/* The last '@' ends the userinfo. */
	{ "ftp://me:p@ss@host", "me", "p@ss", "host", 21, NULL },
	/* IPv6. */
	{ "ftp://[::1]", NULL, NULL, "::1", 21, NULL },
	{ "ftp://[::1]:2121/pub/", NULL, NULL, "::1", 2121, "pub/" },
	{ "ftp://u:p@[fe80::1%25eth0]:990", NULL, NULL, NULL, 0, NULL },
	{ "ftp://[2001:db8::7]/x", NULL, NULL, "2001:db8::7", 21, "x" },
	{ "::1", NULL, NULL, "::1", 21, NULL },
	{ "2001:db8::7", NULL, NULL, "2001:db8::7", 21, NULL },
	/* Without the scheme. */
	{ "example.org", NULL, NULL, "example.org", 21, NULL },
	{ "127.0.0.1:2121", NULL, NULL, "127.0.0.1", 2121, NULL },
	{ "bob@host:65535/dir", "bob", NULL, "host", 65535, "dir" },
	/* '?' and '#' are ordinary in a path. */
	{ "ftp://host/a?b#c", NULL, NULL, "host", 21, "a?b#c" },
	/* TLS: implicit on its own port, explicit on the usual one. */
	{ "ftps://host", NULL, NULL, "host", 990, NULL },
	{ "FTPS://u:p@host:2990/d", "u", "p", "host", 2990, "d" },
	{ "ftpes://host/d", NULL, NULL, "host", 21, "d" },
	{ "ftpes://[::1]:2121", NULL, NULL, "::1", 2121, NULL },
};

/* The scheme of each good case: named in lower case, ftp without one. */
static const char *good_scheme(const char *in)
{
	if (strncasecmp(in, "ftps://", 7) == 0)
		return "ftps";
	if (strncasecmp(in, "ftpes://", 8) == 0)
		return "ftpes";
	return "ftp";
}

START_TEST(test_good)
{
	const struct url_case *c = &good_cases[_i];
	struct url u;

	if (c->host == NULL) {
		/* A zone index is not a host name character: refused. */
		ck_assert_ptr_nonnull(url_parse(c->in, &u));
		return;
	}
	const char *err = url_parse(c->in, &u);
	ck_assert_msg(err == NULL, "%s: %s", c->in, err);
	if (c->user)
		ck_assert_str_eq(u.user, c->user);
	else
		ck_assert_ptr_null(u.user);
	if (c->pass)
		ck_assert_str_eq(u.pass, c->pass);
	else
		ck_assert_ptr_null(u.pass);
	ck_assert_str_eq(u.host, c->host);
	ck_assert_int_eq(u.port, c->port);
	ck_assert_str_eq(u.scheme, good_scheme(c->in));
	if (c->path)
		ck_assert_str_eq(u.path, c->path);
	else
		ck_assert_ptr_null(u.path);
	url_free(&u);
	ck_assert_ptr_null(u.host);
}
END_TEST

static const struct {
	const char *in;
	const char *msg;   /* part of the message */
} bad_cases[] = {
	{ "http://host/", "only ftp://, ftps:// and ftpes://" },
	{ "sftp://host", "only ftp://" },
	{ "ftpx://host", "only ftp://" },
	{ "ftpsftpes://host", "only ftp://" },
	{ "://host", "only ftp://" },
	{ "ftp://", "no host" },
	{ "ftp:///path", "no host" },
	{ "ftp://user@", "no host" },
	{ "ftp://host:0", "bad port" },
	{ "ftp://host:65536", "bad port" },
	{ "ftp://host:21x", "bad port" },
	{ "ftp://host:", "bad port" },
	{ "ftp://host:-1", "bad port" },
	{ "ftp://host:0000021", "bad port" },
	{ "ftp://[::1", "missing ']'" },
	{ "ftp://[::1]x", "after ']'" },
	{ "ftp://[]:21", "no host" },
	{ "ftp://ho st", "bad character" },
	{ "ftp://host?x", "before the path" },
	{ "ftp://u%4:p@host", "%-escape in the user" },
	{ "ftp://u:p%zz@host", "%-escape in the password" },
	{ "ftp://host/a%0d%0aDELE%20x", "%-escape in the path" },
	{ "ftp://host/a%00b", "%-escape in the path" },
	{ "ftp://host/a%2", "%-escape in the path" },
};

START_TEST(test_bad)
{
	struct url u;
	const char *err = url_parse(bad_cases[_i].in, &u);

	ck_assert_msg(err != NULL, "%s accepted", bad_cases[_i].in);
	ck_assert_msg(strstr(err, bad_cases[_i].msg) != NULL, "%s: \"%s\"", bad_cases[_i].in, err);
	ck_assert_ptr_null(u.host);
	ck_assert_ptr_null(u.user);
	ck_assert_ptr_null(u.pass);
	ck_assert_ptr_null(u.path);
}
END_TEST

static const struct {
	const char *in;
	int want;
} port_cases[] = {
	{ "1", 1 }, { "21", 21 }, { "65535", 65535 }, { "0", -1 }, { "65536", -1 },
	{ "", -1 }, { "2x", -1 }, { "+21", -1 }, { " 21", -1 }, { "999999", -1 },
};

START_TEST(test_port)
{
	ck_assert_int_eq(url_port(port_cases[_i].in), port_cases[_i].want);
}
END_TEST

/* An address longer than URL_MAX is refused; one of URL_MAX is fine. */
START_TEST(test_too_long)
{
	char *s = malloc(URL_MAX + 2);
	struct url u;

	memcpy(s, "ftp://h/", 8);
	memset(s + 8, 'p', URL_MAX - 8);
	s[URL_MAX] = '\0';
	ck_assert_ptr_null(url_parse(s, &u));
	ck_assert_uint_eq(strlen(u.path), URL_MAX - 8);
	url_free(&u);
	s[URL_MAX] = 'p';
	s[URL_MAX + 1] = '\0';
	ck_assert_ptr_nonnull(url_parse(s, &u));
	free(s);
}
END_TEST

static Suite *url_suite(void)
{
	Suite *s = suite_create("url");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_good, 0, (int)(sizeof good_cases / sizeof good_cases[0]));
	tcase_add_loop_test(core, test_bad, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_loop_test(core, test_port, 0, (int)(sizeof port_cases / sizeof port_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_too_long);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(url_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
