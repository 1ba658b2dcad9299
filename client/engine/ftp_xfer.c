/* ftp_xfer: file transfers over a data connection.
 * RETR and STOR/APPE (with REST to resume either way, and ALLO declaring
 * the size of every upload whose size is known), the loops that move
 * the bytes while calling the progress callback, and ABOR. Every wait is a
 * poll bounded by the timeout and by the next progress call, so a stalled
 * transfer can still be cancelled. A cancel or failure mid-transfer sends
 * ABOR, resets the data connection (so the server sees a broken transfer,
 * never a complete one) and reads the replies, leaving the control
 * connection in step for the next command. The engine sends ABOR without
 * the Telnet IP/Synch prefix (RFC 959 makes it optional; servers that do
 * not read the control connection during a transfer notice the reset data
 * connection instead). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "ftp_private.h"
#include "human.h"
#include "sysio.h"
#include "xalloc.h"

/* Progress bookkeeping of one transfer. */
struct xfer_progress {
	ftp_progress_fn *fn;  /* the caller's callback, or NULL */
	void *arg;            /* its argument */
	off_t start;          /* bytes done before this transfer (resume offset) */
	off_t done;           /* bytes done, counting start */
	off_t total;          /* expected end, -1 unknown */
	long long t0;         /* when the transfer began (ms) */
	long long last;       /* when the callback was last called (ms) */
	off_t rate;           /* bytes per second at most; 0: no limit */
	long long mark;       /* when the span of the minimum rate began (ms) */
	off_t mark_done;      /* done then */
};

/* Starts the bookkeeping; the first check calls the callback at once. */
static void xfer_progress_init(struct xfer_progress *p, ftp_progress_fn *fn, void *arg,
			       off_t start, off_t total)
{
	p->fn = fn;
	p->arg = arg;
	p->start = p->done = start;
	p->total = total;
	p->t0 = sysio_now_ms();
	p->last = p->t0 - FTP_PROGRESS_MS;
	p->rate = 0;
}

/* Smallest read or send under a rate limit, in bytes. */
#define XFER_CHUNK_MIN 1024

/* Bytes the next read or send may move: the whole buffer, or under a
 * rate limit about a tenth of a second's worth, so the flow stays even. */
static size_t xfer_chunk(const struct xfer_progress *p)
{
	if (p->rate == 0 || p->rate / 10 >= FTP_XFER_BUF)
		return FTP_XFER_BUF;
	return p->rate / 10 > XFER_CHUNK_MIN ? (size_t)(p->rate / 10) : XFER_CHUNK_MIN;
}

/* Milliseconds the transfer is ahead of its rate limit (0: go on). */
static long long xfer_ahead(const struct xfer_progress *p)
{
	if (p->rate == 0)
		return 0;
	long long due = p->t0 + (long long)((double)(p->done - p->start) * 1000.0 / (double)p->rate);
	long long now = sysio_now_ms();
	return due > now ? due - now : 0;
}

/* Sleeps while the transfer is ahead of its rate limit, at most until the
 * next progress call is due; returns true if it slept (the caller then
 * starts its round again, its idle clock reset). */
static bool xfer_hold_back(const struct xfer_progress *p)
{
	long long ahead = xfer_ahead(p);
	if (ahead <= 0)
		return false;
	if (ahead > FTP_PROGRESS_MS)
		ahead = FTP_PROGRESS_MS;
	poll(NULL, 0, (int)ahead);
	return true;
}

/* Calls the callback when one is set and a call is due (or force).
 * Returns true if it asks to cancel. */
static bool xfer_progress(struct xfer_progress *p, bool force)
{
	if (p->fn == NULL)
		return false;
	long long now = sysio_now_ms();
	if (!force && now - p->last < FTP_PROGRESS_MS)
		return false;
	p->last = now;
	double secs = (double)(now - p->t0) / 1000.0;
	double rate = secs > 0 ? (double)(p->done - p->start) / secs : 0.0;
	return p->fn(p->arg, p->done, p->total, rate) != 0;
}

/* Starts a span of the minimum rate (ftp_set_min_rate) now. */
static void xfer_mark(struct xfer_progress *p)
{
	p->mark = sysio_now_ms();
	p->mark_done = p->done;
}

/* Checks the minimum rate when a span of the timeout has passed: fails
 * the transfer (FTP_S_BROKEN, timed out) when the span moved fewer bytes
 * than the rate asks, else starts the next span. FTP_S_OK to go on. */
static enum ftp_status xfer_min_rate(struct ftp *f, struct xfer_progress *p)
{
	char rate[32], why[96];
	long long span = sysio_now_ms() - p->mark;

	if (f->min_rate == 0 || span < f->timeout_ms)
		return FTP_S_OK;
	if ((double)(p->done - p->mark_done) * 1000.0 >= (double)f->min_rate * (double)span) {
		xfer_mark(p);
		return FTP_S_OK;
	}
	human_format_size(f->min_rate, rate, sizeof rate);
	snprintf(why, sizeof why, "timed out: slower than %s/s over %g s (--min-rate)", rate,
		 f->timeout_ms / 1000.0);
	f->stalled = true;
	return ftp_fail_text(f, FTP_AT_DATA, "data connection", why);
}

/* How long a pump may sleep: until the idle timeout runs out, and no
 * longer than until the next progress call. */
