/* tui: the two-pane terminal front end of ferry. Local files on the
 * left, the server on the right, a transfer queue run by worker
 * processes (several copies at once) below. The one entry point main.c calls. */
#ifndef FERRY_TUI_H
#define FERRY_TUI_H

#include "ferry_exit.h"
#include "settings.h"

/* What the command line gave the TUI. */
struct tui_options {
	const char *url;   /* ftp://, ftps:// or ftpes://... to open at start, or NULL for
			    * the connect dialog */
	const char *user;  /* -u USER[:PASS], or NULL */
	struct ftp_settings settings; /* --timeout, --active, --retry, --limit-rate,
				       * --no-preserve, --tls and the other TLS options:
				       * every connection of the screen uses them */
	int parallel;      /* --parallel N: copies run at once, each over its own
			    * connection (1 to 8); 0: the default, 2 */
};

/* Runs the TUI on the terminal until the user quits; returns the exit
 * status: FERRY_EXIT_OK, FERRY_EXIT_USAGE for a bad address, or
 * FERRY_EXIT_LOCAL when the terminal cannot be used. */
enum ferry_exit tui_run(const struct tui_options *o);

#endif
