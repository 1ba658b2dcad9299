/* Unit tests for the engine's later additions (ftp.h) against the scripted
 * fake server: Telnet escaping of 0xFF in arguments, single-file facts
 * (MLST, SIZE), raw commands (quote, SITE), transfer types, active mode,
 * retries with resumption, rate limits and modification times. As in
 * check_ftp, each script lists the exact lines the engine must send. */
#include "config.h"

#include "ftp.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_ftp_fake.h"
#include "check_ftp_scripts.h"
#include "ftp_limits.h"
#include "sbuf.h"
#include "sysio.h"

/* ---- 0xFF in arguments (RFC 854 IAC, RFC 959 section 3.1) ---- */

/* Every command's argument has each 0xFF doubled on the wire, so a server
 * reading the control connection as Telnet sees the byte itself. */
START_TEST(test_iac_doubled)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("CWD d\xff\xff", "250 ok\r\n"),
		STEP("PWD", "257 \"/d\xff\"\r\n"),
		STEP("SIZE a\xff\xff" "b", "213 2\r\n"),
		EPSV_OK,
		{ .expect = "RETR a\xff\xff" "b", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "FF", .after = "226 ok\r\n" },
		STEP("DELE \xff\xff\xff\xff", "250 ok\r\n"),
		STEP("RNFR x\xff\xff", "350 ok\r\n"),
		STEP("RNTO y\xff\xff", "250 ok\r\n"),
		STEP("MKD m\xff\xff", "257 \"m\xff\" made\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_cwd(f, "d\xff"), FTP_S_OK);
	off_t size = 0;
	ck_status(f, ftp_size(f, "a\xff" "b", &size), FTP_S_OK);
	ck_assert_int_eq(size, 2);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "a\xff" "b", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[16];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "FF");
	close(fd);
	ck_status(f, ftp_delete(f, "\xff\xff"), FTP_S_OK);
	ck_status(f, ftp_rename(f, "x\xff", "y\xff"), FTP_S_OK);
	ck_status(f, ftp_mkdir(f, "m\xff"), FTP_S_OK);
	fake_client_done(f, fk);
}
END_TEST

/* Servers that read 0xFF literally (vsftpd, pure-ftpd) get it raw once
 * escaping is turned off; the login's password is escaped like the rest. */
START_TEST(test_iac_off)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("USER u\xff\xff", "331 Please specify the password.\r\n"),
		STEP("PASS p\xff\xff", "230 Login successful.\r\n"),
		STEP("FEAT", FEAT_VSFTPD),
		STEP("TYPE I", "200 Switching to Binary mode.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory\r\n"),
		STEP("SIZE a\xff" "b", "213 2\r\n"),
		STEP("DELE a\xff" "b", "250 ok\r\n"),
		END,
	};
	int fd;
	struct fake *fk = fake_start(steps, &fd);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	ck_status(f, ftp_connect_fd(f, fd, "127.0.0.1", "u\xff", "p\xff"), FTP_S_OK);
	ftp_set_telnet_iac(f, false);
	off_t size = 0;
	ck_status(f, ftp_size(f, "a\xff" "b", &size), FTP_S_OK);
	ck_status(f, ftp_delete(f, "a\xff" "b"), FTP_S_OK);
	fake_client_done(f, fk);
}
END_TEST

/* A name that fits but passes the line limit once escaped is refused unsent. */
START_TEST(test_iac_too_long)
{
	static const struct fake_step steps[] = { LOGIN_FERRYD, END };
	static char name[FTP_PATH_MAX + 1];
	memset(name, '\xff', FTP_PATH_MAX - 10);
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_delete(f, name), FTP_S_USAGE);
	fake_client_done(f, fk);
}
END_TEST

/* ---- facts about one file: MLST, else SIZE ---- */

/* MLST where FEAT offers it: type, size and time from the facts; 550 is
 * "no such file"; ferryd names the path in full, pure-ftpd as given. */
