/* Unit tests for the client engine (ftp.h) against a scripted fake server
 * (check_ftp_fake.h). Each script lists the exact command lines the engine
 * must send, in order, with the replies real servers give (vsftpd,
 * pure-ftpd, ferryd, IIS forms); the fake fails the test on any other
 * line, a missing line, or a line after the script. Data connections are
 * real loopback connections the fake announces in its 227/229 replies. */
#include "config.h"

#include "ftp.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_ftp_fake.h"
#include "check_ftp_scripts.h"
#include "sbuf.h"
#include "sysio.h"

/* What a progress callback saw. */
struct prog {
	int calls;          /* how many times it was called */
	off_t first_done;   /* done at the first call */
	off_t last_done;    /* done at the last call */
	off_t last_total;   /* total at the last call */
	double last_rate;   /* rate at the last call */
	bool monotonic;     /* done never went down */
	off_t cancel_at;    /* cancel once done >= this (-1: never) */
};

static int prog_cb(void *arg, off_t done, off_t total, double rate)
{
	struct prog *p = arg;
	if (p->calls == 0)
		p->first_done = done;
	else if (done < p->last_done)
		p->monotonic = false;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
	p->last_rate = rate;
	return p->cancel_at >= 0 && done >= p->cancel_at;
}

static void prog_init(struct prog *p, off_t cancel_at)
{
	memset(p, 0, sizeof *p);
	p->monotonic = true;
	p->cancel_at = cancel_at;
}

/* ---- login ---- */

START_TEST(test_login_anonymous)
{
	static const struct fake_step steps[] = { LOGIN_FERRYD, QUIT_STEP, END };
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "230 Logged in.");
	ck_assert_str_eq(ftp_welcome(f), "ferryd ready.");
	ck_assert_str_eq(ftp_dir(f), "/");
	ck_assert_uint_eq(ftp_features(f), FTP_FEAT_MLST | FTP_FEAT_SIZE | FTP_FEAT_MDTM |
			  FTP_FEAT_REST | FTP_FEAT_UTF8 | FTP_FEAT_EPSV);
	ck_assert(ftp_connected(f));
	ck_status(f, ftp_quit(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "221 Goodbye.");
	ck_assert(!ftp_connected(f));
	fake_client_done(f, fk);
}
END_TEST

/* A named user; FEAT refused (no OPTS UTF8 then); the password is never traced. */
START_TEST(test_login_user)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Service ready\r\n" },
		STEP("USER alice", "331 Password required for alice\r\n"),
		STEP("PASS s3cret", "230 User alice logged in\r\n"),
		STEP("FEAT", "500 'FEAT': command not understood\r\n"),
		STEP("TYPE I", "200 Type set to I\r\n"),
		STEP("PWD", "257 \"/home/alice\" is your current location\r\n"),
		END,
	};
	int fd;
	struct sbuf trace;
	struct fake *fk = fake_start(steps, &fd);
	struct ftp *f = ftp_new();
	sbuf_init(&trace, 65536);
	ftp_set_trace(f, trace_collect, &trace);
	ck_status(f, ftp_connect_fd(f, fd, "127.0.0.1", "alice", "s3cret"), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/home/alice");
	ck_assert_uint_eq(ftp_features(f), 0);
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "> PASS ****\n"));
	ck_assert_ptr_null(strstr(sbuf_str(&trace), "s3cret"));
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "# login: USER -> PASS\n"));
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* Some servers log in at USER (230) without asking for a password. */
START_TEST(test_login_no_password)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 ready\r\n" },
		STEP("USER anonymous", "230 Anonymous access granted, restrictions apply\r\n"),
		STEP("FEAT", FEAT_VSFTPD),
		STEP("TYPE I", "200 ok\r\n"),
		STEP("PWD", "257 \"/\"\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "230 Anonymous access granted, restrictions apply");
	fake_client_done(f, fk);
}
END_TEST

START_TEST(test_login_refused)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("USER anonymous", "331 Please specify the password.\r\n"),
		STEP("PASS anonymous@", "530 Login incorrect.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_LOGIN);
	ck_assert_str_eq(ftp_message(f), "530 Login incorrect.");
	ck_assert_int_eq(ftp_reply_code(f), 530);
	ck_assert(!ftp_connected(f));
	fake_client_done(f, fk);
}
END_TEST

START_TEST(test_login_user_refused)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("USER anonymous", "530 This FTP server is for registered users only.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_LOGIN);
	ck_assert_str_eq(ftp_message(f), "530 This FTP server is for registered users only.");
	fake_client_done(f, fk);
}
END_TEST

