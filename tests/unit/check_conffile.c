/* Unit tests for conffile (splitting ferryd.conf into settings) and for
 * the configuration file as options.c applies it: values, errors with
 * their line numbers, and the order defaults < file < command line. */
#include "config.h"

#include "conffile.h"
#include "options.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- conffile_parse ---- */

/* Collects "key=value@line;" for each setting. */
static bool collect(void *arg, const char *key, const char *value, unsigned lineno, char *err,
		    size_t errsz)
{
	char *out = arg;
	size_t used = strlen(out);
	snprintf(out + used, 1024 - used, "%s=%s@%u;", key, value, lineno);
	if (strcmp(key, "refuse") == 0) {
		snprintf(err, errsz, "refused '%s'", value);
		return false;
	}
	return true;
}

/* A file's text, and the settings or the error it gives. */
struct split_case {
	const char *text;
	size_t len;            /* 0: strlen(text) */
	const char *settings;  /* what collect saw */
	int status;            /* enum conffile_status */
	const char *err;       /* the message, for CONFFILE_BAD */
};

static const struct split_case split_cases[] = {
	{ "", 0, "", CONFFILE_OK, NULL },
	{ "a = b\n", 0, "a=b@1;", CONFFILE_OK, NULL },
	/* Blanks around keys and values, no final newline, CRLF. */
	{ "  key\t=\t value with  inner  blanks \t\n", 0, "key=value with  inner  blanks@1;",
	  CONFFILE_OK, NULL },
	{ "a=b", 0, "a=b@1;", CONFFILE_OK, NULL },
	{ "a = b\r\nc = d\r\n", 0, "a=b@1;c=d@2;", CONFFILE_OK, NULL },
	/* A UTF-8 byte order mark (some editors write one) starts the
	 * file, not its first key; elsewhere it stays part of the text. */
	{ "\xef\xbb\xbf" "a = b\n", 0, "a=b@1;", CONFFILE_OK, NULL },
	{ "a = b\n\xef\xbb\xbf" "c = d\n", 0, "a=b@1;\xef\xbb\xbf" "c=d@2;", CONFFILE_OK, NULL },
	/* Comments and blank lines count for the line numbers. */
	{ "# one\n\n   # three\n\t\nx = 1\n", 0, "x=1@5;", CONFFILE_OK, NULL },
	/* '#' inside a value is part of it; '=' after the first too. */
	{ "root = /srv/ftp#1\n", 0, "root=/srv/ftp#1@1;", CONFFILE_OK, NULL },
	{ "a = b=c\n", 0, "a=b=c@1;", CONFFILE_OK, NULL },
	{ "empty =\n", 0, "empty=@1;", CONFFILE_OK, NULL },
	{ "k = \xc3\xa9t\xc3\xa9\n", 0, "k=\xc3\xa9t\xc3\xa9@1;", CONFFILE_OK, NULL },
	/* Malformed lines, with their numbers. */
	{ "a = b\njust words\n", 0, "a=b@1;", CONFFILE_BAD, "f.conf:2: expected 'key = value'" },
	{ "\n = value\n", 0, "", CONFFILE_BAD, "f.conf:2: a key is missing before '='" },
	{ "a = b\x01\n", 0, "", CONFFILE_BAD, "f.conf:1: control character in the line" },
	{ "a = \xff\n", 0, "", CONFFILE_BAD, "f.conf:1: the line is not valid UTF-8" },
	{ "ok = 1\na = b\0c\n", 13, "ok=1@1;", CONFFILE_BAD, "f.conf:2: NUL byte in the line" },
	/* The callback's refusal, prefixed; nothing after it is read. */
	{ "a = 1\nrefuse = this\nb = 2\n", 0, "a=1@1;refuse=this@2;", CONFFILE_BAD,
	  "f.conf:2: refused 'this'" },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	char seen[1024] = "";
	char err[256] = "";
	size_t len = c->len ? c->len : strlen(c->text);
	enum conffile_status st = conffile_parse("f.conf", c->text, len, collect, seen, err,
						 sizeof err);
	ck_assert_int_eq(st, c->status);
	ck_assert_str_eq(seen, c->settings);
	if (c->err)
		ck_assert_str_eq(err, c->err);
}
END_TEST

