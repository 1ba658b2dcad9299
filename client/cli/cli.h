/* cli: the command interpreter of ferry's command line. One table of
 * commands (the classic words connme, ls, size, upload, download, rm,
 * byebye and the rest, each with its aliases, options, usage line and
 * help text), one dispatcher that checks a command's words against its
 * entry before the handler runs, and the one place where outcomes become
 * exit statuses and error lines ("ferry: get x: 550 ..."). It reaches
 * servers only through the client engine (ftp.h). Where commands come
 * from (a -c string, a file, a pipe, the prompt) is cli_run's concern. */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdbool.h>

#include "ferry_exit.h"
#include "ftp.h"
#include "settings.h"

/* What the command-line options ask for. */
struct cli_options {
	bool yes;         /* -y: confirmations are answered yes */
	bool quiet;       /* -q: no progress bars, summaries or notes */
	bool keep_going;  /* -k: scripts go on after a failed command */
	bool verbose;     /* -v: the protocol trace on stderr */
	bool json;        /* --json: listings and transfer summaries as JSON lines */
	const char *user; /* -u USER[:PASS] as given, or NULL */
	struct ftp_settings settings;  /* --timeout, --active, ...; `set` changes them */
};

struct cli;

/* Returns a new interpreter with no connection (never NULL); free with
 * cli_free. interactive: commands come from the prompt (greetings are
 * shown). The options are copied (o->user must outlive the interpreter). */
struct cli *cli_new(const struct cli_options *o, bool interactive);
/* Logs out (QUIT) when connected and frees c; NULL is allowed. */
void cli_free(struct cli *c);
/* Runs one command given as words (argv[0] is the command). Prints its
 * output to stdout and any error as one line on stderr. */
enum ferry_exit cli_exec(struct cli *c, int argc, char **argv);
/* Connects to the address given on ferry's command line. When fetch is
 * true and the address's path is not a directory, that file is
 * downloaded to the current directory instead and *fetched is set. */
enum ferry_exit cli_open_start(struct cli *c, const char *url, bool fetch, bool *fetched);
/* True once byebye (or an alias) ran: no more commands should be read. */
bool cli_finished(const struct cli *c);
/* Prints "ferry: WHAT: MESSAGE" (or "ferry: MESSAGE" when what is NULL or
 * empty) on stderr, sanitised, as one line: the one place errors are
 * written. */
void cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