/* Turned away at the greeting: a connect failure, not a login failure. */
START_TEST(test_greeting_421)
{
	static const struct fake_step steps[] = {
		{ .reply = "421 Too many connections (8) from this IP\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_CONNECT);
	ck_assert_str_eq(ftp_message(f), "421 Too many connections (8) from this IP");
	ck_assert(!ftp_connected(f));
	fake_client_done(f, fk);
}
END_TEST

/* 120 "ready in a while" before the 220. */
START_TEST(test_greeting_120)
{
	static const struct fake_step steps[] = {
		{ .reply = "120 Service ready in 1 minute.\r\n220 Ready now.\r\n" },
		STEP("USER anonymous", "230 ok\r\n"),
		STEP("FEAT", "502 no\r\n"),
		STEP("TYPE I", "200 ok\r\n"),
		STEP("PWD", "257 \"/\"\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_assert_str_eq(ftp_welcome(f), "Ready now.");
	fake_client_done(f, fk);
}
END_TEST

/* Not an FTP server (an SSH server's banner): broken, the start of what it
 * sent named. */
START_TEST(test_greeting_garbage)
{
	static const struct fake_step steps[] = { { .reply = "SSH-2.0-OpenSSH_9.2\r\n" }, END };
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "not an FTP server: it sent \"SSH-2.0-OpenSSH_9.2\"");
	fake_client_done(f, fk);
}
END_TEST

/* pure-ftpd's multi-line greeting, with an escape sequence someone put in
 * it; FEAT lists UTF8 but OPTS UTF8 ON is refused, which is harmless. */
START_TEST(test_login_pure_ftpd)
{
	static const struct fake_step steps[] = {
		{ .reply = "220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
			   "220-You are user number 1 of 50 allowed.\r\n"
			   "220-Local time is now 10:03. Server port: 21.\r\n"
			   "220-\x1b[2J\x1b]0;pwned\x07 cleared your screen\r\n"
			   "220 You will be disconnected after 15 minutes of inactivity.\r\n" },
		STEP("USER alice", "331 User alice OK. Password required\r\n"),
		STEP("PASS secret", "230 OK. Current directory is /\r\n"),
		STEP("FEAT", FEAT_PURE),
		STEP("OPTS UTF8 ON", "504 Unknown command\r\n"),
		STEP("TYPE I", "200 TYPE is now 8-bit binary\r\n"),
		STEP("PWD", "257 \"/\" is your current location\r\n"),
		END,
	};
	int fd;
	struct fake *fk = fake_start(steps, &fd);
	struct ftp *f = ftp_new();
	ck_status(f, ftp_connect_fd(f, fd, NULL, "alice", "secret"), FTP_S_OK);
	ck_assert_str_eq(ftp_welcome(f),
			 "--------- Welcome to Pure-FTPd [privsep] [TLS] ----------\n"
			 "You are user number 1 of 50 allowed.\n"
			 "Local time is now 10:03. Server port: 21.\n"
			 "?[2J?]0;pwned? cleared your screen\n"
			 "You will be disconnected after 15 minutes of inactivity.");
	ck_assert_uint_eq(ftp_features(f), FTP_FEAT_MLST | FTP_FEAT_SIZE | FTP_FEAT_MDTM |
			  FTP_FEAT_REST | FTP_FEAT_UTF8 | FTP_FEAT_EPSV | FTP_FEAT_MFMT);
	fake_client_done(f, fk);
}
END_TEST

/* Multi-line forms: inner lines without the leading space, inner lines
 * repeating "code-", and a reply to PWD split over lines. */
START_TEST(test_multiline_forms)
{
	static const struct fake_step steps[] = {
		{ .reply = "220-first\r\n220-second\r\n220 third\r\n" },
		STEP("USER anonymous", "331-Guest login ok,\r\n331 send your e-mail as password.\r\n"),
		STEP("PASS anonymous@", "230-Welcome\r\n230-  to the archive\r\n230 Login successful.\r\n"),
		STEP("FEAT", "211-Extensions supported:\r\nUTF8\r\nMLST type*;size*;\r\nSIZE\r\n211 End.\r\n"),
		STEP("OPTS UTF8 ON", "200 ok\r\n"),
		STEP("TYPE I", "200 ok\r\n"),
		STEP("PWD", "257-\"/pub\" is the current directory\r\n257 (and that is all)\r\n"),
		STEP("NOOP", "200-NOOP\r\n 200 this line is not the end\r\n200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_assert_str_eq(ftp_welcome(f), "first\nsecond\nthird");
	ck_assert_str_eq(ftp_message(f), "230 Welcome   to the archive Login successful.");
	ck_assert_uint_eq(ftp_features(f), FTP_FEAT_MLST | FTP_FEAT_SIZE | FTP_FEAT_UTF8);
	ck_assert_str_eq(ftp_dir(f), "/pub");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "200 NOOP 200 this line is not the end NOOP ok.");
	fake_client_done(f, fk);
}
END_TEST

/* pyftpdlib offers UNIX.mode without switching it on: the login asks
 * for it with OPTS MLST, keeping the facts that are on, and listings
 * then carry permissions. */
START_TEST(test_login_asks_unix_mode)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 pyftpdlib ready.\r\n" },
		STEP("USER anonymous", "331 Username ok, send password.\r\n"),
		STEP("PASS anonymous@", "230 Login successful.\r\n"),
		STEP("FEAT", "211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n"
		     " MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n"
		     " REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n"),
		STEP("OPTS UTF8 ON", "200 Command accepted.\r\n"),
		STEP("OPTS MLST type;perm;size;modify;unique;unix.mode;",
		     "200 MLST OPTS type;perm;size;modify;unique;unix.mode;\r\n"),
		STEP("TYPE I", "200 Type set to: Binary.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory.\r\n"),
		EPSV_OK,
		{ .expect = "MLSD", .reply = "125 Data connection already open.\r\n",
		  .act = FAKE_SEND, .data = "modify=20261202023223;perm=radfwMT;size=2;type=file;"
		  "unique=fe00gaeebd1;unix.mode=0o644; x.txt\r\n",
		  .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct ftp_listing l;
	listparse_init(&l);
	fake_list(steps, NULL, FTP_S_OK, &l, NULL, 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "x.txt");
	ck_assert_str_eq(l.v[0].perms, "-rw-r--r--");
	listparse_free(&l);
}
END_TEST

/* Without UTF8, OPTS MLST follows FEAT; facts listings read are asked
 * for even when they are off, others only when they are on; a refusal
 * leaves the login as it was (no permissions in listings). */
START_TEST(test_login_unix_mode_refused)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 ready.\r\n" },
		STEP("USER anonymous", "331 Send password.\r\n"),
		STEP("PASS anonymous@", "230 Welcome.\r\n"),
		STEP("FEAT", "211-Features:\r\n MLST Type*;Size;perm;UNIX.mode;modify*;\r\n"
		     "211 End\r\n"),
		STEP("OPTS MLST Type;Size;UNIX.mode;modify;", "501 Not understood.\r\n"),
		STEP("TYPE I", "200 ok\r\n"),
		STEP("PWD", "257 \"/\"\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_assert_uint_eq(ftp_features(f), FTP_FEAT_MLST);
	ck_assert_str_eq(ftp_dir(f), "/");
	fake_client_done(f, fk);
}
END_TEST

/* ---- connecting over TCP ---- */

/* Logs in over a real connection and lists, so the data connection goes
 * to the control connection's peer. */
static const struct fake_step tcp_steps[] = {
	LOGIN_FERRYD,
	EPSV_OK,
	{ .expect = "MLSD", .reply = "150 Here comes the listing.\r\n", .act = FAKE_SEND,
	  .data = "type=file;size=3;modify=20200101000000; x\r\n", .after = "226 Done.\r\n" },
	QUIT_STEP,
	END,
};

/* Connects to host and runs tcp_steps. */
static void connect_and_list(const char *host, bool v6)
{
	int port;
	struct fake *fk = fake_start_tcp(tcp_steps, v6, &port);
	ck_assert_int_gt(port, 0);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	ck_status(f, ftp_connect(f, host, port, NULL, NULL), FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "x");
	listparse_free(&l);
	ck_status(f, ftp_quit(f), FTP_S_OK);
	fake_client_done(f, fk);
}

START_TEST(test_connect_ipv4)
{
	connect_and_list("127.0.0.1", false);
}
END_TEST

START_TEST(test_connect_hostname)
{
	connect_and_list("localhost", false);
}
END_TEST

START_TEST(test_connect_ipv6)
{
	connect_and_list("::1", true);
}
END_TEST

START_TEST(test_connect_ipv6_brackets)
{
	connect_and_list("[::1]", true);
}
END_TEST

START_TEST(test_connect_refused)
{
	/* A port that was just free: nothing listens there now. */
	struct netaddr a;
	const char *what;
	ck_assert_ptr_null(netaddr_parse_ip("127.0.0.1", 0, &a));
	int lfd = sysio_listen(&a, 1, &what);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(sysio_sockname(lfd, &a), 0);
	int port = netaddr_port(&a);
	close(lfd);

	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	ck_status(f, ftp_connect(f, "127.0.0.1", port, NULL, NULL), FTP_S_CONNECT);
	char want[128];
	snprintf(want, sizeof want, "could not connect to 127.0.0.1 (127.0.0.1:%d): Connection refused",
		 port);
	ck_assert_str_eq(ftp_message(f), want);
	ck_assert(!ftp_connected(f));
	ftp_free(f);
}
END_TEST

START_TEST(test_connect_usage)
{
	struct ftp *f = ftp_new();
	ck_status(f, ftp_connect(f, NULL, 21, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_connect(f, "127.0.0.1", 70000, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_connect(f, "127.0.0.1", 21, "bob\r\nDELE x", NULL), FTP_S_USAGE);
	ck_assert_str_eq(ftp_message(f), "a name cannot contain a line break");
	/* Nothing connected yet: commands are a usage error. */
	ck_status(f, ftp_noop(f), FTP_S_USAGE);
	ck_assert_str_eq(ftp_message(f), "not connected");
	ck_status(f, ftp_quit(f), FTP_S_OK);
	ftp_free(f);
}
END_TEST

/* An upload's remote name refused for a line break is a local failure
 * only where the line break came from the local name. */
START_TEST(test_upload_status)
{
	/* A file or a folder of a tree, the same name on both sides. */
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "up/new\nline.txt", "dst/new\nline.txt"),
			 FTP_S_LOCAL);
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "src/bad\ndir", "dst/bad\ndir"),
			 FTP_S_LOCAL);
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "src/bad\rdir/x", "bad\rdir/x"),
			 FTP_S_LOCAL);
	/* A line break the user typed in the remote name: a usage error. */
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "a.txt", "x\ny"), FTP_S_USAGE);
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "src/b.txt", "d\nx/b.txt"), FTP_S_USAGE);
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "src/ab\nc", "dst/b\nc"), FTP_S_USAGE);
	/* Other failures, and usage errors without a line break, stay. */
	ck_assert_int_eq(ftp_upload_status(FTP_S_USAGE, "a", "a"), FTP_S_USAGE);
	ck_assert_int_eq(ftp_upload_status(FTP_S_REFUSED, "a\nb", "a\nb"), FTP_S_REFUSED);
	ck_assert_int_eq(ftp_upload_status(FTP_S_OK, "a\nb", "a\nb"), FTP_S_OK);
}
END_TEST

/* ---- listings ---- */

