/* worker_job: the transfer process's side (see worker.h). Reads jobs,
 * runs them through the engine on its own connection, and reports.
 * A download goes to a hidden temporary beside the target
 * (".NAME.ferry-XXXXXX") renamed over it only when the server confirmed
 * the whole file, so a cancelled or broken download leaves nothing under
 * the real name; a resumed one writes into the real name from its size.
 * The stale temporaries of its target that killed downloads left go
 * first, looked for among the names of the target's directory read once
 * for the jobs up to the next WIRE_IDLE (tempname_sweep_listed).
 * Directory jobs are expanded here (the listing may be slow) by the
 * engine's walk (tree.h) into one WIRE_FILE report per file, which the UI
 * queues as jobs of their own. A job whose connection drops (or times
 * out) is tried again after 1, 2, 4... seconds, up to JOB_RETRIES times,
 * from where it stopped: a download keeps its temporary file and asks for
 * the rest (REST), an upload whose target did not exist before asks the
 * server how much it has (SIZE) and sends the rest; one that replaces a
 * file starts again, since what the server holds may be the old file.
 * Downloads get the server's modification time and uploads set theirs
 * (MFMT) unless the settings say not to (--no-preserve). An upload's MFMT
 * does not wait for its reply: the job is reported done once the server
 * has the file, and the MFMT goes out in the same write as the worker's
 * next command (the next job's first ones, ALLO and EPSV for an upload),
 * or when the screen says no job follows for now (WIRE_IDLE); how it
 * went is reported after the job's end (WIRE_SETTLED). The connection
 * is made by worker_conn.c; a cancel that comes while it waits for the
 * user's answer about a certificate ends the wait.
 * Every message buffer is a field of the process's one struct job_ctx.
 * Never touches the terminal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ftp.h"
#include "ftp_limits.h"
#include "path.h"
#include "sanitize.h"
#include "sysio.h"
#include "tempname.h"
#include "tree.h"
#include "worker.h"
#include "worker_conn.h"
#include "xalloc.h"

/* Mode of new files before the umask. */
#define JOB_FILE_MODE 0666
/* Times a job is tried again after its connection dropped. */
#define JOB_RETRIES 5
/* Wait before the first retry, in ms; it doubles before each next one. */
#define JOB_RETRY_FIRST_MS 1000
/* Uploads whose MFMT may wait for its reply at once. */
#define JOB_LATER_MAX 4

struct job_ctx;

/* An upload whose time (MFMT) went out without waiting for the reply. */
struct job_later {
	struct job_ctx *c;  /* the worker */
	unsigned id;        /* the upload's job */
	bool busy;          /* its reply is still awaited */
	time_t mtime;       /* the time to set */
	char remote[PATH_LEN_MAX]; /* the upload's remote path */
};

/* The child's state. */
struct job_ctx {
	int in_fd;                 /* jobs and cancels from the UI */
	int out_fd;                /* reports to the UI */
	struct wire_reader reader; /* bytes from in_fd not yet taken */
	struct wire_writer notes;  /* the connection's notices and questions, to out_fd */
	struct worker_conn conn;   /* the worker's own connection, and its line to the screen */
	struct ftp *ftp;           /* ...its handle (conn.ftp) */
	bool preserve;             /* downloads keep the server's times, uploads set them */
	char *host;                /* where to connect */
	int port;                  /* its port */
	char *user;                /* login name, NULL = anonymous */
	char *pass;                /* password, or NULL */
	struct wire_msg job;       /* the message read last: the job being run */
	struct wire_msg polled;    /* a message read while a job runs (a cancel) */
	struct wire_msg report;    /* the report being sent */
	struct wire_msg settled;   /* the report of an upload's time (sent from inside the engine) */
	struct job_later later[JOB_LATER_MAX]; /* uploads whose MFMT's reply is awaited */
	time_t put_mtime;          /* the upload that ended: the local file's time... */
	bool put_timed;            /* ...to be set (false: preserve is off, or no time known) */
	char msg[WIRE_STR_MAX + 1];/* how the running job ended, "" while all is well */
	char tmp[PATH_LEN_MAX];    /* the running download's temporary file, "" when none */
	int tmp_fd;                /* tmp kept open and locked between tries, -1 when not */
	struct tempname_dir temps; /* download temporaries in the local directory read last,
				    * kept until the queue is idle (job_idle) */
	enum ftp_status last;      /* the status of the running job's last engine call */
	bool running;              /* job is being run */
	bool cancelled;            /* the UI asked to stop the running job */
	bool in_closed;            /* the UI closed in_fd */
};

