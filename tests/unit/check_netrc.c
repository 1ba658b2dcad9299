/* Unit tests for netrc: finding a host's login and password in .netrc
 * text (machine and default entries, login filter, quoting, macros),
 * and reading the file from $HOME. */
#include "config.h"

#include "netrc.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char sample[] =
	"# a comment: machine ftp.example.org login mallory password account\n"
	"machine ftp.example.org login alice password s3cret\n"
	"machine other.example.org\n"
	"    login bob\n"
	"    password \"two words\"\n"
	"    account ignored\n"
	"macdef init\n"
	"cd /pub\n"
	"machine notreally login eve password evil\n"
	"\n"
	"machine FTP.Example.ORG login carol password c4rol\n"
	"machine nopass.example.org login dave\n"
	"default login anonymous password guest@\n";

struct find_case {
	const char *host;
	const char *login;      /* filter, or NULL */
	int found;
	const char *want_login; /* NULL: none */
	const char *want_pass;  /* NULL: none */
};

static const struct find_case find_cases[] = {
	{ "ftp.example.org", NULL, 1, "alice", "s3cret" },
	{ "FTP.EXAMPLE.ORG", NULL, 1, "alice", "s3cret" },
	{ "ftp.example.org", "alice", 1, "alice", "s3cret" },
	/* A second entry for the same host with another login. */
	{ "ftp.example.org", "carol", 1, "carol", "c4rol" },
	/* Quoted tokens, account skipped. */
	{ "other.example.org", NULL, 1, "bob", "two words" },
	/* Tokens inside a macro are not entries. */
	{ "notreally", NULL, 1, "anonymous", "guest@" },
	{ "nopass.example.org", NULL, 1, "dave", NULL },
	/* The default entry fits any host, when nothing else does. */
	{ "unknown.example.org", NULL, 1, "anonymous", "guest@" },
	/* A login that no entry names, and the default names another. */
	{ "ftp.example.org", "mallory", 0, NULL, NULL },
};

START_TEST(test_find)
{
	const struct find_case *c = &find_cases[_i];
	struct netrc_entry e;

	int found = netrc_find(sample, strlen(sample), c->host, c->login, &e);
	ck_assert_int_eq(found, c->found);
	if (c->want_login)
		ck_assert_str_eq(e.login, c->want_login);
	else
		ck_assert_ptr_null(e.login);
	if (c->want_pass)
		ck_assert_str_eq(e.password, c->want_pass);
	else
		ck_assert_ptr_null(e.password);
	netrc_entry_free(&e);
}
END_TEST

/* Small texts with one feature each. */
static const struct {
	const char *text;
	const char *host;
	const char *login;
	int found;
	const char *want_pass;
} small_cases[] = {
	{ "", "h", NULL, 0, NULL },
	{ "machine h", "h", NULL, 1, NULL },
	{ "machine h password p", "h", NULL, 1, "p" },
	{ "machine h password p", "h", "anyone", 1, "p" },   /* no login named: fits */
	{ "machine h login u password", "h", NULL, 1, NULL },  /* cut short */
	{ "machine h\tlogin\tu\r\npassword\tp\r\n", "h", NULL, 1, "p" },
	{ "machine h login u password \"a \\\"b\\\" c\"", "h", NULL, 1, "a \"b\" c" },
	{ "default login u password d machine h login u password m", "h", NULL, 1, "m" },
	{ "machine x login u password x", "h", NULL, 0, NULL },
	{ "macdef m\nmachine h login u password p\n\nmachine h login v password q", "h", NULL,
	  1, "q" },
	/* Comments where a keyword is due; a value may start with '#'. */
	{ "# account\nmachine h login u password p", "h", NULL, 1, "p" },
	{ "   #account x machine y\nmachine h login u password p", "h", NULL, 1, "p" },
	{ "machine h # the host\n login u password p # end", "h", NULL, 1, "p" },
	{ "machine h login u password #secret", "h", NULL, 1, "#secret" },
	{ "machine h login u password \"#quoted\"", "h", NULL, 1, "#quoted" },
	{ "#", "h", NULL, 0, NULL },
};

START_TEST(test_small)
{
	struct netrc_entry e;
	int found = netrc_find(small_cases[_i].text, strlen(small_cases[_i].text),
			       small_cases[_i].host, small_cases[_i].login, &e);
	ck_assert_int_eq(found, small_cases[_i].found);
	if (small_cases[_i].want_pass)
		ck_assert_str_eq(e.password, small_cases[_i].want_pass);
	else
		ck_assert_ptr_null(e.password);
	netrc_entry_free(&e);
}
END_TEST

/* Only len bytes are read: the text need not be NUL-terminated. */
START_TEST(test_len)
{
	const char text[] = "machine h login u password abcdef";
	struct netrc_entry e;

	ck_assert(netrc_find(text, sizeof text - 4, "h", NULL, &e));
	ck_assert_str_eq(e.password, "abc");
	netrc_entry_free(&e);
}
END_TEST

/* Tokens longer than 1 KiB are read whole: a long password is not cut,
 * and a machine name is not matched by a host that is only its start. */
