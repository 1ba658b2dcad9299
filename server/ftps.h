/* ftps: FTPS (RFC 4217) in ferryd's sessions. server/tls.c holds the TLS
 * policy and the binding of data connections; this module applies them:
 * the process's certificate (loaded before privileges are dropped,
 * reloaded on SIGHUP), TLS on the control connection (AUTH TLS, or from
 * the first byte on an implicit-TLS listener), the --tls=required
 * gates, and protected data connections, which must resume their control
 * connection's TLS session before a byte of a file moves.
 *
 * The control connection is a struct conn (s->ctl) from session_init on;
 * the session reads and writes it through ftps_control_fill and
 * ftps_control_send, so a plain session takes exactly the paths it took
 * before TLS existed. */
#ifndef FERRYD_FTPS_H
#define FERRYD_FTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conn.h"
#include "options.h"
#include "session.h"
#include "transfer.h"

/* ---- The process ---- */

/* Loads the certificate and key cfg->tls names and logs the served
 * certificate's fingerprint; nothing to do when TLS is off. Returns false
 * after logging why. Call before dropping privileges; cfg must outlive
 * every session. */
bool ftps_server_init(const struct ferryd_config *cfg);
/* Loads the certificate and key cfg->tls names (the listener's SIGHUP,
 * cfg being the reloaded configuration, which must outlive every session
 * started from now on): sessions started from now on serve the new pair,
 * running ones keep theirs. Returns false with err when they cannot be
 * loaded; the loaded pair then stays. Logs the new fingerprint. */
bool ftps_server_reload(const struct ferryd_config *cfg, char *err, size_t errsz);
/* Frees the loaded certificate (at exit). */
void ftps_server_free(void);
/* Tells the forked session process that its listener is an implicit-TLS
 * one (-l ...,implicit-tls): the session starts with the handshake, as
 * every session does under --implicit-tls. */
void ftps_set_implicit_listener(bool implicit);
/* True when TLS is configured (AUTH TLS offered). */
bool ftps_offered(void);

/* ---- A session ---- */

/* Starts a session: on an implicit-TLS listener runs the handshake before
 * the greeting. Returns false (logged) if the session must end. */
bool ftps_session_begin(struct session *s);
/* Turns the control connection into TLS (after the 234 reply to AUTH
 * TLS) and runs the handshake. Bytes read before it (pipelined after
 * AUTH TLS) are dropped: they came in clear and must never be taken as
 * sent inside TLS. PBSZ and PROT start over. Returns false (logged) if
 * the session must end. */
bool ftps_control_start(struct session *s);
/* Frees the session's TLS state (not the control descriptors). */
void ftps_session_end(struct session *s);
/* --tls=required: USER before AUTH TLS is refused (534). Returns false
 * after replying. */
bool ftps_login_allowed(struct session *s);
/* --tls=required: a transfer without PROT P is refused (521). Returns
 * false after replying. */
bool ftps_transfer_allowed(struct session *s);
/* Before the reply to PASV, EPSV, PORT or EPRT under PROT P: a fresh TLS
 * 1.3 ticket travels ahead of the reply, so the client's data connection
 * can always resume. */
void ftps_before_data_reply(struct session *s);

/* How opening a data connection's TLS ended. */
enum ftps_data_status {
	FTPS_DATA_OK,       /* *out is ready for the transfer */
	FTPS_DATA_REFUSED,  /* handshake failed or not bound: why says it */
	FTPS_DATA_ABORTED,  /* ABOR arrived meanwhile */
	FTPS_DATA_QUIT,     /* the control connection went away */
};
/* Makes the data connection on socket fd (taking ownership): plain unless
 * PROT P; under PROT P the TLS handshake runs while the control
 * connection is served (ABOR, STAT), and only a connection that resumed
 * this control connection's session is accepted (any TLS data connection
 * under --tls-session-reuse=optional, the first one noted in the log).
 * Nothing is sent on a refused connection. */
enum ftps_data_status ftps_data_open(struct session *s, int fd, struct conn **out, char *why,
				     size_t whysz);
/* Closes a data connection (NULL is ignored) after a transfer that ended
 * with *r. After a complete one (*r is XFER_OK), TLS ends with
 * close_notify; otherwise, and with r NULL (a transfer that failed and
 * was answered), the connection is just closed. While there is no room
 * to send the close_notify (a client that stopped reading), the control
 * connection is served (ABOR, STAT): *r becomes XFER_ABORTED or
 * XFER_CONTROL_LOST when the client gave up, XFER_TIMEOUT after the idle
 * timeout. */
void ftps_data_close(struct session *s, struct conn *data, enum xfer_result *r);

/* Reads once from the control connection into s->lr, like lr_fill:
 * bytes read, 0 at its end, -1 with errno (EAGAIN: nothing yet). */
ssize_t ftps_control_fill(struct session *s);
/* Writes a whole reply, waiting at most timeout_ms per step. false if the
 * control connection failed. */
bool ftps_control_send(struct session *s, const char *buf, size_t len, int timeout_ms);

#endif
