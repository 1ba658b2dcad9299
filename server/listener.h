/* listener: the parent process. It owns the listening sockets, accepts
 * clients, enforces the client limits before any session starts, forks
 * one child per client and reaps them. It never blocks on a child and
 * never runs session code itself. */
#ifndef FERRYD_LISTENER_H
#define FERRYD_LISTENER_H

#include "options.h"

/* Binds every -l address; returns the number bound, or -1 after logging
 * the failure. fds gets the sockets. */
int listener_bind(const struct ferryd_config *cfg, int *fds);
/* Serves until SIGTERM/SIGINT, then waits for sessions to end. Returns
 * the exit status. */
int listener_run(const struct ferryd_config *cfg, const int *fds, int nfds);

#endif
