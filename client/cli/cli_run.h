/* cli_run: where the command line's commands come from and when it stops.
 * Commands are read from a -c string, from a file (-b FILE, or standard
 * input when it is not a terminal) line by line, or from the prompt.
 * A script stops at its first failed command and exits with that
 * command's status; with -k it runs the rest and exits with the status
 * of the last failure. Ctrl-C stops a script; the prompt never stops on
 * a failure. byebye ends any of them. */
#ifndef FERRY_CLI_RUN_H
#define FERRY_CLI_RUN_H

#include <stdio.h>

#include "cli.h"

/* Longest line read from a script file or standard input, in bytes. */
#define CLI_RUN_LINE_MAX 8192
/* The interactive prompt. */
#define CLI_RUN_PROMPT "ferry> "

/* Runs the commands in text (a -c argument); where names it in messages. */
enum ferry_exit cli_run_text(struct cli *c, const char *text, const char *where);
/* Runs the commands of fp line by line; where names it in messages
 * ("FILE:LINE: ..."). */
enum ferry_exit cli_run_file(struct cli *c, FILE *fp, const char *where);
/* Reads commands at the prompt until byebye or the end of input. Returns
 * the status of the last failed command, or 0. */
enum ferry_exit cli_run_prompt(struct cli *c);

#endif
