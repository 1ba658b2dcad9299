/* transfer: data movement with live control (see transfer.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "log.h"
#include "sysio.h"
#include "tally.h"
#include "transfer.h"
#include "vfs.h"
#include "xalloc.h"

/* Bytes hashed between looks at the control connection (HASH). */
#define XFER_HASH_CHUNK (256 << 10)
/* Buffer for uploads and ASCII conversion: each upload read asks the
 * socket for up to this much. Uploads are read, not spliced: a splice
 * keeps the sender's socket pages in the pipe and frees them on this
 * CPU, so a sender that copies into its socket (curl, lftp) takes fresh
 * pages for every segment, a GiB of them per GiB sent, where a read
 * hands each segment back to the sender's CPU, whose next copies reuse
 * the same warm pages. On a virtual machine that gives free memory back
 * to its host, fresh pages trap into the host on first touch: lftp's and
 * curl's uploads then took 1.5 to 5.5 s per GiB instead of 0.5 to 0.9
 * (doc/performance.md, "STOR: read, not splice"). */
#define XFER_BUF (1 << 20)
/* Largest single write into the file. The page cache sizes a file's
 * folios by the write that creates them, and a large folio is a
 * high-order allocation: on a virtual machine that hands free memory
 * back to its host (virtio free page reporting), such blocks are the
 * ones given back, and the first write to each of their pages traps into
 * the host. 1 MiB writes then cost 2.2 to 3.1 s of CPU per GiB instead
 * of 0.25 to 0.3 s; 128 KiB writes take their folios from the smaller
 * free blocks in use and cost the same 0.25 to 0.3 s either way
 * (doc/performance.md). */
#define XFER_FILE_WRITE (128 << 10)
/* Successful rounds between checks of the control connection while data
 * flows without ever blocking. */
#define XFER_CONTROL_EVERY 16
/* Microseconds an upload without ALLO waits, once its data has ended
 * with nothing more from the client, for the control connection to hang
 * up as a killed client's does (see xfer_upload_end). */
#define UPLOAD_END_GRACE_US 100
/* Rate limit: the head start a paced transfer gets, in milliseconds of
 * its rate, and how many steps per second it moves in at most. */
#define PACE_HEAD_START_MS 20
#define PACE_STEPS_PER_SECOND 20
/* Milliseconds between looks at a data connection's send queue while a
 * download waits to send more (see xfer_wait). */
#define XFER_DRAIN_LOOK_MS 500

void xfer_init(struct session *s)
{
	memset(&s->xfer, 0, offsetof(struct xfer_progress, path));
	s->xfer.path[0] = '\0';
}

void xfer_begin(struct session *s, const char *verb, const char *path, off_t total)
{
	struct xfer_progress *x = &s->xfer;
	snprintf(x->verb, sizeof x->verb, "%s", verb);
	snprintf(x->path, sizeof x->path, "%s", path);
	x->connected = false;
	x->done = 0;
	x->total = total;
	x->start_ms = sysio_now_ms();
	x->abort = false;
}

void xfer_connected(struct session *s)
{
	s->xfer.connected = true;
	s->xfer.start_ms = sysio_now_ms();
}

void xfer_locate(struct session *s, int fd, const struct stat *opened)
{
	vfs_locate(s->root_fd, fd, opened, s->xfer.path);
}

void xfer_locate_upload(struct session *s, const struct vfs_upload *up)
{
	vfs_upload_locate(s->root_fd, up, s->xfer.path);
}

void xfer_end(struct session *s)
{
	s->xfer.verb[0] = '\0';
	s->xfer.path[0] = '\0';
	s->xfer.connected = false;
	s->xfer.abort = false;
}

bool xfer_running(const struct session *s)
{
	return s->xfer.verb[0] != '\0';
}

void xfer_request_abort(struct session *s)
{
	s->xfer.abort = true;
}

