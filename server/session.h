/* session: one client's whole FTP session, run in the forked child.
 * All per-client state lives in struct session. This file owns the
 * control connection: reading command lines, every reply (session_reply),
 * and what arrives while a transfer runs. The command loop above it
 * (cmdloop.c) reads a line and lets commands.c dispatch it. Nothing here
 * is shared with other sessions. */
#ifndef FERRYD_SESSION_H
#define FERRYD_SESSION_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "conn.h"
#include "ftp_limits.h"
#include "linereader.h"
#include "netaddr.h"
#include "options.h"
#include "sbuf.h"

struct tls_control;

/* A data channel prepared by PASV/EPSV or PORT/EPRT, used by the next
 * transfer command. */
struct dataconn {
	int listen_fd;              /* passive: listening socket, else -1 */
	bool active;                /* PORT/EPRT given */
	struct netaddr active_addr; /* active: where to connect */
	long long replied_ms;       /* passive: when the 227/229 went out */
	bool pause_replies;         /* the client stalled once: pause before 227/229 */
};

/* What a running transfer reports to STAT. The names are copies, so the
 * state never points into a finished command's stack frame. */
struct xfer_progress {
	char verb[8];          /* RETR, STOR, LIST...; "" when none runs */
	bool connected;        /* the data connection is open */
	off_t done;            /* bytes moved so far */
	off_t total;           /* expected bytes, -1 if unknown */
	long long start_ms;    /* when it started (connected), monotonic ms */
	bool abort;            /* ABOR arrived: the transfer ends */
	char path[FTP_PATH_MAX + 1]; /* virtual path being transferred (last:
				      * see struct session) */
};

/* Most command lines kept while a transfer runs (ABOR and STAT are
 * answered at once and never kept). */
#define SESSION_DEFERRED_MAX 8

/* The result the log gives a session whose client went away without
 * QUIT (killed, or its connection broken). */
#define SESSION_CONNECTION_LOST "connection lost"

/* A command line read during a transfer, run after it. */
struct deferred_cmd {
	char *line;            /* the line (NUL-terminated, may hold NULs) */
	size_t len;            /* its length */
};

/* How a transfer ended. */
enum xfer_result {
	XFER_OK,            /* all bytes moved */
	XFER_ABORTED,       /* ABOR arrived */
	XFER_NET_ERROR,     /* data connection reset or failed */
	XFER_TIMEOUT,       /* no progress for the idle timeout */
	XFER_LOCAL_ERROR,   /* reading or writing the file failed (errno kept) */
	XFER_CONTROL_LOST,  /* control connection closed */
	XFER_INCOMPLETE,    /* upload ended before the size given by ALLO */
};

/* How the control connection looks at the end of an upload. */
enum ctl_state {
	CTL_IDLE,              /* open, nothing sent: the client waits for a reply */
	CTL_PENDING,           /* the client has sent more (a command): it is alive */
	CTL_GONE,              /* closed or broken, nothing pending */
};

struct session {
	const struct ferryd_config *cfg; /* shared, read-only options */
	int ctl_in, ctl_out;      /* control connection (same fd unless -i) */
	struct conn *ctl;         /* the same, plain or TLS (ftps.h); fds not owned */
	struct tls_control *tls;  /* its TLS once AUTH TLS (or implicit TLS) ran */
	bool prot_pbsz;           /* PBSZ given under TLS */
	bool prot_private;        /* PROT P: data connections use TLS */
	struct netaddr peer;      /* the client's address (behind a proxy: the
				   * one its PROXY header named) */
	struct netaddr via;       /* the proxy it came through; len 0 if direct */
	struct netaddr local;     /* control connection's local address */
	char peer_str[NETADDR_STRLEN]; /* peer as text, for logs */
	bool ctl_timed_read;      /* ctl_in is a socket that blocks with SO_RCVTIMEO */
	long long ctl_timeout_ms; /* the SO_RCVTIMEO it holds now */
	bool ctl_eof;             /* the client closed it during a transfer */
	struct deferred_cmd deferred[SESSION_DEFERRED_MAX]; /* read during a transfer */
	unsigned ndeferred;       /* lines in deferred, oldest first */
	struct sbuf out;          /* reply being formatted */
	long long started_ms;     /* session start, monotonic ms */
	long long login_deadline_ms; /* monotonic ms by which login must be done */

