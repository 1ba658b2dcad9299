/* check_ftp_scripts: pieces of fake-server scripts (check_ftp_fake.h) as
 * real servers send them, and the helpers that log the engine in over a
 * fake, for every Check suite that drives the engine: check_ftp (the
 * engine itself) and check_tree (the tree walk). */
#ifndef FERRY_CHECK_FTP_SCRIPTS_H
#define FERRY_CHECK_FTP_SCRIPTS_H

#include <check.h>

#include "check_ftp_fake.h"
#include "ftp.h"
#include "sbuf.h"

/* How long the engine waits for the fake in most tests, in ms. */
#define TEST_TIMEOUT_MS 3000
/* Room for an engine message copied out of a handle (fake_list). */
#define FAKE_MSG_MAX 1024

#define END { .end = true }
#define STEP(cmd, rep) { .expect = (cmd), .reply = (rep) }

/* FEAT replies as the servers send them. */
#define FEAT_FERRYD "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;perm*;unique*;\r\n" \
	" PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n"
#define FEAT_VSFTPD "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n"
#define FEAT_PURE "211-Extensions supported:\r\n UTF8\r\n EPRT\r\n IDLE\r\n MDTM\r\n SIZE\r\n MFMT\r\n" \
	" REST STREAM\r\n MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;UNIX.gid*;unique*;\r\n" \
	" MLSD\r\n PRET\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n TVFS\r\n ESTA\r\n PASV\r\n EPSV\r\n ESTP\r\n211 End.\r\n"

/* An anonymous login into ferryd: FEAT offers MLST and UTF8. */
#define LOGIN_FERRYD \
	{ .reply = "220 ferryd ready.\r\n" }, \
	STEP("USER anonymous", "331 Anonymous login ok, send any password.\r\n"), \
	STEP("PASS anonymous@", "230 Logged in.\r\n"), \
	STEP("FEAT", FEAT_FERRYD), \
	STEP("OPTS UTF8 ON", "200 UTF8 set to on.\r\n"), \
	STEP("TYPE I", "200 Switching to Binary mode.\r\n"), \
	STEP("PWD", "257 \"/\" is the current directory.\r\n")

/* An anonymous login into vsftpd: no MLST, no UTF8 in FEAT. */
#define LOGIN_VSFTPD \
	{ .reply = "220 (vsFTPd 3.0.3)\r\n" }, \
	STEP("USER anonymous", "331 Please specify the password.\r\n"), \
	STEP("PASS anonymous@", "230 Login successful.\r\n"), \
	STEP("FEAT", FEAT_VSFTPD), \
	STEP("TYPE I", "200 Switching to Binary mode.\r\n"), \
	STEP("PWD", "257 \"/\" is the current directory\r\n")

/* Steps of a passive data connection announced by EPSV. */
/* Answers to the SYST asked before a connection's first LIST: a server
 * that says UNIX is tried with "LIST -a"; one that does not gets plain LIST. */
#define SYST_UNIX STEP("SYST", "215 UNIX Type: L8\r\n")
#define SYST_NOT_UNIX STEP("SYST", "502 SYST not implemented.\r\n")
#define EPSV_OK { .expect = "EPSV", .pre = FAKE_LISTEN, \
		  .reply = "229 Entering Extended Passive Mode (|||{PORT}|)\r\n" }

#define QUIT_STEP STEP("QUIT", "221 Goodbye.\r\n")

/* Logs in over TCP (vsftpd's replies), changes into /pub. */
#define LOGIN_TCP_PUB \
	LOGIN_VSFTPD, \
	STEP("CWD pub", "250 Directory successfully changed.\r\n"), \
	STEP("PWD", "257 \"/pub\" is the current directory\r\n")

/* The login of a reconnect: back into /pub with CWD. */
#define RELOGIN_PUB \
	{ .pre = FAKE_ACCEPT_CONTROL, .reply = "220 (vsFTPd 3.0.3)\r\n" }, \
	STEP("USER anonymous", "331 Please specify the password.\r\n"), \
	STEP("PASS anonymous@", "230 Login successful.\r\n"), \
	STEP("FEAT", FEAT_VSFTPD), \
	STEP("TYPE I", "200 Switching to Binary mode.\r\n"), \
	STEP("CWD /pub", "250 Directory successfully changed.\r\n")

/* Starts the fake on a socketpair and a handle logged in over it
 * (anonymously, data connections to 127.0.0.1), asserting the login's
 * status is want. */
struct ftp *fake_client(const struct fake_step *steps, struct fake **fk, enum ftp_status want);
/* Frees the handle (the client hangs up) and asserts the script ran whole. */
void fake_client_done(struct ftp *f, struct fake *fk);
/* Runs steps (a login, then one listing's exchange) with fake_client:
 * lists path into l (initialised by the caller, appended to as ftp_list
 * does), asserting the status is want; msg (n bytes, or NULL) gets the
 * engine's message after the listing. Asserts the script ran whole. */
void fake_list(const struct fake_step *steps, const char *path, enum ftp_status want,
	       struct ftp_listing *l, char *msg, size_t n);
/* Starts the fake on TCP and a handle connected to it with ftp_connect
 * (so it can reconnect), changed into pub (LOGIN_TCP_PUB); the trace goes
 * into trace when it is not NULL. */
struct ftp *fake_client_tcp(const struct fake_step *steps, struct fake **fk, struct sbuf *trace);
/* A trace receiver appending "> sent", "< received", "# note" lines to an sbuf. */
void trace_collect(void *arg, enum ftp_trace_kind kind, const char *text);
/* An unlinked temporary file holding n bytes of content, at offset 0. */
int temp_fd(const char *content, size_t n);
/* Reads a whole file from the start into buf (NUL-terminated); returns its length. */
size_t read_back(int fd, char *buf, size_t size);

/* Asserts a status, showing the message when it differs. */
#define ck_status(f, expr, want) do { \
		enum ftp_status st_ = (expr); \
		ck_assert_msg(st_ == (want), "%s: got %s, want %s (%s)", #expr, \
			      ftp_status_name(st_), ftp_status_name(want), ftp_message(f)); \
	} while (0)

#endif
