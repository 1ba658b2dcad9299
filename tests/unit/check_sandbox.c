/* Unit tests for sandbox: each test forks a process that enters the same
 * sandbox a session enters and then makes system calls; the parent checks
 * how it ended. Allowed calls must work; a forbidden one must kill the
 * process with SIGSYS (and only that process). As in ferryd, the parent
 * compiles the filter (sandbox_prepare) and the child only installs it
 * (sandbox_enter); one test has the child do both, as ferryd -i does. */
#include "config.h"

#include "sandbox.h"
#include "vfs.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define CHECK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHECK_ASAN 1
#endif
#endif

/* Runs body in a child process inside the sandbox, compiled beforehand
 * by this process when prepare is set; returns the child's wait status. */
static int sandboxed_as(void (*body)(void), bool prepare)
{
	const char *what = "";
	if (prepare)
		ck_assert_msg(sandbox_prepare(&what) == 0, "sandbox_prepare: %s: %s", what,
			      strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		what = "";
		if (sandbox_enter(&what) < 0) {
			fprintf(stderr, "sandbox_enter: %s: %s\n", what, strerror(errno));
			_exit(100);
		}
		body();
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static int sandboxed(void (*body)(void))
{
	return sandboxed_as(body, true);
}

static void assert_killed_by_sigsys(int status)
{
	ck_assert_msg(WIFSIGNALED(status), "the process was not killed (exit status %d)",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ck_assert_int_eq(WTERMSIG(status), SIGSYS);
}

static void assert_exited_ok(int status)
{
	ck_assert_msg(!WIFSIGNALED(status), "killed by signal %d", WTERMSIG(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

/* Child bodies: each ends in _exit(0) if the calls worked, else a
 * distinct status. */

static void run_execve(void)
{
	char *argv[] = { (char *)"true", NULL };
	char *envp[] = { NULL };
	execve("/bin/true", argv, envp);
	_exit(1);    /* not reached: the call itself kills */
}

static void run_execveat(void)
{
	char *argv[] = { (char *)"true", NULL };
	char *envp[] = { NULL };
	syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0);
	_exit(1);
}

static void run_netlink_socket(void)
{
	socket(AF_NETLINK, SOCK_RAW, 0);
	_exit(1);
}

static void run_setuid(void)
{
	syscall(SYS_setuid, 0);
	_exit(1);
}

static void run_unshare(void)
{
	syscall(SYS_unshare, 0);
	_exit(1);
}

static void run_chroot(void)
{
	syscall(SYS_chroot, "/");
	_exit(1);
}

static void run_mount(void)
{
	syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL);
	_exit(1);
}

#ifndef CHECK_ASAN
/* A terminal ioctl (isatty's). Sanitizer builds allow every ioctl, as
 * their runtime asks whether stderr is a terminal when it reports. */
static void run_terminal_ioctl(void)
{
	struct termios t;
	ioctl(0, TCGETS, &t);
	_exit(1);
}
#endif

/* A directory made before entering the sandbox (mkdir(2) is not a call
 * sessions make: they use mkdirat). */
static char tmpdir[64];

/* What a session does: files through openat2 below a root, a passive
 * listener and a data connection, random numbers, clocks, sendfile,
 * poll, large allocations. */
static void run_session_calls(void)
{
	int root = vfs_open_root(tmpdir);
	if (root < 0 || !vfs_supported(root))
		_exit(3);
	int fd = vfs_open(root, "/f.txt", O_RDWR | O_CREAT, 0644);
	if (fd < 0 || write(fd, "hello\n", 6) != 6 || lseek(fd, 0, SEEK_SET) != 0)
		_exit(4);
	if (vfs_mkdir(root, "/d", 0755, NULL) < 0 || vfs_rename(root, "/f.txt", "/d/g.txt", true, NULL) < 0)
		_exit(5);
	struct stat st;
	if (vfs_stat(root, "/d/g.txt", &st) < 0 || st.st_size != 6)
		_exit(6);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		_exit(7);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
		_exit(8);
	int d = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (d < 0)
		_exit(9);
	off_t off = 0;
	if (sendfile(c, fd, &off, 6) != 6)
		_exit(10);
	struct pollfd p = { .fd = d, .events = POLLIN };
	int waiting = 0;
	char got[6];
	if (poll(&p, 1, 5000) != 1 || ioctl(d, FIONREAD, &waiting) < 0 || waiting != 6 ||
	    recv(d, got, sizeof got, 0) != 6 || memcmp(got, "hello\n", 6) != 0)
		_exit(11);
	unsigned char rnd[8];
	struct timespec ts;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd ||
	    clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		_exit(12);
	struct timespec nap = { .tv_nsec = 1000000 };
	nanosleep(&nap, NULL);
	void *m = malloc(8 << 20);    /* mmap-sized */
	if (m == NULL)
		_exit(13);
	free(m);
	if (vfs_unlink(root, "/d/g.txt", NULL) < 0 || vfs_rmdir(root, "/d", NULL) < 0)
		_exit(14);
	_exit(0);
}

/* The process shows both locks in /proc. */
static void run_status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		_exit(2);
	char line[256];
	bool nnp = false, filter = false;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strcmp(line, "NoNewPrivs:\t1\n") == 0)
			nnp = true;
		if (strcmp(line, "Seccomp:\t2\n") == 0)
			filter = true;
	}
	fclose(f);
	_exit(nnp && filter ? 0 : 3);
}

START_TEST(test_execve_kills)
{
	assert_killed_by_sigsys(sandboxed(run_execve));
}
END_TEST

/* Without a filter compiled beforehand, the child compiles its own. */
START_TEST(test_unprepared_enter)
{
	assert_killed_by_sigsys(sandboxed_as(run_execve, false));
	assert_exited_ok(sandboxed_as(run_status, false));
}
END_TEST

/* Each forbidden call kills the process; none returns an error. */
static void (*const forbidden[])(void) = {
	run_execveat, run_netlink_socket, run_setuid, run_unshare, run_chroot, run_mount,
#ifndef CHECK_ASAN
	run_terminal_ioctl,
#endif
};

START_TEST(test_forbidden_calls_kill)
{
	assert_killed_by_sigsys(sandboxed(forbidden[_i]));
}
END_TEST

START_TEST(test_session_calls_allowed)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_sandbox-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	int status = sandboxed(run_session_calls);
	rmdir(tmpdir);
	assert_exited_ok(status);
}
END_TEST

