/* sdnotify: the two protocols ferryd speaks with systemd, written here
 * over plain sockets (no libsystemd):
 *
 * - readiness notification (sd_notify(3)): when NOTIFY_SOCKET names a
 *   datagram socket, the listener sends READY=1 once it serves,
 *   RELOADING=1 and READY=1 around a SIGHUP reload, STOPPING=1 on the
 *   first SIGTERM (ferryd.service is Type=notify);
 * - socket activation (sd_listen_fds(3)): LISTEN_PID and LISTEN_FDS hand
 *   over listening sockets from descriptor 3 on, used instead of binding
 *   the listen addresses (ferryd.socket). LISTEN_FDNAMES (the sockets'
 *   FileDescriptorName=) is not read: a passed socket is matched to a
 *   listen line by its address, so a name would only say it again.
 *
 * NOTIFY_SOCKET, and the three LISTEN_ variables as sd_listen_fds(3)
 * does, are removed from the environment once read, so sessions never
 * see them. */
#ifndef FERRYD_SDNOTIFY_H
#define FERRYD_SDNOTIFY_H

#include <stdbool.h>

/* Connects to NOTIFY_SOCKET when it is set (before privileges are
 * dropped: the socket may be root's). Returns false after logging if it
 * is set but unusable. */
bool sdnotify_init(void);
/* Sends one state message ("READY=1", ...); nothing without
 * NOTIFY_SOCKET. A failed send is logged once. */
void sdnotify_send(const char *state);
/* RELOADING=1 with MONOTONIC_USEC= now, as a reload starts. */
void sdnotify_reloading(void);
/* Closes the socket (in a forked session). */
void sdnotify_close(void);

/* Takes the sockets systemd passed (LISTEN_FDS for this process) into
 * fds (room for max). Returns how many (0: none passed), or -1 after
 * logging when one is not a listening TCP socket or there are too many. */
int sdnotify_listen_fds(int *fds, int max);

#endif
