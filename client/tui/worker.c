/* worker: starting, feeding and stopping the helper processes (see
 * worker.h). The transfer worker's code is in worker_job.c, the
 * browsers' in browse.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "browse.h"
#include "sysio.h"
#include "worker.h"

/* How long worker_stop waits for the child to exit, in milliseconds. */
#define WORKER_EXIT_WAIT_MS 1500
/* Step of that wait, in milliseconds. */
#define WORKER_EXIT_STEP_MS 20
/* How long a child that lingers has after SIGTERM, before SIGKILL, in ms. */
#define WORKER_TERM_WAIT_MS 500

void worker_init(struct worker *w)
{
	memset(w, 0, sizeof *w);
	w->pid = -1;
	w->to_fd = -1;
	w->from_fd = -1;
}
/* Closes every descriptor the worker inherited except stdio and its two
 * pipe ends: the browser's control connection in particular, so that the
 * server sees it close when the browser closes it. */
static void close_inherited(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}


int worker_start(struct worker *w, enum worker_kind kind, const struct worker_login *l)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(up, O_CLOEXEC) < 0) {
		int err = errno;
		close(down[0]);
		close(down[1]);
		errno = err;
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		errno = err;
		return -1;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		close_inherited(down[0], up[1]);
		if (kind == WORKER_TRANSFER)
			_exit(worker_child(down[0], up[1], l));
		_exit(browse_child(down[0], up[1], kind == WORKER_BROWSE_REMOTE ? l : NULL));
	}
	close(down[0]);
	close(up[1]);
	w->pid = pid;
	w->to_fd = down[1];
	w->from_fd = up[0];
	w->reader.len = 0;
	sysio_set_nonblock(w->from_fd, true);
	return 0;
}

bool worker_running(const struct worker *w)
{
	return w->pid > 0;
}

int worker_fd(const struct worker *w)
{
	return w->from_fd;
}

int worker_send(struct worker *w, const struct wire_msg *m)
{
	uint8_t buf[WIRE_MSG_MAX];
	int queued = 0;

	if (w->to_fd < 0) {
		errno = EPIPE;
		return -1;
	}
	size_t n = wire_encode(m, buf, sizeof buf);
	if (n == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	/* Only what fits in the pipe now is written, so the screen never
	 * waits for a child that is stuck in a connect or a listing. */
	int size = fcntl(w->to_fd, F_GETPIPE_SZ);
	if (size > 0 && ioctl(w->to_fd, FIONREAD, &queued) == 0 &&
	    (size_t)(size - queued) < n) {
		errno = EAGAIN;
		return -1;
	}
	return sysio_write_all(w->to_fd, buf, n);
}

int worker_send_job(struct worker *w, const struct queue_job *j)
{
	wire_init(&w->sending, WIRE_JOB, j->id);
	w->sending.copy.dir = (uint8_t)j->dir;
	w->sending.copy.mode = (uint8_t)j->mode;
	w->sending.copy.tree = j->tree ? (j->link ? WIRE_TREE_LINK : WIRE_TREE_DIR) : 0;
	w->sending.copy.size = (int64_t)j->size;
	w->sending.copy.target_size = (int64_t)j->target_size;
	wire_set_str(w->sending.copy.local, j->local);
	wire_set_str(w->sending.copy.remote, j->remote);
	return worker_send(w, &w->sending);
}

int worker_cancel(struct worker *w, unsigned id)
{
	wire_init(&w->sending, WIRE_CANCEL, id);
	return worker_send(w, &w->sending);
}

int worker_idle(struct worker *w)
{
	wire_init(&w->sending, WIRE_IDLE, 0);
	return worker_send(w, &w->sending);
}

int worker_read(struct worker *w)
{
	if (w->from_fd < 0)
		return -1;
	for (;;) {
		int rc = wire_take(&w->reader, &w->report);
		if (rc != 0) {
			if (rc < 0)
				worker_stop(w);
			return rc;
		}
		long n = wire_fill(w->from_fd, &w->reader);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			worker_stop(w);
			return -1;
		}
	}
}

/* Ends child pid that did not exit when asked: SIGTERM first, which lets
 * a transfer worker remove its temporary file, then SIGKILL when it is
 * still there after WORKER_TERM_WAIT_MS. Reaps it. */
static void worker_end(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int waited = 0; waited < WORKER_TERM_WAIT_MS; waited += WORKER_EXIT_STEP_MS) {
		pid_t r = waitpid(pid, NULL, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		poll(NULL, 0, WORKER_EXIT_STEP_MS);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void worker_stop(struct worker *w)
{
	/* Closing the job pipe makes the child cancel what runs (removing
	 * its temporary file) and exit; the report pipe stays open until
	 * then so its last reports do not fail. */
	sysio_close(&w->to_fd);
	if (w->pid > 0) {
		int waited = 0;
		while (waitpid(w->pid, NULL, WNOHANG) != w->pid) {
			if (waited >= WORKER_EXIT_WAIT_MS) {
				worker_end(w->pid);
				break;
			}
			poll(NULL, 0, WORKER_EXIT_STEP_MS);
			waited += WORKER_EXIT_STEP_MS;
		}
		w->pid = -1;
	}
	sysio_close(&w->from_fd);
	w->reader.len = 0;
}

pid_t worker_detach(struct worker *w)
{
	pid_t pid = w->pid;
	sysio_close(&w->to_fd);
	sysio_close(&w->from_fd);
	w->reader.len = 0;
	w->pid = -1;
	return pid;
}

bool worker_reap(pid_t pid, bool force)
{
	if (pid <= 0)
		return true;
	if (force) {
		worker_end(pid);
		return true;
	}
	pid_t r = waitpid(pid, NULL, WNOHANG);
	return r == pid || (r < 0 && errno == ECHILD);
}

void worker_kill(struct worker *w)
{
	sysio_close(&w->to_fd);
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
		w->pid = -1;
	}
	sysio_close(&w->from_fd);
	w->reader.len = 0;
}
