/* proxywait: connections from a proxy (--proxy-protocol) that the
 * listener has accepted but whose PROXY header has not fully arrived.
 * Until it has, the client's real address is unknown, so the limits and
 * bans cannot be applied and no session is started. Each connection has
 * PROXY_HEADER_TIMEOUT seconds; the listener watches them in its poll
 * loop and never blocks on one. The clock is passed in, so the unit
 * suite tests deadlines without sleeping. */
#ifndef FERRYD_PROXYWAIT_H
#define FERRYD_PROXYWAIT_H

#include <poll.h>
#include <stdbool.h>

#include "netaddr.h"

struct proxywait;

/* A header arrived: fd (now owned by the callee) is a connection from
 * client, relayed by via. For a LOCAL header (a health check) client is
 * the proxy itself. */
typedef void proxywait_ready_fn(void *ctx, int fd, const struct netaddr *client,
				const struct netaddr *via);

/* A table for at most max connections. */
struct proxywait *proxywait_new(int max);
/* Closes every waiting connection and frees. */
void proxywait_free(struct proxywait *w);
/* In a freshly forked session: closes the waiting sockets, which belong
 * to the listener. */
void proxywait_close_fds(struct proxywait *w);
/* Adds an accepted connection from the proxy via at now_ms; false (fd
 * untouched) when the table is full. */
bool proxywait_add(struct proxywait *w, int fd, const struct netaddr *via, long long now_ms);
/* Connections waiting. */
int proxywait_count(const struct proxywait *w);
/* Fills p (room for proxywait_count entries) with their sockets. */
int proxywait_pollfds(const struct proxywait *w, struct pollfd *p);
/* Earliest deadline (ms), or -1 when none waits. */
long long proxywait_deadline(const struct proxywait *w);
/* Reads the headers poll found data for (p, n as pollfds filled them;
 * call before adding more), calls ready for each complete one, and
 * closes broken ones and those past their deadline, logging why. */
void proxywait_step(struct proxywait *w, const struct pollfd *p, int n, long long now_ms,
		    proxywait_ready_fn *ready, void *ctx);

#endif
