/* End-to-end tests of ferryd's TLS module (server/tls) against ferry's
 * (client/tlsclient) over socket pairs: certificate verification and its
 * reasons, data connections resuming the control connection's session,
 * stolen data connections refused, fresh TLS 1.3 tickets, certificate
 * reload. Each session-binding test runs under TLS 1.2 and TLS 1.3. */
#include "config.h"

#include "tls.h"
#include "tlsclient.h"

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "sysio.h"
#include "tlstest.h"

static const int versions[] = { TLS1_2_VERSION, TLS1_3_VERSION };

/* ferryd's side: options and the loaded certificate. */
struct server {
	struct tls_options opt;
	struct tls_server *srv;
};

static void server_init(struct server *s, const char *cert, const char *key, int max_version)
{
	tls_options_init(&s->opt);
	char err[256];
	ck_assert_int_eq(tls_option(&s->opt, "tls-cert", tlstest_cert(cert), err, sizeof err), 0);
	if (key)
		ck_assert_int_eq(tls_option(&s->opt, "tls-key", tlstest_cert(key), err, sizeof err), 0);
	ck_assert_int_eq(tls_options_finish(&s->opt, err, sizeof err), 0);
	s->opt.max_version = max_version;
	s->srv = tls_server_new(&s->opt, err, sizeof err);
	ck_assert_msg(s->srv != NULL, "%s", err);
}

static void server_free(struct server *s)
{
	tls_server_free(s->srv);
	tls_options_free(&s->opt);
}

/* One control connection, both ends. */
struct session {
	struct tlsc_options copt;
	struct tls_control *sc;
	struct tlsc *cc;
	struct conn *sctl, *cctl;
	enum conn_status sst, cst; /* handshake results */
};

/* Connects a control connection to s for host, trusting ca (NULL: the
 * system store) and runs the handshake. */
static void session_open(struct session *ss, struct server *s, const char *host, const char *ca,
			 int max_version)
{
	memset(ss, 0, sizeof *ss);
	tlsc_options_init(&ss->copt);
	char err[256];
	if (ca)
		ck_assert_int_eq(tlsc_option(&ss->copt, "ca-file", tlstest_cert(ca), err, sizeof err), 0);
	ss->copt.max_version = max_version;
	int fds[2];
	tlstest_socketpair(fds);
	ss->sctl = conn_plain(fds[0], fds[0]);
	ss->cctl = conn_plain(fds[1], fds[1]);
	ss->sc = tls_control_start(s->srv, ss->sctl, err, sizeof err);
	ck_assert_msg(ss->sc != NULL, "%s", err);
	ss->cc = tlsc_new(&ss->copt, host, err, sizeof err);
	ck_assert_msg(ss->cc != NULL, "%s", err);
	ck_assert(tlsc_start_control(ss->cc, ss->cctl, err, sizeof err));
	tlstest_handshake(ss->sctl, ss->cctl, &ss->sst, &ss->cst);
}

static void session_close(struct session *ss)
{
	tls_control_free(ss->sc);
	tlsc_free(ss->cc);
	conn_free(ss->sctl);
	conn_free(ss->cctl);
}

/* The usual start: ferryd with the test chain (at most max_version), a
 * client for "localhost" trusting the test CA, handshake done. */
static void session_start(struct server *s, struct session *ss, int max_version)
{
	server_init(s, "combined.pem", NULL, max_version);
	session_open(ss, s, "localhost", "ca.pem", 0);
	ck_assert_msg(ss->sst == CONN_OK && ss->cst == CONN_OK, "%s / %s", conn_error(ss->sctl),
		      conn_error(ss->cctl));
}

/* A reply from the server, read by the client: what carries TLS 1.3
 * tickets across in a real session. */
static void reply(struct session *ss, const char *text)
{
	ck_assert_int_eq(conn_write_all(ss->sctl, text, strlen(text), 5000), CONN_OK);
	char buf[256];
	size_t got = 0, n = strlen(text);
	while (got < n) {
		size_t k;
		enum conn_status st = conn_read(ss->cctl, buf + got, n - got, &k);
		if (st == CONN_OK)
			got += k;
		else if (conn_wait(ss->cctl, st, 5000) != CONN_OK)
			ck_abort_msg("reply: %s", conn_error(ss->cctl));
	}
	ck_assert_int_eq(memcmp(buf, text, n), 0);
}

