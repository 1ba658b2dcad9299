/* worker_job: the transfer process's side (see worker.h). Reads jobs,
 * runs them through the engine on its own connection, and reports.
 * A download goes to a hidden temporary beside the target
 * (".NAME.ferry-XXXXXX") renamed over it only when the server confirmed
 * the whole file, so a cancelled or broken download leaves nothing under
 * the real name; a resumed one writes into the real name from its size.
 * Directory jobs are expanded here (the listing may be slow) by the
 * engine's walk (tree.h) into one WIRE_FILE report per file, which the UI
 * queues as jobs of their own.
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
#include "path.h"
#include "tempname.h"
#include "tree.h"
#include "worker.h"
#include "xalloc.h"

/* Mode of new files before the umask. */
#define JOB_FILE_MODE 0666

/* The child's state. */
struct job_ctx {
	int in_fd;                 /* jobs and cancels from the UI */
	int out_fd;                /* reports to the UI */
	struct wire_reader reader; /* bytes from in_fd not yet taken */
	struct ftp *ftp;           /* the worker's own connection */
	struct worker_login login; /* where to connect (strings owned here) */
	unsigned id;               /* job running */
	const struct wire_msg *tree_job; /* the directory job being expanded, or NULL */
	bool cancelled;            /* the UI asked to stop the running job */
	bool in_closed;            /* the UI closed in_fd */
};

/* Sends a report. A UI that went away stops the running job (so its
 * temporary file is removed) and then the worker. */
static void job_report(struct job_ctx *c, const struct wire_msg *m)
{
	if (!c->in_closed && wire_send(c->out_fd, m) < 0) {
		c->in_closed = true;
		c->cancelled = true;
	}
}

/* Takes the messages waiting on in_fd (non-blocking) and notes a cancel
 * of the running job. */
static void job_poll_cancel(struct job_ctx *c)
{
	static struct wire_msg m;
	struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };

	while (!c->in_closed && poll(&pfd, 1, 0) > 0) {
		long n = wire_fill(c->in_fd, &c->reader);
		if (n <= 0) {
			c->in_closed = true;
			c->cancelled = true;
			break;
		}
		int rc;
		while ((rc = wire_take(&c->reader, &m)) == 1)
			if (m.type == WIRE_CANCEL && m.id == c->id)
				c->cancelled = true;
		if (rc < 0)
			_exit(1);
	}
}

/* The engine's progress callback: report, and stop when cancelled. */
static int job_progress(void *arg, off_t done, off_t total, double rate)
{
	static struct wire_msg m;
	struct job_ctx *c = arg;

	job_poll_cancel(c);
	wire_init(&m, WIRE_PROGRESS, c->id);
	m.a = done;
	m.b = total;
	m.c = (int64_t)rate;
	job_report(c, &m);
	return c->cancelled ? 1 : 0;
}

/* Puts the text for a failed engine call into msg. */
static enum queue_state job_ftp_fail(struct job_ctx *c, enum ftp_status st, char *msg, size_t msgsz)
{
	if (st == FTP_S_CANCELLED) {
		snprintf(msg, msgsz, "cancelled");
		return QUEUE_CANCELLED;
	}
	snprintf(msg, msgsz, "%s", ftp_message(c->ftp));
	return QUEUE_FAILED;
}

/* Puts the text for a failed local call into msg. */
static enum queue_state job_errno_fail(int err, const char *path, char *msg, size_t msgsz)
{
	snprintf(msg, msgsz, "%.1024s: %.256s", path, strerror(err));
	return QUEUE_FAILED;
}

/* Downloads remote into local (fresh through a temporary, or resumed). */
static enum queue_state job_get(struct job_ctx *c, const struct wire_msg *j, char *msg, size_t msgsz)
{
	char tmp[PATH_LEN_MAX];
	struct stat sb;
	const char *local = j->s1, *remote = j->s2;
	bool exists = stat(local, &sb) == 0;

	if (j->mode == QUEUE_MODE_RESUME) {
		off_t offset = exists ? sb.st_size : 0;
		int fd = open(local, O_WRONLY | O_CREAT | O_CLOEXEC, JOB_FILE_MODE);
		if (fd < 0)
			return job_errno_fail(errno, local, msg, msgsz);
		enum ftp_status st = ftp_get(c->ftp, remote, fd, offset, job_progress, c);
		int err = close(fd) < 0 ? errno : 0;
		if (st != FTP_S_OK)
			return job_ftp_fail(c, st, msg, msgsz);
		return err ? job_errno_fail(err, local, msg, msgsz) : QUEUE_DONE;
	}
	if (!tempname_for(local, tmp, sizeof tmp))
		return job_errno_fail(ENAMETOOLONG, local, msg, msgsz);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return job_errno_fail(errno, local, msg, msgsz);
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, exists && S_ISREG(sb.st_mode) ? (sb.st_mode & 07777) : (JOB_FILE_MODE & ~um));
	enum ftp_status st = ftp_get(c->ftp, remote, fd, 0, job_progress, c);
	int err = close(fd) < 0 ? errno : 0;
	if (st == FTP_S_OK && err == 0 && rename(tmp, local) < 0)
		err = errno;
	if (st != FTP_S_OK || err != 0)
		unlink(tmp);
	if (st != FTP_S_OK)
		return job_ftp_fail(c, st, msg, msgsz);
	return err ? job_errno_fail(err, local, msg, msgsz) : QUEUE_DONE;
}

