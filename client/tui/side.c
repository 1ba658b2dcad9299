/* side: the screen's half of the two panes' sides. Every file operation
 * goes to the pane's browsing worker (browse.h) as a message, and its
 * answer comes back through the event loop, so no key ever waits for the
 * network or a slow disk: a pane waits for a listing showing "loading",
 * a listing the user has moved on from is dropped when it arrives (its
 * request id is no longer the one awaited), and Esc ends a connection
 * being opened or a listing awaited by ending the browser that is stuck
 * in it (a new one takes its place); so does asking for another listing
 * while a browser with nothing else to do is stuck in one. A connection being opened (F2) has
 * a browser of its own that replaces the remote pane's only once it has
 * logged in, so a failed attempt leaves the working connection alone. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "path.h"
#include "sbuf.h"
#include "sanitize.h"
#include "sitemgr.h"
#include "viewedit.h"
#include "sysio.h"
#include "xalloc.h"

/* ---- requests ---- */

/* The next request id (never 0, which answers a login). */
static unsigned side_next_id(struct app *a)
{
	if (++a->next_req == 0)
		a->next_req = 1;
	return a->next_req;
}

/* The name a side is known by in messages. */
static const char *side_name(enum app_side side)
{
	return side == APP_LOCAL ? "local" : "remote";
}

/* Sends m to side's browser; false (status set) when it cannot take it. */
static bool side_send(struct app *a, enum app_side side, const struct wire_msg *m)
{
	if (side == APP_REMOTE && !a->connected) {
		app_status_offline(a, true);
		return false;
	}
	if (worker_send(&a->browse[side], m) == 0)
		return true;
	if (errno == EAGAIN)
		app_status(a, true, "the %s side is busy; try again", side_name(side));
	else
		app_status_about(a, APP_TOPIC_CONNECT, true, "the %s side's process is gone: %s",
				 side_name(side), strerror(errno));
	return false;
}

/* Writes the path of name in side's directory into out; false if too long. */
static bool side_path(struct app *a, enum app_side side, const char *name, struct sbuf *out)
{
	return path_join(out, pane_path(a->pane[side]), name);
}

/* Sends a request of type about path (and path2) to side's browser;
 * returns its id, or 0 when it could not be sent (status set). */
static unsigned side_request(struct app *a, enum app_side side, enum wire_type type,
			     const char *path, const char *path2, unsigned flags)
{
	struct wire_msg *m = xcalloc(1, sizeof *m);
	unsigned id = side_next_id(a);
	wire_init(m, type, id);
	m->request.flags = (uint8_t)flags;
	wire_set_str(m->request.path, path);
	wire_set_str(m->request.path2, path2 ? path2 : "");
	bool ok = side_send(a, side, m);
	free(m);
	return ok ? id : 0;
}

/* ---- listings ---- */

/* Drops the entries a load has received. */
static void side_stage_clear(struct app_load *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].target);
	}
	l->n = 0;
}

/* Forgets the listing side waits for. */
static void side_load_forget(struct app *a, enum app_side side)
{
	struct app_load *l = &a->load[side];
	side_stage_clear(l);
	free(l->keep);
	free(l->find);
	free(l->up);
	l->keep = l->find = l->up = NULL;
	l->req = 0;
	l->scan = false;
	l->elsewhere = false;
}

static bool side_restart(struct app *a, enum app_side side);
static bool side_busy(struct app *a, enum app_side side);

/* side_load, or a find of pattern (not NULL) below path. */
static bool side_load_as(struct app *a, enum app_side side, const char *path, const char *keep,
			 const char *pattern, bool scan)
{
	struct pane *p = a->pane[side];
	const char *where = path ? path : pane_path(p)[0] ? pane_path(p) : "/";
	/* A listing still awaited is no longer wanted: a browser stuck in it
	 * is replaced rather than waited for, unless it has other work. */
	if (side_loading(a, side) && !side_busy(a, side) &&
	    (side == APP_LOCAL || a->connected) && !side_restart(a, side))
		return false;
	unsigned id = side_request(a, side, WIRE_LIST, where, pattern,
				   scan ? WIRE_SCAN : pattern ? WIRE_FIND : 0);
	if (id == 0)
		return false;
	if (a->load[side].scan && !scan)
		side_scan_drop(a, "synchronize cancelled");
	bool elsewhere = pattern != NULL || a->find[side] != NULL ||
			 (path != NULL && strcmp(path, pane_path(p)) != 0);
	side_load_forget(a, side);
	struct app_load *l = &a->load[side];
	l->req = id;
	l->since = sysio_now_ms();
	l->reload = path == NULL && pattern == NULL;
	l->elsewhere = elsewhere && !scan;
	l->keep = keep ? xstrdup(keep) : NULL;
	l->find = pattern ? xstrdup(pattern) : NULL;
	l->scan = scan;
	return true;
}

