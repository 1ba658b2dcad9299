/* cli_conn: connecting and leaving. The address comes as a URL or as
 * HOST [PORT]; the login is found by the engine's rule (creds.h: -u,
 * else the URL or the last login to the same server, then ~/.netrc), and
 * a password still missing is asked for on the terminal. A path in the URL is entered after the login, or
 * downloaded when it names a file and ferry was started with only that
 * address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_private.h"
#include "creds.h"
#include "interrupt.h"
#include "prompt.h"
#include "sanitize.h"
#include "url.h"
#include "xalloc.h"

/* Finds the login for u by the engine's rule (creds.h), asking for a
 * password on the terminal when a user is named without one. Returns
 * FERRY_EXIT_OK (cr filled; free with creds_free) or an error (printed). */
static enum ferry_exit conn_credentials(struct cli *c, const struct url *u, struct creds *cr)
{
	struct creds_source src = { .option = c->opt.user, .url_user = u->user,
				    .url_pass = u->pass, .host = u->host, .port = u->port,
				    .last_host = c->login_host, .last_port = c->login_port,
				    .last_user = c->login.user, .last_pass = c->login.pass };
	char warning[CLI_MSG_MAX];
	creds_resolve(&src, cr);
	if (creds_warning(cr, u->host, warning, sizeof warning) != NULL)
		cli_error(NULL, "warning: %s", warning);
	if (!creds_need_password(cr))
		return FERRY_EXIT_OK;

	char question[CLI_MSG_MAX], clean[CLI_MSG_MAX];
	snprintf(question, sizeof question, "Password for %s@%s: ", cr->user, u->host);
	cr->pass = prompt_secret(sanitize_text(question, strlen(question), clean, sizeof clean));
	if (cr->pass != NULL)
		return FERRY_EXIT_OK;
	creds_free(cr);
	if (interrupt_pending())
		return cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
	return cli_fail(c, FERRY_EXIT_LOGIN,
			"no password, and no terminal to ask for one (give it in the URL, "
			"with -u USER:PASS or in ~/.netrc)");
}

/* Keeps a successful login (taking over cr's strings), so a later
 * "open HOST PORT" to the same server logs in the same way. */
static void conn_remember(struct cli *c, const struct url *u, struct creds *cr)
{
	creds_free(&c->login);
	c->login = *cr;
	cr->user = cr->pass = NULL;
	free(c->login_host);
	c->login_host = xstrdup(u->host);
	c->login_port = u->port;
	free(c->login_scheme);
	c->login_scheme = xstrdup(u->scheme);
}

/* Prints the greeting and login reply (interactive sessions only); the
 * server's text comes sanitised from the engine. */
static void conn_greet(struct cli *c, const char *host)
{
	if (!c->interactive || c->opt.quiet)
		return;
	const struct ftp_tls_info *ti = ftp_tls_info(c->ftp);
	char line[CLI_MSG_MAX];
	if (ti->on)
		snprintf(line, sizeof line, "Connected to %s (%s).", host, ti->version);
	else
		snprintf(line, sizeof line, "Connected to %s.", host);
	cli_print(line);   /* the host as typed: sanitised */
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
	struct creds cr;

	/* Messages name the server, never the password typed with it. */
	if (strchr(u->host, ':') != NULL)
		snprintf(what, sizeof what, "open [%s]:%d", u->host, u->port);
	else
		snprintf(what, sizeof what, "open %s:%d", u->host, u->port);
	cli_set_what(c, what);

	enum ferry_exit code = conn_credentials(c, u, &cr);
	if (code != FERRY_EXIT_OK)
		return code;
	if (ftp_connected(c->ftp))
		ftp_quit(c->ftp);
	c->have_server = false;
	ftp_set_scheme(c->ftp, u->scheme);
	enum ftp_status st = ftp_connect(c->ftp, u->host, u->port, cr.user, cr.pass);
	if (st != FTP_S_OK) {
		creds_free(&cr);
		return cli_fail_ftp(c, st, NULL);
	}
	conn_remember(c, u, &cr);
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
	const char *err = NULL;

	if (target[0] == '@') {   /* a saved site */
		enum ferry_exit code = cli_site_url(c, target + 1, &u);
		if (code != FERRY_EXIT_OK)
			return code;
	} else {
		err = url_parse(target, &u);
	}
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
