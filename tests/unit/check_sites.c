/* Unit tests for sites: the sites file's parser (every key, URLs that
 * fill fields, comments, CRLF, each kind of bad line refused with its
 * number), writing and reading back the same sites, the file's mode, the
 * editing calls, and the recent hosts list. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sites.h"

static const char good_text[] =
	"# my servers\n"
	"\n"
	"[work]\n"
	"url = ftpes://ftp.example.org:2121\n"
	"user = alice\n"
	"password = s3 cret\n"
	"remote = /pub/in coming\n"
	"local = /home/alice/up\n"
	"mode = active\n"
	"  [ home box ]  \r\n"
	"  URL=ftp://bob:pw@[::1]/start\r\n"
	"tls = off\r\n"
	"[plain]\n"
	"url = 127.0.0.1\n"
	"[implicit]\n"
	"url = ftps://h.example\n"
	"mode = passive\n";

START_TEST(test_parse_good)
{
	struct sites s;
	char err[SITES_ERR_MAX] = "";
	ck_assert_int_eq(sites_parse(&s, good_text, strlen(good_text), err, sizeof err), 0);
	ck_assert_uint_eq(s.n, 4);
	const struct site *w = sites_find(&s, "work");
	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(w->host, "ftp.example.org");
	ck_assert_int_eq(w->port, 2121);
	ck_assert_int_eq(w->tls, SITES_TLS_REQUIRE);
	ck_assert_str_eq(w->user, "alice");
	ck_assert_str_eq(w->pass, "s3 cret");
	ck_assert_str_eq(w->remote, "/pub/in coming");
	ck_assert_str_eq(w->local, "/home/alice/up");
	ck_assert_int_eq(w->mode, SITES_MODE_ACTIVE);
	/* Blanks around the name go; the URL gives user, password and path;
	 * a tls line after it wins. */
	const struct site *h = sites_find(&s, "home box");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->host, "::1");
	ck_assert_int_eq(h->port, 21);
	ck_assert_str_eq(h->user, "bob");
	ck_assert_str_eq(h->pass, "pw");
	ck_assert_str_eq(h->remote, "start");
	ck_assert_int_eq(h->tls, SITES_TLS_OFF);
	const struct site *p = sites_find(&s, "plain");
	ck_assert_int_eq(p->tls, SITES_TLS_AUTO);
	ck_assert_str_eq(p->user, "");
	ck_assert_int_eq(p->mode, SITES_MODE_DEFAULT);
	const struct site *i = sites_find(&s, "implicit");
	ck_assert_int_eq(i->tls, SITES_TLS_IMPLICIT);
	ck_assert_int_eq(i->port, 990);
	ck_assert_int_eq(i->mode, SITES_MODE_PASSIVE);
	ck_assert_ptr_null(sites_find(&s, "Work"));
	sites_free(&s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* Bad files: the text and the line number the error must name. */
static const struct {
	const char *text;
	const char *line;
	const char *words;
} bad_cases[] = {
	{ "url = host\n", "line 1:", "before the first" },
	{ "[a]\nurl = host\ncolour = red\n", "line 3:", "unknown key" },
	{ "[a]\nuser = x\n[b]\nurl = h\n", "line 1:", "no url" },
	{ "[a]\nurl = h\n\n[b]\nuser = x\n", "line 4:", "no url" },
	{ "[a]\nurl = h\n[a]\nurl = h\n", "line 3:", "second site" },
	{ "[a]\nurl = h\ntls = maybe\n", "line 3:", "tls is" },
	{ "[a]\nurl = h\nmode = fast\n", "line 3:", "mode is" },
	{ "[a]\nurl = gopher://h\n", "line 2:", "" },
	{ "[a]\nurl = h:99999\n", "line 2:", "" },
	{ "[a\nurl = h\n", "line 1:", "[name]" },
	{ "[]\nurl = h\n", "line 1:", "needs a name" },
	{ "[a]\nurl = h\njust words\n", "line 3:", "key = value" },
	{ "[a]\nurl = h\nuser = x\x01y\n", "line 3:", "control" },
};

START_TEST(test_parse_bad)
{
	struct sites s;
	char err[SITES_ERR_MAX] = "";
	const char *text = bad_cases[_i].text;
	ck_assert_int_eq(sites_parse(&s, text, strlen(text), err, sizeof err), -1);
	ck_assert_msg(strncmp(err, bad_cases[_i].line, strlen(bad_cases[_i].line)) == 0,
		      "case %d: %s", _i, err);
	ck_assert_msg(strstr(err, bad_cases[_i].words) != NULL, "case %d: %s", _i, err);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.v);
}
END_TEST