/* Sends m. A UI that went away stops the running job (so its temporary
 * file is removed) and then the worker. */
static void job_send(struct job_ctx *c, const struct wire_msg *m)
{
	if (!c->in_closed && wire_send(c->out_fd, m) < 0) {
		c->in_closed = true;
		c->cancelled = true;
	}
}

/* Sends c->report. */
static void job_report(struct job_ctx *c)
{
	job_send(c, &c->report);
}

/* Takes the messages waiting on in_fd (non-blocking) and notes a cancel
 * of the running job. */
static void job_poll_cancel(struct job_ctx *c)
{
	struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };

	while (!c->in_closed && poll(&pfd, 1, 0) > 0) {
		long n = wire_fill(c->in_fd, &c->reader);
		if (n <= 0) {
			c->in_closed = true;
			c->cancelled = true;
			break;
		}
		int rc;
		while ((rc = worker_conn_next(&c->conn, &c->polled)) == 1)
			if (c->polled.type == WIRE_CANCEL && c->running && c->polled.id == c->job.id)
				c->cancelled = true;
		if (rc < 0)
			_exit(1);
	}
}

/* While the connection waits for the user's answer about a certificate:
 * a cancel of the running job ends the wait (the certificate refused). */
static bool job_stops_question(void *arg, const struct wire_msg *m)
{
	struct job_ctx *c = arg;
	if (m->type != WIRE_CANCEL || !c->running || m->id != c->job.id)
		return false;
	c->cancelled = true;
	return true;
}

/* The engine's progress callback: report, and stop when cancelled. */
static int job_progress(void *arg, off_t done, off_t total, double rate)
{
	struct job_ctx *c = arg;

	job_poll_cancel(c);
	wire_init(&c->report, WIRE_PROGRESS, c->job.id);
	c->report.progress.done = done;
	c->report.progress.total = total;
	c->report.progress.rate = (int64_t)rate;
	job_report(c);
	return c->cancelled ? 1 : 0;
}

/* Ends the job as cancelled. */
static enum queue_state job_cancelled(struct job_ctx *c)
{
	snprintf(c->msg, sizeof c->msg, "cancelled");
	return QUEUE_CANCELLED;
}

/* Ends the job after a failed engine call. */
static enum queue_state job_ftp_fail(struct job_ctx *c, enum ftp_status st)
{
	c->last = st;
	if (st == FTP_S_CANCELLED || c->cancelled)
		return job_cancelled(c);
	snprintf(c->msg, sizeof c->msg, "%s", ftp_message(c->ftp));
	return QUEUE_FAILED;
}

/* Ends the job after a failed local call on path. */
static enum queue_state job_errno_fail(struct job_ctx *c, int err, const char *path)
{
	snprintf(c->msg, sizeof c->msg, "%.1024s: %.256s", path, strerror(err));
	return QUEUE_FAILED;
}

/* Ends a renamed copy whose new name exists (path). */
static enum queue_state job_exists_fail(struct job_ctx *c, const char *path)
{
	snprintf(c->msg, sizeof c->msg, "%.1024s exists; not replaced", path);
	return QUEUE_FAILED;
}

/* Gives the download in fd the server's time of remote, when keeping
 * times and the server tells it; otherwise it keeps its time of arrival. */