START_TEST(test_line_length)
{
	char *text = malloc(CONFFILE_LINE_MAX + 16);
	memcpy(text, "k = ", 4);
	memset(text + 4, 'x', CONFFILE_LINE_MAX - 4);
	text[CONFFILE_LINE_MAX] = '\n';
	char seen[1024 * 8] = "";
	char err[256] = "";
	/* Exactly the limit: read. */
	ck_assert_int_eq(conffile_parse("f", text, CONFFILE_LINE_MAX + 1, collect, seen, err,
					sizeof err), CONFFILE_OK);
	/* One byte more: refused with its line number. */
	memset(text + 4, 'x', CONFFILE_LINE_MAX - 3);
	text[CONFFILE_LINE_MAX + 1] = '\n';
	seen[0] = '\0';
	ck_assert_int_eq(conffile_parse("f", text, CONFFILE_LINE_MAX + 2, collect, seen, err,
					sizeof err), CONFFILE_BAD);
	ck_assert_str_eq(err, "f:1: line too long");
	free(text);
}
END_TEST

START_TEST(test_read_missing)
{
	char seen[64] = "";
	char err[256] = "";
	ck_assert_int_eq(conffile_read("/nonexistent/ferryd.conf", true, collect, seen, err,
				       sizeof err), CONFFILE_OK);
	ck_assert_int_eq(conffile_read("/nonexistent/ferryd.conf", false, collect, seen, err,
				       sizeof err), CONFFILE_UNREADABLE);
	ck_assert_str_eq(err, "/nonexistent/ferryd.conf: No such file or directory");
}
END_TEST

/* ---- The file as ferryd applies it ---- */

/* A scratch directory (the server root) and a configuration file in it. */
static char dir[64];
static char conf[96];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/check_conffile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/ferryd.conf", dir);
}

static void teardown(void)
{
	unlink(conf);
	rmdir(dir);
}

/* Writes text into the configuration file. */
static void write_conf(const char *text)
{
	FILE *f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Runs config_parse on "ferryd -f CONF" and the words of extra (NULL
 * terminated); returns its status, with err. */
static int parse(struct ferryd_config *cfg, char *err, size_t errsz, const char **extra)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)"ferryd";
	argv[argc++] = (char *)"-f";
	argv[argc++] = conf;
	for (; extra && *extra && argc < 31; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	err[0] = '\0';
	return config_parse(cfg, argc, argv, err, errsz);
}

START_TEST(test_file_values)
{
	char text[512];
	snprintf(text, sizeof text,
		 "# a comment\n"
		 "listen = 127.0.0.1:2999\n"
		 "listen = [::1]:3000,pasv-address=192.0.2.7\n"
		 "root = %s\n"
		 "max-clients = 7\n"
		 "anonymous = rw\n"
		 "no-delete = yes\n"
		 "no-overwrite = no\n"
		 "max-rate = 2M\n"
		 "pasv-ports = 50000-50010\n",
		 dir);
	write_conf(text);
	struct ferryd_config cfg;
	char err[512];
	ck_assert_int_eq(parse(&cfg, err, sizeof err, NULL), 0);
	ck_assert_int_eq(cfg.nlisten, 2);
	ck_assert_int_eq(netaddr_port(&cfg.listen[0]), 2999);
	ck_assert_int_eq(netaddr_port(&cfg.listen[1]), 3000);
	ck_assert(cfg.listen_pasv[1].have_v4);
	ck_assert_str_eq(cfg.root, dir);
	ck_assert_int_eq(cfg.max_clients, 7);
	ck_assert_int_eq(cfg.anonymous, ANON_RW);
	ck_assert(cfg.no_delete);
	ck_assert(!cfg.no_overwrite);
	ck_assert_int_eq(cfg.max_rate, 2 * 1024 * 1024);
	ck_assert_int_eq(cfg.pasv_lo, 50000);
	ck_assert_int_eq(cfg.pasv_hi, 50010);
	ck_assert_str_eq(cfg.config_file, conf);
	config_free(&cfg);
}
END_TEST