bool side_load(struct app *a, enum app_side side, const char *path, const char *keep)
{
	return side_load_as(a, side, path, keep, NULL, false);
}

bool side_find(struct app *a, enum app_side side, const char *pattern)
{
	return side_load_as(a, side, pane_path(a->pane[side]), NULL, pattern, false);
}

bool side_scan(struct app *a, enum app_side side)
{
	return side_load_as(a, side, pane_path(a->pane[side]), NULL, NULL, true);
}

void side_scan_drop(struct app *a, const char *why)
{
	struct app_syncplan *sp = &a->syncplan;
	bool was = sp->reading != 0 || sp->ready;
	for (int s = 0; s < APP_SIDES; s++) {
		if (a->load[s].scan && a->load[s].req != 0) {
			side_load_forget(a, (enum app_side)s);
			if (!side_busy(a, (enum app_side)s) && (s == APP_LOCAL || a->connected))
				side_restart(a, (enum app_side)s);
		}
		plan_tree_free(&sp->t[s]);
	}
	sp->reading = 0;
	sp->ready = false;
	if (was && why != NULL)
		app_status(a, false, "%s", why);
}

/* The answer to a synchronize's reading of side's tree: kept in
 * a->syncplan; the dialog is shown once both sides are read. */
static void side_scanned(struct app *a, enum app_side side, const struct wire_msg *m)
{
	struct app_syncplan *sp = &a->syncplan;
	struct app_load *l = &a->load[side];
	if (m->reply.result != WIRE_OK) {
		char why[WIRE_STR_MAX + 32];
		snprintf(why, sizeof why, "synchronize: %s", m->reply.message);
		side_load_forget(a, side);
		side_scan_drop(a, why);
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct app_staged *e = &l->v[i];
		enum plan_kind kind = e->type == FTP_ENTRY_DIR ? PLAN_DIR
				      : e->type == FTP_ENTRY_FILE ? PLAN_FILE : PLAN_OTHER;
		/* A remote time on a whole minute is taken to be a LIST time. */
		int prec = side == APP_LOCAL || e->mtime % 60 != 0 ? 1
			   : e->mtime % 86400 == 0 ? 86400 : 60;
		plan_tree_add(&sp->t[side], e->name, kind, e->size, e->mtime, prec, NULL);
	}
	if (m->reply.flags & WIRE_INCOMPLETE)
		plan_tree_set_incomplete(&sp->t[side], m->reply.message);
	side_load_forget(a, side);
	sp->reading &= ~(1u << side);
	if (sp->reading == 0)
		sp->ready = true;
}

bool side_loading(const struct app *a, enum app_side side)
{
	return a->load[side].req != 0;
}

bool side_opening(const struct app *a, enum app_side side)
{
	const struct app_load *l = &a->load[side];
	return l->req != 0 && l->elsewhere;
}

long long side_loading_in(const struct app *a, enum app_side side)
{
	if (!side_loading(a, side))
		return -1;
	long long left = a->load[side].since + APP_LOADING_SHOW_MS - sysio_now_ms();
	return left > 0 ? left : 0;
}

/* Keeps one entry of the listing awaited. */
static void side_stage_add(struct app_load *l, const struct wire_entry *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct app_staged *s = &l->v[l->n++];
	s->name = xstrdup(e->name);
	s->target = e->target[0] ? xstrdup(e->target) : NULL;
	s->type = e->type <= FTP_ENTRY_OTHER ? (enum ftp_entry_type)e->type : FTP_ENTRY_OTHER;
	s->size = (off_t)e->size;
	s->mtime = (time_t)e->mtime;
	s->link = (e->flags & WIRE_LINK) != 0;
	s->broken = (e->flags & WIRE_BROKEN) != 0;
}

