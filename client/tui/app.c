/* app: the TUI's event loop and entry point (see tui.h, app.h). One
 * poll(2) waits on the terminal and on the worker's report pipe; keys go
 * through the key table, reports update the queue, and the screen is
 * drawn after each round. The loop never blocks on the network except
 * for the browser's own short commands (listings, renames). */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "app.h"
#include "creds.h"
#include "draw.h"
#include "ferry_exit.h"
#include "keys.h"
#include "sanitize.h"
#include "sysio.h"
#include "tui.h"
#include "url.h"
#include "xalloc.h"

/* Least time between pane reloads caused by ending transfers, in ms. */
#define APP_REFRESH_GAP_MS 1000
/* Longest wait in poll before a redraw, in ms. */
#define APP_TICK_MS 500

void app_status(struct app *a, bool error, const char *fmt, ...)
{
	char raw[APP_STATUS_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(raw, strlen(raw), a->status, sizeof a->status);
	a->status_error = error;
}

void app_redraw(struct app *a)
{
	draw_screen(a);
	if (a->overlay != NULL)
		a->overlay(a, a->overlay_arg);
	draw_flush();
}

void app_pump(struct app *a)
{
	if (!worker_running(&a->worker))
		return;
	struct queue_job *j = queue_next(a->queue);
	if (j == NULL)
		return;
	for (size_t i = 0; i < queue_count(a->queue); i++)
		if (queue_at(a->queue, i) == j)
			a->xfer_sel = i;  /* the panel follows the running transfer */
	if (worker_send_job(&a->worker, j) < 0)
		queue_finish(a->queue, j->id, QUEUE_FAILED, "the transfer process is gone");
}

/* Applies one report of the worker. */
static void app_report(struct app *a, const struct wire_msg *m)
{
	switch (m->type) {
	case WIRE_PROGRESS:
		queue_progress(a->queue, m->id, (off_t)m->progress.done, (off_t)m->progress.total,
			       (double)m->progress.rate);
		break;
	case WIRE_FILE:
		queue_add_found(a->queue, m->id, (enum queue_dir)m->copy.dir, m->copy.local,
				m->copy.remote, (off_t)m->copy.size, m->copy.target_size >= 0);
		break;
	case WIRE_END: {
		enum queue_state st = (enum queue_state)m->end.state;
		queue_finish(a->queue, m->id, st, m->end.message);
		struct queue_job *j = queue_find(a->queue, m->id);
		if (j != NULL && st != QUEUE_DONE)
			app_status(a, st == QUEUE_FAILED, "%s: %s", j->label,
				   m->end.message[0] ? m->end.message : queue_state_name(st));
		a->refresh_due = true;
		break;
	}
	default:
		break;
	}
}

/* Takes every report waiting, then starts the next job. */
static void app_worker_events(struct app *a)
{
	int rc;
	while ((rc = worker_read(&a->worker)) == 1)
		app_report(a, &a->worker.report);
	if (rc < 0) {
		struct queue_job *j = queue_running(a->queue);
		if (j != NULL)
			queue_finish(a->queue, j->id, QUEUE_FAILED, "the transfer process ended");
		app_status(a, true, "the transfer process ended");
	}
	app_pump(a);
}

/* Reloads the panes after transfers ended (at most once a second while
 * a queue runs, at once when it is idle). */
static void app_maybe_refresh(struct app *a)
{
	if (!a->refresh_due)
		return;
	long long now = sysio_now_ms();
	if (queue_active(a->queue) > 0 && now - a->refreshed_ms < APP_REFRESH_GAP_MS)
		return;
	a->refresh_due = false;
	a->refreshed_ms = now;
	queue_prune(a->queue, APP_KEEP_FINISHED);
	for (int s = 0; s < APP_SIDES; s++) {
		const struct pane_entry *e = pane_current(a->pane[s]);
		char *keep = e ? xstrdup(e->name) : NULL;
		if (s == APP_LOCAL || a->connected)
			side_load(a, (enum app_side)s, NULL, keep);
		free(keep);
	}
}

/* Reads one key if the terminal has one: returns the key code, or -1. */
static int app_read_key(void)
{
	wint_t ch;
	int rc = get_wch(&ch);
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES)
		return KEYS_FN + (int)ch;
	return (int)ch;
}

