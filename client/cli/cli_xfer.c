/* cli_xfer: what downloads and uploads share: the progress callback
 * (which also turns Ctrl-C into a cancel), the summary and "already
 * complete" lines, and building local and remote names. The transfers
 * themselves are in cli_get.c and cli_put.c. */
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

/* Writes the last component of path (trailing slashes ignored) into out;
 * false when there is none usable as a file name ("", "/", ".", ".."). */
bool cli_xfer_basename(const char *path, char *out, size_t outsz)
{
	size_t end = strlen(path);
	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t n = end - start;
	if (n == 0 || n >= outsz || (n == 1 && path[start] == '.') ||
	    (n == 2 && path[start] == '.' && path[start + 1] == '.'))
		return false;
	memcpy(out, path + start, n);
	out[n] = '\0';
	return true;
}

/* True for a name from a listing that is safe to use below a directory. */
bool cli_xfer_safe_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Writes dir/name into out (no doubled slash); false if it is too long. */
bool cli_xfer_join(struct sbuf *out, const char *dir, const char *name)
{
	sbuf_reset(out);
	size_t n = strlen(dir);
	return sbuf_puts(out, dir) && (n == 0 || dir[n - 1] == '/' || sbuf_puts(out, "/")) &&
	       sbuf_puts(out, name);
}