/* Puts the listing that arrived into side's pane. A reload keeps the
 * filter, with the cursor on l->keep or else where it is now; a new
 * directory starts unfiltered with the cursor on l->keep. */
static void side_load_apply(struct app *a, enum app_side side, const char *dir)
{
	struct app_load *l = &a->load[side];
	struct pane *p = a->pane[side];
	const struct pane_entry *cur = pane_current(p);
	char *keep = l->keep ? xstrdup(l->keep) : (l->reload && cur) ? xstrdup(cur->name) : NULL;
	char *filter = xstrdup(pane_filter(p));

	pane_load_begin(p, dir, strcmp(dir, "/") == 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct app_staged *s = &l->v[i];
		if (s->link)
			pane_load_add_link(p, s->name, s->type, s->size, s->mtime, s->target, s->broken);
		else
			pane_load_add(p, s->name, s->type, s->size, s->mtime);
	}
	pane_load_end(p, keep);
	if (filter[0] != '\0') {
		pane_set_filter(p, l->reload ? filter : "");
		/* The filter put the cursor on the first match: back on keep. */
		for (size_t i = 0; keep != NULL && i < pane_rows(p); i++)
			if (strcmp(pane_row(p, i)->name, keep) == 0) {
				pane_move_to(p, i);
				break;
			}
	}
	free(filter);
	free(keep);
}

static bool side_up_to(struct app *a, enum app_side side, const char *cur);

/* Going up, the folder asked for could not be listed because it is not
 * there (or not readable): a local error, or the server's 550 (a
 * connection that failed is not tried again for each folder). Goes on
 * to its own parent, saying why; true when that was asked for. Without
 * this, a pane whose folder was removed with its parent stays stuck. */
static bool side_up_further(struct app *a, enum app_side side, const char *why)
{
	struct app_load *l = &a->load[side];
	if (l->up == NULL || strcmp(l->up, "/") == 0 ||
	    (side == APP_REMOTE && strncmp(why, "550", 3) != 0))
		return false;
	char *from = xstrdup(l->up);
	side_load_forget(a, side);
	bool asked = side_up_to(a, side, from);
	if (asked)
		app_status(a, true, "%.*s; going up", app_clause_len(why), why);
	free(from);
	return asked;
}

/* Sets when side may be reloaded for ending jobs, now that a listing of
 * it is shown: reading a big folder again costs the screen's time (its
 * entries arrive and are put in the pane) and the server's, so the next
 * reload waits as long as queue_reload_gap says for the time this
 * listing took from asking to shown. */
static void side_refresh_later(struct app *a, enum app_side side)
{
	long long now = sysio_now_ms();
	a->refresh_at[side] = now + queue_reload_gap(now - a->load[side].since);
}

/* The answer to a listing. */
static void side_listed(struct app *a, enum app_side side, const struct wire_msg *m)
{
	const struct wire_reply *r = &m->reply;
	if (a->load[side].scan) {
		side_scanned(a, side, m);
		return;
	}
	if (r->result == WIRE_OK) {
		const char *pattern = a->load[side].find;
		free(a->find[side]);
		a->find[side] = pattern ? xstrdup(pattern) : NULL;
		side_load_apply(a, side, r->path[0] ? r->path : pane_path(a->pane[side]));
		a->avail[side] = r->size;
		if (a->find[side] != NULL)
			app_status(a, false, "%zu found matching %s%s%.*s", pane_total(a->pane[side]) -
				   (strcmp(pane_path(a->pane[side]), "/") != 0), a->find[side],
				   r->message[0] ? "; " : "", app_clause_len(r->message), r->message);
		if (side == APP_REMOTE) {
			app_status_clear(a, APP_TOPIC_CONNECT);
			viewedit_listed(a);
		}
		if (r->flags & WIRE_FELL_BACK)
			app_status(a, false, "%s", r->message);
	} else if (side_up_further(a, side, r->message)) {
		return;
	} else if (side == APP_REMOTE) {
		app_status_about(a, APP_TOPIC_CONNECT, true, "%s", r->message);
	} else {
		app_status(a, true, "%s", r->message);
	}
	side_refresh_later(a, side);
	side_load_forget(a, side);
}

