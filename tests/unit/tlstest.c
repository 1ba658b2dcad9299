/* tlstest: shared helpers of the TLS Check suites (see tlstest.h). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sysio.h"
#include "tlstest.h"

static char certdir[256];
static pid_t setup_pid;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Only the process that made the folder removes it (Check forks). */
static void cleanup(void)
{
	if (certdir[0] && getpid() == setup_pid)
		nftw(certdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void tlstest_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(certdir, sizeof certdir, "%s/ferry-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(certdir)) {
		perror("mkdtemp");
		exit(99);
	}
	setup_pid = getpid();
	atexit(cleanup);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh '%s' '%s'", TLS_CERTS_SCRIPT, certdir);
	if (system(cmd) != 0) {
		fprintf(stderr, "tlstest: %s failed\n", cmd);
		exit(99);
	}
}

const char *tlstest_cert(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", certdir, name);
	return b;
}

void tlstest_socketpair(int fds[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
}

void tlstest_tcppair(int fds[2])
{
	struct netaddr a;
	ck_assert_ptr_null(netaddr_parse_ip("127.0.0.1", 0, &a));
	const char *what;
	int l = sysio_listen(&a, 1, &what);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(sysio_sockname(l, &a), 0);
	int c = sysio_connect(&a, NULL, 5000, &what);
	ck_assert_int_ge(c, 0);
	struct pollfd p = { .fd = l, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ck_assert_int_ge(s, 0);
	close(l);
	fds[0] = s;
	fds[1] = c;
}

void tlstest_handshake(struct conn *a, struct conn *b, enum conn_status *sa,
		       enum conn_status *sb)
{
	long long deadline = sysio_now_ms() + 10000;
	*sa = *sb = CONN_WANT_READ;
	for (;;) {
		bool wa = *sa == CONN_WANT_READ || *sa == CONN_WANT_WRITE;
		bool wb = *sb == CONN_WANT_READ || *sb == CONN_WANT_WRITE;
		if (!wa && !wb)
			return;
		/* A side that failed may leave the other waiting for bytes
		 * that never come: give it a short while, then report it as
		 * still waiting. */
		if ((*sa == CONN_ERROR || *sb == CONN_ERROR) && deadline > sysio_now_ms() + 1000)
			deadline = sysio_now_ms() + 1000;
		if (sysio_now_ms() > deadline) {
			ck_assert_msg(*sa == CONN_ERROR || *sb == CONN_ERROR,
				      "handshake did not finish in time");
			return;
		}
		if (wa)
			*sa = conn_handshake(a);
		if (wb)
			*sb = conn_handshake(b);
		struct conn_pollfd p[2] = {
			{ .c = wa ? a : NULL, .events = conn_events(*sa) },
			{ .c = wb ? b : NULL, .events = conn_events(*sb) },
		};
		conn_poll(p, 2, 10);
	}
}

enum conn_status tlstest_read_all(struct conn *c, char *buf, size_t cap, size_t *len)
{
	long long deadline = sysio_now_ms() + 10000;
	*len = 0;
	while (sysio_now_ms() < deadline) {
		size_t got;
		char tmp[65536];
		enum conn_status st = conn_read(c, tmp, sizeof tmp, &got);
		if (st == CONN_OK) {
			ck_assert_uint_le(*len + got, cap);
			memcpy(buf + *len, tmp, got);
			*len += got;
			continue;
		}
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return st;
		struct conn_pollfd p = { .c = c, .events = conn_events(st) };
		conn_poll(&p, 1, 100);
	}
	ck_abort_msg("read did not finish in time");
	return CONN_ERROR;
}

int tlstest_file(size_t n, unsigned seed, char **data)
{
	char path[] = "/tmp/ferry-tls-file-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	char *d = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(d);
	unsigned x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (char)(x >> 16);
	}
	ck_assert_int_eq(sysio_write_all(fd, d, n), 0);
	*data = d;
	return fd;
}
