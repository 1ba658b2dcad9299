/* session: the control connection (reading commands, replies, what
 * arrives during a transfer) and errno translation. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "ftps.h"
#include "listfmt.h"
#include "log.h"
#include "reply.h"
#include "sanitize.h"
#include "session.h"
#include "sysio.h"
#include "transfer.h"
#include "vfs.h"
#include "vpath.h"
#include "xalloc.h"

/* Largest reply text formatted at once (STAT of a directory is larger and
 * goes through listing.c). */
#define REPLY_TEXT_MAX 8192

/* Ends the session at once: the control connection is gone or broken. */
static void session_abort(struct session *s) __attribute__((noreturn));

void session_cleanup(struct session *s)
{
	sysio_close(&s->dc.listen_fd);      /* a prepared passive channel */
	ftps_session_end(s);
	sysio_close(&s->root_fd);
	free(s->user);
	free(s->rnfr);
	for (unsigned i = 0; i < s->ndeferred; i++)
		free(s->deferred[i].line);
	s->ndeferred = 0;
	sbuf_free(&s->out);
}

static void session_abort(struct session *s)
{
	log_msg(LOG_INFO, "session end: peer=%s user=%s result=%s", s->peer_str,
		s->user && s->logged_in ? s->user : "-", SESSION_CONNECTION_LOST);
	session_cleanup(s);
	_exit(0);
}

/* Writes the formatted reply and traces it. */
static void session_send(struct session *s)
{
	if (log_verbose()) {
		/* One trace line per reply line. */
		const char *p = s->out.data, *end = s->out.data + s->out.len;
		while (p < end) {
			const char *eol = memchr(p, '\r', (size_t)(end - p));
			size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
			char clean[512];
			sanitize_text(p, n, clean, sizeof clean);
			log_msg(LOG_DEBUG, "%s -> %s", s->peer_str, clean);
			p += n + 2;
		}
	}
	/* A client that does not read its replies is waited for as long as
	 * for its commands: the idle time, and before login no more than
	 * the login time left. */
	long long timeout = (long long)s->cfg->idle_timeout * 1000;
	if (!s->logged_in) {
		long long left = s->login_deadline_ms - sysio_now_ms();
		if (left < timeout)
			timeout = left > 1 ? left : 1;
	}
	if (!ftps_control_send(s, s->out.data, s->out.len, (int)timeout))
		session_abort(s);
	sbuf_reset(&s->out);
}

/* Most replies fit here; a longer one (up to REPLY_TEXT_MAX) is formatted
 * on the heap, so the usual reply keeps a shallow stack frame. */
#define REPLY_TEXT_SHORT 512

void session_reply(struct session *s, int code, const char *fmt, ...)
{
	char text[REPLY_TEXT_SHORT];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n < (int)sizeof text) {
		session_reply_text(s, code, text);
		return;
	}
	size_t size = n < REPLY_TEXT_MAX ? (size_t)n + 1 : REPLY_TEXT_MAX;
	char *big = xmalloc(size);
	va_start(ap, fmt);
	vsnprintf(big, size, fmt, ap);
	va_end(ap);
	session_reply_text(s, code, big);
	free(big);
}

void session_reply_text(struct session *s, int code, const char *text)
{
	sbuf_reset(&s->out);
	if (!reply_format(&s->out, code, text)) {
		sbuf_reset(&s->out);
		reply_format(&s->out, FTP_LOCAL_ERROR, "Reply too long.");
	}
	session_send(s);
}

/* Why EPERM refused a change: the immutable or append-only mark (of the
 * folder when folder), else as for EACCES. */
static const char *mark_text(enum vfs_mark mark, bool folder)
{
	switch (mark) {
	case VFS_MARK_IMMUTABLE: return folder ? "Folder is immutable" : "File is immutable";
	case VFS_MARK_APPEND_ONLY: return folder ? "Folder is append-only" : "File is append-only";
	case VFS_MARK_NONE: break;
	}
	return "Permission denied";
}

/* session_reply_errno; for EPERM, mark_why (NULL: read the marks of path
 * and its folder) says why. */