void side_enter(struct app *a, enum app_side side)
{
	const struct pane_entry *e = pane_current(a->pane[side]);
	struct sbuf path;
	if (e == NULL)
		return;
	if (strcmp(e->name, PANE_PARENT) == 0) {
		side_up(a, side);
		return;
	}
	if (e->type != FTP_ENTRY_DIR && e->type != FTP_ENTRY_LINK) {
		app_status(a, false, "%s is not a directory (F5 copies it)", e->display);
		return;
	}
	sbuf_init(&path, PATH_LEN_MAX);
	if (side_path(a, side, e->name, &path))
		side_load(a, side, sbuf_str(&path), NULL);
	else
		app_status(a, true, "%s: path too long", e->display);
	sbuf_free(&path);
}

/* Asks for the parent of folder cur, with the cursor on cur's entry;
 * true when asked. */
static bool side_up_to(struct app *a, enum app_side side, const char *cur)
{
	char parent[PANE_PATH_MAX];
	if (strcmp(cur, "/") == 0 || cur[0] == '\0')
		return false;
	char *base = xstrdup(path_last(cur));
	bool asked = path_parent(cur, parent, sizeof parent) &&
		     side_load(a, side, parent, base);
	if (asked)
		a->load[side].up = xstrdup(parent);
	free(base);
	return asked;
}

void side_up(struct app *a, enum app_side side)
{
	const char *cur = pane_path(a->pane[side]);
	if (a->find[side] != NULL) {   /* from a find's matches back to its folder */
		side_load(a, side, cur, NULL);
		return;
	}
	side_up_to(a, side, cur);
}

/* ---- mkdir and rename ---- */

/* Remembers request id until its answer comes; returns its slot (NULL
 * when none is free). */
static struct app_request *side_remember(struct app *a, unsigned id, enum app_side side,
					 enum wire_type type, const char *from, const char *to)
{
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++) {
		struct app_request *r = &a->req[i];
		if (r->id != 0)
			continue;
		r->id = id;
		r->side = side;
		r->type = type;
		r->from = xstrdup(from);
		r->to = to ? xstrdup(to) : NULL;
		return r;
	}
	return NULL;
}

/* True when another request may be remembered. */
static bool side_room(struct app *a)
{
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		if (a->req[i].id == 0)
			return true;
	app_status(a, true, "too many operations waiting for their answers; try again");
	return false;
}

/* True when side's browser has work besides a listing: a delete job, a
 * mkdir or a rename awaiting its answer. */
static bool side_busy(struct app *a, enum app_side side)
{
	if (queue_running(a->queue, side == APP_LOCAL ? QUEUE_LANE_LOCAL : QUEUE_LANE_REMOTE))
		return true;
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		if (a->req[i].id != 0 && a->req[i].side == side)
			return true;
	return false;
}

/* Frees a remembered request's slot. */
static void side_forget(struct app_request *r)
{
	free(r->from);
	free(r->to);
	memset(r, 0, sizeof *r);
}

/* Sends a request of type about name in side's directory and remembers
 * it (by its path when keep_path, else by name) for the answer; doing
 * is the status line meanwhile. */
static void side_ask(struct app *a, enum app_side side, enum wire_type type, const char *name,
		     bool keep_path, const char *doing)
{
	struct sbuf path;
	if (!side_room(a))
		return;
	sbuf_init(&path, PATH_LEN_MAX);
	if (!side_path(a, side, name, &path)) {
		app_status(a, true, "%s: path too long", name);
	} else {
		unsigned id = side_request(a, side, type, sbuf_str(&path), NULL, 0);
		if (id != 0) {
			side_remember(a, id, side, type, keep_path ? sbuf_str(&path) : name, NULL);
			app_status(a, false, "%s %s...", doing, name);
		}
	}
	sbuf_free(&path);
}

void side_mkdir(struct app *a, enum app_side side, const char *name)
{
	side_ask(a, side, WIRE_MKDIR, name, false, "making directory");
}

void side_rename(struct app *a, enum app_side side, const char *from, const char *to,
		 bool replace)
{
	struct sbuf f, t;
	if (!side_room(a))
		return;
	sbuf_init(&f, PATH_LEN_MAX);
	sbuf_init(&t, PATH_LEN_MAX);
	if (!side_path(a, side, from, &f) || !side_path(a, side, to, &t)) {
		app_status(a, true, "%s: path too long", to);
	} else {
		unsigned id = side_request(a, side, WIRE_RENAME, sbuf_str(&f), sbuf_str(&t),
					   replace ? WIRE_REPLACE : 0);
		if (id != 0) {
			side_remember(a, id, side, WIRE_RENAME, from, to);
			app_status(a, false, "renaming...");
		}
	}
	sbuf_free(&f);
	sbuf_free(&t);
}

