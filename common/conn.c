/* conn: plain and TLS connections behind one interface (see conn.h). */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "sysio.h"
#include "tlserr.h"
#include "xalloc.h"

/* How a plain connection sends a file depends on whether its congestion
 * control paces the sending (BBR does, from the kernel's own timers) or
 * not (cubic, reno: ACKs clock the sending).
 *
 * Unpaced, the socket's queue is kept full: conn_sendfile is asked for
 * SEND_BULK at a time, and each sendfile(2) moves as much as the send
 * buffer takes. ferryd's RETR, 1 GiB on loopback under cubic, curl on
 * the other CPU, 5 alternating rounds, medians (wall s, server CPU s):
 * 0.196 / 0.04 with the full queue, 0.217 / 0.10 with the short one
 * below (vsftpd 0.198 / 0.04); lftp 0.52 against 0.68, ferry 0.41
 * against 0.48; ferry's upload level (0.43).
 *
 * Paced, the queue of unsent bytes is kept short: conn_sendfile is asked
 * for SEND_CHUNK at a time, and with TCP_NOTSENT_LOWAT at SEND_LOWAT a
 * sendfile(2) stops once that much is unsent, and the wait for POLLOUT
 * after it ends when less than half of it is left. A sender that kept its
 * send buffer full (4 MiB requests) left the sending to the peer: a
 * receiver slower than the sender (one writing to a file) pushed the
 * queued bytes through TCP itself whenever its reads opened the receive
 * window, and on loopback took them in there too, on its own CPU. With
 * the short queue the sender is woken while the queue is nearly empty and
 * sends from its own CPU, and BBR, seeing a sender that has nothing
 * queued, mostly stays in its start-up phase, whose pacing rate is far
 * above what loopback carries. ferryd's RETR, 1 GiB on loopback under
 * BBR, server and client on separate CPUs of a quiet machine, 10
 * alternating rounds, medians (wall s, client / server CPU s): curl 0.455
 * -> 0.310 (0.28 / 0.42 -> 0.26 / 0.16), ferry 0.790 -> 0.590 (0.72 /
 * 0.27 -> 0.56 / 0.17), lftp 0.985 -> 0.895 (0.96 / 0.12 -> 0.81 / 0.23).
 * In some runs BBR leaves start-up all the same (ss -ti shows
 * pacing_gain 1 and a pacing rate near its bandwidth estimate); the
 * kernel then paces each 64 KiB segment from a timer, and the run costs
 * what a full queue costs under BBR always (0.6 to 0.8 s of server CPU,
 * vsftpd's and pure-ftpd's too). 128 KiB with 64 KiB, or a low-water
 * mark of 256 KiB to 2 MiB with 4 MiB requests, gained less or nothing;
 * 32 KiB with 8 KiB lost. ferry's uploads use the same choice
 * (doc/performance.md).
 *
 * TLS connections keep a full queue. ferryd's TLS downloads ask for
 * CONN_TLS_CHUNK at a time (one read of the file, its records gathered
 * into one write(2)): with the mark as well, each of those writes went
 * on pushing records through loopback TCP into the receiver's socket on
 * ferryd's CPU until the receive window closed. curl's FTPS download of
 * 1 GiB cost ferryd 1.09 s of CPU with the mark, 0.87 s without it
 * (pure-ftpd 0.97), the wall time level. ferry's TLS uploads: 1.09 s
 * against curl's 1.39 without the mark, 1.28 against 1.27 with it (there
 * ferryd, the receiver, decrypts and writes the file). */
#define SEND_CHUNK (64 << 10)
#define SEND_LOWAT (16 << 10)
#define SEND_BULK (4 << 20)

