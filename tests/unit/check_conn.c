/* Unit tests for conn: plain and TLS connections over socket pairs, pipes
 * and loopback TCP, with certificates made by tests/tls-certs.sh. TLS
 * contexts here are plain OpenSSL ones, so these tests see the connection
 * layer alone, without either program's TLS policy. */
#include "config.h"

#include "conn.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "sysio.h"
#include "tlstest.h"

/* A server context with the test chain; max_version 0 = any. */
static SSL_CTX *server_ctx(const char *cert, int max_version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(ctx, tlstest_cert(cert)), 1);
	char key[512];
	snprintf(key, sizeof key, "%.*s.key", (int)(strlen(cert) - 4), cert);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, tlstest_cert(key), SSL_FILETYPE_PEM), 1);
	if (max_version)
		SSL_CTX_set_max_proto_version(ctx, max_version);
	return ctx;
}

/* A client context that trusts the test root and checks "localhost". */
static SSL_CTX *client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, tlstest_cert("ca.pem"), NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

/* Both ends of a TLS connection over a socket pair, handshake done. */
struct pair {
	struct conn *srv, *cli;
};

static struct pair tls_pair_fds(int sfd_r, int sfd_w, int cfd_r, int cfd_w, const char *cert,
				int max_version)
{
	SSL_CTX *sctx = server_ctx(cert, max_version), *cctx = client_ctx();
	SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	SSL_set1_host(c, "localhost");
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	struct pair p = { conn_tls(sfd_r, sfd_w, s), conn_tls(cfd_r, cfd_w, c) };
	return p;
}

static struct pair tls_pair(int max_version)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", max_version);
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_msg(ss == CONN_OK, "server: %s", conn_error(p.srv));
	ck_assert_msg(cs == CONN_OK, "client: %s", conn_error(p.cli));
	return p;
}

static void pair_free(struct pair *p)
{
	conn_free(p->srv);
	conn_free(p->cli);
}

/* Writes all of buf from w while reading it at r; returns what r got up
 * to and including its end status. */
static void send_recv(struct conn *w, struct conn *r, const char *buf, size_t n, char *out,
		      size_t *got)
{
	size_t sent = 0;
	*got = 0;
	for (int rounds = 0; (sent < n || *got < n) && rounds < 100000; rounds++) {
		size_t k;
		if (sent < n) {
			enum conn_status st = conn_write(w, buf + sent, n - sent, &k);
			ck_assert_msg(st == CONN_OK || st == CONN_WANT_WRITE || st == CONN_WANT_READ,
				      "write: %s", conn_error(w));
			if (st == CONN_OK)
				sent += k;
		} else {
			/* Records the socket could not take yet. */
			enum conn_status st = conn_flush(w);
			ck_assert_msg(st == CONN_OK || st == CONN_WANT_WRITE, "flush: %s",
				      conn_error(w));
		}
		if (*got == n)
			continue;
		enum conn_status st = conn_read(r, out + *got, n - *got, &k);
		ck_assert_msg(st == CONN_OK || st == CONN_WANT_READ, "read: %s", conn_error(r));
		if (st == CONN_OK)
			*got += k;
		else {
			struct conn_pollfd p = { .c = r, .events = POLLIN };
			conn_poll(&p, 1, 10);
		}
	}
	ck_assert_uint_eq(*got, n);
}

START_TEST(plain_roundtrip_and_eof)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct conn *a = conn_plain(fds[0], fds[0]), *b = conn_plain(fds[1], fds[1]);
	char out[64];
	size_t got;
	send_recv(a, b, "hello, world", 12, out, &got);
	ck_assert_int_eq(memcmp(out, "hello, world", 12), 0);
	ck_assert(!conn_is_tls(a));
	ck_assert(conn_zero_copy_send(a));
	char d[32];
	ck_assert_str_eq(conn_describe(a, d, sizeof d), "plain");
	/* Nothing to read yet: a wait, not an end. */
	ck_assert_int_eq(conn_read(b, out, sizeof out, &got), CONN_WANT_READ);
	ck_assert_int_eq(conn_shutdown(a), CONN_OK);
	ck_assert_int_eq(tlstest_read_all(b, out, sizeof out, &got), CONN_EOF);
	ck_assert_uint_eq(got, 0);
	conn_free(a);
	conn_free(b);
}
END_TEST