static int xfer_wait(const struct ftp *f, const struct xfer_progress *p, long long idle_since)
{
	long long now = sysio_now_ms();
	long long left = idle_since + f->timeout_ms - now;
	if (p->fn != NULL && p->last + FTP_PROGRESS_MS - now < left)
		left = p->last + FTP_PROGRESS_MS - now;
	return left < 0 ? 0 : (int)left;
}

/* The ASCII type's second buffer (FTP_XFER_BUF + 1 bytes), made on first use. */
static char *xfer_text_buf(struct ftp *f)
{
	if (f->tbuf == NULL)
		f->tbuf = xmalloc(FTP_XFER_BUF + 1);
	return f->tbuf;
}

/* The transfer buffer, made on first use. */
static char *xfer_buf(struct ftp *f)
{
	if (f->xbuf == NULL)
		f->xbuf = xmalloc(FTP_XFER_BUF);
	return f->xbuf;
}

/* The status of a cancelled transfer. */
static enum ftp_status xfer_cancelled(struct ftp *f)
{
	ftp_set_msg(f, ftp_interrupted(f) ? "transfer interrupted" : "transfer cancelled");
	f->code = 0;
	return FTP_S_CANCELLED;
}

/* The checks of each turn of a pump before it waits: cancelled through
 * the progress callback, or slower than the minimum rate. FTP_S_OK to go
 * on. */
static enum ftp_status xfer_turn(struct ftp *f, struct xfer_progress *p)
{
	if (xfer_progress(p, false))
		return xfer_cancelled(f);
	return xfer_min_rate(f, p);
}

/* Waits for the n of pfd as long as xfer_wait allows: 1 when one is
 * ready, 0 when none is yet (the pump goes round again), -1 when the
 * transfer ends, with *end its status (cancelled, the wait for what
 * failed, or the data connection idle for the timeout). */
static int xfer_poll(struct ftp *f, struct conn_pollfd *pfd, int n, const struct xfer_progress *p,
		     long long idle_since, const char *what, enum ftp_status *end)
{
	int r = ftp_wait(f, pfd, n, xfer_wait(f, p, idle_since));
	if (r < 0 && errno == ECANCELED)
		*end = xfer_cancelled(f);
	else if (r < 0)
		*end = ftp_fail(f, FTP_AT_DATA, errno, what);
	else if (r == 0 && sysio_now_ms() - idle_since >= f->timeout_ms)
		*end = ftp_fail(f, FTP_AT_DATA, ETIMEDOUT, "data connection");
	else
		return r > 0;
	return -1;
}

/* Reads from the data connection into buf (n bytes): under TLS, record
 * after record until buf is full or nothing more is waiting, so the sink
 * gets large writes; a plain read takes what the socket holds at once.
 * Returns the status of the first read (CONN_OK: *got bytes); *then is
 * the status that ended the reading after bytes came (CONN_OK when buf
 * filled up, a wait, or the end or a failure the caller must act on
 * without polling: the socket may have nothing more to say). */
static enum conn_status xfer_read(struct conn *dc, char *buf, size_t n, size_t *got,
				  enum conn_status *then)
{
	*then = CONN_WANT_READ;
	enum conn_status st = conn_read(dc, buf, n, got);
	if (st != CONN_OK || !conn_is_tls(dc))
		return st;
	while (*got < n) {
		size_t more;
		*then = conn_read(dc, buf + *got, n - *got, &more);
		if (*then != CONN_OK)
			return CONN_OK;
		*got += more;
	}
	*then = CONN_OK;
	return CONN_OK;
}

/* Moves bytes from the data connection into sink until the server ends
 * it: a FIN, or under TLS its close_notify (an end without it is a
 * broken transfer: the file may be cut short). */
static enum ftp_status xfer_pump_in(struct ftp *f, struct conn *dc, const struct ftp_sink *sink,
				    struct xfer_progress *p)
{
	char *buf = xfer_buf(f);
	long long idle_since = sysio_now_ms();
	enum conn_status want = CONN_WANT_READ, then = CONN_WANT_READ;

	xfer_mark(p);
	for (;;) {
		enum ftp_status end = xfer_turn(f, p);
		if (end != FTP_S_OK)
			return end;
		if (xfer_hold_back(p)) {
			idle_since = sysio_now_ms();
			continue;
		}
		/* No wait when the last read already met the data's end (or
		 * more of it, decrypted and waiting). */
		bool ready = then == CONN_OK || then == CONN_EOF || then == CONN_TRUNCATED ||
			     then == CONN_ERROR;
		struct conn_pollfd pfd = { .c = dc, .events = conn_events(want) };
		int r = ready ? 1 : xfer_poll(f, &pfd, 1, p, idle_since, "waiting for data", &end);
		if (r < 0)
			return end;
		if (r == 0)
			continue;
		size_t n;
		enum conn_status st = xfer_read(dc, buf, xfer_chunk(p), &n, &then);
		if (st == CONN_EOF)
			break;
		if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
			want = st;
			continue;
		}
		if (st != CONN_OK)
			return ftp_fail_conn(f, FTP_AT_DATA, dc, st, "receiving data");
		want = CONN_WANT_READ;
		int err = sink->write(sink->arg, buf, n);
		if (err < 0) {
			/* The sink has what it wanted (a range): a stop, no error. */
			ftp_set_msg(f, "the bytes wanted have arrived");
			f->code = 0;
			return FTP_S_LOCAL;
		}
		if (err != 0)
			return ftp_fail(f, FTP_AT_LOCAL, err, sink->what);
		p->done += (off_t)n;
		idle_since = sysio_now_ms();
	}
	xfer_progress(p, true);   /* the final numbers; too late to cancel */
	return FTP_S_OK;
}