/* Requests slots a move uses at most, so renames, mkdirs and file info
 * asked meanwhile still find one. */
#define SIDE_MOVE_SLOTS (APP_REQUESTS_MAX / 2)

/* Drops a move. */
static void side_move_free(struct app_move *mv)
{
	for (size_t i = 0; i < mv->n; i++) {
		free(mv->from[i]);
		free(mv->to[i]);
	}
	free(mv->from);
	free(mv->to);
	free(mv->dest);
	memset(mv, 0, sizeof *mv);
}

/* Ends a move whose renames are all answered: the status line says how
 * many moved and the pane is reloaded. */
static void side_move_end(struct app *a)
{
	struct app_move *mv = &a->move;
	size_t moved = mv->n - mv->failed;
	if (mv->failed == 0)
		app_status(a, false, "%zu moved to %s", moved, mv->dest);
	else
		app_status(a, true, "%zu of %zu moved to %s; %zu not: %.*s", moved, mv->n,
			   mv->dest, mv->failed, app_clause_len(mv->why), mv->why);
	side_load(a, mv->side, NULL, NULL);
	side_move_free(mv);
}

/* Counts a rename of the move that failed, keeping the first reason. */
static void side_move_failed(struct app_move *mv, const char *why)
{
	if (mv->failed++ == 0)
		snprintf(mv->why, sizeof mv->why, "%.*s", (int)sizeof mv->why - 1, why);
}

/* Sends the move's next renames while it has slots; ends it when all
 * are answered. */
static void side_move_pump(struct app *a)
{
	struct app_move *mv = &a->move;
	size_t busy = 0;
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		busy += a->req[i].id != 0 && a->req[i].move;
	while (mv->sent < mv->n && busy < SIDE_MOVE_SLOTS) {
		size_t k = mv->sent++;
		unsigned id = mv->from[k] == NULL ? 0
			      : side_request(a, mv->side, WIRE_RENAME, mv->from[k], mv->to[k], 0);
		struct app_request *r = id != 0 ? side_remember(a, id, mv->side, WIRE_RENAME,
								mv->from[k], mv->to[k]) : NULL;
		if (r == NULL) {
			mv->answered++;
			side_move_failed(mv, mv->from[k] == NULL ? "path too long" : "not sent");
			continue;
		}
		r->move = true;
		busy++;
	}
	if (mv->n > 0 && mv->answered == mv->n)
		side_move_end(a);
}

bool side_move(struct app *a, enum app_side side, const char *const *names, size_t n,
	       const char *dest)
{
	struct app_move *mv = &a->move;
	if (mv->n > 0) {
		app_status(a, true, "the entries moved last are not all moved yet; try again");
		return false;
	}
	char shown[APP_STATUS_MAX];
	sanitize_text(dest, strlen(dest), shown, sizeof shown);
	mv->side = side;
	mv->n = n;
	mv->from = xcalloc(n, sizeof *mv->from);
	mv->to = xcalloc(n, sizeof *mv->to);
	mv->dest = xstrdup(shown);
	struct sbuf f, t;
	sbuf_init(&f, PATH_LEN_MAX);
	sbuf_init(&t, PATH_LEN_MAX);
	/* A find's match is named by its path below the folder: it goes
	 * into the folder under its last part. An entry whose paths do not
	 * fit stays NULL, and fails when its turn comes. */
	for (size_t i = 0; i < n; i++)
		if (side_path(a, side, names[i], &f) && path_join(&t, dest, path_last(names[i]))) {
			mv->from[i] = xstrdup(sbuf_str(&f));
			mv->to[i] = xstrdup(sbuf_str(&t));
		}
	sbuf_free(&f);
	sbuf_free(&t);
	app_status(a, false, "moving %zu to %s...", n, shown);
	side_move_pump(a);
	return true;
}

/* The answer to a mkdir, rename or info request: the status line, a
 * reload with the cursor on the new name, the question whether to
 * replace, or the facts to show. */
