/* ftp: the engine's core. Handle lifecycle, the control connection (one
 * function sends a command, one reads a complete reply with a timeout),
 * and the two places where outcomes become statuses: ftp_check for
 * replies, ftp_fail for errno. Also ftp_run, which every command goes
 * through: it notices a dead connection, reopens it, and retries once.
 * Nothing here prints; messages and trace lines are sanitised. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "ftp_private.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sysio.h"
#include "xalloc.h"

struct ftp *ftp_new(void)
{
	struct ftp *f = xcalloc(1, sizeof *f);
	f->timeout_ms = FTP_DEFAULT_TIMEOUT_MS;
	tlsc_options_init(&f->tls_opt);
	f->tls_opt.mode = TLSC_OFF;
	snprintf(f->scheme, sizeof f->scheme, "ftp");
	lr_init(&f->lr, false);
	reply_parser_init(&f->rp);
	return f;
}

void ftp_free(struct ftp *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->n_ahead; i++)
		f->ahead[i].done = NULL;   /* nobody left to tell */
	ftp_hang_up(f);
	reply_parser_free(&f->rp);
	free(f->welcome);
	free(f->host);
	free(f->user);
	if (f->pass != NULL) {
		memset(f->pass, 0, strlen(f->pass));
		free(f->pass);
	}
	free(f->cwd);
	free(f->cwd_display);
	free(f->xbuf);
	free(f->tbuf);
	free(f->reply_shown);
	free(f);
}

void ftp_set_timeout(struct ftp *f, int ms)
{
	if (ms > 0)
		f->timeout_ms = ms;
}

void ftp_set_telnet_iac(struct ftp *f, bool on)
{
	f->raw_iac = !on;
}

void ftp_set_active(struct ftp *f, bool on)
{
	f->active = on;
}

void ftp_set_retry(struct ftp *f, int retries)
{
	f->retries = retries > 0 ? retries : 0;
}

void ftp_set_rate_limit(struct ftp *f, off_t bytes_per_sec)
{
	f->rate = bytes_per_sec > 0 ? bytes_per_sec : 0;
}

void ftp_set_min_rate(struct ftp *f, off_t bytes_per_sec)
{
	f->min_rate = bytes_per_sec > 0 ? bytes_per_sec : 0;
}

void ftp_set_interrupt(struct ftp *f, bool (*fn)(void *arg), void *arg)
{
	f->interrupt = fn;
	f->interrupt_arg = arg;
}

bool ftp_interrupted(const struct ftp *f)
{
	return !f->hold_interrupt && f->interrupt != NULL && f->interrupt(f->interrupt_arg);
}

int ftp_wait(struct ftp *f, struct conn_pollfd *p, int n, int timeout_ms)
{
	long long deadline = sysio_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	for (;;) {
		if (ftp_interrupted(f)) {
			errno = ECANCELED;
			return -1;
		}
		long long left = deadline - sysio_now_ms();
		if (left < 0)
			left = 0;
		/* The signal breaks into the poll; one that came just before it
		 * started is seen at the end of the slice. */
		int slice = f->interrupt != NULL && left > FTP_PROGRESS_MS ? FTP_PROGRESS_MS
									  : (int)left;
		int r = conn_poll_signal(p, n, slice);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0 || slice >= left)
			return r;
	}
}

int ftp_connect_addr(struct ftp *f, const struct netaddr *a, int timeout_ms, const char **what)
{
	int fd = sysio_connect_start(a, NULL, what);
	if (fd < 0)
		return -1;
	/* The wait for the connect to finish is one for the server too. */
	struct conn *c = conn_plain(fd, fd);
	struct conn_pollfd p = { .c = c, .events = POLLOUT };
	int r = ftp_wait(f, &p, 1, timeout_ms);
	int err = errno;
	conn_release(c);
	if (r <= 0) {
		sysio_close(&fd);
		errno = r == 0 ? ETIMEDOUT : err;
		*what = r == 0 || err == ECANCELED ? "connect" : "poll";
		return -1;
	}
	return sysio_connect_end(&fd, what) < 0 ? -1 : fd;
}

void ftp_set_trace(struct ftp *f, ftp_trace_fn *fn, void *arg)
{
	f->trace = fn;
	f->trace_arg = arg;
}

void ftp_set_notice(struct ftp *f, ftp_notice_fn *fn, void *arg)
{
	f->notice = fn;
	f->notice_arg = arg;
}

bool ftp_connected(const struct ftp *f)
{
	return f->ctl != NULL;
}

const char *ftp_message(const struct ftp *f)
{
	return f->msg;
}

int ftp_reply_code(const struct ftp *f)
{
	return f->code;
}

bool ftp_refused_long(const struct ftp *f)
{
	return f->long_refused;
}

const char *ftp_welcome(const struct ftp *f)
{
	return f->welcome ? f->welcome : "";
}

unsigned ftp_features(const struct ftp *f)
{
	return f->feat;
}

const char *ftp_dir(const struct ftp *f)
{
	return f->cwd ? f->cwd : "";
}

const char *ftp_dir_display(const struct ftp *f)
{
	return f->cwd_display ? f->cwd_display : "";
}

