/* cli_xfer: what downloads and uploads share: the progress callback
 * (which also turns Ctrl-C into a cancel), the summary and "already
 * complete" lines (text, or JSON objects with --json), keeping file
 * times, copying a tree with the engine's walk, and copying what a
 * pattern matched. The transfers themselves are in cli_get.c and
 * cli_put.c. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_private.h"
#include "ftp_limits.h"
#include "glob.h"
#include "interrupt.h"
#include "json.h"
#include "progress.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sync.h"

/* Progress callback for the engine: draws the bar; Ctrl-C cancels. */
int cli_xfer_progress(void *arg, off_t done, off_t total, double rate)
{
	(void)rate;    /* the bar takes its rate over the last seconds */
	progress_update(arg, done, total);
	return interrupt_pending() ? 1 : 0;
}

enum ferry_exit cli_xfer_no_resume(struct cli *c)
{
	return cli_fail(c, FERRY_EXIT_USAGE, "-c needs binary mode (in ascii the server's sizes "
			"are not the local ones)");
}

/* Prints a line on stdout unless -q. */
static void xfer_say(struct cli *c, const char *line)
{
	if (!c->opt.quiet) {
		cli_print(line);
		fflush(stdout);
	}
}

/* Prints one JSON object about cp (unless -q): the direction, both
 * names, and what adds fills in. */
static void xfer_json(struct cli *c, const struct cli_copy *cp, bool download, off_t bytes,
		      double seconds, bool complete)
{
	struct sbuf line;
	struct json j;

	if (c->opt.quiet)
		return;
	sbuf_init(&line, CLI_MSG_MAX + 3 * PATH_LEN_MAX);
	json_begin(&j, &line);
	json_string(&j, "transfer", download ? "download" : "upload");
	json_string(&j, "remote", cp->remote);
	json_string(&j, "local", cp->local);
	json_int(&j, "bytes", (intmax_t)bytes);
	json_real(&j, "seconds", seconds);
	json_bool(&j, "already_complete", complete);
	if (json_end(&j)) {
		puts(sbuf_str(&line));
		fflush(stdout);
	}
	sbuf_free(&line);
}

void cli_xfer_done(struct cli *c, struct progress *p, const struct cli_copy *cp, bool summary)
{
	char line[PROGRESS_LINE_MAX];

	progress_end(p);
	if (!summary)
		return;
	if (c->opt.json) {
		long long ms = p->t_end > p->t0 ? p->t_end - p->t0 : 0;
		xfer_json(c, cp, strcmp(p->verb, "downloaded") == 0, progress_moved(p),
			  (double)ms / 1000.0, false);
		return;
	}
	progress_summary(p, line, sizeof line);
	xfer_say(c, line);
}

void cli_xfer_complete(struct cli *c, const struct cli_copy *cp, bool download, off_t size)
{
	char line[CLI_MSG_MAX];

	if (c->opt.json) {
		xfer_json(c, cp, download, 0, 0.0, true);
		return;
	}
	snprintf(line, sizeof line, "%s: already complete (%jd bytes)", cp->label, (intmax_t)size);
	xfer_say(c, line);
}

enum ferry_exit cli_xfer_verify(struct cli *c, const struct cli_copy *cp, int fd)
{
	char msg[SYNC_MSG_MAX];
	bool checked;

	enum ftp_status st = sync_verify(c->ftp, cp->remote, fd, &checked, msg, sizeof msg);
	if (st != FTP_S_OK)
		return cli_fail(c, ferry_exit_from_status(st), "%s", msg);
	if (!checked)
		cli_note(c, "note: %s", msg);
	return FERRY_EXIT_OK;
}

void cli_xfer_time_down(struct cli *c, const struct cli_xfer_job *job, int fd,
			const struct cli_copy *cp)
{
	time_t t;

	if (!job->preserve)
		return;
	enum ftp_status st = ftp_file_time(c->ftp, cp->remote, cp->mtime, &t);
	if (st == FTP_S_OK) {
		struct timespec ts[2] = { { .tv_sec = t }, { .tv_sec = t } };
		if (futimens(fd, ts) < 0)
			cli_note(c, "note: %s: could not keep the server's time: %s", cp->local,
				 strerror(errno));
	} else if (ftp_reply_code(c->ftp) != 0) {
		cli_note(c, "note: %s: the server's time is not known: %s", cp->label,
			 ftp_message(c->ftp));
	} else if (!c->told_no_mdtm) {
		c->told_no_mdtm = true;
		cli_note(c, "note: %s; downloads keep the time they arrive", ftp_message(c->ftp));
	}
}

