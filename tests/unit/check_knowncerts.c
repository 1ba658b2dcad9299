/* Unit tests for fingerprint and knowncerts: the fingerprint text form
 * and the trust-on-first-use store (parsing, lookups, change detection,
 * the file it writes). */
#include "config.h"

#include "fingerprint.h"
#include "knowncerts.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_A "SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
	     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define FP_B "SHA256:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:" \
	     "FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00"

/* A fingerprint text and its canonical form (NULL: refused). */
static const struct {
	const char *in;
	const char *canon;
} fp_cases[] = {
	{ FP_A, FP_A },
	{ "sha256:00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF", FP_A },
	{ "Sha256:00:112233:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:"
	  "bb:cc:dd:ee:ff", FP_A },
	/* Wrong prefix, length, digits, separators. */
	{ "SHA1:00:11:22:33", NULL },
	{ "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
	  NULL },
	{ "SHA256:", NULL },
	{ "SHA256:00112233445566778899aabbccddeeff00112233445566778899aabbccddee", NULL },
	{ "SHA256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00", NULL },
	{ "SHA256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg", NULL },
	{ "SHA256::00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL },
	{ "SHA256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff:", NULL },
	{ "SHA256:0::0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL },
	{ "SHA256:0 112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL },
	{ " " FP_A, NULL },
	{ FP_A " ", NULL },
	{ "SHA-256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL },
};

START_TEST(fingerprint_canonical)
{
	char out[FP_TEXT_SIZE] = "untouched";
	bool ok = fp_canonical(fp_cases[_i].in, out);
	if (fp_cases[_i].canon) {
		ck_assert_msg(ok, "refused: %s", fp_cases[_i].in);
		ck_assert_str_eq(out, fp_cases[_i].canon);
	} else {
		ck_assert_msg(!ok, "accepted: %s", fp_cases[_i].in);
		ck_assert_str_eq(out, "untouched");
	}
}
END_TEST

START_TEST(fingerprint_format)
{
	unsigned char d[FP_SHA256_LEN];
	for (int i = 0; i < FP_SHA256_LEN; i++)
		d[i] = (unsigned char)(0xff - (i % 16) * 0x11);
	char out[FP_TEXT_SIZE];
	fp_format(d, out);
	ck_assert_str_eq(out, FP_B);
	ck_assert_uint_eq(strlen(out), FP_TEXT_SIZE - 1);
}
END_TEST

/* One host and port and the key it is stored under (NULL: refused). */
static const struct {
	const char *host;
	int port;
	const char *key;
} key_cases[] = {
	{ "ftp.example.org", 21, "ftp.example.org:21" },
	{ "FTP.Example.ORG", 21, "ftp.example.org:21" },
	{ "127.0.0.1", 2121, "127.0.0.1:2121" },
	{ "::1", 990, "[::1]:990" },
	{ "2001:DB8::1", 21, "[2001:db8::1]:21" },
	{ "host", 65535, "host:65535" },
	{ "host", 0, NULL },
	{ "host", 65536, NULL },
	{ "", 21, NULL },
	{ "with space", 21, NULL },
	{ "tab\there", 21, NULL },
	{ "new\nline", 21, NULL },
	{ "[::1]", 21, NULL },
	{ "del\x7f", 21, NULL },
};

START_TEST(store_key)
{
	char out[KNOWNCERTS_KEY_SIZE];
	bool ok = knowncerts_key(key_cases[_i].host, key_cases[_i].port, out, sizeof out);
	if (key_cases[_i].key) {
		ck_assert_msg(ok, "refused: %s", key_cases[_i].host);
		ck_assert_str_eq(out, key_cases[_i].key);
	} else {
		ck_assert_msg(!ok, "accepted: %s", key_cases[_i].host);
	}
}
END_TEST

/* One line and what it parses to: 1 entry, 0 skipped, -1 corrupt. */
static const struct {
	const char *line;
	int rc;
	const char *key;
} line_cases[] = {
	{ "ftp.example.org:21 " FP_A, 1, "ftp.example.org:21" },
	{ "FTP.example.org:21\t" FP_A, 1, "ftp.example.org:21" },
	{ "  host:2121   " FP_A "  ", 1, "host:2121" },
	{ "host:2121 " FP_A "\r", 1, "host:2121" },
	{ "[::1]:990 " FP_A, 1, "[::1]:990" },
	{ "host:21 sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1,
	  "host:21" },
	{ "", 0, NULL },
	{ "   ", 0, NULL },
	{ "\r", 0, NULL },
	{ "# a comment", 0, NULL },
	{ "  # host:21 " FP_A, 0, NULL },
	/* Corrupt. */
	{ "host:21", -1, NULL },
	{ "host " FP_A, -1, NULL },
	{ "host: " FP_A, -1, NULL },
	{ ":21 " FP_A, -1, NULL },
	{ "host:0 " FP_A, -1, NULL },
	{ "host:70000 " FP_A, -1, NULL },
	{ "host:+21 " FP_A, -1, NULL },
	{ "host:21x " FP_A, -1, NULL },
	{ "::1:21 " FP_A, -1, NULL },
	{ "[::1:21 " FP_A, -1, NULL },
	{ "[host]:21 " FP_A, -1, NULL },
	{ "host:21 SHA256:0011", -1, NULL },
	{ "host:21 " FP_A " extra", -1, NULL },
	{ "host:21 " FP_B " " FP_A, -1, NULL },
	{ "\x01host:21 " FP_A, -1, NULL },
};

START_TEST(store_parse_line)
{
	char key[KNOWNCERTS_KEY_SIZE], fp[FP_TEXT_SIZE];
	int rc = knowncerts_parse_line(line_cases[_i].line, key, fp);
	ck_assert_msg(rc == line_cases[_i].rc, "'%s': %d", line_cases[_i].line, rc);
	if (rc == 1) {
		ck_assert_str_eq(key, line_cases[_i].key);
		ck_assert_str_eq(fp, FP_A);
	}
}
END_TEST

/* A fresh folder per test, removed afterwards. */
static char dir[256];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ferry-kc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Path of name inside the test folder (static buffer). */
static const char *in_dir(const char *name)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

/* Writes text to path. */
static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

/* Reads path into a static buffer. */
static const char *read_text(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

START_TEST(store_missing_file_is_empty)
{
	char err[256];
	struct knowncerts *kc = knowncerts_load(in_dir("none/known_certs"), err, sizeof err);
	ck_assert_ptr_nonnull(kc);
	ck_assert_int_eq(knowncerts_check(kc, "host", 21, FP_A, NULL), FP_UNKNOWN);
	ck_assert_int_eq(knowncerts_bad_lines(kc), 0);
	knowncerts_free(kc);
}
END_TEST

/* Accept always, then the next connection: match; another certificate:
 * CHANGED with the stored one to show. */
START_TEST(store_add_match_change)
{
	char err[256];
	char path[512];
	snprintf(path, sizeof path, "%s", in_dir("data/ferry/known_certs"));
	struct knowncerts *kc = knowncerts_load(path, err, sizeof err);
	ck_assert_ptr_nonnull(kc);
	ck_assert(knowncerts_set(kc, "Server.Example", 2121, FP_A));
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), 0);
	knowncerts_free(kc);

	kc = knowncerts_load(path, err, sizeof err);
	ck_assert_ptr_nonnull(kc);
	const char *stored = "x";
	ck_assert_int_eq(knowncerts_check(kc, "server.example", 2121, FP_A, &stored), FP_MATCH);
	ck_assert_ptr_null(stored);
	ck_assert_int_eq(knowncerts_check(kc, "server.example", 21, FP_A, NULL), FP_UNKNOWN);
	ck_assert_int_eq(knowncerts_check(kc, "other.example", 2121, FP_A, NULL), FP_UNKNOWN);
	ck_assert_int_eq(knowncerts_check(kc, "SERVER.example", 2121, FP_B, &stored), FP_CHANGED);
	ck_assert_str_eq(stored, FP_A);
	/* Accepting the new one replaces the old. */
	ck_assert(knowncerts_set(kc, "server.example", 2121, FP_B));
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), 0);
	knowncerts_free(kc);
	ck_assert_str_eq(read_text(path), "server.example:2121 " FP_B "\n");
}
END_TEST

/* The file is 0600 whatever the umask and whatever mode it had, and the
 * folders are made 0700. */
START_TEST(store_mode_0600)
{
	char err[256];
	mode_t old = umask(0);
	char path[512];
	snprintf(path, sizeof path, "%s", in_dir("xdg/ferry/known_certs"));
	struct knowncerts *kc = knowncerts_load(path, err, sizeof err);
	ck_assert(knowncerts_set(kc, "127.0.0.1", 21, FP_A));
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), 0);
	knowncerts_free(kc);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(in_dir("xdg/ferry"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	/* A file someone made readable is written back 0600. */
	chmod(path, 0644);
	kc = knowncerts_load(path, err, sizeof err);
	ck_assert(knowncerts_set(kc, "::1", 21, FP_B));
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), 0);
	knowncerts_free(kc);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_str_eq(read_text(path), "127.0.0.1:21 " FP_A "\n[::1]:21 " FP_B "\n");
	umask(old);
}
END_TEST

