/* lookup: name lookups bounded by a timeout (see lookup.h). The child
 * writes one record: the getaddrinfo status and errno, then each address
 * as its length and bytes; the parent reads it with poll against the
 * deadline. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lookup.h"
#include "sysio.h"

/* What the child sends: a header, then n addresses. */
struct lookup_head {
	int rc;        /* getaddrinfo's status */
	int err;       /* errno for EAI_SYSTEM */
	uint32_t n;    /* addresses that follow */
};

/* One address as sent. */
struct lookup_addr {
	uint32_t len;                  /* bytes of ss in use */
	struct sockaddr_storage ss;    /* the address */
};

/* The whole record, at most. */
struct lookup_record {
	struct lookup_head head;
	struct lookup_addr addr[LOOKUP_MAX];
};

/* Runs getaddrinfo for host and port and fills rec; returns its size. */
static size_t lookup_resolve(const char *host, const char *port, int flags,
			     struct lookup_record *rec)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | flags };
	struct addrinfo *res = NULL;

	memset(rec, 0, sizeof *rec);
	rec->head.rc = getaddrinfo(host, port, &hints, &res);
	rec->head.err = errno;
	for (struct addrinfo *ai = res; ai != NULL && rec->head.n < LOOKUP_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof rec->addr[0].ss)
			continue;
		struct lookup_addr *a = &rec->addr[rec->head.n++];
		a->len = (uint32_t)ai->ai_addrlen;
		memcpy(&a->ss, ai->ai_addr, ai->ai_addrlen);
	}
	if (res != NULL)
		freeaddrinfo(res);
	return sizeof rec->head + rec->head.n * sizeof rec->addr[0];
}

/* Copies a record into out; 0, or -1 with the message set. */
static int lookup_take(const struct lookup_record *rec, size_t got, struct lookup_result *out)
{
	if (got < sizeof rec->head || rec->head.n > LOOKUP_MAX ||
	    got < sizeof rec->head + rec->head.n * sizeof rec->addr[0]) {
		snprintf(out->msg, sizeof out->msg, "the name lookup ended without an answer");
		return -1;
	}
	if (rec->head.rc != 0) {
		snprintf(out->msg, sizeof out->msg, "%s", rec->head.rc == EAI_SYSTEM ?
			 strerror(rec->head.err) : gai_strerror(rec->head.rc));
		return -1;
	}
	for (uint32_t i = 0; i < rec->head.n; i++) {
		struct netaddr *a = &out->addr[out->n];
		memset(a, 0, sizeof *a);
		memcpy(&a->ss, &rec->addr[i].ss, rec->addr[i].len);
		a->len = (socklen_t)rec->addr[i].len;
		if (a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6)
			out->n++;
	}
	if (out->n == 0) {
		snprintf(out->msg, sizeof out->msg, "no IPv4 or IPv6 address");
		return -1;
	}
	return 0;
}

/* Reads the child's record from fd until its end or the deadline, waiting
 * with wait when it is given. Returns the bytes read, -1 when time ran
 * out, or -2 when wait said the wait was interrupted. */
static ssize_t lookup_read(int fd, struct lookup_record *rec, long long deadline,
			   lookup_wait_fn *wait, void *arg)
{
	size_t got = 0;
	for (;;) {
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			return -1;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = wait != NULL ? wait(arg, fd, (int)left) : poll(&pfd, 1, (int)left);
		if (r < 0 && errno == ECANCELED)
			return -2;
		if (r < 0 && errno != EINTR)
			return (ssize_t)got;
		if (r <= 0)
			continue;
		ssize_t n = read(fd, (char *)rec + got, sizeof *rec - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (ssize_t)got;
		got += (size_t)n;
		if (got == sizeof *rec)
			return (ssize_t)got;
	}
}

int lookup_host(const char *host, int port, int timeout_ms, struct lookup_result *out)
{
	return lookup_host_wait(host, port, timeout_ms, NULL, NULL, out);
}

int lookup_host_wait(const char *host, int port, int timeout_ms, lookup_wait_fn *wait, void *arg,
		     struct lookup_result *out)
{
	struct lookup_record rec;
	char service[16];
	int fds[2];

	memset(out, 0, sizeof *out);
	snprintf(service, sizeof service, "%d", port);
	/* A numeric address needs no resolver: read it here, at once. */
	size_t got = lookup_resolve(host, service, AI_NUMERICHOST, &rec);
	if (rec.head.rc != EAI_NONAME)
		return lookup_take(&rec, got, out);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(out->msg, sizeof out->msg, "pipe: %s", strerror(errno));
		return -1;
	}
	long long deadline = sysio_now_ms() + timeout_ms;
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(out->msg, sizeof out->msg, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		got = lookup_resolve(host, service, 0, &rec);
		_exit(sysio_write_all(fds[1], &rec, got) == 0 ? 0 : 1);
	}
	close(fds[1]);
	ssize_t n = lookup_read(fds[0], &rec, deadline, wait, arg);
	close(fds[0]);
	if (n < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n == -2) {
		out->interrupted = true;
		snprintf(out->msg, sizeof out->msg, "interrupted while waiting for the name resolver");
		return -1;
	}
	if (n < 0) {
		snprintf(out->msg, sizeof out->msg, "no answer from the name resolver within %g s",
			 timeout_ms / 1000.0);
		return -1;
	}
	return lookup_take(&rec, (size_t)n, out);
}