void xfer_reply_status(struct session *s)
{
	const struct xfer_progress *x = &s->xfer;
	if (!x->connected)
		session_reply(s, FTP_FILE_STATUS, "%s %s: waiting for the data connection.",
			      x->verb, x->path);
	else if (x->total >= 0)
		session_reply(s, FTP_FILE_STATUS, "%s %s: %lld of %lld bytes transferred.",
			      x->verb, x->path, (long long)x->done, (long long)x->total);
	else
		session_reply(s, FTP_FILE_STATUS, "%s %s: %lld bytes transferred.",
			      x->verb, x->path, (long long)x->done);
}

/* Bytes the session's rate limit lets this transfer move now, at most
 * want (want itself without a limit). */
static size_t pace_room(const struct session *s, size_t want)
{
	if (s->max_rate <= 0)
		return want;
	double elapsed = (double)(sysio_now_ms() - s->xfer.start_ms + PACE_HEAD_START_MS);
	double allowed = (double)s->max_rate * elapsed / 1000.0 - (double)s->xfer.done;
	if (allowed < 1)
		return 0;
	return allowed < (double)want ? (size_t)allowed : want;
}

/* Waits until the rate limit lets a step of the transfer move, answering
 * control commands meanwhile. */
static enum xfer_result pace_wait(struct session *s)
{
	double step = (double)s->max_rate / PACE_STEPS_PER_SECOND;
	if (step < 1)
		step = 1;
	double due_ms = ((double)s->xfer.done + step) * 1000.0 / (double)s->max_rate -
			PACE_HEAD_START_MS;
	long long wake = s->xfer.start_ms + (long long)due_ms + 1;
	for (;;) {
		long long left = wake - sysio_now_ms();
		if (left <= 0)
			return XFER_OK;
		enum xfer_result stop;
		int r = session_transfer_poll(s, NULL, (int)(left > 1000 ? 1000 : left), &stop);
		if (r < 0 && errno != EINTR)
			return XFER_NET_ERROR;
		if (stop != XFER_OK)
			return stop;
	}
}

/* Bytes the kernel holds in a socket's send queue (not yet sent, or not
 * yet acknowledged), or -1 where it cannot tell (not a TCP socket). */
static long send_queue(int fd)
{
	int n;
	return ioctl(fd, TIOCOUTQ, &n) == 0 ? n : -1;
}

/* Waits until data is ready for events, answering control commands
 * meanwhile. Returns XFER_OK when ready, or why to stop: XFER_TIMEOUT
 * after the idle time-out without progress. Waiting to send, progress is
 * the send queue getting shorter: a client that reads slowly frees too
 * little room at a time for poll(2) to report POLLOUT (a third of the
 * send buffer, or of TCP_NOTSENT_LOWAT unsent), yet it is reading. */
static enum xfer_result xfer_wait(struct session *s, struct conn *data, short events)
{
	long long idle_ms = (long long)s->cfg->idle_timeout * 1000;
	long long deadline = sysio_now_ms() + idle_ms;
	long queued = events & POLLOUT ? send_queue(conn_wfd(data)) : -1;
	for (;;) {
		struct conn_pollfd p = { .c = data, .events = events };
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			return XFER_TIMEOUT;
		if (queued >= 0 && left > XFER_DRAIN_LOOK_MS)
			left = XFER_DRAIN_LOOK_MS;
		enum xfer_result stop;
		int r = session_transfer_poll(s, &p, (int)left, &stop);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return XFER_NET_ERROR;
		}
		if (stop != XFER_OK)
			return stop;
		if (p.revents)
			return XFER_OK;
		if (queued >= 0) {
			long now = send_queue(conn_wfd(data));
			if (now >= 0 && now < queued)
				deadline = sysio_now_ms() + idle_ms;
			queued = now;
		}
	}
}

/* Checks the control connection without waiting (between fast rounds). */
static enum xfer_result xfer_peek_control(struct session *s)
{
	enum xfer_result stop;
	session_transfer_poll(s, NULL, 0, &stop);
	return stop;
}