START_TEST(test_stat_mlst)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("MLST a b.txt", "250-Listing /pub/a b.txt\r\n"
		     " type=file;size=7;modify=20261121100313;perm=rwadf; /pub/a b.txt\r\n250 End\r\n"),
		STEP("MLST sub", "250-Begin\r\n type=dir;modify=20200101120000;UNIX.mode=0755; sub\r\n"
		     "250 End.\r\n"),
		STEP("MLST .", "250-Begin\r\n type=cdir;modify=20200101120000; .\r\n250 End.\r\n"),
		STEP("MLST gone", "550 Can't check for file existence\r\n"),
		STEP("MLST odd", "250 nothing listed\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_entry e;
	ck_status(f, ftp_stat(f, "a b.txt", &e), FTP_S_OK);
	ck_assert_str_eq(e.name, "a b.txt");
	ck_assert_int_eq(e.type, FTP_ENTRY_FILE);
	ck_assert_int_eq(e.size, 7);
	ck_assert_int_eq(e.mtime, 1795255393);
	listparse_entry_free(&e);
	ck_status(f, ftp_stat(f, "sub", &e), FTP_S_OK);
	ck_assert_int_eq(e.type, FTP_ENTRY_DIR);
	ck_assert_str_eq(e.perms, "drwxr-xr-x");
	listparse_entry_free(&e);
	ck_status(f, ftp_stat(f, ".", &e), FTP_S_OK);
	ck_assert_int_eq(e.type, FTP_ENTRY_DIR);
	listparse_entry_free(&e);
	ck_status(f, ftp_stat(f, "gone", &e), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 Can't check for file existence");
	ck_status(f, ftp_stat(f, "odd", &e), FTP_S_REFUSED);
	fake_client_done(f, fk);
}
END_TEST

/* Without MLST (vsftpd): SIZE says a file is there, and MDTM its time. */
START_TEST(test_stat_size)
{
	static const struct fake_step steps[] = {
		LOGIN_VSFTPD,
		STEP("SIZE f", "213 42\r\n"),
		STEP("MDTM f", "213 20261121100313\r\n"),
		STEP("SIZE dir", "550 Could not get file size.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	struct ftp_entry e;
	ck_status(f, ftp_stat(f, "f", &e), FTP_S_OK);
	ck_assert_int_eq(e.type, FTP_ENTRY_FILE);
	ck_assert_int_eq(e.size, 42);
	ck_assert_int_eq(e.mtime, 1795255393);
	listparse_entry_free(&e);
	ck_status(f, ftp_stat(f, "dir", &e), FTP_S_REFUSED);
	fake_client_done(f, fk);
}
END_TEST

/* ls FILE on an MLSD server: MLSD refuses a file (ferryd 501, pure-ftpd
 * 550), so the file's own facts come from MLST. A refused MLSD of
 * something MLST cannot find either keeps MLSD's reply. */
START_TEST(test_list_file_mlst)
{
	static const struct fake_step file_steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		STEP("MLSD f.txt", "501 MLSD needs a directory; use MLST.\r\n"),
		STEP("MLST f.txt", "250-Listing /f.txt\r\n type=file;size=3;modify=20200101120000; /f.txt\r\n"
		     "250 End\r\n"),
		END,
	};
	static const struct fake_step missing_steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		STEP("MLSD nothere", "550 Can't check for file existence\r\n"),
		STEP("MLST nothere", "550 Can't check for file existence\r\n"),
		END,
	};
	struct ftp_listing l;
	char msg[FAKE_MSG_MAX];
	listparse_init(&l);
	fake_list(file_steps, "f.txt", FTP_S_OK, &l, NULL, 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "f.txt");
	ck_assert_int_eq(l.v[0].size, 3);
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_FILE);
	fake_list(missing_steps, "nothere", FTP_S_REFUSED, &l, msg, sizeof msg);
	ck_assert_str_eq(msg, "550 Can't check for file existence");
	ck_assert_uint_eq(l.n, 1);
	listparse_free(&l);
}
END_TEST

/* ---- active mode (EPRT, PORT) ---- */

/* EPRT names the control connection's local address and a port the
 * client listens on; the server connects there for each transfer. */
