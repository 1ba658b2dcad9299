/* proxyproto: PROXY protocol headers and address prefixes (see proxyproto.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxyproto.h"
#include "sysio.h"

/* Version 2 starts with these 12 bytes, chosen to be invalid in any
 * text protocol (it holds a NUL and "QUIT"). */
static const unsigned char v2_sig[12] = {
	0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
};
/* Version 2: fixed part (signature, version/command, family, length). */
#define V2_FIXED 16
/* Version 1 starts with this. */
static const char v1_prefix[] = "PROXY ";
#define V1_PREFIX_LEN (sizeof v1_prefix - 1)
/* The shortest header of either version ("PROXY UNKNOWN\r\n"): this many
 * bytes can always be read before the version is known. */
#define HEADER_MIN 15

/* Version 2 command (low nibble of byte 12). */
enum { V2_LOCAL = 0x0, V2_PROXY = 0x1 };
/* Version 2 family and transport (byte 13) that carry a TCP client. */
enum { V2_UNSPEC = 0x00, V2_TCP4 = 0x11, V2_TCP6 = 0x21 };
/* Address block sizes for TCP4 and TCP6. */
#define V2_TCP4_LEN 12
#define V2_TCP6_LEN 36
/* A TLV's type and length before its value. */
#define TLV_HEAD 3

/* Fills a with a raw IPv4 or IPv6 address (network order) and port. */
static void set_addr(struct netaddr *a, int family, const unsigned char *addr,
		     const unsigned char *port)
{
	memset(a, 0, sizeof *a);
	uint16_t p;
	memcpy(&p, port, 2);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, addr, 4);
		in->sin_port = p;
		a->len = sizeof *in;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, addr, 16);
		in6->sin6_port = p;
		a->len = sizeof *in6;
	}
	netaddr_unmap(a);
}

static enum proxy_status bad(const char **why, const char *msg)
{
	*why = msg;
	return PROXY_BAD;
}

/* Version 2: binary, length-prefixed. */
static enum proxy_status parse_v2(const unsigned char *buf, size_t n, struct proxy_header *h,
				  const char **why)
{
	if (n < V2_FIXED)
		return PROXY_NEED_MORE;
	if ((buf[12] >> 4) != 2)
		return bad(why, "unknown version in a version 2 signature");
	int cmd = buf[12] & 0x0F;
	if (cmd != V2_LOCAL && cmd != V2_PROXY)
		return bad(why, "unknown version 2 command");
	size_t total = V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);
	if (total > PROXY_HEADER_MAX)
		return bad(why, "version 2 header longer than 1024 bytes");
	if (n < total)
		return PROXY_NEED_MORE;
	h->version = 2;
	h->len = total;
	/* LOCAL: the proxy speaks for itself; whatever follows is ignored. */
	if (cmd == V2_LOCAL || buf[13] == V2_UNSPEC) {
		h->local = true;
		return PROXY_OK;
	}
	size_t alen;
	const unsigned char *p = buf + V2_FIXED;
	if (buf[13] == V2_TCP4) {
		if ((alen = V2_TCP4_LEN) > total - V2_FIXED)
			return bad(why, "version 2 TCP4 addresses truncated");
		set_addr(&h->src, AF_INET, p, p + 8);
		set_addr(&h->dst, AF_INET, p + 4, p + 10);
	} else if (buf[13] == V2_TCP6) {
		if ((alen = V2_TCP6_LEN) > total - V2_FIXED)
			return bad(why, "version 2 TCP6 addresses truncated");
		set_addr(&h->src, AF_INET6, p, p + 32);
		set_addr(&h->dst, AF_INET6, p + 16, p + 34);
	} else {
		return bad(why, "version 2 family is not TCP over IPv4 or IPv6");
	}
	/* TLVs (ALPN, authority, CRC, unique id, ...) carry nothing ferryd
	 * uses; each must still fit inside the header. */
	for (size_t off = V2_FIXED + alen; off < total;) {
		if (total - off < TLV_HEAD)
			return bad(why, "version 2 TLV truncated");
		size_t vlen = (size_t)buf[off + 1] << 8 | buf[off + 2];
		if (vlen > total - off - TLV_HEAD)
			return bad(why, "version 2 TLV runs past the header");
		off += TLV_HEAD + vlen;
	}
	h->local = false;
	return PROXY_OK;
}