/* The loop of xfer_pump_out; *off >= 0: sendfile(2) from there on
 * (advanced as bytes go), else read(2) and write. */
static enum ftp_status xfer_pump_out_loop(struct ftp *f, struct conn *dc, int fd, off_t *off,
					  struct xfer_progress *p, bool *early)
{
	char *buf = *off < 0 ? xfer_buf(f) : NULL;
	/* Under a pacing congestion control (BBR) sendfile(2) keeps the
	 * socket's queue of unsent bytes short (conn_ready_sendfile): with
	 * the queue full, the server's reads pushed the client's queued
	 * bytes through TCP on the server's CPU, the side that also writes
	 * them to disk (doc/performance.md). Under cubic the full queue
	 * costs nothing. FTPS uploads keep a full queue (a TLS socket gets
	 * no mark, and without kTLS they read and write): with the mark
	 * they were level with curl's instead of ahead. */
	size_t most = *off >= 0 ? conn_ready_sendfile(dc, false) : 0;
	size_t have = 0, pos = 0;
	long long idle_since = sysio_now_ms();
	enum conn_status want = CONN_WANT_WRITE;

	*early = false;
	xfer_mark(p);
	for (;;) {
		enum ftp_status end = xfer_turn(f, p);
		if (end != FTP_S_OK)
			return end;
		if (pos == have && *off < 0) {
			/* ASCII: half a buffer read, since every LF may become CR LF. */
			char *in = f->ascii ? xfer_text_buf(f) : buf;
			ssize_t n = sysio_read(fd, in, f->ascii ? FTP_XFER_BUF / 2 : FTP_XFER_BUF);
			if (n < 0)
				return ftp_fail(f, FTP_AT_LOCAL, errno, "reading the local file");
			if (n == 0)
				break;
			have = f->ascii ? ascii_to_wire(in, (size_t)n, buf) : (size_t)n;
			pos = 0;
		}
		struct conn_pollfd pfd[2] = {
			{ .c = dc, .events = conn_events(want) },
			{ .c = f->ctl, .events = POLLIN },
		};
		int r = xfer_poll(f, pfd, 2, p, idle_since, "waiting to send data", &end);
		if (r < 0)
			return end;
		if (r == 0)
			continue;
		if (pfd[1].revents != 0) {
			bool done;
			enum ftp_status st = ftp_poll_reply(f, &done);
			if (st != FTP_S_OK)
				return st;
			if (done && f->code / 100 != 1) {
				*early = true;
				return FTP_S_OK;
			}
		}
		if (pfd[0].revents == 0)
			continue;
		if (xfer_hold_back(p)) {
			idle_since = sysio_now_ms();
			continue;
		}
		size_t chunk = xfer_chunk(p), w;
		enum conn_status st;
		if (*off >= 0) {
			st = conn_sendfile(dc, fd, off, chunk < most ? chunk : most, &w);
			if (st == CONN_OK && w == 0)
				break;   /* the end of the file */
			if (st == CONN_ERROR && (errno == EINVAL || errno == ENOSYS) &&
			    p->done == p->start) {
				/* A file sendfile(2) cannot read from: read it. */
				if (lseek(fd, *off, SEEK_SET) < 0)
					return ftp_fail(f, FTP_AT_LOCAL, errno,
							"seeking in the local file");
				*off = -1;
				buf = xfer_buf(f);
				continue;
			}
		} else {
			st = conn_write(dc, buf + pos, have - pos < chunk ? have - pos : chunk, &w);
		}
		if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
			want = st;
			continue;
		}
		if (st != CONN_OK)
			return ftp_fail_conn(f, FTP_AT_DATA, dc, st, "sending data");
		want = CONN_WANT_WRITE;
		pos += w;
		p->done += (off_t)w;
		idle_since = sysio_now_ms();
	}
	xfer_progress(p, true);
	return FTP_S_OK;
}

/* The file's position for sending it with sendfile(2): a regular file,
 * sent as it is (binary), on a plain data connection. -1: read and write
 * it instead (ASCII converts, TLS encrypts in user space). */