const char *ftp_status_name(enum ftp_status s)
{
	static const char *const names[] = {
		[FTP_S_OK] = "ok",
		[FTP_S_USAGE] = "usage",
		[FTP_S_CONNECT] = "connect",
		[FTP_S_LOGIN] = "login",
		[FTP_S_REFUSED] = "refused",
		[FTP_S_LOCAL] = "local",
		[FTP_S_BROKEN] = "broken",
		[FTP_S_CANCELLED] = "cancelled",
		[FTP_S_TLS] = "tls",
	};
	if ((unsigned)s < sizeof names / sizeof names[0])
		return names[s];
	return "unknown";
}

const char *ftp_message_or_status(const struct ftp *f, enum ftp_status st)
{
	const char *m = ftp_message(f);
	return m[0] != '\0' ? m : ftp_status_name(st);
}

/* Formats into a bounded buffer, then sanitises into out. */
static void ftp_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
	char raw[FTP_MSG_MAX];
	int n = vsnprintf(raw, sizeof raw, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof raw)
		n = (int)sizeof raw - 1;
	sanitize_text(raw, (size_t)n, out, outsz);
}

void ftp_trace(struct ftp *f, enum ftp_trace_kind kind, const char *fmt, ...)
{
	char line[FTP_MSG_MAX];
	va_list ap;

	if (f->trace == NULL)
		return;
	va_start(ap, fmt);
	ftp_vformat(line, sizeof line, fmt, ap);
	va_end(ap);
	f->trace(f->trace_arg, kind, line);
}

