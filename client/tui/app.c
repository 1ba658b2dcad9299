/* app: the TUI's event loop and entry point (see tui.h, app.h). One
 * poll(2) waits on the terminal and on the workers' report pipes (the
 * transfer workers, each pane's browser, a connection being opened); keys
 * go through the key table, reports update the queue and the panes, and
 * the screen is drawn after each round. The loop never calls the network
 * or waits for a worker: messages to workers are only written when their
 * pipe has room, and messages from them are taken a few milliseconds'
 * worth at a time, between looks at the keyboard. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
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
#include "keysfile.h"
#include "mouse.h"
#include "sanitize.h"
#include "sitemgr.h"
#include "sysio.h"
#include "trace.h"
#include "tree.h"
#include "tui.h"
#include "url.h"
#include "viewedit.h"
#include "xalloc.h"

/* Longest wait in poll before a redraw, in ms. */
#define APP_TICK_MS 500
/* Longest time spent on workers' messages before the keyboard is looked
 * at again, in ms: a 100,000-entry listing arriving never holds a key up. */
#define APP_BUDGET_MS 8

/* Sets the status line's text and subject. */
static void app_vstatus(struct app *a, enum app_topic topic, bool error, const char *fmt,
			va_list ap) __attribute__((format(printf, 4, 0)));
static void app_vstatus(struct app *a, enum app_topic topic, bool error, const char *fmt,
			va_list ap)
{
	char raw[APP_STATUS_MAX];
	vsnprintf(raw, sizeof raw, fmt, ap);
	sanitize_text(raw, strlen(raw), a->status, sizeof a->status);
	a->status_short[0] = '\0';
	a->status_error = error;
	a->status_topic = topic;
	a->status_job = 0;
}

void app_status(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	app_vstatus(a, APP_TOPIC_NONE, error, fmt, ap);
	va_end(ap);
}

void app_status_about(struct app *a, enum app_topic topic, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	app_vstatus(a, topic, error, fmt, ap);
	va_end(ap);
}