/* Says that an upload's time was not set (st, the engine's message). A
 * server without MFMT (refused with no reply sent, or MFMT not
 * understood: 500, 502) is noted once; any other failure, a lost
 * connection or a line too long for the server too, names its file. */
static void xfer_time_up_failed(struct cli *c, const char *label, enum ftp_status st)
{
	int code = ftp_reply_code(c->ftp);

	if (st == FTP_S_OK)
		return;
	if (st != FTP_S_REFUSED || ftp_refused_long(c->ftp) ||
	    (code != 0 && code != FTP_BAD_COMMAND && code != FTP_NOT_IMPLEMENTED)) {
		cli_note(c, "note: %s: the time was not set: %s", label, ftp_message(c->ftp));
	} else if (!c->told_no_mfmt) {
		c->told_no_mfmt = true;
		if (code == 0)
			cli_note(c, "note: %s; uploads keep the time they arrive",
				 ftp_message(c->ftp));
		else
			cli_note(c, "note: the server cannot set file times (MFMT: %s); uploads "
				 "keep the time they arrive", ftp_message(c->ftp));
	}
}

/* The outcome of an MFMT that went out with a later command (an upload's
 * label is its remote name). */
static void xfer_time_up_done(void *arg, const char *remote, enum ftp_status st)
{
	xfer_time_up_failed(arg, remote, st);
}

void cli_xfer_time_up(struct cli *c, const struct cli_xfer_job *job, const struct cli_copy *cp,
		      time_t mtime)
{
	if (!job->preserve)
		return;
	/* The MFMT goes out with the next file's first commands, or at the
	 * end of the command (cli_exec), its outcome told then. */
	enum ftp_status st = ftp_set_mtime_later(c->ftp, cp->remote, mtime, xfer_time_up_done, c);
	xfer_time_up_failed(c, cp->label, st);
}

/* One tree copy's state, for the walk's callbacks. */
struct xfer_walk {
	struct cli *c;                   /* the interpreter */
	const struct cli_xfer_job *job;  /* what was asked */
	cli_xfer_file_fn *file;          /* copies one file */
	enum tree_way way;               /* which way */
	enum ferry_exit code;            /* why the walk was stopped */
	enum ferry_exit left;            /* what a copy that went on without
					  * something ends with (a listing had lines
					  * not understood, a directory below the top
					  * was not read, a file failed alone);
					  * FERRY_EXIT_OK: nothing */
};

/* Notes that a copy goes on without something, which ends it with code
 * (the first such, kept in *left). */
static void xfer_left(enum ferry_exit *left, enum ferry_exit code)
{
	if (*left == FERRY_EXIT_OK)
		*left = code;
}

/* True for how a file's copy failed that leaves the rest of a tree or a
 * pattern's matches to copy: the server refused the file (status 5), its
 * local side could not be read or written (6), or replacing its target
 * was not confirmed (1: answered no, or no terminal to ask). The copy
 * goes on, as mirror does, and ends with that status; but a server out
 * of room (452, 552) would refuse the rest too, and Ctrl-C means stop:
 * the copy stops there. */
static bool xfer_fails_alone(struct cli *c, enum ferry_exit code)
{
	int reply = ftp_reply_code(c->ftp);
	if (code == FERRY_EXIT_REFUSED)
		return reply != FTP_NO_SPACE && reply != FTP_EXCEEDED_STORAGE;
	if (code == FERRY_EXIT_DECLINED)
		return !interrupt_pending();
	return code == FERRY_EXIT_LOCAL;
}

