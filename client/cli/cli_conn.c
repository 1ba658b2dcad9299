/* cli_conn: connecting and leaving. The address comes as a URL or as
 * HOST [PORT]; credentials are looked for in a fixed order: the URL,
 * then -u, then ~/.netrc, then a password prompt on the terminal (no
 * user anywhere means an anonymous login). A path in the URL is entered
 * after the login, or downloaded when it names a file and ferry was
 * started with only that address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_private.h"
#include "interrupt.h"
#include "netrc.h"
#include "prompt.h"
#include "url.h"
#include "xalloc.h"

/* The login names that mean an anonymous login (RFC 1635). */
static const char *const conn_anonymous[] = { "anonymous", "ftp" };

/* Frees a credential after clearing it. */
static void conn_forget(char **s)
{
	if (*s != NULL)
		memset(*s, 0, strlen(*s));
	free(*s);
	*s = NULL;
}

/* True for a login name that means anonymous. */
static bool conn_is_anonymous(const char *user)
{
	for (size_t i = 0; i < sizeof conn_anonymous / sizeof conn_anonymous[0]; i++)
		if (strcasecmp(user, conn_anonymous[i]) == 0)
			return true;
	return false;
}

/* Finds the user and password for u (see the file comment); *user NULL
 * afterwards means anonymous. Returns FERRY_EXIT_OK or an error (printed). */
static enum ferry_exit conn_credentials(struct cli *c, const struct url *u, char **user,
				      char **pass)
{
	*user = *pass = NULL;
	if (u->user != NULL) {
		*user = xstrdup(u->user);
		*pass = u->pass ? xstrdup(u->pass) : NULL;
	} else if (c->opt.user != NULL) {
		const char *colon = strchr(c->opt.user, ':');
		*user = colon ? xstrndup(c->opt.user, (size_t)(colon - c->opt.user))
			      : xstrdup(c->opt.user);
		*pass = colon ? xstrdup(colon + 1) : NULL;
	}
	if (*pass == NULL) {
		struct netrc_entry e;
		if (netrc_lookup(NULL, u->host, *user, &e)) {
			if (*user == NULL && e.login != NULL)
				*user = xstrdup(e.login);
			if (*user != NULL && e.password != NULL)
				*pass = xstrdup(e.password);
			netrc_entry_free(&e);
		}
	}
	if (*user != NULL && conn_is_anonymous(*user) && *pass == NULL)
		conn_forget(user);   /* the engine's anonymous login, with its password */
	if (*user == NULL || *pass != NULL)
		return FERRY_EXIT_OK;

	char question[CLI_MSG_MAX];
	snprintf(question, sizeof question, "Password for %s@%s: ", *user, u->host);
	*pass = prompt_secret(question);
	if (*pass != NULL)
		return FERRY_EXIT_OK;
	conn_forget(user);
	if (interrupt_pending())
		return cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
	return cli_fail(c, FERRY_EXIT_LOGIN,
			"no password, and no terminal to ask for one (give it in the URL, "
			"with -u USER:PASS or in ~/.netrc)");
}

/* Prints the greeting and login reply (interactive sessions only). */
static void conn_greet(struct cli *c, const char *host)
{
	if (!c->interactive || c->opt.quiet)
		return;
	printf("Connected to %s.\n", host);
	const char *w = ftp_welcome(c->ftp);
	if (w[0] != '\0')
		printf("%s\n", w);
	printf("%s\n", ftp_message(c->ftp));
}

/* Logs in to u; then enters its path, or downloads it when fetch is set
 * and it is not a directory (setting *fetched). */
static enum ferry_exit conn_open(struct cli *c, const struct url *u, bool fetch, bool *fetched)
{
	char what[CLI_WHAT_MAX];
	char *user, *pass;

	/* Messages name the server, never the password typed with it. */
	if (strchr(u->host, ':') != NULL)
		snprintf(what, sizeof what, "open [%s]:%d", u->host, u->port);
	else
		snprintf(what, sizeof what, "open %s:%d", u->host, u->port);
	cli_set_what(c, what);

	enum ferry_exit code = conn_credentials(c, u, &user, &pass);
	if (code != FERRY_EXIT_OK)
		return code;
	if (ftp_connected(c->ftp))
		ftp_quit(c->ftp);
	c->have_server = false;
	enum ftp_status st = ftp_connect(c->ftp, u->host, u->port, user, pass);
	conn_forget(&user);
	conn_forget(&pass);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, NULL);
	c->have_server = true;
	conn_greet(c, u->host);
	if (u->path == NULL)
		return FERRY_EXIT_OK;
	st = ftp_cwd(c->ftp, u->path);
	if (st == FTP_S_REFUSED && fetch) {
		*fetched = true;
		return cli_xfer_get(c, u->path, NULL, false);
	}
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

/* Parses target (and a separate port, 0 for none) and opens it. */
static enum ferry_exit conn_open_text(struct cli *c, const char *target, int port, bool fetch,
				    bool *fetched)
{
	struct url u;
	const char *err = url_parse(target, &u);

	if (err != NULL) {
		cli_set_what(c, "open");
		return cli_fail(c, FERRY_EXIT_USAGE, "bad address: %s", err);
	}
	if (port > 0)
		u.port = port;
	if (target != c->last_target) {
		free(c->last_target);
		c->last_target = xstrdup(target);
		c->last_port = port;
	}
	enum ferry_exit code = conn_open(c, &u, fetch, fetched);
	url_free(&u);
	return code;
}

enum ferry_exit cli_open_start(struct cli *c, const char *url, bool fetch, bool *fetched)
{
	*fetched = false;
	return conn_open_text(c, url, 0, fetch, fetched);
}

enum ferry_exit cli_cmd_open(struct cli *c, const struct cli_args *a)
{
	bool fetched = false;
	int port = 0;

	if (a->argc == 0) {
		if (c->last_target == NULL)
			return cli_fail(c, FERRY_EXIT_USAGE, "no server yet: open URL or HOST [PORT]");
		return conn_open_text(c, c->last_target, c->last_port, false, &fetched);
	}
	if (a->argc == 2 && (port = url_port(a->argv[1])) < 0)
		return cli_fail(c, FERRY_EXIT_USAGE, "bad port %s (1 to 65535)", a->argv[1]);
	return conn_open_text(c, a->argv[0], port, false, &fetched);
}

enum ferry_exit cli_cmd_bye(struct cli *c, const struct cli_args *a)
{
	(void)a;
	/* Leaving succeeds even when the goodbye is lost: the session is over. */
	if (ftp_connected(c->ftp))
		ftp_quit(c->ftp);
	c->finished = true;
	return FERRY_EXIT_OK;
}
