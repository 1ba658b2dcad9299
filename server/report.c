/* report: session -> listener messages (see report.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "report.h"
#include "sysio.h"

/* Bytes before the payload on the wire. */
#define REPORT_HEADER (offsetof(struct report_msg, payload))
/* Seconds a session waits for room in the channel before dropping a report. */
#define REPORT_SEND_TIMEOUT 1

/* This process's end of the channel (sessions only). */
static int report_fd = -1;

int report_open(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) < 0)
		return -1;
	int one = 1;
	struct timeval tv = { .tv_sec = REPORT_SEND_TIMEOUT };
	if (sysio_set_nonblock(fds[0], true) < 0 || setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    setsockopt(fds[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

void report_attach(int fd)
{
	report_fd = fd;
}

/* Sends one message with the given send(2) flags. */
static bool send_msg(enum report_kind kind, const void *payload, size_t len, int flags)
{
	if (report_fd < 0 || len > REPORT_PAYLOAD_MAX)
		return false;
	struct report_msg m = { .kind = (uint16_t)kind, .len = (uint16_t)len };
	if (len > 0)
		memcpy(m.payload, payload, len);
	ssize_t n;
	do
		n = send(report_fd, &m, REPORT_HEADER + len, MSG_NOSIGNAL | flags);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)(REPORT_HEADER + len);
}

bool report_send(enum report_kind kind, const void *payload, size_t len)
{
	return send_msg(kind, payload, len, 0);
}

bool report_send_nowait(enum report_kind kind, const void *payload, size_t len)
{
	return send_msg(kind, payload, len, MSG_DONTWAIT);
}

int report_recv(int fd, struct report_msg *m, pid_t *from)
{
	for (;;) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct ucred))];
		} ctl;
		struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
		};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		bool creds = c != NULL && c->cmsg_level == SOL_SOCKET &&
			     c->cmsg_type == SCM_CREDENTIALS &&
			     c->cmsg_len == CMSG_LEN(sizeof(struct ucred));
		if (!creds || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    (size_t)n < REPORT_HEADER || (size_t)n != REPORT_HEADER + m->len)
			continue;   /* not one of ours: ignore it */
		struct ucred cred;
		memcpy(&cred, CMSG_DATA(c), sizeof cred);
		*from = cred.pid;
		return 1;
	}
}
