/* creds: who ferry logs in as, by one rule for both front ends:
 *   1. -u USER[:PASS] when given: the option overrides the URL, as with
 *      curl and lftp;
 *   2. otherwise the URL's user and password; with no user there either,
 *      and the server (host and port) the one of the front end's last
 *      login, that login's user and password (so "open HOST PORT" after
 *      a URL with a login keeps it);
 *   3. no password yet: ~/.netrc's entry for the host (the one for that
 *      user when a user is named) gives the password, and the user when
 *      none is named;
 *   4. no user at all, or an anonymous name ("anonymous", "ftp") without
 *      a password: an anonymous login (RFC 1635), with CREDS_ANON_PASS;
 *   5. a named user still without a password: the front end asks for one.
 * A password is never taken from a source that names another user, nor
 * from a ~/.netrc that others can read (ftp(1) and Python's netrc refuse
 * those too): the front end is told, to warn. Reads ~/.netrc; prints
 * nothing. */
#ifndef FERRY_CREDS_H
#define FERRY_CREDS_H

#include <stdbool.h>

/* The user name of an anonymous login. */
#define CREDS_ANON_USER "anonymous"
/* Its password: an e-mail address by convention (RFC 1635). */
#define CREDS_ANON_PASS "anonymous@"

/* Where a login may come from; every field may be NULL. */
struct creds_source {
	const char *option;    /* -u USER[:PASS] as typed (split at the first ':') */
	const char *url_user;  /* the URL's user, decoded */
	const char *url_pass;  /* the URL's password, decoded */
	const char *host;      /* the server's host name, looked up in the .netrc */
	int port;              /* the server's port */
	const char *netrc;     /* the .netrc file to read; NULL: $HOME/.netrc */
	const char *last_host; /* the server of the front end's last login, or NULL */
	int last_port;         /* its port */
	const char *last_user; /* that login's user; NULL: it was anonymous */
	const char *last_pass; /* and its password */
};

/* A login; strings owned by the struct (free with creds_free). */
struct creds {
	char *user;         /* login name; NULL: anonymous */
	char *pass;         /* password; NULL: none found (anonymous, or ask: creds_need_password) */
	bool netrc_unsafe;  /* ~/.netrc had a password but others can read the file: not used */
};

/* Fills out from src by the rule above (steps 1 to 4). */
void creds_resolve(const struct creds_source *src, struct creds *out);
/* True when c names a user but no password: the front end must ask. */
bool creds_need_password(const struct creds *c);
/* True for a login name that means anonymous ("anonymous", "ftp", any case). */
bool creds_is_anonymous(const char *user);
/* Clears the password and frees both strings; c is empty afterwards. */
void creds_free(struct creds *c);

#endif
