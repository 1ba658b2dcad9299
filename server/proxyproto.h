/* proxyproto: the PROXY protocol header (versions 1 and 2, as HAProxy
 * defines them) that a load balancer puts in front of a connection to
 * tell the server who the client really is, and the address lists that
 * say which peers may send one.
 *
 * The parser is pure (bytes in, verdict out) so the unit suite and the
 * fuzz target drive it directly; proxy_read applies it to a socket
 * without ever reading past the header, because the bytes after it
 * belong to the FTP session. Nothing here logs; only proxy_read_wait
 * waits (sessions use it; the listener never does). */
#ifndef FERRYD_PROXYPROTO_H
#define FERRYD_PROXYPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "netaddr.h"

/* Longest version 1 header, CRLF included (the specification's limit). */
#define PROXY_V1_MAX 107
/* Longest header accepted at all (a version 2 header with TLVs); longer
 * ones are refused rather than buffered. */
#define PROXY_HEADER_MAX 1024
/* Seconds a connection from a proxy may take to send its header. */
#define PROXY_HEADER_TIMEOUT 5

/* What the parser made of the bytes so far. */
enum proxy_status {
	PROXY_NEED_MORE,   /* a valid beginning: wait for more bytes */
	PROXY_OK,          /* a whole header of h->len bytes */
	PROXY_BAD,         /* not a PROXY header, or a broken one (*why says) */
};

/* A parsed header. */
struct proxy_header {
	int version;            /* 1 or 2 */
	bool local;             /* no client address (v1 UNKNOWN, v2 LOCAL or
				 * UNSPEC): the connection is the proxy's own,
				 * e.g. a health check; use the TCP peer */
	struct netaddr src;     /* the client, when !local */
	struct netaddr dst;     /* the address the client connected to, when !local */
	size_t len;             /* bytes the header takes, TLVs included */
};

/* Parses the header at the start of buf (n bytes available). Returns
 * PROXY_OK with *h filled, PROXY_NEED_MORE, or PROXY_BAD with a short
 * reason in *why. Never looks past buf[n - 1]. */
enum proxy_status proxy_parse(const unsigned char *buf, size_t n, struct proxy_header *h,
			      const char **why);

/* A header being read from a socket, possibly over several wake-ups. */
struct proxy_reader {
	unsigned char buf[PROXY_HEADER_MAX]; /* the header's bytes so far */
	size_t n;                            /* how many */
};

/* Starts reading a new header. */
void proxy_reader_init(struct proxy_reader *r);
/* Reads what has arrived on a non-blocking socket into r, never a byte
 * past the header (those belong to the FTP session): each read asks only
 * for bytes the header must still contain. Returns PROXY_OK with *h,
 * PROXY_NEED_MORE when the socket has nothing more yet (wait for POLLIN
 * and call again), or PROXY_BAD with *why; a connection closed or failed
 * before the header ends is PROXY_BAD. */
enum proxy_status proxy_read(int fd, struct proxy_reader *r, struct proxy_header *h,
			     const char **why);

/* In a session: reads a whole header from fd, waiting at most
 * timeout_ms. PROXY_NEED_MORE means the time ran out. */
enum proxy_status proxy_read_wait(int fd, int timeout_ms, struct proxy_header *h,
				  const char **why);

/* An address prefix such as 10.0.0.0/8 or 2001:db8::/32. */
struct cidr {
	struct netaddr net;     /* the address, port 0 */
	int bits;               /* prefix length */
};

/* Parses "ADDR" or "ADDR/BITS" (IPv4 or IPv6). Returns NULL or a message. */
const char *cidr_parse(const char *s, struct cidr *c);
/* True if a (IPv4-mapped or not) lies inside c. */
bool cidr_match(const struct cidr *c, const struct netaddr *a);
/* True if a lies inside any of the n prefixes. */
bool cidr_match_any(const struct cidr *v, int n, const struct netaddr *a);

#endif
