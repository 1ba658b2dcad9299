/* creds: the one login rule (see creds.h). */
#include "config.h"

#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "creds.h"
#include "netrc.h"
#include "xalloc.h"

/* The login names that mean an anonymous login (RFC 1635). */
static const char *const creds_anonymous[] = { CREDS_ANON_USER, "ftp" };

bool creds_is_anonymous(const char *user)
{
	for (size_t i = 0; i < sizeof creds_anonymous / sizeof creds_anonymous[0]; i++)
		if (strcasecmp(user, creds_anonymous[i]) == 0)
			return true;
	return false;
}

/* Frees a secret after clearing it. */
static void creds_forget(char **s)
{
	if (*s != NULL)
		memset(*s, 0, strlen(*s));
	free(*s);
	*s = NULL;
}

void creds_free(struct creds *c)
{
	creds_forget(&c->user);
	creds_forget(&c->pass);
}

bool creds_need_password(const struct creds *c)
{
	return c->user != NULL && c->pass == NULL;
}

/* Steps 1 and 2: the user and password of -u, else of the URL, else of
 * the last login to the same server. An empty user names nobody. */
static void creds_given(const struct creds_source *src, struct creds *out)
{
	const char *opt = src->option;
	if (opt != NULL && opt[0] != '\0' && opt[0] != ':') {
		const char *colon = strchr(opt, ':');
		out->user = colon ? xstrndup(opt, (size_t)(colon - opt)) : xstrdup(opt);
		out->pass = colon ? xstrdup(colon + 1) : NULL;
	} else if (src->url_user != NULL && src->url_user[0] != '\0') {
		out->user = xstrdup(src->url_user);
		out->pass = src->url_pass ? xstrdup(src->url_pass) : NULL;
	} else if (src->last_host != NULL && src->host != NULL && src->last_user != NULL &&
		   strcasecmp(src->last_host, src->host) == 0 && src->last_port == src->port) {
		out->user = xstrdup(src->last_user);
		out->pass = src->last_pass ? xstrdup(src->last_pass) : NULL;
	}
}

void creds_resolve(const struct creds_source *src, struct creds *out)
{
	out->user = out->pass = NULL;
	out->netrc_unsafe = false;
	creds_given(src, out);
	struct netrc_entry e;
	if (out->pass == NULL && src->host != NULL &&
	    netrc_lookup(src->netrc, src->host, out->user, &e)) {
		out->netrc_unsafe = e.unsafe;
		if (out->user == NULL && e.login != NULL)
			out->user = xstrdup(e.login);
		if (out->user != NULL && e.password != NULL)
			out->pass = xstrdup(e.password);
		netrc_entry_free(&e);
	}
	if (out->user != NULL && out->pass == NULL && creds_is_anonymous(out->user))
		creds_forget(&out->user);   /* the engine's anonymous login, with its password */
}