int app_wait_key(struct app *a)
{
	for (;;) {
		int key = app_read_key();
		if (key == KEYS_FN + KEY_RESIZE) {
			draw_resize();
			app_redraw(a);
			continue;
		}
		if (key >= 0)
			return key;
		if (a->overlay == NULL && !a->asking)
			actions_ask_held(a);
		app_maybe_refresh(a);
		app_redraw(a);
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = worker_fd(&a->worker), .events = POLLIN },
		};
		int n = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, APP_TICK_MS);
		if (n > 0 && pfd[1].fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			app_worker_events(a);
	}
}

/* Fills a->login from the URL and -u by the engine's rule (creds.h);
 * returns an error message or NULL. A user named without a password gets
 * an empty one (F2 asks again). */
static const char *app_login_from(struct app *a, const struct tui_options *o, char **path)
{
	struct url u;
	const char *err = url_parse(o->url, &u);
	if (err != NULL)
		return err;
	snprintf(a->login.host, sizeof a->login.host, "%s", u.host);
	a->login.port = u.port;
	struct creds_source src = { .option = o->user, .url_user = u.user, .url_pass = u.pass,
				    .host = u.host };
	struct creds cr;
	creds_resolve(&src, &cr);
	snprintf(a->login.user, sizeof a->login.user, "%s", cr.user ? cr.user : "");
	snprintf(a->login.pass, sizeof a->login.pass, "%s", cr.pass ? cr.pass : "");
	creds_free(&cr);
	*path = u.path ? xstrdup(u.path) : NULL;
	url_free(&u);
	return NULL;
}

/* Loads the local pane at the working directory. */
static void app_open_local(struct app *a)
{
	char cwd[PANE_PATH_MAX];
	if (getcwd(cwd, sizeof cwd) == NULL)
		snprintf(cwd, sizeof cwd, "/");
	side_load(a, APP_LOCAL, cwd, NULL);
}

/* Returns a new TUI state with empty panes, no connection and no worker. */
static struct app *app_new(void)
{
	struct app *a = xcalloc(1, sizeof *a);
	a->pane[APP_LOCAL] = pane_new();
	a->pane[APP_REMOTE] = pane_new();
	a->queue = queue_new();
	a->ftp = ftp_new();
	a->login.port = FTP_DEFAULT_PORT;
	worker_init(&a->worker);
	return a;
}

/* Stops the worker, logs out and frees a. */
static void app_free(struct app *a)
{
	worker_stop(&a->worker);
	if (ftp_connected(a->ftp))
		ftp_quit(a->ftp);
	ftp_free(a->ftp);
	queue_free(a->queue);
	pane_free(a->pane[APP_LOCAL]);
	pane_free(a->pane[APP_REMOTE]);
	explicit_bzero(a->login.pass, sizeof a->login.pass);
	free(a);
}

/* Opens both panes and connects to the address given, or asks for one. */
static void app_open(struct app *a, const struct tui_options *o, const char *path)
{
	app_open_local(a);
	a->active = APP_REMOTE;
	if (o->url != NULL) {
		app_status(a, false, "connecting to %s...", a->login.host);
		app_redraw(a);
		if (side_connect(a) && path != NULL)
			side_load(a, APP_REMOTE, path, NULL);
	} else {
		app_status(a, false, "not connected: press F2 to connect, ? for help");
		app_redraw(a);
		keys_dispatch(a, KEYS_FN + KEY_F(2));
	}
}

enum ferry_exit tui_run(const struct tui_options *o)
{
	char *path = NULL;

	/* A worker that died must not take the screen with it: writes to its
	 * pipe then fail with EPIPE instead of killing the program. */
	signal(SIGPIPE, SIG_IGN);
	struct app *a = app_new();
	if (o->url != NULL) {
		const char *err = app_login_from(a, o, &path);
		if (err != NULL) {
			fprintf(stderr, "ferry: %s\n", err);
			app_free(a);
			return FERRY_EXIT_USAGE;
		}
	}
	if (!draw_start(a)) {
		fprintf(stderr, "ferry: cannot use this terminal\n");
		free(path);
		app_free(a);
		return FERRY_EXIT_LOCAL;
	}
	app_open(a, o, path);
	free(path);
	while (!a->quit)
		keys_dispatch(a, app_wait_key(a));
	draw_end();
	app_free(a);
	return FERRY_EXIT_OK;
}