static void job_time_down(struct job_ctx *c, int fd, const char *remote)
{
	time_t t;
	if (c->preserve && ftp_file_time(c->ftp, remote, 0, &t) == FTP_S_OK) {
		struct timespec ts[2] = { { .tv_sec = t }, { .tv_sec = t } };
		futimens(fd, ts);
	}
}

/* Downloads remote into local (fresh through a temporary, or resumed),
 * with the size the pane's listing gave for the progress (no SIZE
 * command). A fresh download that broke off keeps its temporary file
 * (c->tmp) open and locked (c->tmp_fd) for the next try, which asks for
 * the rest: a `ferry get` of the same file meanwhile, which clears the
 * temporaries nobody holds, leaves it. */
static enum queue_state job_get(struct job_ctx *c, const struct wire_copy *j)
{
	struct stat sb;
	const char *local = j->local, *remote = j->remote;
	bool exists = stat(local, &sb) == 0;

	if (j->mode == QUEUE_MODE_RESUME) {
		off_t offset = exists ? sb.st_size : 0;
		/* A local file larger than the remote one is no first part of
		 * it: it is left as it is, as the command line leaves it. */
		off_t rsize = j->size;
		if (offset > 0) {
			enum ftp_status st = ftp_size(c->ftp, remote, &rsize);
			if (st != FTP_S_OK && st != FTP_S_REFUSED)
				return job_ftp_fail(c, st);
			if (st != FTP_S_OK)
				rsize = j->size;
		}
		if (rsize >= 0 && offset > rsize) {
			snprintf(c->msg, sizeof c->msg, "%.1024s: the local file is larger than the "
				 "remote one (%jd > %jd bytes); not resumed", local,
				 (intmax_t)offset, (intmax_t)rsize);
			return QUEUE_FAILED;
		}
		int fd = open(local, O_WRONLY | O_CREAT | O_CLOEXEC, JOB_FILE_MODE);
		if (fd < 0)
			return job_errno_fail(c, errno, local);
		enum ftp_status st = ftp_get_sized(c->ftp, remote, fd, offset, j->size,
						   job_progress, c);
		if (st == FTP_S_OK)
			job_time_down(c, fd, remote);
		int err = close(fd) < 0 ? errno : 0;
		if (st != FTP_S_OK)
			return job_ftp_fail(c, st);
		return err ? job_errno_fail(c, err, local) : QUEUE_DONE;
	}
	int fd;
	off_t offset = 0;
	/* A renamed copy never replaces a file of its new name (looked at
	 * before the first try: a later one finds the same). */
	if (j->mode == QUEUE_MODE_KEEP && c->tmp[0] == '\0' && exists)
		return job_exists_fail(c, local);
	if (c->tmp[0] != '\0') {
		/* A try after a drop: the temporary holds the first part. */
		struct stat tb;
		fd = c->tmp_fd;
		c->tmp_fd = -1;
		offset = fstat(fd, &tb) == 0 ? tb.st_size : 0;
	} else {
		tempname_sweep_listed(&c->temps, local, false);
		fd = tempname_create(local, c->tmp, sizeof c->tmp);
		if (fd < 0) {
			c->tmp[0] = '\0';
			return job_errno_fail(c, errno, local);
		}
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, exists && S_ISREG(sb.st_mode) ? (sb.st_mode & 07777)
							 : (JOB_FILE_MODE & ~um));
	}
	enum ftp_status st = ftp_get_sized(c->ftp, remote, fd, offset, j->size, job_progress, c);
	if (st != FTP_S_OK) {
		c->tmp_fd = fd;
		return job_ftp_fail(c, st);
	}
	job_time_down(c, fd, remote);
	int err = close(fd) < 0 ? errno : 0;
	if (err == 0 && rename(c->tmp, local) < 0)
		err = errno;
	if (err == 0)
		c->tmp[0] = '\0';
	return err ? job_errno_fail(c, err, local) : QUEUE_DONE;
}