/* Parses a decimal port: 1 to 5 digits, at most 65535. */
static bool parse_port(const char *s, unsigned char out[2])
{
	size_t len = strlen(s);
	if (len == 0 || len > 5 || strspn(s, "0123456789") != len || (s[0] == '0' && len > 1))
		return false;
	long v = strtol(s, NULL, 10);
	if (v > 65535)
		return false;
	uint16_t p = htons((uint16_t)v);
	memcpy(out, &p, 2);
	return true;
}

/* Version 1: one text line "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or
 * "PROXY UNKNOWN ...\r\n", single spaces, at most 107 bytes. */
static enum proxy_status parse_v1(const unsigned char *buf, size_t n, struct proxy_header *h,
				  const char **why)
{
	/* The CR must come by byte 106 so that CRLF ends by byte 107. */
	size_t end = 0;
	for (; end < n && end < PROXY_V1_MAX - 1; end++) {
		if (buf[end] == '\r')
			break;
		if (buf[end] < 0x20 || buf[end] > 0x7E)
			return bad(why, "version 1 header holds a control or non-ASCII byte");
	}
	if (end == PROXY_V1_MAX - 1)
		return bad(why, "version 1 header longer than 107 bytes");
	if (end + 1 >= n)
		return PROXY_NEED_MORE;
	if (buf[end + 1] != '\n')
		return bad(why, "version 1 header: CR without LF");
	char line[PROXY_V1_MAX + 1];
	memcpy(line, buf, end);
	line[end] = '\0';
	/* Split on single spaces; an empty field means two spaces in a row. */
	char *field[7];
	int nf = 0;
	for (char *p = line;; nf++) {
		if (nf == 7)
			return bad(why, "version 1 header has too many fields");
		field[nf] = p;
		char *sp = strchr(p, ' ');
		if (sp == NULL) {
			nf++;
			break;
		}
		*sp = '\0';
		p = sp + 1;
	}
	for (int i = 0; i < nf; i++)
		if (field[i][0] == '\0')
			return bad(why, "version 1 header has an empty field");
	h->version = 1;
	h->len = end + 2;
	if (nf >= 2 && strcmp(field[1], "UNKNOWN") == 0) {
		h->local = true;    /* what follows UNKNOWN is to be ignored */
		return PROXY_OK;
	}
	int family;
	if (nf >= 2 && strcmp(field[1], "TCP4") == 0)
		family = AF_INET;
	else if (nf >= 2 && strcmp(field[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return bad(why, "version 1 protocol is not TCP4, TCP6 or UNKNOWN");
	if (nf != 6)
		return bad(why, "version 1 header needs SRC DST SPORT DPORT");
	unsigned char src[16], dst[16], sport[2], dport[2];
	if (inet_pton(family, field[2], src) != 1 || inet_pton(family, field[3], dst) != 1)
		return bad(why, "version 1 address is not numeric or not of the protocol's family");
	if (!parse_port(field[4], sport) || !parse_port(field[5], dport))
		return bad(why, "version 1 port is not a number from 0 to 65535");
	set_addr(&h->src, family, src, sport);
	set_addr(&h->dst, family, dst, dport);
	h->local = false;
	return PROXY_OK;
}

enum proxy_status proxy_parse(const unsigned char *buf, size_t n, struct proxy_header *h,
			      const char **why)
{
	memset(h, 0, sizeof *h);
	*why = NULL;
	if (n == 0)
		return PROXY_NEED_MORE;
	if (buf[0] == v2_sig[0]) {
		size_t k = n < sizeof v2_sig ? n : sizeof v2_sig;
		if (memcmp(buf, v2_sig, k) != 0)
			return bad(why, "not a PROXY protocol header");
		return k < sizeof v2_sig ? PROXY_NEED_MORE : parse_v2(buf, n, h, why);
	}
	size_t k = n < V1_PREFIX_LEN ? n : V1_PREFIX_LEN;
	if (memcmp(buf, v1_prefix, k) != 0)
		return bad(why, "not a PROXY protocol header");
	return k < V1_PREFIX_LEN ? PROXY_NEED_MORE : parse_v1(buf, n, h, why);
}

void proxy_reader_init(struct proxy_reader *r)
{
	r->n = 0;
}

/* How many more bytes the header still certainly holds, given what has
 * been read: never more than is left of the shortest header that could
 * start this way, so a read never takes the session's first bytes. */
static size_t certain_rest(const struct proxy_reader *r)
{
	if (r->n < HEADER_MIN)
		return (r->n > 0 && r->buf[0] == v2_sig[0] ? V2_FIXED : HEADER_MIN) - r->n;
	if (r->buf[0] == v2_sig[0]) {
		if (r->n < V2_FIXED)
			return V2_FIXED - r->n;
		size_t total = V2_FIXED + ((size_t)r->buf[14] << 8 | r->buf[15]);
		return total > r->n ? total - r->n : 0;
	}
	/* Version 1 ends at CRLF: after a CR one byte, else at least two. */
	return r->buf[r->n - 1] == '\r' ? 1 : 2;
}

enum proxy_status proxy_read(int fd, struct proxy_reader *r, struct proxy_header *h,
			     const char **why)
{
	for (;;) {
		enum proxy_status st = proxy_parse(r->buf, r->n, h, why);
		if (st != PROXY_NEED_MORE)
			return st;
		size_t want = certain_rest(r);
		if (want > sizeof r->buf - r->n)
			want = sizeof r->buf - r->n;
		if (want == 0)
			return bad(why, "header longer than 1024 bytes");
		ssize_t got = recv(fd, r->buf + r->n, want, MSG_DONTWAIT);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PROXY_NEED_MORE;
		if (got < 0)
			return bad(why, strerror(errno));
		if (got == 0)
			return bad(why, "connection closed before the header ended");
		r->n += (size_t)got;
	}
}

enum proxy_status proxy_read_wait(int fd, int timeout_ms, struct proxy_header *h,
				  const char **why)
{
	struct proxy_reader r;
	proxy_reader_init(&r);
	long long deadline = sysio_now_ms() + timeout_ms;
	for (;;) {
		enum proxy_status st = proxy_read(fd, &r, h, why);
		long long left = deadline - sysio_now_ms();
		if (st != PROXY_NEED_MORE || left <= 0) {
			if (st == PROXY_NEED_MORE)
				*why = "no whole header in time";
			return st;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return bad(why, strerror(errno));
	}
}

const char *cidr_parse(const char *s, struct cidr *c)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof addr)
		return "not an address";
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	const char *msg = netaddr_parse_ip(addr, 0, &c->net);
	if (msg)
		return msg;
	netaddr_unmap(&c->net);
	int max = c->net.ss.ss_family == AF_INET ? 32 : 128;
	c->bits = max;
	if (slash) {
		const char *b = slash + 1;
		size_t blen = strlen(b);
		if (blen == 0 || blen > 3 || strspn(b, "0123456789") != blen)
			return "prefix length is not a number";
		c->bits = atoi(b);
		if (c->bits > max)
			return max == 32 ? "prefix length above 32" : "prefix length above 128";
	}
	return NULL;
}

bool cidr_match(const struct cidr *c, const struct netaddr *a)
{
	struct netaddr u = *a;
	netaddr_unmap(&u);
	if (u.ss.ss_family != c->net.ss.ss_family)
		return false;
	const unsigned char *x, *y;
	if (u.ss.ss_family == AF_INET) {
		x = (const unsigned char *)&((struct sockaddr_in *)&u.ss)->sin_addr;
		y = (const unsigned char *)&((const struct sockaddr_in *)&c->net.ss)->sin_addr;
	} else {
		x = (const unsigned char *)&((struct sockaddr_in6 *)&u.ss)->sin6_addr;
		y = (const unsigned char *)&((const struct sockaddr_in6 *)&c->net.ss)->sin6_addr;
	}
	int full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(x, y, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xFF << (8 - rest));
	return (x[full] & mask) == (y[full] & mask);
}

bool cidr_match_any(const struct cidr *v, int n, const struct netaddr *a)
{
	for (int i = 0; i < n; i++)
		if (cidr_match(&v[i], a))
			return true;
	return false;
}