START_TEST(plain_sendfile)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct conn *a = conn_plain(fds[0], fds[0]), *b = conn_plain(fds[1], fds[1]);
	char *data;
	size_t n = 300000;
	int fd = tlstest_file(n, 1, &data);
	char *out = malloc(n);
	off_t off = 1000;
	size_t got = 0;
	while (off < (off_t)n || got < n - 1000) {
		size_t put, k;
		if (off < (off_t)n) {
			enum conn_status st = conn_sendfile(a, fd, &off, n - (size_t)off, &put);
			ck_assert(st == CONN_OK || st == CONN_WANT_WRITE);
		}
		if (conn_read(b, out + got, n - got, &k) == CONN_OK)
			got += k;
	}
	ck_assert_uint_eq(got, n - 1000);
	ck_assert_int_eq(memcmp(out, data + 1000, got), 0);
	/* At the end of the file: no bytes, no error. */
	size_t put = 1;
	ck_assert_int_eq(conn_sendfile(a, fd, &off, 10, &put), CONN_OK);
	ck_assert_uint_eq(put, 0);
	free(out);
	free(data);
	close(fd);
	conn_free(a);
	conn_free(b);
}
END_TEST

/* The socket's TCP_NOTSENT_LOWAT as getsockopt reads it back. */
static int notsent_lowat(int fd)
{
	int v = -1;
	socklen_t len = sizeof v;
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &len), 0);
	return v;
}

/* Sets a socket's congestion control; false if the kernel refuses it. */
static bool set_congestion(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, (socklen_t)strlen(name)) == 0;
}

/* A plain TCP connection readied for sendfile under a congestion control
 * that paces (BBR) keeps 16 KiB unsent at most and is asked for 64 KiB at
 * a time; under one that does not (reno, which every kernel has and lets
 * any process choose) it keeps its queue as it was and is asked for 4 MiB.
 * A TLS connection's socket is left as it was; asked for the TLS size
 * (ferryd's downloads) it is asked for CONN_TLS_CHUNK (records of one file
 * read), else 64 KiB. A descriptor without the options (a Unix socket)
 * gets the full-queue size. */
START_TEST(send_lowat)
{
	int fds[2];
	tlstest_tcppair(fds);
	int before = notsent_lowat(fds[0]);
	ck_assert_int_ne(before, 16 * 1024);
	ck_assert(set_congestion(fds[0], "reno"));
	struct conn *a = conn_plain(fds[0], fds[0]), *b = conn_plain(fds[1], fds[1]);
	ck_assert_uint_eq(conn_ready_sendfile(a, false), 4 << 20);
	ck_assert_uint_eq(conn_ready_sendfile(a, true), 4 << 20);
	ck_assert_int_eq(notsent_lowat(fds[0]), before);
	conn_free(a);
	conn_free(b);

	/* BBR is in Debian's kernels (built in or the tcp_bbr module); a
	 * kernel without it fails here rather than leave the paced half
	 * untested. */
	tlstest_tcppair(fds);
	ck_assert_msg(set_congestion(fds[0], "bbr"), "TCP_CONGESTION bbr: %s", strerror(errno));
	a = conn_plain(fds[0], fds[0]);
	b = conn_plain(fds[1], fds[1]);
	ck_assert_uint_eq(conn_ready_sendfile(a, false), 64 * 1024);
	ck_assert_int_eq(notsent_lowat(fds[0]), 16 * 1024);
	conn_free(a);
	conn_free(b);

	tlstest_tcppair(fds);
	ck_assert(set_congestion(fds[0], "bbr"));
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", 0);
	ck_assert_uint_eq(conn_ready_sendfile(p.srv, false), 64 * 1024);
	ck_assert_int_eq(notsent_lowat(fds[0]), before);
	ck_assert_uint_eq(conn_ready_sendfile(p.srv, true), CONN_TLS_CHUNK);
	ck_assert_int_eq(notsent_lowat(fds[0]), before);
	pair_free(&p);

	tlstest_socketpair(fds);
	a = conn_plain(fds[0], fds[0]);
	ck_assert_uint_eq(conn_ready_sendfile(a, false), 4 << 20);
	conn_free(a);
	close(fds[1]);
}
END_TEST

/* TLS 1.2 and 1.3 both: data both ways, and the connection says which. */
static const int versions[] = { TLS1_2_VERSION, TLS1_3_VERSION };

