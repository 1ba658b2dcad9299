/* listener: the parent process. It owns the listening sockets, accepts
 * clients, enforces the client limits before any session starts, forks
 * one child per client and reaps them. It never blocks on a child and
 * never runs session code itself. */
#ifndef FERRYD_LISTENER_H
#define FERRYD_LISTENER_H

#include "options.h"

/* Binds every -l address into fds, or, when inherited > 0, takes the
 * inherited sockets already in fds[0..inherited-1] (socket activation)
 * instead; binds the metrics address. Returns the number of listeners, or
 * -1 after logging the failure. */
int listener_bind(const struct ferryd_config *cfg, int *fds, int inherited);
/* Logs a "listening on" line for each listener once it serves (privileges
 * dropped, signal handlers in place), then serves until SIGTERM/SIGINT and
 * waits for sessions to end; SIGHUP
 * reloads the configuration (reload.h) for the sessions started after it.
 * Tells systemd when it is ready, reloading and stopping (sdnotify.h).
 * Returns the exit status. */
int listener_run(const struct ferryd_config *cfg, const int *fds, int nfds);

#endif