static off_t xfer_sendfile_from(const struct ftp *f, const struct conn *dc, int fd)
{
	struct stat sb;
	if (f->ascii || conn_is_tls(dc) || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return -1;
	return lseek(fd, 0, SEEK_CUR);
}

/* Moves bytes from the local fd to the data connection until the fd ends.
 * A regular file goes from the page cache to the socket with sendfile(2),
 * without a copy through a buffer of ours; its position is then left
 * after the last byte sent, as reading would. Other files and ASCII are
 * read and written. Stops early with *early set when a reply other than
 * 1xx arrives on the control connection (the server gave up: disk full,
 * aborted); the reply is then in f->code. */
static enum ftp_status xfer_pump_out(struct ftp *f, struct conn *dc, int fd,
				     struct xfer_progress *p, bool *early)
{
	off_t off = xfer_sendfile_from(f, dc, fd);
	enum ftp_status st = xfer_pump_out_loop(f, dc, fd, &off, p, early);
	if (off >= 0 && lseek(fd, off, SEEK_SET) < 0 && st == FTP_S_OK && !*early)
		return ftp_fail(f, FTP_AT_LOCAL, errno, "seeking in the local file");
	return st;
}

/* True if a reply is buffered or arrives within ms. */
static bool xfer_reply_soon(struct ftp *f, int ms)
{
	if (f->ctl == NULL)
		return false;
	if (ftp_ctl_pending(f))
		return true;
	struct conn_pollfd p = { .c = f->ctl, .events = POLLIN };
	return conn_poll(&p, 1, ms) > 0;
}

/* Reads what the server says after ABOR: the transfer's own reply (426,
 * or 226 if it had just finished), then ABOR's (226, or 225 when no
 * transfer was running). 1xx lines are skipped (pure-ftpd reports the
 * speed in a 150). Some servers answer only once, so after a 2xx the
 * second reply is awaited only briefly; a late one is drained before the
 * next command. */
static void xfer_abort_replies(struct ftp *f, int wait_ms)
{
	int replies = 0;
	long long deadline = sysio_now_ms() + wait_ms;
	while (replies < 2) {
		if (replies == 1 && f->code / 100 == 2 && !xfer_reply_soon(f, FTP_ABOR_LINGER_MS))
			break;
		long long left = deadline - sysio_now_ms();
		if (ftp_read_reply_within(f, left > 0 ? (int)left : 0) != FTP_S_OK)
			return;
		if (f->code / 100 == 1)
			continue;
		replies++;
		if (f->code == FTP_ABOR_NO_TRANSFER)
			break;   /* 225 is ABOR's answer: nothing follows */
	}
}

enum ftp_status ftp_xfer_abort(struct ftp *f, struct conn **dc, enum ftp_status st)
{
	char keep[FTP_MSG_MAX];

	memcpy(keep, f->msg, sizeof keep);
	ftp_trace(f, FTP_TRACE_INFO, "aborting the transfer (%s)", keep);
	/* A server that let a wait time out, or one the user stopped waiting
	 * for, gets a short while to answer; the connection closes after it. */
	int wait = f->timeout_ms;
	if ((st == FTP_S_CANCELLED || f->stalled) && wait > FTP_GIVE_UP_MS)
		wait = FTP_GIVE_UP_MS;
	if (f->ctl != NULL && ftp_send(f, "ABOR", NULL) == FTP_S_OK) {
		ftp_data_reset_conn(f, dc);
		/* Ctrl-C asked for this ABOR: its replies are still read. */
		f->hold_interrupt = true;
		xfer_abort_replies(f, wait);
		f->hold_interrupt = false;
	}
	ftp_data_reset_conn(f, dc);
	memcpy(f->msg, keep, sizeof keep);
	return st;
}

/* Sends REST offset (when > 0) and verb arg, and reads the reply. On
 * success a 1xx came (or a 2xx, when done_ok: the server finished before
 * the data was read) and *dc is the data connection (TLS started when the
 * session has it); *dfd is then -1. Otherwise dfd is reset. */
static enum ftp_status xfer_start(struct ftp *f, int *dfd, const char *verb, const char *arg,
				  off_t offset, bool done_ok, struct conn **dc)
{
	enum ftp_status st = FTP_S_OK;

	*dc = NULL;
	if (offset > 0) {
		char num[32];
		snprintf(num, sizeof num, "%jd", (intmax_t)offset);
		st = ftp_command(f, "REST", num);
		if (st == FTP_S_OK)
			st = ftp_check(f, 3);
	}
	if (st == FTP_S_OK)
		st = ftp_send(f, verb, arg);
	if (st == FTP_S_OK)
		st = ftp_read_reply(f);
	bool started = st == FTP_S_OK && f->code / 100 == 1;
	if (started || (st == FTP_S_OK && done_ok && f->code / 100 == 2)) {
		if (started)
			f->retry_ok = false;   /* data may move now: never repeat silently */
		st = ftp_data_accept(f, dfd);
		if (st != FTP_S_OK) {
			ftp_data_reset(f, dfd);
			return st;
		}
		int code = f->code;   /* 1xx, or the 226 that came while accepting */
		bool replied;
		st = ftp_tls_data(f, dfd, dc, &replied);
		if (st == FTP_S_OK) {
			f->code = code;
			return st;
		}
		/* The transfer's reply came already, or ABOR brings it. */
		return replied || f->ctl == NULL ? st : ftp_xfer_abort(f, dc, st);
	}
	ftp_data_reset(f, dfd);
	if (st == FTP_S_OK)
		st = ftp_check(f, 1);
	return st;
}

/* Turns the final reply of a transfer into its status: 2xx done, 426
 * broken off, anything else refused (452 disk full, 550...). */
static enum ftp_status xfer_final_status(struct ftp *f)
{
	enum ftp_status st = ftp_check(f, 2);
	if (f->code == FTP_TRANSFER_ABORTED)
		st = FTP_S_BROKEN;
	return st;
}

/* Reads the final reply of a transfer (skipping 1xx) and maps it. */
static enum ftp_status xfer_finish(struct ftp *f)
{
	enum ftp_status st;
	do
		st = ftp_read_reply(f);
	while (st == FTP_S_OK && f->code / 100 == 1);
	return st == FTP_S_OK ? xfer_final_status(f) : st;
}

/* Ends a data connection the server ended cleanly: under TLS our
 * close_notify in answer (no wait), then the socket closed. */
static void xfer_close(struct conn **dc)
{
	if (conn_is_tls(*dc))
		conn_shutdown(*dc);
	conn_free(*dc);
	*dc = NULL;
}

/* The size a reply announces as "(N bytes)", the last such group in its
 * text; -1 if it has none (or the number is absurdly long). */
static off_t announced_size(const char *t)
{
	off_t found = -1;
	for (const char *p = strchr(t, '('); p != NULL; p = strchr(p + 1, '(')) {
		const char *d = p + 1;
		long long v = 0;
		int n = 0;
		for (; *d >= '0' && *d <= '9' && n < 18; d++, n++)
			v = v * 10 + (*d - '0');
		if (n > 0 && strncmp(d, " bytes)", 7) == 0)
			found = (off_t)v;
	}
	return found;
}

enum ftp_status ftp_xfer_recv(struct ftp *f, int dfd, const char *verb, const char *arg,
			      off_t offset, off_t *total, const struct ftp_sink *sink,
			      ftp_progress_fn *progress, void *parg)
{
	struct xfer_progress p;
	struct conn *dc;
	enum ftp_status st = xfer_start(f, &dfd, verb, arg, offset, true, &dc);

	if (st != FTP_S_OK)
		return st;
	bool finished = f->code / 100 == 2;   /* also when the 226 came before the connection */
	if (finished)
		ftp_msg_from_reply(f);
	else if (*total < 0 && offset == 0 && !f->ascii && sink->size_in_150)
		*total = announced_size(ftp_reply_text(f));
	xfer_progress_init(&p, progress, parg, offset, *total);
	p.rate = sink->limited ? f->rate : 0;
	st = xfer_pump_in(f, dc, sink, &p);
	f->xfer_done = p.done;
	if (st != FTP_S_OK)
		return ftp_xfer_abort(f, &dc, st);
	xfer_close(&dc);
	return finished ? FTP_S_OK : xfer_finish(f);
}

/* Sends our end of an upload: plain, the socket is closed (its FIN);
 * under TLS, close_notify and FIN, waiting while the socket cannot take
 * them, and the connection stays open until the server's reply, so a
 * reset cannot overtake what is still in flight. */
static enum ftp_status xfer_end_upload(struct ftp *f, struct conn **dc)
{
	enum conn_status st;
	if (!conn_is_tls(*dc)) {
		conn_free(*dc);
		*dc = NULL;
		return FTP_S_OK;
	}
	/* One deadline for the whole ending: a server taking a few bytes now
	 * and then cannot hold the upload beyond the time-out. */
	long long deadline = sysio_now_ms() + f->timeout_ms;
	while ((st = conn_shutdown(*dc)) == CONN_WANT_READ || st == CONN_WANT_WRITE) {
		long long left = deadline - sysio_now_ms();
		if (conn_wait(*dc, st, left > 0 ? (int)left : 0) != CONN_OK)
			break;
	}
	if (st == CONN_OK)
		return FTP_S_OK;
	return ftp_fail_conn(f, FTP_AT_DATA, *dc, st, "ending the upload");
}

/* After sending failed on the data connection: a server that stopped
 * reading (disk full, quota) resets it and gives its reason on the
 * control connection, perhaps a moment later. Reads that reply when it
 * comes within FTP_ABOR_LINGER_MS and is the transfer's last; true then,
 * with its status in *st. Else false, the message as it was. */
static bool xfer_server_gave_up(struct ftp *f, enum ftp_status *st)
{
	char keep[FTP_MSG_MAX];

	memcpy(keep, f->msg, sizeof keep);
	while (xfer_reply_soon(f, FTP_ABOR_LINGER_MS)) {
		if (ftp_read_reply(f) != FTP_S_OK)
			break;
		if (f->code / 100 == 1)
			continue;
		if (f->code / 100 == 2)
			break;   /* done, yet the bytes did not all go: still broken */
		*st = xfer_final_status(f);
		return true;
	}
	memcpy(f->msg, keep, sizeof keep);
	return false;
}

/* Runs an upload on the open data connection dfd: REST offset first when
 * offset > 0, verb arg, then the bytes of fd. Closes dfd. */
static enum ftp_status xfer_send(struct ftp *f, int dfd, const char *verb, const char *arg,
				 off_t offset, int fd, struct xfer_progress *p)
{
	struct conn *dc;
	enum ftp_status st = xfer_start(f, &dfd, verb, arg, offset, false, &dc);
	if (st != FTP_S_OK)
		return st;
	bool early;
	p->t0 = sysio_now_ms();
	p->last = p->t0 - FTP_PROGRESS_MS;
	st = xfer_pump_out(f, dc, fd, p, &early);
	f->xfer_done = p->done;
	if (st == FTP_S_BROKEN && f->ctl != NULL && xfer_server_gave_up(f, &st)) {
		ftp_data_reset_conn(f, &dc);
		return st;
	}
	if (st != FTP_S_OK)
		return ftp_xfer_abort(f, &dc, st);
	if (early) {
		ftp_data_reset_conn(f, &dc);
		st = xfer_final_status(f);
		if (st == FTP_S_OK) {
			char keep[FTP_MSG_MAX];
			memcpy(keep, f->msg, sizeof keep);
			ftp_set_msg(f, "the server ended the upload early: %s", keep);
			st = FTP_S_BROKEN;
		}
		return st;
	}
	struct stat now;
	if (!f->ascii && p->total >= 0 && p->done < p->total && fstat(fd, &now) == 0 &&
	    S_ISREG(now.st_mode) && now.st_size < p->total) {
		/* The file ended before the size it had when the upload began,
		 * and is smaller now (a file that only reads shorter than its
		 * size, as in sysfs, did not shrink): ending the upload now
		 * would pass a cut copy off as whole. */
		ftp_set_msg(f, "the local file shrank during the upload (%jd of %jd bytes sent)",
			    (intmax_t)p->done, (intmax_t)p->total);
		f->code = 0;
		return ftp_xfer_abort(f, &dc, FTP_S_LOCAL);
	}
	/* The end of the file for the server: FIN, under TLS after our
	 * close_notify, without which a careful server discards the upload. */
	st = xfer_end_upload(f, &dc);
	if (st != FTP_S_OK)
		return ftp_xfer_abort(f, &dc, st);
	st = xfer_finish(f);
	conn_free(dc);
	return st;
}

/* Where a download writes: the caller's fd, through the ASCII type's
 * conversion when it is on. */
struct xfer_out {
	struct ftp *f;        /* for the conversion buffer */
	int fd;               /* the caller's file */
	bool ascii;           /* CR LF becomes LF */
	struct ascii_in conv; /* the conversion's state between buffers */
	off_t left;           /* bytes still wanted (a range); -1: all */
	bool full;            /* the range is complete: what follows is not wanted */
};

/* The sink's answer when a range is complete (not an errno value). */
#define XFER_RANGE_FULL (-1)

/* Largest write into the local file. The page cache gives a write a folio
 * as large as the write; on a virtual machine whose host took back free
 * memory, large folios come from pages that trap on first touch, and a
 * GiB written 256 KiB at a time can cost three times the CPU of 128 KiB
 * writes (ferryd's uploads use the same size; doc/performance.md). */
#define XFER_FILE_WRITE (128 * 1024)

/* Writes all of buf to fd, at most XFER_FILE_WRITE at a time. */
static int write_file(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		size_t part = n < XFER_FILE_WRITE ? n : XFER_FILE_WRITE;
		if (sysio_write_all(fd, buf, part) < 0)
			return -1;
		buf += part;
		n -= part;
	}
	return 0;
}

