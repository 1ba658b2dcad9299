/* conn: one connection type for control and data connections, plain or
 * TLS. Both programs read, write, wait and close through it, so a caller
 * never asks which kind it holds; TLS policy (certificates, session
 * binding, trust) lives in each program's own TLS module, which hands a
 * configured SSL object to conn_tls or conn_start_tls.
 *
 * Non-blocking friendly: every operation returns CONN_WANT_READ or
 * CONN_WANT_WRITE instead of blocking when the descriptor is non-blocking
 * (a blocking descriptor simply blocks). Poll through conn_poll, which
 * also reports bytes TLS already decrypted into user space, or call the
 * *_wait helpers with a timeout.
 *
 * End of stream is explicit: CONN_EOF is a clean end (FIN on a plain
 * connection, close_notify under TLS); CONN_TRUNCATED is a TLS connection
 * whose TCP stream ended without close_notify, which must be treated as a
 * broken transfer.
 *
 * Zero-copy (sendfile, splice) is only offered where bytes may bypass user
 * space: a plain socket, or a TLS connection the kernel encrypts (kTLS).
 *
 * Nothing here prints or exits; errors are kept as text (conn_error).
 * OpenSSL writes to sockets with write(2): a process that uses TLS
 * connections must ignore SIGPIPE. */
#ifndef FERRY_CONN_H
#define FERRY_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/types.h>

/* The outcome of one operation. */
enum conn_status {
	CONN_OK,         /* progress made, or the step finished */
	CONN_WANT_READ,  /* would block: wait for POLLIN, then repeat the call */
	CONN_WANT_WRITE, /* would block: wait for POLLOUT, then repeat the call */
	CONN_EOF,        /* the peer ended cleanly (FIN, or TLS close_notify) */
	CONN_TRUNCATED,  /* TLS stream cut without close_notify */
	CONN_ERROR,      /* failed; conn_error says why */
};

/* Bytes staged per SSL_write when a file is sent through user space: many
 * full-size TLS records per call. */
#define CONN_TLS_CHUNK (256 * 1024)
/* Bytes a bulk-receiving TLS connection reads from its socket at once
 * (conn_set_read_buffer): 16 full records. */
#define CONN_TLS_READ_BUFFER (256 * 1024)
/* Bytes of records a bulk-sending TLS connection gathers before a
 * write(2): the records of one CONN_TLS_CHUNK with their headers and tags. */
#define CONN_TLS_WRITE_BUFFER (CONN_TLS_CHUNK + 4096)

struct conn;

/* Wraps a plain connection; rfd and wfd are the same socket except for
 * inetd-style pipes. Takes ownership of the descriptors. Never NULL. */
struct conn *conn_plain(int rfd, int wfd);
/* Wraps a TLS connection over fds with ssl (client or server role already
 * set). Takes ownership of both; the handshake runs in conn_handshake. */
struct conn *conn_tls(int rfd, int wfd, SSL *ssl);
/* Turns a plain connection into TLS (AUTH TLS): takes ownership of ssl.
 * The caller must drop any bytes it read ahead on the plain connection.
 * Returns false (c unchanged, ssl freed) if c is already TLS. */
bool conn_start_tls(struct conn *c, SSL *ssl);
/* Closes the descriptors and frees c (NULL is ignored). No close_notify:
 * call conn_shutdown or conn_finish first for an orderly end. */
void conn_free(struct conn *c);

/* Frees c and its TLS state but leaves the descriptors open, for a caller
 * that owns them (NULL is ignored). */
void conn_release(struct conn *c);

/* Runs the TLS handshake as far as it can: CONN_OK when done (at once for
 * a plain connection), CONN_WANT_* to repeat, CONN_ERROR. */
enum conn_status conn_handshake(struct conn *c);
/* Reads up to n bytes into buf; *got is set on CONN_OK (0 only if n is). */
enum conn_status conn_read(struct conn *c, void *buf, size_t n, size_t *got);
/* Writes up to n bytes; *put is set on CONN_OK. After CONN_WANT_* repeat
 * with the same bytes still at the start of buf. Under TLS a write of
 * more than one record gathers its records into one write(2); those the
 * socket could not take yet (CONN_OK all the same) go out with the next
 * conn_write, conn_sendfile, conn_flush or conn_shutdown: after the last
 * write, call conn_shutdown or conn_flush before waiting for the peer. */
enum conn_status conn_write(struct conn *c, const void *buf, size_t n, size_t *put);
/* Writes out records gathered by earlier writes: CONN_OK when none are
 * left, CONN_WANT_WRITE to repeat once the socket takes more. */
enum conn_status conn_flush(struct conn *c);
/* Sends up to n bytes of file_fd from *offset, advancing it; *put is set
 * on CONN_OK. Zero-copy where conn_zero_copy_send; otherwise the file is
 * read through a buffer into large TLS writes, gathered as by conn_write. */
enum conn_status conn_sendfile(struct conn *c, int file_fd, off_t *offset, size_t n,
			       size_t *put);