struct conn {
	int rfd, wfd;        /* descriptors (the same socket unless pipes) */
	SSL *ssl;            /* TLS state, NULL for a plain connection */
	bool handshake_done; /* TLS handshake finished */
	bool broken;         /* fatal TLS error: no close_notify may follow */
	bool shut;           /* our side ended (close_notify and FIN sent) */
	bool eof;            /* the peer ended cleanly */
	bool wnotsock;       /* wfd is not a socket: write(2), not send(2) */
	/* File bytes staged for SSL_write when sendfile cannot be used:
	 * stage[pos..len) are the file's bytes from offset stage_off + pos. */
	char *stage;
	size_t stage_len, stage_pos;
	off_t stage_off;
	bool stage_pending;  /* an SSL_write of the stage must be repeated */
	/* Records of bulk writes gathered in front of the socket (NULL until
	 * the first write of more than one record): written to it when full
	 * and at the end of every write call (gather_flush). */
	BIO *gather;
	bool notify_sent;    /* close_notify handed to the write BIOs */
	char err[256];       /* reason of the last failure */
};

/* Records "what: reason" (or reason alone when what is NULL) and returns st. */
static enum conn_status fail(struct conn *c, enum conn_status st, const char *what,
			     const char *reason)
{
	if (what)
		snprintf(c->err, sizeof c->err, "%s: %s", what, reason);
	else
		snprintf(c->err, sizeof c->err, "%s", reason);
	return st;
}

/* Records errno's text for what. */
static enum conn_status fail_errno(struct conn *c, const char *what)
{
	snprintf(c->err, sizeof c->err, "%s: %s", what, strerror(errno));
	return CONN_ERROR;
}

/* After a failed plain call: a wait (want) if it would block, else a
 * failure named what. */
static enum conn_status errno_status(struct conn *c, enum conn_status want, const char *what)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return want;
	return fail_errno(c, what);
}

static struct conn *conn_alloc(int rfd, int wfd)
{
	struct conn *c = xcalloc(1, sizeof *c);
	c->rfd = rfd;
	c->wfd = wfd;
	return c;
}

/* Attaches fds and the modes every TLS connection needs: partial writes
 * (write(2)-like progress on non-blocking sockets) from a buffer that may
 * move between retries. */
static void tls_attach(struct conn *c, SSL *ssl)
{
	if (c->rfd == c->wfd) {
		SSL_set_fd(ssl, c->rfd);
	} else {
		SSL_set_rfd(ssl, c->rfd);
		SSL_set_wfd(ssl, c->wfd);
	}
	SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	c->ssl = ssl;
}

struct conn *conn_plain(int rfd, int wfd)
{
	return conn_alloc(rfd, wfd);
}

struct conn *conn_tls(int rfd, int wfd, SSL *ssl)
{
	struct conn *c = conn_alloc(rfd, wfd);
	tls_attach(c, ssl);
	return c;
}

bool conn_start_tls(struct conn *c, SSL *ssl)
{
	if (c->ssl) {
		SSL_free(ssl);
		return false;
	}
	tls_attach(c, ssl);
	return true;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	if (c->wfd != c->rfd)
		sysio_close(&c->wfd);
	sysio_close(&c->rfd);
	free(c->stage);
	free(c);
}

void conn_release(struct conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	free(c->stage);
	free(c);
}

/* Translates a failed SSL call (ret from it) into a status, in one place.
 * what names the operation for the error text. */
static enum conn_status tls_status(struct conn *c, int ret, const char *what)
{
	int e = SSL_get_error(c->ssl, ret);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		return CONN_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return CONN_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		c->eof = true;
		ERR_clear_error();
		return CONN_EOF;
	case SSL_ERROR_SYSCALL:
		c->broken = true;
		if (ERR_peek_error() == 0 && errno == 0) {
			/* Older behaviour for an EOF without close_notify. */
			return fail(c, CONN_TRUNCATED, what,
				    "connection closed without TLS close_notify");
		}
		if (ERR_peek_error() == 0) {
			return fail(c, CONN_ERROR, what, errno ? strerror(errno) : "connection closed");
		}
		break;
	case SSL_ERROR_SSL:
		c->broken = true;
		if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return fail(c, CONN_TRUNCATED, what,
				    "connection closed without TLS close_notify");
		}
		break;
	default:
		c->broken = true;
		break;
	}
	/* A certificate rejected during the handshake says why. */
	long v = SSL_get_verify_result(c->ssl);
	if (!c->handshake_done && v != X509_V_OK) {
		ERR_clear_error();
		snprintf(c->err, sizeof c->err, "%s: certificate verify failed (%s)", what,
			 tlserr_verify_text(v));
		return CONN_ERROR;
	}
	tlserr_text(c->err, sizeof c->err, what);
	return CONN_ERROR;
}

