/* ftp_private: what the engine's files share and nobody else may see.
 * The struct ftp layout, the control-connection primitives (ftp.c), the
 * login sequence (ftp_login.c), TLS on both connections (ftp_tls.c), the
 * data channel (ftp_data.c) and the transfer loops (ftp_xfer.c). Front
 * ends include ftp.h only. */
#ifndef FERRY_FTP_PRIVATE_H
#define FERRY_FTP_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conn.h"
#include "ftp.h"
#include "linereader.h"
#include "netaddr.h"
#include "reply.h"

/* Longest message kept for ftp_message(). */
#define FTP_MSG_MAX 1024
/* Longest "host:port" text, NUL included. */
#define FTP_TLS_KEY_MAX (FTP_PATH_MAX + 16)
/* Bytes moved per read or write in transfers. */
#define FTP_XFER_BUF (256 * 1024)
/* After a cancel, how long to wait for a reply that may never come (a
 * server that answers ABOR once instead of twice), in milliseconds. */
#define FTP_ABOR_LINGER_MS 500
/* After a wait for the server timed out, or after Ctrl-C, how long ABOR
 * and QUIT wait for their replies, in milliseconds (at most the handle's
 * timeout): the server is silent, or the user is not waiting for it. */
#define FTP_GIVE_UP_MS 1000

/* Commands written ahead that may wait for their replies at once. */
#define FTP_AHEAD_MAX 4
/* Longest command line (with its CRLF) every server reads as one
 * command; a longer one may be cut, and each part answered (pyftpdlib
 * answers one of more than 2048 bytes twice). */
#define FTP_LINE_SAFE 512
/* Replies to the parts of a long command that a resynchronisation skips
 * at most before it gives the connection up. */
#define FTP_RESYNC_MAX 16
/* Room for the facts an OPTS MLST asks for. */
#define FTP_MLST_OPTS_MAX 256
/* Bytes of a line that is no reply quoted in a message at most. */
#define FTP_JUNK_QUOTED 40
/* Room for what a wait for a reply is called in messages. */
#define FTP_READING_MAX 64

/* What a command written ahead is, which says what its reply does. */
enum ftp_ahead_kind {
	FTP_AHEAD_ALLO,  /* ALLO before an upload: a refusal ends the upload (ftp_xfer.c) */
	FTP_AHEAD_MFMT,  /* MFMT after an upload: the outcome goes to a callback */
};

/* A command that goes out in the same write as the next one, its reply
 * read before that one's (pipelining, RFC 959's replies being strictly in
 * the order of the commands). */
struct ftp_ahead {
	enum ftp_ahead_kind kind;
	char *arg;             /* the command's argument (owned) */
	char *remote;          /* MFMT: the file's name, for the callback (owned) */
	ftp_later_fn *done;    /* MFMT: told the outcome, or NULL */
	void *done_arg;        /* its argument */
	bool sent;             /* written: its reply is the next one owed */
	bool again;            /* MFMT: written once already, on a connection that
				* closed before the reply (it is not sent a third time) */
};

/* Where a failure happened; ftp_fail turns it and errno into a status. */
enum ftp_where {
	FTP_AT_CONNECT,  /* opening the control connection */
	FTP_AT_CONTROL,  /* on the control connection: it is closed */
	FTP_AT_DATA,     /* on a data connection */
	FTP_AT_LOCAL,    /* on the caller's local file */
};

/* Whether LIST is sent as "LIST -a", which shows the names starting
 * with '.' that some servers' plain LIST leaves out (vsftpd). */
enum ftp_list_a {
	FTP_LIST_A_UNKNOWN,  /* not known yet on this connection: SYST is asked first */
	FTP_LIST_A_TRY,      /* SYST said UNIX: the next LIST tries -a */
	FTP_LIST_A_YES,      /* the server listed a directory's own "." for it, as ls -a does */
	FTP_LIST_A_NO,       /* not UNIX, or no "." for a directory: plain LIST */
};