/* A data connection: both ends, handshake run, verdicts of both sides. */
struct data {
	struct conn *s, *c;
	enum tls_data_verdict sv;
	enum tlsc_data_verdict cv;
};

static struct data data_open(struct tls_control *sc, struct tlsc *cc)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct data d = { .s = tls_data_start(sc, fds[0]), .c = tlsc_data_start(cc, fds[1]) };
	ck_assert_ptr_nonnull(d.s);
	ck_assert_ptr_nonnull(d.c);
	enum conn_status a, b;
	tlstest_handshake(d.s, d.c, &a, &b);
	d.sv = a == CONN_OK ? tls_data_check(sc, d.s) : TLS_DATA_FAILED;
	d.cv = b == CONN_OK ? tlsc_data_check(cc, d.c) : TLSC_DATA_FAILED;
	return d;
}

static void data_close(struct data *d)
{
	conn_free(d->s);
	conn_free(d->c);
}

/* A client TLS state trusting the test CA that never had a control
 * connection (a stranger to every server session). */
static struct tlsc *stranger_new(struct tlsc_options *o)
{
	tlsc_options_init(o);
	char err[256];
	ck_assert_int_eq(tlsc_option(o, "ca-file", tlstest_cert("ca.pem"), err, sizeof err), 0);
	struct tlsc *t = tlsc_new(o, "localhost", err, sizeof err);
	ck_assert_msg(t != NULL, "%s", err);
	return t;
}

/* The certificate checks out by name and by both IP addresses in it. */
static const char *good_hosts[] = { "localhost", "LOCALHOST", "127.0.0.1", "::1" };

