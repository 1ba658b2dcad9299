/* netaddr: socket address parsing and the FTP address encodings. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

const char *netaddr_parse_ip(const char *s, int port, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	if (port < 0 || port > 65535)
		return "port out of range";
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
	if (inet_pton(AF_INET, s, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		a->len = sizeof *v4;
		return NULL;
	}
	if (inet_pton(AF_INET6, s, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		a->len = sizeof *v6;
		return NULL;
	}
	return "not a numeric IPv4 or IPv6 address";
}

/* Parses a decimal port number that fills all of s. */
static int parse_port(const char *s)
{
	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	int v = atoi(s);
	return v <= 65535 ? v : -1;
}

const char *netaddr_parse_hostport(const char *s, int default_port, struct netaddr *a)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_s = NULL;
	size_t hlen;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL)
			return "missing ']' after IPv6 address";
		hlen = (size_t)(end - s - 1);
		s++;
		if (end[1] == ':')
			port_s = end + 2;
		else if (end[1] != '\0')
			return "unexpected text after ']'";
	} else {
		const char *colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hlen = (size_t)(colon - s);
			port_s = colon + 1;
		} else {
			hlen = strlen(s);   /* bare IPv6 or IPv4 without port */
		}
	}
	if (hlen == 0 || hlen >= sizeof host)
		return "bad address";
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	int port = default_port;
	if (port_s != NULL && (port = parse_port(port_s)) < 0)
		return "bad port number";
	return netaddr_parse_ip(host, port, a);
}

void netaddr_ntop(const struct netaddr *a, bool with_port, char *out, size_t outsz)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;
	bool is6 = a->ss.ss_family == AF_INET6;

	if (is6)
		inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
	else if (a->ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
	if (!with_port)
		snprintf(out, outsz, "%s", host);
	else if (is6)
		snprintf(out, outsz, "[%s]:%d", host, netaddr_port(a));
	else
		snprintf(out, outsz, "%s:%d", host, netaddr_port(a));
}

int netaddr_port(const struct netaddr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void netaddr_set_port(struct netaddr *a, int port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
}

void netaddr_unmap(struct netaddr *a)
{
	if (a->ss.ss_family != AF_INET6)
		return;
	struct sockaddr_in6 v6 = *(struct sockaddr_in6 *)&a->ss;
	if (!IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr))
		return;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	memset(&a->ss, 0, sizeof a->ss);
	v4->sin_family = AF_INET;
	v4->sin_port = v6.sin6_port;
	memcpy(&v4->sin_addr, &v6.sin6_addr.s6_addr[12], 4);
	a->len = sizeof *v4;
}

bool netaddr_is_v4(const struct netaddr *a)
{
	struct netaddr u = *a;
	netaddr_unmap(&u);
	return u.ss.ss_family == AF_INET;
}

bool netaddr_same_host(const struct netaddr *a, const struct netaddr *b)
{
	struct netaddr x = *a, y = *b;
	netaddr_unmap(&x);
	netaddr_unmap(&y);
	if (x.ss.ss_family != y.ss.ss_family)
		return false;
	if (x.ss.ss_family == AF_INET)
		return ((struct sockaddr_in *)&x.ss)->sin_addr.s_addr ==
		       ((struct sockaddr_in *)&y.ss)->sin_addr.s_addr;
	if (x.ss.ss_family == AF_INET6)
		return memcmp(&((struct sockaddr_in6 *)&x.ss)->sin6_addr,
			      &((struct sockaddr_in6 *)&y.ss)->sin6_addr, 16) == 0;
	return false;
}

/* Reads up to count comma-separated numbers (0..255) from s into v; spaces
 * around numbers are allowed. Returns how many were read before the first
 * character that does not fit; *end points there. */
static int read_numbers(const char *s, int *v, int count, const char **end)
{
	int n = 0;
	const char *p = s;
	while (n < count) {
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		long x = 0;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			if (++digits > 3)
				return -1;
			x = x * 10 + (*p++ - '0');
		}
		if (x > 255)
			return -1;
		v[n++] = (int)x;
		while (*p == ' ')
			p++;
		if (n < count) {
			if (*p != ',')
				break;
			p++;
		}
	}
	*end = p;
	return n;
}