START_TEST(test_list_mlsd)
{
	static const char body[] =
		"type=cdir;sizd=4096;modify=20261121100318;UNIX.mode=0755; .\r\n"
		"type=pdir;sizd=4096;modify=20261121100318;UNIX.mode=0755; ..\r\n"
		"type=file;size=5;modify=20261121100313;perm=rdf; a b.txt\r\n"
		"type=dir;size=4096;modify=20200101120000;perm=eldf; dir\r\n"
		"type=OS.unix=slink:/etc;size=4;modify=20261121100313; link\r\n"
		"type=file;size=1; \x1b[31mred\r\n";
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "MLSD", .reply = "150 Opening data connection for MLSD.\r\n",
		  .act = FAKE_SEND, .data = body, .after = "226 Transfer complete.\r\n" },
		EPSV_OK,
		{ .expect = "MLSD sub dir", .reply = "150 Opening.\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=0; empty\r\n", .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "226 Transfer complete.");
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[0].name, "a b.txt");
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_FILE);
	ck_assert_int_eq(l.v[0].size, 5);
	ck_assert_int_eq(l.v[0].mtime, 1795255393);
	ck_assert_str_eq(l.v[1].name, "dir");
	ck_assert_int_eq(l.v[1].type, FTP_ENTRY_DIR);
	ck_assert_int_eq(l.v[2].type, FTP_ENTRY_LINK);
	ck_assert_str_eq(l.v[2].target, "/etc");
	ck_assert_str_eq(l.v[3].name, "\x1b[31mred");
	ck_assert_str_eq(l.v[3].display, "?[31mred");
	ck_status(f, ftp_list(f, "sub dir", &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.v[4].name, "empty");
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* vsftpd has no MLSD: LIST, parsed from its `ls -l` lines. It says
 * UNIX to SYST, and its "LIST -a" lists "." and "..": -a stays, for the
 * names starting with '.' that its plain LIST leaves out; a name
 * starting with '-' goes as ./name after it. */
START_TEST(test_list_vsftpd)
{
	static const char body[] =
		"drwxr-xr-x    3 0        0            4096 Nov 21 10:03 .\r\n"
		"drwxr-xr-x    9 0        0            4096 Nov 21 10:03 ..\r\n"
		"-rw-r--r--    1 0        0               5 Nov 21 10:03 a b.txt\r\n"
		"drwxr-xr-x    2 0        0            4096 Jan 01  2020 dir\r\n"
		"lrwxrwxrwx    1 0        0               4 Nov 21 10:03 link -> /etc\r\n";
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_UNIX,
		EPSV_OK,
		{ .expect = "LIST -a", .reply = "150 Here comes the directory listing.\r\n",
		  .act = FAKE_SEND, .data = body, .after = "226 Directory send OK.\r\n" },
		EPSV_OK,
		{ .expect = "LIST -a ./-d", .reply = "150 Here comes the directory listing.\r\n",
		  .act = FAKE_SEND, .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 .hid\r\n",
		  .after = "226 Directory send OK.\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, "", &l), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "226 Directory send OK.");
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].name, "a b.txt");
	ck_assert_str_eq(l.v[0].perms, "-rw-r--r--");
	ck_assert_str_eq(l.v[1].name, "dir");
	ck_assert_int_eq(l.v[1].type, FTP_ENTRY_DIR);
	ck_assert_int_eq(l.v[1].mtime, 1577836800);
	ck_assert_str_eq(l.v[2].name, "link");
	ck_assert_str_eq(l.v[2].target, "/etc");
	listparse_free(&l);
	ck_status(f, ftp_list(f, "-d", &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, ".hid");
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* A UNIX server whose LIST reads "-a" as a name: an empty listing, or a
 * refusal, is not believed; plain LIST answers, and after a directory's
 * listing (not a file's one entry) -a is not sent again. */
START_TEST(test_list_dash_a_not_taken)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_UNIX,
		EPSV_OK,
		{ .expect = "LIST -a f.txt", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 f.txt\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "LIST f.txt", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 f.txt\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "LIST -a d", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "LIST d", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 in-d\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "LIST e", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 in-e\r\n", .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, "f.txt", &l), FTP_S_OK);
	ck_status(f, ftp_list(f, "d", &l), FTP_S_OK);
	ck_status(f, ftp_list(f, "e", &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].name, "f.txt");
	ck_assert_str_eq(l.v[1].name, "in-d");
	ck_assert_str_eq(l.v[2].name, "in-e");
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* IIS: "215 Windows_NT" (plain LIST, no -a), "125 Data connection already
 * open" and DOS lines. */
START_TEST(test_list_iis)
{
	static const char body[] =
		"12-25-20  10:30AM       <DIR>          Program Files\r\n"
		"01-02-2021  09:15PM             1234 notes.txt\r\n";
	static const struct fake_step steps[] = {
		{ .reply = "220 Microsoft FTP Service\r\n" },
		STEP("USER anonymous", "331 Anonymous access allowed, send identity (e-mail name) as password.\r\n"),
		STEP("PASS anonymous@", "230 User logged in.\r\n"),
		STEP("FEAT", "211-Extended features supported:\r\n LANG EN*\r\n UTF8\r\n AUTH TLS;TLS-C;SSL;TLS-P;\r\n"
		     " PBSZ\r\n PROT C;P;\r\n CCC\r\n HOST\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n211 END\r\n"),
		STEP("OPTS UTF8 ON", "200 OPTS UTF8 command successful - UTF8 encoding now ON.\r\n"),
		STEP("TYPE I", "200 Type set to I.\r\n"),
		STEP("PWD", "257 \"/\" is current directory.\r\n"),
		STEP("SYST", "215 Windows_NT\r\n"),
		EPSV_OK,
		{ .expect = "LIST", .reply = "125 Data connection already open; Transfer starting.\r\n",
		  .act = FAKE_SEND, .data = body, .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct ftp_listing l;
	listparse_init(&l);
	fake_list(steps, NULL, FTP_S_OK, &l, NULL, 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].name, "Program Files");
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_DIR);
	ck_assert_str_eq(l.v[1].name, "notes.txt");
	ck_assert_int_eq(l.v[1].size, 1234);
	listparse_free(&l);
}
END_TEST

/* FEAT offers MLST but MLSD is refused: LIST now and from then on. */
START_TEST(test_list_mlsd_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		STEP("MLSD", "500 Unknown command.\r\n"),
		SYST_NOT_UNIX,
		EPSV_OK,
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 one\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 2 Nov 21 09:57 two\r\n", .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].name, "one");
	ck_assert_str_eq(l.v[1].name, "two");
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* MLSD refused for one directory with a 4xx reply (ferryd's 451 for a
 * name with a line break): that directory is listed with LIST, the call
 * says so, and the next listing asks for MLSD again. A 5xx refusal (no
 * such directory) stands, with no LIST behind it (only MLST, in case the
 * path names a file). */
START_TEST(test_list_mlsd_fails_for_one_directory)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		STEP("MLSD odd", "451 Listing too large.\r\n"),
		SYST_NOT_UNIX,
		EPSV_OK,
		{ .expect = "LIST odd", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 one\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "MLSD", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "type=file;size=2; two\r\n", .after = "226 ok\r\n" },
		EPSV_OK,
		STEP("MLSD gone", "550 No such directory.\r\n"),
		STEP("MLST gone", "550 No such file.\r\n"),
		EPSV_OK,
		STEP("MLSD odd", "451 Try again.\r\n"),
		EPSV_OK,
		STEP("LIST odd", "550 Not today.\r\n"),
		STEP("MLST odd", "550 No such file.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, "odd", &l), FTP_S_OK);
	ck_assert(ftp_list_fell_back(f));
	ck_assert_msg(strstr(ftp_message(f), "MLSD failed (451 Listing too large.)") != NULL,
		      "message: %s", ftp_message(f));
	ck_assert_msg(strstr(ftp_message(f), "LIST") != NULL, "message: %s", ftp_message(f));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "one");
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert(!ftp_list_fell_back(f));
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[1].name, "two");
	ck_status(f, ftp_list(f, "gone", &l), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 No such directory.");
	/* LIST failing too: its refusal is the call's. */
	ck_status(f, ftp_list(f, "odd", &l), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 Not today.");
	ck_assert_uint_eq(l.n, 2);
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* Lines the parser does not understand are counted in the message. */
START_TEST(test_list_not_understood)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		EPSV_OK,
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "total 8\r\nnonsense\r\n-rw-r--r-- 1 0 0 1 Nov 21 09:57 ok\r\nmore nonsense\r\n",
		  .after = "226 Directory send OK.\r\n" },
		END,
	};
	struct ftp_listing l;
	char msg[FAKE_MSG_MAX];
	listparse_init(&l);
	fake_list(steps, NULL, FTP_S_OK, &l, msg, sizeof msg);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.skipped, 2);
	ck_assert_str_eq(msg, "226 Directory send OK. (2 lines not understood)");
	listparse_free(&l);
}
END_TEST

START_TEST(test_list_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		EPSV_OK,
		STEP("LIST nothere", "550 Failed to open directory.\r\n"),
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, "nothere", &l), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 Failed to open directory.");
	ck_assert_uint_eq(l.n, 0);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	fake_client_done(f, fk);
}
END_TEST

/* A server that answers 226 at once (no 1xx) for an empty directory. */
START_TEST(test_list_done_without_1xx)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		EPSV_OK,
		{ .expect = "LIST", .reply = "226 No files.\r\n", .act = FAKE_SEND },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_str_eq(ftp_message(f), "226 No files.");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* ---- data connections: EPSV, PASV and their replies ---- */

/* EPSV refused: PASV, and PASV straight away for the next transfer. */
START_TEST(test_epsv_to_pasv)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		STEP("EPSV", "500 'EPSV': command not understood.\r\n"),
		{ .expect = "PASV", .pre = FAKE_LISTEN,
		  .reply = "227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n" },
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 a\r\n", .after = "226 ok\r\n" },
		{ .expect = "PASV", .pre = FAKE_LISTEN,
		  .reply = "227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n" },
		{ .expect = "RETR a", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "A",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	listparse_free(&l);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "a", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[16];
	ck_assert_uint_eq(read_back(fd, buf, sizeof buf), 1);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* Behind NAT the server announces a private address: the engine keeps
 * the port and connects to the control host instead. */
START_TEST(test_pasv_nat)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		STEP("EPSV", "502 EPSV not implemented.\r\n"),
		{ .expect = "PASV", .pre = FAKE_LISTEN,
		  .reply = "227 Entering Passive Mode (10,9,8,7,{P1},{P2}).\r\n" },
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 behind-nat\r\n", .after = "226 ok\r\n" },
		END,
	};
	int fd;
	struct sbuf trace;
	struct fake *fk = fake_start(steps, &fd);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	sbuf_init(&trace, 65536);
	ftp_set_trace(f, trace_collect, &trace);
	ck_status(f, ftp_connect_fd(f, fd, "127.0.0.1", NULL, NULL), FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "behind-nat");
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace),
				     "# PASV named 10.9.8.7, not the server (127.0.0.1): using 127.0.0.1\n"));
	listparse_free(&l);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* 227 replies in the forms servers use. */
static const char *const pasv_forms[] = {
	"227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n",            /* vsftpd, ferryd */
	"227 Entering Passive Mode (127,0,0,1,{P1},{P2})\r\n",             /* pure-ftpd */
	"227 Entering Passive Mode 127,0,0,1,{P1},{P2}\r\n",               /* no brackets */
	"227 =127,0,0,1,{P1},{P2}\r\n",                                     /* '=' form */
	"227 Entering passive mode (127, 0, 0, 1, {P1}, {P2})\r\n",        /* spaces */
	"227-Entering Passive Mode\r\n227 (127,0,0,1,{P1},{P2})\r\n",      /* multi-line */
	"227 Entering Passive Mode (0,0,0,0,{P1},{P2})\r\n",               /* unspecified address */
	"227 Entering Passive Mode (192,168,1,20,{P1},{P2}).\r\n",         /* NAT */
};

