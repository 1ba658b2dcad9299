/* sandbox: what a session process can still do if a client ever finds a
 * way to run code in it. Sessions already run without root, confined by
 * openat2 (vfs.c); on top of that:
 *   - the server gives up every capability before it serves anybody,
 *     including the bounding set, so nothing it starts can gain one;
 *   - each session sets PR_SET_NO_NEW_PRIVS and installs a seccomp filter
 *     that allows only the system calls a session makes; any other
 *     system call kills the session with SIGSYS, never the listener,
 *     which runs unfiltered. libseccomp compiles the filter once, in the
 *     listener before it serves anybody (sandbox_prepare); a session
 *     only hands the compiled program to the kernel.
 * A session that needs a new system call must be added to the table in
 * sandbox.c: the integration suite runs with the sandbox on, and a missing
 * entry shows as "killed by signal 31" in the server's log. */
#ifndef FERRYD_SANDBOX_H
#define FERRYD_SANDBOX_H

/* Empties the capability bounding, ambient and inheritable sets, and the
 * permitted and effective sets unless the process runs as root (which
 * still needs them to change user; setuid clears them). The bounding set
 * needs CAP_SETPCAP: returns -1 with errno when it could not be emptied,
 * else 0. */
int sandbox_drop_capabilities(void);
/* Compiles the session's system call allow-list into a BPF program kept
 * for the life of the process (libseccomp probes the kernel and builds
 * it here). Does nothing when that was done already. Returns 0, or -1
 * with errno and *what naming the step that failed. */
int sandbox_prepare(const char **what);
/* Locks the calling process in: no new privileges, and the prepared
 * allow-list (sandbox_prepare, run first if it has not been: -i and
 * tests), irreversible and inherited by children. Returns 0, or -1 with
 * errno and *what naming the step that failed. */
int sandbox_enter(const char **what);

#endif
