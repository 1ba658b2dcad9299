/* sandbox: capabilities and the session's seccomp filter (see sandbox.h). */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

/* Builds with AddressSanitizer (gcc defines __SANITIZE_ADDRESS__, clang
 * has __has_feature) need a few more calls; see sanitizer_calls. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

/* The system calls a session makes, by what for. Names the running
 * architecture does not have (open on arm64, say) are skipped. Left out
 * on purpose, among others: execve/execveat, fork/vfork/clone, ptrace,
 * kill (tgkill stays, for abort), mount, chroot, setuid and friends,
 * bpf, io_uring, keyctl, unshare. */
static const char *const session_calls[] = {
	/* Control and data connections. */
	"read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg",
	"bind", "listen", "accept", "accept4", "connect", "shutdown",
	"getsockname", "getpeername", "setsockopt", "getsockopt",
	"poll", "ppoll", "select", "pselect6",
	/* Files, confined below the session root by openat2 in vfs.c. */
	"openat", "openat2", "open", "close", "lseek", "pread64", "pwrite64",
	"fstat", "newfstatat", "statx", "stat", "lstat", "fstatfs", "getdents64",
	"readlinkat", "mkdirat", "unlinkat", "renameat", "renameat2", "linkat",
	"fchmod", "ftruncate", "fallocate", "fsync", "fdatasync", "fadvise64", "flock",
	"fcntl", "dup", "dup2", "dup3", "umask", "statfs",
	/* MFMT and SITE CHMOD, on /proc/self/fd of a file vfs found (vfs_attr.c). */
	"utimensat", "fchmodat",
	/* Moving data: sendfile downloads. */
	"sendfile", "copy_file_range", "memfd_create",
	/* Time: deadlines, the failed-login delay, log stamps, timers. */
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"alarm", "setitimer", "getitimer",
	"timer_create", "timer_settime", "timer_gettime", "timer_delete",
	"timerfd_create", "timerfd_settime", "timerfd_gettime",
	/* Memory (malloc, crypt's large buffers). */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* The process itself: ids, random numbers (passive ports, names),
	 * signals, the C library's own needs (qsort asks sysinfo), the end. */
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getrandom",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
	"tgkill", "futex", "sched_yield", "getcpu", "uname", "sysinfo", "getrlimit", "prlimit64",
	"exit", "exit_group",
};

#ifdef SANDBOX_ASAN
/* AddressSanitizer's runtime: its leak check at exit stops the process
 * with a tracer thread, reads /proc/self, and its reports print through
 * the same calls. Test builds only; execve stays forbidden. */
static const char *const sanitizer_calls[] = {
	"clone", "clone3", "wait4", "waitid", "ptrace", "prctl", "sched_getaffinity",
	"getdents", "readlink", "getppid", "setrlimit", "ioctl",
};
#endif

/* Socket families a session may open: data connections, and syslog(3)
 * reconnecting to /dev/log. */
static const int socket_families[] = { AF_INET, AF_INET6, AF_UNIX };
/* ioctl(2) requests a session may make: bytes waiting in or not yet sent
 * from a socket, and non-blocking mode. No terminal or device requests. */
static const unsigned long ioctl_requests[] = { FIONREAD, TIOCOUTQ, FIONBIO };

int sandbox_drop_capabilities(void)
{
	int r = 0;
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && r == 0)
			r = -1;       /* keep errno; go on with the other sets */
	int e = errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) == 0) {
		for (int i = 0; i < 2; i++) {
			data[i].inheritable = 0;
			if (geteuid() != 0)
				data[i].permitted = data[i].effective = 0;
		}
		if (syscall(SYS_capset, &hdr, data) < 0 && r == 0) {
			r = -1;
			e = errno;
		}
	}
	errno = e;
	return r;
}

