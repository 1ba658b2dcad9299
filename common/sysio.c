/* sysio: syscall wrappers (see sysio.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "sysio.h"

int sysio_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sysio_write_all_timeout(int fd, const void *buf, size_t n, int timeout_ms)
{
	const char *p = buf;
	/* On a socket: send(2) never raises SIGPIPE (EPIPE instead) and never
	 * blocks, whatever the socket's O_NONBLOCK says. */
	bool sock = true;
	/* One deadline for the whole write: a peer taking a few bytes now and
	 * then cannot hold the writer beyond timeout_ms. */
	long long deadline = sysio_now_ms() + timeout_ms;
	while (n > 0) {
		ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) : write(fd, p, n);
		if (w < 0 && sock && errno == ENOTSOCK) {
			sock = false;
			continue;
		}
		if (w >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			return (errno = ETIMEDOUT, -1);
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int r = poll(&pfd, 1, (int)left);
		if (r == 0)
			return (errno = ETIMEDOUT, -1);
		if (r < 0 && errno != EINTR)
			return -1;
	}
	return 0;
}

ssize_t sysio_read(int fd, void *buf, size_t n)
{
	ssize_t r;
	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int sysio_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return want == fl ? 0 : fcntl(fd, F_SETFL, want);
}

void sysio_close(int *fd)
{
	if (*fd >= 0) {
		int e = errno;
		close(*fd);
		errno = e;
		*fd = -1;
	}
}

int sysio_open_regular(const char *path, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		*why = strerror(errno);
	} else if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		*why = strerror(EISDIR);
	} else if (!S_ISREG(sb.st_mode) && !(S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(1, 3))) {
		errno = EINVAL;
		*why = "not a regular file";
	} else {
		return fd;      /* a regular file, or /dev/null: an empty one */
	}
	sysio_close(&fd);
	return -1;
}

FILE *sysio_fopen_regular(const char *path, const char **why)
{
	int fd = sysio_open_regular(path, why);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		*why = strerror(errno);
		sysio_close(&fd);
	}
	return f;
}

int sysio_listen_socket(int family, const char **what)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
		*what = "setsockopt(SO_REUSEADDR)";
		goto fail;
	}
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) {
		*what = "setsockopt(IPV6_V6ONLY)";
		goto fail;
	}
	return fd;
fail:
	sysio_close(&fd);
	return -1;
}

int sysio_listen(const struct netaddr *a, int backlog, const char **what)
{
	int fd = sysio_listen_socket(a->ss.ss_family, what);
	if (fd < 0)
		return -1;
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		*what = "bind";
		goto fail;
	}
	if (listen(fd, backlog) < 0) {
		*what = "listen";
		goto fail;
	}
	return fd;
fail:
	sysio_close(&fd);
	return -1;
}

int sysio_connect_start(const struct netaddr *a, const struct netaddr *local,
			const char **what)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		*what = "socket";
		return -1;
	}
	if (local != NULL) {
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		/* Without a port, the port is chosen by connect(2) for this
		 * peer, not by bind(2) for any: bind would skip every port with
		 * a connection in TIME_WAIT, and a session connecting for each
		 * of thousands of files (active mode) leaves thousands. */
		if (netaddr_port(local) == 0)
			setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
		if (bind(fd, (const struct sockaddr *)&local->ss, local->len) < 0) {
			*what = "bind";
			goto fail;
		}
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno != EINPROGRESS) {
		*what = "connect";
		goto fail;
	}
	return fd;
fail:
	sysio_close(&fd);
	return -1;
}

int sysio_connect_end(int *fd, const char **what)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
		errno = err ? err : errno;
		*what = "connect";
		sysio_close(fd);
		return -1;
	}
	return 0;
}

int sysio_connect(const struct netaddr *a, const struct netaddr *local,
		  int timeout_ms, const char **what)
{
	int fd = sysio_connect_start(a, local, what);
	if (fd < 0)
		return -1;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long deadline = sysio_now_ms() + timeout_ms;
	for (;;) {
		long long left = deadline - sysio_now_ms();
		int r = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			break;
		if (r == 0) {
			errno = ETIMEDOUT;
			*what = "connect";
			sysio_close(&fd);
			return -1;
		}
		if (errno != EINTR) {
			*what = "poll";
			sysio_close(&fd);
			return -1;
		}
	}
	return sysio_connect_end(&fd, what) < 0 ? -1 : fd;
}

int sysio_sockname(int fd, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	a->len = sizeof a->ss;
	return getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
}

int sysio_peername(int fd, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	a->len = sizeof a->ss;
	return getpeername(fd, (struct sockaddr *)&a->ss, &a->len);
}

long long sysio_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