/* Uploads local as remote (replacing, or resuming from the remote size). */
static enum queue_state job_put(struct job_ctx *c, const struct wire_msg *j, char *msg, size_t msgsz)
{
	const char *local = j->s1, *remote = j->s2;
	off_t offset = 0;
	enum ftp_put_mode mode = FTP_PUT_REPLACE;

	int fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return job_errno_fail(errno, local, msg, msgsz);
	if (j->mode == QUEUE_MODE_RESUME && ftp_size(c->ftp, remote, &offset) == FTP_S_OK) {
		mode = FTP_PUT_RESUME;
	} else {
		offset = 0;
	}
	enum ftp_status st = ftp_put(c->ftp, fd, remote, mode, offset, job_progress, c);
	close(fd);
	return st == FTP_S_OK ? QUEUE_DONE : job_ftp_fail(c, st, msg, msgsz);
}

/* Reports one file of a tree job. */
static void job_found(struct job_ctx *c, const struct wire_msg *j, const char *local,
		      const char *remote, off_t size, off_t target)
{
	static struct wire_msg m;
	wire_init(&m, WIRE_FILE, j->id);
	m.dir = j->dir;
	m.mode = j->mode;
	m.a = size;
	m.b = target;
	wire_set_str(m.s1, local);
	wire_set_str(m.s2, remote);
	job_report(c, &m);
}

/* Reports one file of the tree job being expanded, with the size of its
 * target (-1 when there is none: nothing local, or a directory the walk
 * has just made on the server). */
static bool job_tree_file(void *arg, const struct tree_entry *e)
{
	struct job_ctx *c = arg;
	struct stat sb;
	off_t target = -1;

	if (c->tree_job->dir == QUEUE_DOWNLOAD) {
		if (stat(e->local, &sb) == 0)
			target = sb.st_size;
	} else if (!e->fresh && ftp_size(c->ftp, e->remote, &target) != FTP_S_OK) {
		target = -1;
	}
	job_found(c, c->tree_job, e->local, e->remote, e->size, target);
	return true;
}

/* Stops the walk when the UI cancels the job. */
static bool job_tree_stop(void *arg)
{
	struct job_ctx *c = arg;
	job_poll_cancel(c);
	return c->cancelled;
}

/* Expands a directory job with the engine's walk: makes the target
 * directories and reports every file (links and special files are left
 * out). */
static enum queue_state job_tree(struct job_ctx *c, const struct wire_msg *j, char *msg,
				 size_t msgsz)
{
	struct tree_visitor v = { .file = job_tree_file, .stop = job_tree_stop, .arg = c };
	struct tree_result r;

	c->tree_job = j;
	tree_walk(c->ftp, j->dir == QUEUE_DOWNLOAD ? TREE_DOWNLOAD : TREE_UPLOAD, j->s1, j->s2,
		  &v, &r);
	c->tree_job = NULL;
	switch (r.end) {
	case TREE_DONE:
		return QUEUE_DONE;
	case TREE_STOPPED:
		break;
	case TREE_FAILED:
		if (r.status == FTP_S_CANCELLED)
			break;
		snprintf(msg, msgsz, "%s", r.msg);
		return QUEUE_FAILED;
	}
	snprintf(msg, msgsz, "cancelled");
	return QUEUE_CANCELLED;
}

/* Connects when not connected yet; false (with msg) if it fails. */
static bool job_connect(struct job_ctx *c, char *msg, size_t msgsz)
{
	if (ftp_connected(c->ftp))
		return true;
	enum ftp_status st = ftp_connect(c->ftp, c->login.host, c->login.port, c->login.user,
					 c->login.pass);
	if (st == FTP_S_OK)
		return true;
	snprintf(msg, msgsz, "%s", ftp_message(c->ftp));
	return false;
}

/* Runs one job and reports how it ended. */
static void job_run(struct job_ctx *c, const struct wire_msg *j)
{
	static struct wire_msg end;
	char msg[WIRE_STR_MAX];
	enum queue_state res = QUEUE_FAILED;

	msg[0] = '\0';
	c->id = j->id;
	c->cancelled = false;
	if (job_connect(c, msg, sizeof msg)) {
		if (j->tree)
			res = job_tree(c, j, msg, sizeof msg);
		else if (j->dir == QUEUE_DOWNLOAD)
			res = job_get(c, j, msg, sizeof msg);
		else
			res = job_put(c, j, msg, sizeof msg);
	}
	wire_init(&end, WIRE_END, j->id);
	end.state = (uint8_t)res;
	wire_set_str(end.s1, msg);
	job_report(c, &end);
	c->id = 0;
}

int worker_child(int in_fd, int out_fd, const struct worker_login *l)
{
	static struct job_ctx c;
	static struct wire_msg m;

	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	c.in_fd = in_fd;
	c.out_fd = out_fd;
	c.login.host = l->host ? xstrdup(l->host) : xstrdup("");
	c.login.port = l->port;
	c.login.user = l->user ? xstrdup(l->user) : NULL;
	c.login.pass = l->pass ? xstrdup(l->pass) : NULL;
	c.ftp = ftp_new();
	for (;;) {
		int rc;
		while ((rc = wire_take(&c.reader, &m)) == 1)
			if (m.type == WIRE_JOB)
				job_run(&c, &m);
		if (rc < 0 || c.in_closed)
			break;
		long n = wire_fill(in_fd, &c.reader);
		if (n <= 0)
			break;
	}
	if (ftp_connected(c.ftp))
		ftp_quit(c.ftp);
	ftp_free(c.ftp);
	return 0;
}
