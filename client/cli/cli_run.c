/* cli_run: feeding commands to the interpreter (see cli_run.h). Every
 * source goes through run_piece, which splits text into commands with
 * cmdline_next, runs each, and applies the stopping rule. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_private.h"
#include "cli_run.h"
#include "cmdline.h"
#include "interrupt.h"
#include "prompt.h"
#include "sanitize.h"
#include "xalloc.h"

/* How a run is going. */
struct run {
	bool prompt;          /* commands come from the prompt: nothing stops it but byebye */
	bool keep_going;      /* failures do not stop it (-k, or the prompt) */
	bool stop;            /* no more commands */
	enum ferry_exit last;   /* status of the last failure; 0 when none */
};

/* Notes one command's outcome and decides whether to go on. */
static void run_outcome(struct cli *c, struct run *r, enum ferry_exit code)
{
	fflush(stdout);
	if (code != FERRY_EXIT_OK) {
		r->last = code;
		if (!r->keep_going)
			r->stop = true;
	}
	if (cli_finished(c))
		r->stop = true;
	if (interrupt_pending() && !r->prompt) {
		/* Ctrl-C ends a script, even where the command got through. */
		r->last = FERRY_EXIT_DECLINED;
		r->stop = true;
	}
}

/* Runs the commands in text; where (and line, when not 0) name it. */
static void run_piece(struct cli *c, struct run *r, const char *text, const char *where,
		      unsigned long line)
{
	struct cmdline_words w;
	char err[128];
	const char *pos = text;

	while (!r->stop) {
		enum cmdline_result res = cmdline_next(&pos, &w, err, sizeof err);
		if (res == CMDLINE_END)
			break;
		if (res == CMDLINE_ERROR) {
			char at[256];
			if (line > 0)
				snprintf(at, sizeof at, "%s:%lu", where, line);
			else
				snprintf(at, sizeof at, "%s", where);
			cli_error(at, "%s", err);
			run_outcome(c, r, FERRY_EXIT_USAGE);
			continue;
		}
		enum ferry_exit code = cli_exec(c, (int)w.n, w.v);
		cmdline_words_free(&w);
		run_outcome(c, r, code);
	}
}

enum ferry_exit cli_run_text(struct cli *c, const char *text, const char *where)
{
	struct run r = { .keep_going = c->opt.keep_going };

	run_piece(c, &r, text, where, 0);
	return r.last;
}

/* Reads one line of fp into buf (bounded, newline dropped). Returns
 * RUN_LINE for a line, RUN_END at the end, RUN_LONG for a line too long
 * or RUN_NUL for one holding a NUL byte (the rest of it skipped). */
enum run_read { RUN_END, RUN_LINE, RUN_LONG, RUN_NUL };

static enum run_read run_read_line(FILE *fp, char *buf, size_t bufsz)
{
	size_t n = 0;
	bool nul = false, any = false;
	int ch;

	while ((ch = getc(fp)) != EOF && ch != '\n') {
		any = true;
		if (ch == '\0')
			nul = true;
		else if (n + 2 < bufsz)
			buf[n++] = (char)ch;
		else
			n = bufsz;   /* too long: the rest is skipped */
	}
	if (!any && ch == EOF)
		return RUN_END;
	if (nul)
		return RUN_NUL;
	if (n >= bufsz)
		return RUN_LONG;
	buf[n] = '\0';
	return RUN_LINE;
}

enum ferry_exit cli_run_file(struct cli *c, FILE *fp, const char *where)
{
	struct run r = { .keep_going = c->opt.keep_going };
	char *buf = xmalloc(CLI_RUN_LINE_MAX);
	unsigned long line = 0;
	int err = 0;

	while (!r.stop) {
		errno = 0;
		enum run_read got = run_read_line(fp, buf, CLI_RUN_LINE_MAX);
		if (got == RUN_END) {
			err = errno;
			break;
		}
		line++;
		if (got == RUN_LINE && line == 1) {
			/* A UTF-8 byte order mark some editors put first. */
			size_t bom = sanitize_bom_len(buf, strlen(buf));
			memmove(buf, buf + bom, strlen(buf + bom) + 1);
		}
		if (got != RUN_LINE) {
			char at[256];
			snprintf(at, sizeof at, "%s:%lu", where, line);
			if (got == RUN_NUL)
				cli_error(at, "line holds a NUL byte");
			else
				cli_error(at, "line longer than %d bytes", CLI_RUN_LINE_MAX - 2);
			run_outcome(c, &r, FERRY_EXIT_USAGE);
			continue;
		}
		run_piece(c, &r, buf, where, line);
	}
	if (!r.stop && ferror(fp)) {
		cli_error(where, "%s", err != 0 ? strerror(err) : "read error");
		r.last = FERRY_EXIT_LOCAL;
	}
	free(buf);
	return r.last;
}

enum ferry_exit cli_run_prompt(struct cli *c)
{
	struct run r = { .prompt = true, .keep_going = true };

	while (!r.stop) {
		interrupt_clear();
		char *line = prompt_line(CLI_RUN_PROMPT);
		if (line == NULL) {
			if (interrupt_pending()) {
				putchar('\n');   /* Ctrl-C: a fresh prompt */
				continue;
			}
			putchar('\n');
			break;
		}
		run_piece(c, &r, line, "", 0);
		free(line);
	}
	return r.last;
}