START_TEST(test_nul_and_long_line)
{
	struct sites s;
	char err[SITES_ERR_MAX];
	static const char nul[] = "[a]\nurl = h\0x\n";
	ck_assert_int_eq(sites_parse(&s, nul, sizeof nul - 1, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "line 2") != NULL, "%s", err);
	size_t n = 10000;
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "[a]\nurl = ", 10);
	big[n] = '\0';
	ck_assert_int_eq(sites_parse(&s, big, n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "too long") != NULL, "%s", err);
	free(big);
}
END_TEST

/* Writes s to a temporary folder's sites file and reads it back. */
START_TEST(test_save_and_load)
{
	char dir[] = "/tmp/check_sites_XXXXXX", path[512], err[SITES_ERR_MAX];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/ferry/sites", dir);
	struct sites s, back;
	ck_assert_int_eq(sites_load(&s, path, err, sizeof err), 0);   /* missing: none */
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(sites_parse(&s, good_text, strlen(good_text), err, sizeof err), 0);
	ck_assert_int_eq(sites_save(&s, path, err, sizeof err), 0);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(sites_load(&back, path, err, sizeof err), 0);
	ck_assert_uint_eq(back.n, s.n);
	for (size_t i = 0; i < s.n; i++)
		ck_assert_msg(memcmp(&s.v[i], &back.v[i], sizeof s.v[i]) == 0, "site %zu differs", i);
	sites_free(&back);

	/* Edit: rename one, refuse a taken name, remove one. */
	struct site w = *sites_find(&s, "work");
	snprintf(w.name, sizeof w.name, "plain");
	ck_assert_ptr_nonnull(sites_put(&s, &w, "work"));
	snprintf(w.name, sizeof w.name, "office");
	ck_assert_ptr_null(sites_put(&s, &w, "work"));
	ck_assert_ptr_null(sites_find(&s, "work"));
	ck_assert_str_eq(s.v[0].name, "office");
	ck_assert(sites_remove(&s, "plain"));
	ck_assert(!sites_remove(&s, "plain"));
	snprintf(w.name, sizeof w.name, "bad]name");
	ck_assert_ptr_nonnull(sites_put(&s, &w, NULL));
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(sites_save(&s, path, err, sizeof err), 0);
	ck_assert_int_eq(sites_load(&back, path, err, sizeof err), 0);
	ck_assert_uint_eq(back.n, 3);
	ck_assert_ptr_nonnull(sites_find(&back, "office"));
	ck_assert_ptr_null(sites_find(&back, "plain"));
	sites_free(&back);
	sites_free(&s);

	/* A bad file is refused with its name and line. */
	FILE *fp = fopen(path, "w");
	fputs("[x]\nurl = h\nport = 3\n", fp);
	fclose(fp);
	ck_assert_int_eq(sites_load(&s, path, err, sizeof err), -1);
	ck_assert_msg(strstr(err, path) != NULL && strstr(err, "line 3") != NULL, "%s", err);
	unlink(path);
	snprintf(path, sizeof path, "%s/sub/ferry", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_url_and_paths)
{
	struct site s;
	memset(&s, 0, sizeof s);
	snprintf(s.name, sizeof s.name, "x");
	ck_assert_ptr_null(sites_set_url(&s, "ftps://[2001:db8::1]:2990/d"));
	char out[URL_MAX];
	sites_url(&s, out, sizeof out);
	ck_assert_str_eq(out, "ftps://[2001:db8::1]:2990");
	s.tls = SITES_TLS_OFF;
	sites_url(&s, out, sizeof out);
	ck_assert_str_eq(out, "ftp://[2001:db8::1]:2990");
	struct url u;
	sites_to_url(&s, &u);
	ck_assert_str_eq(u.scheme, "ftp");
	ck_assert_str_eq(u.host, "2001:db8::1");
	ck_assert_str_eq(u.path, "d");
	ck_assert_ptr_null(u.user);
	url_free(&u);

	char buf[512], err[SITES_ERR_MAX];
	setenv("HOME", "/home/anna", 1);
	setenv("XDG_CONFIG_HOME", "/cfg/anna", 1);
	setenv("XDG_STATE_HOME", "rel", 1);
	ck_assert_int_eq(sites_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/cfg/anna/ferry/sites");
	ck_assert_int_eq(sites_recent_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/anna/.local/state/ferry/recent");
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_int_eq(sites_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/anna/.config/ferry/sites");
	ck_assert_int_eq(sites_tls_parse("IMPLICIT"), SITES_TLS_IMPLICIT);
	ck_assert_int_eq(sites_tls_parse("tls"), -1);
}
END_TEST

START_TEST(test_recent)
{
	char dir[] = "/tmp/check_recent_XXXXXX", path[512], err[SITES_ERR_MAX], url[64];
	static char got[SITES_RECENT_MAX][URL_MAX];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/recent", dir);
	ck_assert_uint_eq(sites_recent_load(path, got, SITES_RECENT_MAX), 0);
	for (int i = 0; i < SITES_RECENT_MAX + 3; i++) {
		snprintf(url, sizeof url, "ftp://h%d:21", i);
		ck_assert_int_eq(sites_recent_add(path, url, err, sizeof err), 0);
	}
	/* Again: moves to the front, not kept twice. */
	ck_assert_int_eq(sites_recent_add(path, "ftp://h5:21", err, sizeof err), 0);
	ck_assert_uint_eq(sites_recent_load(path, got, SITES_RECENT_MAX), SITES_RECENT_MAX);
	ck_assert_str_eq(got[0], "ftp://h5:21");
	ck_assert_str_eq(got[1], "ftp://h12:21");
	for (int i = 1; i < SITES_RECENT_MAX; i++)
		ck_assert_str_ne(got[i], "ftp://h5:21");
	ck_assert_int_eq(sites_recent_add(path, "ftp://a\nb", err, sizeof err), -1);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A FIFO, a device or a directory in place of the sites file is refused
 * at once with its name, never waited on or read without end. */
START_TEST(test_load_not_regular)
{
	char dir[] = "/tmp/check_sites_fifo.XXXXXX";
	char path[sizeof dir + 16], err[512];
	struct sites s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sites", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	const char *const paths[] = { path, "/dev/zero", dir };
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		err[0] = '\0';
		ck_assert_int_eq(sites_load(&s, paths[i], err, sizeof err), -1);
		ck_assert_msg(strstr(err, paths[i]) != NULL && strchr(err, '\n') == NULL, "%s", err);
		ck_assert_msg(strstr(err, i < 2 ? "not a regular file" : "directory") != NULL, "%s",
			      err);
		sites_free(&s);
	}
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *sites_suite(void)
{
	Suite *s = suite_create("sites");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, test_nul_and_long_line);
	tcase_add_test(tc, test_save_and_load);
	tcase_add_test(tc, test_url_and_paths);
	tcase_add_test(tc, test_recent);
	tcase_add_test(tc, test_load_not_regular);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sites_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