	/* Login. */
	bool logged_in;           /* USER/PASS accepted */
	char *user;               /* name given by USER (pending or logged in) */
	bool anonymous;           /* logged in as anonymous/ftp */
	bool writable;            /* may change files */
	long long max_rate;       /* transfer limit in bytes/s for this session, 0 = none */
	int failed_logins;        /* wrong passwords so far */

	/* Files. */
	int root_fd;              /* the user's root, opened O_PATH */
	struct stat root_st;      /* its status at login: which file is the root */
	uid_t uid;                /* the session's user and group, for perm facts */
	gid_t gid;

	/* Protocol state (RFC 959 section 4.1). */
	bool ascii;               /* TYPE A (else TYPE I) */
	off_t rest;               /* REST offset for the next transfer */
	off_t allo;               /* ALLO size for the next upload, -1 if none */
	char *rnfr;               /* path from RNFR waiting for RNTO, or NULL */
	bool epsv_all;            /* EPSV ALL: only EPSV may set up data */
	unsigned mlst_facts;      /* facts MLSx shows (OPTS MLST) */
	unsigned hash_alg;        /* enum digest_alg HASH uses (OPTS HASH) */
	off_t rang_start;         /* RANG: first byte of the next RETR or HASH */
	off_t rang_end;           /* RANG: its last byte; -1 when no RANG is pending */
	struct dataconn dc;       /* data channel for the next transfer */
	bool written_ahead;       /* the command being run came with the one
				   * before it (no read waited for it), or more
				   * input follows it: the client writes
				   * commands without waiting for each reply */
	bool quit;                /* end the session after this reply */
	const char *quit_reason;  /* why, for the log when it is not the
				   * client's QUIT (static text), else NULL */
	/* Runs a line read during a transfer if it may run then (ABOR, STAT)
	 * and returns true; false to keep it for later. Set by the command
	 * loop (commands_dispatch_in_transfer); NULL keeps every line. */
	bool (*in_transfer)(struct session *s, const char *line, size_t len);

	/* The large buffers come last, and session_init clears only what
	 * marks them empty: a session process touches just the pages of
	 * them it uses (the session lives in static storage, cmdloop.c). */
	struct xfer_progress xfer;/* transfer in progress, for STAT */
	char cwd[FTP_PATH_MAX + 1]; /* virtual working directory */
	struct linereader lr;     /* control input */
};

/* Fills s for the control fds (accepted socket, or stdin/stdout with -i;
 * no I/O beyond socket options), and frees what a session holds. */
void session_init(struct session *s, const struct ferryd_config *cfg, int in, int out);
void session_cleanup(struct session *s);
/* Waits for the next command line (within the idle timeout, and before
 * login the login timeout, for the whole line) and points *line at it
 * (valid until the next read). Returns false at the end of the session
 * (timeout, after its 421 and log line); a broken connection ends the
 * process. */
bool session_read_command(struct session *s, const char **line, size_t *len);

/* Sends a reply (text may hold '\n' for a multi-line reply). A failed
 * write ends the session. */