START_TEST(test_pasv_forms)
{
	struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("EPSV", "500 no\r\n"),
		{ .expect = "PASV", .pre = FAKE_LISTEN, .reply = pasv_forms[_i] },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "payload",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[16];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "payload");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* 229 replies in the forms servers use. */
static const char *const epsv_forms[] = {
	"229 Entering Extended Passive Mode (|||{PORT}|)\r\n",             /* vsftpd */
	"229 Extended Passive mode OK (|||{PORT}|)\r\n",                   /* pure-ftpd */
	"229 Entering Extended Passive Mode (|||{PORT}|).\r\n",            /* ferryd */
	"229 (!!!{PORT}!)\r\n",                                            /* another delimiter */
	"229-EPSV ok\r\n229 Entering Extended Passive Mode (|||{PORT}|)\r\n",
};

START_TEST(test_epsv_forms)
{
	struct fake_step steps[] = {
		LOGIN_VSFTPD,
		{ .expect = "EPSV", .pre = FAKE_LISTEN, .reply = epsv_forms[_i] },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "payload",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[16];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "payload");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* 229 replies that cannot be used: PASV is tried instead. */
static const char *const epsv_bad[] = {
	"229 Entering Extended Passive Mode (|||0|)\r\n",
	"229 Entering Extended Passive Mode (|||70000|)\r\n",
	"229 Entering Extended Passive Mode |||2121|\r\n",
	"229 Entering Extended Passive Mode (||2121|)\r\n",
	"229 Entering Extended Passive Mode (|||2121)\r\n",
	"229 Ok\r\n",
};

START_TEST(test_epsv_bad_falls_back)
{
	struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("EPSV", epsv_bad[_i]),
		{ .expect = "PASV", .pre = FAKE_LISTEN,
		  .reply = "227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n" },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "x",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The EPSV port cannot be reached: PASV is tried. */
START_TEST(test_epsv_unreachable_falls_back)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		{ .expect = "EPSV", .pre = FAKE_LISTEN_DEAD,
		  .reply = "229 Entering Extended Passive Mode (|||{PORT}|)\r\n" },
		{ .expect = "PASV", .pre = FAKE_LISTEN,
		  .reply = "227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n" },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "x",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* Neither way works: the call fails, the control connection stays usable. */
START_TEST(test_no_data_connection)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		SYST_NOT_UNIX,
		STEP("EPSV", "500 no\r\n"),
		STEP("PASV", "227 Entering Passive Mode, but no numbers\r\n"),
		{ .expect = "PASV", .pre = FAKE_LISTEN_DEAD,
		  .reply = "227 Entering Passive Mode (127,0,0,1,{P1},{P2}).\r\n" },
		STEP("PASV", "425 Can't open passive connection.\r\n"),
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f),
			 "no address in 227 reply: Entering Passive Mode, but no numbers");
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_BROKEN);
	ck_assert_ptr_nonnull(strstr(ftp_message(f), "Connection refused"));
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "425 Can't open passive connection.");
	ck_assert(ftp_connected(f));
	ck_status(f, ftp_noop(f), FTP_S_OK);
	listparse_free(&l);
	fake_client_done(f, fk);
}
END_TEST

/* ---- downloads ---- */

START_TEST(test_get)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "RETR dir/a b.txt", .reply = "150 Opening BINARY mode data connection.\r\n",
		  .act = FAKE_SEND, .data = "hello world", .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "dir/a b.txt", fd, 0, NULL, NULL), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "226 Transfer complete.");
	char buf[64];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "hello world");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* With a progress callback the size is asked first, for the total. */
START_TEST(test_get_progress)
{
	static char payload[100001];
	memset(payload, 'z', 100000);
	struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("SIZE big", "213 100000\r\n"),
		EPSV_OK,
		{ .expect = "RETR big", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = payload, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	struct prog p;
	prog_init(&p, -1);
	ck_status(f, ftp_get(f, "big", fd, 0, prog_cb, &p), FTP_S_OK);
	ck_assert_int_ge(p.calls, 2);
	ck_assert_int_eq(p.first_done, 0);
	ck_assert_int_eq(p.last_done, 100000);
	ck_assert_int_eq(p.last_total, 100000);
	ck_assert(p.monotonic);
	ck_assert(p.last_rate >= 0.0);
	struct stat sb;
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, 100000);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* A download that ends short of the size SIZE gave just before, with a
 * 226 all the same, did not arrive whole: broken, saying how much came
 * (the caller then keeps its temporary file from the real name). */
START_TEST(test_get_short_of_size)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("SIZE big", "213 10\r\n"),
		EPSV_OK,
		{ .expect = "RETR big", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "abcd", .after = "226 ok\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	struct prog p;
	prog_init(&p, -1);
	ck_status(f, ftp_get(f, "big", fd, 0, prog_cb, &p), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "the transfer ended after 4 of 10 bytes (226 ok)");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* A download whose size nobody asked for (no progress to show, so no
 * SIZE) ends short of what the 150 announced ("(10 bytes)", as vsftpd,
 * proftpd and ferryd write it), with a 226 all the same: broken, as when
 * SIZE gave it. One that brings all of it is whole. */
START_TEST(test_get_short_of_150)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "RETR big",
		  .reply = "150 Opening BINARY mode data connection for big (10 bytes).\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "RETR big",
		  .reply = "150-Opening data connection.\r\n150 big (4 bytes)\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "big", fd, 0, NULL, NULL), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "the transfer ended after 4 of 10 bytes (226 ok)");
	close(fd);
	fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "big", fd, 0, NULL, NULL), FTP_S_OK);
	struct stat sb;
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* Text in a 150 that only looks like a size is not taken for one: a
 * number not followed by " bytes", a size in other units, a number too
 * long, and ASCII mode, whose bytes on the wire differ from the file's. */
START_TEST(test_get_150_not_a_size)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "RETR a", .reply = "150 Sending a (10 items).\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "RETR a", .reply = "150 1.2 kbytes to download (10 kbytes)\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "RETR a", .reply = "150 a (99999999999999999999999 bytes)\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		STEP("TYPE A", "200 Switching to ASCII mode.\r\n"),
		EPSV_OK,
		{ .expect = "RETR a", .reply = "150 a (10 bytes)\r\n",
		  .act = FAKE_SEND, .data = "abcd", .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	for (int i = 0; i < 4; i++) {
		if (i == 3)
			ck_status(f, ftp_set_type(f, true), FTP_S_OK);
		int fd = temp_fd("", 0);
		ck_status(f, ftp_get(f, "a", fd, 0, NULL, NULL), FTP_S_OK);
		close(fd);
	}
	fake_client_done(f, fk);
}
END_TEST

/* Resuming a download: REST right before RETR, the rest written after
 * what the local file already holds. */
START_TEST(test_get_rest)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("SIZE f", "213 10\r\n"),
		EPSV_OK,
		STEP("REST 5", "350 Restarting at 5. Send RETR or STOR next.\r\n"),
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "56789",
		  .after = "226 Transfer complete (5 bytes).\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("01234", 5);
	struct prog p;
	prog_init(&p, -1);
	ck_status(f, ftp_get(f, "f", fd, 5, prog_cb, &p), FTP_S_OK);
	char buf[64];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "0123456789");
	ck_assert_int_eq(p.first_done, 5);
	ck_assert_int_eq(p.last_done, 10);
	ck_assert_int_eq(p.last_total, 10);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