START_TEST(tls_roundtrip)
{
	struct pair p = tls_pair(versions[_i]);
	char out[64];
	size_t got;
	send_recv(p.cli, p.srv, "USER anna\r\n", 11, out, &got);
	ck_assert_int_eq(memcmp(out, "USER anna\r\n", 11), 0);
	send_recv(p.srv, p.cli, "331 ok\r\n", 8, out, &got);
	ck_assert_int_eq(memcmp(out, "331 ok\r\n", 8), 0);
	char d[128];
	conn_describe(p.cli, d, sizeof d);
	ck_assert_msg(strncmp(d, versions[_i] == TLS1_2_VERSION ? "TLSv1.2 " : "TLSv1.3 ", 8) == 0,
		      "describe: %s", d);
	ck_assert(conn_is_tls(p.srv));
	ck_assert_ptr_nonnull(conn_ssl(p.srv));
	/* A TLS socket pair never has kTLS: the file goes through records. */
	ck_assert(!conn_zero_copy_send(p.srv));
	pair_free(&p);
}
END_TEST

/* close_notify then close: the reader sees every byte, then a clean end. */
START_TEST(tls_close_notify_is_eof)
{
	struct pair p = tls_pair(versions[_i]);
	ck_assert_int_eq(conn_write_all(p.srv, "last bytes", 10, 5000), CONN_OK);
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_OK);
	conn_free(p.srv);
	char out[64];
	size_t got;
	ck_assert_int_eq(tlstest_read_all(p.cli, out, sizeof out, &got), CONN_EOF);
	ck_assert_uint_eq(got, 10);
	ck_assert_int_eq(memcmp(out, "last bytes", 10), 0);
	/* The end stays an end. */
	ck_assert_int_eq(conn_read(p.cli, out, sizeof out, &got), CONN_EOF);
	conn_free(p.cli);
}
END_TEST

/* A cut connection (FIN, no close_notify), as from a killed uploader:
 * every byte, then TRUNCATED. */
START_TEST(tls_cut_is_truncated)
{
	struct pair p = tls_pair(versions[_i]);
	ck_assert_int_eq(conn_write_all(p.cli, "partial upload", 14, 5000), CONN_OK);
	ck_assert_int_eq(shutdown(conn_wfd(p.cli), SHUT_WR), 0);
	char out[64];
	size_t got;
	ck_assert_int_eq(tlstest_read_all(p.srv, out, sizeof out, &got), CONN_TRUNCATED);
	ck_assert_uint_eq(got, 14);
	ck_assert_msg(strstr(conn_error(p.srv), "close_notify"), "error: %s", conn_error(p.srv));
	/* No close_notify may follow a broken stream. */
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_ERROR);
	pair_free(&p);
}
END_TEST

/* A reset connection is an error, never a clean end. */
START_TEST(tls_reset_is_error)
{
	struct pair p = tls_pair(versions[_i]);
	ck_assert_int_eq(conn_write_all(p.srv, "unread by the client", 20, 5000), CONN_OK);
	/* Closing with unread bytes makes the kernel reset the connection. */
	conn_free(p.cli);
	char out[64];
	size_t got;
	enum conn_status st = tlstest_read_all(p.srv, out, sizeof out, &got);
	ck_assert_msg(st == CONN_ERROR, "status %d: %s", st, conn_error(p.srv));
	ck_assert_msg(strstr(conn_error(p.srv), "reset"), "error: %s", conn_error(p.srv));
	conn_free(p.srv);
}
END_TEST

/* conn_finish at both ends: each sees the other's close_notify. */
START_TEST(tls_finish_both_sides)
{
	struct pair p = tls_pair(versions[_i]);
	ck_assert_int_eq(conn_write_all(p.srv, "file", 4, 5000), CONN_OK);
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_OK);
	char out[16];
	size_t got;
	ck_assert_int_eq(tlstest_read_all(p.cli, out, sizeof out, &got), CONN_EOF);
	ck_assert_uint_eq(got, 4);
	ck_assert_int_eq(conn_finish(p.cli, 5000), CONN_EOF);
	ck_assert_int_eq(conn_finish(p.srv, 5000), CONN_EOF);
	pair_free(&p);
}
END_TEST

/* Bytes TLS already decrypted are invisible to poll(2) on the socket;
 * conn_poll reports them, so a transfer loop polling control and data
 * together still sees a command waiting. */
