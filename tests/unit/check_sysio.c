/* Unit tests for sysio: sysio_connect's socket (connected, non-blocking,
 * close-on-exec, bound where asked) and its failures naming the call. */
#include "config.h"

#include "sysio.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netaddr.h"

/* A loopback listener on a free port; its address in *a. */
static int listener(struct netaddr *a)
{
	const char *what;
	ck_assert_ptr_null(netaddr_parse_ip("127.0.0.1", 0, a));
	int l = sysio_listen(a, 1, &what);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(sysio_sockname(l, a), 0);
	return l;
}

/* The connected socket is non-blocking and close-on-exec, and its peer
 * is the listener. */
START_TEST(test_connect_nonblocking)
{
	struct netaddr a, peer;
	const char *what = NULL;
	int l = listener(&a);
	int c = sysio_connect(&a, NULL, 5000, &what);
	ck_assert_int_ge(c, 0);
	ck_assert_int_ne(fcntl(c, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(c, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(sysio_peername(c, &peer), 0);
	ck_assert_int_eq(netaddr_port(&peer), netaddr_port(&a));
	/* Nothing to read yet: a read says so at once instead of waiting. */
	char b;
	ck_assert_int_eq(read(c, &b, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(c);
	close(l);
}
END_TEST

/* With a local address of port 0, the socket is bound to that address
 * and the port is chosen. */
START_TEST(test_connect_bound)
{
	struct netaddr a, local, mine;
	const char *what = NULL;
	int l = listener(&a);
	ck_assert_ptr_null(netaddr_parse_ip("127.0.0.1", 0, &local));
	int c = sysio_connect(&a, &local, 5000, &what);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(sysio_sockname(c, &mine), 0);
	ck_assert(netaddr_same_host(&mine, &local));
	ck_assert_int_ne(netaddr_port(&mine), 0);
	ck_assert_int_ne(fcntl(c, F_GETFL) & O_NONBLOCK, 0);
	close(c);
	close(l);
}
END_TEST

/* A port nobody listens on: -1, ECONNREFUSED, and "connect". */
START_TEST(test_connect_refused)
{
	struct netaddr a;
	const char *what = NULL;
	int l = listener(&a);
	close(l);
	errno = 0;
	ck_assert_int_eq(sysio_connect(&a, NULL, 5000, &what), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_str_eq(what, "connect");
}
END_TEST

/* A temporary directory holding a regular file with the given text, a
 * FIFO nobody writes to, and the name of a file that does not exist. */
struct files {
	char dir[32], file[64], fifo[64], gone[64];
};

static void files_make(struct files *t, const char *text)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/check_sysio.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->file, sizeof t->file, "%s/f", t->dir);
	snprintf(t->fifo, sizeof t->fifo, "%s/p", t->dir);
	snprintf(t->gone, sizeof t->gone, "%s/none", t->dir);
	int w = open(t->file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(write(w, text, strlen(text)), (ssize_t)strlen(text));
	close(w);
	ck_assert_int_eq(mkfifo(t->fifo, 0600), 0);
}

static void files_remove(const struct files *t)
{
	unlink(t->file);
	unlink(t->fifo);
	rmdir(t->dir);
}

/* Only a regular file (or /dev/null) opens: a directory, a FIFO nobody
 * writes to (without blocking) and another device are refused with a
 * reason; a missing file keeps ENOENT for callers that allow it. */
START_TEST(test_open_regular)
{
	struct files t;
	files_make(&t, "abc");
	const char *dir = t.dir, *file = t.file, *fifo = t.fifo, *gone = t.gone;

	const char *why = NULL;
	int fd = sysio_open_regular(file, &why);
	ck_assert_int_ge(fd, 0);
	char buf[4];
	ck_assert_int_eq(read(fd, buf, sizeof buf), 3);
	close(fd);

	ck_assert_int_eq(sysio_open_regular(dir, &why), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_str_eq(why, strerror(EISDIR));
	ck_assert_int_eq(sysio_open_regular(fifo, &why), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(why, "not a regular file");
	ck_assert_int_eq(sysio_open_regular("/dev/zero", &why), -1);
	ck_assert_str_eq(why, "not a regular file");
	/* /dev/null is an empty file. */
	fd = sysio_open_regular("/dev/null", &why);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof buf), 0);
	close(fd);
	ck_assert_int_eq(sysio_open_regular(gone, &why), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(why, strerror(ENOENT));
	files_remove(&t);
}
END_TEST

/* The same files as a stream: a regular file reads line by line, a FIFO
 * nobody writes to is refused at once (no wait for a writer), /dev/null
 * reads as empty, and a missing file keeps ENOENT and its reason. */
START_TEST(test_fopen_regular)
{
	struct files t;
	files_make(&t, "one\ntwo\n");
	const char *dir = t.dir, *file = t.file, *fifo = t.fifo, *gone = t.gone;

	const char *why = NULL;
	FILE *f = sysio_fopen_regular(file, &why);
	ck_assert_ptr_nonnull(f);
	char line[16];
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(line, "one\n");
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_str_eq(line, "two\n");
	ck_assert_ptr_null(fgets(line, sizeof line, f));
	ck_assert(feof(f) && !ferror(f));
	fclose(f);

	why = NULL;
	ck_assert_ptr_null(sysio_fopen_regular(fifo, &why));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(why, "not a regular file");
	ck_assert_ptr_null(sysio_fopen_regular(dir, &why));
	ck_assert_int_eq(errno, EISDIR);
	f = sysio_fopen_regular("/dev/null", &why);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fgetc(f), EOF);
	ck_assert(feof(f) && !ferror(f));
	fclose(f);
	why = NULL;
	ck_assert_ptr_null(sysio_fopen_regular(gone, &why));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(why, strerror(ENOENT));
	files_remove(&t);
}
END_TEST

/* A peer reading a few bytes every 50 ms does not keep
 * sysio_write_all_timeout beyond its time-out: the time-out is for the
 * whole write, not for each wait for room to write. */
START_TEST(test_write_all_dribbled_times_out)
{
	int fds[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	int small = 4096;
	ck_assert_int_eq(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	ck_assert_int_eq(setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		char sink[4096];
		for (int i = 0; i < 160; i++) {
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
			if (read(fds[1], sink, sizeof sink) == 0)
				break;
		}
		_exit(0);
	}
	close(fds[1]);
	size_t n = 8 << 20;
	char *big = calloc(n, 1);
	ck_assert_ptr_nonnull(big);
	long long t0 = sysio_now_ms();
	int r = sysio_write_all_timeout(fds[0], big, n, 1000);
	int err = errno;
	long long ms = sysio_now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(err, ETIMEDOUT);
	ck_assert_msg(ms >= 900 && ms < 2500, "the write ended after %lld ms", ms);
	free(big);
	close(fds[0]);
}
END_TEST

static Suite *sysio_suite(void)
{
	Suite *s = suite_create("sysio");
	TCase *core = tcase_create("core");
	tcase_set_timeout(core, 30);
	tcase_add_test(core, test_connect_nonblocking);
	tcase_add_test(core, test_connect_bound);
	tcase_add_test(core, test_connect_refused);
	tcase_add_test(core, test_open_regular);
	tcase_add_test(core, test_fopen_regular);
	tcase_add_test(core, test_write_all_dribbled_times_out);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sysio_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
