/* actions: one handler per key action, found through a table indexed by
 * the action (see actions.h). Handlers change the model, call the sides
 * for file operations and the queue for copies, and leave messages in
 * the status line; nothing here draws directly. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "dialog.h"
#include "sbuf.h"
#include "path.h"
#include "url.h"
#include "xalloc.h"

/* Longest question text, in bytes. */
#define ACT_QUESTION_MAX 512
/* Characters kept of a port typed in the connect dialog. */
#define ACT_PORT_MAX 16

/* The active pane. */
static struct pane *act_pane(struct app *a)
{
	return a->pane[a->active];
}

static void act_up(struct app *a) { pane_move(act_pane(a), -1); }
static void act_down(struct app *a) { pane_move(act_pane(a), 1); }
static void act_pgup(struct app *a) { pane_page(act_pane(a), -1, a->pane_height); }
static void act_pgdn(struct app *a) { pane_page(act_pane(a), 1, a->pane_height); }
static void act_home(struct app *a) { pane_home(act_pane(a)); }
static void act_end(struct app *a) { pane_end(act_pane(a)); }
static void act_open(struct app *a) { side_enter(a, a->active); }
static void act_parent(struct app *a) { side_up(a, a->active); }
static void act_filter(struct app *a) { dialog_filter(a); }
static void act_help(struct app *a) { dialog_help(a); }

static void act_clear_filter(struct app *a)
{
	if (pane_filter(act_pane(a))[0] != '\0') {
		pane_set_filter(act_pane(a), "");
		app_status(a, false, "filter cleared");
	}
}

static void act_switch(struct app *a)
{
	a->active = a->active == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
}

static void act_tag(struct app *a)
{
	pane_tag_toggle(act_pane(a));
	pane_move(act_pane(a), 1);
}

static void act_sort(struct app *a)
{
	pane_cycle_sort(act_pane(a));
	app_status(a, false, "sorted by %s", pane_sort_name(pane_sort_mode(act_pane(a))));
}

static void act_hidden(struct app *a)
{
	struct pane *p = act_pane(a);
	pane_set_hidden(p, !pane_hidden_shown(p));
	app_status(a, false, "hidden files %s", pane_hidden_shown(p) ? "shown" : "hidden");
}

/* Reloads side with the cursor kept on its entry. */
static void act_reload(struct app *a, enum app_side side)
{
	const struct pane_entry *e = pane_current(a->pane[side]);
	char *keep = e ? xstrdup(e->name) : NULL;
	side_load(a, side, NULL, keep);
	free(keep);
}

static void act_refresh(struct app *a)
{
	act_reload(a, APP_LOCAL);
	if (a->connected)
		act_reload(a, APP_REMOTE);
	if (!a->status_error)
		app_status(a, false, "reloaded");
}

/* The entries an action works on: the tagged ones, or the one under the
 * cursor (never ".."). Returns how many were put in out (caller frees out). */
static size_t act_targets(struct app *a, const struct pane_entry ***out)
{
	struct pane *p = act_pane(a);
	size_t n = pane_tag_count(p), k = 0;
	if (n > 0) {
		*out = xcalloc(n, sizeof **out);
		size_t it = 0;
		const struct pane_entry *e;
		while (k < n && (e = pane_tag_next(p, &it)) != NULL)
			(*out)[k++] = e;
		return k;
	}
	const struct pane_entry *e = pane_current(p);
	if (e == NULL || strcmp(e->name, PANE_PARENT) == 0) {
		*out = NULL;
		return 0;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)[0] = e;
	return 1;
}

/* Queues a copy of entry e to the other pane under the name target. */
static void act_queue_one(struct app *a, const struct pane_entry *e, const char *target,
			  enum queue_mode mode)
{
	enum app_side from = a->active, to = from == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	struct sbuf src, dst;
	sbuf_init(&src, PATH_LEN_MAX);
	sbuf_init(&dst, PATH_LEN_MAX);
	if (!path_join(&src, pane_path(a->pane[from]), e->name) ||
	    !path_join(&dst, pane_path(a->pane[to]), target)) {
		app_status(a, true, "%s: path too long", e->display);
	} else {
		bool up = from == APP_LOCAL;
		bool tree = e->type == FTP_ENTRY_DIR;
		queue_add(a->queue, up ? QUEUE_UPLOAD : QUEUE_DOWNLOAD, mode, tree,
			  up ? sbuf_str(&src) : sbuf_str(&dst), up ? sbuf_str(&dst) : sbuf_str(&src),
			  tree ? 0 : e->size);
	}
	sbuf_free(&src);
	sbuf_free(&dst);
}