enum conn_status conn_handshake(struct conn *c)
{
	if (!c->ssl || c->handshake_done)
		return CONN_OK;
	if (c->broken)
		return CONN_ERROR;
	ERR_clear_error();
	errno = 0;
	int r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		c->handshake_done = true;
		return CONN_OK;
	}
	enum conn_status st = tls_status(c, r, "TLS handshake failed");
	if (st == CONN_EOF || st == CONN_TRUNCATED) {
		c->broken = true;
		return fail(c, CONN_ERROR, NULL, "TLS handshake failed: connection closed by peer");
	}
	return st;
}

/* Before any TLS read or write: the handshake done (or its status), no
 * earlier fatal error, and a clean slate for SSL_get_error. */
static enum conn_status tls_ready(struct conn *c)
{
	if (c->broken)
		return CONN_ERROR;
	enum conn_status st = conn_handshake(c);
	if (st == CONN_OK) {
		ERR_clear_error();
		errno = 0;
	}
	return st;
}

/* Writes what the gathering buffer holds to the socket: CONN_OK when it
 * is empty, CONN_WANT_WRITE while the socket cannot take the rest. */
static enum conn_status gather_flush(struct conn *c)
{
	if (!c->gather || BIO_wpending(c->gather) == 0)
		return CONN_OK;
	ERR_clear_error();
	errno = 0;
	if (BIO_flush(c->gather) > 0)
		return CONN_OK;
	if (BIO_should_retry(c->gather))
		return CONN_WANT_WRITE;
	c->broken = true;
	if (ERR_peek_error() == 0)
		return fail(c, CONN_ERROR, "TLS write", errno ? strerror(errno) : "connection closed");
	tlserr_text(c->err, sizeof c->err, "TLS write");
	return CONN_ERROR;
}

/* Before a write of n bytes: a write of more than one record puts a
 * buffer between OpenSSL and the socket, so the records of one call
 * leave in one write(2) (OpenSSL writes every record on its own: 65,536
 * calls per GiB), not per record. Kept from then on; kernel TLS never
 * gets here. */
static void gather_start(struct conn *c, size_t n)
{
	if (c->gather || n <= SSL3_RT_MAX_PLAIN_LENGTH)
		return;
	BIO *buf = BIO_new(BIO_f_buffer());
	BIO *sock = BIO_new_socket(c->wfd, BIO_NOCLOSE);
	if (!buf || !sock || BIO_set_write_buffer_size(buf, CONN_TLS_WRITE_BUFFER) != 1) {
		BIO_free(buf);
		BIO_free(sock);
		ERR_clear_error();
		return;
	}
	SSL_set0_wbio(c->ssl, BIO_push(buf, sock));
	c->gather = buf;
}

/* SSL_write of up to n bytes as records, as many as the socket (or the
 * gathering buffer) takes, then the buffer flushed as far as it goes.
 * CONN_OK with *put > 0 when any went; *pending tells that OpenSSL holds
 * a record it must be given again (the bytes at buf + *put). */