START_TEST(tls_buffered_bytes_poll_readable)
{
	struct pair p = tls_pair(versions[_i]);
	ck_assert_int_eq(conn_write_all(p.cli, "ABOR\r\nSTAT\r\n", 12, 5000), CONN_OK);
	char out[16];
	size_t got = 0;
	enum conn_status st;
	struct conn_pollfd w = { .c = p.srv, .events = POLLIN };
	ck_assert_int_eq(conn_poll(&w, 1, 5000), 1);
	ck_assert_int_eq(st = conn_read(p.srv, out, 6, &got), CONN_OK);
	ck_assert_uint_eq(got, 6);
	ck_assert(conn_buffered(p.srv));
	struct pollfd raw = { .fd = conn_rfd(p.srv), .events = POLLIN };
	ck_assert_int_eq(poll(&raw, 1, 0), 0);
	struct conn_pollfd both[2] = { { .c = p.srv, .events = POLLIN }, { .c = p.cli, .events = POLLIN } };
	ck_assert_int_ge(conn_poll(both, 2, 2000), 1);
	ck_assert_int_eq(both[0].revents & POLLIN, POLLIN);
	ck_assert_int_eq(conn_read(p.srv, out, sizeof out, &got), CONN_OK);
	ck_assert_uint_eq(got, 6);
	ck_assert_int_eq(memcmp(out, "STAT\r\n", 6), 0);
	ck_assert(!conn_buffered(p.srv));
	pair_free(&p);
}
END_TEST

/* A read buffer in front of the socket (uploads): several records come
 * in one read(2); those not yet taken are invisible to poll(2) on the
 * socket, so conn_buffered and conn_poll report them; once a read wants
 * more, nothing is left and conn_poll waits on the socket again. Bulk
 * bytes, the clean end and a cut all come through unchanged. */
START_TEST(tls_read_buffer)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", versions[_i]);
	ck_assert(conn_set_read_buffer(p.srv, 64 * 1024));
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_msg(ss == CONN_OK && cs == CONN_OK, "%s / %s", conn_error(p.srv), conn_error(p.cli));
	static const char *const lines[] = { "ABOR\r\n", "STAT\r\n", "NOOP\r\n" };
	for (int i = 0; i < 3; i++)   /* three records */
		ck_assert_int_eq(conn_write_all(p.cli, lines[i], 6, 5000), CONN_OK);
	struct conn_pollfd w = { .c = p.srv, .events = POLLIN };
	char out[64];
	size_t got;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(conn_poll(&w, 1, 5000), 1);
		ck_assert_int_eq(conn_read(p.srv, out, 6, &got), CONN_OK);
		ck_assert_uint_eq(got, 6);
		ck_assert_int_eq(memcmp(out, lines[i], 6), 0);
		if (i < 2) {
			/* The socket is empty; the buffer holds the rest. */
			struct pollfd raw = { .fd = conn_rfd(p.srv), .events = POLLIN };
			ck_assert_int_eq(poll(&raw, 1, 0), 0);
			ck_assert(conn_buffered(p.srv));
		}
	}
	ck_assert_int_eq(conn_read(p.srv, out, sizeof out, &got), CONN_WANT_READ);
	ck_assert(!conn_buffered(p.srv));
	ck_assert_int_eq(conn_poll(&w, 1, 0), 0);
	/* Bulk: more than the buffer, in records of every size. */
	size_t n = 300 * 1024 + 77;
	char *data = malloc(n), *back = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 251);
	send_recv(p.cli, p.srv, data, n, back, &got);
	ck_assert_int_eq(memcmp(data, back, n), 0);
	/* The end: close_notify right behind the last bytes. */
	ck_assert_int_eq(conn_write_all(p.cli, "tail", 4, 5000), CONN_OK);
	ck_assert_int_eq(conn_shutdown(p.cli), CONN_OK);
	ck_assert_int_eq(tlstest_read_all(p.srv, out, sizeof out, &got), CONN_EOF);
	ck_assert_uint_eq(got, 4);
	free(data);
	free(back);
	pair_free(&p);
	/* A cut behind buffered records: every byte, then TRUNCATED. */
	tlstest_socketpair(fds);
	p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", versions[_i]);
	ck_assert(conn_set_read_buffer(p.srv, 64 * 1024));
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert(ss == CONN_OK && cs == CONN_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(conn_write_all(p.cli, lines[i], 6, 5000), CONN_OK);
	ck_assert_int_eq(shutdown(conn_wfd(p.cli), SHUT_WR), 0);
	ck_assert_int_eq(tlstest_read_all(p.srv, out, sizeof out, &got), CONN_TRUNCATED);
	ck_assert_uint_eq(got, 18);
	ck_assert_int_eq(memcmp(out, "ABOR\r\nSTAT\r\nNOOP\r\n", 18), 0);
	pair_free(&p);
	/* A plain connection has nothing to buffer. */
	struct conn *plain = conn_plain(0, 1);
	ck_assert(conn_set_read_buffer(plain, 4096));
	ck_assert(!conn_buffered(plain));
	conn_release(plain);
}
END_TEST

