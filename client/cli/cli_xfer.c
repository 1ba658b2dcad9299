/* cli_xfer: what downloads and uploads share: the progress callback
 * (which also turns Ctrl-C into a cancel), the summary and "already
 * complete" lines, and copying a tree with the engine's walk. The
 * transfers themselves are in cli_get.c and cli_put.c. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli_private.h"
#include "interrupt.h"
#include "progress.h"
#include "sbuf.h"

/* Progress callback for the engine: draws the bar; Ctrl-C cancels. */
int cli_xfer_progress(void *arg, off_t done, off_t total, double rate)
{
	progress_update(arg, done, total, rate);
	return interrupt_pending() ? 1 : 0;
}

/* Prints a line on stdout unless -q. */
void cli_xfer_say(struct cli *c, const char *line)
{
	if (!c->opt.quiet) {
		cli_print(line);
		fflush(stdout);
	}
}

/* Ends the display of a transfer and prints its summary line. */
void cli_xfer_done(struct cli *c, struct progress *p, bool summary)
{
	char line[PROGRESS_LINE_MAX];

	progress_end(p);
	if (!summary)
		return;
	progress_summary(p, line, sizeof line);
	cli_xfer_say(c, line);
}

void cli_xfer_complete(struct cli *c, const char *label, off_t size)
{
	char line[CLI_MSG_MAX];

	snprintf(line, sizeof line, "%s: already complete (%jd bytes)", label, (intmax_t)size);
	cli_xfer_say(c, line);
}

/* One tree copy's state, for the walk's callbacks. */
struct xfer_walk {
	struct cli *c;                   /* the interpreter */
	const struct cli_xfer_job *job;  /* what was asked */
	cli_xfer_file_fn *file;          /* copies one file */
	enum ferry_exit code;            /* why the walk was stopped */
};

/* Copies a file the walk met. */
static bool xfer_walk_file(void *arg, const struct tree_entry *e)
{
	struct xfer_walk *w = arg;
	w->code = w->file(w->c, e->local, e->remote, w->job);
	return w->code == FERRY_EXIT_OK;
}

/* Notes an entry the walk skipped. */
static void xfer_walk_skipped(void *arg, const struct tree_entry *e, enum tree_skip why)
{
	struct xfer_walk *w = arg;
	if (why == TREE_SKIP_NAME)
		cli_note(w->c, "skipping %s: not a plain file name", e->display);
	else
		cli_note(w->c, "skipping %s: not a file or directory", e->local);
}

/* Stops the walk after Ctrl-C. */
static bool xfer_walk_stop(void *arg)
{
	struct xfer_walk *w = arg;
	if (!interrupt_pending())
		return false;
	w->code = cli_fail(w->c, FERRY_EXIT_DECLINED, "interrupted");
	return true;
}

enum ferry_exit cli_xfer_tree(struct cli *c, enum tree_way way, const char *local,
			      const char *remote, const struct cli_xfer_job *job,
			      cli_xfer_file_fn *file)
{
	struct xfer_walk w = { .c = c, .job = job, .file = file, .code = FERRY_EXIT_OK };
	struct tree_visitor v = { .file = xfer_walk_file, .skipped = xfer_walk_skipped,
				  .stop = xfer_walk_stop, .arg = &w };
	struct tree_result r;

	tree_walk(c->ftp, way, local, remote, &v, &r);
	switch (r.end) {
	case TREE_DONE:
		break;
	case TREE_STOPPED:
		return w.code;
	case TREE_FAILED:
		return cli_fail(c, ferry_exit_from_status(r.status), "%s", r.msg);
	}
	return FERRY_EXIT_OK;
}