/* Writes all of buf to the non-blocking data connection. */
static enum xfer_result send_all(struct session *s, struct conn *data, const char *buf,
				 size_t len)
{
	int rounds = 0;
	while (len > 0) {
		size_t room = pace_room(s, len);
		if (room == 0) {
			enum xfer_result r = pace_wait(s);
			if (r != XFER_OK)
				return r;
			continue;
		}
		size_t w;
		enum conn_status st = conn_write(data, buf, room, &w);
		if (st == CONN_OK && w > 0) {
			buf += w;
			len -= w;
			s->xfer.done += (off_t)w;
			if (++rounds % XFER_CONTROL_EVERY == 0) {
				enum xfer_result r = xfer_peek_control(s);
				if (r != XFER_OK)
					return r;
			}
			continue;
		}
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return XFER_NET_ERROR;
		enum xfer_result r = xfer_wait(s, data, conn_events(st));
		if (r != XFER_OK)
			return r;
	}
	return XFER_OK;
}

enum xfer_result xfer_send_buf(struct session *s, struct conn *data, const char *buf,
			       size_t len)
{
	return send_all(s, data, buf, len);
}

/* ASCII download of the file's bytes offset..size-1: converts LF to
 * CRLF through a buffer. A CR LF already in the file is sent as it is,
 * also where the CR ends one read (or lies just before offset). */
static enum xfer_result send_ascii(struct session *s, struct conn *data, int file_fd,
				   off_t offset, off_t size, int *err)
{
	char *in = xmalloc(XFER_BUF);
	char *out = xmalloc(2 * XFER_BUF);
	enum xfer_result r = XFER_OK;
	char prev = '\0';
	if (offset > 0 && pread(file_fd, &prev, 1, offset - 1) != 1)
		prev = '\0';
	while (offset < size) {
		off_t left = size - offset;
		ssize_t n = pread(file_fd, in, left < XFER_BUF ? (size_t)left : XFER_BUF, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			r = XFER_LOCAL_ERROR;
			break;
		}
		if (n == 0)
			break;     /* the file shrank: send what there was */
		offset += n;
		size_t o = 0;
		for (ssize_t i = 0; i < n; i++) {
			if (in[i] == '\n' && prev != '\r')
				out[o++] = '\r';
			prev = out[o++] = in[i];
		}
		r = send_all(s, data, out, o);
		if (r != XFER_OK)
			break;
	}
	free(in);
	free(out);
	return r;
}

enum xfer_result xfer_send_file(struct session *s, struct conn *data, int file_fd,
				off_t offset, off_t size, int *err)
{
	if (s->ascii)
		return send_ascii(s, data, file_fd, offset, size, err);
	/* How much each sendfile asks for, and how much stays queued,
	 * depends on the connection (conn_ready_sendfile). */
	size_t most = conn_ready_sendfile(data, true);
	int rounds = 0;
	while (offset < size) {
		off_t left = size - offset;
		size_t chunk = pace_room(s, left > (off_t)most ? most : (size_t)left);
		if (chunk == 0) {
			enum xfer_result r = pace_wait(s);
			if (r != XFER_OK)
				return r;
			continue;
		}
		off_t before = offset;
		size_t n;
		enum conn_status st = conn_sendfile(data, file_fd, &offset, chunk, &n);
		if (st == CONN_OK && n > 0) {
			s->xfer.done += offset - before;
			if (++rounds % XFER_CONTROL_EVERY == 0) {
				enum xfer_result r = xfer_peek_control(s);
				if (r != XFER_OK)
					return r;
			}
			/* A plain sendfile(2) that moved less than asked stopped
			 * at a full socket buffer: wait for room rather than call
			 * again only to get EAGAIN (a call that reads a pipe-full
			 * of the file, 64 KiB, and drops it). */
			if (n < chunk && offset < size && !conn_is_tls(data)) {
				enum xfer_result r = xfer_wait(s, data, POLLOUT);
				if (r != XFER_OK)
					return r;
			}
			continue;
		}
		if (st == CONN_OK)
			break;     /* the file shrank: send what there was */
		if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
			enum xfer_result r = xfer_wait(s, data, conn_events(st));
			if (r != XFER_OK)
				return r;
			continue;
		}
		/* A plain sendfile(2) failure leaves errno: the file's or the
		 * network's. Under TLS only the network's is told apart. */
		if (conn_is_tls(data) || errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return XFER_NET_ERROR;
		*err = errno;
		return XFER_LOCAL_ERROR;
	}
	return XFER_OK;
}