/* Without kTLS a file goes out as large TLS writes: every byte arrives,
 * from the offset asked for, through short writes on a full socket. */
START_TEST(tls_sendfile_staged)
{
	struct pair p = tls_pair(versions[_i]);
	size_t n = 3 * CONN_TLS_CHUNK + 12345;
	char *data;
	int fd = tlstest_file(n, 2, &data);
	char *out = malloc(n);
	off_t off = 777;
	size_t got = 0, want = n - 777;
	int waits = 0;
	long long rounds = 0;
	while ((off < (off_t)n || got < want) && rounds++ < 1000000) {
		size_t put, k;
		if (off < (off_t)n) {
			enum conn_status st = conn_sendfile(p.srv, fd, &off, n - (size_t)off, &put);
			ck_assert_msg(st == CONN_OK || st == CONN_WANT_WRITE, "%s", conn_error(p.srv));
			waits += st == CONN_WANT_WRITE;
		}
		/* Read slowly, so the sender meets a full socket. */
		enum conn_status st = conn_read(p.cli, out + got, want - got < 4096 ? want - got : 4096, &k);
		ck_assert(st == CONN_OK || st == CONN_WANT_READ);
		if (st == CONN_OK)
			got += k;
	}
	ck_assert_uint_eq(got, want);
	ck_assert_int_eq(memcmp(out, data + 777, want), 0);
	ck_assert_int_gt(waits, 0);
	free(out);
	free(data);
	close(fd);
	pair_free(&p);
}
END_TEST

/* A write that would block is repeated with the same bytes, and nothing
 * is lost or doubled. */
START_TEST(tls_write_wants_write)
{
	struct pair p = tls_pair(versions[_i]);
	size_t n = 4 << 20;
	char *data;
	int fd = tlstest_file(n, 3, &data);
	close(fd);
	size_t sent = 0, put;
	enum conn_status st;
	while ((st = conn_write(p.srv, data + sent, n - sent, &put)) == CONN_OK)
		sent += put;
	ck_assert_int_eq(st, CONN_WANT_WRITE);
	ck_assert_uint_lt(sent, n);
	char *out = malloc(n);
	size_t got;
	send_recv(p.srv, p.cli, data + sent, n - sent, out, &got);
	/* The reader first gets the bytes written before the wait. */
	ck_assert_int_eq(memcmp(out, data, n - sent), 0);
	free(out);
	out = malloc(sent);
	size_t more = 0;
	while (more < sent) {
		size_t k;
		enum conn_status fl = conn_flush(p.srv);
		ck_assert(fl == CONN_OK || fl == CONN_WANT_WRITE);
		st = conn_read(p.cli, out + more, sent - more, &k);
		ck_assert(st == CONN_OK || st == CONN_WANT_READ);
		if (st == CONN_OK)
			more += k;
	}
	ck_assert_int_eq(memcmp(out, data + (n - sent), sent), 0);
	free(out);
	free(data);
	pair_free(&p);
}
END_TEST

/* A write of many records goes out gathered; when the socket cannot
 * take all of them at once, the ones left wait behind it and the end of
 * the connection waits for them: the reader gets every byte, in order,
 * and then close_notify (an end, not a cut). */