void session_reply(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like session_reply for long texts (STAT listings), up to FTP_REPLY_MAX. */
void session_reply_text(struct session *s, int code, const char *text);
/* Sends "code" with text describing errno (550 No such file..., 452...)
 * for an operation on path; picks the FTP code from errno when code is 0. */
void session_reply_errno(struct session *s, int code, const char *path, int err);
struct vfs_removal;
/* session_reply_errno for a change to path that failed with err, where r
 * (vfs_removal_check, vfs_unlink, vfs_rmdir, vfs_mkdir, vfs_rename,
 * vfs_upload_begin) already holds the marks read: an EPERM names them
 * without reading them again. */
void session_reply_removal(struct session *s, const char *path, int err,
			   const struct vfs_removal *r);
/* Resolves arg against the cwd into out (FTP_PATH_MAX + 1 bytes); on
 * failure sends the reply (501/553) and returns false. */
bool session_path(struct session *s, const char *arg, char *out);
/* What a verb does with the name a client gives it (session_file_path). */
enum path_use {
	PATH_FOLLOWS,   /* reads or changes what the name leads to (RETR, SIZE) */
	PATH_CREATES,   /* stores a file under the name (STOR, APPE, STOU) */
	PATH_ITSELF,    /* removes or renames the name itself, a link not
			 * followed (DELE, RMD, RNFR) */
};
/* session_path for a verb that takes a file, or removes or renames a
 * name. A path the client ended in a slash or "/." names a folder, as in
 * a shell: a file there, or a link to one, is answered "550 PATH/: Not a
 * directory." and false; so, for PATH_ITSELF, is a link to a folder, as
 * rename(2), unlink(2) and rmdir(2) of "link/" answer. For PATH_CREATES
 * (an upload) a folder, or a link to one, is answered "Is a directory"
 * (as open(2) with O_CREAT says for "link/" and for "new/"), and so is a
 * name nothing has or that cannot be looked up. Otherwise a folder, or a
 * name nothing has, goes on as without the slash. A path without the
 * slash costs no system call. */
bool session_file_path(struct session *s, const char *arg, char *out, enum path_use use);
/* session_reply_errno for the normalised path, named with the slash the
 * client ended it in when folder. */
void session_reply_folder_errno(struct session *s, const char *path, bool folder, int err);
/* The account's root directory is not removed, renamed, replaced, nor are
 * its mode and time changed: every later login starts in it. True, after
 * "550 Cannot <what> the root directory.", when path (resolved) is the
 * root, "/". (Verbs that act on a symlink's target, MFMT and SITE CHMOD,
 * also refuse a link to the root: vfs_set_mtime and vfs_chmod compare
 * the file they reach with root_st.) */
bool session_refuse_root(struct session *s, const char *path, const char *what);
/* Replies "550 Cannot <what> the root directory." */
void session_reply_root(struct session *s, const char *what);
/* Answers "553 <path>: Name reserved for upload temporaries." and returns
 * true when the last component of path has the pattern of the server's
 * upload temporaries, which no client may create. */
bool session_refuse_temp_name(struct session *s, const char *path);
/* Parses the decimal number at the start of text (a byte count or
 * offset) into *out and points *end after it; false without a digit or
 * when it does not fit. */
bool session_parse_count(const char *text, const char **end, long long *out);
/* Writes path into out with every '"' doubled, for 257 replies. */
void session_quote_path(const char *path, char *out, size_t outsz);
/* Logs one transfer: verb, path, bytes, seconds, result. */
void session_log_transfer(struct session *s, const char *verb, const char *path,
			  off_t bytes, long long start_ms, const char *result);
/* Handles control lines that arrived during a transfer: those s->in_transfer
 * takes (ABOR, STAT) run at once (ABOR returns true), QUIT and others are
 * kept for after the transfer. *quit is set when the control connection
 * is gone. */
bool session_control_during_transfer(struct session *s, bool *quit);
/* One wait of a transfer: waits like conn_poll, at most timeout_ms, for
 * data (NULL: nothing but the control connection) to be ready for its
 * events or for the control connection to be readable, and then serves
 * the control connection (session_control_during_transfer). Bytes TLS
 * already decrypted and lines read together with the transfer's own
 * command ("RETR f\r\nABOR\r\n" in one packet) wake no poll(2): they
 * make the control connection readable at once. Returns -1 with errno, 0 when
 * nothing was ready in time, else how many of data and the control
 * connection were; data->revents is set, and *stop to XFER_ABORTED after
 * ABOR, XFER_CONTROL_LOST when the control connection is gone, else
 * XFER_OK. */
int session_transfer_poll(struct session *s, struct conn_pollfd *data, int timeout_ms,
			  enum xfer_result *stop);
/* The control socket to poll during a transfer, or -1 while the queue of
 * kept commands is full (the client then waits for the transfer). */
int session_control_fd(const struct session *s);
/* The control connection to poll (conn_poll) during a transfer, or NULL
 * when session_control_fd is -1. */
struct conn *session_control_conn(const struct session *s);
/* Looks at the control connection without waiting: has the client sent
 * anything more, hung up, or neither? */
enum ctl_state session_control_state(struct session *s);

#endif