/* Builds an IPv4 address from six PORT numbers. */
static void six_to_addr(const int *v, struct netaddr *a)
{
	memset(a, 0, sizeof *a);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	v4->sin_family = AF_INET;
	v4->sin_addr.s_addr = htonl((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
				    (uint32_t)v[2] << 8 | (uint32_t)v[3]);
	v4->sin_port = htons((uint16_t)(v[4] << 8 | v[5]));
	a->len = sizeof *v4;
}

const char *netaddr_decode_port(const char *arg, struct netaddr *a)
{
	int v[6];
	const char *end;
	int n = read_numbers(arg, v, 6, &end);
	if (n < 0)
		return "number out of range (0-255)";
	if (n != 6)
		return "expected six comma-separated numbers";
	if (*end != '\0')
		return "unexpected text after the port";
	six_to_addr(v, a);
	return NULL;
}

bool netaddr_encode_port(const struct netaddr *a, struct sbuf *out)
{
	struct netaddr u = *a;
	netaddr_unmap(&u);
	if (u.ss.ss_family != AF_INET)
		return false;
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&u.ss;
	uint32_t ip = ntohl(v4->sin_addr.s_addr);
	int port = ntohs(v4->sin_port);
	return sbuf_printf(out, "%u,%u,%u,%u,%d,%d", ip >> 24, (ip >> 16) & 255,
			   (ip >> 8) & 255, ip & 255, port >> 8, port & 255);
}

const char *netaddr_decode_eprt(const char *arg, struct netaddr *a)
{
	char d = arg[0];
	if (d < 33 || d > 126)
		return "bad delimiter";
	char buf[128];
	if (strlen(arg) >= sizeof buf)
		return "argument too long";
	memcpy(buf, arg + 1, strlen(arg));
	char *f[3];
	char *p = buf;
	for (int i = 0; i < 3; i++) {
		char *e = strchr(p, d);
		if (e == NULL)
			return "expected <d>proto<d>address<d>port<d>";
		*e = '\0';
		f[i] = p;
		p = e + 1;
	}
	if (*p != '\0')
		return "unexpected text after the last delimiter";
	int port = parse_port(f[2]);
	if (port <= 0)
		return "bad port number";
	if (strcmp(f[0], "1") != 0 && strcmp(f[0], "2") != 0)
		return "unsupported network protocol";
	struct netaddr tmp;
	if (netaddr_parse_ip(f[1], port, &tmp) != NULL)
		return "bad network address";
	int fam = strcmp(f[0], "1") == 0 ? AF_INET : AF_INET6;
	if (tmp.ss.ss_family != fam)
		return "address does not match the protocol number";
	*a = tmp;
	return NULL;
}

bool netaddr_encode_eprt(const struct netaddr *a, struct sbuf *out)
{
	char host[NETADDR_STRLEN];
	netaddr_ntop(a, false, host, sizeof host);
	return sbuf_printf(out, "|%d|%s|%d|", a->ss.ss_family == AF_INET6 ? 2 : 1,
			   host, netaddr_port(a));
}

const char *netaddr_decode_pasv_reply(const char *text, struct netaddr *a)
{
	/* Servers vary: "(h1,...,p2)", "=h1,...,p2", or no brackets at all.
	 * Take the first run of six numbers anywhere in the text. */
	for (const char *p = text; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1])))
			continue;
		int v[6];
		const char *end;
		int n = read_numbers(p, v, 6, &end);
		if (n == 6) {
			six_to_addr(v, a);
			return NULL;
		}
		if (n < 0)
			return "number out of range in 227 reply";
	}
	return "no address in 227 reply";
}

const char *netaddr_decode_epsv_reply(const char *text, int *port)
{
	const char *open = strchr(text, '(');
	if (open == NULL)
		return "no '(' in 229 reply";
	char d = open[1];
	if (d < 33 || d > 126 || open[2] != d || open[3] != d)
		return "bad delimiters in 229 reply";
	const char *p = open + 4;
	long v = 0;
	int digits = 0;
	while (isdigit((unsigned char)*p) && digits < 6) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0 || v < 1 || v > 65535)
		return "bad port in 229 reply";
	if (p[0] != d || p[1] != ')')
		return "bad end of 229 reply";
	*port = (int)v;
	return NULL;
}