/* Writes all of buf to the caller's fd, converted when ASCII. */
static int sink_fd(void *arg, const char *buf, size_t n)
{
	struct xfer_out *o = arg;
	if (o->left >= 0) {
		if ((off_t)n >= o->left) {
			n = (size_t)o->left;
			o->full = true;
		}
		o->left -= (off_t)n;
		if (write_file(o->fd, buf, n) < 0)
			return errno;
		return o->full ? XFER_RANGE_FULL : 0;
	}
	if (o->ascii) {
		char *text = xfer_text_buf(o->f);
		n = ascii_from_wire(&o->conv, buf, n, text);
		buf = text;
	}
	return write_file(o->fd, buf, n) < 0 ? errno : 0;
}

/* Arguments of a download or upload. */
struct xfer_args {
	const char *remote;        /* remote file name */
	int fd;                    /* local file */
	enum ftp_put_mode mode;    /* uploads: how to write */
	off_t offset;              /* resume offset */
	off_t length;              /* downloads: bytes wanted from offset; -1: to the end */
	off_t known;               /* downloads: the file's size from a listing; -1: SIZE */
	ftp_progress_fn *fn;       /* progress callback or NULL */
	void *arg;                 /* its argument */
};

/* Download: SIZE (only to report progress, when offered and the caller
 * does not know the size from a listing), data connection, REST, RETR. */