START_TEST(test_active_eprt)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .expect = "EPRT |1|127.0.0.1|", .prefix = true, .pre = FAKE_ACTIVE,
		  .reply = "200 EPRT command successful. Consider using EPSV.\r\n" },
		{ .expect = "RETR f", .reply = "150 Opening BINARY mode data connection.\r\n",
		  .act = FAKE_SEND, .data = "active data", .after = "226 Transfer complete.\r\n" },
		STEP("ALLO 5", "202 ALLO command ignored.\r\n"),
		{ .expect = "EPRT |1|127.0.0.1|", .prefix = true, .pre = FAKE_ACTIVE,
		  .reply = "200 EPRT command successful.\r\n" },
		{ .expect = "STOR up", .reply = "150 Ok to send data.\r\n", .act = FAKE_RECV,
		  .after = "226 Transfer complete.\r\n" },
		SYST_NOT_UNIX,
		{ .expect = "EPRT |1|127.0.0.1|", .prefix = true, .pre = FAKE_ACTIVE,
		  .reply = "200 EPRT command successful.\r\n" },
		{ .expect = "LIST", .reply = "150 Here comes the directory listing.\r\n",
		  .act = FAKE_SEND, .data = "-rw-r--r-- 1 0 0 5 Nov 21 09:57 up\r\n",
		  .after = "226 Directory send OK.\r\n" },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	ftp_set_active(f, true);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[32];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "active data");
	close(fd);
	fd = temp_fd("12345", 5);
	ck_status(f, ftp_put(f, fd, "up", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	close(fd);
	struct ftp_listing l;
	listparse_init(&l);
	ck_status(f, ftp_list(f, NULL, &l), FTP_S_OK);
	ck_assert_uint_eq(l.n, 1);
	listparse_free(&l);
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "# active mode: listening on 127.0.0.1:"));
	ck_assert_ptr_null(strstr(sbuf_str(&trace), "> EPSV"));
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "12345");
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* A server that does not know EPRT gets PORT, from then on; a data
 * connection from another host than the server's is refused. */
START_TEST(test_active_port)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		{ .expect = "EPRT |1|127.0.0.1|", .prefix = true, .reply = "500 Unknown command.\r\n" },
		{ .expect = "PORT 127,0,0,1,", .prefix = true, .pre = FAKE_ACTIVE,
		  .reply = "200 PORT command successful.\r\n" },
		{ .expect = "RETR a", .pre = FAKE_STRANGER, .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "A", .after = "226 ok\r\n" },
		{ .expect = "PORT 127,0,0,1,", .prefix = true, .pre = FAKE_ACTIVE,
		  .reply = "200 PORT command successful.\r\n" },
		STEP("RETR b", "425 Failed to establish connection.\r\n"),
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	ftp_set_active(f, true);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "a", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[8];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "A");
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "refused a data connection from 127.0.0.2"));
	ck_status(f, ftp_get(f, "b", fd, 0, NULL, NULL), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "425 Failed to establish connection.");
	close(fd);
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* ---- retries ---- */

/* A download that broke off (the server went away halfway) goes on after
 * a reconnect from where it stopped: REST with the bytes that arrived. */
START_TEST(test_retry_get_resumes)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "hello " },
		{ .act = FAKE_HANGUP },
		RELOGIN_PUB,
		EPSV_OK,
		STEP("REST 6", "350 Restarting at 6.\r\n"),
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "world",
		  .after = "226 ok\r\n" },
		END,
	};
	struct fake *fk;
	struct sbuf trace;
	sbuf_init(&trace, 65536);
	struct ftp *f = fake_client_tcp(steps, &fk, &trace);
	ftp_set_retry(f, 2);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[32];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "hello world");
	close(fd);
	ck_assert_ptr_nonnull(strstr(sbuf_str(&trace), "retry 1 of 2 in 1 s"));
	fake_client_done(f, fk);
	sbuf_free(&trace);
}
END_TEST

/* Without retries the same break is the caller's to handle. */
START_TEST(test_retry_none)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		EPSV_OK,
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "hello " },
		{ .act = FAKE_HANGUP },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "f", fd, 0, NULL, NULL), FTP_S_BROKEN);
	close(fd);
	fake_client_done(f, fk);
}
END_TEST

/* A fresh upload that broke off is sent again from the start: the server
 * may have kept the old file rather than the part sent. */
