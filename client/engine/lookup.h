/* lookup: turning a host name into addresses within a time limit.
 * getaddrinfo(3) has no timeout of its own, and a resolver that does not
 * answer holds it for as long as resolv.conf's timeouts add up to
 * (minutes). A numeric address is read at once; a name is looked up in a
 * child process that sends the addresses back over a pipe, and a child
 * still looking when the time is up is killed. Nothing is printed. */
#ifndef FERRY_LOOKUP_H
#define FERRY_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "netaddr.h"

/* Most addresses kept from one lookup. */
#define LOOKUP_MAX 16
/* Longest message of a failed lookup, in bytes. */
#define LOOKUP_MSG_MAX 256

/* The addresses of a name. */
struct lookup_result {
	struct netaddr addr[LOOKUP_MAX];  /* in the resolver's order */
	size_t n;                         /* addresses found */
	char msg[LOOKUP_MSG_MAX];         /* why none were, when n is 0 */
	bool interrupted;                 /* the wait was interrupted */
};

/* Looks host up for a TCP connection to port, waiting at most timeout_ms.
 * Returns 0 with out->n > 0, or -1 with out->msg saying why ("Name or
 * service not known", "no answer from the resolver within 5 s", ...). */
int lookup_host(const char *host, int port, int timeout_ms, struct lookup_result *out);

/* Waits at most timeout_ms for fd to become readable, as poll(2) on it
 * would: the number ready, 0 when the time is up, or -1 with errno;
 * ECANCELED means the user interrupted the wait. */
typedef int lookup_wait_fn(void *arg, int fd, int timeout_ms);

/* lookup_host, waiting for the lookup's answer with wait(arg, ...). When
 * wait reports ECANCELED the lookup is abandoned at once (its process
 * killed and reaped): -1 with out->interrupted set. */
int lookup_host_wait(const char *host, int port, int timeout_ms, lookup_wait_fn *wait, void *arg,
		     struct lookup_result *out);

#endif
