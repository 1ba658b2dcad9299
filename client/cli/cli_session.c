/* cli_session: the commands that tune the session or speak to the server
 * directly: set (the engine's settings, settings.h), ascii and binary
 * (the transfer type), quote and site (a raw command, its reply printed)
 * and chmod (SITE CHMOD). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_private.h"
#include "ftp_limits.h"
#include "sbuf.h"
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

/* The transfer type: ascii or binary. */
static enum ferry_exit session_type(struct cli *c, bool ascii)
{
	enum ftp_status st = ftp_set_type(c->ftp, ascii);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

enum ferry_exit cli_cmd_ascii(struct cli *c, const struct cli_args *a)
{
	(void)a;
	return session_type(c, true);
}

enum ferry_exit cli_cmd_binary(struct cli *c, const struct cli_args *a)
{
	(void)a;
	return session_type(c, false);
}

/* Sends prefix (or nothing) and the words of a joined by spaces as one
 * command, and prints the whole reply on stdout. */
static enum ferry_exit session_quote(struct cli *c, const char *prefix, const struct cli_args *a)
{
	struct sbuf line;

	sbuf_init(&line, FTP_LINE_MAX);
	bool ok = prefix == NULL || sbuf_puts(&line, prefix);
	for (int i = 0; i < a->argc && ok; i++)
		ok = (line.len == 0 || sbuf_puts(&line, " ")) && sbuf_puts(&line, a->argv[i]);
	if (!ok) {
		sbuf_free(&line);
		return cli_fail(c, FERRY_EXIT_USAGE, "the command is longer than %d bytes",
				FTP_LINE_MAX);
	}
	enum ftp_status st = ftp_quote(c->ftp, sbuf_str(&line));
	sbuf_free(&line);
	if (st == FTP_S_OK || st == FTP_S_REFUSED)
		puts(ftp_reply_lines(c->ftp));
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

enum ferry_exit cli_cmd_quote(struct cli *c, const struct cli_args *a)
{
	return session_quote(c, NULL, a);
}

enum ferry_exit cli_cmd_site(struct cli *c, const struct cli_args *a)
{
	return session_quote(c, "SITE", a);
}

/* chmod MODE FILE: an octal mode of one to four digits. */
enum ferry_exit cli_cmd_chmod(struct cli *c, const struct cli_args *a)
{
	const char *mode = a->argv[0];
	char *end;

	errno = 0;
	unsigned long m = strtoul(mode, &end, 8);
	if (errno != 0 || end == mode || *end != '\0' || strlen(mode) > 4 || mode[0] == '-' ||
	    mode[0] == '+')
		return cli_fail(c, FERRY_EXIT_USAGE, "%s: the mode must be octal, as 644 or 0755",
				mode);
	enum ftp_status st = ftp_chmod(c->ftp, a->argv[1], (unsigned)m);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}