/* One control connection and everything known about the session. */
struct ftp {
	struct conn *ctl;             /* control connection (plain or TLS); NULL when closed */
	struct linereader lr;         /* splits the control stream into lines */
	struct reply_parser rp;       /* assembles lines into replies */
	int code;                     /* code of the last complete reply; 0 none */
	char msg[FTP_MSG_MAX];        /* message of the last call, sanitised */
	char *welcome;                /* greeting, sanitised; NULL before one */
	int timeout_ms;               /* longest wait for the server */
	bool raw_iac;                 /* send 0xFF in arguments as it is, not doubled */
	bool active;                  /* data connections by EPRT/PORT */
	int retries;                  /* retries of connects and broken transfers */
	off_t rate;                   /* bytes per second at most; 0 no limit */
	off_t min_rate;               /* bytes per second at least, over each timeout; 0 none */
	bool (*interrupt)(void *);    /* asked during waits for the server, or NULL */
	void *interrupt_arg;          /* its argument */
	bool hold_interrupt;          /* waits run on despite it (the replies to ABOR) */
	bool stalled;                 /* a wait for the server timed out in the running call */
	bool login_broke;             /* the last login broke off (FTP_S_BROKEN): it had
				       * its retries */
	bool not_reply;               /* the last failure: the server sent something that is
				       * no reply (a line that is none, too long, too many) */
	char junk[FTP_JUNK_QUOTED + 8]; /* the start of the last line that was no reply,
				       * sanitised ("..." when cut) */
	char reading[FTP_READING_MAX]; /* while logging in, what the awaited reply is called
				       * in messages ("waiting for the reply to USER"); else "" */
	off_t xfer_done;              /* bytes done by the last transfer, counting its offset */
	ftp_trace_fn *trace;          /* trace receiver or NULL */
	void *trace_arg;              /* its argument */
	ftp_notice_fn *notice;        /* notice receiver or NULL */
	void *notice_arg;             /* its argument */

	/* TLS (ftp_tls.c). */
	struct tlsc_options tls_opt;  /* ftp_set_tls; tlsc keeps a pointer to it */
	char scheme[8];               /* "ftp", "ftps" or "ftpes" (ftp_set_scheme) */
	struct tlsc *tls;             /* the control connection's TLS state; NULL when plain */
	ftp_cert_fn *cert_fn;         /* asked about certificates that do not verify, or NULL */
	void *cert_arg;               /* its argument */
	char once_key[FTP_TLS_KEY_MAX]; /* "host:port" a certificate was accepted once for */
	char once_fp[FP_TEXT_SIZE];   /* that certificate's fingerprint ("" none) */
	struct ftp_tls_info tls_info; /* ftp_tls_info */

	/* What reconnecting needs. */
	char *host;                   /* host name as given; NULL for ftp_connect_fd */
	int port;                     /* control port */
	char *user;                   /* login name */
	char *pass;                   /* password */
	bool retry_ok;                /* the running call may be retried after a reconnect */
	bool logged_in;               /* a login succeeded once on this handle */

	/* Session state, reset on every login. */
	struct netaddr data_addr;     /* where data connections go (port ignored) */
	bool have_data_addr;          /* data_addr is set */
	char *cwd;                    /* current directory as the server names it; NULL unknown */
	char *cwd_display;            /* the same, sanitised */
	unsigned feat;                /* FTP_FEAT_* bits from FEAT */
	char mlst_opts[FTP_MLST_OPTS_MAX]; /* facts for OPTS MLST, or "": none to ask */
	bool no_epsv;                 /* EPSV failed once: use PASV */
	bool no_mlsd;                 /* MLSD failed once: use LIST */
	enum ftp_list_a list_a;       /* LIST sent with -a or not */
	bool list_fell_back;          /* the last listing's MLSD was refused: LIST stood in */
	bool list_by_list;            /* the last listing came from LIST, not MLSD */
	bool no_allo;                 /* the server does not know ALLO: do not send it */
	bool no_eprt;                 /* the server does not know EPRT: PORT */
	bool data_listening;          /* the open data fd is an active-mode listener */

	/* Commands written ahead (ftp.c), oldest first. */
	struct ftp_ahead ahead[FTP_AHEAD_MAX];
	int n_ahead;                  /* entries in ahead */
	bool piped;                   /* the last write held commands written ahead */
	bool no_pipeline;             /* replies came out of step once: one command at a
				       * time from then on (kept across logins) */
	bool logging_in;              /* the login runs: commands written ahead wait for it */
	bool sent_long;               /* the last command line passed FTP_LINE_SAFE; its
				       * final reply is not read yet */
	bool long_refused;            /* the last refusal answered such a line: it says
				       * nothing about what the server supports */
	enum ftp_status allo_st;      /* the outcome of the last ALLO written ahead */
	int allo_code;                /* its reply code */
	char allo_msg[FTP_MSG_MAX];   /* its message when it refused the upload */