/* Comments and lines not understood survive a rewrite; corrupt lines
 * never match; duplicate entries collapse into one. */
START_TEST(store_keeps_other_lines)
{
	char err[256];
	const char *path = in_dir("known_certs");
	write_text(path,
		   "# my servers\n"
		   "host:21 SHA256:0011\n"
		   "\n"
		   "host:2121 " FP_A "\n"
		   "garbage line here\n"
		   "host:2121 " FP_A "\n"
		   "last:21 " FP_B,
		   0600);
	struct knowncerts *kc = knowncerts_load(path, err, sizeof err);
	ck_assert_ptr_nonnull(kc);
	ck_assert_int_eq(knowncerts_bad_lines(kc), 2);
	ck_assert_int_eq(knowncerts_check(kc, "host", 21, FP_A, NULL), FP_UNKNOWN);
	ck_assert_int_eq(knowncerts_check(kc, "host", 2121, FP_A, NULL), FP_MATCH);
	ck_assert_int_eq(knowncerts_check(kc, "last", 21, FP_B, NULL), FP_MATCH);
	ck_assert(knowncerts_set(kc, "host", 2121, FP_B));
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), 0);
	knowncerts_free(kc);
	ck_assert_str_eq(read_text(path), "# my servers\n"
					  "host:21 SHA256:0011\n"
					  "\n"
					  "host:2121 " FP_B "\n"
					  "garbage line here\n"
					  "last:21 " FP_B "\n");
}
END_TEST