static enum conn_status tls_write_records(struct conn *c, const char *buf, size_t n,
					  size_t *put, bool *pending)
{
	enum conn_status st = gather_flush(c);
	*put = 0;
	*pending = false;
	if (st != CONN_OK)
		return st;
	gather_start(c, n);
	while (*put < n) {
		size_t w = 0;
		ERR_clear_error();
		errno = 0;
		if (SSL_write_ex(c->ssl, buf + *put, n - *put, &w) != 1) {
			st = tls_status(c, 0, "TLS write");
			*pending = st == CONN_WANT_READ || st == CONN_WANT_WRITE;
			break;
		}
		*put += w;
		if (!c->gather)
			break;   /* one record per call, as write(2) would */
	}
	if (st != CONN_OK && st != CONN_WANT_READ && st != CONN_WANT_WRITE)
		return st;
	enum conn_status fl = gather_flush(c);
	if (fl == CONN_ERROR)
		return fl;
	return *put > 0 ? CONN_OK : st != CONN_OK ? st : fl;
}

enum conn_status conn_read(struct conn *c, void *buf, size_t n, size_t *got)
{
	*got = 0;
	if (n == 0)
		return CONN_OK;
	if (!c->ssl) {
		ssize_t r = sysio_read(c->rfd, buf, n);
		if (r > 0) {
			*got = (size_t)r;
			return CONN_OK;
		}
		if (r == 0) {
			c->eof = true;
			return CONN_EOF;
		}
		return errno_status(c, CONN_WANT_READ, "read");
	}
	if (c->eof)
		return CONN_EOF;
	enum conn_status st = tls_ready(c);
	if (st != CONN_OK)
		return st;
	if (SSL_read_ex(c->ssl, buf, n, got) == 1)
		return CONN_OK;
	return tls_status(c, 0, "TLS read");
}

enum conn_status conn_write(struct conn *c, const void *buf, size_t n, size_t *put)
{
	*put = 0;
	if (n == 0)
		return CONN_OK;
	if (!c->ssl) {
		for (;;) {
			ssize_t w = c->wnotsock ? write(c->wfd, buf, n)
						: send(c->wfd, buf, n, MSG_NOSIGNAL);
			if (w < 0 && errno == ENOTSOCK && !c->wnotsock) {
				c->wnotsock = true;
				continue;
			}
			if (w >= 0) {
				*put = (size_t)w;
				return CONN_OK;
			}
			if (errno != EINTR)
				return errno_status(c, CONN_WANT_WRITE, "write");
		}
	}
	enum conn_status st = tls_ready(c);
	if (st != CONN_OK)
		return st;
	bool pending;
	return tls_write_records(c, buf, n, put, &pending);
}

enum conn_status conn_flush(struct conn *c)
{
	return c->ssl ? gather_flush(c) : CONN_OK;
}

/* Plain sendfile(2). */
static enum conn_status send_plain(struct conn *c, int file_fd, off_t *offset, size_t n,
				   size_t *put)
{
	for (;;) {
		ssize_t w = sendfile(c->wfd, file_fd, offset, n);
		if (w >= 0) {
			*put = (size_t)w;
			return CONN_OK;
		}
		if (errno != EINTR)
			return errno_status(c, CONN_WANT_WRITE, "sendfile");
	}
}

/* kTLS: the kernel encrypts, so the file goes out without a copy. */
static enum conn_status send_ktls(struct conn *c, int file_fd, off_t *offset, size_t n,
				  size_t *put)
{
	ERR_clear_error();
	errno = 0;
	ossl_ssize_t w = SSL_sendfile(c->ssl, file_fd, *offset, n, 0);
	if (w >= 0) {
		*offset += w;
		*put = (size_t)w;
		return CONN_OK;
	}
	return tls_status(c, -1, "TLS sendfile");
}

/* The file through user space: large reads, each written as many
 * full-size records by one SSL_write. A write that must be repeated
 * repeats the same staged bytes, as OpenSSL requires. */