START_TEST(control_verified)
{
	struct server s;
	server_init(&s, "server.pem", "server.key", versions[_i % 2]);
	struct session ss;
	session_open(&ss, &s, good_hosts[_i / 2], "ca.pem", 0);
	ck_assert_msg(ss.sst == CONN_OK && ss.cst == CONN_OK, "%s / %s", conn_error(ss.sctl),
		      conn_error(ss.cctl));
	struct tlsc_cert c;
	char err[256];
	ck_assert(tlsc_peer(ss.cc, &c, err, sizeof err));
	ck_assert_msg(c.verified, "%s: %s", good_hosts[_i / 2], c.reason);
	ck_assert_str_eq(c.reason, "");
	ck_assert_str_eq(c.subject, "CN=localhost, O=ferry tests");
	ck_assert_str_eq(c.issuer, "CN=ferry test intermediate CA, O=ferry tests");
	ck_assert_int_eq(strlen(c.not_before), strlen("2026-01-01 00:00:00 UTC"));
	char fp[FP_TEXT_SIZE];
	tls_server_fingerprint(s.srv, fp);
	ck_assert_str_eq(c.fingerprint, fp);
	ck_assert_int_eq(tlsc_decide(&ss.copt, &c, FP_UNKNOWN), TLSC_TRUST_VERIFIED);
	char d[128];
	conn_describe(ss.sctl, d, sizeof d);
	ck_assert_msg(strncmp(d, versions[_i % 2] == TLS1_2_VERSION ? "TLSv1.2 " : "TLSv1.3 ", 8) == 0,
		      "%s", d);
	/* ferryd's policy on the connection. */
	uint64_t o = SSL_get_options(conn_ssl(ss.sctl));
	ck_assert(o & SSL_OP_CIPHER_SERVER_PREFERENCE);
	ck_assert(o & SSL_OP_NO_COMPRESSION);
	ck_assert(o & SSL_OP_NO_RENEGOTIATION);
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* Certificates that fail, and the reason the user is shown. */
static const struct {
	const char *cert, *key, *host, *ca, *reason;
} bad_cases[] = {
	{ "selfsigned.pem", "selfsigned.key", "localhost", "ca.pem", "the certificate is self-signed" },
	{ "expired.pem", "expired.key", "localhost", "ca.pem",
	  "the certificate expired on 2020-02-01 00:00:00 UTC" },
	{ "wronghost.pem", "wronghost.key", "localhost", "ca.pem",
	  "the certificate is not valid for localhost" },
	{ "server.pem", "server.key", "127.0.0.2", "ca.pem",
	  "the certificate is not valid for 127.0.0.2" },
	{ "server.pem", "server.key", "ftp.example.org", "ca.pem",
	  "the certificate is not valid for ftp.example.org" },
	/* The system store does not know the test CA. */
	{ "server.pem", "server.key", "localhost", NULL,
	  "the certificate is not signed by a trusted authority" },
	/* Trusting only the intermediate is not enough either. */
	{ "selfsigned.pem", "selfsigned.key", "localhost", "inter.pem",
	  "the certificate is self-signed" },
};

START_TEST(control_not_verified)
{
	struct server s;
	server_init(&s, bad_cases[_i].cert, bad_cases[_i].key, 0);
	struct session ss;
	session_open(&ss, &s, bad_cases[_i].host, bad_cases[_i].ca, 0);
	/* The handshake completes: nothing has been sent yet, and the
	 * decision comes next. */
	ck_assert_msg(ss.sst == CONN_OK && ss.cst == CONN_OK, "%s / %s", conn_error(ss.sctl),
		      conn_error(ss.cctl));
	struct tlsc_cert c;
	char err[256];
	ck_assert(tlsc_peer(ss.cc, &c, err, sizeof err));
	ck_assert(!c.verified);
	ck_assert_str_eq(c.reason, bad_cases[_i].reason);
	ck_assert_int_eq(tlsc_decide(&ss.copt, &c, FP_UNKNOWN), TLSC_TRUST_ASK);
	ck_assert_int_eq(tlsc_decide(&ss.copt, &c, FP_MATCH), TLSC_TRUST_KNOWN);
	ck_assert_int_eq(tlsc_decide(&ss.copt, &c, FP_CHANGED), TLSC_TRUST_CHANGED);
	char fp[FP_TEXT_SIZE];
	tls_server_fingerprint(s.srv, fp);
	ck_assert_str_eq(c.fingerprint, fp);
	/* Pinning exactly this certificate is enough. */
	ck_assert_int_eq(tlsc_option(&ss.copt, "trust-fingerprint", fp, err, sizeof err), 0);
	ck_assert_int_eq(tlsc_decide(&ss.copt, &c, FP_UNKNOWN), TLSC_TRUST_PINNED);
	char text[1024];
	tlsc_cert_describe(&c, "h:21", text, sizeof text);
	ck_assert_msg(strstr(text, bad_cases[_i].reason) && strstr(text, fp), "%s", text);
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* Several data connections in a row all resume the control connection's
 * session and carry bytes; both sides say so. */
START_TEST(data_resumes_control_session)
{
	struct server s;
	struct session ss;
	session_start(&s, &ss, versions[_i]);
	reply(&ss, "230 logged in\r\n");
	for (int k = 0; k < 3; k++) {
		ck_assert(tls_control_fresh_ticket(ss.sc));
		reply(&ss, "227 Entering Passive Mode (127,0,0,1,4,1).\r\n");
		tlsc_read_tickets(ss.cc);
		struct data d = data_open(ss.sc, ss.cc);
		ck_assert_msg(d.sv == TLS_DATA_OK, "transfer %d: %s", k, tls_data_verdict_text(d.sv));
		ck_assert_int_eq(d.cv, TLSC_DATA_RESUMED);
		char desc[128];
		ck_assert_msg(strstr(conn_describe(d.s, desc, sizeof desc), " resumed"), "%s", desc);
		ck_assert_int_eq(conn_write_all(d.c, "upload", 6, 5000), CONN_OK);
		ck_assert_int_eq(conn_shutdown(d.c), CONN_OK);
		char buf[16];
		size_t got;
		ck_assert_int_eq(tlstest_read_all(d.s, buf, sizeof buf, &got), CONN_EOF);
		ck_assert_uint_eq(got, 6);
		data_close(&d);
	}
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* Two control connections of one client program to one server, their
 * transfers interleaved: each data connection offers its own control
 * connection's newest session (one cache per control connection), never
 * the other's, which the server would refuse. */
START_TEST(two_connections_keep_their_sessions)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, versions[_i]);
	struct session a, b;
	session_open(&a, &s, "localhost", "ca.pem", 0);
	session_open(&b, &s, "localhost", "ca.pem", 0);
	reply(&a, "230 ok\r\n");
	reply(&b, "230 ok\r\n");
	for (int k = 0; k < 4; k++) {
		struct session *ss = k % 2 ? &b : &a;
		/* The other connection got a fresh ticket last. */
		ck_assert(tls_control_fresh_ticket(ss->sc));
		reply(ss, "227 ok\r\n");
		tlsc_read_tickets(ss->cc);
		struct data d = data_open(ss->sc, ss->cc);
		ck_assert_msg(d.sv == TLS_DATA_OK, "transfer %d: %s", k, tls_data_verdict_text(d.sv));
		ck_assert_int_eq(d.cv, TLSC_DATA_RESUMED);
		data_close(&d);
	}
	session_close(&a);
	session_close(&b);
	server_free(&s);
}
END_TEST

/* A data connection with a fresh TLS session (whoever connected to the
 * passive port) is refused; so is the session of another control
 * connection of the same server. */
START_TEST(data_theft_refused)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, versions[_i]);
	struct session victim, thief;
	session_open(&victim, &s, "localhost", "ca.pem", 0);
	session_open(&thief, &s, "localhost", "ca.pem", 0);
	reply(&victim, "230 ok\r\n");
	reply(&thief, "230 ok\r\n");
	tlsc_read_tickets(thief.cc);
	ck_assert(tlsc_have_session(thief.cc));

	/* A client that never had a control connection: no session at all. */
	struct tlsc_options o;
	struct tlsc *stranger = stranger_new(&o);
	struct data d = data_open(victim.sc, stranger);
	ck_assert_int_eq(d.sv, TLS_DATA_NOT_RESUMED);
	data_close(&d);
	tlsc_free(stranger);

	/* Another logged-in client offering its own (valid) session. */
	d = data_open(victim.sc, thief.cc);
	ck_assert_msg(d.sv == TLS_DATA_NOT_RESUMED || d.sv == TLS_DATA_FOREIGN, "%d", d.sv);
	/* The thief's side sees a full handshake with the same certificate. */
	ck_assert_int_eq(d.cv, TLSC_DATA_FULL);
	data_close(&d);

	/* The victim's own data connection still works. */
	d = data_open(victim.sc, victim.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	data_close(&d);
	session_close(&victim);
	session_close(&thief);
	server_free(&s);
}
END_TEST