START_TEST(test_command_line_wins)
{
	char text[512];
	snprintf(text, sizeof text,
		 "listen = 127.0.0.1:2999\nlisten = 127.0.0.1:3000\nroot = /nonexistent\n"
		 "max-clients = 7\nidle-timeout = 50\nanonymous = rw\n");
	write_conf(text);
	struct ferryd_config cfg;
	char err[512];
	/* Scalars: the command line's value; the file's root is never
	 * resolved when the command line gives another. */
	const char *args[] = { "--max-clients", "9", "-r", dir, "--anonymous=off", NULL };
	ck_assert_int_eq(parse(&cfg, err, sizeof err, args), 0);
	ck_assert_int_eq(cfg.max_clients, 9);
	ck_assert_int_eq(cfg.idle_timeout, 50);    /* from the file */
	ck_assert_int_eq(cfg.anonymous, ANON_OFF);
	ck_assert_str_eq(cfg.root, dir);
	/* No -l: the file's two listeners. */
	ck_assert_int_eq(cfg.nlisten, 2);
	config_free(&cfg);

	/* One -l replaces both of the file's; two -l give two. */
	const char *one[] = { "-r", dir, "-l", "127.0.0.1:4000", NULL };
	ck_assert_int_eq(parse(&cfg, err, sizeof err, one), 0);
	ck_assert_int_eq(cfg.nlisten, 1);
	ck_assert_int_eq(netaddr_port(&cfg.listen[0]), 4000);
	config_free(&cfg);
	const char *two[] = { "-r", dir, "--listen", "127.0.0.1:4000", "-l", "[::1]:4001", NULL };
	ck_assert_int_eq(parse(&cfg, err, sizeof err, two), 0);
	ck_assert_int_eq(cfg.nlisten, 2);
	ck_assert_int_eq(netaddr_port(&cfg.listen[1]), 4001);
	config_free(&cfg);
}
END_TEST

/* A file and the error config_parse gives for it ("@" is the file). */
struct error_case {
	const char *text;
	int status;
	const char *err;
};

static const struct error_case error_cases[] = {
	{ "max-clients = 5\nlisen = 127.0.0.1\n", 2, "@:2: unknown key 'lisen'" },
	{ "\n\nmax-clients = lots\n", 2, "@:3: --max-clients takes a number from 1 to 100000" },
	{ "listen = 1.2.3.4:99999\n", 2, "@:1: -l 1.2.3.4:99999: " },
	{ "max-clients = 5\n# x\nmax-clients = 6\n", 2, "@:3: max-clients given twice (first at line 1)" },
	{ "inetd = yes\n", 2, "@:1: 'inetd' belongs on the command line, not in the file" },
	{ "config = /etc/other.conf\n", 2, "@:1: 'config' belongs on the command line, not in the file" },
	{ "no-delete = maybe\n", 2, "@:1: no-delete takes yes or no, not 'maybe'" },
	{ "anonymous = sometimes\n", 2, "@:1: --anonymous takes ro, rw, upload or off, not 'sometimes'" },
	{ "tls = on\n", 2, "--tls=on needs a certificate (--tls-cert)" },
	{ "root = /nonexistent/ftp\n", 1, "@:1: server root /nonexistent/ftp: No such file or directory" },
	{ "users = /nonexistent/users\n", 1, "/nonexistent/users: No such file or directory" },
	{ "a = b\x01\n", 2, "@:1: control character in the line" },
};

