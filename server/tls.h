/* tls: ferryd's TLS policy (RFC 4217). Which certificate to serve, which
 * protocol versions and options, and above all the binding of data
 * connections to their control connection: a protected data connection
 * is only accepted if it resumes the TLS session of its own control
 * connection, so whoever steals a passive port with a fresh TLS session
 * gets nothing.
 *
 * How the binding holds: every control connection gets its own SSL_CTX
 * (its own session cache and ticket keys) and a random token, used as the
 * session id context and stored in every session ticket it issues
 * (SSL_SESSION_set1_ticket_appdata). A data connection must resume
 * (SSL_session_reused) a session that carries that token. Under TLS 1.3
 * tls_control_fresh_ticket issues a new ticket before each transfer, so a
 * long session never meets an expired ticket. --tls-session-reuse=optional
 * lifts the rule for clients that cannot follow it (tls_data_accepted).
 *
 * This module never reads commands or sends replies; it hands out
 * struct conn objects (common/conn.h) and verdicts. Errors come back as
 * text. */
#ifndef FERRYD_TLS_H
#define FERRYD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

/* --tls: whether TLS is offered, and whether it is a must. */
enum tls_mode {
	TLS_OFF,      /* no AUTH TLS (FEAT does not list it) */
	TLS_ON,       /* AUTH TLS offered, plain sessions allowed */
	TLS_REQUIRED, /* USER before AUTH refused; transfers need PROT P */
};

/* The TLS part of ferryd's command line. */
struct tls_options {
	enum tls_mode mode;    /* --tls (after tls_options_finish) */
	bool mode_given;       /* --tls was on the command line */
	char *cert_file;       /* --tls-cert: PEM, leaf first, chain after it */
	char *key_file;        /* --tls-key (default: cert_file) */
	bool implicit;         /* --implicit-tls: listeners start in TLS */
	int min_version;       /* lowest protocol (TLS1_2_VERSION; never lower) */
	int max_version;       /* highest protocol, 0 = the library's newest */
	long session_timeout;  /* seconds a session (and a ticket) lives */
	bool ktls;             /* ask for kernel TLS on data connections */
	bool reuse_optional;   /* --tls-session-reuse=optional: data connections
				* need not resume the control connection's session */
};

/* One TLS option as the command line names it, for getopt tables. */
struct tls_optdef {
	const char *name; /* long option name without "--" */
	bool has_arg;     /* takes an argument */
};
/* The TLS options, terminated by a NULL name. */
extern const struct tls_optdef tls_optdefs[];
/* Their lines of the --help text. */
extern const char tls_usage[];

/* Fills o with the defaults. */
void tls_options_init(struct tls_options *o);
/* Applies option name (from tls_optdefs) with arg (NULL for a flag).
 * Returns 0, or -1 with a one-line message in err; 1 if name is not a
 * TLS option. */
int tls_option(struct tls_options *o, const char *name, const char *arg, char *err,
	       size_t errsz);
/* The effective value of option name as the configuration file writes
 * it ("yes"/"no" for a flag), for --check-config. False when it is unset
 * or not a TLS option. */
bool tls_option_text(const struct tls_options *o, const char *name, char *out, size_t n);
/* Settles defaults (--tls on when a certificate is given; the key in the
 * certificate file) and checks the combination. 0, or -1 with err. */
int tls_options_finish(struct tls_options *o, char *err, size_t errsz);
/* Frees the strings in o. */
void tls_options_free(struct tls_options *o);

/* The certificate and policy of a running ferryd. */
struct tls_server;

/* Loads the certificate, chain and key named in o (which must outlive the
 * result). Returns NULL with a message in err if they cannot be used. */
struct tls_server *tls_server_new(const struct tls_options *o, char *err, size_t errsz);
/* Reads the certificate and key again (SIGHUP): control connections
 * started from now on use the new ones; existing sessions keep theirs.
 * Returns 0, or -1 with err (the old certificate stays in use). */
int tls_server_reload(struct tls_server *srv, char *err, size_t errsz);
/* Writes the served certificate's SHA-256 fingerprint ("SHA256:...",
 * common/fingerprint.h) into out (FP_TEXT_SIZE bytes), for the log. */
void tls_server_fingerprint(const struct tls_server *srv, char *out);
/* Frees srv (NULL is ignored); sessions already started are unaffected. */
void tls_server_free(struct tls_server *srv);

/* The TLS state of one control connection and its data connections. */
struct tls_control;

/* Starts TLS on control connection ctl (after the 234 reply to AUTH TLS,
 * or at once on an implicit-TLS listener); the handshake then runs in
 * conn_handshake. ctl must outlive the result. Returns NULL with err if
 * ctl cannot be upgraded. */
struct tls_control *tls_control_start(struct tls_server *srv, struct conn *ctl, char *err,
				      size_t errsz);
/* Frees the binding (NULL is ignored); ctl stays the caller's. */
void tls_control_free(struct tls_control *t);
/* Before each data connection (ahead of the reply to PASV, EPSV, PORT or
 * EPRT): under TLS 1.3, queues a fresh session ticket that goes out with
 * the next reply. Returns false if OpenSSL refused. */
bool tls_control_fresh_ticket(struct tls_control *t);

/* Whether a data connection may carry a transfer. */
enum tls_data_verdict {
	TLS_DATA_OK,           /* resumed this control connection's session */
	TLS_DATA_NOT_RESUMED,  /* a fresh TLS session: refused (425/522), unless
				* --tls-session-reuse=optional */
	TLS_DATA_FOREIGN,      /* resumed a session of another connection (idem) */
	TLS_DATA_FAILED,       /* the handshake failed (conn_error says why) */
};
/* Wraps data socket fd (taking ownership) as the TLS server side of a
 * data connection of t. The handshake runs in conn_handshake. */
struct conn *tls_data_start(struct tls_control *t, int fd);
/* Prepares data connection c of tls_data_start, before its handshake,
 * for an upload: records are read in batches through a buffer
 * (conn_set_read_buffer), and kernel TLS stays off, since the kernel must
 * not take over a stream whose next records the buffer may already hold. */
void tls_data_for_upload(struct conn *c);
/* After a finished handshake: is this data connection bound to t? */
enum tls_data_verdict tls_data_check(struct tls_control *t, const struct conn *data);
/* Whether a data connection with verdict v may carry a transfer:
 * TLS_DATA_OK always; TLS_DATA_NOT_RESUMED and TLS_DATA_FOREIGN only under
 * --tls-session-reuse=optional. *first_unbound (may be NULL) becomes true
 * when this is the first such unbound connection t accepts, for a note
 * logged once per session. */
bool tls_data_accepted(struct tls_control *t, enum tls_data_verdict v, bool *first_unbound);
/* tls_data_start, the handshake (at most timeout_ms per step),
 * tls_data_check and tls_data_accepted in one. When accepted *out is the
 * connection; otherwise it is closed without a byte of data and err says
 * why. Returns the verdict either way. */
enum tls_data_verdict tls_data_accept(struct tls_control *t, int fd, int timeout_ms,
				      struct conn **out, char *err, size_t errsz);
/* The reason text of a verdict, for logs and 425/522 replies. */
const char *tls_data_verdict_text(enum tls_data_verdict v);

#endif