START_TEST(test_status_shows_locks)
{
	assert_exited_ok(sandboxed(run_status));
}
END_TEST

/* The caller is not affected by a child's sandbox. */
START_TEST(test_parent_unaffected)
{
	assert_killed_by_sigsys(sandboxed(run_execve));
	ck_assert_int_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { (char *)"true", NULL };
		char *envp[] = { NULL };
		execve("/bin/true", argv, envp);
		_exit(1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	assert_exited_ok(status);
}
END_TEST

/* After sandbox_drop_capabilities no capability is left in any set (as
 * root; others hold none anyway and may not empty the bounding set). */
START_TEST(test_drop_capabilities)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int r = sandbox_drop_capabilities();
		int e = errno;
		if (geteuid() == 0 && r != 0)
			_exit(2);
		if (geteuid() != 0 && !(r == -1 && e == EPERM))
			_exit(3);
		if (geteuid() == 0)
			for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
				if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0)
					_exit(4);
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[2];
		if (syscall(SYS_capget, &hdr, data) < 0)
			_exit(5);
		for (int i = 0; i < 2; i++)
			if (data[i].inheritable != 0 ||
			    (geteuid() != 0 && (data[i].permitted | data[i].effective) != 0))
				_exit(6);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) != 0)
			_exit(7);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	assert_exited_ok(status);
}
END_TEST

static Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_execve_kills);
	tcase_add_test(core, test_unprepared_enter);
	tcase_add_loop_test(core, test_forbidden_calls_kill, 0,
			    (int)(sizeof forbidden / sizeof forbidden[0]));
	tcase_add_test(core, test_session_calls_allowed);
	tcase_add_test(core, test_status_shows_locks);
	tcase_add_test(core, test_parent_unaffected);
	tcase_add_test(core, test_drop_capabilities);
	tcase_set_timeout(core, 30);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sandbox_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