static void reply_errno(struct session *s, int code, const char *path, int err,
			const char *mark_why)
{
	const char *what;
	int c = FTP_FILE_UNAVAILABLE;
	/* The anonymous drop box does not tell a missing name from a file, a
	 * directory or a path through one: one text for all of them. */
	bool dropbox = s->anonymous && s->cfg->anonymous == ANON_UPLOAD;
	if (dropbox && (err == ENOENT || err == ENOTDIR || err == EISDIR || err == ELOOP ||
			err == EXDEV || err == EACCES || err == EPERM || err == ENXIO))
		err = -1;
	switch (err) {
	case -1: what = "Not available (upload-only account)"; break;
	case ENOENT: what = "No such file or directory"; break;
	case ENOTDIR: what = "Not a directory"; break;
	case EISDIR: what = "Is a directory"; break;
	/* A socket, FIFO or device node (vfs_is_special): permanent, not
	 * the 451 of an error worth retrying. */
	case ENXIO: what = "Not a regular file"; break;
	case EPERM:
		/* Refused to root too where a mark (chattr +i, +a) forbids
		 * it: the reply names the mark. */
		if (mark_why == NULL) {
			bool folder = false;
			enum vfs_mark mark = vfs_removal_mark(s->root_fd, path, &folder);
			mark_why = mark_text(mark, folder);
		}
		what = mark_why;
		break;
	case EACCES: what = "Permission denied"; break;
	case EEXIST: what = "File exists"; break;
	case ENOTEMPTY: what = "Directory not empty"; break;
	case EXDEV: what = "Path escapes the root"; break;
	case ELOOP: what = "Too many symbolic links"; break;
	case ENAMETOOLONG: what = "File name too long"; c = FTP_BAD_FILENAME; break;
	case EINVAL: what = "Invalid argument"; break;
	case EBUSY: what = "Resource busy"; c = FTP_FILE_BUSY; break;
	case ENOSPC: what = "No space left on device"; c = FTP_NO_SPACE; break;
	case EDQUOT: what = "Disk quota exceeded"; c = FTP_NO_SPACE; break;
	case EFBIG: what = "File too large"; c = FTP_EXCEEDED_STORAGE; break;
	case EROFS: what = "Read-only file system"; break;
	default: what = strerror(err); c = FTP_LOCAL_ERROR; break;
	}
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(path, strlen(path), clean, sizeof clean);
	session_reply(s, code ? code : c, "%s: %s.", clean, what);
}

void session_reply_errno(struct session *s, int code, const char *path, int err)
{
	reply_errno(s, code, path, err, NULL);
}

void session_reply_removal(struct session *s, const char *path, int err,
			   const struct vfs_removal *r)
{
	reply_errno(s, 0, path, err, err == EPERM ? mark_text(r->mark, r->folder_mark) : NULL);
}