/* Writes n bytes to the file, at most XFER_FILE_WRITE at a time,
 * counting every byte that lands (a full disk may take part of a write:
 * the reply says how much was kept). */
static enum xfer_result write_file(int file_fd, const char *buf, size_t n, off_t *received,
				   int *err)
{
	while (n > 0) {
		ssize_t w = write(file_fd, buf, n < XFER_FILE_WRITE ? n : XFER_FILE_WRITE);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = w < 0 ? errno : EIO;
			return XFER_LOCAL_ERROR;
		}
		buf += w;
		n -= (size_t)w;
		*received += w;
	}
	return XFER_OK;
}

/* Reads up to n bytes. Under TLS each read yields one record (16 KiB at
 * most), so records are gathered until n bytes or none is waiting: the
 * file then gets large writes. A status other than CONN_OK met after
 * some bytes is met again by the next call. */
static enum conn_status read_some(struct conn *data, char *buf, size_t n, size_t *len)
{
	enum conn_status st;
	*len = 0;
	do {
		size_t got;
		st = conn_read(data, buf + *len, n - *len, &got);
		*len += got;
	} while (st == CONN_OK && *len < n && conn_is_tls(data));
	return *len > 0 ? CONN_OK : st;
}

/* Upload through a buffer (every upload: see XFER_BUF). */
static enum xfer_result recv_buffered(struct session *s, struct conn *data, int file_fd,
				      off_t *received, int *err)
{
	char *buf = xmalloc(XFER_BUF);
	enum xfer_result r = XFER_OK;
	bool cr_pending = false;   /* ASCII: a CR ended the previous read */
	int rounds = 0;
	for (;;) {
		size_t room = pace_room(s, XFER_BUF);
		if (room == 0) {
			r = pace_wait(s);
			if (r != XFER_OK)
				break;
			continue;
		}
		size_t len;
		enum conn_status st = read_some(data, buf, room, &len);
		if (st == CONN_EOF)
			break;     /* FIN, or TLS close_notify: the whole file */
		if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
			r = xfer_wait(s, data, conn_events(st));
			if (r != XFER_OK)
				break;
			continue;
		}
		if (st != CONN_OK) {
			r = XFER_NET_ERROR;   /* reset, or TLS cut without close_notify */
			break;
		}
		s->xfer.done += (off_t)len;
		if (s->ascii) {
			/* CRLF becomes LF; a lone CR is kept. */
			size_t o = 0;
			char *out = buf;
			if (cr_pending && buf[0] != '\n') {
				r = write_file(file_fd, "\r", 1, received, err);
				if (r != XFER_OK)
					break;
			}
			cr_pending = false;
			for (size_t i = 0; i < len; i++) {
				if (buf[i] == '\r') {
					if (i + 1 == len) {
						cr_pending = true;
						continue;
					}
					if (buf[i + 1] == '\n')
						continue;
				}
				out[o++] = buf[i];
			}
			len = o;
		}
		r = write_file(file_fd, buf, len, received, err);
		if (r != XFER_OK)
			break;
		if (++rounds % XFER_CONTROL_EVERY == 0 && (r = xfer_peek_control(s)) != XFER_OK)
			break;
	}
	if (r == XFER_OK && cr_pending)
		r = write_file(file_fd, "\r", 1, received, err);
	free(buf);
	return r;
}

/* A timer for the upload-end grace, kept for the session (one per
 * process): a timerfd fires on time, where a poll(2) time-out is late by
 * the timer slack (50 us by default, as much as the grace itself). */
static int grace_timer = -1;
/* How the session spends the grace: looking again and again with
 * sched_yield between looks (true, at first), or sleeping; see
 * xfer_upload_end. */
static bool grace_looks = true;
/* Microseconds past its end a slept grace may last, and a yield may take,
 * before the session switches to the other way. */