/* Two entries for one server that disagree: a change, never a match. */
START_TEST(store_conflicting_entries_are_changed)
{
	char err[256];
	const char *path = in_dir("known_certs");
	write_text(path, "host:21 " FP_A "\nhost:21 " FP_B "\n", 0600);
	struct knowncerts *kc = knowncerts_load(path, err, sizeof err);
	const char *stored;
	ck_assert_int_eq(knowncerts_check(kc, "host", 21, FP_A, &stored), FP_CHANGED);
	ck_assert_str_eq(stored, FP_B);
	ck_assert_int_eq(knowncerts_check(kc, "host", 21, FP_B, &stored), FP_CHANGED);
	ck_assert_str_eq(stored, FP_A);
	knowncerts_free(kc);
}
END_TEST

/* Bad input to set is refused and changes nothing. */
START_TEST(store_set_refuses)
{
	char err[256];
	struct knowncerts *kc = knowncerts_load(in_dir("k"), err, sizeof err);
	ck_assert(!knowncerts_set(kc, "host", 21, "SHA256:0011"));
	ck_assert(!knowncerts_set(kc, "host", 21, "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
	ck_assert(!knowncerts_set(kc, "bad host", 21, FP_A));
	ck_assert(!knowncerts_set(kc, "host", 0, FP_A));
	ck_assert_int_eq(knowncerts_check(kc, "host", 21, FP_A, NULL), FP_UNKNOWN);
	knowncerts_free(kc);
}
END_TEST

/* A store that cannot be read or written says why. */
START_TEST(store_errors)
{
	char err[256];
	/* A folder where the file should be. */
	ck_assert_int_eq(mkdir(in_dir("known_certs"), 0700), 0);
	ck_assert_ptr_null(knowncerts_load(in_dir("known_certs"), err, sizeof err));
	ck_assert_msg(strstr(err, "cannot read"), "%s", err);
	/* A file where a folder should be: reading says so. */
	write_text(in_dir("file"), "x", 0600);
	ck_assert_ptr_null(knowncerts_load(in_dir("file/known_certs"), err, sizeof err));
	ck_assert_msg(strstr(err, "Not a directory"), "%s", err);
	/* The same appearing before a save: the save fails, nothing is left. */
	struct knowncerts *kc = knowncerts_load(in_dir("later/known_certs"), err, sizeof err);
	ck_assert_ptr_nonnull(kc);
	ck_assert(knowncerts_set(kc, "host", 21, FP_A));
	write_text(in_dir("later"), "x", 0600);
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "cannot write"), "%s", err);
	knowncerts_free(kc);
	ck_assert_str_eq(read_text(in_dir("later")), "x");
	/* Too large a file. */
	int fd = open(in_dir("big"), O_WRONLY | O_CREAT, 0600);
	ck_assert_int_eq(ftruncate(fd, KNOWNCERTS_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_ptr_null(knowncerts_load(in_dir("big"), err, sizeof err));
	ck_assert_msg(strstr(err, "larger than"), "%s", err);
}
END_TEST

/* A failed save leaves the old file and no temporary. */
START_TEST(store_save_is_atomic)
{
	char err[256];
	ck_assert_int_eq(mkdir(in_dir("ro"), 0700), 0);
	const char *path = in_dir("ro/known_certs");
	char p[512];
	snprintf(p, sizeof p, "%s", path);
	write_text(p, "host:21 " FP_A "\n", 0600);
	struct knowncerts *kc = knowncerts_load(p, err, sizeof err);
	ck_assert(knowncerts_set(kc, "host", 21, FP_B));
	/* Saving over a path that became a non-empty folder fails at the
	 * rename: the temporary must go. */
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	write_text(in_dir("ro/known_certs/inside"), "y", 0600);
	ck_assert_int_eq(knowncerts_save(kc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "cannot replace"), "%s", err);
	knowncerts_free(kc);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", in_dir("ro"));
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Where the store lives: XDG_DATA_HOME if absolute, else ~/.local/share. */
START_TEST(store_path_from_environment)
{
	char buf[512], err[256];
	setenv("HOME", "/home/anna", 1);
	setenv("XDG_DATA_HOME", "/data/anna", 1);
	ck_assert_int_eq(knowncerts_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/data/anna/ferry/known_certs");
	setenv("XDG_DATA_HOME", "relative/path", 1);
	ck_assert_int_eq(knowncerts_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/anna/.local/share/ferry/known_certs");
	unsetenv("XDG_DATA_HOME");
	ck_assert_int_eq(knowncerts_path(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/anna/.local/share/ferry/known_certs");
	char small[10];
	ck_assert_int_eq(knowncerts_path(small, sizeof small, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "too long"), "%s", err);
}
END_TEST

static Suite *knowncerts_suite(void)
{
	Suite *s = suite_create("knowncerts");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, fingerprint_canonical, 0, sizeof fp_cases / sizeof fp_cases[0]);
	tcase_add_test(tc, fingerprint_format);
	tcase_add_loop_test(tc, store_key, 0, sizeof key_cases / sizeof key_cases[0]);
	tcase_add_loop_test(tc, store_parse_line, 0, sizeof line_cases / sizeof line_cases[0]);
	tcase_add_test(tc, store_path_from_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, store_missing_file_is_empty);
	tcase_add_test(tc, store_add_match_change);
	tcase_add_test(tc, store_mode_0600);
	tcase_add_test(tc, store_keeps_other_lines);
	tcase_add_test(tc, store_conflicting_entries_are_changed);
	tcase_add_test(tc, store_set_refuses);
	tcase_add_test(tc, store_errors);
	tcase_add_test(tc, store_save_is_atomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(knowncerts_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