/* Copies a file the walk met, shown by its path on the target's side. */
static bool xfer_walk_file(void *arg, const struct tree_entry *e)
{
	struct xfer_walk *w = arg;
	const char *target = w->way == TREE_DOWNLOAD ? e->local : e->remote;
	struct cli_copy cp = { .remote = e->remote, .local = e->local, .label = target,
			       .name = target, .mtime = e->mtime,
			       .sized = e->type == FTP_ENTRY_FILE && e->size >= 0,
			       .size = e->size };
	enum ferry_exit code = w->file(w->c, &cp, w->job);
	if (xfer_fails_alone(w->c, code)) {
		xfer_left(&w->left, code);
		return true;
	}
	w->code = code;
	return code == FERRY_EXIT_OK;
}

void cli_note_unsafe_name(struct cli *c, const char *display)
{
	cli_note(c, "skipping %s: not a plain file name", display);
}

void cli_note_partial(struct cli *c, const char *dir, const struct ftp_listing *l)
{
	char shown[PATH_LEN_MAX], text[PATH_LEN_MAX + LISTPARSE_SHOWN_MAX];
	sanitize_text_elided(dir, strlen(dir), shown, sizeof shown, 200);
	cli_fail(c, FERRY_EXIT_REFUSED, "%s", tree_partial_text(shown[0] ? shown : ".", l->skipped,
								 l->first_skipped, text,
								 sizeof text));
}

/* Notes a listing of the walk that had lines not understood. */
static void xfer_walk_partial(void *arg, const char *dir, const struct ftp_listing *l)
{
	struct xfer_walk *w = arg;
	cli_note_partial(w->c, dir, l);
	xfer_left(&w->left, FERRY_EXIT_REFUSED);
}

/* Notes a directory below the top that could not be read: a remote one
 * the server refused to list (status 5), a local one (status 6). The walk
 * goes on without it, and the copy ends as not whole. */
static void xfer_walk_unlisted(void *arg, const char *local, const char *remote,
			       const char *why)
{
	struct xfer_walk *w = arg;
	if (w->way == TREE_DOWNLOAD) {
		cli_fail_unread(w->c, FERRY_EXIT_REFUSED, "skipping", remote,
				"the server does not list it", why);
		xfer_left(&w->left, FERRY_EXIT_REFUSED);
	} else {
		cli_fail_unread(w->c, FERRY_EXIT_LOCAL, "skipping", local, "cannot read it", why);
		xfer_left(&w->left, FERRY_EXIT_LOCAL);
	}
}

/* Notes an upload's directory whose name cannot be sent (a line break in
 * it): a local name in the way (status 6), left out; the walk goes on. */
static void xfer_walk_unsendable(void *arg, const char *local, const char *remote,
				 const char *msg)
{
	(void)local;
	(void)remote;
	struct xfer_walk *w = arg;
	cli_fail(w->c, FERRY_EXIT_LOCAL, "%s", msg);
	xfer_left(&w->left, FERRY_EXIT_LOCAL);
}

void cli_fail_unread(struct cli *c, enum ferry_exit code, const char *lead, const char *path,
		     const char *how, const char *why)
{
	char shown[PATH_LEN_MAX], reason[PATH_LEN_MAX];
	sanitize_text_elided(path, strlen(path), shown, sizeof shown, 200);
	sanitize_text_elided(why, strlen(why), reason, sizeof reason, 200);
	cli_fail(c, code, "%s %s: %s: %s", lead, shown, how, reason);
}

