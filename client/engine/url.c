/* url: parsing ftp://, ftps:// and ftpes:// addresses (see url.h). The
 * scheme is looked up in the TLS module's table (tlsclient.h), which also
 * gives its default port. The authority part is split first (userinfo at
 * the last '@', so an unescaped '@' in a password still works), then
 * host and port, then the path; each piece is decoded on its own. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ftp.h"
#include "tlsclient.h"
#include "url.h"
#include "xalloc.h"

/* The schemes, as url.scheme names them. */
static const char *const url_schemes[] = { "ftp", "ftps", "ftpes" };
/* Longest scheme name. */
#define URL_SCHEME_MAX 8

/* Value of a hex digit, or -1. */
static int url_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns a decoded copy of s[0..n) (caller frees) or NULL when an
 * escape is malformed or decodes to NUL, CR or LF. */
static char *url_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 2 < n ? url_hex(s[i + 1]) : -1;
			int lo = hi >= 0 ? url_hex(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || c == '\r' || c == '\n') {
			free(out);
			return NULL;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

int url_port(const char *s)
{
	long v = 0;

	if (s[0] == '\0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Splits "host[:port]" or "[v6][:port]" (n bytes at s) into u. */
static const char *url_hostport(const char *s, size_t n, struct url *u)
{
	const char *host = s, *port = NULL;
	size_t hn = n;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return "missing ']' after an IPv6 address";
		host = s + 1;
		hn = (size_t)(close - host);
		size_t rest = n - (size_t)(close + 1 - s);
		if (rest > 0) {
			if (close[1] != ':')
				return "unexpected text after ']'";
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		/* Two colons or more: a bare IPv6 address, no port. */
		if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)) == NULL) {
			hn = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	if (hn == 0)
		return "no host name";
	for (size_t i = 0; i < hn; i++)
		if (host[i] == '%' || host[i] == '@' || (unsigned char)host[i] <= ' ' ||
		    host[i] == 0x7f || host[i] == '[' || host[i] == ']')
			return "bad character in the host name";
	if (port != NULL) {
		size_t pn = n - (size_t)(port - s);
		char num[8];
		if (pn == 0 || pn >= sizeof num)
			return "bad port (1 to 65535)";
		memcpy(num, port, pn);
		num[pn] = '\0';
		u->port = url_port(num);
		if (u->port < 0)
			return "bad port (1 to 65535)";
	}
	u->host = xstrndup(host, hn);
	return NULL;
}

/* Splits "user[:pass]" (n bytes at s) into u, decoded. */
static const char *url_userinfo(const char *s, size_t n, struct url *u)
{
	const char *colon = memchr(s, ':', n);
	size_t un = colon ? (size_t)(colon - s) : n;

	u->user = url_decode(s, un);
	if (u->user == NULL)
		return "bad %-escape in the user name";
	if (colon != NULL) {
		u->pass = url_decode(colon + 1, n - un - 1);
		if (u->pass == NULL)
			return "bad %-escape in the password";
	}
	return NULL;
}

/* Parses s (no scheme) into u; see url_parse. */
static const char *url_parse_rest(const char *s, struct url *u)
{
	size_t alen = strcspn(s, "/?#");
	const char *slash = s + alen;

	if (*slash == '?' || *slash == '#')
		return "unexpected '?' or '#' before the path";
	/* The last '@' ends the userinfo, so an '@' in a password still works. */
	const char *at = NULL;
	for (const char *p = s; p < slash; p++)
		if (*p == '@')
			at = p;
	const char *err;
	if (at != NULL && (err = url_userinfo(s, (size_t)(at - s), u)) != NULL)
		return err;
	const char *hp = at ? at + 1 : s;
	if ((err = url_hostport(hp, (size_t)(slash - hp), u)) != NULL)
		return err;
	if (*slash == '/' && slash[1] != '\0') {
		u->path = url_decode(slash + 1, strlen(slash + 1));
		if (u->path == NULL)
			return "bad %-escape in the path";
	}
	return NULL;
}

/* Sets u's scheme and default port from the n bytes at s; false for a
 * scheme ferry does not speak. */
static bool url_scheme(const char *s, size_t n, struct url *u)
{
	char name[URL_SCHEME_MAX + 1];
	struct tlsc_scheme sch;

	if (n > URL_SCHEME_MAX)
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof url_schemes / sizeof url_schemes[0]; i++) {
		if (strcasecmp(name, url_schemes[i]) == 0 &&
		    tlsc_scheme_lookup(url_schemes[i], TLSC_AUTO, &sch)) {
			u->scheme = url_schemes[i];
			u->port = sch.port;
			return true;
		}
	}
	return false;
}

const char *url_parse(const char *s, struct url *u)
{
	memset(u, 0, sizeof *u);
	if (strlen(s) > URL_MAX)
		return "address too long";
	const char *rest = s;
	const char *sep = strstr(s, "://");
	if (sep != NULL) {
		if (!url_scheme(s, (size_t)(sep - s), u))
			return "only ftp://, ftps:// and ftpes:// addresses are supported";
		rest = sep + 3;
	} else {
		url_scheme("ftp", 3, u);
	}
	const char *err = url_parse_rest(rest, u);
	if (err != NULL)
		url_free(u);
	return err;
}

void url_free(struct url *u)
{
	if (u->pass != NULL)
		memset(u->pass, 0, strlen(u->pass));
	free(u->user);
	free(u->pass);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}