static void act_copy(struct app *a)
{
	const struct pane_entry **v;
	enum app_side to = a->active == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	bool all = false;
	enum queue_answer all_answer = QUEUE_ANSWER_OVERWRITE;
	size_t queued = 0;

	if (!a->connected) {
		app_status(a, true, "not connected: press F2 to connect");
		return;
	}
	size_t n = act_targets(a, &v);
	for (size_t i = 0; i < n; i++) {
		const struct pane_entry *e = v[i];
		char target[PATH_LEN_MAX];
		enum queue_mode mode = QUEUE_MODE_NEW;
		if (!path_safe_name(e->name) ||
		    (e->type != FTP_ENTRY_FILE && e->type != FTP_ENTRY_DIR && e->type != FTP_ENTRY_LINK)) {
			app_status(a, true, "%s: not a file or directory; skipped", e->display);
			continue;
		}
		snprintf(target, sizeof target, "%s", e->name);
		const struct pane_entry *old = pane_find(a->pane[to], e->name);
		if (old != NULL && e->type != FTP_ENTRY_DIR) {
			bool this_all = false;
			enum queue_answer ans = all ? all_answer : dialog_exists(a, e->display, &this_all);
			if (this_all) {
				all = true;
				all_answer = ans;
			}
			if (ans == QUEUE_ANSWER_ABORT)
				break;
			if (ans == QUEUE_ANSWER_SKIP)
				continue;
			if (ans == QUEUE_ANSWER_RESUME)
				mode = QUEUE_MODE_RESUME;
			if (ans == QUEUE_ANSWER_RENAME &&
			    (!dialog_input(a, "Copy under the name:", target, sizeof target, false) ||
			     !path_safe_name(target)))
				continue;
		}
		act_queue_one(a, e, target, mode);
		queued++;
	}
	free(v);
	pane_tag_clear(act_pane(a));
	if (queued > 0)
		app_status(a, false, "%zu transfer(s) queued", queued);
	app_pump(a);
}

void actions_ask_held(struct app *a)
{
	struct queue_job *j;
	enum queue_answer ans;

	a->asking = true;
	while ((j = queue_held_next(a->queue, &ans)) != NULL) {
		/* The dialogs keep reporting transfers: the queue may move under
		 * them, so the job is known by its id and its texts are copied. */
		unsigned id = j->id;
		char label[QUEUE_MSG_MAX], name[PATH_LEN_MAX];
		bool all = false;
		snprintf(label, sizeof label, "%s", j->label);
		snprintf(name, sizeof name, "%s", path_last(queue_target(j)));
		if (ans == QUEUE_ANSWER_ASK)
			ans = dialog_exists(a, label, &all);
		bool named = ans == QUEUE_ANSWER_RENAME &&
			     dialog_input(a, "Copy under the name:", name, sizeof name, false);
		queue_held_answer(a->queue, id, ans, all, named ? name : NULL);
	}
	a->asking = false;
	app_pump(a);
}

static void act_rename(struct app *a)
{
	const struct pane_entry *e = pane_current(act_pane(a));
	char name[PATH_LEN_MAX], q[ACT_QUESTION_MAX];
	if (e == NULL || strcmp(e->name, PANE_PARENT) == 0)
		return;
	snprintf(name, sizeof name, "%s", e->name);
	snprintf(q, sizeof q, "Rename %s to:", e->display);
	char *from = xstrdup(e->name);
	if (dialog_input(a, q, name, sizeof name, false) && strcmp(name, from) != 0) {
		if (!path_safe_name(name))
			app_status(a, true, "a name without '/'");
		else if (side_rename(a, a->active, from, name))
			app_status(a, false, "renamed");
	}
	free(from);
}

static void act_mkdir(struct app *a)
{
	char name[PATH_LEN_MAX] = "";
	if (!dialog_input(a, "New directory name:", name, sizeof name, false) || name[0] == '\0')
		return;
	if (!path_safe_name(name))
		app_status(a, true, "a name without '/'");
	else if (side_mkdir(a, a->active, name))
		app_status(a, false, "directory made");
}