static void side_done(struct app *a, struct app_request *r, const struct wire_msg *m)
{
	const struct wire_reply *rep = &m->reply;
	enum app_side side = r->side;
	if (r->move) {
		/* One of a move's renames: a name there is never replaced. */
		a->move.answered++;
		if (rep->result == WIRE_EXISTS)
			side_move_failed(&a->move, "a name there already");
		else if (rep->result != WIRE_OK)
			side_move_failed(&a->move, rep->message[0] ? rep->message : "refused");
		side_forget(r);
		side_move_pump(a);
		return;
	}
	if (r->type == WIRE_INFO && rep->result == WIRE_OK) {
		/* Shown when no dialog is open (actions_ask_pending). */
		free(a->info);
		free(a->info_name);
		a->info = xstrdup(rep->message);
		a->info_name = xstrdup(r->from);
		app_status(a, false, "%s", "");
	} else if (rep->result == WIRE_EXISTS && r->type == WIRE_RENAME && !a->replace.pending) {
		a->replace.pending = true;
		a->replace.side = side;
		a->replace.from = xstrdup(r->from);
		a->replace.to = xstrdup(r->to);
		a->replace.size = (off_t)rep->size;
		a->replace.mtime = (time_t)rep->mtime;
	} else if (rep->result != WIRE_OK) {
		app_status(a, true, "%s", rep->message[0] ? rep->message : "refused");
	} else {
		app_status(a, false, "%s", r->type == WIRE_RENAME ? "renamed" : "directory made");
		side_load(a, side, NULL, r->type == WIRE_RENAME ? r->to : r->from);
	}
	side_forget(r);
}

void side_info(struct app *a, enum app_side side, const char *name)
{
	side_ask(a, side, WIRE_INFO, name, true, "asking about");
}

/* ---- deletes ---- */

bool side_delete(struct app *a, enum app_side side, const char *name, bool tree)
{
	struct sbuf path;
	sbuf_init(&path, PATH_LEN_MAX);
	bool ok = side_path(a, side, name, &path);
	if (ok) {
		const char *p = sbuf_str(&path);
		queue_add(a->queue, side == APP_LOCAL ? QUEUE_DELETE_LOCAL : QUEUE_DELETE_REMOTE,
			  QUEUE_MODE_NEW, tree, side == APP_LOCAL ? p : "", side == APP_REMOTE ? p : "",
			  -1);
	} else {
		app_status(a, true, "%s: path too long", name);
	}
	sbuf_free(&path);
	return ok;
}

bool side_run_delete(struct app *a, const struct queue_job *j)
{
	enum app_side side = j->dir == QUEUE_DELETE_LOCAL ? APP_LOCAL : APP_REMOTE;
	struct wire_msg *m = xcalloc(1, sizeof *m);
	wire_init(m, WIRE_REMOVE, j->id);
	m->request.flags = j->tree ? WIRE_TREE : 0;
	wire_set_str(m->request.path, queue_target(j));
	bool ok = side_send(a, side, m);
	free(m);
	return ok;
}

/* ---- connections ---- */

/* What a worker needs to connect as l: the login, the command line's
 * settings, the scheme and TLS choice, a certificate accepted earlier. */
static struct worker_login side_worker_login(const struct app *a, const struct app_login *l)
{
	return (struct worker_login){
		.host = l->host, .port = l->port,
		.user = l->user[0] ? l->user : NULL, .pass = l->pass[0] ? l->pass : NULL,
		.scheme = l->scheme, .settings = &a->settings, .tls = l->tls,
		.cert_server = l->cert_server, .cert_fp = l->cert_fp,
	};
}

/* Writes "WHAT HOST[: WHY]" on the status line, then "; NOTE" when the
 * connection has a note; a failure is about the connection (it goes once
 * a listing works), a success stays until the next message. */
static void side_connect_status(struct app *a, bool error, const char *what,
				const struct app_login *l, const char *why)
{
	app_status_about(a, error ? APP_TOPIC_CONNECT : APP_TOPIC_NONE, error, "%s %s%s%s%s%s",
			 what, l->host, why ? ": " : "", why ? why : "", l->note[0] ? "; " : "",
			 l->note);
}

/* A login refused for its certificate (changed since it was accepted, or
 * not the pinned one) is shown in a box, not only on the status line. */