/* Adds an allow rule for each name that exists on this architecture. */
static int allow(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The filter as a BPF program, built once by sandbox_prepare: .filter
 * is NULL until then. Sessions only hand it to the kernel. */
static struct sock_fprog prepared;

/* Compiles the filter and writes its BPF program to fd (libseccomp 2.5
 * exports to a file descriptor only). Returns 0, or -1 with errno and
 * *what naming the step that failed. */
static int compile(int fd, const char **what)
{
	*what = "seccomp_init";
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return (errno = ENOMEM, -1);
	int rc = 0;
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	/* A binary tree of the allowed calls rather than a list: the kernel
	 * runs the filter once per system call number and architecture when
	 * a session installs it (to find the calls it always allows), under
	 * a lock with interrupts off; with a list that was most of a
	 * session's start-up time (doc/performance.md). */
	*what = "seccomp_attr_set";
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#endif
	*what = "seccomp_rule_add";
	if (rc == 0)
		rc = allow(ctx, session_calls, sizeof session_calls / sizeof session_calls[0]);
#ifdef SANDBOX_ASAN
	if (rc == 0)
		rc = allow(ctx, sanitizer_calls, sizeof sanitizer_calls / sizeof sanitizer_calls[0]);
#endif
	for (size_t i = 0; rc == 0 && i < sizeof socket_families / sizeof socket_families[0]; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)socket_families[i]));
	for (size_t i = 0; rc == 0 && i < sizeof ioctl_requests / sizeof ioctl_requests[0]; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)ioctl_requests[i]));
	if (rc == 0) {
		*what = "seccomp_export_bpf";
		rc = seccomp_export_bpf(ctx, fd);
	}
	seccomp_release(ctx);
	return rc < 0 ? (errno = -rc, -1) : 0;
}

/* How the compiling process ended, in memory it shares with its parent:
 * err is -1 until it finishes, then 0 or its errno. */
struct compile_result {
	int err;
	const char *what;
};

/* Reads the program fd holds into prepared. */
static int load_program(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	size_t n = size > 0 ? (size_t)size / sizeof(struct sock_filter) : 0;
	if (size < 0 || (size_t)size % sizeof(struct sock_filter) != 0 || n == 0 ||
	    n > BPF_MAXINSNS)
		return (errno = size < 0 ? errno : EINVAL, -1);
	struct sock_filter *prog = malloc((size_t)size);
	ssize_t got = prog != NULL ? pread(fd, prog, (size_t)size, 0) : -1;
	if (got != size) {
		int e = prog == NULL ? ENOMEM : got < 0 ? errno : EIO;
		free(prog);
		return (errno = e, -1);
	}
	prepared.filter = prog;
	prepared.len = (unsigned short)n;
	return 0;
}

int sandbox_prepare(const char **what)
{
	if (prepared.filter != NULL)
		return 0;
	/* libseccomp allocates and frees a few hundred small blocks while it
	 * compiles; in this process they would stay behind as free chunks
	 * all over the heap, and every session's own few allocations would
	 * land on different pages of it, each then copied for the session.
	 * So a short-lived process of its own compiles the filter. */
	*what = "memfd_create";
	int fd = memfd_create("ferryd-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	*what = "mmap";
	struct compile_result *res = mmap(NULL, sizeof *res, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		close(fd);
		return -1;
	}
	res->err = -1;
	*what = "fork";
	pid_t pid = fork();
	if (pid == 0) {
		const char *step = "";
		int err = compile(fd, &step) < 0 ? errno : 0;
		res->what = step;
		res->err = err;
		_exit(0);
	}
	int r = -1, e = errno;
	if (pid > 0) {
		/* With SIGCHLD ignored the child is reaped by itself and waitpid
		 * fails: res tells how it went either way. */
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			continue;
		*what = res->what;
		if (res->err < 0) {
			/* Killed: a system call filter above ferryd's own (a
			 * service manager's) that does not allow seccomp(2). */
			bool sys = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
			*what = sys ? "compiling the filter: killed by SIGSYS (is seccomp(2) allowed?)"
				    : "compiling the filter: the process ended early";
			e = sys ? EPERM : ECHILD;
		} else if (res->err > 0) {
			e = res->err;
		} else {
			*what = "reading the compiled filter";
			r = load_program(fd);
			e = errno;
		}
	}
	munmap(res, sizeof *res);
	close(fd);
	errno = e;
	return r;
}

int sandbox_enter(const char **what)
{
	if (sandbox_prepare(what) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*what = "prctl(PR_SET_NO_NEW_PRIVS)";
		return -1;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prepared, 0, 0) < 0) {
		*what = "prctl(PR_SET_SECCOMP)";
		return -1;
	}
	return 0;
}
