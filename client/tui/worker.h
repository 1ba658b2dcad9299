/* worker: the TUI's helper processes. Each is a fork()ed child that
 * takes messages over one pipe and reports over another (wire.h), so the
 * screen only ever waits for the keyboard and for messages:
 *
 *  - the transfer workers, one per copy that may run at once, each with
 *    its own control connection, run copy jobs one at a time each
 *    (worker_job.c);
 *  - the two browsing workers, one per pane, answer listings, mkdir,
 *    rename and delete jobs (browse.c): the remote one over its own
 *    control connection, which it opens and logs into as it starts, the
 *    local one on this machine's files.
 *
 * Both connections are made by worker_conn.c from a struct worker_login,
 * with the command line's settings and the connection's TLS choice. A
 * child never touches the terminal. */
#ifndef FERRY_TUI_WORKER_H
#define FERRY_TUI_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "queue.h"
#include "settings.h"
#include "wire.h"

/* The parent's handle on a worker. */
struct worker {
	pid_t pid;                 /* child, or -1 when none runs */
	int to_fd;                 /* pipe to the child (jobs, cancels), -1 when closed */
	int from_fd;               /* pipe from the child (reports), non-blocking, -1 when closed */
	struct wire_reader reader; /* reports read but not yet taken */
	struct wire_msg sending;   /* the job or cancel being sent */
	struct wire_msg report;    /* the report taken last (worker_read) */
};

/* What a worker process does. */
enum worker_kind {
	WORKER_TRANSFER,        /* copy jobs (connects on its first job) */
	WORKER_BROWSE_LOCAL,    /* the local pane's requests */
	WORKER_BROWSE_REMOTE,   /* the remote pane's requests (logs in at once and says how it went) */
};

/* Where the worker connects and how. The child works on its own copy of
 * the parent's memory, so the pointers stay good in it; the parent may
 * change or free what they point to once worker_start returned. */
struct worker_login {
	const char *host;  /* host name or address */
	int port;          /* port (0 = the scheme's) */
	const char *user;  /* user, NULL = anonymous */
	const char *pass;  /* password, may be NULL */
	const char *scheme;                  /* "ftp", "ftps" or "ftpes"; NULL = "ftp" */
	const struct ftp_settings *settings; /* the command line's settings; NULL = defaults */
	enum tlsc_mode tls;                  /* what ftp:// does about TLS (replaces settings') */
	const char *cert_server;             /* a certificate accepted in this session: its
					      * server ("host:port"), or NULL */
	const char *cert_fp;                 /* ...and its fingerprint */
};

/* Marks w as having no worker (call once before anything else). */
void worker_init(struct worker *w);
/* Starts a worker of kind: a transfer worker logs in as l on its first
 * job, a remote browser at once (answering with a WIRE_REPLY of id 0); a
 * local browser needs no l (NULL). Returns 0, or -1 with errno (pipe or
 * fork failed). */
int worker_start(struct worker *w, enum worker_kind kind, const struct worker_login *l);
/* True while a worker runs. */
bool worker_running(const struct worker *w);
/* The fd to poll for reports, or -1. */
int worker_fd(const struct worker *w);
/* Sends job j to the worker; returns 0 or -1 with errno. */
int worker_send_job(struct worker *w, const struct queue_job *j);
/* Asks the worker to stop job id (the running one); returns 0 or -1. */
int worker_cancel(struct worker *w, unsigned id);
/* Tells a transfer worker that no job follows for now (WIRE_IDLE), so
 * what its last job left to go out with the next command (an upload's
 * MFMT) goes now; returns 0 or -1. */
int worker_idle(struct worker *w);
/* Sends m to the worker; returns 0, or -1 with errno (EAGAIN when its
 * pipe has no room for m: a worker that does not read is never waited for). */
int worker_send(struct worker *w, const struct wire_msg *m);
/* Takes the next report into w->report: 1, 0 when none is ready, -1 when
 * the worker is gone or spoke nonsense (then it is stopped). */
int worker_read(struct worker *w);
/* Stops the worker: closes the pipes (it quits the server and exits),
 * waits for it a moment, ends it if it lingers (SIGTERM, on which a
 * transfer worker removes its temporary file and exits; then SIGKILL). */
void worker_stop(struct worker *w);
/* Lets the worker go without waiting for it: closes both pipes (so it
 * stops what it does, cleans up and exits) and returns its pid, which the
 * caller reaps later with worker_reap; -1 when none ran. */
pid_t worker_detach(struct worker *w);
/* Reaps a detached worker: true once it is gone. With force it is ended
 * first (SIGTERM, then SIGKILL, as worker_stop does) and waited for. */
bool worker_reap(pid_t pid, bool force);
/* Ends the worker at once (SIGKILL): for a browser, which leaves nothing
 * half-written, blocked in a connect or a listing that is being cancelled. */
void worker_kill(struct worker *w);

/* The transfer worker's side: runs jobs read from in_fd, reporting to
 * out_fd, until in_fd closes; returns the exit status. Used by worker_start. */
int worker_child(int in_fd, int out_fd, const struct worker_login *l);

#endif
