/* Unit tests for commands: the gate every command line passes
 * (commands_dispatch), driven through a real session whose control
 * connection is a pair of pipes. The replies are read back from the pipe
 * as a client reads them, and files are checked on disk.
 *
 * Cases: login required for every verb the table does not allow before
 * login; CMD_WRITES refused on read-only accounts with nothing changed;
 * the argument rules; the sequences RNFR -> RNTO and REST/ALLO -> the
 * transfer, reset by the commands RFC 959 says; ABOR and STAT during a
 * transfer; FEAT built from the table. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "listing.h"
#include "session.h"
#include "transfer.h"
#include "vfs.h"
#include "xalloc.h"

static char base[64];              /* temporary directory: the root */
static struct ferryd_config cfg;
static struct session sess, *s = &sess;
static int cmd_pipe[2], reply_pipe[2];
static char replies[65536];        /* what the client read last */

static void put(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static bool exists(const char *rel)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", base, rel);
	return lstat(p, &st) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh session: not logged in, or logged in with the given rights. */
static void start(bool logged_in, bool writable)
{
	snprintf(base, sizeof base, "/tmp/check-dispatch-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
	put("a.txt", "0123456789");
	put("b.txt", "bee");
	ck_assert_int_eq(pipe2(cmd_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(reply_pipe, O_CLOEXEC), 0);
	memset(&cfg, 0, sizeof cfg);
	cfg.root = base;
	cfg.idle_timeout = 5;
	cfg.login_timeout = 5;
	cfg.anonymous = ANON_RW;
	session_init(s, &cfg, cmd_pipe[0], reply_pipe[1]);
	s->in_transfer = commands_dispatch_in_transfer;
	fcntl(reply_pipe[0], F_SETFL, O_NONBLOCK);
	if (logged_in) {
		s->root_fd = vfs_open_root(base);
		ck_assert_int_ge(s->root_fd, 0);
		ck_assert_int_eq(fstat(s->root_fd, &s->root_st), 0);
		s->logged_in = true;
		s->writable = writable;
		s->user = xstrdup("tester");
	}
}

static void stop(void)
{
	session_cleanup(s);
	close(cmd_pipe[0]);
	close(cmd_pipe[1]);
	close(reply_pipe[0]);
	close(reply_pipe[1]);
	nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void start_anon(void)
{
	start(false, false);
}

static void start_rw(void)
{
	start(true, true);
}

static void start_ro(void)
{
	start(true, false);
}

/* Runs one command line and returns every reply it sent, as received. */
static const char *run(const char *line)
{
	commands_dispatch(s, line, strlen(line));
	ssize_t n = read(reply_pipe[0], replies, sizeof replies - 1);
	replies[n > 0 ? n : 0] = '\0';
	return replies;
}

/* Asserts that line's reply starts with code. */
static void expect(const char *line, const char *code)
{
	const char *r = run(line);
	ck_assert_msg(strncmp(r, code, 3) == 0, "%s: expected %s, got \"%s\"", line, code, r);
}

/* ---- login gate ---- */

/* Before login every verb not marked CMD_PRELOGIN gets 530, whatever
 * its argument, and nothing on disk changes. */
START_TEST(test_login_required)
{
	int refused = 0;
	for (const struct command *c = command_table; c->verb; c++) {
		if (c->flags & CMD_PRELOGIN)
			continue;
		char line[64];
		snprintf(line, sizeof line, "%s a.txt", c->verb);
		expect(line, "530");
		snprintf(line, sizeof line, "%s", c->verb);
		expect(line, "530");
		refused++;
	}
	ck_assert_int_ge(refused, 30);
	ck_assert(exists("a.txt") && exists("b.txt"));
	ck_assert(!s->logged_in);
}
END_TEST

/* Before login: the verbs a client needs to log in and learn the server
 * are answered; a real anonymous login opens the commands. */
START_TEST(test_prelogin_verbs)
{
	expect("SYST", "215");
	expect("FEAT", "211");
	expect("NOOP", "200");
	expect("HELP", "214");
	expect("PWD", "530");
	expect("USER anonymous", "331");
	expect("PASS guest@", "230");
	ck_assert(s->logged_in);
	expect("PWD", "257");
	expect("QUIT", "221");
	ck_assert(s->quit);
}
END_TEST

/* ---- rights ---- */

/* A read-only account: every CMD_WRITES verb gets 550 before its handler
 * runs, and the files are as they were. */
START_TEST(test_writes_refused_read_only)
{
	int refused = 0;
	for (const struct command *c = command_table; c->verb; c++) {
		if (!(c->flags & CMD_WRITES))
			continue;
		char line[64];
		snprintf(line, sizeof line, "%s a.txt", c->verb);
		const char *r = run(line);
		ck_assert_msg(strncmp(r, "550 Permission denied (read-only account).", 42) == 0,
			      "%s: %s", line, r);
		refused++;
	}
	ck_assert_int_ge(refused, 9);   /* STOR STOU APPE DELE MKD XMKD RMD XRMD RNFR RNTO */
	ck_assert(exists("a.txt"));
	/* Reading still works. */
	expect("SIZE a.txt", "213");
	expect("MDTM a.txt", "213");
}
END_TEST

/* The same verbs run for a writable account. */
START_TEST(test_writes_allowed_read_write)
{
	expect("MKD newdir", "257");
	ck_assert(exists("newdir"));
	expect("RMD newdir", "250");
	ck_assert(!exists("newdir"));
	expect("DELE b.txt", "250");
	ck_assert(!exists("b.txt"));
}
END_TEST

/* ---- argument rules ---- */

START_TEST(test_argument_rules)
{
	expect("", "500");
	expect("FOOBAR", "500");
	expect("TOOLONGVERB x", "500");
	expect("N0OP", "500");
	expect("noop", "200");                  /* verbs are case-insensitive */
	expect("RETR", "501");                  /* CMD_NEEDS_ARG */
	expect("PWD x", "501");                 /* CMD_NO_ARG */
	ck_assert(strstr(run("CDUP x"), "takes no argument") != NULL);
	commands_dispatch(s, "SIZE a\0b", 8);   /* NUL in the argument */
	ck_assert(read(reply_pipe[0], replies, sizeof replies) > 0);
	ck_assert_int_eq(strncmp(replies, "501", 3), 0);
	expect("DELE a\rb", "553");             /* CMD_PATH_ARG: CR refused */
	ck_assert(exists("a.txt"));
}
END_TEST

/* ---- sequences ---- */

/* RNTO needs the RNFR right before it: any other command in between
 * cancels it. */
START_TEST(test_rnfr_rnto)
{
	expect("RNTO c.txt", "503");
	expect("RNFR a.txt", "350");
	expect("RNTO c.txt", "250");
	ck_assert(exists("c.txt") && !exists("a.txt"));
	expect("RNFR c.txt", "350");
	expect("NOOP", "200");
	expect("RNTO d.txt", "503");
	ck_assert(exists("c.txt") && !exists("d.txt"));
	expect("RNFR c.txt", "350");
	expect("TYPE I", "200");                /* even a setup command cancels it */
	expect("RNTO d.txt", "503");
	expect("RNFR c.txt", "350");
	expect("RNFR b.txt", "350");            /* a second RNFR replaces the first */
	expect("RNTO e.txt", "250");
	ck_assert(exists("c.txt") && exists("e.txt") && !exists("b.txt"));
}
END_TEST

/* Which commands keep a pending REST, ALLO and RNFR (RFC 959: REST and
 * RNFR must be followed at once by the command that uses them; setting
 * up the data channel or asking for state in between is allowed). */
static const struct {
	const char *line;
	bool keeps_rest, keeps_allo, keeps_rnfr;
} keep_cases[] = {
	{ "NOOP", true, true, false },
	{ "TYPE I", true, true, false },
	{ "MODE S", true, true, false },
	{ "STRU F", true, true, false },
	{ "SYST", true, true, false },
	{ "FEAT", true, true, false },
	{ "HELP", true, true, false },
	{ "STAT", true, true, false },
	{ "OPTS UTF8 ON", true, true, false },
	{ "ALLO 10", true, true, false },
	{ "PORT 127,0,0,1,200,10", true, true, false },
	{ "EPSV", true, true, false },
	{ "PASV", true, true, false },
	{ "PWD", false, false, false },
	{ "CWD /", false, false, false },
	{ "SIZE a.txt", false, false, false },
	{ "MDTM a.txt", false, false, false },
	{ "LIST", false, false, false },
	{ "MKD x", false, false, false },
	{ "ABOR", false, false, false },
	{ "RNFR b.txt", false, false, true },   /* a new RNFR replaces the old */
	{ "RNTO c.txt", false, false, false },  /* RNTO uses it up */
};

START_TEST(test_keep_rules)
{
	s->rest = 5;
	s->allo = 10;
	s->rnfr = xstrdup("/a.txt");
	const char *line = keep_cases[_i].line;
	commands_dispatch(s, line, strlen(line));
	/* RETR and STOU without a data channel answer 425 before using what
	 * they keep, so what is left is what the gate kept. */
	ck_assert_msg((s->rest == 5) == keep_cases[_i].keeps_rest, "%s: REST %s", line,
		      s->rest == 5 ? "kept" : "cancelled");
	ck_assert_msg((s->allo == 10) == keep_cases[_i].keeps_allo, "%s: ALLO %s", line,
		      s->allo == 10 ? "kept" : "cancelled");
	if (strncmp(line, "RNFR", 4) == 0)      /* a new RNFR sets its own */
		ck_assert_str_eq(s->rnfr, "/b.txt");
	else
		ck_assert_msg((s->rnfr != NULL) == keep_cases[_i].keeps_rnfr, "%s: RNFR %s", line,
			      s->rnfr ? "kept" : "cancelled");
}
END_TEST

/* Which commands keep a pending RANG (draft-bryan-ftp-range): those
 * that keep REST for a transfer keep it; REST replaces it; HASH uses it
 * up; an upload refuses it (504) and clears it. */
static const struct {
	const char *line;
	bool keeps;
	const char *reply;     /* the reply's start */
} rang_cases[] = {
	{ "NOOP", true, "200" },
	{ "TYPE I", true, "200" },
	{ "ALLO 10", true, "200" },
	{ "FEAT", true, "211" },
	{ "OPTS HASH MD5", true, "200" },
	{ "RANG 0 3", true, "350" },
	{ "PWD", false, "257" },
	{ "SIZE a.txt", false, "213" },
	{ "MKD y", false, "257" },
	{ "REST 3", false, "350" },
	{ "HASH a.txt", false, "213 SHA-256 2-5 " },
	{ "XCRC a.txt", false, "250" },
	{ "MFMT 20200101000000 a.txt", false, "213" },
	{ "STOR n.txt", false, "504" },
	{ "APPE a.txt", false, "504" },
	{ "STOU", false, "504" },
};

START_TEST(test_rang_rules)
{
	s->rang_start = 2;
	s->rang_end = 5;
	const char *r = run(rang_cases[_i].line);
	ck_assert_msg(strncmp(r, rang_cases[_i].reply, strlen(rang_cases[_i].reply)) == 0,
		      "%s: %s", rang_cases[_i].line, r);
	ck_assert_msg((s->rang_end >= 0) == rang_cases[_i].keeps, "%s: RANG %s",
		      rang_cases[_i].line, s->rang_end >= 0 ? "kept" : "cancelled");
	ck_assert(!exists("n.txt"));
}
END_TEST

/* REST n then STOR: a REST beyond the end of the file reaches STOR
 * through the commands that keep it and is refused with 554 before 150,
 * the file unchanged; any other command in between cancels it; a
 * transfer refused for want of a data channel uses it up. */
START_TEST(test_rest_then_transfer)
{
	netaddr_parse_ip("127.0.0.1", 40000, &s->peer);
	netaddr_parse_ip("127.0.0.1", 21, &s->local);
	expect("REST 100", "350");
	expect("TYPE I", "200");
	expect("PASV", "227");
	const char *r = run("STOR a.txt");
	ck_assert_msg(strncmp(r, "554 REST 100 is beyond the end of /a.txt (10 bytes).", 52) == 0,
		      "%s", r);
	expect("NOOP", "200");
	expect("REST 4", "350");
	expect("PWD", "257");
	ck_assert_int_eq(s->rest, 0);
	expect("REST 3", "350");
	s->local.len = 0;
	expect("ABOR", "225");                  /* drops the channel */
	expect("REST 3", "350");
	ck_assert(strstr(run("RETR a.txt"), "425 Use PASV, EPSV, PORT or EPRT first.") != NULL);
	ck_assert_int_eq(s->rest, 0);
	expect("REST 3", "350");
	expect("APPE a.txt", "425");
	ck_assert_int_eq(s->rest, 0);
	expect("REST x", "501");
	/* The file is as it was. */
	char p[256], buf[32];
	snprintf(p, sizeof p, "%s/a.txt", base);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof buf), 10);
	close(fd);
	ck_assert_int_eq(memcmp(buf, "0123456789", 10), 0);
}
END_TEST

/* Every verb that needs a data channel refuses with the same 425 when
 * none is prepared, before touching a file. */
static const char *const data_verbs[] = {
	"RETR a.txt", "STOR new.txt", "STOU", "APPE a.txt", "LIST", "NLST", "MLSD",
};

START_TEST(test_data_channel_required)
{
	const char *r = run(data_verbs[_i]);
	ck_assert_msg(strcmp(r, "425 Use PASV, EPSV, PORT or EPRT first.\r\n") == 0, "%s: %s",
		      data_verbs[_i], r);
	ck_assert(!exists("new.txt") && !exists("ftp.upload"));
}
END_TEST

/* ---- during a transfer ---- */

/* While a transfer runs, ABOR and a bare STAT go through the table
 * (CMD_IN_TRANSFER): STAT reports the transfer, ABOR asks it to end;
 * every other line waits. */
START_TEST(test_in_transfer)
{
	xfer_begin(s, "RETR", "/a.txt", 10);
	ck_assert(!commands_dispatch_in_transfer(s, "NOOP", 4));
	ck_assert(!commands_dispatch_in_transfer(s, "STAT a.txt", 10));
	ck_assert(!commands_dispatch_in_transfer(s, "ABOR ", 5));
	ck_assert(!commands_dispatch_in_transfer(s, "QUIT", 4));
	ck_assert(read(reply_pipe[0], replies, sizeof replies) < 0);   /* nothing answered */
	ck_assert(commands_dispatch_in_transfer(s, "stat", 4));
	ssize_t n = read(reply_pipe[0], replies, sizeof replies - 1);
	ck_assert_int_gt(n, 0);
	replies[n] = '\0';
	ck_assert_str_eq(replies, "213 RETR /a.txt: waiting for the data connection.\r\n");
	ck_assert(!s->xfer.abort);
	ck_assert(commands_dispatch_in_transfer(s, "ABOR", 4));
	ck_assert(s->xfer.abort);
	ck_assert(read(reply_pipe[0], replies, sizeof replies) < 0);   /* the transfer replies */
	xfer_end(s);
	/* No transfer: ABOR and STAT answer for themselves. */
	expect("ABOR", "225");
	ck_assert(strstr(run("STAT"), "No transfer in progress") != NULL);
}
END_TEST

/* ---- FEAT ---- */

/* FEAT lists exactly the table's feature lines, sorted, the MLST line
 * with the facts and their stars, and no TLS lines without TLS. */
START_TEST(test_feat_from_table)
{
	const char *r = run("FEAT");
	ck_assert_msg(strncmp(r, "211-Features:\r\n", 15) == 0, "%s", r);
	ck_assert_msg(strstr(r, "\r\n211 End\r\n") != NULL, "%s", r);
	int lines = 0;
	const char *prev = "";
	for (const char *p = r + 15; *p == ' '; lines++) {
		const char *eol = strstr(p, "\r\n");
		ck_assert_ptr_nonnull(eol);
		char feat[256];
		snprintf(feat, sizeof feat, "%.*s", (int)(eol - p - 1), p + 1);
		ck_assert_msg(strcmp(prev, feat) < 0, "not sorted: %s after %s", feat, prev);
		bool found = false;
		for (const struct command *c = command_table; c->verb; c++)
			if (c->feat && strncmp(feat, c->feat, strlen(c->feat)) == 0 &&
			    (feat[strlen(c->feat)] == '\0' ||
			     (c->flags & (CMD_FEAT_FACTS | CMD_FEAT_HASH))))
				found = true;
		ck_assert_msg(found, "FEAT line \"%s\" has no table entry", feat);
		prev = p + 1;
		p = eol + 2;
	}
	int want = 0;
	for (const struct command *c = command_table; c->verb; c++)
		if (c->feat && !(c->flags & CMD_FEAT_TLS))
			want++;
	ck_assert_int_eq(lines, want);
	for (const char *f = "AVBL\0EPRT\0EPSV\0HASH SHA-256*;SHA-1;MD5;CRC32\0MDTM\0MFMT\0PASV\0"
			     "RANG STREAM\0REST STREAM\0SIZE\0TVFS\0UTF8\0"; *f;
	     f += strlen(f) + 1) {
		char line[32];
		snprintf(line, sizeof line, "\r\n %s\r\n", f);
		ck_assert_msg(strstr(r, line) != NULL, "FEAT lacks %s: %s", f, r);
	}
	ck_assert_msg(strstr(r, "\r\n MLST type*;size*;modify*;perm*;unique*;\r\n") != NULL, "%s", r);
	ck_assert(strstr(r, "AUTH TLS") == NULL);
	/* OPTS MLST changes the stars FEAT shows. */
	expect("OPTS MLST size;", "200");
	r = run("FEAT");
	ck_assert_msg(strstr(r, " MLST type;size*;modify;perm;unique;\r\n") != NULL, "%s", r);
}
END_TEST

/* HELP lists every verb in the table and gives each one's syntax. */
START_TEST(test_help_from_table)
{
	const char *r = run("HELP");
	for (const struct command *c = command_table; c->verb; c++) {
		char word[16];
		snprintf(word, sizeof word, " %-5s", c->verb);
		ck_assert_msg(strstr(r, word) != NULL, "HELP lacks %s", c->verb);
	}
	ck_assert_str_eq(run("HELP rest"), "214 Syntax: REST <offset>\r\n");
}
END_TEST

/* The perm fact's 'd' and 'f' follow the folder's permission bits: write
 * and search, and in a sticky folder owning the entry or the folder. */
START_TEST(test_perm_follows_the_folder)
{
	s->uid = 1000;
	s->gid = 1000;
	struct stat file = { .st_mode = S_IFREG | 0644, .st_uid = 1000, .st_gid = 1000 };
	struct stat other = { .st_mode = S_IFREG | 0666, .st_uid = 2000, .st_gid = 2000 };
	struct stat open = { .st_mode = S_IFDIR | 0777, .st_uid = 0, .st_gid = 0 };
	struct stat locked = { .st_mode = S_IFDIR | 0555, .st_uid = 1000, .st_gid = 1000 };
	struct stat sticky = { .st_mode = S_IFDIR | S_ISVTX | 0777, .st_uid = 0, .st_gid = 0 };
	struct stat own_sticky = sticky;
	own_sticky.st_uid = 1000;
	char perm[16];
	listing_perm(s, &file, &open, perm);
	ck_assert_str_eq(perm, "rwadf");
	listing_perm(s, &file, NULL, perm);
	ck_assert_str_eq(perm, "rwadf");
	listing_perm(s, &file, &locked, perm);
	ck_assert_str_eq(perm, "rwa");
	listing_perm(s, &file, &sticky, perm);
	ck_assert_str_eq(perm, "rwadf");
	listing_perm(s, &other, &sticky, perm);
	ck_assert_str_eq(perm, "rwa");
	listing_perm(s, &other, &own_sticky, perm);
	ck_assert_str_eq(perm, "rwadf");
	s->writable = false;
	listing_perm(s, &file, &open, perm);
	ck_assert_str_eq(perm, "r");
}
END_TEST

static Suite *dispatch_suite(void)
{
	Suite *su = suite_create("dispatch");
	TCase *tc = tcase_create("login");
	tcase_add_checked_fixture(tc, start_anon, stop);
	tcase_add_test(tc, test_login_required);
	tcase_add_test(tc, test_prelogin_verbs);
	suite_add_tcase(su, tc);

	tc = tcase_create("rights");
	tcase_add_checked_fixture(tc, start_ro, stop);
	tcase_add_test(tc, test_writes_refused_read_only);
	suite_add_tcase(su, tc);

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, start_rw, stop);
	tcase_add_test(tc, test_writes_allowed_read_write);
	tcase_add_test(tc, test_argument_rules);
	tcase_add_test(tc, test_rnfr_rnto);
	tcase_add_loop_test(tc, test_keep_rules, 0, sizeof keep_cases / sizeof keep_cases[0]);
	tcase_add_test(tc, test_rest_then_transfer);
	tcase_add_loop_test(tc, test_rang_rules, 0, sizeof rang_cases / sizeof rang_cases[0]);
	tcase_add_loop_test(tc, test_data_channel_required, 0,
			    sizeof data_verbs / sizeof data_verbs[0]);
	tcase_add_test(tc, test_in_transfer);
	tcase_add_test(tc, test_feat_from_table);
	tcase_add_test(tc, test_help_from_table);
	tcase_add_test(tc, test_perm_follows_the_folder);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(dispatch_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