static enum conn_status send_staged(struct conn *c, int file_fd, off_t *offset, size_t n,
				    size_t *put)
{
	if (!c->stage)
		c->stage = xmalloc(CONN_TLS_CHUNK);
	bool staged = c->stage_pos < c->stage_len && c->stage_off + (off_t)c->stage_pos == *offset;
	if (!staged) {
		if (c->stage_pending)
			return fail(c, CONN_ERROR, NULL, "TLS sendfile: offset moved during a write");
		size_t want = n < CONN_TLS_CHUNK ? n : CONN_TLS_CHUNK;
		ssize_t r;
		do
			r = pread(file_fd, c->stage, want, *offset);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return fail_errno(c, "reading the file");
		if (r == 0)
			return CONN_OK; /* end of the file */
		c->stage_off = *offset;
		c->stage_len = (size_t)r;
		c->stage_pos = 0;
	}
	size_t len = c->stage_len - c->stage_pos;
	if (!c->stage_pending && len > n)
		len = n;
	size_t w = 0;
	enum conn_status st = tls_write_records(c, c->stage + c->stage_pos, len, &w,
						&c->stage_pending);
	if (st != CONN_OK)
		return st;
	c->stage_pos += w;
	*offset += (off_t)w;
	*put = w;
	return CONN_OK;
}

enum conn_status conn_sendfile(struct conn *c, int file_fd, off_t *offset, size_t n, size_t *put)
{
	*put = 0;
	if (n == 0)
		return CONN_OK;
	if (!c->ssl)
		return send_plain(c, file_fd, offset, n, put);
	enum conn_status st = tls_ready(c);
	if (st != CONN_OK)
		return st;
	if (conn_zero_copy_send(c))
		return send_ktls(c, file_fd, offset, n, put);
	return send_staged(c, file_fd, offset, n, put);
}

/* FIN on a socket; other descriptors have no half-close. */
static void shut_wr(struct conn *c)
{
	if (shutdown(c->wfd, SHUT_WR) < 0 && errno != ENOTSOCK && errno != ENOTCONN)
		c->broken = c->ssl != NULL;
}

enum conn_status conn_shutdown(struct conn *c)
{
	if (c->shut)
		return CONN_OK;
	if (c->ssl && c->broken)
		return c->err[0] ? CONN_ERROR
				 : fail(c, CONN_ERROR, NULL, "TLS connection already failed");
	if (c->ssl && c->handshake_done) {
		/* The gathered records first, then close_notify (which
		 * OpenSSL writes through the same buffer), then the FIN. */
		enum conn_status st = gather_flush(c);
		if (st != CONN_OK)
			return st;
		if (!c->notify_sent) {
			ERR_clear_error();
			errno = 0;
			int r = SSL_shutdown(c->ssl);
			if (r < 0) {
				st = tls_status(c, r, "TLS close_notify");
				if (st != CONN_EOF)
					return st;
			}
			c->notify_sent = true;
		}
		if ((st = gather_flush(c)) != CONN_OK)
			return st;
	}
	shut_wr(c);
	c->shut = true;
	return CONN_OK;
}

/* Remaining milliseconds until deadline (at least 0). */
static int left_ms(long long deadline)
{
	long long left = deadline - sysio_now_ms();
	return left > 0 ? (int)left : 0;
}

enum conn_status conn_wait(struct conn *c, enum conn_status st, int timeout_ms)
{
	struct conn_pollfd p = { .c = c, .events = conn_events(st) };
	if (!p.events)
		return CONN_OK;
	int r = conn_poll(&p, 1, timeout_ms);
	if (r > 0)
		return CONN_OK;
	if (r == 0)
		return fail(c, CONN_ERROR, NULL, "timed out");
	return fail_errno(c, "poll");
}

enum conn_status conn_handshake_wait(struct conn *c, int timeout_ms, conn_wait_fn *wait,
				     void *arg)
{
	/* One deadline for the whole handshake: a peer sending a byte now
	 * and then does not keep it going. */
	long long deadline = sysio_now_ms() + timeout_ms;
	for (;;) {
		enum conn_status st = conn_handshake(c);
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return st;
		int left = left_ms(deadline);
		if (left == 0)
			return fail(c, CONN_ERROR, NULL, "timed out");
		if (wait == NULL) {
			if (conn_wait(c, st, left) != CONN_OK)
				return CONN_ERROR;
			continue;
		}
		struct conn_pollfd p = { .c = c, .events = conn_events(st) };
		int r = wait(arg, &p, 1, left);
		if (r == 0)
			return fail(c, CONN_ERROR, NULL, "timed out");
		if (r < 0) {
			int e = errno;
			fail_errno(c, "poll");
			errno = e;
			return CONN_ERROR;
		}
	}
}