	char *xbuf;                   /* transfer buffer (FTP_XFER_BUF bytes), made on first use */
	char *tbuf;                   /* ASCII conversion buffer (FTP_XFER_BUF + 1), on first use */
	bool ascii;                   /* transfers in the ASCII type (TYPE A) */
	char *reply_shown;            /* ftp_reply_lines' text, or NULL */
};

/* ---- ftp.c: control connection; ftp_cmds.c: simple commands ---- */

/* True when the front end asks to stop (ftp_set_interrupt), unless
 * f->hold_interrupt. */
bool ftp_interrupted(const struct ftp *f);
/* conn_poll on the server's connections that ends at once when the front
 * end asks to stop: -1 with errno ECANCELED then. */
int ftp_wait(struct ftp *f, struct conn_pollfd *p, int n, int timeout_ms);
/* sysio_connect through ftp_wait: -1 with errno ECANCELED when the front
 * end asks to stop before the connect finished. */
int ftp_connect_addr(struct ftp *f, const struct netaddr *a, int timeout_ms, const char **what);
/* Writes a trace line if a receiver is set; text is sanitised first. */
void ftp_trace(struct ftp *f, enum ftp_trace_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the call's message (formatted, sanitised). */
void ftp_set_msg(struct ftp *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the message from the last reply: "CODE text" on one line. */
void ftp_msg_from_reply(struct ftp *f);
/* The text of the last reply (lines joined by '\n'; raw, not for display). */
const char *ftp_reply_text(const struct ftp *f);
/* Closes the control connection and forgets buffered input. Of the
 * commands written ahead, ALLOs fail (FTP_S_BROKEN in f->allo_st, their
 * upload fails with the connection); an MFMT whose reply did not come is
 * kept, to go out once more after the engine logs in again (ftp_run,
 * ftp_settle), unless it was already sent again: then its callback is
 * told FTP_S_BROKEN. The message set is what the callbacks see. */
void ftp_close_control(struct ftp *f);
/* Closes the control connection for good (a new session, QUIT, the end
 * of the handle): every command written ahead fails, its callback told
 * FTP_S_BROKEN ("the connection closed before the server's reply"). */
void ftp_hang_up(struct ftp *f);
/* The one place failures become statuses: sets the message ("what: strerror",
 * or "what: connection closed by the server" for err 0) and returns
 * FTP_S_CONNECT, FTP_S_BROKEN (closing the control connection when
 * where is FTP_AT_CONTROL) or FTP_S_LOCAL. */
enum ftp_status ftp_fail(struct ftp *f, enum ftp_where where, int err, const char *what);
/* ftp_fail with the reason as text ("what: reason"). */
enum ftp_status ftp_fail_text(struct ftp *f, enum ftp_where where, const char *what,
			      const char *reason);
/* A positive reply that cannot answer verb (a stray reply put the
 * replies a command late): closes the control connection and returns
 * FTP_S_BROKEN, so that ftp_run runs the call again on a new one. */
enum ftp_status ftp_out_of_step(struct ftp *f, const char *verb);
/* ftp_fail for a failed connection operation: its status st and
 * conn_error (CONN_EOF and CONN_TRUNCATED on the control connection say
 * the server closed it). */
enum ftp_status ftp_fail_conn(struct ftp *f, enum ftp_where where, const struct conn *c,
			      enum conn_status st, const char *what);
/* The one place replies become statuses: FTP_S_OK if the last reply's
 * first digit is want_class, else sets the message from the reply and
 * returns FTP_S_BROKEN for 421 (closing the connection) or FTP_S_REFUSED. */
enum ftp_status ftp_check(struct ftp *f, int want_class);
/* False (and FTP_S_USAGE in *st with a message) if arg cannot be sent:
 * empty when required, a CR or LF inside, or too long. */
bool ftp_arg_ok(struct ftp *f, const char *arg, bool required, enum ftp_status *st);
/* Sends "verb[ arg]\r\n" on the control connection, each 0xFF in arg
 * doubled (unless raw_iac): the one place every command goes out. The
 * commands waiting in f->ahead go first, in the same write (or, once a
 * server answered out of step, each on its own with its reply read). */
enum ftp_status ftp_send(struct ftp *f, const char *verb, const char *arg);
/* True when the control connection has something to read at once:
 * bytes in the line reader, or TLS bytes already decrypted. */
bool ftp_ctl_pending(const struct ftp *f);
/* Without waiting, takes what the control connection holds and sees
 * whether a reply is complete (*done; it is then in f->code). FTP_S_OK,
 * or a failure (the connection closed, message set). */
enum ftp_status ftp_poll_reply(struct ftp *f, bool *done);
/* Reads one complete reply (all its lines) within timeout_ms into f->code
 * and ftp_reply_text(); 1xx replies are returned like any other. The
 * replies owed to commands written ahead are read and dealt with first
 * (f->msg and f->code are then as they were). */
enum ftp_status ftp_read_reply_within(struct ftp *f, int timeout_ms);
/* ftp_read_reply_within with the handle's timeout. */
enum ftp_status ftp_read_reply(struct ftp *f);
/* Sends a command and reads its reply (one that is not 1xx). */
enum ftp_status ftp_command(struct ftp *f, const char *verb, const char *arg);
/* Queues a command to go out ahead of the next one (ftp_send); arg and
 * remote are copied. False when the queue is full. */
bool ftp_ahead_add(struct ftp *f, enum ftp_ahead_kind kind, const char *arg, const char *remote,
		   ftp_later_fn *done, void *done_arg);
/* Forgets the commands of kind still waiting to be written. */
void ftp_ahead_drop_unsent(struct ftp *f, enum ftp_ahead_kind kind);
/* Reads and throws away replies already waiting (late answers to an ABOR);
 * returns false if the connection turned out closed (EOF, error or 421). */
bool ftp_drain(struct ftp *f);
/* One engine operation, run by ftp_run with its argument block. */
typedef enum ftp_status ftp_op_fn(struct ftp *f, void *arg);
/* Runs op: first reads replies left waiting and reopens a dead
 * connection, then runs op, and if op finds the control connection dead
 * while f->retry_ok (no data moved yet, and not a reply that timed out
 * outside a fall-back from commands sent together), reconnects and runs
 * it once more.
 * MFMTs kept from a lost connection go out with op's first command after
 * the login; when the login again fails, they fail with it. */
enum ftp_status ftp_run(struct ftp *f, ftp_op_fn *op, void *arg);
/* True when a call that failed with st (and the reply code in f->code)
 * may succeed if tried again: a broken connection or a transient (4xx)
 * refusal other than a full disk. */
bool ftp_retryable(const struct ftp *f, enum ftp_status st);
/* Waits before retry number attempt (0 = the first retry): 1 s, 2 s,
 * 4 s ... at most FTP_RETRY_DELAY_MAX_MS, noting why in the trace.
 * progress (may be NULL) is called with done and total during the wait.
 * Returns false (message set) when the wait was interrupted or the
 * progress callback asked to cancel. */
bool ftp_backoff(struct ftp *f, int attempt, const char *why, ftp_progress_fn *progress,
		 void *arg, off_t done, off_t total);
/* Reads a 213 reply's value as a size in bytes; false if it is none. */
bool ftp_reply_size(const struct ftp *f, off_t *size);
/* Reads a 213 reply's value as an RFC 3659 time-val; 0 if it is none. */
time_t ftp_reply_time(const struct ftp *f);

/* ---- ftp_login.c: connecting and logging in ---- */

/* Resolves f->host and connects, trying each address within the timeout;
 * sets f->fd. */
enum ftp_status ftp_login_connect(struct ftp *f);
/* Runs the login sequence on f->fd (greeting to PWD, or to CWD back into
 * the remembered directory when reconnecting). */
enum ftp_status ftp_login_run(struct ftp *f, bool reconnect);
/* Reopens a dropped control connection (when f->host is known) and logs
 * in again into the same directory. */
enum ftp_status ftp_reconnect(struct ftp *f);
/* Parses a 257 reply's quoted path (with "" as a literal quote, or, when
 * the quotes inside are not all doubled, each as itself); returns a new
 * string the caller frees, or NULL. */
char *ftp_parse_257(const char *text);
/* Sets the remembered directory (raw and sanitised); path may be NULL. */
void ftp_set_cwd(struct ftp *f, const char *path);

/* ---- ftp_tls.c: TLS ---- */

/* How the connection being opened uses TLS, from the scheme and --tls. */
enum ftp_tls_use {
	FTP_TLS_OFF,       /* plain FTP */
	FTP_TLS_AUTO,      /* AUTH TLS when FEAT offers it, else plain with a notice */
	FTP_TLS_REQUIRE,   /* AUTH TLS, or FTP_S_TLS */
	FTP_TLS_IMPLICIT,  /* TLS from the first byte (ftps://) */
};
/* What the next connection does about TLS (FTP_TLS_OFF for connections
 * made from an fd). */
enum ftp_tls_use ftp_tls_use(const struct ftp *f);
/* Writes "host:port" ("[v6]:port") of the connection into out. */
void ftp_tls_server(const struct ftp *f, char *out, size_t n);
/* The port the scheme connects to by default (21, ftps 990). */
int ftp_tls_default_port(const struct ftp *f);
/* Runs the TLS handshake on the control connection (after 234, or at
 * once for implicit TLS) and decides whether to trust the server's
 * certificate, asking the front end when it must. FTP_S_OK, or
 * FTP_S_TLS with the message set (the connection is closed). */
enum ftp_status ftp_tls_start(struct ftp *f);
/* Forgets the control connection's TLS state (with the connection). */
void ftp_tls_end(struct ftp *f);
/* Hands a notice to the front end (formatted, sanitised). */
void ftp_notice(struct ftp *f, enum ftp_notice_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Turns the connected data socket *fd (taken over; set to -1) into the
 * data connection *out: plain, or under TLS a handshake resuming the
 * control connection's session, bounded by the timeout, and checked to
 * reach the same server. On failure *out is NULL and the status is
 * FTP_S_TLS or FTP_S_BROKEN (message set); *replied tells whether the
 * server's final reply to the transfer came meanwhile (it is in f->code). */
enum ftp_status ftp_tls_data(struct ftp *f, int *fd, struct conn **out, bool *replied);

/* ---- ftp_data.c: data connections ---- */

/* Prepares a data connection. Passive: EPSV (unless it failed before),
 * then PASV; *dfd is a connected non-blocking socket. Active: EPRT (or
 * PORT); *dfd is a listener that ftp_data_accept turns into the
 * connection once the transfer command was accepted. */
enum ftp_status ftp_data_open(struct ftp *f, int *dfd);
/* In active mode, accepts the server's connection on the listener *dfd
 * (closing it) and sets *dfd to it; does nothing in passive mode. */
enum ftp_status ftp_data_accept(struct ftp *f, int *dfd);
/* Closes a data connection (or listener) with a reset (SO_LINGER 0), so
 * the server sees a broken transfer rather than a complete one; sets
 * *dfd to -1. */
void ftp_data_reset(struct ftp *f, int *dfd);
/* The same for a data connection already wrapped (no close_notify: the
 * server must see a broken transfer); sets *dc to NULL. */
void ftp_data_reset_conn(struct ftp *f, struct conn **dc);

/* ---- ftp_xfer.c: transfers ---- */

/* Where received bytes go. */
struct ftp_sink {
	int (*write)(void *arg, const char *buf, size_t n);  /* 0, an errno value, or < 0: stop */
	void *arg;                                            /* its argument */
	const char *what;   /* names the writing in messages ("writing the local file") */
	bool limited;       /* the handle's rate limit applies (files, not listings) */
	bool size_in_150;   /* a file's bytes, whose number a 150 may announce (RETR) */
};

/* Runs a download-direction transfer on the open data connection dfd:
 * REST offset first when offset > 0, then verb arg, pumps the data into
 * sink and reads the final reply. Closes dfd. *total is the expected end,
 * for progress (-1 unknown); a binary transfer from the start into a
 * sink with size_in_150 whose end is unknown takes it from its 150 when
 * that says "(N bytes)" (vsftpd, proftpd and ferryd do for RETR).
 * progress may be NULL. */
enum ftp_status ftp_xfer_recv(struct ftp *f, int dfd, const char *verb, const char *arg,
			      off_t offset, off_t *total, const struct ftp_sink *sink,
			      ftp_progress_fn *progress, void *parg);
/* Ends a transfer early: sends ABOR, resets the data connection (*dc,
 * may be NULL) and reads the replies. Returns st; keeps the message
 * already set. */
enum ftp_status ftp_xfer_abort(struct ftp *f, struct conn **dc, enum ftp_status st);

#endif