/* Uploads local as remote (replacing, or resuming from the remote size).
 * again says this is a try after a drop: an upload whose target did not
 * exist before goes on from what the server holds. */
static enum queue_state job_put(struct job_ctx *c, const struct wire_copy *j, bool again)
{
	off_t offset = 0;
	enum ftp_put_mode mode = FTP_PUT_REPLACE;

	int fd = open(j->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return job_errno_fail(c, errno, j->local);
	if (j->mode == QUEUE_MODE_KEEP && !again) {
		off_t rsize;
		enum ftp_status st = ftp_size(c->ftp, j->remote, &rsize);
		if (st == FTP_S_OK) {
			close(fd);
			return job_exists_fail(c, j->remote);
		}
		if (st != FTP_S_REFUSED) {
			close(fd);
			return job_ftp_fail(c, st);
		}
	}
	bool resume = j->mode == QUEUE_MODE_RESUME || (again && j->target_size < 0);
	if (resume && ftp_size(c->ftp, j->remote, &offset) == FTP_S_OK && offset > 0)
		mode = FTP_PUT_RESUME;
	else
		offset = 0;
	/* A remote file larger than the local one is no first part of it:
	 * it is left as it is, as the command line leaves it. */
	struct stat lb;
	if (mode == FTP_PUT_RESUME && fstat(fd, &lb) == 0 && S_ISREG(lb.st_mode) &&
	    offset > lb.st_size) {
		close(fd);
		snprintf(c->msg, sizeof c->msg, "%.1024s: the remote file is larger than the "
			 "local one (%jd > %jd bytes); not resumed", j->remote,
			 (intmax_t)offset, (intmax_t)lb.st_size);
		return QUEUE_FAILED;
	}
	enum ftp_status st = ftp_put(c->ftp, fd, j->remote, mode, offset, job_progress, c);
	struct stat sb;
	/* The local time goes along where the server can set it (MFMT),
	 * after the job's end (job_time_up). */
	c->put_timed = st == FTP_S_OK && c->preserve && fstat(fd, &sb) == 0;
	if (c->put_timed)
		c->put_mtime = sb.st_mtime;
	close(fd);
	return st == FTP_S_OK ? QUEUE_DONE : job_ftp_fail(c, st);
}

/* Tells the screen how the time of upload id went (st, what
 * ftp_set_mtime would have returned; the engine's message and code
 * describe it). A server that cannot set times at all (no MFMT: refused
 * without a reply) is no failure of the file: uploads keep the time they
 * arrive, as they always did there. */
static void job_settled(struct job_ctx *c, unsigned id, enum ftp_status st)
{
	wire_init(&c->settled, WIRE_SETTLED, id);
	c->settled.end.state = QUEUE_DONE;
	/* A server without MFMT, or one answering it 500/502 (not known
	 * after all), keeps arrival times: that is no failure of the file. */
	int code = ftp_reply_code(c->ftp);
	if (st != FTP_S_OK && (st != FTP_S_REFUSED ||
			       (code != 0 && code != FTP_BAD_COMMAND && code != FTP_NOT_IMPLEMENTED))) {
		c->settled.end.state = QUEUE_FAILED;
		snprintf(c->settled.end.message, sizeof c->settled.end.message,
			 "the time was not set: %.900s", ftp_message(c->ftp));
	}
	job_send(c, &c->settled);
}

/* The reply to an upload's MFMT came, or it could not be sent: called
 * from inside a later engine call, it only reports. (An MFMT whose
 * connection went before the reply is sent once more by the engine,
 * after it logs in again; only then is a lost connection told here.) */
static void job_time_told(void *arg, const char *remote, enum ftp_status st)
{
	struct job_later *l = arg;
	(void)remote;
	l->busy = false;
	job_settled(l->c, l->id, st);
}

/* Queues l's MFMT to go out with the next command; what cannot be sent
 * at all is told at once. Without a connection (it went after the
 * upload) the time is set at once, over a new one. */
static void job_time_send(struct job_ctx *c, struct job_later *l)
{
	if (!ftp_connected(c->ftp)) {
		l->busy = false;
		job_settled(c, l->id, ftp_set_mtime(c->ftp, l->remote, l->mtime));
		return;
	}
	enum ftp_status st = ftp_set_mtime_later(c->ftp, l->remote, l->mtime, job_time_told, l);
	if (st != FTP_S_OK) {
		/* Nothing went out (no MFMT, a bad name). */
		l->busy = false;
		job_settled(c, l->id, st);
	}
}

/* No job follows for now: what waits goes out (over a new connection
 * when the last one went before the replies), and the names of
 * temporaries read for the jobs so far go: the next download reads its
 * directory again, finding what downloads killed meanwhile left. */
static void job_idle(struct job_ctx *c)
{
	ftp_settle(c->ftp);
	tempname_dir_free(&c->temps);
}

/* A free record for an upload whose MFMT goes out later, or NULL. */
static struct job_later *job_later_free(struct job_ctx *c)
{
	for (size_t i = 0; i < JOB_LATER_MAX; i++)
		if (!c->later[i].busy)
			return &c->later[i];
	return NULL;
}

/* Sets the time of the upload in c->job, which has just been reported
 * done: its MFMT goes out with the worker's next command, and the screen
 * hears how it went then (at once when there is nothing to set). */
static void job_time_up(struct job_ctx *c)
{
	const struct wire_copy *j = &c->job.copy;
	if (!c->put_timed) {
		job_settled(c, c->job.id, FTP_S_OK);
		return;
	}
	struct job_later *l = job_later_free(c);
	if (l == NULL) {
		job_idle(c);   /* the replies awaited free their records */
		l = job_later_free(c);
	}
	if (l == NULL || strlen(j->remote) >= sizeof l->remote) {
		job_settled(c, c->job.id, ftp_set_mtime(c->ftp, j->remote, c->put_mtime));
		return;
	}
	*l = (struct job_later){ .c = c, .id = c->job.id, .busy = true, .mtime = c->put_mtime };
	memcpy(l->remote, j->remote, strlen(j->remote) + 1);
	job_time_send(c, l);
}

/* Reports one file of the directory job being expanded, with the size of
 * its target (-1 when there is none: nothing local, or a directory the
 * walk has just made on the server). */
static bool job_tree_file(void *arg, const struct tree_entry *e)
{
	struct job_ctx *c = arg;
	struct stat sb;
	off_t target = -1;

	time_t mtime = 0, target_mtime = 0;

	/* The dates of both sides only for a target that exists: the
	 * overwrite question shows them. */
	if (c->job.copy.dir == QUEUE_DOWNLOAD) {
		if (stat(e->local, &sb) == 0) {
			target = sb.st_size;
			target_mtime = sb.st_mtime;
			if (ftp_mdtm(c->ftp, e->remote, &mtime) != FTP_S_OK)
				mtime = 0;
		}
	} else if (!e->fresh && ftp_size(c->ftp, e->remote, &target) == FTP_S_OK) {
		if (ftp_mdtm(c->ftp, e->remote, &target_mtime) != FTP_S_OK)
			target_mtime = 0;
		if (stat(e->local, &sb) == 0)
			mtime = sb.st_mtime;
	} else {
		target = -1;
	}
	wire_init(&c->report, WIRE_FILE, c->job.id);
	c->report.copy.dir = c->job.copy.dir;
	c->report.copy.mode = c->job.copy.mode;
	c->report.copy.size = e->size;
	c->report.copy.target_size = target;
	c->report.copy.mtime = mtime;
	c->report.copy.target_mtime = target_mtime;
	wire_set_str(c->report.copy.local, e->local);
	wire_set_str(c->report.copy.remote, e->remote);
	job_report(c);
	return true;
}

/* Starts the report of an entry the directory job being expanded leaves
 * out, for why, at local and remote. */
static void job_left(struct job_ctx *c, enum wire_left_why why, const char *local,
		     const char *remote)
{
	wire_init(&c->report, WIRE_LEFT, c->job.id);
	c->report.left.dir = c->job.copy.dir;
	c->report.left.why = (uint8_t)why;
	c->report.left.to_len = -1;
	wire_set_str(c->report.left.local, local);
	wire_set_str(c->report.left.remote, remote);
}

/* Reports an entry the walk of the directory job being expanded leaves
 * out: a link, a special file, a name that is not a plain name, or a
 * folder leading back up to one above it. */
static void job_tree_skipped(void *arg, const struct tree_entry *e, enum tree_skip why)
{
	struct job_ctx *c = arg;
	switch (why) {
	case TREE_SKIP_NAME:
		/* No path is safe: the name as listed stands for both. */
		job_left(c, WIRE_LEFT_NAME, e->display, e->display);
		break;
	case TREE_SKIP_NOWHERE:   /* not asked for: links are not followed here */
	case TREE_SKIP_TYPE:
		job_left(c, e->type == FTP_ENTRY_LINK ? WIRE_LEFT_LINK : WIRE_LEFT_SPECIAL,
			 e->local, e->remote);
		break;
	case TREE_SKIP_TEMP:
		job_left(c, WIRE_LEFT_TEMP, e->local, e->remote);
		break;
	case TREE_SKIP_LOOP: {
		size_t to = e->loops_to != NULL ? strlen(e->loops_to) : 0;
		job_left(c, WIRE_LEFT_LOOP, e->local, e->remote);
		if (e->loops_to != NULL && strncmp(e->remote, e->loops_to, to) == 0)
			c->report.left.to_len = (int64_t)to;
		break;
	}
	}
	job_report(c);
}

/* Reports a remote folder of the directory job being expanded whose
 * listing had lines not understood: the entries they stood for are left
 * out. The folder's local path follows from the job's. */
static void job_tree_partial(void *arg, const char *dir, const struct ftp_listing *l)
{
	struct job_ctx *c = arg;
	const struct wire_copy *j = &c->job.copy;
	size_t top = strlen(j->remote);
	char local[WIRE_STR_MAX + 1];

	if (strncmp(dir, j->remote, top) == 0)
		snprintf(local, sizeof local, "%s%s", j->local, dir + top);
	else
		snprintf(local, sizeof local, "%s", j->local);
	job_left(c, WIRE_LEFT_LISTING, local, dir);
	c->report.left.lines = (int64_t)l->skipped;
	snprintf(c->report.left.line, sizeof c->report.left.line, "%s", l->first_skipped);
	job_report(c);
}

/* Reports a folder of the directory job being expanded that could not be
 * read: a remote one the server refused to list (why: its reply), a
 * local one (why: the system's error, after "cannot read it: ", as put -r
 * says it). The walk goes on without it, and the screen shows it as a
 * folder copy that failed. */
static void job_tree_unlisted(void *arg, const char *local, const char *remote, const char *why)
{
	struct job_ctx *c = arg;
	job_left(c, WIRE_LEFT_UNLISTED, local, remote);
	sanitize_format_elided(c->report.left.line, sizeof c->report.left.line,
			       sizeof c->report.left.line - 1, "%s%s",
			       c->job.copy.dir == QUEUE_UPLOAD ? "cannot read it: " : "", why);
	job_report(c);
}

/* Reports a folder of an upload's directory job whose name cannot be
 * sent (a line break in it: ftp_upload_status): left out, nothing in it
 * tried, shown as a folder copy that failed with the engine's reason. */
static void job_tree_unsendable(void *arg, const char *local, const char *remote,
				const char *msg)
{
	struct job_ctx *c = arg;
	(void)msg;   /* "PATH: reason": the row shows the path already */
	job_left(c, WIRE_LEFT_UNLISTED, local, remote);
	sanitize_format_elided(c->report.left.line, sizeof c->report.left.line,
			       sizeof c->report.left.line - 1, "%s", ftp_message(c->ftp));
	job_report(c);
}

/* Stops the walk when the UI cancels the job. */
static bool job_tree_stop(void *arg)
{
	struct job_ctx *c = arg;
	job_poll_cancel(c);
	return c->cancelled;
}

/* Expands a directory job with the engine's walk: makes the target
 * directories and reports every file, and every entry left out (links,
 * special files, names that are not plain names, directories leading
 * back to one being copied, listing lines not understood, folders the
 * server refuses to list). A remote
 * link leading to anything but a directory is reported as the one file. */
static enum queue_state job_tree(struct job_ctx *c, const struct wire_copy *j)
{
	struct tree_visitor v = { .file = job_tree_file, .skipped = job_tree_skipped,
				  .partial = job_tree_partial, .unlisted = job_tree_unlisted,
				  .unsendable = job_tree_unsendable, .stop = job_tree_stop,
				  .arg = c };
	struct tree_result r;
	bool dir = true;

