/* cli_xfer: what downloads and uploads share: the progress callback
 * (which also turns Ctrl-C into a cancel), the summary and "already
 * complete" lines. The transfers themselves are in cli_get.c and
 * cli_put.c. */
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