START_TEST(tls_gathered_records_before_close_notify)
{
	int fds[2];
	tlstest_socketpair(fds);
	int small = 32 * 1024;
	ck_assert_int_eq(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", versions[_i]);
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_msg(ss == CONN_OK && cs == CONN_OK, "%s / %s", conn_error(p.srv),
		      conn_error(p.cli));
	size_t n = 200 * 1024, put;
	char *data;
	int fd = tlstest_file(n, 4, &data);
	close(fd);
	/* One call takes all of it (the records wait in front of the full
	 * socket)... */
	ck_assert_int_eq(conn_write(p.srv, data, n, &put), CONN_OK);
	ck_assert_uint_eq(put, n);
	/* ...so the end cannot go out yet. */
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_WANT_WRITE);
	char *out = malloc(n + 1);
	size_t got = 0;
	enum conn_status st = CONN_WANT_READ, sst = CONN_WANT_WRITE;
	for (int rounds = 0; rounds < 100000 && st != CONN_EOF; rounds++) {
		if (sst != CONN_OK)
			sst = conn_shutdown(p.srv);
		ck_assert_msg(sst == CONN_OK || sst == CONN_WANT_WRITE, "%s", conn_error(p.srv));
		size_t k;
		st = conn_read(p.cli, out + got, n + 1 - got, &k);
		ck_assert_msg(st == CONN_OK || st == CONN_WANT_READ || st == CONN_EOF, "read: %s",
			      conn_error(p.cli));
		if (st == CONN_OK)
			got += k;
	}
	ck_assert_int_eq(st, CONN_EOF);
	ck_assert_int_eq(sst, CONN_OK);
	ck_assert_uint_eq(got, n);
	ck_assert_int_eq(memcmp(out, data, n), 0);
	free(out);
	free(data);
	pair_free(&p);
}
END_TEST

/* A certificate the client does not trust fails the handshake with the
 * reason on both sides. */
START_TEST(tls_untrusted_certificate)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "selfsigned.pem", 0);
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_int_eq(cs, CONN_ERROR);
	ck_assert_msg(strstr(conn_error(p.cli), "certificate verify failed (self-signed certificate)"),
		      "client: %s", conn_error(p.cli));
	ck_assert_int_eq(ss, CONN_ERROR);
	ck_assert_msg(strstr(conn_error(p.srv), "TLS handshake failed"), "server: %s",
		      conn_error(p.srv));
	char out[8];
	size_t got;
	ck_assert_int_eq(conn_read(p.cli, out, sizeof out, &got), CONN_ERROR);
	pair_free(&p);
}
END_TEST

/* A peer that hangs up during the handshake is an error, never an end. */
START_TEST(tls_peer_gone_during_handshake)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", 0);
	ck_assert_int_eq(conn_handshake(p.cli), CONN_WANT_READ);
	conn_free(p.cli);
	enum conn_status st = conn_handshake_wait(p.srv, 5000, NULL, NULL);
	ck_assert_int_eq(st, CONN_ERROR);
	ck_assert_msg(strstr(conn_error(p.srv), "TLS handshake failed"), "%s", conn_error(p.srv));
	conn_free(p.srv);
}
END_TEST

/* Ends the slow peer pid, then checks that what (st on c, after ms)
 * ended by its time-out of 1 s, not by the peer. */
static void assert_timed_out(pid_t pid, struct conn *c, enum conn_status st, long long ms,
			     const char *what)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(st, CONN_ERROR);
	ck_assert_msg(ms >= 900 && ms < 2500, "%s ended after %lld ms (%s)", what, ms,
		      conn_error(c));
	ck_assert_str_eq(conn_error(c), "timed out");
}

/* A peer that sends its ClientHello one byte every 100 ms (for at most
 * 8 s) does not keep conn_handshake_wait beyond its time-out: the time-out
 * is for the whole handshake, not for each wait. */
START_TEST(tls_handshake_dribbled_times_out)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* A handshake record 4096 bytes long, ClientHello first. */
		static const unsigned char head[] = { 0x16, 0x03, 0x01, 0x10, 0x00, 0x01, 0x00,
						      0x0f, 0xfc, 0x03, 0x03 };
		for (int i = 0; i < 80; i++) {
			unsigned char b = i < (int)sizeof head ? head[i] : 0;
			if (write(fds[1], &b, 1) != 1)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		}
		_exit(0);
	}
	long long t0 = sysio_now_ms();
	enum conn_status st = conn_handshake_wait(p.srv, 1000, NULL, NULL);
	assert_timed_out(pid, p.srv, st, sysio_now_ms() - t0, "the handshake");
	pair_free(&p);
}
END_TEST