static enum ftp_status op_get(struct ftp *f, void *p)
{
	struct xfer_args *a = p;
	struct stat sb;
	enum ftp_status st;

	if (fstat(a->fd, &sb) < 0)
		return ftp_fail(f, FTP_AT_LOCAL, errno, "the local file");
	if (a->offset > 0 && S_ISREG(sb.st_mode) && lseek(a->fd, a->offset, SEEK_SET) < 0)
		return ftp_fail(f, FTP_AT_LOCAL, errno, "seeking in the local file");
	off_t total = a->known;
	if (total < 0 && a->fn != NULL && (f->feat & FTP_FEAT_SIZE)) {
		st = ftp_command(f, "SIZE", a->remote);
		if (st != FTP_S_OK)
			return st;
		if (f->code == FTP_FILE_STATUS && !ftp_reply_size(f, &total))
			total = -1;
	}
	int dfd;
	st = ftp_data_open(f, &dfd);
	if (st != FTP_S_OK)
		return st;
	struct xfer_out out = { .f = f, .fd = a->fd, .ascii = f->ascii, .left = a->length };
	struct ftp_sink sink = { .write = sink_fd, .arg = &out, .what = "writing the local file",
				 .limited = true, .size_in_150 = true };
	/* A range ends where it ends, whatever the file's size. */
	if (a->length >= 0 && (total < 0 || a->offset + a->length < total))
		total = a->offset + a->length;
	st = ftp_xfer_recv(f, dfd, "RETR", a->remote, a->offset, &total, &sink, a->fn, a->arg);
	if (st != FTP_S_OK && out.full) {
		/* The range is complete; the rest was refused and ABOR sent. */
		ftp_set_msg(f, "%jd bytes from %jd received", (intmax_t)a->length,
			    (intmax_t)a->offset);
		return FTP_S_OK;
	}
	/* The bytes wanted: the range, or (in binary) the rest of the size
	 * SIZE, the caller's listing or the 150 gave. */
	off_t want = a->length >= 0 ? a->length : !f->ascii && total > a->offset ?
		     total - a->offset : -1;
	off_t got = f->xfer_done - a->offset;
	if (st == FTP_S_OK && a->length >= 0 && out.left > 0)
		got = a->length - out.left;
	if (st == FTP_S_OK && want >= 0 && got < want) {
		/* The server ended the transfer early, with a 2xx all the
		 * same: what is missing would be a gap (a range) or a short
		 * file. The caller may go on from f->xfer_done (--retry does). */
		char reply[FTP_MSG_MAX];
		snprintf(reply, sizeof reply, "%s", f->msg);
		ftp_set_msg(f, "the transfer ended after %jd of %jd bytes (%s)", (intmax_t)got,
			    (intmax_t)want, reply);
		f->code = 0;
		return FTP_S_BROKEN;
	}
	char cr;
	if (st == FTP_S_OK && ascii_from_wire_end(&out.conv, &cr) > 0 &&
	    sysio_write_all(a->fd, &cr, 1) < 0)
		return ftp_fail(f, FTP_AT_LOCAL, errno, "writing the local file");
	return st;
}