START_TEST(test_get_rest_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		EPSV_OK,
		STEP("REST 5", "502 REST not implemented.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("01234", 5);
	ck_status(f, ftp_get(f, "f", fd, 5, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "502 REST not implemented.");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

START_TEST(test_get_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		STEP("RETR nothere", "550 /nothere: No such file or directory.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "nothere", fd, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 /nothere: No such file or directory.");
	ck_assert_int_eq(ftp_reply_code(f), 550);
	char buf[8];
	ck_assert_uint_eq(read_back(fd, buf, sizeof buf), 0);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The server breaks the transfer off (426 after part of the data). */
START_TEST(test_get_broken_off)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "part",
		  .after = "426 Failure writing network stream.\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "426 Failure writing network stream.");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The local file cannot be written: ABOR, and the connection goes on. */
START_TEST(test_get_local_error)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_HOLD, .data = "some bytes" },
		{ .expect = "ABOR", .reply = "426 Failure writing network stream.\r\n225 No transfer to ABOR.\r\n",
		  .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_LOCAL);
	ck_assert_str_eq(ftp_message(f), "writing the local file: Bad file descriptor");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "200 NOOP ok.");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* How servers answer ABOR during a download: the transfer's reply, then ABOR's. */
static const char *const abor_answers[] = {
	"426 Transfer aborted.\r\n226 ABOR successful.\r\n",                  /* ferryd */
	"426 Failure writing network stream.\r\n225 No transfer to ABOR.\r\n", /* vsftpd */
	"150 0.201 seconds (measured here), 18.67 Mbytes per second\r\n"
	"226 Since you see this ABOR must've succeeded\r\n",                   /* pure-ftpd: once */
	"226 Transfer complete.\r\n225 ABOR command successful.\r\n",          /* it had finished */
};

/* Cancelling mid-download: ABOR, the replies read, the connection in step. */
START_TEST(test_get_cancel)
{
	static char payload[4096];
	memset(payload, 'c', sizeof payload);
	struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("SIZE big", "213 1000000\r\n"),
		EPSV_OK,
		{ .expect = "RETR big", .reply = "150 ok\r\n", .act = FAKE_HOLD, .data = payload,
		  .data_len = sizeof payload },
		{ .expect = "ABOR", .reply = abor_answers[_i], .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	struct prog p;
	prog_init(&p, 1);
	long long t0 = sysio_now_ms();
	ck_status(f, ftp_get(f, "big", fd, 0, prog_cb, &p), FTP_S_CANCELLED);
	ck_assert_int_lt(sysio_now_ms() - t0, 2000);
	ck_assert_str_eq(ftp_message(f), "transfer cancelled");
	ck_assert_int_eq(p.last_done, (off_t)sizeof payload);
	ck_assert_int_eq(p.last_total, 1000000);
	ck_assert(ftp_connected(f));
	ck_status(f, ftp_noop(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "200 NOOP ok.");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* Cancelled at the first progress call, before any byte came. */
START_TEST(test_get_cancel_at_start)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("SIZE f", "213 10\r\n"),
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_HOLD },
		{ .expect = "ABOR", .reply = "426 Transfer aborted.\r\n226 ABOR successful.\r\n",
		  .act = FAKE_DROP_DATA },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	struct prog p;
	prog_init(&p, 0);
	ck_status(f, ftp_get(f, "f", fd, 0, prog_cb, &p), FTP_S_CANCELLED);
	ck_assert_int_eq(p.calls, 1);
	ck_assert_int_eq(p.last_done, 0);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* A data connection that stalls times out; ABOR keeps the control
 * connection in step. */
START_TEST(test_get_stalled)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_HOLD, .data = "12" },
		{ .expect = "ABOR", .reply = "426 Failure writing network stream.\r\n225 No transfer to ABOR.\r\n",
		  .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ftp_set_timeout(f, 300);
	int fd = temp_fd("", 0);
	long long t0 = sysio_now_ms();
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_BROKEN);
	long long took = sysio_now_ms() - t0;
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 2000);
	ck_assert_str_eq(ftp_message(f), "data connection: Connection timed out");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* ---- uploads ---- */

START_TEST(test_put)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("ALLO 11", "200 ALLO ok.\r\n"),
		EPSV_OK,
		{ .expect = "STOR up load.txt", .reply = "150 Ok to send data.\r\n", .act = FAKE_RECV,
		  .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("hello world", 11);
	struct prog p;
	prog_init(&p, -1);
	ck_status(f, ftp_put(f, fd, "up load.txt", FTP_PUT_REPLACE, 0, prog_cb, &p), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "226 Transfer complete.");
	ck_assert_int_eq(p.first_done, 0);
	ck_assert_int_eq(p.last_done, 11);
	ck_assert_int_eq(p.last_total, 11);
	close(fd);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	const char *got = fake_received(fk, &n);
	ck_assert_uint_eq(n, 11);
	ck_assert_str_eq(got, "hello world");
	fake_free(fk);
}
END_TEST

/* A large upload arrives whole. */
START_TEST(test_put_large)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 3145745", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR big", .reply = "150 Ok to send data.\r\n", .act = FAKE_RECV,
		  .after = "226 Transfer complete.\r\n" },
		END,
	};
	enum { SIZE = 3 * 1024 * 1024 + 17 };
	char *content = malloc(SIZE);
	ck_assert_ptr_nonnull(content);
	for (size_t i = 0; i < SIZE; i++)
		content[i] = (char)(i * 31 + i / 4096);
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd(content, SIZE);
	ck_status(f, ftp_put(f, fd, "big", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	close(fd);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	const char *got = fake_received(fk, &n);
	ck_assert_uint_eq(n, SIZE);
	ck_assert(memcmp(got, content, SIZE) == 0);
	fake_free(fk);
	free(content);
}
END_TEST

/* Resuming an upload: REST n + STOR sends the local file from n; APPE
 * sends it from n without REST. */
START_TEST(test_put_resume_append)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("ALLO 6", "200 ALLO ok.\r\n"),
		EPSV_OK,
		STEP("REST 4", "350 Restarting at 4. Send RETR or STOR next.\r\n"),
		{ .expect = "STOR f", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		STEP("ALLO 2", "200 ALLO ok.\r\n"),
		EPSV_OK,
		{ .expect = "APPE f", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("0123456789", 10);
	struct prog p;
	prog_init(&p, -1);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_RESUME, 4, prog_cb, &p), FTP_S_OK);
	ck_assert_int_eq(p.first_done, 4);
	ck_assert_int_eq(p.last_done, 10);
	ck_assert_int_eq(p.last_total, 10);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_APPEND, 8, NULL, NULL), FTP_S_OK);
	close(fd);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "45678989");
	fake_free(fk);
}
END_TEST