static void side_alarm(struct app *a, const struct ftp_tls_info *t, const char *why)
{
	if (!t->have_cert || (t->trust != TLSC_TRUST_CHANGED && t->trust != TLSC_TRUST_PIN_MISMATCH))
		return;
	a->alarm = true;
	a->alarm_tls = *t;
	snprintf(a->alarm_msg, sizeof a->alarm_msg, "%s", why);
}

/* Starts side's browser afresh (after it was ended or before the first
 * use); the remote one logs in again as a->login. */
static bool side_restart(struct app *a, enum app_side side)
{
	struct worker_login wl = side_worker_login(a, &a->login);
	worker_kill(&a->browse[side]);
	if (worker_start(&a->browse[side], side == APP_LOCAL ? WORKER_BROWSE_LOCAL
				: WORKER_BROWSE_REMOTE, side == APP_LOCAL ? NULL : &wl) == 0)
		return true;
	app_status(a, true, "cannot start the %s side's process: %s", side_name(side),
		   strerror(errno));
	return false;
}

bool side_start_local(struct app *a)
{
	return side_restart(a, APP_LOCAL);
}

void side_connect(struct app *a, const char *path)
{
	struct worker_login wl = side_worker_login(a, &a->trying);
	worker_kill(&a->opening);
	memset(&a->trying_tls, 0, sizeof a->trying_tls);
	free(a->open_path);
	a->open_path = path ? xstrdup(path) : NULL;
	if (worker_start(&a->opening, WORKER_BROWSE_REMOTE, &wl) < 0) {
		app_status(a, true, "cannot start a process for the connection: %s", strerror(errno));
		return;
	}
	app_status_about(a, APP_TOPIC_CONNECT, false, "connecting to %s... (Esc cancels)%s%s",
			 a->trying.host, a->trying.note[0] ? "; " : "", a->trying.note);
}

/* Fails the delete job running on side's browser, which was ended. */
static void side_lost_job(struct app *a, enum app_side side, const char *why)
{
	struct queue_job *j = queue_running(a->queue, side == APP_LOCAL ? QUEUE_LANE_LOCAL
							    : QUEUE_LANE_REMOTE);
	if (j != NULL)
		queue_finish(a->queue, j->id, QUEUE_CANCELLED, why);
}

bool side_cancel(struct app *a)
{
	if (worker_running(&a->opening)) {
		worker_kill(&a->opening);
		app_status_about(a, APP_TOPIC_CONNECT, false, "connecting to %s cancelled",
				 a->trying.host);
		return true;
	}
	if (a->syncplan.reading != 0) {
		side_scan_drop(a, "synchronize cancelled");
		return true;
	}
	enum app_side side = a->active;
	if (side_loading_in(a, side) != 0)
		return false;   /* none, or not shown yet: Esc is for the filter */
	side_load_forget(a, side);
	/* A browser with other work (a delete, a rename) keeps it: the
	 * listing is only dropped when it comes. */
	if (side_busy(a, side) || side_restart(a, side))
		app_status(a, false, "listing cancelled");
	return true;
}

/* The answer to a login: a new connection replaces the working one (and
 * the transfer worker follows it), or fails and leaves it alone; a
 * browser started again after a cancel only says when it could not log in. */