bool session_parse_count(const char *text, const char **end, long long *out)
{
	long long v = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (LLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*end = p;
	*out = v;
	return p != text;
}

void session_quote_path(const char *path, char *out, size_t outsz)
{
	size_t o = 0;
	for (const char *p = path; *p && o + 2 < outsz; p++) {
		if (*p == '"')
			out[o++] = '"';   /* RFC 959: a quote in a 257 name is doubled */
		out[o++] = *p;
	}
	out[o] = '\0';
}

bool session_path(struct session *s, const char *arg, char *out)
{
	switch (vpath_resolve(s->cwd, arg, strlen(arg), out, FTP_PATH_MAX + 1)) {
	case VPATH_OK:
		return true;
	case VPATH_TOO_LONG:
		session_reply(s, FTP_BAD_FILENAME, "Path too long.");
		return false;
	default:
		session_reply(s, FTP_BAD_FILENAME, "File name with CR, LF or NUL refused.");
		return false;
	}
}

bool session_file_path(struct session *s, const char *arg, char *out, enum path_use use)
{
	if (!session_path(s, arg, out))
		return false;
	if (!vpath_names_folder(arg))
		return true;
	/* A name removed or renamed is looked at itself: rename(2),
	 * unlink(2) and rmdir(2) act on a link, not on where it leads. */
	struct stat st;
	int r = use == PATH_ITSELF ? vfs_lstat(s->root_fd, out, &st) : vfs_stat(s->root_fd, out, &st);
	int err = r == 0 ? 0 : errno;
	if (err == 0 && S_ISDIR(st.st_mode) && use != PATH_CREATES)
		return true;
	if (err == 0)
		err = S_ISDIR(st.st_mode) ? EISDIR : ENOTDIR;
	else if (use != PATH_CREATES)
		return true;   /* the verb finds nothing, as without the slash */
	else if (err == ENOENT)
		err = EISDIR;
	session_reply_folder_errno(s, out, true, err);
	return false;
}

void session_reply_folder_errno(struct session *s, const char *path, bool folder, int err)
{
	char shown[FTP_PATH_MAX + 2];
	snprintf(shown, sizeof shown, "%s%s", path, folder && strcmp(path, "/") != 0 ? "/" : "");
	session_reply_errno(s, 0, shown, err);
}

bool session_refuse_root(struct session *s, const char *path, const char *what)
{
	if (strcmp(path, "/") != 0)
		return false;
	session_reply_root(s, what);
	return true;
}

void session_reply_root(struct session *s, const char *what)
{
	session_reply(s, FTP_FILE_UNAVAILABLE, "Cannot %s the root directory.", what);
}

bool session_refuse_temp_name(struct session *s, const char *path)
{
	if (!vfs_is_temp_name(vpath_basename(path)))
		return false;
	session_reply(s, FTP_BAD_FILENAME, "%s: Name reserved for upload temporaries.", path);
	return true;
}

void session_log_transfer(struct session *s, const char *verb, const char *path,
			  off_t bytes, long long start_ms, const char *result)
{
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(path, strlen(path), clean, sizeof clean);
	double secs = (double)(sysio_now_ms() - start_ms) / 1000.0;
	log_msg(LOG_INFO, "transfer: peer=%s user=%s %s %s bytes=%lld seconds=%.3f result=%s",
		s->peer_str, s->user ? s->user : "-", verb, clean, (long long)bytes, secs, result);
}

/* How far SO_RCVTIMEO may differ from the time left before it is changed:
 * commands that arrive whole then cost no extra system call. */
#define READ_TIMEOUT_SLACK_MS 20

/* Sets how long one read(2) of the control socket may block. */
static void set_read_timeout(struct session *s, long long ms)
{
	if (ms < 1)
		ms = 1;
	if (ms == s->ctl_timeout_ms)
		return;
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	if (setsockopt(s->ctl_in, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0)
		s->ctl_timeout_ms = ms;
}

/* The whole line must arrive within the idle timeout (and, before login,
 * within the login timeout), however the client spreads its bytes: a
 * byte now and then does not keep a session alive. */
bool session_read_command(struct session *s, const char **line, size_t *len)
{
	long long deadline = sysio_now_ms() + (long long)s->cfg->idle_timeout * 1000;
	bool login_limit = !s->logged_in && s->login_deadline_ms < deadline;
	if (login_limit)
		deadline = s->login_deadline_ms;
	s->written_ahead = true;
	for (;;) {
		switch (lr_next(&s->lr, line, len)) {
		case LR_LINE:
			s->written_ahead = s->written_ahead || lr_pending(&s->lr);
			return true;
		case LR_TOO_LONG:
			session_reply(s, FTP_BAD_COMMAND, "Input line too long.");
			continue;
		case LR_NEED_MORE:
			break;
		}
		long long left = deadline - sysio_now_ms();
		bool timed_out = left <= 0;
		/* A socket blocks in read(2) with SO_RCVTIMEO, changed only when
		 * less time is left than it holds: one call per command in the
		 * usual case. Other control streams (pipes with -i) wait in poll. */
		if (!timed_out && !s->ctl_timed_read) {
			struct conn_pollfd pfd = { .c = s->ctl, .events = POLLIN };
			int r = conn_poll(&pfd, 1, (int)left);
			if (r < 0 && errno == EINTR)
				continue;
			timed_out = r == 0;
		} else if (!timed_out && llabs(s->ctl_timeout_ms - left) > READ_TIMEOUT_SLACK_MS) {
			set_read_timeout(s, left);
		}
		ssize_t n = timed_out ? -1 : ftps_control_fill(s);
		s->written_ahead = false;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (sysio_now_ms() < deadline)
				continue;     /* woke a little early */
			timed_out = true;
		}
		if (timed_out) {
			if (login_limit)
				session_reply(s, FTP_SERVICE_CLOSING, "Login timeout (%d seconds): closing.",
					      s->cfg->login_timeout);
			else
				session_reply(s, FTP_SERVICE_CLOSING, "Timeout (%d seconds idle): closing.",
					      s->cfg->idle_timeout);
			log_msg(LOG_INFO, "session end: peer=%s user=%s result=%s", s->peer_str,
				s->user && s->logged_in ? s->user : "-",
				login_limit ? "login timeout" : "idle timeout");
			return false;
		}
		if (n <= 0)
			session_abort(s);
	}
}

int session_control_fd(const struct session *s)
{
	return s->ndeferred == SESSION_DEFERRED_MAX || s->ctl_eof ? -1 : s->ctl_in;
}

struct conn *session_control_conn(const struct session *s)
{
	return session_control_fd(s) < 0 ? NULL : s->ctl;
}

bool session_control_during_transfer(struct session *s, bool *quit)
{
	*quit = false;
	/* The socket is read only when it has something: it blocks (see
	 * session_init), and lines already read may be all there is. */
	struct conn_pollfd p = { .c = s->ctl, .events = POLLIN };
	ssize_t n = s->ctl_eof || conn_poll(&p, 1, 0) <= 0 ? (errno = EAGAIN, -1)
							    : ftps_control_fill(s);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		/* The control connection is gone. A client that sent a command
		 * before it closed (QUIT right after its data) was alive: the
		 * transfer goes on to its end. Otherwise abandon it. */
		if (s->ndeferred == 0 && !lr_pending(&s->lr)) {
			*quit = true;
			return true;
		}
		s->ctl_eof = true;
	}
	const char *line;
	size_t len;
	enum lr_status st;
	while (s->ndeferred < SESSION_DEFERRED_MAX &&
	       (st = lr_next(&s->lr, &line, &len)) != LR_NEED_MORE) {
		if (st == LR_TOO_LONG) {
			session_reply(s, FTP_BAD_COMMAND, "Input line too long.");
			continue;
		}
		/* ABOR and STAT (CMD_IN_TRANSFER in the verb table) are answered
		 * now; ABOR ends the transfer. */
		if (s->in_transfer && s->in_transfer(s, line, len)) {
			if (s->xfer.abort)
				return true;
			continue;
		}
		/* Anything else waits until the transfer is over; an ABOR sent
		 * after it is still seen. */
		struct deferred_cmd *d = &s->deferred[s->ndeferred++];
		d->line = xmalloc(len + 1);
		memcpy(d->line, line, len + 1);
		d->len = len;
	}
	/* Lines TLS already decrypted are invisible to poll(2): take them now. */
	if (conn_buffered(s->ctl) && !s->ctl_eof && s->ndeferred < SESSION_DEFERRED_MAX)
		return session_control_during_transfer(s, quit);
	return false;
}