void ftp_notice(struct ftp *f, enum ftp_notice_kind kind, const char *fmt, ...)
{
	char line[FTP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	ftp_vformat(line, sizeof line, fmt, ap);
	va_end(ap);
	if (f->notice != NULL)
		f->notice(f->notice_arg, kind, line);
}

void ftp_set_msg(struct ftp *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ftp_vformat(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
}

const char *ftp_reply_text(const struct ftp *f)
{
	return sbuf_str(&f->rp.text);
}

void ftp_msg_from_reply(struct ftp *f)
{
	char flat[FTP_MSG_MAX];
	const char *t = ftp_reply_text(f);
	size_t n = 0;

	/* Multi-line replies become one line: their lines joined by spaces. */
	for (; *t != '\0' && n + 1 < sizeof flat; t++)
		flat[n++] = *t == '\n' ? ' ' : *t;
	flat[n] = '\0';
	ftp_set_msg(f, "%03d %s", f->code, flat);
}

/* Closes the control connection, keeping what was read from it. */
static void ftp_drop_control(struct ftp *f)
{
	conn_free(f->ctl);
	f->ctl = NULL;
	ftp_tls_end(f);
}

/* Removes the oldest command written ahead (its reply dealt with). */
static void ahead_pop(struct ftp *f)
{
	free(f->ahead[0].arg);
	free(f->ahead[0].remote);
	memmove(&f->ahead[0], &f->ahead[1], (size_t)(f->n_ahead - 1) * sizeof f->ahead[0]);
	f->n_ahead--;
}

/* Fails the command written ahead a (taken out of the queue): an ALLO's
 * upload fails as broken; an MFMT's callback is told st, with the message
 * of the failure and no reply code. Frees a's strings. */
static void ahead_fail_one(struct ftp *f, struct ftp_ahead *a, enum ftp_status st)
{
	if (a->kind == FTP_AHEAD_ALLO) {
		f->allo_st = FTP_S_BROKEN;
		f->allo_code = 0;
		snprintf(f->allo_msg, sizeof f->allo_msg, "%s",
			 f->msg[0] ? f->msg : "connection closed");
	} else if (a->done != NULL) {
		int code = f->code;
		f->code = 0;
		a->done(a->done_arg, a->remote, st);
		f->code = code;
	}
	free(a->arg);
	free(a->remote);
}

/* Every command written ahead, sent or not, fails (st to callbacks). */
static void ahead_fail_all(struct ftp *f, enum ftp_status st)
{
	while (f->n_ahead > 0) {
		struct ftp_ahead a = f->ahead[0];
		memmove(&f->ahead[0], &f->ahead[1], (size_t)(f->n_ahead - 1) * sizeof a);
		f->n_ahead--;
		ahead_fail_one(f, &a, st);
	}
}

/* The connection is gone (see ftp_close_control): ALLOs fail; an MFMT
 * sent on it is kept to be sent once more, unsent, unless it was its
 * second time; one not sent yet waits as it was. */
static void ahead_lost(struct ftp *f)
{
	int n = f->n_ahead, kept = 0, again = 0;
	struct ftp_ahead gone[FTP_AHEAD_MAX];
	int n_gone = 0;

	for (int i = 0; i < n; i++) {
		struct ftp_ahead a = f->ahead[i];
		if (a.kind == FTP_AHEAD_MFMT && !(a.sent && a.again)) {
			if (a.sent) {
				a.sent = false;
				a.again = true;
				again++;
			}
			f->ahead[kept++] = a;
		} else {
			gone[n_gone++] = a;
		}
	}
	f->n_ahead = kept;
	for (int i = 0; i < n_gone; i++)
		ahead_fail_one(f, &gone[i], FTP_S_BROKEN);
	if (again > 0)
		ftp_trace(f, FTP_TRACE_INFO, "no reply to %d MFMT%s: sent again after the next login",
			  again, again == 1 ? "" : "s");
}

/* The engine could not log in again: the MFMTs kept from the lost
 * connection fail (their callbacks told st, or FTP_S_BROKEN for a login
 * that ended in the wrong directory, their names being relative to it). */
static void ahead_give_up(struct ftp *f, enum ftp_status st)
{
	ahead_fail_all(f, st == FTP_S_REFUSED || st == FTP_S_OK ? FTP_S_BROKEN : st);
}

/* Closes the control connection and forgets what was read from it. */
static void ftp_reset_control(struct ftp *f)
{
	ftp_drop_control(f);
	lr_init(&f->lr, false);
	reply_parser_free(&f->rp);
	reply_parser_init(&f->rp);
}

void ftp_close_control(struct ftp *f)
{
	ftp_reset_control(f);
	ahead_lost(f);
}

void ftp_hang_up(struct ftp *f)
{
	ftp_reset_control(f);
	if (f->n_ahead == 0)
		return;
	char keep[FTP_MSG_MAX];
	memcpy(keep, f->msg, sizeof keep);
	ftp_set_msg(f, "the connection closed before the server's reply");
	ahead_fail_all(f, FTP_S_BROKEN);
	memcpy(f->msg, keep, sizeof keep);
}

bool ftp_ahead_add(struct ftp *f, enum ftp_ahead_kind kind, const char *arg, const char *remote,
		   ftp_later_fn *done, void *done_arg)
{
	if (f->n_ahead >= FTP_AHEAD_MAX)
		return false;
	f->ahead[f->n_ahead++] = (struct ftp_ahead){
		.kind = kind, .arg = xstrdup(arg), .remote = remote ? xstrdup(remote) : NULL,
		.done = done, .done_arg = done_arg,
	};
	return true;
}

void ftp_ahead_drop_unsent(struct ftp *f, enum ftp_ahead_kind kind)
{
	for (int i = 0; i < f->n_ahead;) {
		struct ftp_ahead *a = &f->ahead[i];
		if (a->sent || a->kind != kind) {
			i++;
			continue;
		}
		free(a->arg);
		free(a->remote);
		memmove(a, a + 1, (size_t)(f->n_ahead - i - 1) * sizeof *a);
		f->n_ahead--;
	}
}

/* Forgets the command written ahead at index i, not sent: it could not
 * be (a line too long); its callback is told FTP_S_USAGE. */
static void ahead_unsendable(struct ftp *f, int i)
{
	struct ftp_ahead a = f->ahead[i];
	memmove(&f->ahead[i], &f->ahead[i + 1], (size_t)(f->n_ahead - i - 1) * sizeof a);
	f->n_ahead--;
	if (a.done != NULL) {
		int code = f->code;
		f->code = 0;
		a.done(a.done_arg, a.remote, FTP_S_USAGE);
		f->code = code;
	}
	free(a.arg);
	free(a.remote);
}

/* The verb of a command written ahead. */
static const char *ahead_verb(const struct ftp_ahead *a)
{
	return a->kind == FTP_AHEAD_ALLO ? "ALLO" : "MFMT";
}

enum ftp_status ftp_fail(struct ftp *f, enum ftp_where where, int err, const char *what)
{
	if (err == ETIMEDOUT && where != FTP_AT_LOCAL)
		f->stalled = true;
	return ftp_fail_text(f, where, what, err == 0 ? "connection closed by the server"
						     : strerror(err));
}

enum ftp_status ftp_fail_conn(struct ftp *f, enum ftp_where where, const struct conn *c,
			      enum conn_status st, const char *what)
{
	if (st == CONN_EOF || (st == CONN_TRUNCATED && where != FTP_AT_DATA))
		return ftp_fail(f, where, 0, what);
	const char *why = conn_error(c);
	return ftp_fail_text(f, where, what, why[0] ? why : "failed");
}

enum ftp_status ftp_fail_text(struct ftp *f, enum ftp_where where, const char *what,
			      const char *reason)
{
	ftp_set_msg(f, "%s: %s", what, reason);
	f->code = 0;
	switch (where) {
	case FTP_AT_CONNECT:
		ftp_close_control(f);
		return FTP_S_CONNECT;
	case FTP_AT_CONTROL:
		ftp_close_control(f);
		return FTP_S_BROKEN;
	case FTP_AT_DATA:
		return FTP_S_BROKEN;
	case FTP_AT_LOCAL:
		break;
	}
	return FTP_S_LOCAL;
}

enum ftp_status ftp_out_of_step(struct ftp *f, const char *verb)
{
	char what[64];
	snprintf(what, sizeof what, "reply %03d to %s", f->code, verb);
	ftp_trace(f, FTP_TRACE_INFO, "%s: replies out of step; a new connection", what);
	return ftp_fail_text(f, FTP_AT_CONTROL, what, "replies out of step with the commands");
}

enum ftp_status ftp_check(struct ftp *f, int want_class)
{
	ftp_msg_from_reply(f);
	if (f->code / 100 == want_class)
		return FTP_S_OK;
	if (f->code == FTP_SERVICE_CLOSING)
		return FTP_S_BROKEN;
	return FTP_S_REFUSED;
}

/* The first line break in name, which no command line can carry; NULL: none. */
static const char *ftp_line_break(const char *name)
{
	return strpbrk(name, "\r\n");
}

enum ftp_status ftp_upload_status(enum ftp_status st, const char *local, const char *remote)
{
	const char *from = st == FTP_S_USAGE ? ftp_line_break(remote) : NULL;
	if (from == NULL)
		return st;
	while (from > remote && from[-1] != '/')
		from--;
	size_t n = strlen(from), len = strlen(local);
	if (n > len || strcmp(local + len - n, from) != 0 ||
	    (len > n && local[len - n - 1] != '/'))
		return st;
	return FTP_S_LOCAL;
}

bool ftp_arg_ok(struct ftp *f, const char *arg, bool required, enum ftp_status *st)
{
	*st = FTP_S_USAGE;
	f->code = 0;
	if (arg == NULL || arg[0] == '\0') {
		if (!required)
			return true;
		ftp_set_msg(f, "a name is required");
		return false;
	}
	if (ftp_line_break(arg) != NULL) {
		ftp_set_msg(f, "a name cannot contain a line break");
		return false;
	}
	if (strlen(arg) > FTP_PATH_MAX) {
		ftp_set_msg(f, "a name cannot be longer than %d bytes", FTP_PATH_MAX);
		return false;
	}
	return true;
}

/* Appends arg to line, doubling each 0xFF (the Telnet IAC byte) unless
 * the server reads it literally; false if line would pass its maximum. */
static bool ftp_put_arg(const struct ftp *f, struct sbuf *line, const char *arg)
{
	while (*arg != '\0') {
		size_t n = f->raw_iac ? strlen(arg) : strcspn(arg, "\xff");
		if (!sbuf_append(line, arg, n))
			return false;
		arg += n;
		if (*arg != '\0') {
			if (!sbuf_append(line, "\xff\xff", 2))
				return false;
			arg++;
		}
	}
	return true;
}

/* Appends "verb[ arg]\r\n" to out and traces it; FTP_S_USAGE (message
 * set) when the line would pass FTP_LINE_MAX. */
static enum ftp_status ftp_add_line(struct ftp *f, struct sbuf *out, const char *verb,
				    const char *arg)
{
	struct sbuf line;

	sbuf_init(&line, FTP_LINE_MAX + 2);
	if (!sbuf_puts(&line, verb) || (arg != NULL && !(sbuf_puts(&line, " ") &&
							   ftp_put_arg(f, &line, arg))) ||
	    !sbuf_puts(&line, "\r\n")) {
		sbuf_free(&line);
		ftp_set_msg(f, "%s: command longer than %d bytes", verb, FTP_LINE_MAX);
		f->code = 0;
		return FTP_S_USAGE;
	}
	if (strcmp(verb, "PASS") == 0)
		ftp_trace(f, FTP_TRACE_SENT, "PASS ****");
	else
		ftp_trace(f, FTP_TRACE_SENT, "%.*s", (int)(line.len - 2), sbuf_str(&line));
	bool ok = sbuf_append(out, line.data, line.len);
	sbuf_free(&line);
	if (!ok) {
		ftp_set_msg(f, "%s: commands longer than %d bytes", verb, FTP_AHEAD_MAX * FTP_LINE_MAX);
		f->code = 0;
		return FTP_S_USAGE;
	}
	return FTP_S_OK;
}

/* Writes out on the control connection, waiting through ftp_wait: the
 * handle's timeout is for the whole write (as in conn_write_all), so a
 * server that takes a little now and then cannot hold it longer. */
static enum ftp_status ftp_write_lines(struct ftp *f, const struct sbuf *out, const char *verb)
{
	const char *p = out->data;
	size_t n = out->len;
	long long deadline = sysio_now_ms() + f->timeout_ms;
	enum conn_status cs;
	for (;;) {
		size_t put = 0;
		cs = n > 0 ? conn_write(f->ctl, p, n, &put) : conn_flush(f->ctl);
		if (cs == CONN_OK && n > 0) {
			p += put;
			n -= put;
			continue;
		}
		if (cs != CONN_WANT_READ && cs != CONN_WANT_WRITE)
			break;
		struct conn_pollfd pfd = { .c = f->ctl, .events = conn_events(cs) };
		long long left = deadline - sysio_now_ms();
		int r = ftp_wait(f, &pfd, 1, left > 0 ? (int)left : 0);
		if (r < 0 && errno == ECANCELED) {
			/* A command went out in part: the connection goes. */
			f->retry_ok = false;
			ftp_close_control(f);
			ftp_set_msg(f, "interrupted while waiting for the server");
			f->code = 0;
			return FTP_S_CANCELLED;
		}
		if (r <= 0) {
			/* A server too slow to take a command is not asked again
			 * on a new connection, as one too slow to answer is not:
			 * it would hold ferry for twice the time-out. */
			if (r == 0)
				f->retry_ok = false;
			char what[64];
			snprintf(what, sizeof what, "sending %s", verb);
			return ftp_fail(f, FTP_AT_CONTROL, r == 0 ? ETIMEDOUT : errno, what);
		}
	}
	if (cs == CONN_OK)
		return FTP_S_OK;
	char what[64];
	snprintf(what, sizeof what, "sending %s", verb);
	return ftp_fail_conn(f, FTP_AT_CONTROL, f->ctl, cs, what);
}

/* Index of the first command written ahead that is not sent yet, or n_ahead. */
static int ahead_unsent(const struct ftp *f)
{
	int i = 0;
	while (i < f->n_ahead && f->ahead[i].sent)
		i++;
	return i;
}

static enum ftp_status ftp_read_owed(struct ftp *f, long long deadline);

/* Before verb goes out on its own (the server answered out of step once):
 * each command waiting ahead is sent and its reply read, one at a time. */
static enum ftp_status ftp_send_ahead_singly(struct ftp *f)
{
	int i;
	while ((i = ahead_unsent(f)) < f->n_ahead) {
		struct sbuf out;
		struct ftp_ahead *a = &f->ahead[i];
		const char *verb = ahead_verb(a);
		sbuf_init(&out, FTP_LINE_MAX + 2);
		if (ftp_add_line(f, &out, verb, a->arg) != FTP_S_OK) {
			sbuf_free(&out);
			ahead_unsendable(f, i);
			continue;
		}
		a->sent = true;
		f->piped = false;
		enum ftp_status st = ftp_write_lines(f, &out, verb);
		sbuf_free(&out);
		if (st == FTP_S_OK)
			st = ftp_read_owed(f, sysio_now_ms() + f->timeout_ms);
		if (st != FTP_S_OK)
			return st;
	}
	return FTP_S_OK;
}

/* Appends the lines of the commands waiting ahead to out, marking them
 * sent (the caller writes out next); one that cannot be sent is dropped. */
static void ahead_lines(struct ftp *f, struct sbuf *out)
{
	char keep[FTP_MSG_MAX];
	memcpy(keep, f->msg, sizeof keep);
	for (int i = ahead_unsent(f); i < f->n_ahead;) {
		if (ftp_add_line(f, out, ahead_verb(&f->ahead[i]), f->ahead[i].arg) == FTP_S_OK)
			f->ahead[i++].sent = true;
		else
			ahead_unsendable(f, i);
	}
	memcpy(f->msg, keep, sizeof keep);
}

enum ftp_status ftp_send(struct ftp *f, const char *verb, const char *arg)
{
	struct sbuf out;
	enum ftp_status st = FTP_S_OK;

	if (f->ctl == NULL)
		return ftp_fail(f, FTP_AT_CONTROL, ENOTCONN, verb);
	/* During the login, MFMTs kept from a lost connection wait for it. */
	bool ahead = !f->logging_in && ahead_unsent(f) < f->n_ahead;
	if (ahead && f->no_pipeline) {
		st = ftp_send_ahead_singly(f);
		if (st != FTP_S_OK)
			return st;
	}
	sbuf_init(&out, (FTP_AHEAD_MAX + 1) * (FTP_LINE_MAX + 2));
	if (ahead)
		ahead_lines(f, &out);
	f->piped = out.len > 0;
	size_t before = out.len;
	st = ftp_add_line(f, &out, verb, arg);
	f->sent_long = st == FTP_S_OK && out.len - before > FTP_LINE_SAFE;
	f->long_refused = false;
	if (st == FTP_S_OK)
		st = ftp_write_lines(f, &out, verb);
	sbuf_free(&out);
	return st;
}

/* What a failed read of a reply is called in messages. */
static const char *ftp_reading(const struct ftp *f)
{
	return f->reading[0] != '\0' ? f->reading : "reading a reply";
}

/* Input that is no reply, named in the message already set: puts what
 * the wait is called before it while logging in, closes the control
 * connection and returns FTP_S_BROKEN. */
static enum ftp_status ftp_not_reply(struct ftp *f)
{
	if (f->reading[0] != '\0') {
		char why[FTP_MSG_MAX];
		memcpy(why, f->msg, sizeof why);
		ftp_set_msg(f, "%s: %s", f->reading, why);
	}
	f->code = 0;
	f->not_reply = true;
	ftp_close_control(f);
	return FTP_S_BROKEN;
}

/* Keeps the start of a line that is no reply in f->junk, sanitised. */
static void ftp_keep_junk(struct ftp *f, const char *line, size_t len)
{
	size_t n = len > FTP_JUNK_QUOTED ? FTP_JUNK_QUOTED : len;
	sanitize_text(line, n, f->junk, sizeof f->junk);
	if (n < len)
		snprintf(f->junk + strlen(f->junk), sizeof f->junk - strlen(f->junk), "...");
}

/* Feeds buffered lines to the reply parser. Returns FTP_S_OK with *done
 * telling whether a reply is complete (false: more input is needed), or
 * FTP_S_BROKEN (message set, connection closed) for input that is no reply:
 * a line that is none, a line past FTP_LINE_MAX (as soon as it passes),
 * a reply past FTP_REPLY_MAX bytes or FTP_REPLY_LINES_MAX lines. */
static enum ftp_status ftp_take_lines(struct ftp *f, bool *done)
{
	const char *line;
	size_t len;
	enum lr_status ls;

	*done = false;
	while ((ls = lr_next(&f->lr, &line, &len)) != LR_NEED_MORE) {
		if (ls == LR_TOO_LONG)
			break;
		ftp_trace(f, FTP_TRACE_RECEIVED, "%.*s", (int)len, line);
		if (len == 0 && !f->rp.multi)
			continue;   /* a stray empty line between replies */
		switch (reply_parser_feed(&f->rp, line, len)) {
		case REPLY_MORE:
			continue;
		case REPLY_DONE:
			f->code = f->rp.code;
			if (f->code == FTP_SERVICE_CLOSING)
				ftp_drop_control(f);   /* the server is hanging up */
			*done = true;
			return FTP_S_OK;
		case REPLY_BAD:
			ftp_keep_junk(f, line, len);
			ftp_set_msg(f, "the server sent something that is not a reply: %.*s",
				    (int)(len > 80 ? 80 : len), line);
			return ftp_not_reply(f);
		case REPLY_TOO_LONG:
			ftp_set_msg(f, "the server sent a reply longer than %d bytes", FTP_REPLY_MAX);
			return ftp_not_reply(f);
		case REPLY_TOO_MANY:
			ftp_set_msg(f, "the server sent a reply of more than %d lines",
				    FTP_REPLY_LINES_MAX);
			return ftp_not_reply(f);
		}
	}
	if (ls == LR_TOO_LONG || (f->lr.overlong && !f->lr.line_ready)) {
		ftp_set_msg(f, "the server sent a reply line longer than %d bytes", FTP_LINE_MAX);
		return ftp_not_reply(f);
	}
	return FTP_S_OK;
}

/* Reads once from the control connection into the line reader. CONN_OK
 * (bytes taken), CONN_WANT_* (nothing yet), or the end or failure. */
static enum conn_status ftp_ctl_fill(struct ftp *f)
{
	char buf[sizeof f->lr.raw];
	size_t got;
	enum conn_status st = conn_read(f->ctl, buf, sizeof buf, &got);
	if (st == CONN_OK)
		lr_feed(&f->lr, buf, got);   /* the reader was scanned empty before */
	return st;
}

bool ftp_ctl_pending(const struct ftp *f)
{
	return lr_pending(&f->lr) || (f->ctl != NULL && conn_buffered(f->ctl));
}

/* After a failed read on the control connection: the status, the
 * connection closed. */
static enum ftp_status ftp_ctl_failed(struct ftp *f, enum conn_status st, const char *what)
{
	return ftp_fail_conn(f, FTP_AT_CONTROL, f->ctl, st, what);
}

enum ftp_status ftp_poll_reply(struct ftp *f, bool *done)
{
	enum ftp_status st = ftp_take_lines(f, done);
	if (st != FTP_S_OK || *done)
		return st;
	if (f->ctl == NULL)
		return ftp_fail(f, FTP_AT_CONTROL, ENOTCONN, ftp_reading(f));
	struct conn_pollfd p = { .c = f->ctl, .events = POLLIN };
	if (conn_poll(&p, 1, 0) <= 0)
		return FTP_S_OK;
	enum conn_status cs = ftp_ctl_fill(f);
	if (cs != CONN_OK && cs != CONN_WANT_READ && cs != CONN_WANT_WRITE)
		return ftp_ctl_failed(f, cs, ftp_reading(f));
	return ftp_take_lines(f, done);
}

/* Reads one complete reply by deadline (ms, sysio_now_ms) into f->code. */
static enum ftp_status ftp_read_one(struct ftp *f, long long deadline)
{
	enum conn_status want = CONN_WANT_READ;

	f->code = 0;
	for (;;) {
		bool done;
		enum ftp_status st = ftp_take_lines(f, &done);
		if (st != FTP_S_OK || done)
			return st;
		if (f->ctl == NULL)
			return ftp_fail(f, FTP_AT_CONTROL, ENOTCONN, ftp_reading(f));
		long long left = deadline - sysio_now_ms();
		if (left <= 0) {
			if ((f->piped || (f->n_ahead > 0 && f->ahead[0].sent)) && !f->no_pipeline) {
				/* Perhaps a server that drops commands sent together. */
				ftp_trace(f, FTP_TRACE_INFO, "no reply to commands sent together; "
					  "commands go one at a time from now on");
				f->no_pipeline = true;
			} else {
				/* The server may still carry the command out: sending
				 * it again on a new connection could do it twice, or
				 * report the first one's effect as a failure. */
				f->retry_ok = false;
			}
			return ftp_fail(f, FTP_AT_CONTROL, ETIMEDOUT, "waiting for the server");
		}
		if (f->piped) {
			/* Several replies are coming: acknowledge each at once, so
			 * a server that holds a small write back until the last
			 * one is acknowledged (Nagle) does not wait for our
			 * delayed ACK (up to 40 ms) between them. */
			int one = 1;
			setsockopt(conn_rfd(f->ctl), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		}
		struct conn_pollfd p = { .c = f->ctl, .events = conn_events(want) };
		int pr = ftp_wait(f, &p, 1, (int)left);
		if (pr < 0 && errno == ECANCELED) {
			/* The reply is still owed: a later one would be taken for
			 * the next command's, so the connection goes. */
			f->retry_ok = false;
			ftp_set_msg(f, "interrupted while waiting for the server");
			ftp_close_control(f);
			ftp_set_msg(f, "interrupted while waiting for the server");
			f->code = 0;
			return FTP_S_CANCELLED;
		}
		if (pr < 0)
			return ftp_fail(f, FTP_AT_CONTROL, errno, "waiting for the server");
		if (pr == 0)
			continue;
		enum conn_status cs = ftp_ctl_fill(f);
		if (cs == CONN_WANT_READ || cs == CONN_WANT_WRITE)
			want = cs;
		else if (cs != CONN_OK)
			return ftp_ctl_failed(f, cs, ftp_reading(f));
		else
			want = CONN_WANT_READ;
	}
}

/* True when code cannot be the reply to a command written ahead (ALLO,
 * MFMT): a passive-mode or transfer reply means the server answered some
 * other command, so replies and commands are out of step. */
static bool ahead_reply_odd(int code)
{
	return code / 100 == 1 || code / 100 == 3 || code == FTP_PASV || code == FTP_EPSV ||
	       code == FTP_TRANSFER_OK || code == FTP_PATH_CREATED;
}

/* Deals with the reply just read (in f->code) to the oldest command
 * written ahead, and forgets that command. */
static void ahead_take_reply(struct ftp *f)
{
	struct ftp_ahead *a = &f->ahead[0];
	enum ftp_status st = ftp_check(f, 2);

	if (a->kind == FTP_AHEAD_ALLO) {
		/* 2xx (202 "superfluous" too) go on; 452 and 552 (no room)
		 * refuse the upload before any data moves; 500 and 502 (an
		 * unknown command) go on and stop ALLO for the session; any
		 * other refusal goes on. */
		f->allo_st = FTP_S_OK;
		f->allo_code = f->code;
		if (f->code == FTP_NO_SPACE || f->code == FTP_EXCEEDED_STORAGE ||
		    f->code == FTP_SERVICE_CLOSING) {
			f->allo_st = st;
			snprintf(f->allo_msg, sizeof f->allo_msg, "%s", f->msg);
		} else if (f->code == FTP_BAD_COMMAND || f->code == FTP_NOT_IMPLEMENTED) {
			ftp_trace(f, FTP_TRACE_INFO, "ALLO not understood; not sent again");
			f->no_allo = true;
		}
	} else {
		/* 500 and 502: the server does not know MFMT after all (its
		 * FEAT said otherwise); later uploads of the session do not
		 * send it. */
		if (f->code == FTP_BAD_COMMAND || f->code == FTP_NOT_IMPLEMENTED) {
			ftp_trace(f, FTP_TRACE_INFO, "MFMT not understood; not sent again");
			f->feat &= ~FTP_FEAT_MFMT;
		}
		if (a->done != NULL)
			a->done(a->done_arg, a->remote, st);
	}
	ahead_pop(f);
}

/* Reads the replies owed to commands written ahead and sent, in order,
 * by deadline; f->msg and f->code are left as they were. */
static enum ftp_status ftp_read_owed(struct ftp *f, long long deadline)
{
	while (f->n_ahead > 0 && f->ahead[0].sent) {
		char keep[FTP_MSG_MAX];
		int code = f->code;
		memcpy(keep, f->msg, sizeof keep);
		enum ftp_status st = ftp_read_one(f, deadline);
		if (st != FTP_S_OK)
			return st;   /* the connection is closed: the commands failed */
		if (f->code == FTP_SERVICE_CLOSING && f->ahead[0].kind == FTP_AHEAD_MFMT) {
			/* The server hangs up (an idle time-out) instead of
			 * answering: as for a lost connection, the MFMT goes
			 * again after the next login. */
			ftp_msg_from_reply(f);
			ftp_close_control(f);
			return FTP_S_BROKEN;
		}
		if (ahead_reply_odd(f->code)) {
			ftp_trace(f, FTP_TRACE_INFO, "reply %03d does not answer %s: replies out of "
				  "step; commands go one at a time from now on", f->code,
				  ahead_verb(&f->ahead[0]));
			f->no_pipeline = true;
			return ftp_fail_text(f, FTP_AT_CONTROL, "reading a reply",
					     "the server's replies are out of step");
		}
		ahead_take_reply(f);
		memcpy(f->msg, keep, sizeof keep);
		f->code = code;
	}
	return FTP_S_OK;
}

/* After a refusal of a command line longer than FTP_LINE_SAFE: the
 * server may have cut the line and will answer the rest too, so a NOOP
 * goes out and every reply up to the NOOP's is skipped. When that fails,
 * the connection is closed (the next command logs in again); the
 * refusal's code and message stay as they were. */
static void ftp_resync(struct ftp *f, long long deadline)
{
	char keep[FTP_MSG_MAX];
	int code = f->code;
	struct sbuf out, text = f->rp.text;

	memcpy(keep, f->msg, sizeof keep);
	sbuf_init(&f->rp.text, FTP_REPLY_MAX);
	f->long_refused = true;
	sbuf_init(&out, FTP_LINE_SAFE);
	enum ftp_status st = ftp_add_line(f, &out, "NOOP", NULL);
	if (st == FTP_S_OK)
		st = ftp_write_lines(f, &out, "NOOP");
	sbuf_free(&out);
	int skipped = 0;
	while (st == FTP_S_OK && (st = ftp_read_one(f, deadline)) == FTP_S_OK &&
	       f->code / 100 != 2) {
		if (f->code >= 200 && ++skipped > FTP_RESYNC_MAX) {
			ftp_close_control(f);
			break;
		}
		ftp_trace(f, FTP_TRACE_INFO, "skipped a reply to the rest of a long command "
			  "(%03d)", f->code);
	}
	sbuf_free(&f->rp.text);
	f->rp.text = text;
	f->rp.code = code;
	f->rp.multi = false;
	memcpy(f->msg, keep, sizeof keep);
	f->code = code;
}

enum ftp_status ftp_read_reply_within(struct ftp *f, int timeout_ms)
{
	long long deadline = sysio_now_ms() + timeout_ms;
	enum ftp_status st = ftp_read_owed(f, deadline);
	if (st == FTP_S_OK)
		st = ftp_read_one(f, deadline);
	if (st == FTP_S_OK && f->sent_long && f->code >= 200) {
		f->sent_long = false;
		if (f->code >= 400 && f->code != FTP_SERVICE_CLOSING && f->ctl != NULL)
			ftp_resync(f, sysio_now_ms() + f->timeout_ms);
	}
	return st;
}

enum ftp_status ftp_read_reply(struct ftp *f)
{
	return ftp_read_reply_within(f, f->timeout_ms);
}

enum ftp_status ftp_command(struct ftp *f, const char *verb, const char *arg)
{
	enum ftp_status st = ftp_send(f, verb, arg);
	while (st == FTP_S_OK) {
		st = ftp_read_reply(f);
		if (st == FTP_S_OK && f->code >= 200)
			break;
	}
	return st;
}

bool ftp_drain(struct ftp *f)
{
	while (f->ctl != NULL) {
		/* Replies already buffered first (they may have come in the
		 * same read as the last awaited one), then what the socket holds. */
		bool done;
		while (ftp_take_lines(f, &done) == FTP_S_OK && done) {
			if (f->ctl == NULL)
				return false;   /* 421: the server hung up */
			ftp_trace(f, FTP_TRACE_INFO, "ignored a late reply (%03d)", f->code);
		}
		if (f->ctl == NULL)
			return false;
		struct conn_pollfd p = { .c = f->ctl, .events = POLLIN };
		if (conn_poll(&p, 1, 0) <= 0)
			return true;
		enum conn_status cs = ftp_ctl_fill(f);
		if (cs == CONN_WANT_READ || cs == CONN_WANT_WRITE)
			return true;
		if (cs != CONN_OK) {
			ftp_trace(f, FTP_TRACE_INFO, "the server closed the connection");
			ftp_close_control(f);
			return false;
		}
	}
	return false;
}

/* Logs in again for the MFMTs a lost connection left to send; when that
 * fails, so do they. */
static enum ftp_status ahead_reconnect(struct ftp *f)
{
	enum ftp_status st = FTP_S_BROKEN;

	if (f->host == NULL) {
		ftp_set_msg(f, "not connected");
	} else {
		ftp_trace(f, FTP_TRACE_INFO, "connection lost before the reply to MFMT; "
			  "reconnecting");
		st = ftp_reconnect(f);
	}
	if (st != FTP_S_OK)
		ahead_give_up(f, st);
	return st;
}

/* ftp_settle on the open connection: one write, then the replies. */
static enum ftp_status settle_once(struct ftp *f)
{
	struct sbuf out;
	enum ftp_status st = FTP_S_OK;

	if (f->no_pipeline)
		return ftp_send_ahead_singly(f);
	sbuf_init(&out, FTP_AHEAD_MAX * (FTP_LINE_MAX + 2));
	ahead_lines(f, &out);
	f->piped = out.len > 0;
	if (out.len > 0)
		st = ftp_write_lines(f, &out, ahead_verb(&f->ahead[0]));
	sbuf_free(&out);
	if (st == FTP_S_OK)
		st = ftp_read_owed(f, sysio_now_ms() + f->timeout_ms);
	return st;
}

enum ftp_status ftp_settle(struct ftp *f)
{
	enum ftp_status st = FTP_S_OK;

	/* A lost connection keeps an MFMT for one more try, after which it
	 * fails: every MFMT is answered or failed within two rounds. */
	for (int round = 0; round < 3 && ahead_unsent(f) < f->n_ahead; round++) {
		if (f->ctl == NULL && (st = ahead_reconnect(f)) != FTP_S_OK)
			return st;
		st = settle_once(f);
	}
	return st;
}

enum ftp_status ftp_run(struct ftp *f, ftp_op_fn *op, void *arg)
{
	enum ftp_status st;

	f->code = 0;
	f->msg[0] = '\0';
	f->stalled = false;
	if (f->ctl != NULL)
		ftp_drain(f);
	if (f->ctl == NULL) {
		if (f->host == NULL) {
			ftp_set_msg(f, "not connected");
			ahead_give_up(f, FTP_S_BROKEN);
			return f->logged_in ? FTP_S_BROKEN : FTP_S_USAGE;
		}
		st = ftp_reconnect(f);
		if (st != FTP_S_OK) {
			ahead_give_up(f, st);
			return st;
		}
	}
	f->retry_ok = true;
	st = op(f, arg);
	if (st == FTP_S_BROKEN && f->ctl == NULL && f->retry_ok && f->host != NULL) {
		ftp_trace(f, FTP_TRACE_INFO, "connection lost (%s); reconnecting", f->msg);
		st = ftp_reconnect(f);
		if (st != FTP_S_OK) {
			ahead_give_up(f, st);
			return st;
		}
		f->retry_ok = false;
		st = op(f, arg);
	}
	return st;
}

bool ftp_retryable(const struct ftp *f, enum ftp_status st)
{
	if (st == FTP_S_BROKEN || st == FTP_S_CONNECT)
		return true;
	return st == FTP_S_REFUSED && f->code / 100 == 4 && f->code != FTP_NO_SPACE;
}

bool ftp_backoff(struct ftp *f, int attempt, const char *why, ftp_progress_fn *progress,
		 void *arg, off_t done, off_t total)
{
	long long delay = FTP_RETRY_DELAY_MS;
	for (int i = 0; i < attempt && delay < FTP_RETRY_DELAY_MAX_MS; i++)
		delay *= 2;
	if (delay > FTP_RETRY_DELAY_MAX_MS)
		delay = FTP_RETRY_DELAY_MAX_MS;
	ftp_trace(f, FTP_TRACE_INFO, "%s; retry %d of %d in %lld s", why, attempt + 1, f->retries,
		  delay / 1000);
	long long end = sysio_now_ms() + delay;
	for (;;) {
		if (ftp_interrupted(f) ||
		    (progress != NULL && progress(arg, done, total, 0.0) != 0)) {
			ftp_set_msg(f, "cancelled while waiting to retry (%s)", why);
			f->code = 0;
			return false;
		}
		long long left = end - sysio_now_ms();
		if (left <= 0)
			return true;
		poll(NULL, 0, (int)(left < FTP_PROGRESS_MS ? left : FTP_PROGRESS_MS));
	}
}
