/* worker_conn: the engine connection of a worker that talks to the
 * server (the remote browser, the transfer worker), and that worker's
 * line back to the screen while the engine needs the user.
 *
 * The handle is made as the login says: the command line's settings
 * (timeout, active mode, retries, rate limit, IAC, TLS), the scheme and
 * TLS choice of the connection, and a certificate the user accepted
 * earlier in the session (asked once, trusted by every later connection
 * of every worker). A worker is a separate process, so what the engine
 * wants to tell or ask travels as messages (wire.h):
 *
 *   a notice                -> WIRE_NOTICE
 *   an unverified certificate -> WIRE_CERT with a question id; the worker
 *                              waits for the WIRE_ANSWER with that id
 *
 * While it waits, every other message from the screen is kept, in
 * order, and handed out later by worker_conn_next; a message the worker
 * names (a cancel of its job) ends the wait as a refusal, and so does
 * the screen closing its pipe. An answer whose id is not the question's
 * (a late one) is dropped. Never touches the terminal. */
#ifndef FERRY_TUI_WORKER_CONN_H
#define FERRY_TUI_WORKER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftp.h"
#include "wire.h"
#include "worker.h"

/* A worker's connection and its line to the screen. */
struct worker_conn {
	struct ftp *ftp;               /* the handle; NULL until worker_conn_open */
	int in_fd;                     /* messages from the screen (blocking) */
	struct wire_reader *reader;    /* ...bytes read from it, not yet taken */
	struct wire_writer *out;       /* messages to the screen; flushed after each of ours */
	/* True for a message that ends a wait for an answer as a refusal (a
	 * cancel of the job that connects); NULL: none does. */
	bool (*stops)(void *arg, const struct wire_msg *m);
	void *arg;                     /* passed to stops */
	struct wire_msg **held;        /* messages that came during a wait, oldest first */
	size_t nheld, heldcap;         /* in held; slots */
	uint32_t asked;                /* id of the last question */
	bool closed;                   /* the screen closed its pipe */
	struct wire_msg msg;           /* the message being sent or read */
};

/* Sets k up for the pipes in_fd (with its reader) and out: no handle
 * yet, nothing held. */
void worker_conn_init(struct worker_conn *k, int in_fd, struct wire_reader *reader,
		      struct wire_writer *out);
/* Makes k's handle for login l (not connected yet). */
void worker_conn_open(struct worker_conn *k, const struct worker_login *l);
/* Takes the next message from the screen into m: one kept during a
 * wait, else a whole one already read. 1, 0 when none is ready, -1 when
 * what was read is malformed. */
int worker_conn_next(struct worker_conn *k, struct wire_msg *m);
/* The question about a certificate that did not verify, as the engine
 * asks it (ftp_cert_fn; arg is k): sends it to the screen and waits for
 * the answer. REJECT when a message k->stops names came first or the
 * screen closed its pipe. */
enum ftp_cert_answer worker_conn_ask(void *arg, const char *hostport,
				     const struct tlsc_cert *cert);
/* Sends what the engine knows of TLS on the connection (WIRE_TLS): after
 * a login, and after a failed one (its certificate). */
void worker_conn_tell_tls(struct worker_conn *k);
/* Leaves the server (QUIT when connected), frees the handle and what was kept. */
void worker_conn_close(struct worker_conn *k);

#endif