/* Ends the sending side: gathered records, TLS close_notify, then TCP
 * FIN on a socket. CONN_OK when sent. Reading stays possible (the peer's
 * close_notify). */
enum conn_status conn_shutdown(struct conn *c);

/* Waits up to timeout_ms for the event st (CONN_WANT_READ/WRITE) asks
 * for. CONN_OK when ready, CONN_ERROR ("timed out") otherwise. */
enum conn_status conn_wait(struct conn *c, enum conn_status st, int timeout_ms);
struct conn_pollfd;
/* A wait like conn_poll's (p, n, timeout_ms and its result), for a
 * caller that waits its own way; arg is the caller's. */
typedef int conn_wait_fn(void *arg, struct conn_pollfd *p, int n, int timeout_ms);
/* conn_handshake until done, within timeout_ms for the whole handshake
 * (however slowly the peer sends it); CONN_ERROR ("timed out") after.
 * Waits with wait(arg, ...), or conn_poll when wait is NULL; when the
 * wait fails, CONN_ERROR with errno as the wait left it. */
enum conn_status conn_handshake_wait(struct conn *c, int timeout_ms, conn_wait_fn *wait,
				     void *arg);
/* Writes all n bytes within timeout_ms for the whole write (however
 * slowly the peer takes them); CONN_ERROR ("timed out") after. */
enum conn_status conn_write_all(struct conn *c, const void *buf, size_t n, int timeout_ms);
/* Orderly end of a connection: sends close_notify and FIN, then waits at
 * most timeout_ms for the peer to end too, discarding anything it still
 * sends. Returns CONN_EOF (the peer ended cleanly), CONN_TRUNCATED, or
 * CONN_ERROR (reset, or no end in time). Does not free c. */
enum conn_status conn_finish(struct conn *c, int timeout_ms);

/* One entry of conn_poll: events POLLIN and/or POLLOUT; revents set. */
struct conn_pollfd {
	struct conn *c;  /* connection to wait on (NULL entries are skipped) */
	short events;    /* POLLIN, POLLOUT */
	short revents;   /* what is ready: POLLIN, POLLOUT, POLLERR/POLLHUP */
};
/* Waits like poll(2) on several connections, at most timeout_ms (-1 for
 * ever). A connection with decrypted bytes waiting (conn_buffered) is
 * readable at once. Returns the number ready, 0 on timeout, -1 on error. */
int conn_poll(struct conn_pollfd *p, int n, int timeout_ms);
/* conn_poll, except that a signal caught during the wait ends it: -1
 * with errno EINTR (for a caller that must react to Ctrl-C at once). */
int conn_poll_signal(struct conn_pollfd *p, int n, int timeout_ms);
/* The poll event status asks for: POLLIN, POLLOUT, or 0. */
short conn_events(enum conn_status status);
/* True if bytes are readable without touching the socket (TLS bytes
 * already decrypted, or records in the read buffer): poll(2) on
 * the descriptor alone would miss them. */
bool conn_buffered(const struct conn *c);
/* Lets a TLS connection take up to bufsize bytes (many records) from its
 * socket per read(2) instead of each record's header and body apart: far
 * fewer system calls for bulk receiving, for one copy more. Call before
 * the handshake; conn_buffered counts the buffer, so conn_poll stays
 * right. No effect on a plain connection. False if out of memory (the
 * connection then reads unbuffered). */
bool conn_set_read_buffer(struct conn *c, size_t bufsize);

/* Readies a connection for sending a regular file with conn_sendfile and
 * returns the most bytes each conn_sendfile should then ask for. A plain
 * TCP connection whose congestion control paces the sending (BBR) gets
 * TCP_NOTSENT_LOWAT so that at most about 16 KiB stay unsent, and 64 KiB
 * requests; any other plain connection (cubic, reno, a Unix socket, a
 * pipe) keeps a full queue with 4 MiB requests (the reasons and figures
 * are in conn.c). A TLS connection's socket is left as it was (a full
 * queue) with 64 KiB requests; with tls_chunk, CONN_TLS_CHUNK is returned
 * instead (one read of the file, its records written out together). */
size_t conn_ready_sendfile(struct conn *c, bool tls_chunk);

/* True if conn_sendfile moves bytes without user space: plain, or kTLS. */
bool conn_zero_copy_send(const struct conn *c);

/* Descriptors (for polling alongside other descriptors and for socket
 * options). Still owned by c. */
int conn_rfd(const struct conn *c);
int conn_wfd(const struct conn *c);
/* True once the connection speaks TLS (even before the handshake ends). */
bool conn_is_tls(const struct conn *c);
/* The SSL object of a TLS connection (NULL when plain); still owned by c. */
SSL *conn_ssl(const struct conn *c);
/* Writes "TLSv1.3 TLS_AES_256_GCM_SHA384" (plus " resumed" when the
 * session was resumed) or "plain" into buf; returns buf. */
char *conn_describe(const struct conn *c, char *buf, size_t n);
/* The reason of the last CONN_ERROR/CONN_TRUNCATED (empty if none). */
const char *conn_error(const struct conn *c);

#endif