START_TEST(test_long_tokens)
{
	char host[1301], text[4096];
	memset(host, 'h', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	char pass[2001];
	for (size_t i = 0; i < sizeof pass - 1; i++)
		pass[i] = (char)('a' + i % 26);
	pass[sizeof pass - 1] = '\0';
	snprintf(text, sizeof text, "machine %s login u password %s\n", host, pass);
	struct netrc_entry e;

	ck_assert(netrc_find(text, strlen(text), host, NULL, &e));
	ck_assert_str_eq(e.login, "u");
	ck_assert_str_eq(e.password, pass);
	netrc_entry_free(&e);
	host[1024] = '\0';
	ck_assert(!netrc_find(text, strlen(text), host, NULL, &e));
}
END_TEST

/* netrc_lookup reads $HOME/.netrc, or the path given. */
START_TEST(test_lookup_home)
{
	char dir[] = "/tmp/check_netrc.XXXXXX";
	char path[sizeof dir + 16];
	struct netrc_entry e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/.netrc", dir);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("machine h.example login zed password zz\n", fp);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0600), 0);

	setenv("HOME", dir, 1);
	ck_assert(netrc_lookup(NULL, "h.example", NULL, &e));
	ck_assert_str_eq(e.login, "zed");
	ck_assert_str_eq(e.password, "zz");
	netrc_entry_free(&e);
	ck_assert(netrc_lookup(path, "h.example", "zed", &e));
	netrc_entry_free(&e);
	ck_assert(!netrc_lookup(NULL, "other", NULL, &e));

	unlink(path);
	ck_assert(!netrc_lookup(NULL, "h.example", NULL, &e));
	ck_assert_ptr_null(e.login);
	rmdir(dir);
}
END_TEST

/* A file holding passwords must be its owner's alone: with any group or
 * other permission the password is dropped and the entry marked unsafe
 * (its login still names the user); a file without passwords may be
 * readable by all. */
static const struct {
	mode_t mode;
	const char *text;
	bool unsafe;
} mode_cases[] = {
	{ 0600, "machine h login u password p\n", false },
	{ 0400, "machine h login u password p\n", false },
	{ 0644, "machine h login u password p\n", true },
	{ 0640, "machine h login u password p\n", true },
	{ 0604, "machine h login u password p\n", true },
	{ 0620, "machine h login u password p\n", true },
	{ 0644, "machine h login u\n", false },
};

START_TEST(test_lookup_mode)
{
	char path[] = "/tmp/check_netrc_mode.XXXXXX";
	struct netrc_entry e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	const char *text = mode_cases[_i].text;
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode_cases[_i].mode), 0);
	ck_assert(netrc_lookup(path, "h", NULL, &e));
	ck_assert_str_eq(e.login, "u");
	ck_assert(e.unsafe == mode_cases[_i].unsafe);
	if (mode_cases[_i].unsafe || strstr(text, "password") == NULL)
		ck_assert_ptr_null(e.password);
	else
		ck_assert_str_eq(e.password, "p");
	netrc_entry_free(&e);
	unlink(path);
}
END_TEST

/* A file larger than NETRC_MAX is not read. */
START_TEST(test_lookup_too_big)
{
	char path[] = "/tmp/check_netrc_big.XXXXXX";
	struct netrc_entry e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	const char head[] = "machine h login u password p\n";
	ck_assert_int_eq(write(fd, head, sizeof head - 1), (int)(sizeof head - 1));
	char pad[4096];
	memset(pad, ' ', sizeof pad);
	for (size_t n = 0; n <= NETRC_MAX; n += sizeof pad)
		ck_assert_int_eq(write(fd, pad, sizeof pad), (int)sizeof pad);
	close(fd);
	ck_assert(!netrc_lookup(path, "h", NULL, &e));
	unlink(path);
}
END_TEST

/* A FIFO, a device or a directory in place of the file finds nothing at
 * once: a FIFO nobody writes to is not waited on, a device not read. */
START_TEST(test_lookup_not_regular)
{
	char dir[] = "/tmp/check_netrc_fifo.XXXXXX";
	char path[sizeof dir + 16];
	struct netrc_entry e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/netrc", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert(!netrc_lookup(path, "h", NULL, &e));
	unlink(path);
	ck_assert(!netrc_lookup("/dev/zero", "h", NULL, &e));
	ck_assert(!netrc_lookup(dir, "h", NULL, &e));
	rmdir(dir);
}
END_TEST

static Suite *netrc_suite(void)
{
	Suite *s = suite_create("netrc");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_find, 0, (int)(sizeof find_cases / sizeof find_cases[0]));
	tcase_add_loop_test(core, test_small, 0,
			    (int)(sizeof small_cases / sizeof small_cases[0]));
	tcase_add_test(core, test_len);
	tcase_add_test(core, test_long_tokens);
	tcase_add_test(core, test_lookup_home);
	tcase_add_loop_test(core, test_lookup_mode, 0, (int)(sizeof mode_cases / sizeof mode_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_lookup_too_big);
	tcase_add_test(limits, test_lookup_not_regular);
	tcase_set_timeout(limits, 10);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(netrc_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