/* session_control_during_transfer as a transfer's result: XFER_OK to go
 * on, else why the transfer ends. */
static enum xfer_result session_control_event(struct session *s)
{
	bool quit;
	if (session_control_during_transfer(s, &quit))
		return quit ? XFER_CONTROL_LOST : XFER_ABORTED;
	return XFER_OK;
}

int session_transfer_poll(struct session *s, struct conn_pollfd *data, int timeout_ms,
			  enum xfer_result *stop)
{
	*stop = XFER_OK;
	struct conn_pollfd p[2] = {
		{ .c = data ? data->c : NULL, .events = data ? data->events : 0 },
		{ .c = session_control_conn(s), .events = POLLIN },
	};
	/* Lines read with an earlier command wait in the line reader, where
	 * conn_poll does not look (it sees what TLS decrypted). */
	bool unread = p[1].c && lr_pending(&s->lr);
	int r = conn_poll(p, 2, unread ? 0 : timeout_ms);
	if (data)
		data->revents = p[0].revents;
	if (r < 0)
		return r;
	if (unread && !p[1].revents) {
		p[1].revents = POLLIN;
		r++;
	}
	if (p[1].revents)
		*stop = session_control_event(s);
	return r;
}

enum ctl_state session_control_state(struct session *s)
{
	if (s->ndeferred > 0 || lr_pending(&s->lr) || lr_partial(&s->lr) || conn_buffered(s->ctl))
		return CTL_PENDING;
	if (s->ctl_eof)
		return CTL_GONE;
	char c;
	ssize_t n = recv(s->ctl_in, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0)
		return CTL_PENDING;
	if (n < 0 && errno == ENOTSOCK) {
		/* A pipe (-i): readable means data or end of stream. */
		struct pollfd p = { .fd = s->ctl_in, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0)
			return CTL_IDLE;
		return (p.revents & POLLIN) ? CTL_PENDING : CTL_GONE;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return CTL_IDLE;
	return CTL_GONE;
}

/* Sets up the session from the control connection. */
void session_init(struct session *s, const struct ferryd_config *cfg, int in, int out)
{
	/* Everything but the large buffers at the end (see session.h). */
	memset(s, 0, offsetof(struct session, xfer));
	xfer_init(s);
	s->cfg = cfg;
	s->ctl_in = in;
	s->ctl_out = out;
	s->ctl = conn_plain(in, out);
	s->root_fd = -1;
	s->uid = geteuid();
	s->gid = getegid();
	s->dc.listen_fd = -1;
	s->allo = -1;
	s->rang_end = -1;
	s->mlst_facts = MLST_ALL;
	/* RFC 959's default type: clients that want ASCII may send no TYPE A
	 * (ncftpput -a does not). */
	s->ascii = true;
	s->started_ms = sysio_now_ms();
	s->login_deadline_ms = s->started_ms + (long long)cfg->login_timeout * 1000;
	strcpy(s->cwd, "/");
	lr_init(&s->lr, true);
	sbuf_init(&s->out, FTP_REPLY_MAX);
	if (sysio_peername(in, &s->peer) < 0 || sysio_sockname(in, &s->local) < 0) {
		/* -i on a pipe (tests, ssh): no addresses; data channels are refused. */
		memset(&s->peer, 0, sizeof s->peer);
		memset(&s->local, 0, sizeof s->local);
		snprintf(s->peer_str, sizeof s->peer_str, "local");
	} else {
		netaddr_unmap(&s->peer);
		netaddr_unmap(&s->local);
		netaddr_ntop(&s->peer, true, s->peer_str, sizeof s->peer_str);
		int one = 1;
		/* Telnet Synch arrives as urgent data; read it inline and strip it. */
		setsockopt(in, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
		/* Replies are small and each is written whole: send them at once
		 * rather than holding a 226 behind the ACK of the 150 (Nagle
		 * against delayed ACKs costs 40 ms per transfer). */
		setsockopt(in, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	/* Replies are sent with MSG_DONTWAIT on sockets, so the control socket
	 * itself can block for reads, bounded by SO_RCVTIMEO. Pipes (-i) are
	 * made non-blocking and waited for with poll. */
	s->ctl_timeout_ms = -1;
	if (sysio_set_nonblock(in, false) == 0)
		set_read_timeout(s, (long long)cfg->idle_timeout * 1000);
	s->ctl_timed_read = s->ctl_timeout_ms > 0;
	if (!s->ctl_timed_read)
		sysio_set_nonblock(in, true);
	struct stat st;
	if (out != in && fstat(out, &st) == 0 && !S_ISSOCK(st.st_mode))
		sysio_set_nonblock(out, true);
}