START_TEST(test_retry_put_starts_over)
{
	static const struct fake_step steps[] = {
		LOGIN_TCP_PUB,
		STEP("ALLO 10", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR up", .reply = "150 Ok to send data.\r\n", .act = FAKE_HOLD },
		{ .act = FAKE_HANGUP },
		RELOGIN_PUB,
		STEP("ALLO 10", "202 ALLO command ignored.\r\n"),
		EPSV_OK,
		{ .expect = "STOR up", .reply = "150 Ok to send data.\r\n", .act = FAKE_RECV,
		  .after = "226 Transfer complete.\r\n" },
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client_tcp(steps, &fk, NULL);
	ftp_set_retry(f, 1);
	int fd = temp_fd("0123456789", 10);
	ck_status(f, ftp_put(f, fd, "up", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	close(fd);
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "0123456789");
	fake_client_done(f, fk);
}
END_TEST

/* A server that turns the client away at first (421, too many users) is
 * tried again after a wait. */
START_TEST(test_retry_connect)
{
	static const struct fake_step steps[] = {
		{ .reply = "421 Too many users, try later.\r\n", .act = FAKE_HANGUP },
		{ .pre = FAKE_ACCEPT_CONTROL, .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("USER anonymous", "331 Please specify the password.\r\n"),
		STEP("PASS anonymous@", "230 Login successful.\r\n"),
		STEP("FEAT", FEAT_VSFTPD),
		STEP("TYPE I", "200 Switching to Binary mode.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory\r\n"),
		END,
	};
	const struct fake_step turned_away[] = { steps[0], END };
	int port;
	struct fake *fk = fake_start_tcp(turned_away, false, &port);
	struct ftp *f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	ck_status(f, ftp_connect(f, "127.0.0.1", port, NULL, NULL), FTP_S_CONNECT);
	ck_assert_str_eq(ftp_message(f), "421 Too many users, try later.");
	fake_client_done(f, fk);

	fk = fake_start_tcp(steps, false, &port);
	f = ftp_new();
	ftp_set_timeout(f, TEST_TIMEOUT_MS);
	ftp_set_retry(f, 1);
	ck_status(f, ftp_connect(f, "127.0.0.1", port, NULL, NULL), FTP_S_OK);
	fake_client_done(f, fk);
}
END_TEST

/* ---- modification times: MDTM, MFMT ---- */

/* pure-ftpd offers MFMT: the time goes out as a UTC time-val; a time
 * known from a listing needs no MDTM; MDTM gives the others. */
START_TEST(test_times_pure_ftpd)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 ok\r\n" },
		STEP("USER anonymous", "331 ok\r\n"),
		STEP("PASS anonymous@", "230 ok\r\n"),
		STEP("FEAT", FEAT_PURE),
		STEP("OPTS UTF8 ON", "504 Unknown command\r\n"),
		STEP("TYPE I", "200 TYPE is now 8-bit binary\r\n"),
		STEP("PWD", "257 \"/\" is your current location\r\n"),
		STEP("MFMT 20210304120000 a b.txt", "213 UTIME OK\r\n"),
		STEP("MDTM a b.txt", "213 20210304120000\r\n"),
		STEP("MFMT 20210304120000 gone", "550 Can't change the time\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	time_t t = 0;
	ck_status(f, ftp_set_mtime(f, "a b.txt", 1614859200), FTP_S_OK);
	ck_status(f, ftp_file_time(f, "a b.txt", 0, &t), FTP_S_OK);
	ck_assert_int_eq(t, 1614859200);
	ck_status(f, ftp_file_time(f, "a b.txt", 42, &t), FTP_S_OK);
	ck_assert_int_eq(t, 42);
	ck_status(f, ftp_set_mtime(f, "gone", 1614859200), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "550 Can't change the time");
	fake_client_done(f, fk);
}
END_TEST

/* Without MFMT (ferryd, vsftpd) nothing is sent, and the message says why. */
START_TEST(test_times_no_mfmt)
{
	static const struct fake_step steps[] = { LOGIN_FERRYD, END };
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_set_mtime(f, "a", 1614859200), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "the server cannot set file times (no MFMT)");
	fake_client_done(f, fk);
}
END_TEST

/* ---- HASH, ranges ---- */

/* HASH where FEAT lists it: the algorithm and the digest (lower case)
 * from the 213 reply; a reply that is no digest and a refusal fail. */
START_TEST(test_hash)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 ok\r\n" },
		STEP("USER anonymous", "331 ok\r\n"),
		STEP("PASS anonymous@", "230 ok\r\n"),
		STEP("FEAT", "211-Features:\r\n HASH SHA-256*;SHA-1;MD5;CRC32\r\n SIZE\r\n211 End\r\n"),
		STEP("TYPE I", "200 ok\r\n"),
		STEP("PWD", "257 \"/\"\r\n"),
		STEP("HASH a b.txt", "213 SHA-256 0-4 2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824 a b.txt\r\n"),
		STEP("HASH odd", "213 SHA-256 0-4 not-hex odd\r\n"),
		STEP("HASH gone", "550 gone: No such file or directory.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	char alg[FTP_HASH_ALG_MAX], hex[FTP_HASH_HEX_MAX];
	ck_assert(ftp_features(f) & FTP_FEAT_HASH);
	ck_status(f, ftp_hash(f, "a b.txt", alg, hex), FTP_S_OK);
	ck_assert_str_eq(alg, "SHA-256");
	ck_assert_str_eq(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	ck_status(f, ftp_hash(f, "odd", alg, hex), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "not a digest in the reply to HASH: 213 SHA-256 0-4 not-hex odd");
	ck_status(f, ftp_hash(f, "gone", alg, hex), FTP_S_REFUSED);
	fake_client_done(f, fk);
}
END_TEST

/* Without HASH in FEAT nothing is sent. */
START_TEST(test_hash_not_offered)
{
	static const struct fake_step steps[] = { LOGIN_FERRYD, END };
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	char alg[FTP_HASH_ALG_MAX], hex[FTP_HASH_HEX_MAX];
	ck_status(f, ftp_hash(f, "a", alg, hex), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_message(f), "the server does not offer HASH");
	fake_client_done(f, fk);
}
END_TEST

/* A range: REST at its start, its bytes written from there, then ABOR
 * while the server still sends; the connection goes on. */
START_TEST(test_get_range)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "REST 3", .reply = "350 Restarting at 3.\r\n" },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_HOLD, .data = "DEFGHIJKLMNOP" },
		{ .expect = "ABOR", .reply = "426 Transfer aborted.\r\n226 ABOR successful.\r\n",
		  .act = FAKE_DROP_DATA },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	char path[] = "/tmp/check_ftp_ext-range-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_get_range(f, "f", fd, 3, 4, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_noop(f), FTP_S_OK);
	char buf[16] = { 0 };
	ck_assert_int_eq(pread(fd, buf, sizeof buf - 1, 0), 7);
	ck_assert_str_eq(buf, "abcDEFG");
	close(fd);
	unlink(path);
	fake_client_done(f, fk);
}
END_TEST

/* A range the server ends early, with a 226 all the same, did not
 * arrive: the call fails as broken (a file fetched in ranges would
 * otherwise keep a gap), saying how much came. */
START_TEST(test_get_range_short)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		EPSV_OK,
		{ .expect = "REST 3", .reply = "350 Restarting at 3.\r\n" },
		{ .expect = "RETR f", .reply = "150 ok\r\n", .act = FAKE_SEND, .data = "DE",
		  .after = "226 Transfer complete.\r\n" },
		STEP("NOOP", "200 NOOP ok.\r\n"),
		END,
	};
	char path[] = "/tmp/check_ftp_ext-range-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "abc", 3), 3);
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_get_range(f, "f", fd, 3, 4, NULL, NULL), FTP_S_BROKEN);
	ck_assert_str_eq(ftp_message(f), "the transfer ended after 2 of 4 bytes "
			 "(226 Transfer complete.)");
	ck_status(f, ftp_noop(f), FTP_S_OK);
	char buf[16] = { 0 };
	ck_assert_int_eq(pread(fd, buf, sizeof buf - 1, 0), 5);
	ck_assert_str_eq(buf, "abcDE");
	close(fd);
	unlink(path);
	fake_client_done(f, fk);
}
END_TEST