/* inetd-style: reading and writing on different descriptors (pipes). */
START_TEST(tls_over_pipes)
{
	int up[2], down[2];
	ck_assert_int_eq(pipe2(up, O_NONBLOCK | O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(down, O_NONBLOCK | O_CLOEXEC), 0);
	struct pair p = tls_pair_fds(up[0], down[1], down[0], up[1], "server.pem", 0);
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_msg(ss == CONN_OK && cs == CONN_OK, "%s / %s", conn_error(p.srv), conn_error(p.cli));
	char out[32];
	size_t got;
	send_recv(p.cli, p.srv, "NOOP\r\n", 6, out, &got);
	send_recv(p.srv, p.cli, "200 NOOP ok\r\n", 13, out, &got);
	ck_assert_int_eq(memcmp(out, "200 NOOP ok\r\n", 13), 0);
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_OK);
	ck_assert_int_eq(tlstest_read_all(p.cli, out, sizeof out, &got), CONN_EOF);
	pair_free(&p);
}
END_TEST

/* AUTH TLS: a plain exchange, then the same connection upgraded. */
START_TEST(plain_upgraded_to_tls)
{
	int fds[2];
	tlstest_socketpair(fds);
	struct conn *s = conn_plain(fds[0], fds[0]), *c = conn_plain(fds[1], fds[1]);
	char out[32];
	size_t got;
	send_recv(c, s, "AUTH TLS\r\n", 10, out, &got);
	send_recv(s, c, "234 go\r\n", 8, out, &got);
	SSL_CTX *sctx = server_ctx("server.pem", 0), *cctx = client_ctx();
	SSL *ss = SSL_new(sctx), *cs = SSL_new(cctx);
	SSL_set_accept_state(ss);
	SSL_set_connect_state(cs);
	SSL_set1_host(cs, "127.0.0.1");
	ck_assert(conn_start_tls(s, ss));
	ck_assert(conn_start_tls(c, cs));
	/* A second upgrade is refused (and frees what it was given). */
	ck_assert(!conn_start_tls(c, SSL_new(cctx)));
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	enum conn_status a, b;
	tlstest_handshake(s, c, &a, &b);
	ck_assert_msg(a == CONN_OK && b == CONN_OK, "%s / %s", conn_error(s), conn_error(c));
	send_recv(c, s, "PBSZ 0\r\n", 8, out, &got);
	ck_assert_int_eq(memcmp(out, "PBSZ 0\r\n", 8), 0);
	conn_free(s);
	conn_free(c);
}
END_TEST

/* Loopback TCP: a file sent through conn_sendfile arrives intact, by
 * kTLS where the kernel offers it, else through TLS records. */
START_TEST(tls_tcp_sendfile)
{
	int fds[2];
	tlstest_tcppair(fds);
	struct pair p = tls_pair_fds(fds[0], fds[0], fds[1], fds[1], "server.pem", versions[_i]);
	SSL_set_options(conn_ssl(p.srv), SSL_OP_ENABLE_KTLS);
	enum conn_status ss, cs;
	tlstest_handshake(p.srv, p.cli, &ss, &cs);
	ck_assert_msg(ss == CONN_OK && cs == CONN_OK, "%s / %s", conn_error(p.srv), conn_error(p.cli));
	size_t n = 2 << 20;
	char *data;
	int fd = tlstest_file(n, 4, &data);
	char *out = malloc(n + 1);
	off_t off = 0;
	size_t got = 0;
	for (long rounds = 0; (off < (off_t)n || got < n) && rounds < 1000000; rounds++) {
		size_t put, k;
		if (off < (off_t)n) {
			enum conn_status st = conn_sendfile(p.srv, fd, &off, n - (size_t)off, &put);
			ck_assert_msg(st == CONN_OK || st == CONN_WANT_WRITE, "%s", conn_error(p.srv));
		} else if (conn_shutdown(p.srv) != CONN_OK) {
			ck_abort_msg("shutdown: %s", conn_error(p.srv));
		}
		enum conn_status st = conn_read(p.cli, out + got, n + 1 - got, &k);
		ck_assert_msg(st == CONN_OK || st == CONN_WANT_READ, "%s", conn_error(p.cli));
		if (st == CONN_OK)
			got += k;
	}
	ck_assert_uint_eq(got, n);
	ck_assert_int_eq(memcmp(out, data, n), 0);
	ck_assert_int_eq(conn_shutdown(p.srv), CONN_OK);
	ck_assert_int_eq(tlstest_read_all(p.cli, out, n + 1, &got), CONN_EOF);
	free(out);
	free(data);
	close(fd);
	pair_free(&p);
}
END_TEST