/* Refuses an offset in ASCII mode: REST counts bytes on the wire, which
 * differ from bytes on disk. */
static enum ftp_status xfer_no_ascii_offset(struct ftp *f)
{
	ftp_set_msg(f, "transfers in ascii mode cannot resume (REST counts the server's bytes)");
	f->code = 0;
	return FTP_S_USAGE;
}

/* True when a failed transfer is worth another try, having noted why. */
static bool xfer_retry_due(struct ftp *f, enum ftp_status st, int attempt, char *why,
			   size_t whysz)
{
	/* A connect or login failure has had its retries already (ftp_reconnect). */
	if (attempt >= f->retries || st == FTP_S_CONNECT || (f->ctl == NULL && f->login_broke) ||
	    !ftp_retryable(f, st))
		return false;
	snprintf(why, whysz, "%s", f->msg);
	return true;
}

/* Empties fd back to base, where a whole download (from the first byte)
 * began writing in it, so that it can start again; false when fd is not
 * a regular file (base < 0) or cannot be cut. */
static bool xfer_start_over(int fd, off_t base)
{
	return base >= 0 && ftruncate(fd, base) == 0 && lseek(fd, base, SEEK_SET) == base;
}

/* ftp_get_range, with the file's size when a listing gave it (known >= 0:
 * no SIZE command for the progress). */
static enum ftp_status get_range(struct ftp *f, const char *remote, int fd, off_t offset,
				 off_t length, off_t known, ftp_progress_fn *progress, void *arg)
{
	enum ftp_status st;
	struct xfer_args a = { .remote = remote, .fd = fd, .offset = offset, .length = length,
			       .known = known, .fn = progress, .arg = arg };
	char why[FTP_MSG_MAX];

	if (!ftp_arg_ok(f, remote, true, &st))
		return st;
	if (offset < 0 || fd < 0) {
		ftp_set_msg(f, "a negative offset or file descriptor");
		return FTP_S_USAGE;
	}
	if (offset > 0 && f->ascii)
		return xfer_no_ascii_offset(f);
	struct stat sb;
	off_t base = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? lseek(fd, 0, SEEK_CUR) : -1;
	for (int attempt = 0;; attempt++) {
		f->xfer_done = a.offset;
		st = ftp_run(f, op_get, &a);
		if (st == FTP_S_OK || !xfer_retry_due(f, st, attempt, why, sizeof why))
			return st;
		/* Go on from what arrived: REST, and the sink written from there
		 * (in binary only: ASCII offsets on the wire and on disk differ);
		 * without REST a whole download into a file starts again. */
		if (f->xfer_done > a.offset && (!(f->feat & FTP_FEAT_REST) || f->ascii)) {
			if (a.offset > 0 || a.length >= 0 || !xfer_start_over(fd, base))
				return st;   /* no way to go on from the middle */
		} else if (f->xfer_done > a.offset) {
			if (a.length >= 0)
				a.length -= f->xfer_done - a.offset;
			a.offset = f->xfer_done;
		}
		if (!ftp_backoff(f, attempt, why, progress, arg, a.offset, -1))
			return FTP_S_CANCELLED;
	}
}

enum ftp_status ftp_get(struct ftp *f, const char *remote, int fd, off_t offset,
			ftp_progress_fn *progress, void *arg)
{
	return ftp_get_range(f, remote, fd, offset, -1, progress, arg);
}

enum ftp_status ftp_get_sized(struct ftp *f, const char *remote, int fd, off_t offset,
			      off_t size, ftp_progress_fn *progress, void *arg)
{
	return get_range(f, remote, fd, offset, -1, size < 0 ? -1 : size, progress, arg);
}

enum ftp_status ftp_get_range(struct ftp *f, const char *remote, int fd, off_t offset,
			      off_t length, ftp_progress_fn *progress, void *arg)
{
	return get_range(f, remote, fd, offset, length, -1, progress, arg);
}

/* Declares the bytes an upload will send with ALLO (RFC 959), so the
 * server can tell a whole upload from one cut short. ALLO is written
 * ahead: it goes out in the same write as the data connection's command
 * (EPSV, PASV, EPRT or PORT), and its reply, read first, is dealt with in
 * ftp.c (a refusal for want of room lands in f->allo_st; an unknown
 * command stops ALLO for the session). */
