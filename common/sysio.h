/* sysio: the syscall layer. Full-length read/write loops that retry EINTR,
 * socket setup that names the failing call, and small fd helpers. Errors
 * are returned (with errno); nothing here prints or exits. */
#ifndef FERRY_SYSIO_H
#define FERRY_SYSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "netaddr.h"

/* Writes all n bytes to a blocking fd; returns 0 or -1 with errno. */
int sysio_write_all(int fd, const void *buf, size_t n);
/* Writes all n bytes to fd, which may be non-blocking, waiting with poll
 * for at most timeout_ms between progress; returns 0 or -1 (ETIMEDOUT).
 * On a socket it never blocks in send(2) even if the socket does, and a
 * closed peer gives EPIPE, never SIGPIPE. */
int sysio_write_all_timeout(int fd, const void *buf, size_t n, int timeout_ms);
/* read(2) that retries EINTR. */
ssize_t sysio_read(int fd, void *buf, size_t n);
/* Sets or clears O_NONBLOCK; returns 0 or -1. */
int sysio_set_nonblock(int fd, bool on);
/* Closes fd if >= 0 (keeping errno) and sets it to -1. */
void sysio_close(int *fd);
/* Opens path for reading if it is a regular file, or /dev/null (read as
 * an empty file, as `-f /dev/null` asks for no settings). A FIFO nobody
 * writes to does not block the open (O_NONBLOCK, left set: it changes
 * nothing for a regular file), and any other device or FIFO is refused
 * rather than waited on or read without end. Returns the fd, or -1 with errno (ENOENT for a missing
 * file, EISDIR, EINVAL for any other kind) and *why the reason to print. */
int sysio_open_regular(const char *path, const char **why);
/* sysio_open_regular as a stdio stream for reading: returns the FILE, or
 * NULL with errno and *why the reason to print. */
FILE *sysio_fopen_regular(const char *path, const char **why);

/* A TCP socket of family, close-on-exec, set up for listening: SO_REUSEADDR,
 * and IPV6_V6ONLY for AF_INET6. Returns the fd or -1; on failure *what
 * names the call that failed. */
int sysio_listen_socket(int family, const char **what);
/* Opens a listening TCP socket on a (a sysio_listen_socket bound to a,
 * with backlog). Returns the fd or -1; on failure *what names the call
 * that failed. */
int sysio_listen(const struct netaddr *a, int backlog, const char **what);
/* Connects a new TCP socket to a within timeout_ms, binding first to
 * local when not NULL (port 0 = any). Returns a non-blocking,
 * close-on-exec fd (as the socket is created: no fcntl) or -1 with errno
 * (ETIMEDOUT on timeout); *what names the failing call. */
int sysio_connect(const struct netaddr *a, const struct netaddr *local,
		  int timeout_ms, const char **what);
/* sysio_connect in two steps, for a caller that waits in between (until
 * the fd is writable): sysio_connect_start returns the fd with the
 * connect under way, or -1; sysio_connect_end returns 0 when it succeeded,
 * else -1 with errno, *fd closed. */
int sysio_connect_start(const struct netaddr *a, const struct netaddr *local,
			const char **what);
int sysio_connect_end(int *fd, const char **what);
/* Fills a with the socket's local or peer address; returns 0 or -1. */
int sysio_sockname(int fd, struct netaddr *a);
int sysio_peername(int fd, struct netaddr *a);
/* Returns a monotonic clock reading in milliseconds. */
long long sysio_now_ms(void);

#endif