	if (j->tree == WIRE_TREE_LINK && j->dir == QUEUE_DOWNLOAD) {
		enum ftp_status st = tree_remote_is_dir(c->ftp, j->remote, &dir);
		if (st != FTP_S_OK)
			return job_ftp_fail(c, st);
	}
	if (!dir) {
		struct tree_entry e = { .local = j->local, .remote = j->remote, .display = "",
					.type = FTP_ENTRY_LINK, .size = -1 };
		job_tree_file(c, &e);
		return QUEUE_DONE;
	}
	tree_walk(c->ftp, j->dir == QUEUE_DOWNLOAD ? TREE_DOWNLOAD : TREE_UPLOAD, j->local,
		  j->remote, &v, &r);
	switch (r.end) {
	case TREE_DONE:
		return QUEUE_DONE;
	case TREE_STOPPED:
		break;
	case TREE_FAILED:
		if (r.status == FTP_S_CANCELLED)
			break;
		c->last = r.status;
		snprintf(c->msg, sizeof c->msg, "%s", r.msg);
		return QUEUE_FAILED;
	}
	return job_cancelled(c);
}

/* Connects when not connected yet; false (with c->msg) if it fails. */
static bool job_connect(struct job_ctx *c)
{
	if (ftp_connected(c->ftp))
		return true;
	enum ftp_status st = ftp_connect(c->ftp, c->host, c->port, c->user, c->pass);
	if (st == FTP_S_OK)
		return true;
	c->last = st;
	snprintf(c->msg, sizeof c->msg, "%s", ftp_message(c->ftp));
	return false;
}

/* Waits ms before a retry, taking cancels meanwhile; false when cancelled. */
static bool job_wait(struct job_ctx *c, int ms)
{
	long long end = sysio_now_ms() + ms;
	struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
	long long left;
	while (!c->cancelled && (left = end - sysio_now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) > 0)
			job_poll_cancel(c);
	}
	return !c->cancelled;
}