#define GRACE_LATE_US 50

/* Microseconds since t0. */
static long long us_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

/* Waits up to us microseconds for the control connection to wake. */
static void wait_control(struct session *s, long us)
{
	struct pollfd p[2] = {
		{ .fd = session_control_fd(s), .events = POLLIN | POLLRDHUP },
		{ .fd = -1, .events = POLLIN },
	};
	if (grace_timer < 0)
		grace_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec its = { .it_value = { 0, us * 1000 } };
	struct timespec left = its.it_value;
	bool timed = grace_timer >= 0 && timerfd_settime(grace_timer, 0, &its, NULL) == 0;
	if (timed)
		p[1].fd = grace_timer;
	ppoll(p, 2, timed ? NULL : &left, NULL);
}

/* Decides whether an upload whose data connection ended normally is
 * complete. Stream mode ends a file with the close of the data
 * connection, and a client that dies closes it too, so:
 *  - with a size from ALLO the answer is exact, at once;
 *  - a client that has sent anything more on the control connection (a
 *    QUIT right after its data, say) is alive: complete, at once;
 *  - a control connection that hangs up, with nothing more on it, within
 *    UPLOAD_END_GRACE_US of the end of the data is a client that died:
 *    the kernel closes a dead process's sockets one right after the other;
 *  - otherwise the client is waiting for the reply: complete.
 * doc/design.md lists what this cannot tell apart, as measured by
 * tests/bench/upload-end.py. A TLS upload needs none of it: it ended
 * with the client's close_notify (a cut one is a network error).
 * xfer_recv_file makes the decisions that need no wait and notes when the
 * data ended; the caller closes the data connection and then calls
 * xfer_upload_end, which spends what is left of the grace. */
static enum xfer_result upload_end_now(struct session *s, const struct conn *data,
					struct xfer_data_end *end)
{
	if (s->xfer.total >= 0)
		return s->xfer.done < s->xfer.total ? XFER_INCOMPLETE : XFER_OK;
	if (conn_is_tls(data))
		return XFER_OK;
	clock_gettime(CLOCK_MONOTONIC, &end->at);
	end->judge = true;
	return XFER_OK;
}

enum xfer_result xfer_upload_end(struct session *s, const struct xfer_data_end *end)
{
	if (!end->judge)
		return XFER_OK;
	/* The grace is spent in one of two ways, both of which let a dying
	 * client on this CPU finish closing its sockets first:
	 *  - sleeping in ppoll, woken by the control connection or a timerfd:
	 *    the CPU goes to other work meanwhile;
	 *  - looking again and again, with sched_yield between looks: on an
	 *    idle virtual CPU a sleep ends hundreds of us late (the CPU must
	 *    be woken), but on a busy one each yield costs a time slice (up
	 *    to a tick), as the session goes behind every other task.
	 * The session looks until a yield takes GRACE_LATE_US or more (a busy
	 * CPU), then sleeps until a grace ends that late (an idle one). The
	 * grace is counted from the end of the data, so the work done since
	 * (closing the data connection) is part of it. */
	const struct timespec *t0 = &end->at;
	long long us = 0, slowest = 0;
	enum ctl_state st;
	while ((st = session_control_state(s)) == CTL_IDLE &&
	       (us = us_since(t0)) < UPLOAD_END_GRACE_US) {
		if (!grace_looks) {
			wait_control(s, (long)(UPLOAD_END_GRACE_US - us));
			continue;
		}
		sched_yield();
		long long took = us_since(t0) - us;
		if (took > slowest)
			slowest = took;
	}
	if (st == CTL_IDLE)
		grace_looks = grace_looks ? slowest < GRACE_LATE_US
					  : us >= UPLOAD_END_GRACE_US + GRACE_LATE_US;
	return st == CTL_GONE ? XFER_CONTROL_LOST : XFER_OK;
}

enum xfer_result xfer_recv_file(struct session *s, struct conn *data, int file_fd,
				off_t *received, int *err, struct xfer_data_end *end)
{
	*received = 0;
	end->judge = false;
	enum xfer_result r = recv_buffered(s, data, file_fd, received, err);
	if (r == XFER_OK)
		r = upload_end_now(s, data, end);
	return r;
}

