/* lookup: turning a host name into addresses within a time limit.
 * getaddrinfo(3) has no timeout of its own, and a resolver that does not
 * answer holds it for as long as resolv.conf's timeouts add up to
 * (minutes). A numeric address is read at once; a name is looked up in a
 * child process that sends the addresses back over a pipe, and a child
 * still looking when the time is up is killed. Nothing is printed. */
#ifndef FERRY_LOOKUP_H
#define FERRY_LOOKUP_H

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
};

/* Looks host up for a TCP connection to port, waiting at most timeout_ms.
 * Returns 0 with out->n > 0, or -1 with out->msg saying why ("Name or
 * service not known", "no answer from the resolver within 5 s", ...). */
int lookup_host(const char *host, int port, int timeout_ms, struct lookup_result *out);

#endif
