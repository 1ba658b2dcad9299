/* tui: the two-pane terminal front end of ferry. Local files on the
 * left, the server on the right, a transfer queue run by a worker
 * process below. The one entry point main.c calls. */
#ifndef FERRY_TUI_H
#define FERRY_TUI_H

/* What the command line gave the TUI. */
struct tui_options {
	const char *url;   /* ftp://... to open at start, or NULL for the connect dialog */
	const char *user;  /* -u USER[:PASS], or NULL */
};

/* Runs the TUI on the terminal until the user quits; returns the exit
 * status (0, or 2 for a bad address, 6 when the terminal cannot be used). */
int tui_run(const struct tui_options *o);

#endif