enum conn_status conn_write_all(struct conn *c, const void *buf, size_t n, int timeout_ms)
{
	/* One deadline for the whole write: a peer taking a little now and
	 * then does not keep it going. */
	long long deadline = sysio_now_ms() + timeout_ms;
	const char *p = buf;
	while (n > 0) {
		size_t put;
		enum conn_status st = conn_write(c, p, n, &put);
		if (st == CONN_OK) {
			p += put;
			n -= put;
			continue;
		}
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return st;
		if (conn_wait(c, st, left_ms(deadline)) != CONN_OK)
			return CONN_ERROR;
	}
	/* Nothing may stay in the gathering buffer: the caller waits for
	 * the peer's answer next. */
	enum conn_status st;
	while ((st = gather_flush(c)) == CONN_WANT_WRITE)
		if (conn_wait(c, st, left_ms(deadline)) != CONN_OK)
			return CONN_ERROR;
	return st;
}

enum conn_status conn_finish(struct conn *c, int timeout_ms)
{
	long long deadline = sysio_now_ms() + timeout_ms;
	enum conn_status st;
	while ((st = conn_shutdown(c)) == CONN_WANT_READ || st == CONN_WANT_WRITE)
		if (conn_wait(c, st, left_ms(deadline)) != CONN_OK)
			return CONN_ERROR;
	if (st != CONN_OK)
		return st;
	char sink[4096];
	for (;;) {
		size_t got;
		st = conn_read(c, sink, sizeof sink, &got);
		if (st == CONN_OK)
			continue;
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return st;
		if (conn_wait(c, st, left_ms(deadline)) != CONN_OK)
			return CONN_ERROR;
	}
}

short conn_events(enum conn_status status)
{
	return status == CONN_WANT_READ ? POLLIN : status == CONN_WANT_WRITE ? POLLOUT : 0;
}

bool conn_set_read_buffer(struct conn *c, size_t bufsize)
{
	if (!c->ssl)
		return true;
	/* A buffer in front of the socket, for reads only. OpenSSL's own
	 * read-ahead is not used: in OpenSSL 3.0 it moves the rest of its
	 * buffer to the front before every record, which costs more than the
	 * system calls it saves. */
	BIO *buf = BIO_new(BIO_f_buffer());
	BIO *sock = BIO_new_socket(c->rfd, BIO_NOCLOSE);
	if (!buf || !sock || BIO_set_read_buffer_size(buf, (long)bufsize) != 1) {
		BIO_free(buf);
		BIO_free(sock);
		ERR_clear_error();
		return false;
	}
	SSL_set0_rbio(c->ssl, BIO_push(buf, sock));
	return true;
}

bool conn_buffered(const struct conn *c)
{
	/* Decrypted bytes, or bytes in the read buffer: when a read stops
	 * for want of more, OpenSSL has taken all of them, so a part of a
	 * record counts here once at most and poll(2) never spins. */
	return c->ssl && (SSL_pending(c->ssl) > 0 || BIO_pending(SSL_get_rbio(c->ssl)) > 0);
}

/* conn_poll and conn_poll_signal: restart says whether a signal that
 * breaks into the wait is waited through (conn_poll) or returned. */