/* ---- the ASCII type, raw commands, SITE CHMOD ---- */

/* In the ASCII type CR LF on the wire is LF on disk and back; no ALLO
 * (the size on the wire is not known), no offsets; TYPE I returns to
 * bytes as they are. */
START_TEST(test_ascii_type)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("TYPE A", "200 Switching to ASCII mode.\r\n"),
		EPSV_OK,
		{ .expect = "RETR t.txt", .reply = "150 ok\r\n", .act = FAKE_SEND,
		  .data = "one\r\ntwo\r\nend\r", .after = "226 ok\r\n" },
		EPSV_OK,
		{ .expect = "STOR up.txt", .reply = "150 ok\r\n", .act = FAKE_RECV,
		  .after = "226 ok\r\n" },
		STEP("TYPE I", "200 Switching to Binary mode.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_set_type(f, true), FTP_S_OK);
	ck_assert(ftp_ascii(f));
	int fd = temp_fd("", 0);
	ck_status(f, ftp_get(f, "t.txt", fd, 0, NULL, NULL), FTP_S_OK);
	char buf[64];
	read_back(fd, buf, sizeof buf);
	ck_assert_str_eq(buf, "one\ntwo\nend\r");
	ck_status(f, ftp_get(f, "t.txt", fd, 5, NULL, NULL), FTP_S_USAGE);
	close(fd);
	fd = temp_fd("x\ny\n", 4);
	ck_status(f, ftp_put(f, fd, "up.txt", FTP_PUT_REPLACE, 0, NULL, NULL), FTP_S_OK);
	ck_status(f, ftp_put(f, fd, "up.txt", FTP_PUT_APPEND, 0, NULL, NULL), FTP_S_USAGE);
	close(fd);
	size_t n;
	ck_assert_str_eq(fake_received(fk, &n), "x\r\ny\r\n");
	ck_status(f, ftp_set_type(f, false), FTP_S_OK);
	ck_assert(!ftp_ascii(f));
	fake_client_done(f, fk);
}
END_TEST