/* Tells the screen the job waits to be tried again. */
static void job_note(struct job_ctx *c, const char *why, int ms, int attempt)
{
	wire_init(&c->report, WIRE_NOTE, c->job.id);
	snprintf(c->report.end.message, sizeof c->report.end.message,
		 "trying again in %d s (%d of %d): %.900s", ms / 1000, attempt, JOB_RETRIES, why);
	job_report(c);
}

/* Runs the job once; again says it is a try after a drop. */
static enum queue_state job_once(struct job_ctx *c, bool again)
{
	const struct wire_copy *j = &c->job.copy;
	c->last = FTP_S_OK;
	if (!job_connect(c))
		return QUEUE_FAILED;
	if (j->tree)
		return job_tree(c, j);
	if (j->dir == QUEUE_DOWNLOAD)
		return job_get(c, j);
	return job_put(c, j, again);
}

/* Runs the job in c->job, trying again after a dropped connection, and
 * reports how it ended. */
static void job_run(struct job_ctx *c)
{
	enum queue_state res;
	int wait_ms = JOB_RETRY_FIRST_MS;

	c->msg[0] = '\0';
	c->tmp[0] = '\0';
	c->tmp_fd = -1;
	c->running = true;
	c->cancelled = false;
	c->put_timed = false;
	for (int attempt = 1;; attempt++) {
		res = job_once(c, attempt > 1);
		/* A directory is not walked again here: its files would be
		 * reported twice (the retry key does that, knowing it). */
		bool dropped = res == QUEUE_FAILED && !c->job.copy.tree &&
			       (c->last == FTP_S_BROKEN || c->last == FTP_S_CONNECT);
		if (!dropped || attempt > JOB_RETRIES || c->in_closed)
			break;
		job_note(c, c->msg, wait_ms, attempt);
		if (!job_wait(c, wait_ms)) {
			res = job_cancelled(c);
			break;
		}
		c->msg[0] = '\0';
		wait_ms *= 2;
	}
	/* Removed while still locked, so that no sweep takes it for its own. */
	if (c->tmp[0] != '\0')
		unlink(c->tmp);
	if (c->tmp_fd >= 0)
		close(c->tmp_fd);
	c->tmp_fd = -1;
	c->tmp[0] = '\0';
	wire_init(&c->report, WIRE_END, c->job.id);
	c->report.end.state = (uint8_t)res;
	wire_set_str(c->report.end.message, c->msg);
	job_report(c);
	c->running = false;
	if (res == QUEUE_DONE && !c->job.copy.tree && c->job.copy.dir == QUEUE_UPLOAD)
		job_time_up(c);
}

