/* cli_site: opening a saved site by name ("ferry @name", "open @name").
 * The sites file is the engine's (sites.h); here a site becomes the
 * address to log in to, its TLS choice and data connection mode become
 * the session's settings, and its local folder the working directory. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "cli_private.h"
#include "sites.h"

/* The tls setting each TLS choice means for ftp:// (implicit TLS and
 * "require" are the scheme's; "auto" lets the command line's --tls stand
 * only when the site says nothing else). */
static const char *const site_tls_setting[] = {
	[SITES_TLS_AUTO] = "auto", [SITES_TLS_REQUIRE] = "require",
	[SITES_TLS_IMPLICIT] = "auto", [SITES_TLS_OFF] = "off",
};

enum ferry_exit cli_site_url(struct cli *c, const char *name, struct url *u)
{
	char path[SITES_PATH_MAX], err[SITES_ERR_MAX];
	struct sites all;
	cli_set_what(c, "open");
	if (sites_path(path, sizeof path, err, sizeof err) < 0)
		return cli_fail(c, FERRY_EXIT_LOCAL, "%s", err);
	if (sites_load(&all, path, err, sizeof err) < 0)
		return cli_fail(c, FERRY_EXIT_LOCAL, "%s", err);
	const struct site *s = sites_find(&all, name);
	if (s == NULL) {
		sites_free(&all);
		return cli_fail(c, FERRY_EXIT_USAGE, "no site called @%s in %s", name, path);
	}
	settings_set(&c->opt.settings, "tls", site_tls_setting[s->tls]);
	if (s->mode != SITES_MODE_DEFAULT)
		settings_set(&c->opt.settings, "active", s->mode == SITES_MODE_ACTIVE ? "on" : "off");
	settings_apply(&c->opt.settings, c->ftp);
	enum ferry_exit code = FERRY_EXIT_OK;
	if (s->local[0] != '\0' && chdir(s->local) < 0)
		code = cli_fail_errno(c, errno, s->local);
	else
		sites_to_url(s, u);
	sites_free(&all);
	return code;
}