START_TEST(test_put_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 1", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		STEP("STOR ro/f", "553 Could not create file.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("x", 1);
	ck_status(f, ftp_put(f, fd, "ro/f", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "553 Could not create file.");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The server gives up during the upload (disk full) and says so. */
START_TEST(test_put_server_gives_up)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 9", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR f", .reply = "150 ok\r\n", .act = FAKE_HOLD,
		  .after = "452 Error writing file: No space left on device.\r\n" },
		{ .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("some data", 9);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "452 Error writing file: No space left on device.");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The server gives up on an upload it stopped reading (disk full): the
 * data connection is reset before its 452 arrives. The reply is the
 * reason (a refusal, not a broken connection), and no ABOR follows it. */
START_TEST(test_put_server_gives_up_after_reset)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 268435456", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR big", .reply = "150 ok\r\n", .act = FAKE_HOLD },
		{ .act = FAKE_DROP_DATA, .after_ms = 100,
		  .after = "452 Error writing file: No space left on device.\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	const off_t size = 256 * 1024 * 1024;   /* sparse: more than any socket buffers hold */
	struct fake *fk;
	signal(SIGPIPE, SIG_IGN);   /* as ferry and the screen do */
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	ck_status(f, ftp_put(f, fd, "big", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "452 Error writing file: No space left on device.");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* Cancelling an upload the server is not reading: ABOR, connection in step. */
START_TEST(test_put_cancel)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 268435456", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR big", .reply = "150 ok\r\n", .act = FAKE_HOLD },
		{ .expect = "ABOR", .reply = "426 Failure reading network stream.\r\n225 No transfer to ABOR.\r\n",
		  .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	const off_t size = 256 * 1024 * 1024;   /* sparse: more than any socket buffers hold */
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("", 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	struct prog p;
	prog_init(&p, 1);
	ck_status(f, ftp_put(f, fd, "big", FTP_PUT_REPLACE, 0, prog_cb, &p), FTP_S_CANCELLED);
	ck_assert_int_gt(p.last_done, 0);
	ck_assert_int_lt(p.last_done, size);
	ck_assert_int_eq(p.last_total, size);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* The local file cannot be read (a directory): ABOR. */
START_TEST(test_put_local_error)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		EPSV_OK,
		{ .expect = "STOR f", .reply = "150 ok\r\n", .act = FAKE_HOLD },
		{ .expect = "ABOR", .reply = "426 Failure reading network stream.\r\n225 No transfer to ABOR.\r\n",
		  .act = FAKE_DROP_DATA },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_LOCAL);
	ck_assert_str_eq(ftp_message(f), "reading the local file: Is a directory");
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* ALLO declares the bytes an upload sends (RFC 959), so a server can
 * tell a whole upload from a cut one. A server that does not know the
 * command (500, 502) gets none for the rest of the session; one that
 * ignores it (202) or refuses it otherwise still gets the upload. */
START_TEST(test_put_allo_unknown)
{
	static const char *const replies[] = {
		"500 Unknown command.\r\n", "502 Command not implemented.\r\n",
	};
	const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("ALLO 5", "504 Not for that parameter.\r\n"),
		EPSV_OK,
		{ .expect = "STOR a", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		STEP("ALLO 5", replies[_i]),
		EPSV_OK,
		{ .expect = "STOR b", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "APPE c", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_status(f, ftp_put(f, fd, "b", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_put(f, fd, "c", FTP_PUT_APPEND, 3, NULL, NULL), FTP_S_OK);
	close(fd);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "hellohellolo");
	fake_free(fk);
}
END_TEST

/* A server without room for the declared size says so before any data
 * moves: the upload is refused with its reply. ALLO goes out together
 * with EPSV, whose reply is read after ALLO's and whose data connection
 * is then dropped unused. */
START_TEST(test_put_allo_no_space)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("ALLO 5", "552 Not enough space.\r\n"),
		EPSV_OK,
		STEP("ALLO 5", "452 Insufficient storage space.\r\n"),
		EPSV_OK,
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "552 Not enough space.");
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "452 Insufficient storage space.");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* What an MFMT sent with ftp_set_mtime_later came to, as its callback heard it. */
struct later_seen {
	int calls;                 /* times the callback ran */
	enum ftp_status st;        /* the last status */
	int code;                  /* ftp_reply_code() then */
	char remote[64];           /* the name it was given */
	char msg[256];             /* ftp_message() then */
	struct ftp *f;             /* the handle */
};

static void later_cb(void *arg, const char *remote, enum ftp_status st)
{
	struct later_seen *s = arg;
	s->calls++;
	s->st = st;
	s->code = ftp_reply_code(s->f);
	snprintf(s->remote, sizeof s->remote, "%s", remote);
	snprintf(s->msg, sizeof s->msg, "%s", ftp_message(s->f));
}

/* An upload's MFMT waits for the next command and goes out before it
 * (the next upload's ALLO and EPSV); its reply, read first, goes to the
 * callback, and the upload's own message is STOR's. ftp_settle sends the
 * last one alone. */
START_TEST(test_mtime_later)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Pure-FTPd\r\n" },
		STEP("USER anonymous", "331 Any password will work\r\n"),
		STEP("PASS anonymous@", "230 Anonymous user logged in\r\n"),
		STEP("FEAT", FEAT_PURE),
		STEP("OPTS UTF8 ON", "504 Unknown command\r\n"),
		STEP("TYPE I", "200 TYPE is now 8-bit binary\r\n"),
		STEP("PWD", "257 \"/\" is your current location\r\n"),
		STEP("ALLO 5", "200 A lot of space is available\r\n"),
		EPSV_OK,
		{ .expect = "STOR a", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 a ok\r\n" },
		STEP("MFMT 20010909014640 a", "550 Not on this one.\r\n"),
		STEP("ALLO 5", "200 A lot of space is available\r\n"),
		EPSV_OK,
		{ .expect = "STOR b", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 b ok\r\n" },
		STEP("MFMT 20041109113320 b", "213 UTIME OK\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct later_seen seen = { .f = f };
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_set_mtime_later(f, "a", 1000000000, later_cb, &seen), FTP_S_OK);
	ck_assert_int_eq(seen.calls, 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_status(f, ftp_put(f, fd, "b", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "226 b ok");
	ck_assert_int_eq(seen.calls, 1);
	ck_assert_int_eq(seen.st, FTP_S_REFUSED);
	ck_assert_int_eq(seen.code, 550);
	ck_assert_str_eq(seen.remote, "a");
	ck_assert_str_eq(seen.msg, "550 Not on this one.");
	ck_status(f, ftp_set_mtime_later(f, "b", 1100000000, later_cb, &seen), FTP_S_OK);
	ck_status(f, ftp_settle(f), FTP_S_OK);
	ck_assert_int_eq(seen.calls, 2);
	ck_assert_int_eq(seen.st, FTP_S_OK);
	ck_assert_str_eq(seen.remote, "b");
	ck_status(f, ftp_settle(f), FTP_S_OK);   /* nothing waits: nothing sent */
	ck_assert_int_eq(seen.calls, 2);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* A reply that cannot answer ALLO (a 229: the server answered the EPSV
 * sent with it, having dropped ALLO) puts the replies out of step: the
 * engine reconnects and sends each command on its own from then on. */
START_TEST(test_put_out_of_step)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		STEP("ALLO 5", "229 Entering Extended Passive Mode (|||1|)\r\n"),
		RELOGIN_PUB,
		STEP("ALLO 5", "200 ok\r\n"),
		EPSV_OK,
		{ .expect = "STOR a", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	const char *t = sbuf_str(&trace);
	ck_assert_ptr_nonnull(strstr(t, "replies out of step"));
	/* After the reconnect ALLO's reply came before EPSV went out. */
	ck_assert_ptr_nonnull(strstr(t, "> ALLO 5\n< 200 ok\n> EPSV\n"));
	close(fd);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* A login over TCP into a server that offers MFMT (pure-ftpd's replies),
 * then into /pub; how: FAKE_ACCEPT_CONTROL for the login of a reconnect,
 * which goes back with CWD /pub. */
#define LOGIN_PURE_START(how) \
	{ .pre = (how), .reply = "220 Pure-FTPd\r\n" }, \
	STEP("USER anonymous", "331 Any password will work\r\n"), \
	STEP("PASS anonymous@", "230 Anonymous user logged in\r\n"), \
	STEP("FEAT", FEAT_PURE), \
	STEP("OPTS UTF8 ON", "504 Unknown command\r\n"), \
	STEP("TYPE I", "200 TYPE is now 8-bit binary\r\n")
#define LOGIN_PURE_TCP_PUB \
	LOGIN_PURE_START(0), \
	STEP("PWD", "257 \"/\" is your current location\r\n"), \
	STEP("CWD pub", "250 OK. Current directory is /pub\r\n"), \
	STEP("PWD", "257 \"/pub\" is your current location\r\n")
#define RELOGIN_PURE_PUB \
	LOGIN_PURE_START(FAKE_ACCEPT_CONTROL), \
	STEP("CWD /pub", "250 OK. Current directory is /pub\r\n")
#define PUT_STEPS(name) \
	STEP("ALLO 5", "200 A lot of space is available\r\n"), \
	EPSV_OK, \
	{ .expect = "STOR " name, .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" }

/* The connection closes after an MFMT went out and before its reply
 * (here with the next upload's commands): the engine logs in again and
 * sends that MFMT once more, first after the login, and the callback
 * hears only that reply. ftp_settle does the same for the last one, and
 * an MFMT lost a second time fails, told FTP_S_BROKEN with the reason
 * and no reply code. */
START_TEST(test_mtime_later_reconnect)
{
	static const struct fake_step steps[] = {
		LOGIN_PURE_TCP_PUB,
		PUT_STEPS("a"),
		{ .expect = "MFMT 20010909014640 a", .act = FAKE_HANGUP },
		RELOGIN_PURE_PUB,
		STEP("MFMT 20010909014640 a", "213 UTIME OK\r\n"),
		PUT_STEPS("b"),
		{ .expect = "MFMT 20041109113320 b", .act = FAKE_HANGUP },
		RELOGIN_PURE_PUB,
		STEP("MFMT 20041109113320 b", "213 UTIME OK\r\n"),
		PUT_STEPS("c"),
		{ .expect = "MFMT 20080110212000 c", .act = FAKE_HANGUP },
		RELOGIN_PURE_PUB,
		{ .expect = "MFMT 20080110212000 c", .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	struct later_seen seen = { .f = f };
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_set_mtime_later(f, "a", 1000000000, later_cb, &seen), FTP_S_OK);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_status(f, ftp_put(f, fd, "b", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_assert_int_eq(seen.calls, 1);
	ck_assert_int_eq(seen.st, FTP_S_OK);
	ck_assert_str_eq(seen.remote, "a");
	/* The kept MFMT went out after the login (its last command, CWD),
	 * with the next upload's commands. */
	const char *t = strstr(sbuf_str(&trace), "> CWD /pub\n");
	ck_assert_ptr_nonnull(t);
	t = strstr(t, "\n> ");
	ck_assert_ptr_nonnull(t);
	static const char want[] = "\n> MFMT 20010909014640 a\n> ALLO 5\n> EPSV\n";
	ck_assert_msg(strncmp(t, want, sizeof want - 1) == 0, "%s", sbuf_str(&trace));
	/* The last one, sent by ftp_settle. */
	ck_status(f, ftp_set_mtime_later(f, "b", 1100000000, later_cb, &seen), FTP_S_OK);
	ck_status(f, ftp_settle(f), FTP_S_OK);
	ck_assert_int_eq(seen.calls, 2);
	ck_assert_int_eq(seen.st, FTP_S_OK);
	ck_assert_str_eq(seen.remote, "b");
	/* Lost twice. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_status(f, ftp_put(f, fd, "c", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_set_mtime_later(f, "c", 1200000000, later_cb, &seen), FTP_S_OK);
	ck_status(f, ftp_settle(f), FTP_S_BROKEN);
	ck_assert_int_eq(seen.calls, 3);
	ck_assert_int_eq(seen.st, FTP_S_BROKEN);
	ck_assert_int_eq(seen.code, 0);
	ck_assert_str_eq(seen.remote, "c");
	ck_assert_str_eq(seen.msg, "reading a reply: connection closed by the server");
	close(fd);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* QUIT carries an MFMT still waiting; when the connection closes before
 * its reply, the engine does not log in again for it: it fails, told
 * FTP_S_BROKEN. */
START_TEST(test_mtime_later_quit)
{
	static const struct fake_step steps[] = {
		LOGIN_PURE_TCP_PUB,
		PUT_STEPS("a"),
		{ .expect = "MFMT 20010909014640 a", .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	struct later_seen seen = { .f = f };
	int fd = temp_fd("hello", 5);
	ck_status(f, ftp_put(f, fd, "a", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_set_mtime_later(f, "a", 1000000000, later_cb, &seen), FTP_S_OK);
	ftp_quit(f);
	ck_assert_int_eq(seen.calls, 1);
	ck_assert_int_eq(seen.st, FTP_S_BROKEN);
	ck_assert_str_eq(seen.remote, "a");
	ck_assert_ptr_null(strstr(sbuf_str(&trace), "reconnecting"));
	ck_status(f, ftp_settle(f), FTP_S_OK);   /* nothing left */
	ck_assert_int_eq(seen.calls, 1);
	close(fd);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* An upload sends a regular file from its current position to its end,
 * and leaves the position there, as reading it would. */
START_TEST(test_put_from_position)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("ALLO 7", "200 ALLO ok.\r\n"),
		EPSV_OK,
		{ .expect = "STOR f", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("0123456789", 10);
	ck_assert_int_eq(lseek(fd, 3, SEEK_SET), 3);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 10);
	close(fd);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "3456789");
	fake_free(fk);
}
END_TEST

/* From a pipe the size is unknown: no ALLO. */
START_TEST(test_put_allo_pipe)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "STOR p", .reply = "150 ok\r\n", .act = FAKE_RECV, .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "piped", 5), 5);
	close(fds[1]);
	ck_status(f, ftp_put(f, fds[0], "p", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	close(fds[0]);
	ftp_free(f);
	ck_assert_ptr_null(fake_finish(fk));
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "piped");
	fake_free(fk);
}
END_TEST

START_TEST(test_xfer_usage)
{
	static const struct fake_step steps[] = { LOGIN_VSFTPD, QUIT_STEP, END };
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	int fd = temp_fd("x", 1);
	ck_status(f, ftp_put(f, fd, "f", FTP_PUT_REPLACE, 3, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_put(f, fd, "f\r\nDELE g", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_put(f, -1, "f", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_get(f, "", fd, 0, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_get(f, "f", fd, -1, NULL, NULL), FTP_S_USAGE);
	ck_status(f, ftp_quit(f), FTP_S_OK);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* ---- commands without data ---- */

START_TEST(test_cwd_cdup)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("CWD pub", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/pub\" is the current directory\r\n"),
		STEP("CWD a \"quoted\" dir", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/pub/a \"\"quoted\"\" dir\" is the current directory\r\n"),
		STEP("CDUP", "250 Directory successfully changed.\r\n"),
		STEP("PWD", "257 \"/pub\" is the current directory\r\n"),
		STEP("CWD nothere", "550 Failed to change directory.\r\n"),
		STEP("PWD", "257 \"/pub\" is the current directory\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_cwd(f, "pub"), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "250 Directory successfully changed.");
	ck_assert_int_eq(ftp_reply_code(f), 250);
	ck_assert_str_eq(ftp_dir(f), "/pub");
	ck_status(f, ftp_cwd(f, "a \"quoted\" dir"), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/pub/a \"quoted\" dir");
	ck_status(f, ftp_cdup(f), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/pub");
	ck_status(f, ftp_cwd(f, "nothere"), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 Failed to change directory.");
	ck_assert_str_eq(ftp_dir(f), "/pub");
	ck_status(f, ftp_pwd(f), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/pub");
	fake_client_done(f, fk);
}
END_TEST

/* A server that will not answer PWD: the directory is worked out. */
START_TEST(test_cwd_without_pwd)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("CWD pub/../docs", "250 ok\r\n"),
		STEP("PWD", "502 PWD not implemented\r\n"),
		STEP("CWD /abs", "250 ok\r\n"),
		STEP("PWD", "257 no quotes here\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_cwd(f, "pub/../docs"), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "250 ok");
	ck_assert_str_eq(ftp_dir(f), "/docs");
	ck_status(f, ftp_cwd(f, "/abs"), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/abs");
	fake_client_done(f, fk);
}
END_TEST

/* Names and messages reach callers sanitised; the raw directory name is
 * kept for commands. */
START_TEST(test_sanitised)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("CWD x", "250 ok\r\n"),
		STEP("PWD", "257 \"/\x1b[7mx\" is the current directory\r\n"),
		STEP("DELE y", "550 \x1b[31mred\x1b[0m\x07 and \xc3\xa9 and \xff\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_cwd(f, "x"), FTP_S_OK);
	ck_assert_str_eq(ftp_dir(f), "/\x1b[7mx");
	ck_assert_str_eq(ftp_dir_display(f), "/?[7mx");
	ck_status(f, ftp_delete(f, "y"), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 ?[31mred?[0m? and \xc3\xa9 and ?");
	fake_client_done(f, fk);
}
END_TEST

START_TEST(test_file_commands)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("MKD new dir", "257 \"/new dir\" created.\r\n"),
		STEP("RMD old", "250 Directory removed.\r\n"),
		STEP("DELE f.txt", "250 Deleted.\r\n"),
		STEP("RNFR a", "350 Ready for RNTO.\r\n"),
		STEP("RNTO b c", "250 Renamed.\r\n"),
		STEP("SIZE data.bin", "213 1024\r\n"),
		STEP("MDTM data.bin", "213 20261121100313\r\n"),
		STEP("NOOP", "200 NOOP ok.\r\n"),
		STEP("RNFR nothere", "550 /nothere: No such file or directory.\r\n"),
		STEP("SIZE dir", "550 /dir: Not a regular file.\r\n"),
		STEP("SIZE odd", "213 twelve\r\n"),
		STEP("MDTM odd", "213 yesterday\r\n"),
		QUIT_STEP,
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_mkdir(f, "new dir"), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "257 \"/new dir\" created.");
	ck_status(f, ftp_rmdir(f, "old"), FTP_S_OK);
	ck_status(f, ftp_delete(f, "f.txt"), FTP_S_OK);
	ck_status(f, ftp_rename(f, "a", "b c"), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "250 Renamed.");
	off_t size = -1;
	ck_status(f, ftp_size(f, "data.bin", &size), FTP_S_OK);
	ck_assert_int_eq(size, 1024);
	time_t t = 0;
	ck_status(f, ftp_mdtm(f, "data.bin", &t), FTP_S_OK);
	ck_assert_int_eq(t, 1795255393);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	/* RNFR refused: RNTO is never sent. */
	ck_status(f, ftp_rename(f, "nothere", "x"), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 /nothere: No such file or directory.");
	size = -1;
	ck_status(f, ftp_size(f, "dir", &size), FTP_S_REFUSED);
	ck_assert_int_eq(size, -1);
	ck_status(f, ftp_size(f, "odd", &size), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "not a size in the reply to SIZE: 213 twelve");
	ck_status(f, ftp_mdtm(f, "odd", &t), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "not a time in the reply to MDTM: 213 yesterday");
	/* Names that could smuggle a second command are refused unsent. */
	ck_status(f, ftp_delete(f, "a\r\nDELE b"), FTP_S_USAGE);
	ck_status(f, ftp_mkdir(f, "a\nb"), FTP_S_USAGE);
	ck_status(f, ftp_rename(f, "a", "b\r"), FTP_S_USAGE);
	ck_status(f, ftp_cwd(f, ""), FTP_S_USAGE);
	ck_status(f, ftp_quit(f), FTP_S_OK);
	fake_client_done(f, fk);
}
END_TEST

/* Error replies: each becomes a status and a message. */
static const struct {
	const char *reply;
	enum ftp_status st;
	const char *msg;
} errors[] = {
	{ "550 /x: No such file or directory.\r\n", FTP_S_REFUSED, "550 /x: No such file or directory." },
	{ "450 Requested file action not taken.\r\n", FTP_S_REFUSED, "450 Requested file action not taken." },
	{ "530 Please login with USER and PASS.\r\n", FTP_S_REFUSED, "530 Please login with USER and PASS." },
	{ "553 Could not delete file.\r\n", FTP_S_REFUSED, "553 Could not delete file." },
	{ "500 Unknown command.\r\n", FTP_S_REFUSED, "500 Unknown command." },
	{ "502 Command not implemented.\r\n", FTP_S_REFUSED, "502 Command not implemented." },
	{ "550-Multi\r\n550 line.\r\n", FTP_S_REFUSED, "550 Multi line." },
	{ "350 Unexpected.\r\n", FTP_S_REFUSED, "350 Unexpected." },
	{ "421 Timeout.\r\n", FTP_S_BROKEN, "421 Timeout." },
	{ "55 short\r\n", FTP_S_BROKEN, "the server sent something that is not a reply: 55 short" },
	{ "", FTP_S_BROKEN, "reading a reply: connection closed by the server" },
};

START_TEST(test_error_replies)
{
	struct fake_step steps[] = {
		LOGIN_VSFTPD,
		{ .expect = "DELE x", .reply = errors[_i].reply, .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_delete(f, "x"), errors[_i].st);
	ck_assert_str_eq(ftp_message(f), errors[_i].msg);
	/* A broken connection is closed; a refusal leaves it open. */
	ck_assert(ftp_connected(f) == (errors[_i].st == FTP_S_REFUSED));
	fake_client_done(f, fk);
}
END_TEST

/* A server that does not answer: the wait ends at the timeout. */
START_TEST(test_timeout)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		{ .expect = "NOOP", .act = FAKE_SILENT },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ftp_set_timeout(f, 300);
	long long t0 = sysio_now_ms();
	ck_status(f, ftp_noop(f), FTP_S_BROKEN);
	long long took = sysio_now_ms() - t0;
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 2000);
	ck_assert_str_eq(ftp_message(f), "waiting for the server: Connection timed out");
	ck_assert(!ftp_connected(f));
	/* Over a given fd there is no reconnecting. */
	ck_status(f, ftp_noop(f), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "not connected");
	fake_client_done(f, fk);
}
END_TEST

/* A reply nobody waits for (a late answer to ABOR) is read and dropped
 * before the next command, so replies stay in step. */
START_TEST(test_late_reply_drained)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		{ .reply = "226 Late transfer reply.\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	usleep(100 * 1000);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "200 NOOP ok.");
	fake_client_done(f, fk);
}
END_TEST

/* ---- reconnecting ---- */

/* The connection drops while a command waits for its reply: reconnect,
 * back into the directory, and the command once more. */
START_TEST(test_reconnect_mid_command)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .expect = "SIZE f", .act = FAKE_HANGUP },
		RELOGIN_PUB,
		STEP("SIZE f", "213 7\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	off_t size = 0;
	ck_status(f, ftp_size(f, "f", &size), FTP_S_OK);
	ck_assert_int_eq(size, 7);
	ck_assert_str_eq(ftp_dir(f), "/pub");
	fake_client_done(f, fk);
}
END_TEST

/* A reply that does not come in time is not waited for again: the
 * command is not sent once more over a new connection (the server may
 * have carried it out, and a second DELE would then report a missing
 * file), so the call fails within one time-out. */
START_TEST(test_timeout_not_repeated)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .expect = "DELE f", .act = FAKE_SILENT },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	ftp_set_timeout(f, 500);
	long long t0 = sysio_now_ms();
	ck_status(f, ftp_delete(f, "f"), FTP_S_BROKEN);
	long long took = sysio_now_ms() - t0;
	ck_assert_str_eq(ftp_message(f), "waiting for the server: Connection timed out");
	/* One time-out, not two (a second wait would take 1000 ms). */
	ck_assert_int_ge(took, 450);
	ck_assert_int_lt(took, 950);
	fake_client_done(f, fk);
}
END_TEST

/* The server timed the idle session out (421, then closed): the next
 * call notices before sending, reconnects, and lists in the same place. */
START_TEST(test_reconnect_after_idle)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .reply = "421 Timeout.\r\n", .act = FAKE_HANGUP },
		RELOGIN_PUB,
		SYST_NOT_UNIX,
		EPSV_OK,
		{ .expect = "LIST", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "-rw-r--r-- 1 0 0 1 Nov 21 09:57 in-pub\r\n", .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	usleep(100 * 1000);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "in-pub");
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "# reconnecting to 127.0.0.1 port "));
	listparse_free(&l);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* NOOP as keep-alive: a dropped connection is reopened by it. */
START_TEST(test_reconnect_noop)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .act = FAKE_HANGUP },
		RELOGIN_PUB,
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	usleep(100 * 1000);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	ck_assert_str_eq(ftp_message(f), "200 NOOP ok.");
	fake_client_done(f, fk);
}
END_TEST

/* Back in, but the directory is gone: the command is not run elsewhere. */
START_TEST(test_reconnect_dir_gone)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .act = FAKE_HANGUP },
		{ .pre = FAKE_ACCEPT_CONTROL, .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("USER anonymous", "331 Please specify the password.\r\n"),
		STEP("PASS anonymous@", "230 Login successful.\r\n"),
		STEP("FEAT", FEAT_VSFTPD),
		STEP("TYPE I", "200 Switching to Binary mode.\r\n"),
		STEP("CWD /pub", "550 Failed to change directory.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	usleep(100 * 1000);
	ck_status(f, ftp_delete(f, "f"), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f),
			 "reconnected, but could not return to /pub: 550 Failed to change directory.");
	ck_assert_str_eq(ftp_dir(f), "/");
	fake_client_done(f, fk);
}
END_TEST

/* The server is gone for good: the call fails as a connect failure. */
START_TEST(test_reconnect_refused)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	const char *err = fake_finish(fk);   /* also closes the listener */
	ck_assert_msg(err == NULL, "%s", err);
	ck_status(f, ftp_noop(f), FTP_S_CONNECT);
	ck_assert_ptr_nonnull(strstr(ftp_message(f), "Connection refused"));
	ftp_free(f);
	fake_free(fk);
}
END_TEST

/* A transfer that broke off after data moved is not silently repeated. */
START_TEST(test_no_retry_after_data)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "partial" },
		{ .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "reading a reply: connection closed by the server");
	ck_assert_ptr_null(strstr(sbuf_str(&trace), "reconnecting"));
	char buf[16];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "partial");
	close(fd);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* ---- suite ---- */

static Suite *ftp_suite(void)
{
	Suite *s = suite_create("ftp");

	TCase *login = tcase_create("login");
	tcase_set_timeout(login, 20);
	tcase_add_test(login, test_login_anonymous);
	tcase_add_test(login, test_login_user);
	tcase_add_test(login, test_login_no_password);
	tcase_add_test(login, test_login_refused);
	tcase_add_test(login, test_login_user_refused);
	tcase_add_test(login, test_greeting_421);
	tcase_add_test(login, test_greeting_120);
	tcase_add_test(login, test_greeting_garbage);
	tcase_add_test(login, test_login_pure_ftpd);
	tcase_add_test(login, test_multiline_forms);
	tcase_add_test(login, test_login_asks_unix_mode);
	tcase_add_test(login, test_login_unix_mode_refused);
	suite_add_tcase(s, login);

	TCase *conn = tcase_create("connect");
	tcase_set_timeout(conn, 20);
	tcase_add_test(conn, test_connect_ipv4);
	tcase_add_test(conn, test_connect_hostname);
	tcase_add_test(conn, test_connect_ipv6);
	tcase_add_test(conn, test_connect_ipv6_brackets);
	tcase_add_test(conn, test_connect_refused);
	tcase_add_test(conn, test_connect_usage);
	tcase_add_test(conn, test_upload_status);
	suite_add_tcase(s, conn);

	TCase *list = tcase_create("list");
	tcase_set_timeout(list, 20);
	tcase_add_test(list, test_list_mlsd);
	tcase_add_test(list, test_list_vsftpd);
	tcase_add_test(list, test_list_dash_a_not_taken);
	tcase_add_test(list, test_list_iis);
	tcase_add_test(list, test_list_mlsd_refused);
	tcase_add_test(list, test_list_mlsd_fails_for_one_directory);
	tcase_add_test(list, test_list_not_understood);
	tcase_add_test(list, test_list_refused);
	tcase_add_test(list, test_list_done_without_1xx);
	suite_add_tcase(s, list);

	TCase *data = tcase_create("data");
	tcase_set_timeout(data, 20);
	tcase_add_test(data, test_epsv_to_pasv);
	tcase_add_test(data, test_pasv_nat);
	tcase_add_loop_test(data, test_pasv_forms, 0,
			    (int)(sizeof pasv_forms / sizeof pasv_forms[0]));
	tcase_add_loop_test(data, test_epsv_forms, 0,
			    (int)(sizeof epsv_forms / sizeof epsv_forms[0]));
	tcase_add_loop_test(data, test_epsv_bad_falls_back, 0,
			    (int)(sizeof epsv_bad / sizeof epsv_bad[0]));
	tcase_add_test(data, test_epsv_unreachable_falls_back);
	tcase_add_test(data, test_no_data_connection);
	suite_add_tcase(s, data);

	TCase *get = tcase_create("download");
	tcase_set_timeout(get, 20);
	tcase_add_test(get, test_get);
	tcase_add_test(get, test_get_progress);
	tcase_add_test(get, test_get_short_of_size);
	tcase_add_test(get, test_get_short_of_150);
	tcase_add_test(get, test_get_150_not_a_size);
	tcase_add_test(get, test_get_rest);
	tcase_add_test(get, test_get_rest_refused);
	tcase_add_test(get, test_get_refused);
	tcase_add_test(get, test_get_broken_off);
	tcase_add_test(get, test_get_local_error);
	tcase_add_loop_test(get, test_get_cancel, 0,
			    (int)(sizeof abor_answers / sizeof abor_answers[0]));
	tcase_add_test(get, test_get_cancel_at_start);
	tcase_add_test(get, test_get_stalled);
	suite_add_tcase(s, get);

	TCase *put = tcase_create("upload");
	tcase_set_timeout(put, 20);
	tcase_add_test(put, test_put);
	tcase_add_test(put, test_put_large);
	tcase_add_test(put, test_put_resume_append);
	tcase_add_test(put, test_put_from_position);
	tcase_add_test(put, test_put_refused);
	tcase_add_test(put, test_put_server_gives_up);
	tcase_add_test(put, test_put_server_gives_up_after_reset);
	tcase_add_test(put, test_put_cancel);
	tcase_add_test(put, test_put_local_error);
	tcase_add_loop_test(put, test_put_allo_unknown, 0, 2);
	tcase_add_test(put, test_put_allo_no_space);
	tcase_add_test(put, test_mtime_later);
	tcase_add_test(put, test_mtime_later_reconnect);
	tcase_add_test(put, test_mtime_later_quit);
	tcase_add_test(put, test_put_out_of_step);
	tcase_add_test(put, test_put_allo_pipe);
	tcase_add_test(put, test_xfer_usage);
	suite_add_tcase(s, put);

	TCase *cmd = tcase_create("commands");
	tcase_set_timeout(cmd, 20);
	tcase_add_test(cmd, test_cwd_cdup);
	tcase_add_test(cmd, test_cwd_without_pwd);
	tcase_add_test(cmd, test_sanitised);
	tcase_add_test(cmd, test_file_commands);
	tcase_add_loop_test(cmd, test_error_replies, 0, (int)(sizeof errors / sizeof errors[0]));
	tcase_add_test(cmd, test_timeout);
	tcase_add_test(cmd, test_late_reply_drained);
	suite_add_tcase(s, cmd);

	TCase *re = tcase_create("reconnect");
	tcase_set_timeout(re, 20);
	tcase_add_test(re, test_reconnect_mid_command);
	tcase_add_test(re, test_timeout_not_repeated);
	tcase_add_test(re, test_reconnect_after_idle);
	tcase_add_test(re, test_reconnect_noop);
	tcase_add_test(re, test_reconnect_dir_gone);
	tcase_add_test(re, test_reconnect_refused);
	tcase_add_test(re, test_no_retry_after_data);
	suite_add_tcase(s, re);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ftp_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