/* quote: any command, its whole reply shown line by line (sanitised),
 * 4xx and 5xx refusals; SITE CHMOD with an octal mode. */
START_TEST(test_quote_and_chmod)
{
	static const struct fake_step steps[] = {
		LOGIN_FERRYD,
		STEP("SITE HELP", "214-The following SITE commands are recognized\r\n ALIAS\r\n"
		     " CHMOD\r\n214 Pure-FTPd - http://pureftpd.org/\r\n"),
		STEP("XYZZY a\xff\xff", "500 Unknown command \x1b[2J.\r\n"),
		STEP("SITE CHMOD 644 a b.txt", "200 Permissions changed on a b.txt\r\n"),
		STEP("SITE CHMOD 4755 x", "550 Permission denied.\r\n"),
		END,
	};
	struct fake *fk;
	struct ftp *f = fake_client(steps, &fk, FTP_S_OK);
	ck_status(f, ftp_quote(f, "SITE HELP"), FTP_S_OK);
	ck_assert_str_eq(ftp_reply_lines(f), "214 The following SITE commands are recognized\n"
			 "ALIAS\nCHMOD\nPure-FTPd - http://pureftpd.org/");
	ck_status(f, ftp_quote(f, "XYZZY a\xff"), FTP_S_REFUSED);
	ck_assert_str_eq(ftp_reply_lines(f), "500 Unknown command ?[2J.");
	ck_status(f, ftp_quote(f, "NOOP\r\nDELE x"), FTP_S_USAGE);
	ck_status(f, ftp_chmod(f, "a b.txt", 0644), FTP_S_OK);
	ck_status(f, ftp_chmod(f, "x", 04755), FTP_S_REFUSED);
	ck_status(f, ftp_chmod(f, "x", 010000), FTP_S_USAGE);
	fake_client_done(f, fk);
}
END_TEST

/* ---- suite ---- */

static Suite *ftp_ext_suite(void)
{
	Suite *s = suite_create("ftp_ext");

	TCase *iac = tcase_create("iac");
	tcase_set_timeout(iac, 20);
	tcase_add_test(iac, test_iac_doubled);
	tcase_add_test(iac, test_iac_off);
	tcase_add_test(iac, test_iac_too_long);
	suite_add_tcase(s, iac);

	TCase *stat = tcase_create("stat");
	tcase_set_timeout(stat, 20);
	tcase_add_test(stat, test_stat_mlst);
	tcase_add_test(stat, test_stat_size);
	tcase_add_test(stat, test_list_file_mlst);
	suite_add_tcase(s, stat);

	TCase *active = tcase_create("active");
	tcase_set_timeout(active, 20);
	tcase_add_test(active, test_active_eprt);
	tcase_add_test(active, test_active_port);
	suite_add_tcase(s, active);

	TCase *retry = tcase_create("retry");
	tcase_set_timeout(retry, 30);
	tcase_add_test(retry, test_retry_get_resumes);
	tcase_add_test(retry, test_retry_none);
	tcase_add_test(retry, test_retry_put_starts_over);
	tcase_add_test(retry, test_retry_connect);
	suite_add_tcase(s, retry);

	TCase *times = tcase_create("times");
	tcase_add_test(times, test_times_pure_ftpd);
	tcase_add_test(times, test_times_no_mfmt);
	tcase_add_test(times, test_hash);
	tcase_add_test(times, test_hash_not_offered);
	tcase_add_test(times, test_get_range);
	tcase_add_test(times, test_get_range_short);
	suite_add_tcase(s, times);

	TCase *cmds = tcase_create("commands");
	tcase_set_timeout(cmds, 20);
	tcase_add_test(cmds, test_ascii_type);
	tcase_add_test(cmds, test_quote_and_chmod);
	suite_add_tcase(s, cmds);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ftp_ext_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