/* Runs the client end (fds[1]) of a data connection in a child:
 * handshake with cc, then read until the end. The exit status is the number of data
 * bytes received (capped at 100), 101 if the handshake failed. */
static pid_t data_client_child(struct tlsc *cc, int fds[2])
{
	int fd = fds[1];
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid > 0) {
		close(fd);
		return pid;
	}
	close(fds[0]);
	struct conn *c = tlsc_data_start(cc, fd);
	if (conn_handshake_wait(c, 5000, NULL, NULL) != CONN_OK)
		_exit(101);
	char buf[256];
	size_t got = 0;
	enum conn_status st;
	for (;;) {
		size_t k;
		st = conn_read(c, buf, sizeof buf, &k);
		if (st == CONN_OK)
			got += k;
		else if (st != CONN_WANT_READ || conn_wait(c, st, 5000) != CONN_OK)
			break;
	}
	/* A clean end gets the client's close_notify back. */
	if (st == CONN_EOF)
		conn_finish(c, 5000);
	_exit(got > 100 ? 100 : (int)got);
}

/* tls_data_accept: the binding as ferryd will call it. The thief's
 * connection is closed before a single byte of the file is written. */
START_TEST(data_accept_refuses_without_bytes)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, versions[_i]);
	struct session victim;
	session_open(&victim, &s, "localhost", "ca.pem", 0);
	reply(&victim, "230 ok\r\n");
	struct tlsc_options o;
	struct tlsc *thief = stranger_new(&o);
	char err[256];

	int fds[2];
	tlstest_socketpair(fds);
	pid_t pid = data_client_child(thief, fds);
	struct conn *out = (struct conn *)1;
	enum tls_data_verdict v = tls_data_accept(victim.sc, fds[0], 5000, &out, err, sizeof err);
	ck_assert_int_eq(v, TLS_DATA_NOT_RESUMED);
	ck_assert_ptr_null(out);
	ck_assert_msg(strstr(err, "not resumed"), "%s", err);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	/* The thief's handshake may finish or not; it never gets data. */
	ck_assert_msg(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 101, "%d",
		      WEXITSTATUS(status));

	/* The rightful client gets the file. */
	tlstest_socketpair(fds);
	pid = data_client_child(victim.cc, fds);
	v = tls_data_accept(victim.sc, fds[0], 5000, &out, err, sizeof err);
	ck_assert_msg(v == TLS_DATA_OK, "%s", err);
	ck_assert_int_eq(conn_write_all(out, "0123456789", 10, 5000), CONN_OK);
	ck_assert_int_eq(conn_finish(out, 5000), CONN_EOF);
	conn_free(out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 10);

	tlsc_free(thief);
	session_close(&victim);
	server_free(&s);
}
END_TEST