static void xfer_allo(struct ftp *f, off_t bytes)
{
	char num[32];

	f->allo_st = FTP_S_OK;
	if (f->no_allo)
		return;
	snprintf(num, sizeof num, "%jd", (intmax_t)bytes);
	if (f->n_ahead >= FTP_AHEAD_MAX)
		ftp_settle(f);
	ftp_ahead_add(f, FTP_AHEAD_ALLO, num, NULL, NULL, NULL);
}

/* After the data connection was prepared (st): a refusal of the ALLO sent
 * with it ends the upload, with ALLO's reply as the message; an ALLO never
 * sent (no command went out) is forgotten. */
static enum ftp_status xfer_allo_outcome(struct ftp *f, enum ftp_status st, int *dfd)
{
	ftp_ahead_drop_unsent(f, FTP_AHEAD_ALLO);
	if (f->allo_st == FTP_S_OK)
		return st;
	if (st == FTP_S_OK)
		ftp_data_reset(f, dfd);
	ftp_set_msg(f, "%s", f->allo_msg);
	f->code = f->allo_code;
	return f->allo_st;
}

/* Upload: ALLO when the size is known, data connection, then STOR
 * (after REST to resume) or APPE. */
static enum ftp_status op_put(struct ftp *f, void *p)
{
	struct xfer_args *a = p;
	struct stat sb;
	struct xfer_progress prog;
	off_t start = a->mode == FTP_PUT_REPLACE ? 0 : a->offset;
	off_t total = -1;

	if (fstat(a->fd, &sb) < 0)
		return ftp_fail(f, FTP_AT_LOCAL, errno, "the local file");
	if (S_ISREG(sb.st_mode)) {
		if (start > 0 && lseek(a->fd, start, SEEK_SET) < 0)
			return ftp_fail(f, FTP_AT_LOCAL, errno, "seeking in the local file");
		off_t pos = lseek(a->fd, 0, SEEK_CUR);
		if (pos >= 0 && pos <= sb.st_size)
			total = start + (sb.st_size - pos);
	}
	/* The size on the wire is known in binary only (ASCII adds CRs). */
	f->allo_st = FTP_S_OK;
	if (total >= 0 && !f->ascii)
		xfer_allo(f, total - start);
	int dfd;
	enum ftp_status st = xfer_allo_outcome(f, ftp_data_open(f, &dfd), &dfd);
	if (st != FTP_S_OK)
		return st;
	xfer_progress_init(&prog, a->fn, a->arg, start, total);
	prog.rate = f->rate;
	return xfer_send(f, dfd, a->mode == FTP_PUT_APPEND ? "APPE" : "STOR", a->remote,
			 a->mode == FTP_PUT_RESUME ? a->offset : 0, a->fd, &prog);
}

/* Before another try of a broken upload: where to read from and write
 * at. A fresh upload starts over (a server may have kept the old file
 * rather than the part sent: ferryd does); a resumed one goes on from the
 * size the server now reports; an append that sent anything is not tried
 * again (the server's starting size is not known). False: no retry. */
static bool xfer_put_again(struct ftp *f, struct xfer_args *a, off_t pos0, off_t size)
{
	switch (a->mode) {
	case FTP_PUT_REPLACE:
		return lseek(a->fd, pos0, SEEK_SET) == pos0;
	case FTP_PUT_RESUME: {
		off_t rsize;
		if (ftp_size(f, a->remote, &rsize) == FTP_S_OK && rsize >= a->offset &&
		    rsize <= size)
			a->offset = rsize;
		return true;
	}
	case FTP_PUT_APPEND:
		return f->xfer_done <= a->offset;
	}
	return false;
}

enum ftp_status ftp_put(struct ftp *f, int fd, const char *remote, enum ftp_put_mode mode,
			off_t offset, ftp_progress_fn *progress, void *arg)
{
	enum ftp_status st;
	struct xfer_args a = { .remote = remote, .fd = fd, .mode = mode, .offset = offset,
			       .fn = progress, .arg = arg };
	char why[FTP_MSG_MAX];
	struct stat sb;

	if (!ftp_arg_ok(f, remote, true, &st))
		return st;
	if (offset < 0 || fd < 0 || (mode == FTP_PUT_REPLACE && offset != 0) ||
	    (mode != FTP_PUT_REPLACE && mode != FTP_PUT_RESUME && mode != FTP_PUT_APPEND)) {
		ftp_set_msg(f, "bad upload mode, offset or file descriptor");
		return FTP_S_USAGE;
	}
	if (f->ascii && (mode != FTP_PUT_REPLACE))
		return xfer_no_ascii_offset(f);
	/* Only a regular file can be read again for another try. */
	bool again = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	off_t pos0 = again ? lseek(fd, 0, SEEK_CUR) : -1;
	for (int attempt = 0;; attempt++) {
		f->xfer_done = a.offset;
		st = ftp_run(f, op_put, &a);
		if (st == FTP_S_OK || pos0 < 0 || !xfer_retry_due(f, st, attempt, why, sizeof why))
			return st;
		if (!ftp_backoff(f, attempt, why, progress, arg, a.offset, sb.st_size))
			return FTP_S_CANCELLED;
		if (!xfer_put_again(f, &a, pos0, sb.st_size)) {
			ftp_set_msg(f, "%s", why);
			return st;
		}
	}
}
