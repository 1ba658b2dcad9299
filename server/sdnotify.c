/* sdnotify: systemd's notification and socket activation (see sdnotify.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

/* The first descriptor systemd passes (SD_LISTEN_FDS_START). */
#define LISTEN_FDS_START 3

/* The connected notification socket, or -1. */
static int notify_fd = -1;
/* A send failed already (logged once). */
static bool send_failed;

bool sdnotify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (path == NULL || path[0] == '\0')
		return true;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	size_t n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof sa.sun_path) {
		log_msg(LOG_ERR, "NOTIFY_SOCKET=%s: not a socket path", path);
		return false;
	}
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';       /* the abstract namespace */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) < 0) {
		log_msg(LOG_ERR, "NOTIFY_SOCKET=%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	notify_fd = fd;
	unsetenv("NOTIFY_SOCKET");
	return true;
}

void sdnotify_send(const char *state)
{
	if (notify_fd < 0)
		return;
	if (send(notify_fd, state, strlen(state), MSG_NOSIGNAL) < 0 && !send_failed) {
		send_failed = true;
		log_msg(LOG_WARNING, "cannot notify systemd (%s): %s", state, strerror(errno));
	}
}

void sdnotify_reloading(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char msg[96];
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	sdnotify_send(msg);
}

void sdnotify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}

/* Whether fd is a listening TCP socket (IPv4 or IPv6). */
static const char *not_tcp_listener(int fd)
{
	int v;
	socklen_t len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0)
		return "not a socket";
	if (v != SOCK_STREAM)
		return "not a stream socket";
	len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 || (v != AF_INET && v != AF_INET6))
		return "not an IPv4 or IPv6 socket";
	len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) < 0 || v == 0)
		return "not listening";
	return NULL;
}

int sdnotify_listen_fds(int *fds, int max)
{
	const char *pid = getenv("LISTEN_PID");
	const char *count = getenv("LISTEN_FDS");
	if (pid == NULL || count == NULL)
		return 0;
	char *end;
	errno = 0;
	long p = strtol(pid, &end, 10);
	if (errno || *end != '\0' || p != (long)getpid())
		return 0;                    /* meant for another process */
	long n = strtol(count, &end, 10);
	if (errno || end == count || *end != '\0' || n < 0) {
		log_msg(LOG_ERR, "LISTEN_FDS=%s: not a number of sockets", count);
		return -1;
	}
	if (n > max) {
		log_msg(LOG_ERR, "LISTEN_FDS=%ld: at most %d listening sockets", n, max);
		return -1;
	}
	for (int i = 0; i < (int)n; i++) {
		int fd = LISTEN_FDS_START + i;
		const char *why = not_tcp_listener(fd);
		if (why) {
			log_msg(LOG_ERR, "socket %d from systemd (LISTEN_FDS): %s", fd, why);
			return -1;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		fds[i] = fd;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)n;
}