/* --tls-session-reuse: the default refuses what the binding does not
 * hold; optional takes a fresh session and another control connection's,
 * noting the first one only, and still no failed handshake. */
START_TEST(data_reuse_optional)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, versions[_i]);
	struct session victim, other;
	session_open(&victim, &s, "localhost", "ca.pem", 0);
	session_open(&other, &s, "localhost", "ca.pem", 0);
	reply(&victim, "230 ok\r\n");
	reply(&other, "230 ok\r\n");
	tlsc_read_tickets(other.cc);
	struct tlsc_options o;
	struct tlsc *stranger = stranger_new(&o);
	bool first = true;

	/* Required (the default). */
	ck_assert(tls_data_accepted(victim.sc, TLS_DATA_OK, &first));
	ck_assert(!first);
	struct data d = data_open(victim.sc, stranger);
	ck_assert_int_eq(d.sv, TLS_DATA_NOT_RESUMED);
	ck_assert(!tls_data_accepted(victim.sc, d.sv, &first));
	ck_assert(!first);
	data_close(&d);
	ck_assert(!tls_data_accepted(victim.sc, TLS_DATA_FOREIGN, &first));
	session_close(&victim);

	/* Optional: sessions started from now on. */
	s.opt.reuse_optional = true;
	session_open(&victim, &s, "localhost", "ca.pem", 0);
	reply(&victim, "230 ok\r\n");
	d = data_open(victim.sc, stranger);
	ck_assert_int_eq(d.sv, TLS_DATA_NOT_RESUMED);
	ck_assert(tls_data_accepted(victim.sc, d.sv, &first));
	ck_assert(first);
	data_close(&d);
	d = data_open(victim.sc, other.cc);
	ck_assert_msg(d.sv == TLS_DATA_NOT_RESUMED || d.sv == TLS_DATA_FOREIGN, "%d", d.sv);
	ck_assert(tls_data_accepted(victim.sc, d.sv, &first));
	ck_assert(!first);
	data_close(&d);
	ck_assert(tls_data_accepted(victim.sc, TLS_DATA_FOREIGN, &first));
	ck_assert(!first);
	ck_assert(!tls_data_accepted(victim.sc, TLS_DATA_FAILED, &first));
	d = data_open(victim.sc, victim.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	ck_assert(tls_data_accepted(victim.sc, d.sv, &first));
	data_close(&d);

	/* tls_data_accept hands the stranger's connection over, bytes flow. */
	char err[256];
	int fds[2];
	tlstest_socketpair(fds);
	pid_t pid = data_client_child(stranger, fds);
	struct conn *out = NULL;
	enum tls_data_verdict v = tls_data_accept(victim.sc, fds[0], 5000, &out, err, sizeof err);
	ck_assert_int_eq(v, TLS_DATA_NOT_RESUMED);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(conn_write_all(out, "0123456789", 10, 5000), CONN_OK);
	ck_assert_int_eq(conn_finish(out, 5000), CONN_EOF);
	conn_free(out);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 10);

	tlsc_free(stranger);
	session_close(&victim);
	session_close(&other);
	server_free(&s);
}
END_TEST

/* TLS 1.3: the tickets sent after the handshake are only seen when the
 * client reads the control connection; tlsc_read_tickets takes them
 * without taking the reply that follows. */
