/* session: one client's whole FTP session, run in the forked child.
 * All per-client state lives in struct session; the command loop reads a
 * line, lets commands.c dispatch it, and every reply goes out through
 * session_reply. Nothing here is shared with other sessions. */
#ifndef FERRYD_SESSION_H
#define FERRYD_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

#include "ftp_limits.h"
#include "linereader.h"
#include "netaddr.h"
#include "options.h"
#include "sbuf.h"

/* A data channel prepared by PASV/EPSV or PORT/EPRT, used by the next
 * transfer command. */
struct dataconn {
	int listen_fd;              /* passive: listening socket, else -1 */
	bool active;                /* PORT/EPRT given */
	struct netaddr active_addr; /* active: where to connect */
};

/* What a running transfer reports to STAT. */
struct xfer_progress {
	bool running;          /* a transfer is in progress */
	const char *verb;      /* RETR, STOR, LIST... */
	const char *path;      /* virtual path being transferred */
	off_t done;            /* bytes moved so far */
	off_t total;           /* expected bytes, -1 if unknown */
};

struct session {
	const struct ferryd_config *cfg; /* shared, read-only options */
	int ctl_in, ctl_out;      /* control connection (same fd unless -i) */
	struct netaddr peer;      /* control peer's address */
	struct netaddr local;     /* control connection's local address */
	char peer_str[NETADDR_STRLEN]; /* peer as text, for logs */
	struct linereader lr;     /* control input */
	bool ctl_timed_read;      /* ctl_in is a socket that blocks with SO_RCVTIMEO */
	char *deferred;           /* a command read during a transfer, run after it */
	size_t deferred_len;      /* its length */
	struct sbuf out;          /* reply being formatted */
	long long started_ms;     /* session start, monotonic ms */

	/* Login. */
	bool logged_in;           /* USER/PASS accepted */
	char *user;               /* name given by USER (pending or logged in) */
	bool anonymous;           /* logged in as anonymous/ftp */
	bool writable;            /* may change files */
	int failed_logins;        /* wrong passwords so far */

	/* Files. */
	int root_fd;              /* the user's root, opened O_PATH */
	uid_t uid;                /* the session's user and group, for perm facts */
	gid_t gid;
	char cwd[FTP_PATH_MAX + 1]; /* virtual working directory */

	/* Protocol state (RFC 959 section 4.1). */
	bool ascii;               /* TYPE A (else TYPE I) */
	off_t rest;               /* REST offset for the next transfer */
	char *rnfr;               /* path from RNFR waiting for RNTO, or NULL */
	bool epsv_all;            /* EPSV ALL: only EPSV may set up data */
	unsigned mlst_facts;      /* facts MLSx shows (OPTS MLST) */
	struct dataconn dc;       /* data channel for the next transfer */
	struct xfer_progress xfer;/* transfer in progress, for STAT */
	bool quit;                /* end the session after this reply */
};

/* Runs a whole session on the given control fds (accepted socket, or
 * stdin/stdout with -i) and returns when it ends. */
void session_run(const struct ferryd_config *cfg, int ctl_in, int ctl_out);
/* The two ends of session_run, for harnesses that drive commands
 * themselves: fills s for the control fds (no I/O beyond socket options),
 * and frees what a session holds. */
void session_init(struct session *s, const struct ferryd_config *cfg, int in, int out);
void session_cleanup(struct session *s);

/* Sends a reply (text may hold '\n' for a multi-line reply). A failed
 * write ends the session. */
void session_reply(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like session_reply for long texts (STAT listings), up to FTP_REPLY_MAX. */
void session_reply_text(struct session *s, int code, const char *text);
/* Sends "code" with text describing errno (550 No such file..., 452...)
 * for an operation on path; picks the FTP code from errno when code is 0. */
void session_reply_errno(struct session *s, int code, const char *path, int err);
/* Resolves arg against the cwd into out (FTP_PATH_MAX + 1 bytes); on
 * failure sends the reply (501/553) and returns false. */
bool session_path(struct session *s, const char *arg, char *out);
/* Writes path into out with every '"' doubled, for 257 replies. */
void session_quote_path(const char *path, char *out, size_t outsz);
/* Logs one transfer: verb, path, bytes, seconds, result. */
void session_log_transfer(struct session *s, const char *verb, const char *path,
			  off_t bytes, long long start_ms, const char *result);
/* Handles one control line that arrived during a transfer: ABOR and STAT
 * are answered at once (ABOR returns true), QUIT and others are kept for
 * after the transfer. */
bool session_control_during_transfer(struct session *s, bool *quit);

#endif
