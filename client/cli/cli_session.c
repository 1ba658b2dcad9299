/* cli_session: the commands that tune the session or speak to the server
 * directly: set (the engine's settings, settings.h), ascii and binary
 * (the transfer type), quote and site (a raw command, its reply printed)
 * and chmod (SITE CHMOD). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli_private.h"
#include "settings.h"

/* Prints every setting with its value: "active off", "timeout 30", ... */
static void session_show_all(struct cli *c)
{
	size_t n;
	const struct settings_row *rows = settings_rows(&n);
	char value[SETTINGS_VALUE_MAX], line[CLI_MSG_MAX];

	for (size_t i = 0; i < n; i++) {
		settings_show(&c->opt.settings, rows[i].name, value, sizeof value);
		snprintf(line, sizeof line, "%-12s %-6s %s", rows[i].name, value, rows[i].help);
		cli_print(line);
	}
}

enum ferry_exit cli_cmd_set(struct cli *c, const struct cli_args *a)
{
	char value[SETTINGS_VALUE_MAX], line[CLI_MSG_MAX];

	if (a->argc == 0) {
		session_show_all(c);
		return FERRY_EXIT_OK;
	}
	if (a->argc == 1) {
		if (!settings_show(&c->opt.settings, a->argv[0], value, sizeof value))
			return cli_fail(c, FERRY_EXIT_USAGE, "no such setting (set alone lists them)");
		snprintf(line, sizeof line, "%s %s", a->argv[0], value);
		cli_print(line);
		return FERRY_EXIT_OK;
	}
	const char *err = settings_set(&c->opt.settings, a->argv[0], a->argv[1]);
	if (err != NULL)
		return cli_fail(c, FERRY_EXIT_USAGE, "%s%s", err,
				strcmp(err, "no such setting") == 0 ? " (set alone lists them)" : "");
	settings_apply(&c->opt.settings, c->ftp);
	return FERRY_EXIT_OK;
}