static int poll_conns(struct conn_pollfd *p, int n, int timeout_ms, bool restart)
{
	/* Two poll entries per connection: its read and its write side. A
	 * transfer loop polls two or three connections many times a second,
	 * so small sets stay on the stack. */
	struct pollfd small[8] = { { 0 } };
	struct pollfd *fds = n <= 4 ? small : xcalloc((size_t)n * 2, sizeof *fds);
	int ready = 0;
	for (int i = 0; i < n; i++) {
		p[i].revents = 0;
		fds[2 * i].fd = fds[2 * i + 1].fd = -1;
		if (!p[i].c)
			continue;
		if ((p[i].events & POLLIN) && conn_buffered(p[i].c)) {
			p[i].revents = POLLIN;
			ready++;
		}
		if (p[i].events & POLLIN) {
			fds[2 * i].fd = p[i].c->rfd;
			fds[2 * i].events = POLLIN;
		}
		if (p[i].events & POLLOUT) {
			fds[2 * i + 1].fd = p[i].c->wfd;
			fds[2 * i + 1].events = POLLOUT;
		}
	}
	long long deadline = sysio_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int r;
	for (;;) {
		int wait = ready ? 0 : timeout_ms < 0 ? -1 : left_ms(deadline);
		r = poll(fds, (nfds_t)n * 2, wait);
		if (r >= 0 || errno != EINTR || !restart)
			break;
	}
	if (r < 0) {
		int err = errno;
		if (fds != small)
			free(fds);
		errno = err;
		return -1;
	}
	ready = 0;
	for (int i = 0; i < n; i++) {
		short in = fds[2 * i].revents, out = fds[2 * i + 1].revents;
		if (in & (POLLIN | POLLHUP | POLLERR))
			p[i].revents |= (short)(in & (POLLIN | POLLHUP | POLLERR)) | POLLIN;
		if (out & (POLLOUT | POLLHUP | POLLERR))
			p[i].revents |= (short)(out & (POLLOUT | POLLHUP | POLLERR)) | POLLOUT;
		if (p[i].revents)
			ready++;
	}
	if (fds != small)
		free(fds);
	return ready;
}

int conn_poll(struct conn_pollfd *p, int n, int timeout_ms)
{
	return poll_conns(p, n, timeout_ms, true);
}

int conn_poll_signal(struct conn_pollfd *p, int n, int timeout_ms)
{
	return poll_conns(p, n, timeout_ms, false);
}

/* True if the socket's congestion control paces its sending itself: the
 * BBR family ("bbr", "bbr2", ...). A descriptor without the option (a
 * Unix socket, a pipe) is not paced. */
static bool paced_congestion(int fd)
{
	char name[16];
	socklen_t len = sizeof name;
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) != 0)
		return false;
	return len >= 3 && memcmp(name, "bbr", 3) == 0;
}

size_t conn_ready_sendfile(struct conn *c, bool tls_chunk)
{
	if (c->ssl)
		return tls_chunk ? CONN_TLS_CHUNK : SEND_CHUNK;
	if (!paced_congestion(c->wfd))
		return SEND_BULK;
	int lowat = SEND_LOWAT;
	(void)setsockopt(c->wfd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
	return SEND_CHUNK;
}

bool conn_zero_copy_send(const struct conn *c)
{
	if (!c->ssl)
		return true;
	return c->handshake_done && BIO_get_ktls_send(SSL_get_wbio(c->ssl));
}

int conn_rfd(const struct conn *c)
{
	return c->rfd;
}

int conn_wfd(const struct conn *c)
{
	return c->wfd;
}

bool conn_is_tls(const struct conn *c)
{
	return c->ssl != NULL;
}

SSL *conn_ssl(const struct conn *c)
{
	return c->ssl;
}

char *conn_describe(const struct conn *c, char *buf, size_t n)
{
	if (!c->ssl)
		snprintf(buf, n, "plain");
	else if (!c->handshake_done)
		snprintf(buf, n, "TLS handshake pending");
	else
		snprintf(buf, n, "%s %s%s", SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
			 SSL_session_reused(c->ssl) ? " resumed" : "");
	return buf;
}

const char *conn_error(const struct conn *c)
{
	return c->err;
}