START_TEST(client_reads_pending_tickets)
{
	struct server s;
	struct session ss;
	session_start(&s, &ss, TLS1_3_VERSION);
	ck_assert(!tlsc_have_session(ss.cc));
	ck_assert_int_eq(conn_write_all(ss.sctl, "227 ok\r\n", 8, 5000), CONN_OK);
	/* Blocking descriptor: tlsc_read_tickets must still return. */
	ck_assert_int_eq(sysio_set_nonblock(conn_rfd(ss.cctl), false), 0);
	tlsc_read_tickets(ss.cc);
	ck_assert(tlsc_have_session(ss.cc));
	char buf[16];
	size_t got;
	ck_assert_int_eq(conn_read(ss.cctl, buf, sizeof buf, &got), CONN_OK);
	ck_assert_uint_eq(got, 8);
	ck_assert_int_eq(memcmp(buf, "227 ok\r\n", 8), 0);
	ck_assert_int_eq(sysio_set_nonblock(conn_rfd(ss.cctl), true), 0);
	/* Nothing pending: returns at once, blocking or not. */
	tlsc_read_tickets(ss.cc);
	struct data d = data_open(ss.sc, ss.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	data_close(&d);
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* TLS 1.3 with short-lived tickets: once the control connection's ticket
 * expired, a data connection cannot resume; a fresh ticket issued before
 * the transfer fixes that. */
START_TEST(fresh_ticket_after_expiry)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, TLS1_3_VERSION);
	/* OpenSSL counts whole seconds: a 2 s lifetime lasts 2 to 3 s. */
	s.opt.session_timeout = 2;
	struct session ss;
	session_open(&ss, &s, "localhost", "ca.pem", 0);
	reply(&ss, "230 ok\r\n");
	/* Well past the lifetime (sleep only ever lasts longer). */
	sleep(4);
	struct data d = data_open(ss.sc, ss.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_NOT_RESUMED);
	data_close(&d);
	ck_assert(tls_control_fresh_ticket(ss.sc));
	reply(&ss, "227 ok\r\n");
	d = data_open(ss.sc, ss.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	ck_assert_int_eq(d.cv, TLSC_DATA_RESUMED);
	data_close(&d);
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* TLS 1.2 with a client that takes no tickets: resumption by session id
 * from the control connection's own cache. */
START_TEST(tls12_session_id_resumption)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, TLS1_2_VERSION);
	struct session ss;
	memset(&ss, 0, sizeof ss);
	tlsc_options_init(&ss.copt);
	char err[256];
	ck_assert_int_eq(tlsc_option(&ss.copt, "ca-file", tlstest_cert("ca.pem"), err, sizeof err), 0);
	int fds[2];
	tlstest_socketpair(fds);
	ss.sctl = conn_plain(fds[0], fds[0]);
	ss.cctl = conn_plain(fds[1], fds[1]);
	ss.sc = tls_control_start(s.srv, ss.sctl, err, sizeof err);
	ss.cc = tlsc_new(&ss.copt, "localhost", err, sizeof err);
	ck_assert(tlsc_start_control(ss.cc, ss.cctl, err, sizeof err));
	SSL_set_options(conn_ssl(ss.cctl), SSL_OP_NO_TICKET);
	tlstest_handshake(ss.sctl, ss.cctl, &ss.sst, &ss.cst);
	ck_assert(ss.sst == CONN_OK && ss.cst == CONN_OK);
	ck_assert(tlsc_have_session(ss.cc));
	struct data d = data_open(ss.sc, ss.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	ck_assert_int_eq(d.cv, TLSC_DATA_RESUMED);
	data_close(&d);
	session_close(&ss);
	server_free(&s);
}
END_TEST

/* Client and server limited to different versions: the session runs at
 * the one both allow; with none in common it fails with a reason. */
START_TEST(version_limits)
{
	struct server s;
	server_init(&s, "combined.pem", NULL, 0);
	struct session ss;
	session_open(&ss, &s, "localhost", "ca.pem", TLS1_2_VERSION);
	ck_assert(ss.sst == CONN_OK && ss.cst == CONN_OK);
	ck_assert_int_eq(SSL_version(conn_ssl(ss.sctl)), TLS1_2_VERSION);
	session_close(&ss);
	server_free(&s);

	/* A client that only speaks TLS 1.1 is refused by ferryd's floor. */
	server_init(&s, "combined.pem", NULL, 0);
	int fds[2];
	tlstest_socketpair(fds);
	struct conn *sctl = conn_plain(fds[0], fds[0]);
	char err[256];
	struct tls_control *sc = tls_control_start(s.srv, sctl, err, sizeof err);
	SSL_CTX *old = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_security_level(old, 0);
	SSL_CTX_set_cipher_list(old, "DEFAULT:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(old, TLS1_1_VERSION);
	SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
	SSL *cs = SSL_new(old);
	SSL_set_connect_state(cs);
	SSL_CTX_free(old);
	struct conn *cctl = conn_tls(fds[1], fds[1], cs);
	enum conn_status a, b;
	tlstest_handshake(sctl, cctl, &a, &b);
	ck_assert_int_eq(a, CONN_ERROR);
	ck_assert_msg(strstr(conn_error(sctl), "unsupported protocol"), "%s", conn_error(sctl));
	ck_assert_int_eq(b, CONN_ERROR);
	conn_free(cctl);
	conn_free(sctl);
	tls_control_free(sc);
	server_free(&s);
}
END_TEST

/* A data connection that is not resumed and shows another certificate
 * is someone else: the client refuses it. */
START_TEST(client_refuses_other_certificate)
{
	struct server s, other;
	server_init(&s, "combined.pem", NULL, versions[_i]);
	server_init(&other, "other.pem", "other.key", versions[_i]);
	struct session ss, os;
	session_open(&ss, &s, "localhost", "ca.pem", 0);
	session_open(&os, &other, "localhost", "ca.pem", 0);
	reply(&ss, "230 ok\r\n");
	struct data d = data_open(os.sc, ss.cc);
	ck_assert_int_eq(d.cv, TLSC_DATA_OTHER_CERT);
	data_close(&d);
	session_close(&ss);
	session_close(&os);
	server_free(&s);
	server_free(&other);
}
END_TEST

/* Copies file from the certificate folder to path. */
static void copy_cert(const char *name, const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", tlstest_cert(name), path);
	ck_assert_int_eq(system(cmd), 0);
}

/* SIGHUP's reload: new sessions get the new certificate, a session
 * already running keeps resuming, and a broken file keeps the old one. */
START_TEST(reload_certificate)
{
	char dir[] = "/tmp/ferry-reload-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cert[300], key[300];
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(key, sizeof key, "%s/key.pem", dir);
	copy_cert("server.pem", cert);
	copy_cert("server.key", key);
	struct server s;
	tls_options_init(&s.opt);
	char err[256];
	ck_assert_int_eq(tls_option(&s.opt, "tls-cert", cert, err, sizeof err), 0);
	ck_assert_int_eq(tls_option(&s.opt, "tls-key", key, err, sizeof err), 0);
	ck_assert_int_eq(tls_options_finish(&s.opt, err, sizeof err), 0);
	s.srv = tls_server_new(&s.opt, err, sizeof err);
	ck_assert_ptr_nonnull(s.srv);
	char fp1[FP_TEXT_SIZE], fp2[FP_TEXT_SIZE], fp[FP_TEXT_SIZE];
	tls_server_fingerprint(s.srv, fp1);

	struct session before;
	session_open(&before, &s, "localhost", "ca.pem", 0);
	reply(&before, "230 ok\r\n");

	copy_cert("other.pem", cert);
	copy_cert("other.key", key);
	ck_assert_int_eq(tls_server_reload(s.srv, err, sizeof err), 0);
	tls_server_fingerprint(s.srv, fp2);
	ck_assert_str_ne(fp1, fp2);

	struct session after;
	session_open(&after, &s, "localhost", "ca.pem", 0);
	struct tlsc_cert c;
	ck_assert(tlsc_peer(after.cc, &c, err, sizeof err));
	ck_assert_str_eq(c.fingerprint, fp2);
	ck_assert(c.verified);
	session_close(&after);

	struct data d = data_open(before.sc, before.cc);
	ck_assert_int_eq(d.sv, TLS_DATA_OK);
	data_close(&d);
	ck_assert(tlsc_peer(before.cc, &c, err, sizeof err));
	ck_assert_str_eq(c.fingerprint, fp1);

	/* A key that does not match: refused, the loaded pair stays. */
	copy_cert("server.key", key);
	ck_assert_int_eq(tls_server_reload(s.srv, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "does not belong"), "%s", err);
	tls_server_fingerprint(s.srv, fp);
	ck_assert_str_eq(fp, fp2);

	session_close(&before);
	server_free(&s);
	snprintf(err, sizeof err, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(err), 0);
}
END_TEST

/* Certificates ferryd cannot use are refused at startup with a reason. */
static const struct {
	const char *cert, *key, *err;
} load_cases[] = {
	{ "missing.pem", NULL, "cannot read certificate" },
	{ "server.pem", "other.key", "does not belong to the certificate" },
	{ "server.key", NULL, "no PEM certificate found" },
	{ "server.pem", NULL, "no PEM private key found" },
	{ "combined.pem", NULL, NULL },
	{ "server.pem", "missing.key", "cannot read private key" },
};

START_TEST(load_errors)
{
	struct tls_options o;
	tls_options_init(&o);
	char err[256] = "";
	ck_assert_int_eq(tls_option(&o, "tls-cert", tlstest_cert(load_cases[_i].cert), err, sizeof err), 0);
	if (load_cases[_i].key)
		ck_assert_int_eq(tls_option(&o, "tls-key", tlstest_cert(load_cases[_i].key), err, sizeof err), 0);
	ck_assert_int_eq(tls_options_finish(&o, err, sizeof err), 0);
	struct tls_server *srv = tls_server_new(&o, err, sizeof err);
	if (load_cases[_i].err) {
		ck_assert_ptr_null(srv);
		ck_assert_msg(strstr(err, load_cases[_i].err), "%s", err);
	} else {
		ck_assert_msg(srv != NULL, "%s", err);
	}
	tls_server_free(srv);
	tls_options_free(&o);
}
END_TEST

/* --ca-file that is not a CA file. */
START_TEST(client_bad_ca_file)
{
	struct tlsc_options o;
	tlsc_options_init(&o);
	char err[256];
	ck_assert_int_eq(tlsc_option(&o, "ca-file", "/nonexistent/ca.pem", err, sizeof err), 0);
	ck_assert_ptr_null(tlsc_new(&o, "localhost", err, sizeof err));
	ck_assert_msg(strstr(err, "cannot use --ca-file /nonexistent/ca.pem"), "%s", err);
}
END_TEST

/* A client asking to renegotiate (TLS 1.2) is refused: the session ends
 * with an error instead of a second handshake. */
START_TEST(renegotiation_refused)
{
	struct server s;
	struct session ss;
	session_start(&s, &ss, TLS1_2_VERSION);
	/* ferry itself never renegotiates: this client is made to. */
	SSL_clear_options(conn_ssl(ss.cctl), SSL_OP_NO_RENEGOTIATION);
	ck_assert_int_eq(SSL_renegotiate(conn_ssl(ss.cctl)), 1);
	enum conn_status cs = SSL_do_handshake(conn_ssl(ss.cctl)) == 1 ? CONN_OK : CONN_WANT_READ;
	char buf[16];
	size_t got;
	enum conn_status st = CONN_WANT_READ;
	for (int k = 0; k < 200 && (st == CONN_WANT_READ || st == CONN_WANT_WRITE); k++) {
		st = conn_read(ss.sctl, buf, sizeof buf, &got);
		cs = conn_read(ss.cctl, buf, sizeof buf, &got);
		struct conn_pollfd p[2] = { { .c = ss.sctl, .events = POLLIN },
					    { .c = ss.cctl, .events = POLLIN } };
		conn_poll(p, 2, 10);
	}
	ck_assert_msg(cs == CONN_ERROR, "client: %d %s", cs, conn_error(ss.cctl));
	ck_assert_msg(strstr(conn_error(ss.cctl), "renegotiation"), "%s", conn_error(ss.cctl));
	ck_assert_int_eq(SSL_num_renegotiations(conn_ssl(ss.sctl)), 0);
	session_close(&ss);
	server_free(&s);
}
END_TEST

static Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("verify");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, control_verified, 0, 2 * sizeof good_hosts / sizeof good_hosts[0]);
	tcase_add_loop_test(tc, control_not_verified, 0, sizeof bad_cases / sizeof bad_cases[0]);
	tcase_add_loop_test(tc, load_errors, 0, sizeof load_cases / sizeof load_cases[0]);
	tcase_add_test(tc, client_bad_ca_file);
	tcase_add_test(tc, version_limits);
	tcase_add_test(tc, renegotiation_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("binding");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, data_resumes_control_session, 0, 2);
	tcase_add_loop_test(tc, two_connections_keep_their_sessions, 0, 2);
	tcase_add_loop_test(tc, data_theft_refused, 0, 2);
	tcase_add_loop_test(tc, data_accept_refuses_without_bytes, 0, 2);
	tcase_add_loop_test(tc, data_reuse_optional, 0, 2);
	tcase_add_loop_test(tc, client_refuses_other_certificate, 0, 2);
	tcase_add_test(tc, client_reads_pending_tickets);
	tcase_add_test(tc, fresh_ticket_after_expiry);
	tcase_add_test(tc, tls12_session_id_resumption);
	tcase_add_test(tc, reload_certificate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tlstest_setup();
	SRunner *sr = srunner_create(tls_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