void app_status_short(struct app *a, const char *fmt, ...)
{
	char raw[APP_STATUS_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* Each form sanitised; the '\n' between them kept. */
	size_t at = 0;
	a->status_short[0] = '\0';
	for (const char *p = raw; at + 1 < sizeof a->status_short;) {
		size_t n = strcspn(p, "\n");
		sanitize_text(p, n, a->status_short + at, sizeof a->status_short - at);
		at += strlen(a->status_short + at);
		if (p[n] == '\0' || at + 1 >= sizeof a->status_short)
			break;
		a->status_short[at++] = '\n';
		a->status_short[at] = '\0';
		p += n + 1;
	}
}

int app_clause_len(const char *text)
{
	size_t n = strlen(text);
	while (n > 0 && strchr(".!;:, \t", text[n - 1]) != NULL)
		n--;
	return n > INT_MAX ? INT_MAX : (int)n;
}

void app_status_offline(struct app *a, bool error)
{
	app_status(a, error, "not connected: press F2 to connect");
	app_status_short(a, "not connected: F2 connects\nnot connected");
}

void app_status_clear(struct app *a, enum app_topic topic)
{
	if (a->status_topic == topic && topic != APP_TOPIC_NONE) {
		a->status[0] = '\0';
		a->status_short[0] = '\0';
		a->status_error = false;
		a->status_topic = APP_TOPIC_NONE;
	}
}

void app_redraw(struct app *a)
{
	draw_screen(a);
	if (a->overlay != NULL)
		a->overlay(a, a->overlay_arg);
	draw_flush();
}

/* The worker that runs job j. */
static struct worker *app_job_worker(struct app *a, const struct queue_job *j)
{
	enum queue_lane lane = queue_lane(j);
	return lane == QUEUE_LANE_COPY ? &a->xfer[j->slot < APP_XFER_MAX ? j->slot : 0]
	       : &a->browse[lane == QUEUE_LANE_LOCAL ? APP_LOCAL : APP_REMOTE];
}

/* Hands copies to the transfer workers while slots are free: a slot's
 * worker is started for the working connection when it first gets one
 * (slot 0's was at login: without it there is no connection to copy on). */
static void app_pump_copies(struct app *a)
{
	struct queue_job *j;
	while (worker_running(&a->xfer[0]) && (j = queue_next(a->queue, QUEUE_LANE_COPY)) != NULL) {
		struct worker *w = app_job_worker(a, j);
		bool sent = (worker_running(w) || side_start_transfer(a, j->slot)) &&
			    worker_send_job(w, j) == 0;
		if (!sent)
			queue_finish(a->queue, j->id, QUEUE_FAILED, "the transfer process is gone");
	}
	/* A worker whose slot stays free after a job ended hears that none
	 * follows for now: the last upload's MFMT, which would go out with
	 * the next job's first commands, goes at once. */
	for (unsigned i = 0; i < APP_XFER_MAX; i++) {
		if (!a->xfer_idle_due[i])
			continue;
		if (!worker_running(&a->xfer[i]) ||
		    queue_running_in(a->queue, QUEUE_LANE_COPY, i) != NULL ||
		    worker_idle(&a->xfer[i]) == 0)
			a->xfer_idle_due[i] = false;
	}
}

/* Hands a delete to its side's browser when it is free. */
static void app_pump_side(struct app *a, enum queue_lane lane)
{
	struct worker *w = &a->browse[lane == QUEUE_LANE_LOCAL ? APP_LOCAL : APP_REMOTE];
	if (!worker_running(w) || (lane == QUEUE_LANE_REMOTE && !a->connected))
		return;
	struct queue_job *j = queue_next(a->queue, lane);
	if (j != NULL && !side_run_delete(a, j))
		queue_finish(a->queue, j->id, QUEUE_FAILED, "the pane's process is busy or gone");
}

void app_pump(struct app *a)
{
	app_pump_copies(a);
	app_pump_side(a, QUEUE_LANE_LOCAL);
	app_pump_side(a, QUEUE_LANE_REMOTE);
}

void app_stop_marked(struct app *a)
{
	for (size_t i = 0; i < queue_count(a->queue); i++) {
		struct queue_job *j = queue_at(a->queue, i);
		if (j->state != QUEUE_RUNNING || !j->stopping)
			continue;
		if (j->stop_at == 0)
			j->stop_at = sysio_now_ms();
		worker_cancel(app_job_worker(a, j), j->id);
	}
}

/* How long a transfer worker let go may take to exit, in ms. */
#define APP_DETACH_GRACE_MS 3000

/* Lets transfer worker w go, to be reaped later. */
static void app_let_go(struct app *a, struct worker *w)
{
	pid_t pid = worker_detach(w);
	if (pid <= 0)
		return;
	for (size_t i = 0; i < APP_DETACHED_MAX; i++)
		if (a->detached[i] <= 0) {
			a->detached[i] = pid;
			a->detached_until[i] = sysio_now_ms() + APP_DETACH_GRACE_MS;
			return;
		}
	worker_reap(pid, true);   /* no room to wait for it */
}

void app_let_go_transfers(struct app *a)
{
	for (size_t i = 0; i < APP_XFER_MAX; i++)
		app_let_go(a, &a->xfer[i]);
}

/* Reaps the transfer workers let go that have exited; kills the ones past
 * their time, or all of them when force. */
static void app_reap(struct app *a, bool force)
{
	long long now = sysio_now_ms();
	for (size_t i = 0; i < APP_DETACHED_MAX; i++)
		if (a->detached[i] > 0 &&
		    worker_reap(a->detached[i], force || now >= a->detached_until[i]))
			a->detached[i] = 0;
}

/* The panes a finished job changed. */
static void app_job_changed(struct app *a, const struct queue_job *j)
{
	switch (j->dir) {
	case QUEUE_DOWNLOAD:
	case QUEUE_DELETE_LOCAL:
		a->refresh_due[APP_LOCAL] = true;
		break;
	case QUEUE_UPLOAD:
	case QUEUE_DELETE_REMOTE:
		a->refresh_due[APP_REMOTE] = true;
		break;
	}
}

/* Says on the status line that delete j was cancelled, and how many
 * entries it removed before (shorter forms for a narrow line). */
static void app_delete_cancelled(struct app *a, const struct queue_job *j)
{
	long long n = (long long)j->done;
	app_status(a, false, "cancelled %s: %lld removed, the rest not deleted", j->label, n);
	app_status_short(a, "cancelled %s: %lld removed\ncancelled: %lld removed, the rest kept\n"
			 "cancelled: %lld removed", j->label, n, n, n);
}

/* Says on the status line that job j, asked to stop, ended before it
 * could be (shorter forms for a narrow line). */
static void app_job_ended_first(struct app *a, const struct queue_job *j)
{
	app_status(a, false, "%s ended before it could be cancelled", j->label);
	app_status_short(a, "ended before it could be cancelled\nended before the cancel");
}

/* How long a copy or remote delete asked to stop may go on before the
 * screen ends its worker, in ms: a worker waiting for a reply that does
 * not come reads no cancel until its timeout. */
#define APP_CANCEL_GRACE_MS 2000

/* Ends remote delete j, asked to stop APP_CANCEL_GRACE_MS ago: the remote
 * browser running it is replaced by a new one, and what it had not removed
 * is said to be left. */
static void app_end_stuck_delete(struct app *a, struct queue_job *j)
{
	queue_finish(a->queue, j->id, QUEUE_CANCELLED,
		     "cancelled (no answer from the server); the rest is not deleted");
	if (j->id == a->status_job)
		app_delete_cancelled(a, j);
	side_replace_browser(a, APP_REMOTE);
	app_job_changed(a, j);
}

/* Ends running job j, asked to stop APP_CANCEL_GRACE_MS ago: a copy's
 * worker is let go (and ended when it does not exit), the job is
 * cancelled, and slot 0's worker, which the other copies need, is started
 * anew; a delete's browser is replaced (app_end_stuck_delete). */
static void app_end_stuck(struct app *a, struct queue_job *j)
{
	if (queue_lane(j) == QUEUE_LANE_REMOTE) {
		app_end_stuck_delete(a, j);
		return;
	}
	if (queue_lane(j) != QUEUE_LANE_COPY)
		return;
	unsigned slot = j->slot < APP_XFER_MAX ? j->slot : 0;
	app_let_go(a, &a->xfer[slot]);
	queue_finish(a->queue, j->id, QUEUE_CANCELLED, "cancelled (no answer from the server)");
	if (j->id == a->status_job)
		app_status(a, false, "cancelled %s", j->label);
	app_job_changed(a, j);
	viewedit_job_end(a, j->id, QUEUE_CANCELLED, "cancelled");
	if (slot == 0 && !side_start_transfer(a, 0))
		app_status(a, true, "the transfer process could not be started again");
}

/* Ends the copies and remote deletes asked to stop more than
 * APP_CANCEL_GRACE_MS ago (app_end_stuck). Only the running jobs are
 * looked at, slot by slot: thousands may wait or have failed beside
 * them. */
static void app_end_stuck_cancels(struct app *a)
{
	long long now = sysio_now_ms();
	for (int lane = 0; lane < QUEUE_LANES; lane++)
		for (unsigned s = 0; s < QUEUE_PARALLEL_MAX; s++) {
			struct queue_job *j = queue_running_in(a->queue, (enum queue_lane)lane, s);
			if (j != NULL && j->stopping && j->stop_at != 0 &&
			    now - j->stop_at >= APP_CANCEL_GRACE_MS)
				app_end_stuck(a, j);
		}
}

/* Writes why a directory job left the entry l out into out, in the words
 * get -r uses for it. Returns out. */
static const char *app_left_text(const struct wire_left *l, char *out, size_t outsz)
{
	char to[WIRE_STR_MAX + 1];
	switch ((enum wire_left_why)l->why) {
	case WIRE_LEFT_LOOP: {
		bool known = l->to_len >= 0 && (size_t)l->to_len < sizeof to;
		if (known)
			snprintf(to, sizeof to, "%.*s", (int)l->to_len, l->remote);
		return tree_loop_text(known ? to : NULL, out, outsz);
	}
	case WIRE_LEFT_LINK:
		return "a symbolic link";
	case WIRE_LEFT_SPECIAL:
		return "not a file, directory or link";
	case WIRE_LEFT_NAME:
		return "not a plain file name";
	case WIRE_LEFT_TEMP:
		return TREE_TEMP_TEXT;
	case WIRE_LEFT_LISTING:
		break;
	case WIRE_LEFT_UNLISTED:
		return l->line;
	}
	return tree_partial_text(NULL, l->lines > 0 ? (size_t)l->lines : 0, l->line, out, outsz);
}

/* Applies one report about a job (copy or delete). */
static void app_job_report(struct app *a, const struct wire_msg *m)
{
	switch (m->type) {
	case WIRE_PROGRESS:
		/* The rate shown is taken here over the last seconds; the
		 * engine's average since the start is not used. */
		queue_progress(a->queue, m->id, (off_t)m->progress.done, (off_t)m->progress.total,
			       sysio_now_ms());
		break;
	case WIRE_NOTE:
		queue_note(a->queue, m->id, m->end.message);
		break;
	case WIRE_FILE: {
		unsigned id = queue_add_found(a->queue, m->id, (enum queue_dir)m->copy.dir,
					      m->copy.local, m->copy.remote, (off_t)m->copy.size,
					      m->copy.target_size >= 0);
		queue_set_dates(a->queue, id, (time_t)m->copy.mtime, (off_t)m->copy.target_size,
				(time_t)m->copy.target_mtime);
		break;
	}
	case WIRE_LEFT: {
		char why[TREE_MSG_MAX];
		if (m->left.why == WIRE_LEFT_UNLISTED)
			queue_add_failed_tree(a->queue, m->id, (enum queue_dir)m->left.dir,
					      m->left.local, m->left.remote, m->left.line);
		else
			queue_add_left_out(a->queue, m->id, (enum queue_dir)m->left.dir,
					   m->left.local, m->left.remote,
					   app_left_text(&m->left, why, sizeof why));
		break;
	}
	case WIRE_END: {
		enum queue_state st = (enum queue_state)m->end.state;
		queue_finish(a->queue, m->id, st, m->end.message);
		struct queue_job *j = queue_find(a->queue, m->id);
		if (j == NULL)
			break;
		if (st == QUEUE_FAILED)
			app_status_about(a, APP_TOPIC_QUEUE, true, "%s: %s", j->label,
					 m->end.message[0] ? m->end.message : queue_state_name(st));
		else if (m->id == a->status_job && st == QUEUE_CANCELLED && queue_is_delete(j))
			app_delete_cancelled(a, j);
		else if (m->id == a->status_job && st == QUEUE_CANCELLED)
			app_status(a, false, "cancelled %s", j->label);
		else if (m->id == a->status_job)
			app_job_ended_first(a, j);
		/* An upload done gets its time after its end: the remote pane
		 * is reloaded when that is over (WIRE_SETTLED). */
		if (st != QUEUE_DONE || j->dir != QUEUE_UPLOAD || j->tree)
			app_job_changed(a, j);
		viewedit_job_end(a, m->id, st, m->end.message);
		break;
	}
	case WIRE_SETTLED:
		/* The time of an upload done was set, or (a note on it) not. */
		if (m->end.state == QUEUE_FAILED)
			queue_note_done(a->queue, m->id, m->end.message);
		a->refresh_due[APP_REMOTE] = true;
		break;
	default:
		break;
	}
}

/* A worker's messages come from one of these: the transfer workers
 * (SRC_TRANSFER + slot), the browsers and the connection being opened. */
enum app_source {
	SRC_TRANSFER = 0,
	SRC_LOCAL = SRC_TRANSFER + APP_XFER_MAX,
	SRC_REMOTE,
	SRC_OPENING,
	SRC_COUNT,
};

/* True for a transfer worker's source. */
static bool app_source_copies(enum app_source src) { return src < SRC_LOCAL; }

/* The worker behind a source. */
static struct worker *app_source_worker(struct app *a, enum app_source src)
{
	switch (src) {
	case SRC_LOCAL: return &a->browse[APP_LOCAL];
	case SRC_REMOTE: return &a->browse[APP_REMOTE];
	case SRC_OPENING: return &a->opening;
	default: return &a->xfer[src - SRC_TRANSFER];
	}
}

/* Takes one message from a source. */
static void app_dispatch(struct app *a, enum app_source src, const struct wire_msg *m)
{
	switch (m->type) {
	case WIRE_NOTICE:
		security_notice(a, src == SRC_OPENING, m);
		break;
	case WIRE_TLS:
		if (src == SRC_OPENING || src == SRC_REMOTE)
			security_tls(a, src == SRC_OPENING, m);
		break;
	case WIRE_CERT:
		security_question(a, app_source_worker(a, src)->pid, m);
		break;
	case WIRE_TRACE: {
		static const char *const who[SRC_COUNT - SRC_LOCAL] = {
			[SRC_LOCAL - SRC_LOCAL] = "local", [SRC_REMOTE - SRC_LOCAL] = "remote",
			[SRC_OPENING - SRC_LOCAL] = "connect",
		};
		static const char marks[] = { [FTP_TRACE_SENT] = '>', [FTP_TRACE_RECEIVED] = '<',
					      [FTP_TRACE_INFO] = '*' };
		char copy[16];   /* "copy", "copy2"...: a transfer worker, by slot */
		snprintf(copy, sizeof copy, src == SRC_TRANSFER ? "copy" : "copy%d",
			 (int)(src - SRC_TRANSFER) + 1);
		trace_add(a->trace, app_source_copies(src) ? copy : who[src - SRC_LOCAL],
			  m->notice.kind < sizeof marks ? marks[m->notice.kind] : '*', m->notice.text);
		break;
	}
	case WIRE_END:
		if (app_source_copies(src))
			a->xfer_idle_due[src - SRC_TRANSFER] = true;
		/* fall through */
	case WIRE_PROGRESS:
	case WIRE_NOTE:
	case WIRE_FILE:
	case WIRE_LEFT:
	case WIRE_SETTLED:
		if (src != SRC_OPENING)
			app_job_report(a, m);
		break;
	default:
		if (!app_source_copies(src))
			side_answer(a, src == SRC_LOCAL ? APP_LOCAL : APP_REMOTE, src == SRC_OPENING, m);
		break;
	}
}

/* A worker ended on its own: what it was doing fails, and a browser is
 * started again when it can be. */
static void app_worker_gone(struct app *a, enum app_source src)
{
	enum queue_lane lane = app_source_copies(src) ? QUEUE_LANE_COPY
			     : src == SRC_LOCAL ? QUEUE_LANE_LOCAL : QUEUE_LANE_REMOTE;
	if (src == SRC_OPENING) {
		app_status_about(a, APP_TOPIC_CONNECT, true, "could not connect to %s",
				 a->trying.host);
		return;
	}
	struct queue_job *j = queue_running_in(a->queue, lane, app_source_copies(src)
					       ? (unsigned)(src - SRC_TRANSFER) : 0);
	if (j != NULL)
		queue_finish(a->queue, j->id, QUEUE_FAILED, "its process ended");
	if (app_source_copies(src)) {
		app_status(a, true, "the transfer process ended");
	} else if (src == SRC_LOCAL) {
		app_status(a, true, "the local side's process ended; it was started again");
		side_start_local(a);
	} else if (a->connected) {
		a->connected = false;
		app_status_about(a, APP_TOPIC_CONNECT, true,
				 "the connection's process ended: press F2 to connect again");
	}
	if (!app_source_copies(src)) {
		enum app_side side = src == SRC_LOCAL ? APP_LOCAL : APP_REMOTE;
		if (a->load[side].req != 0) {
			free(a->load[side].keep);
			a->load[side].keep = NULL;
			a->load[side].req = 0;
		}
		side_browser_gone(a, side);
	}
}

/* Takes the reports waiting from every worker, for at most APP_BUDGET_MS;
 * returns true when some are left for the next round. */
static bool app_worker_events(struct app *a)
{
	long long end = sysio_now_ms() + APP_BUDGET_MS;
	bool more = false;
	for (int src = 0; src < SRC_COUNT; src++) {
		struct worker *w = app_source_worker(a, (enum app_source)src);
		pid_t pid = w->pid;
		if (pid <= 0)
			continue;
		int rc;
		while ((rc = worker_read(w)) == 1) {
			/* Copied out: handling it may move or end this worker. */
			a->msg = w->report;
			app_dispatch(a, (enum app_source)src, &a->msg);
			if (w->pid != pid)
				break;
			if (sysio_now_ms() >= end) {
				more = true;
				break;
			}
		}
		if (rc < 0 && w->pid <= 0 && pid > 0 && w->from_fd < 0)
			app_worker_gone(a, (enum app_source)src);
		if (more)
			break;
	}
	app_pump(a);
	return more;
}

/* Reloads the panes jobs changed: while jobs run, not before the time
 * the pane's last listing set (side_listed), at once when the queue is
 * idle; never while a listing of the pane is still awaited (the reload
 * waits for it to be shown, so the last state is shown once the queue is
 * done). Every reload goes to a browser. */
static void app_maybe_refresh(struct app *a)
{
	long long now = sysio_now_ms();
	bool busy = queue_active(a->queue) > 0, pruned = false;
	for (int s = 0; s < APP_SIDES; s++) {
		if (!a->refresh_due[s] || (s == APP_REMOTE && !a->connected) ||
		    side_loading(a, (enum app_side)s) || (busy && now < a->refresh_at[s]))
			continue;
		/* Finished jobs beyond the newest few go (they stay counted). */
		if (!pruned)
			queue_prune(a->queue, APP_KEEP_FINISHED, false);
		pruned = true;
		a->refresh_due[s] = false;
		side_load(a, (enum app_side)s, NULL, NULL);
	}
}

/* Notices the queue going idle: a message about it is stale then, and
 * gives way to the counts; one saying why a job failed (a copy, a delete)
 * stays after them, so the line says both that the queue ended and what
 * failed. Narrow lines get the counts alone, in fewer words. */
static void app_watch_queue(struct app *a)
{
	bool busy = queue_active(a->queue) > 0;
	if (a->queue_was_busy && !busy) {
		a->xfer_follow = true;
		if (a->status_topic == APP_TOPIC_QUEUE) {
			struct queue_counts c;
			queue_counts(a->queue, &c);
			bool why = a->status_error;
			/* a->status is read before it is written (app_vstatus). */
			app_status_about(a, APP_TOPIC_NONE, c.failed > 0,
					 "queue finished: %zu done, %zu failed%s%.0zu%s%s%.*s", c.done,
					 c.failed, c.skipped ? ", " : "", c.skipped,
					 c.skipped ? " skipped or left out" : "", why ? "; " : "",
					 why ? app_clause_len(a->status) : 0, a->status);
			app_status_short(a, "queue finished: %zu done, %zu failed%s%.0zu%s\n"
					 "finished: %zu done, %zu failed%s%.0zu%s\n%zu done, %zu failed",
					 c.done, c.failed, c.skipped ? ", " : "", c.skipped,
					 c.skipped ? " skipped" : "", c.done, c.failed,
					 c.skipped ? ", " : "", c.skipped, c.skipped ? " skipped" : "",
					 c.done, c.failed);
		}
	}
	a->queue_was_busy = busy;
}

/* The state a mouse event is read into (app_read_key has no other). */
static struct app *app_reading;
/* A mouse event came right after an Esc: it is the next key. */
static bool app_mouse_waits;

/* Reads one key if the terminal has one: returns the key code, or -1. */
static int app_read_key(void)
{
	wint_t ch;
	if (app_mouse_waits) {   /* read after an Esc, below */
		app_mouse_waits = false;
		return mouse_read(app_reading) ? KEYS_FN + KEY_MOUSE : -1;
	}
	int rc = get_wch(&ch);
	if (rc == ERR)
		return -1;
	if (rc == KEY_CODE_YES && ch == KEY_MOUSE)
		return mouse_read(app_reading) ? KEYS_FN + KEY_MOUSE : -1;
	if (rc == KEY_CODE_YES)
		return KEYS_FN + (int)ch;
	/* Alt-x arrives as Esc and x together: a key when bound, else the
	 * two keys as typed. */
	wint_t next;
	int more = ch == KEYS_ESC ? get_wch(&next) : ERR;
	if (more == OK && keys_lookup(KEYS_ALT + (int)next) != ACT_NONE)
		return KEYS_ALT + (int)next;
	if (more == OK)
		unget_wch(next);
	else if (more == KEY_CODE_YES && next == KEY_MOUSE)
		app_mouse_waits = true;   /* curses holds the event: the next read takes it */
	else if (more == KEY_CODE_YES)
		ungetch((int)next);   /* a function key typed after Esc */
	return (int)ch;
}

int app_wait_key(struct app *a)
{
	bool more = false;
	app_reading = a;
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
			actions_ask_pending(a);
		app_reap(a, false);
		app_end_stuck_cancels(a);
		app_watch_queue(a);
		app_maybe_refresh(a);
		app_redraw(a);
		struct pollfd pfd[1 + SRC_COUNT];
		nfds_t n = 0;
		pfd[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		for (int src = 0; src < SRC_COUNT; src++) {
			int fd = worker_fd(app_source_worker(a, (enum app_source)src));
			if (fd >= 0)
				pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
		/* Wake up when a pane is to say "loading". */
		int wait = more ? 0 : APP_TICK_MS;
		for (int s = 0; s < APP_SIDES; s++) {
			long long in = side_loading_in(a, (enum app_side)s);
			if (in > 0 && in < wait)
				wait = (int)in;
		}
		int ready = poll(pfd, n, wait);
		bool heard = more;
		for (nfds_t i = 1; ready > 0 && i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				heard = true;
		more = heard && app_worker_events(a);
	}
}

/* Fills a->login from the URL and -u by the engine's rule (creds.h);
 * returns an error message or NULL. A user named without a password gets
 * an empty one (F2 asks again). */
static const char *app_login_from(struct app *a, const struct tui_options *o, char **path)
{
	static char site_err[APP_STATUS_MAX];
	if (o->url[0] == '@')   /* a saved site */
		return sitemgr_start(a, o->url + 1, o->user, path, site_err, sizeof site_err);
	struct url u;
	const char *err = url_parse(o->url, &u);
	if (err != NULL)
		return err;
	snprintf(a->trying.host, sizeof a->trying.host, "%s", u.host);
	a->trying.port = u.port;
	snprintf(a->trying.scheme, sizeof a->trying.scheme, "%s", u.scheme);
	struct creds_source src = { .option = o->user, .url_user = u.user, .url_pass = u.pass,
				    .host = u.host, .port = u.port };
	struct creds cr;
	creds_resolve(&src, &cr);
	snprintf(a->trying.user, sizeof a->trying.user, "%s", cr.user ? cr.user : "");
	snprintf(a->trying.pass, sizeof a->trying.pass, "%s", cr.pass ? cr.pass : "");
	char warning[APP_STATUS_MAX];
	if (creds_warning(&cr, u.host, warning, sizeof warning) != NULL)
		snprintf(a->trying.note, sizeof a->trying.note, "warning: %.*s",
			 (int)sizeof a->trying.note - 10, warning);
	creds_free(&cr);
	*path = u.path ? xstrdup(u.path) : NULL;
	url_free(&u);
	return NULL;
}

/* Starts the local pane's browser and asks for the working directory. */
static void app_open_local(struct app *a)
{
	char cwd[PANE_PATH_MAX];
	if (getcwd(cwd, sizeof cwd) == NULL)
		snprintf(cwd, sizeof cwd, "/");
	if (side_start_local(a))
		side_load(a, APP_LOCAL, cwd, NULL);
}

/* Returns a new TUI state with empty panes, no connection and no
 * workers, and the command line's settings. */
static struct app *app_new(const struct tui_options *o)
{
	struct app *a = xcalloc(1, sizeof *a);
	a->pane[APP_LOCAL] = pane_new();
	a->pane[APP_REMOTE] = pane_new();
	a->queue = queue_new();
	a->trace = trace_new();
	a->settings = o->settings;
	a->login.port = FTP_DEFAULT_PORT;
	snprintf(a->login.scheme, sizeof a->login.scheme, "ftp");
	a->login.tls = a->settings.tls.mode;
	a->trying = a->login;
	a->xfer_follow = true;
	a->avail[APP_LOCAL] = a->avail[APP_REMOTE] = -1;
	queue_set_parallel(a->queue, o->parallel > 0 ? (unsigned)o->parallel : APP_PARALLEL_DEFAULT);
	for (size_t i = 0; i < APP_XFER_MAX; i++)
		worker_init(&a->xfer[i]);
	worker_init(&a->opening);
	for (int s = 0; s < APP_SIDES; s++)
		worker_init(&a->browse[s]);
	return a;
}

/* Stops the workers and frees a. */
static void app_free(struct app *a)
{
	side_stop_all(a);
	/* Every transfer worker is told first, so they wind down together. */
	for (size_t i = 0; i < APP_XFER_MAX; i++)
		sysio_close(&a->xfer[i].to_fd);
	for (size_t i = 0; i < APP_XFER_MAX; i++)
		worker_stop(&a->xfer[i]);
	/* Those let go before had their time: give them a moment more, then end them. */
	for (int waited = 0; waited < 1000; waited += 20) {
		app_reap(a, false);
		bool left = false;
		for (size_t i = 0; i < APP_DETACHED_MAX; i++)
			left = left || a->detached[i] > 0;
		if (!left)
			break;
		poll(NULL, 0, 20);
	}
	app_reap(a, true);
	viewedit_free(a);
	queue_free(a->queue);
	trace_free(a->trace);
	pane_free(a->pane[APP_LOCAL]);
	pane_free(a->pane[APP_REMOTE]);
	explicit_bzero(a->login.pass, sizeof a->login.pass);
	explicit_bzero(a->trying.pass, sizeof a->trying.pass);
	free(a);
}

/* Opens both panes and connects to the address given, or asks for one. */
static void app_open(struct app *a, const struct tui_options *o, const char *path)
{
	char err[APP_STATUS_MAX];
	/* What was wrong with the colours file (draw_start said) or the keys file. */
	const char *keys_err = keysfile_load(err, sizeof err);
	if (keys_err == NULL && a->status_error) {
		snprintf(err, sizeof err, "%s", a->status);
		keys_err = err;
	}
	app_open_local(a);
	a->active = APP_REMOTE;
	if (keys_err != NULL) {
		/* In a box that stays until read: the connection's messages come later. */
		a->info = xstrdup(keys_err);
		a->info_name = xstrdup("A settings file has an error; the lines before it hold");
	}
	if (o->url != NULL) {
		side_connect(a, path);
		app_redraw(a);
	} else {
		app_status(a, false, "not connected: press F2 to connect, ? for help");
		app_status_short(a, "not connected: press F2 to connect\nnot connected: F2 connects\n"
				 "not connected");
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
	struct app *a = app_new(o);
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
