/* url: the server addresses ferry accepts, "ftp://[user[:pass]@]host
 * [:port][/path]" (RFC 1738 section 3.2), the same with "ftps://"
 * (implicit TLS, port 990 by default) or "ftpes://" (explicit TLS
 * required), and the same without a scheme (ftp://).
 * User, password and path are percent-decoded; an IPv6 host is written
 * in brackets ("ftp://[::1]:2121/"), although a bare address with two
 * or more colons is taken as an IPv6 host without a port. Pure
 * functions: no lookups, nothing printed. */
#ifndef FERRY_URL_H
#define FERRY_URL_H

#include <stdbool.h>

/* Longest URL accepted, in bytes. */
#define URL_MAX 4096

/* A parsed address. Strings are owned by the struct (free with url_free). */
struct url {
	const char *scheme; /* "ftp", "ftps" or "ftpes" (static), in lower case */
	char *user;  /* login name, decoded; NULL when the URL names none */
	char *pass;  /* password, decoded; NULL when the URL gives none */
	char *host;  /* host name or address, without brackets; never NULL after parsing */
	int port;    /* 1..65535; the scheme's port (21, ftps 990) when the URL gives none */
	char *path;  /* path after the host's '/', decoded (so "%2Fetc" is "/etc");
	              * NULL when empty; relative to the login directory */
};

/* Parses s into u. Returns NULL, or a static message saying what is wrong
 * (u is then empty). Decoded parts may not hold NUL, CR or LF. */
const char *url_parse(const char *s, struct url *u);
/* Frees the strings (clearing the password first); u is empty afterwards. */
void url_free(struct url *u);
/* Parses a port number "1".."65535"; returns it, or -1. */
int url_port(const char *s);

#endif
