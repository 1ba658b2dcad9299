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
#include <sys/socket.h>

#include "ftp_private.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sysio.h"
#include "xalloc.h"

struct ftp *ftp_new(void)
{
	struct ftp *f = xcalloc(1, sizeof *f);
	f->fd = -1;
	f->timeout_ms = FTP_DEFAULT_TIMEOUT_MS;
	lr_init(&f->lr, false);
	reply_parser_init(&f->rp);
	return f;
}

void ftp_free(struct ftp *f)
{
	if (f == NULL)
		return;
	ftp_close_control(f);
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

void ftp_set_interrupt(struct ftp *f, bool (*fn)(void *arg), void *arg)
{
	f->interrupt = fn;
	f->interrupt_arg = arg;
}

void ftp_set_trace(struct ftp *f, ftp_trace_fn *fn, void *arg)
{
	f->trace = fn;
	f->trace_arg = arg;
}

bool ftp_connected(const struct ftp *f)
{
	return f->fd >= 0;
}

const char *ftp_message(const struct ftp *f)
{
	return f->msg;
}

int ftp_reply_code(const struct ftp *f)
{
	return f->code;
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
	};
	if ((unsigned)s < sizeof names / sizeof names[0])
		return names[s];
	return "unknown";
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

void ftp_close_control(struct ftp *f)
{
	sysio_close(&f->fd);
	lr_init(&f->lr, false);
	reply_parser_free(&f->rp);
	reply_parser_init(&f->rp);
}

enum ftp_status ftp_fail(struct ftp *f, enum ftp_where where, int err, const char *what)
{
	if (err == 0)
		ftp_set_msg(f, "%s: connection closed by the server", what);
	else
		ftp_set_msg(f, "%s: %s", what, strerror(err));
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

enum ftp_status ftp_check(struct ftp *f, int want_class)
{
	ftp_msg_from_reply(f);
	if (f->code / 100 == want_class)
		return FTP_S_OK;
	if (f->code == FTP_SERVICE_CLOSING)
		return FTP_S_BROKEN;
	return FTP_S_REFUSED;
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
	if (strpbrk(arg, "\r\n") != NULL) {
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

enum ftp_status ftp_send(struct ftp *f, const char *verb, const char *arg)
{
	struct sbuf line;
	enum ftp_status st = FTP_S_OK;

	if (f->fd < 0)
		return ftp_fail(f, FTP_AT_CONTROL, ENOTCONN, verb);
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
	if (sysio_write_all_timeout(f->fd, line.data, line.len, f->timeout_ms) < 0) {
		char what[64];
		snprintf(what, sizeof what, "sending %s", verb);
		st = ftp_fail(f, FTP_AT_CONTROL, errno, what);
	}
	sbuf_free(&line);
	return st;
}

/* Feeds buffered lines to the reply parser. Returns FTP_S_OK with *done
 * telling whether a reply is complete (false: more input is needed), or
 * FTP_S_BROKEN (message set, connection closed) for input that is no reply. */
static enum ftp_status ftp_take_lines(struct ftp *f, bool *done)
{
	const char *line;
	size_t len;
	enum lr_status ls;

	*done = false;
	while ((ls = lr_next(&f->lr, &line, &len)) != LR_NEED_MORE) {
		if (ls == LR_TOO_LONG) {
			ftp_set_msg(f, "the server sent a reply line longer than %d bytes", FTP_LINE_MAX);
			ftp_close_control(f);
			return FTP_S_BROKEN;
		}
		ftp_trace(f, FTP_TRACE_RECEIVED, "%.*s", (int)len, line);
		if (len == 0 && !f->rp.multi)
			continue;   /* a stray empty line between replies */
		switch (reply_parser_feed(&f->rp, line, len)) {
		case REPLY_MORE:
			continue;
		case REPLY_DONE:
			f->code = f->rp.code;
			if (f->code == FTP_SERVICE_CLOSING)
				sysio_close(&f->fd);   /* the server is hanging up */
			*done = true;
			return FTP_S_OK;
		case REPLY_BAD:
			ftp_set_msg(f, "the server sent something that is not a reply: %.*s",
				    (int)(len > 80 ? 80 : len), line);
			ftp_close_control(f);
			return FTP_S_BROKEN;
		case REPLY_TOO_LONG:
			ftp_set_msg(f, "the server sent a reply longer than %d bytes", FTP_REPLY_MAX);
			ftp_close_control(f);
			return FTP_S_BROKEN;
		}
	}
	return FTP_S_OK;
}

enum ftp_status ftp_read_reply_within(struct ftp *f, int timeout_ms)
{
	long long deadline = sysio_now_ms() + timeout_ms;

	f->code = 0;
	for (;;) {
		bool done;
		enum ftp_status st = ftp_take_lines(f, &done);
		if (st != FTP_S_OK || done)
			return st;
		if (f->fd < 0)
			return ftp_fail(f, FTP_AT_CONTROL, ENOTCONN, "reading a reply");
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			return ftp_fail(f, FTP_AT_CONTROL, ETIMEDOUT, "waiting for the server");
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno != EINTR)
			return ftp_fail(f, FTP_AT_CONTROL, errno, "waiting for the server");
		if (pr <= 0)
			continue;
		ssize_t n = lr_fill(&f->lr, f->fd);
		if (n == 0)
			return ftp_fail(f, FTP_AT_CONTROL, 0, "reading a reply");
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return ftp_fail(f, FTP_AT_CONTROL, errno, "reading a reply");
	}
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
	while (f->fd >= 0) {
		/* Replies already buffered first (they may have come in the
		 * same read as the last awaited one), then what the socket holds. */
		bool done;
		while (ftp_take_lines(f, &done) == FTP_S_OK && done) {
			if (f->fd < 0)
				return false;   /* 421: the server hung up */
			ftp_trace(f, FTP_TRACE_INFO, "ignored a late reply (%03d)", f->code);
		}
		if (f->fd < 0)
			return false;
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) <= 0)
			return true;
		ssize_t n = lr_fill(&f->lr, f->fd);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			ftp_trace(f, FTP_TRACE_INFO, "the server closed the connection");
			ftp_close_control(f);
			return false;
		}
	}
	return false;
}

enum ftp_status ftp_run(struct ftp *f, ftp_op_fn *op, void *arg)
{
	enum ftp_status st;

	f->code = 0;
	f->msg[0] = '\0';
	if (f->fd >= 0)
		ftp_drain(f);
	if (f->fd < 0) {
		if (f->host == NULL) {
			ftp_set_msg(f, "not connected");
			return f->logged_in ? FTP_S_BROKEN : FTP_S_USAGE;
		}
		st = ftp_reconnect(f);
		if (st != FTP_S_OK)
			return st;
	}
	f->retry_ok = true;
	st = op(f, arg);
	if (st == FTP_S_BROKEN && f->fd < 0 && f->retry_ok && f->host != NULL) {
		ftp_trace(f, FTP_TRACE_INFO, "connection lost (%s); reconnecting", f->msg);
		st = ftp_reconnect(f);
		if (st != FTP_S_OK)
			return st;
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
		if ((f->interrupt != NULL && f->interrupt(f->interrupt_arg)) ||
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