/* Notes an entry the walk skipped. */
static void xfer_walk_skipped(void *arg, const struct tree_entry *e, enum tree_skip why)
{
	struct xfer_walk *w = arg;
	char what[TREE_MSG_MAX];
	if (why == TREE_SKIP_NAME)
		cli_note_unsafe_name(w->c, e->display);
	else if (why == TREE_SKIP_LOOP)
		cli_note(w->c, "skipping %s: %s", e->local,
			 tree_loop_text(e->loops_to, what, sizeof what));
	else if (why == TREE_SKIP_NOWHERE) {
		cli_fail_unread(w->c, FERRY_EXIT_REFUSED, "skipping", e->local,
				"a link leading nowhere", e->why);
		xfer_left(&w->left, FERRY_EXIT_REFUSED);
	}
	else if (why == TREE_SKIP_TEMP)
		cli_note(w->c, "skipping %s: " TREE_TEMP_TEXT, e->local);
	else if (e->type == FTP_ENTRY_LINK)
		cli_note(w->c, "skipping %s: a symbolic link", e->local);
	else
		cli_note(w->c, "skipping %s: not a file, directory or link", e->local);
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

/* cli_xfer_tree, but a listing with lines not understood, or a directory
 * below the top that could not be read, sets *left (noted; the walk goes
 * on) to the status the copy ends with, unless set already, instead of
 * changing the status. */
static enum ferry_exit xfer_tree(struct cli *c, enum tree_way way, const char *local,
				 const char *remote, const struct cli_xfer_job *job,
				 cli_xfer_file_fn *file, enum ferry_exit *left)
{
	struct xfer_walk w = { .c = c, .job = job, .file = file, .way = way,
			       .code = FERRY_EXIT_OK, .left = *left };
	struct tree_visitor v = { .file = xfer_walk_file, .skipped = xfer_walk_skipped,
				  .partial = xfer_walk_partial, .unlisted = xfer_walk_unlisted,
				  .unsendable = xfer_walk_unsendable, .stop = xfer_walk_stop, .arg = &w,
				  .follow_links = job->follow_links };
	struct tree_result r;

	tree_walk(c->ftp, way, local, remote, &v, &r);
	*left = w.left;
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

enum ferry_exit cli_xfer_tree(struct cli *c, enum tree_way way, const char *local,
			      const char *remote, const struct cli_xfer_job *job,
			      cli_xfer_file_fn *file)
{
	enum ferry_exit left = FERRY_EXIT_OK;
	enum ferry_exit code = xfer_tree(c, way, local, remote, job, file, &left);
	/* Entries may be missing from the copy: not everything was done. */
	return code == FERRY_EXIT_OK ? left : code;
}

enum ferry_exit cli_xfer_matches(struct cli *c, enum tree_way way, const struct ftp_listing *l,
				 const char *dir, const struct cli_xfer_job *job,
				 cli_xfer_file_fn *file)
{
	struct sbuf target;
	enum ferry_exit code = FERRY_EXIT_OK;
	enum ferry_exit left = FERRY_EXIT_OK;   /* a tree copy went on without something */

	sbuf_init(&target, PATH_LEN_MAX);
	for (size_t i = 0; i < l->n && code == FERRY_EXIT_OK; i++) {
		const struct ftp_entry *e = &l->v[i];
		const char *src = e->name;
		const char *base = path_last(src);
		if (interrupt_pending()) {
			code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
			break;
		}
		if (!(dir == NULL ? (sbuf_reset(&target), sbuf_puts(&target, base))
				  : path_join(&target, dir, base))) {
			code = cli_fail_errno(c, ENAMETOOLONG, base);
			break;
		}
		const char *dst = sbuf_str(&target);
		const char *local = way == TREE_DOWNLOAD ? dst : src;
		const char *remote = way == TREE_DOWNLOAD ? src : dst;
		if (e->type == FTP_ENTRY_DIR && job->recursive) {
			code = xfer_tree(c, way, local, remote, job, file, &left);
		} else if (e->type == FTP_ENTRY_DIR) {
			cli_note(c, "skipping %s: a directory (copy it with -r)", e->display);
		} else if (e->type == FTP_ENTRY_OTHER) {
			cli_note(c, "skipping %s: not a file or directory", e->display);
		} else {
			struct cli_copy cp = { .remote = remote, .local = local, .label = remote,
					       .name = src,
					       .mtime = e->mtime_exact ? e->mtime : 0,
					       .sized = way == TREE_DOWNLOAD &&
							e->type == FTP_ENTRY_FILE && e->size >= 0,
					       .size = e->size };
			code = file(c, &cp, job);
			if (xfer_fails_alone(c, code)) {
				xfer_left(&left, code);
				code = FERRY_EXIT_OK;
			}
		}
	}
	sbuf_free(&target);
	return code == FERRY_EXIT_OK ? left : code;
}

bool cli_xfer_names_one(const char *pattern, const struct ftp_listing *l)
{
	if (l->n != 1)
		return false;
	return glob_names_one(pattern) ||
	       strcmp(path_last(l->v[0].name), path_last(pattern)) == 0;
}
