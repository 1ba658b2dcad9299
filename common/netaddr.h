/* netaddr: socket addresses in the forms FTP and the command line use.
 * PORT/PASV "h1,h2,h3,h4,p1,p2" (RFC 959), EPRT "|af|addr|port|" and EPSV
 * "(|||port|)" (RFC 2428), and "ADDR[:PORT]" / "[V6]:PORT" for options.
 * Decoders are lenient about spacing and strict about ranges; each failure
 * has its own message. */
#ifndef FERRY_NETADDR_H
#define FERRY_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "sbuf.h"

/* An address with its length, as the socket calls take it. */
struct netaddr {
	struct sockaddr_storage ss;  /* the address; family AF_INET or AF_INET6 */
	socklen_t len;               /* bytes of ss in use */
};

/* Longest text netaddr_ntop writes, with brackets and port. */
#define NETADDR_STRLEN 64

/* Parses "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT" (numeric only) into a;
 * default_port is used when none is given. Returns NULL or an error message. */
const char *netaddr_parse_hostport(const char *s, int default_port, struct netaddr *a);
/* Parses a numeric IPv4 or IPv6 address with the given port. */
const char *netaddr_parse_ip(const char *s, int port, struct netaddr *a);
/* Writes "ADDR" (with_port false) or "ADDR:PORT" / "[V6]:PORT" into out. */
void netaddr_ntop(const struct netaddr *a, bool with_port, char *out, size_t outsz);
/* Returns the port, or sets it. */
int netaddr_port(const struct netaddr *a);
void netaddr_set_port(struct netaddr *a, int port);
/* True if both name the same host (ports ignored; an IPv4-mapped IPv6
 * address equals its IPv4 form). */
bool netaddr_same_host(const struct netaddr *a, const struct netaddr *b);
/* Rewrites an IPv4-mapped IPv6 address as plain IPv4 (others unchanged). */
void netaddr_unmap(struct netaddr *a);
/* True for an IPv4 address (after unmapping). */
bool netaddr_is_v4(const struct netaddr *a);

/* Decodes PORT's argument "h1,h2,h3,h4,p1,p2". */
const char *netaddr_decode_port(const char *arg, struct netaddr *a);
/* Appends "h1,h2,h3,h4,p1,p2" for an IPv4 address. Returns false if a is not IPv4. */
bool netaddr_encode_port(const struct netaddr *a, struct sbuf *out);
/* Decodes EPRT's argument "<d>af<d>addr<d>port<d>". */
const char *netaddr_decode_eprt(const char *arg, struct netaddr *a);
/* Appends EPRT's argument "|1|addr|port|" or "|2|addr|port|". */
bool netaddr_encode_eprt(const struct netaddr *a, struct sbuf *out);
/* Finds the six numbers in a 227 reply's text (with or without
 * parentheses) and decodes them. */
const char *netaddr_decode_pasv_reply(const char *text, struct netaddr *a);
/* Finds "(<d><d><d>port<d>)" in a 229 reply's text; sets *port. */
const char *netaddr_decode_epsv_reply(const char *text, int *port);

#endif