enum xfer_result xfer_hash_file(struct session *s, int file_fd, off_t offset, off_t end,
				struct digest *d, int *err)
{
	char *buf = xmalloc(XFER_HASH_CHUNK);
	enum xfer_result r = XFER_OK;
	while (offset < end && r == XFER_OK) {
		size_t want = end - offset < XFER_HASH_CHUNK ? (size_t)(end - offset) : XFER_HASH_CHUNK;
		size_t room = pace_room(s, want);
		if (room == 0) {
			r = pace_wait(s);
			continue;
		}
		ssize_t n = pread(file_fd, buf, room, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = n < 0 ? errno : EIO;   /* the file shrank meanwhile */
			r = XFER_LOCAL_ERROR;
			break;
		}
		digest_update(d, buf, (size_t)n);
		offset += n;
		s->xfer.done += n;
		r = xfer_peek_control(s);
	}
	free(buf);
	return r;
}

void xfer_finish(struct session *s, enum xfer_result r, int local_err, off_t bytes,
		 const char *outcome)
{
	static const char *const names[] = {
		[XFER_OK] = "ok", [XFER_ABORTED] = "aborted", [XFER_NET_ERROR] = "connection broken",
		[XFER_TIMEOUT] = "timeout", [XFER_LOCAL_ERROR] = "local error",
		[XFER_CONTROL_LOST] = "control connection lost",
		[XFER_INCOMPLETE] = "incomplete",
	};
	session_log_transfer(s, s->xfer.verb, s->xfer.path, bytes, s->xfer.start_ms, names[r]);
	const char *sep = outcome ? "; " : "";
	if (outcome == NULL)
		outcome = "";
	switch (r) {
	case XFER_OK:
		session_reply(s, FTP_TRANSFER_OK, "Transfer complete (%lld bytes).", (long long)bytes);
		break;
	case XFER_ABORTED:
		session_reply(s, FTP_TRANSFER_ABORTED, "Transfer aborted%s%s.", sep, outcome);
		session_reply(s, FTP_TRANSFER_OK, "ABOR successful.");
		break;
	case XFER_NET_ERROR:
		session_reply(s, FTP_TRANSFER_ABORTED, "Data connection broken; transfer aborted%s%s.",
			      sep, outcome);
		break;
	case XFER_TIMEOUT:
		session_reply(s, FTP_SERVICE_CLOSING, "Transfer stalled for %d seconds: closing%s%s.",
			      s->cfg->idle_timeout, sep, outcome);
		s->quit = true;
		s->quit_reason = "transfer stalled";
		break;
	case XFER_LOCAL_ERROR:
		if (local_err == ENOSPC || local_err == EDQUOT)
			session_reply(s, FTP_NO_SPACE, "Disk full%s%s.", sep, outcome);
		else if (local_err == EEXIST)
			/* Only an upload that may not replace a file gets this:
			 * another session put a file under the name meanwhile. */
			session_reply(s, FTP_LOCAL_ERROR,
				      "%s was created meanwhile and overwriting is disabled for "
				      "this account%s%s.", s->xfer.path, sep, outcome);
		else
			session_reply(s, FTP_LOCAL_ERROR, "Local error: %s%s%s.", strerror(local_err),
				      sep, outcome);
		break;
	case XFER_CONTROL_LOST:
		s->quit = true;
		s->quit_reason = SESSION_CONNECTION_LOST;
		break;
	case XFER_INCOMPLETE:
		session_reply(s, FTP_TRANSFER_ABORTED,
			      "Upload incomplete: %lld of the %lld bytes announced by ALLO arrived%s%s.",
			      (long long)s->xfer.done, (long long)s->xfer.total, sep, outcome);
		break;
	}
	/* The report wakes the listener: after the reply, so that the client
	 * does not wait for it (the session's CPU is often the listener's). */
	tally_transfer(s, r, bytes);
	xfer_end(s);
}