/* conn_wait gives up after its timeout with a reason. */
START_TEST(wait_times_out)
{
	struct pair p = tls_pair(0);
	char out[8];
	size_t got;
	ck_assert_int_eq(conn_read(p.cli, out, sizeof out, &got), CONN_WANT_READ);
	ck_assert_int_eq(conn_wait(p.cli, CONN_WANT_READ, 50), CONN_ERROR);
	ck_assert_str_eq(conn_error(p.cli), "timed out");
	pair_free(&p);
}
END_TEST

/* A peer that reads 4 KiB every 50 ms (for at most 3 s) does not keep
 * conn_write_all beyond its time-out: the time-out is for the whole
 * write, not for each wait. */
START_TEST(write_all_dribbled_times_out)
{
	int fds[2];
	tlstest_socketpair(fds);
	int small = 4096;
	ck_assert_int_eq(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		char sink[4096];
		for (int i = 0; i < 60; i++) {
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
			if (read(fds[1], sink, sizeof sink) == 0)
				break;
		}
		_exit(0);
	}
	close(fds[1]);
	struct conn *c = conn_plain(fds[0], fds[0]);
	size_t n = 8 << 20;
	char *big = calloc(n, 1);
	ck_assert_ptr_nonnull(big);
	long long t0 = sysio_now_ms();
	enum conn_status st = conn_write_all(c, big, n, 1000);
	assert_timed_out(pid, c, st, sysio_now_ms() - t0, "the write");
	free(big);
	conn_free(c);
}
END_TEST

/* conn_poll over many connections: only the one with data is ready. */
START_TEST(poll_many)
{
	enum { N = 6 };
	struct conn *a[N], *b[N];
	struct conn_pollfd p[N];
	for (int i = 0; i < N; i++) {
		int fds[2];
		tlstest_socketpair(fds);
		a[i] = conn_plain(fds[0], fds[0]);
		b[i] = conn_plain(fds[1], fds[1]);
		p[i] = (struct conn_pollfd){ .c = b[i], .events = POLLIN };
	}
	ck_assert_int_eq(conn_poll(p, N, 20), 0);
	ck_assert_int_eq(conn_write_all(a[4], "x", 1, 1000), CONN_OK);
	ck_assert_int_eq(conn_poll(p, N, 5000), 1);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(p[i].revents, i == 4 ? POLLIN : 0);
	p[1].events = POLLOUT;
	ck_assert_int_eq(conn_poll(p, N, 5000), 2);
	ck_assert_int_eq(p[1].revents, POLLOUT);
	for (int i = 0; i < N; i++) {
		conn_free(a[i]);
		conn_free(b[i]);
	}
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("plain");
	tcase_add_test(tc, plain_roundtrip_and_eof);
	tcase_add_test(tc, plain_sendfile);
	tcase_add_test(tc, send_lowat);
	tcase_add_test(tc, plain_upgraded_to_tls);
	tcase_add_test(tc, poll_many);
	tcase_add_test(tc, write_all_dribbled_times_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, tls_roundtrip, 0, 2);
	tcase_add_loop_test(tc, tls_close_notify_is_eof, 0, 2);
	tcase_add_loop_test(tc, tls_cut_is_truncated, 0, 2);
	tcase_add_loop_test(tc, tls_reset_is_error, 0, 2);
	tcase_add_loop_test(tc, tls_finish_both_sides, 0, 2);
	tcase_add_loop_test(tc, tls_buffered_bytes_poll_readable, 0, 2);
	tcase_add_loop_test(tc, tls_read_buffer, 0, 2);
	tcase_add_loop_test(tc, tls_sendfile_staged, 0, 2);
	tcase_add_loop_test(tc, tls_write_wants_write, 0, 2);
	tcase_add_loop_test(tc, tls_gathered_records_before_close_notify, 0, 2);
	tcase_add_loop_test(tc, tls_tcp_sendfile, 0, 2);
	tcase_add_test(tc, tls_untrusted_certificate);
	tcase_add_test(tc, tls_peer_gone_during_handshake);
	tcase_add_test(tc, tls_handshake_dribbled_times_out);
	tcase_add_test(tc, tls_over_pipes);
	tcase_add_test(tc, wait_times_out);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tlstest_setup();
	SRunner *sr = srunner_create(conn_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