static void act_delete(struct app *a)
{
	const struct pane_entry **v;
	char q[ACT_QUESTION_MAX];
	size_t n = act_targets(a, &v), gone = 0;
	if (n == 0)
		return;
	size_t dirs = 0;
	for (size_t i = 0; i < n; i++)
		if (side_is_tree(a, a->active, v[i]))
			dirs++;
	if (n == 1 && dirs == 1)
		snprintf(q, sizeof q, "Delete directory %s and everything in it?", v[0]->display);
	else if (n == 1)
		snprintf(q, sizeof q, "Delete %s?", v[0]->display);
	else if (dirs > 0)
		snprintf(q, sizeof q, "Delete %zu tagged entries, %zu of them directories with "
			 "everything in them?", n, dirs);
	else
		snprintf(q, sizeof q, "Delete %zu tagged entries?", n);
	if (dialog_yesno(a, q)) {
		for (size_t i = 0; i < n; i++)
			if (side_remove(a, a->active, v[i]))
				gone++;
		bool err = a->status_error && gone < n;
		free(v);
		v = NULL;
		pane_tag_clear(act_pane(a));
		act_reload(a, a->active);
		if (!err)
			app_status(a, false, "%zu deleted", gone);
	} else {
		app_status(a, false, "nothing deleted");
	}
	free(v);
}

static void act_connect(struct app *a)
{
	struct app_login l = a->login;
	char port[ACT_PORT_MAX];
	snprintf(port, sizeof port, "%d", l.port > 0 ? l.port : FTP_DEFAULT_PORT);
	if (!dialog_input(a, "Host:", l.host, sizeof l.host, false) || l.host[0] == '\0' ||
	    !dialog_input(a, "Port:", port, sizeof port, false) ||
	    !dialog_input(a, "User (empty = anonymous):", l.user, sizeof l.user, false) ||
	    !dialog_input(a, "Password:", l.pass, sizeof l.pass, true)) {
		app_status(a, false, "%s", a->connected ? "" : "not connected: press F2 to connect");
		return;
	}
	l.port = url_port(port);
	if (l.port < 0) {
		app_status(a, true, "bad port: %s", port);
		return;
	}
	a->login = l;
	app_status(a, false, "connecting to %s...", l.host);
	app_redraw(a);
	side_connect(a);
}

static void act_xfer_prev(struct app *a)
{
	if (a->xfer_sel > 0)
		a->xfer_sel--;
}

static void act_xfer_next(struct app *a)
{
	if (a->xfer_sel + 1 < queue_count(a->queue))
		a->xfer_sel++;
}

static void act_cancel(struct app *a)
{
	struct queue_job *j = queue_at(a->queue, a->xfer_sel);
	if (j == NULL) {
		app_status(a, false, "no transfer selected");
		return;
	}
	if (queue_cancel(a->queue, j->id)) {
		worker_cancel(&a->worker, j->id);
		app_status(a, false, "cancelling %s", j->label);
	} else if (j->state == QUEUE_CANCELLED) {
		app_status(a, false, "cancelled %s", j->label);
	}
}

static void act_quit(struct app *a)
{
	char q[ACT_QUESTION_MAX];
	size_t n = queue_active(a->queue);
	if (n > 0) {
		snprintf(q, sizeof q, "%zu transfer(s) not finished. Quit and stop them?", n);
		if (!dialog_yesno(a, q))
			return;
	}
	a->quit = true;
}

/* The handler of each action. */
static void (*const act_table[ACT_COUNT])(struct app *a) = {
	[ACT_UP] = act_up, [ACT_DOWN] = act_down, [ACT_PGUP] = act_pgup,
	[ACT_PGDN] = act_pgdn, [ACT_HOME] = act_home, [ACT_END] = act_end,
	[ACT_OPEN] = act_open, [ACT_PARENT] = act_parent, [ACT_SWITCH] = act_switch,
	[ACT_TAG] = act_tag, [ACT_FILTER] = act_filter, [ACT_SORT] = act_sort,
	[ACT_HIDDEN] = act_hidden, [ACT_CLEAR_FILTER] = act_clear_filter, [ACT_REFRESH] = act_refresh, [ACT_COPY] = act_copy,
	[ACT_RENAME] = act_rename, [ACT_MKDIR] = act_mkdir, [ACT_DELETE] = act_delete,
	[ACT_CONNECT] = act_connect, [ACT_XFER_PREV] = act_xfer_prev,
	[ACT_XFER_NEXT] = act_xfer_next, [ACT_CANCEL] = act_cancel, [ACT_HELP] = act_help,
	[ACT_QUIT] = act_quit,
};

void actions_run(struct app *a, enum keys_action act)
{
	if (act > ACT_NONE && act < ACT_COUNT && act_table[act] != NULL)
		act_table[act](a);
}