static void side_logged_in(struct app *a, bool opening, const struct wire_msg *m)
{
	const struct wire_reply *r = &m->reply;
	if (!opening) {
		if (r->result != WIRE_OK) {
			app_status_about(a, APP_TOPIC_CONNECT, true, "connection lost: %s", r->message);
			side_alarm(a, &a->tls, r->message);
			a->connected = false;
		}
		return;
	}
	if (r->result != WIRE_OK) {
		char why[WIRE_STR_MAX + 64];
		worker_kill(&a->opening);
		snprintf(why, sizeof why, "%s%s", r->message,
			 a->connected ? " (still connected as before)" : "");
		side_connect_status(a, true, "could not connect to", &a->trying, why);
		side_alarm(a, &a->trying_tls, r->message);
		return;
	}
	/* The new connection replaces the old one. The transfers follow it
	 * to the same server (host, port and user); to another, the copies
	 * and remote deletes queued for the old one do not run there. */
	bool same = strcmp(a->login.host, a->trying.host) == 0 &&
		    a->login.port == a->trying.port && strcmp(a->login.user, a->trying.user) == 0;
	side_scan_drop(a, "synchronize cancelled: a new connection");
	side_load_forget(a, APP_REMOTE);
	side_lost_job(a, APP_REMOTE, "stopped by a new connection");
	worker_kill(&a->browse[APP_REMOTE]);
	a->browse[APP_REMOTE] = a->opening;
	worker_init(&a->opening);
	app_let_go_transfers(a);
	struct queue_job *run;
	while ((run = queue_running(a->queue, QUEUE_LANE_COPY)) != NULL)
		queue_finish(a->queue, run->id, QUEUE_FAILED, "stopped by a new connection");
	if (!same)
		queue_new_connection(a->queue, "not run: a new connection to another server");
	a->login = a->trying;
	a->tls = a->trying_tls;
	a->connected = true;
	if (!side_start_transfer(a, 0))
		app_status(a, true, "cannot start the transfer process: %s", strerror(errno));
	else
		side_connect_status(a, false, "connected to", &a->login, NULL);
	sitemgr_remember(a);
	pane_load_begin(a->pane[APP_REMOTE], r->path, true);
	pane_load_end(a->pane[APP_REMOTE], NULL);
	side_load(a, APP_REMOTE, a->open_path ? a->open_path : r->path[0] ? r->path : "/", NULL);
	free(a->open_path);
	a->open_path = NULL;
	app_pump(a);
}

bool side_start_transfer(struct app *a, unsigned slot)
{
	struct worker_login wl = side_worker_login(a, &a->login);
	return slot < APP_XFER_MAX && worker_start(&a->xfer[slot], WORKER_TRANSFER, &wl) == 0;
}

void side_answer(struct app *a, enum app_side side, bool opening, const struct wire_msg *m)
{
	if (m->type == WIRE_REPLY && m->id == 0) {
		side_logged_in(a, opening, m);
		return;
	}
	if (opening)
		return;
	struct app_load *l = &a->load[side];
	if (m->type == WIRE_ENTRY) {
		if (m->id == l->req)
			side_stage_add(l, &m->entry);
		return;   /* a listing the pane no longer waits for */
	}
	if (m->type != WIRE_REPLY)
		return;
	if (m->id == l->req && l->req != 0) {
		side_listed(a, side, m);
		return;
	}
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		if (a->req[i].id == m->id && m->id != 0) {
			side_done(a, &a->req[i], m);
			return;
		}
}

void side_browser_gone(struct app *a, enum app_side side)
{
	/* The ids first: a move sends its next renames as these fail. */
	unsigned ids[APP_REQUESTS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		if (a->req[i].id != 0 && a->req[i].side == side)
			ids[n++] = a->req[i].id;
	if (n == 0)
		return;
	struct wire_msg *m = xmalloc(sizeof *m);
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < APP_REQUESTS_MAX; i++) {
			if (a->req[i].id != ids[k])
				continue;
			wire_init(m, WIRE_REPLY, ids[k]);
			m->reply.result = WIRE_FAILED;
			snprintf(m->reply.message, sizeof m->reply.message,
				 "the %s side's process ended before it answered",
				 side == APP_LOCAL ? "local" : "remote");
			side_done(a, &a->req[i], m);
			break;
		}
	free(m);
}

bool side_replace_browser(struct app *a, enum app_side side)
{
	side_load_forget(a, side);
	side_browser_gone(a, side);
	return side_restart(a, side);
}

void side_stop_all(struct app *a)
{
	for (int s = 0; s < APP_SIDES; s++)
		plan_tree_free(&a->syncplan.t[s]);
	a->syncplan.reading = 0;
	a->syncplan.ready = false;
	worker_kill(&a->opening);
	for (int s = 0; s < APP_SIDES; s++) {
		worker_kill(&a->browse[s]);
		side_load_forget(a, (enum app_side)s);
		free(a->load[s].v);
		a->load[s].v = NULL;
		a->load[s].cap = 0;
	}
	for (size_t i = 0; i < APP_REQUESTS_MAX; i++)
		side_forget(&a->req[i]);
	side_move_free(&a->move);
	free(a->replace.from);
	free(a->replace.to);
	a->replace.from = a->replace.to = NULL;
	free(a->info);
	free(a->info_name);
	a->info = a->info_name = NULL;
	for (int s = 0; s < APP_SIDES; s++) {
		free(a->find[s]);
		a->find[s] = NULL;
	}
	free(a->open_path);
	a->open_path = NULL;
}