/* The running download's temporary file name (c->tmp), for job_on_term. */
static const char *volatile job_term_tmp;

/* SIGTERM: the screen ends a worker that did not exit when told to (one
 * waiting for a server that went silent); the running download's
 * temporary file goes with it. */
static void job_on_term(int sig)
{
	(void)sig;
	const char *tmp = job_term_tmp;
	if (tmp != NULL && tmp[0] != '\0')
		unlink(tmp);
	_exit(1);
}

int worker_child(int in_fd, int out_fd, const struct worker_login *l)
{
	struct job_ctx *c = xcalloc(1, sizeof *c);
	struct sigaction sa;

	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	job_term_tmp = c->tmp;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = job_on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	c->in_fd = in_fd;
	c->tmp_fd = -1;
	c->out_fd = out_fd;
	c->host = xstrdup(l->host ? l->host : "");
	c->port = l->port;
	c->user = l->user ? xstrdup(l->user) : NULL;
	c->pass = l->pass ? xstrdup(l->pass) : NULL;
	c->preserve = l->settings == NULL || l->settings->preserve;
	c->notes.fd = out_fd;
	worker_conn_init(&c->conn, in_fd, &c->reader, &c->notes);
	c->conn.stops = job_stops_question;
	c->conn.arg = c;
	worker_conn_open(&c->conn, l);
	c->ftp = c->conn.ftp;
	for (;;) {
		int rc;
		while ((rc = worker_conn_next(&c->conn, &c->job)) == 1) {
			if (c->job.type == WIRE_JOB)
				job_run(c);
			else if (c->job.type == WIRE_IDLE)
				job_idle(c);
		}
		if (rc < 0 || c->in_closed)
			break;
		long n = wire_fill(in_fd, &c->reader);
		if (n <= 0)
			break;
	}
	worker_conn_close(&c->conn);
	tempname_dir_free(&c->temps);
	signal(SIGTERM, SIG_DFL);
	job_term_tmp = NULL;
	free(c->host);
	free(c->user);
	if (c->pass != NULL)
		explicit_bzero(c->pass, strlen(c->pass));
	free(c->pass);
	free(c);
	return 0;
}