START_TEST(test_file_errors)
{
	const struct error_case *c = &error_cases[_i];
	write_conf(c->text);
	struct ferryd_config cfg;
	char err[512];
	/* -r on the command line, unless the case is about the file's root. */
	const char *args[] = { "-r", dir, NULL };
	int r = parse(&cfg, err, sizeof err, strstr(c->text, "root") ? NULL : args);
	ck_assert_int_eq(r, c->status);
	char want[512];
	const char *at = strchr(c->err, '@');
	if (at)
		snprintf(want, sizeof want, "%.*s%s%s", (int)(at - c->err), c->err, conf, at + 1);
	else
		snprintf(want, sizeof want, "%s", c->err);
	/* Messages ending in ": " are checked up to there. */
	size_t n = strlen(want);
	if (n >= 2 && strcmp(want + n - 2, ": ") == 0)
		ck_assert_msg(strncmp(err, want, n) == 0, "got '%s', want '%s...'", err, want);
	else
		ck_assert_str_eq(err, want);
	config_free(&cfg);
}
END_TEST

START_TEST(test_missing_file)
{
	unlink(conf);
	struct ferryd_config cfg;
	char err[512];
	const char *args[] = { "-r", dir, NULL };
	/* -f FILE must exist. */
	ck_assert_int_eq(parse(&cfg, err, sizeof err, args), 1);
	char want[256];
	snprintf(want, sizeof want, "%s: No such file or directory", conf);
	ck_assert_str_eq(err, want);
	config_free(&cfg);
}
END_TEST

/* --check-config's output, read back as a configuration file, gives the
 * same configuration. */
START_TEST(test_print_round_trip)
{
	char text[512];
	snprintf(text, sizeof text,
		 "listen = 127.0.0.1:2999,pasv-address=192.0.2.1\nlisten = [::1]:3000\n"
		 "root = %s\nmax-per-ip = 3\nno-sandbox = yes\nban-after = 0\n"
		 "pasv-address = 198.51.100.4\npasv-address = 2001:db8::4\n"
		 "proxy-protocol = yes\nproxy-from = 10.0.0.0/8,::1\nmetrics = 127.0.0.1:9121\n"
		 "verbose = yes\nxferlog = /var/log/x\nmax-rate = 1K\n",
		 dir);
	write_conf(text);
	struct ferryd_config cfg;
	char err[512];
	ck_assert_int_eq(parse(&cfg, err, sizeof err, NULL), 0);
	char *first = NULL, *second = NULL;
	size_t n1 = 0, n2 = 0;
	FILE *out = open_memstream(&first, &n1);
	config_print(&cfg, out);
	fclose(out);
	config_free(&cfg);
	ck_assert_ptr_nonnull(strstr(first, "\nmax-per-ip = 3\n"));
	ck_assert_ptr_nonnull(strstr(first, "\nno-sandbox = yes\n"));
	ck_assert_ptr_nonnull(strstr(first, "\nlisten = 127.0.0.1:2999,pasv-address=192.0.2.1\n"));
	ck_assert_ptr_nonnull(strstr(first, "\nproxy-from = 10.0.0.0/8,::1/128\n"));
	ck_assert_ptr_nonnull(strstr(first, "\n# users =\n"));
	ck_assert_ptr_nonnull(strstr(first, "\nmax-rate = 1024\n"));

	write_conf(first);
	ck_assert_int_eq(parse(&cfg, err, sizeof err, NULL), 0);
	out = open_memstream(&second, &n2);
	config_print(&cfg, out);
	fclose(out);
	config_free(&cfg);
	ck_assert_str_eq(strchr(second, '\n'), strchr(first, '\n'));
	free(first);
	free(second);
}
END_TEST

static Suite *conffile_suite(void)
{
	Suite *s = suite_create("conffile");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_split, 0, (int)(sizeof split_cases / sizeof split_cases[0]));
	tcase_add_test(core, test_read_missing);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_line_length);
	suite_add_tcase(s, limits);

	TCase *options = tcase_create("options");
	tcase_add_checked_fixture(options, setup, teardown);
	tcase_add_test(options, test_file_values);
	tcase_add_test(options, test_command_line_wins);
	tcase_add_loop_test(options, test_file_errors, 0,
			    (int)(sizeof error_cases / sizeof error_cases[0]));
	tcase_add_test(options, test_missing_file);
	tcase_add_test(options, test_print_round_trip);
	suite_add_tcase(s, options);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conffile_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
