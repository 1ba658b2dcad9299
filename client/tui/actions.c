/* actions: one handler per key action, found through a table indexed by
 * the action (see actions.h). Handlers change the model, send requests
 * to the panes' sides, queue copies and deletes, and leave messages in
 * the status line; nothing here draws directly or waits for the network.
 * A handler that asks a question first copies what it needs out of the
 * panes (struct act_item): while a dialog is open the screen keeps taking
 * the workers' messages, and a listing that arrives replaces the pane's
 * entries. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "complete.h"
#include "dialog.h"
#include "human.h"
#include "menu.h"
#include "mouse.h"
#include "navigate.h"
#include "sbuf.h"
#include "path.h"
#include "plan.h"
#include "sanitize.h"
#include "sitemgr.h"
#include "strset.h"
#include "sync.h"
#include "trace.h"
#include "viewedit.h"
#include "viewer.h"
#include "url.h"
#include "xalloc.h"

/* Longest question text, in bytes. */
#define ACT_QUESTION_MAX 1024
/* Tagged entries the delete question names (the rest it counts). */
#define ACT_DELETE_NAMED 8
/* Characters kept of a port typed in the connect dialog. */
#define ACT_PORT_MAX 16
/* Longest tag pattern, in bytes. */
#define ACT_PATTERN_MAX 256

/* An entry copied out of a pane. */
struct act_item {
	char *name;               /* raw name */
	char *display;            /* sanitised name */
	enum ftp_entry_type type; /* what it is */
	bool link;                /* a symbolic link */
	off_t size;               /* bytes, -1 unknown */
	time_t mtime;             /* date, 0 unknown */
};

/* The active pane. */
static struct pane *act_pane(struct app *a)
{
	return a->pane[a->active];
}

/* The other pane's side. */
static enum app_side act_other(const struct app *a)
{
	return a->active == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
}

static void act_up(struct app *a) { pane_move(act_pane(a), -1); }
static void act_down(struct app *a) { pane_move(act_pane(a), 1); }
static void act_pgup(struct app *a) { pane_page(act_pane(a), -1, a->pane_height); }
static void act_pgdn(struct app *a) { pane_page(act_pane(a), 1, a->pane_height); }
static void act_home(struct app *a) { pane_home(act_pane(a)); }
static void act_end(struct app *a) { pane_end(act_pane(a)); }
static void act_open(struct app *a) { navigate_enter(a); }
static void act_parent(struct app *a) { navigate_up(a); }
static void act_filter(struct app *a) { dialog_filter(a); }
static void act_help(struct app *a) { dialog_help(a); }

/* Esc: a connection being opened or a listing awaited is cancelled;
 * otherwise the filter is cleared. */
static void act_escape(struct app *a)
{
	if (side_cancel(a))
		return;
	if (pane_filter(act_pane(a))[0] != '\0') {
		pane_set_filter(act_pane(a), "");
		app_status(a, false, "filter cleared");
	}
}

static void act_switch(struct app *a)
{
	a->active = act_other(a);
}

static void act_tag(struct app *a)
{
	pane_tag_toggle(act_pane(a));
	pane_move(act_pane(a), 1);
}

/* Tags (tag) or untags by a pattern asked for. */
static void act_tag_by(struct app *a, bool tag)
{
	char pattern[ACT_PATTERN_MAX] = "*";
	if (!dialog_input(a, tag ? "Tag the names matching:" : "Untag the names matching:",
			  pattern, sizeof pattern, false, true) || pattern[0] == '\0')
		return;
	size_t n = pane_tag_pattern(act_pane(a), pattern, tag);
	app_status(a, false, "%zu %s", n, tag ? "tagged" : "untagged");
}

static void act_tag_pattern(struct app *a) { act_tag_by(a, true); }
static void act_untag_pattern(struct app *a) { act_tag_by(a, false); }

static void act_tag_invert(struct app *a)
{
	pane_tag_invert(act_pane(a));
}

/* Says how the active pane is sorted. */
static void act_sort_status(struct app *a)
{
	struct pane *p = act_pane(a);
	app_status(a, false, "sorted by %s%s", pane_sort_name(pane_sort_mode(p)),
		   pane_sort_reverse(p) ? ", reversed" : "");
}

static void act_sort(struct app *a)
{
	pane_cycle_sort(act_pane(a));
	act_sort_status(a);
}

static void act_reverse(struct app *a)
{
	pane_reverse_sort(act_pane(a));
	act_sort_status(a);
}

static void act_hidden(struct app *a)
{
	struct pane *p = act_pane(a);
	pane_set_hidden(p, !pane_hidden_shown(p));
	app_status(a, false, "hidden files %s", pane_hidden_shown(p) ? "shown" : "hidden");
}

static void act_refresh(struct app *a)
{
	side_load(a, APP_LOCAL, NULL, NULL);
	if (a->connected)
		side_load(a, APP_REMOTE, NULL, NULL);
}

/* ---- the entries an action works on ---- */

/* Frees n items. */
static void act_items_free(struct act_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].display);
	}
	free(v);
}

/* Copies entry e into it. */
static void act_item_set(struct act_item *it, const struct pane_entry *e)
{
	it->name = xstrdup(e->name);
	it->display = xstrdup(e->display);
	it->type = e->type;
	it->link = e->link;
	it->size = e->size;
	it->mtime = e->mtime;
}

/* True (saying why in the status line) when the cursor is on "..", which
 * no action but Enter works on; what names the action ("copied"). */
static bool act_on_parent(struct app *a, const struct pane_entry *e, const char *what)
{
	if (e == NULL || strcmp(e->name, PANE_PARENT) != 0)
		return false;
	/* Rename takes the entry under the cursor only: tags do not help. */
	bool tags = strcmp(what, "renamed") != 0;
	app_status(a, false, "..: the parent directory is not %s (%s)", what,
		   tags ? "tag entries, or move the cursor onto one"
			: "move the cursor onto the entry to rename");
	return true;
}

/* Copies the entries an action works on out of the active pane: the
 * tagged ones, or the one under the cursor (never ".."). Returns how many
 * (caller frees *out with act_items_free); what names the action for the
 * message when the cursor is on "..". */
static size_t act_targets(struct app *a, struct act_item **out, const char *what)
{
	struct pane *p = act_pane(a);
	size_t n = pane_tag_count(p), k = 0;
	*out = NULL;
	if (n > 0) {
		*out = xcalloc(n, sizeof **out);
		size_t it = 0;
		const struct pane_entry *e;
		while (k < n && (e = pane_tag_next(p, &it)) != NULL)
			act_item_set(&(*out)[k++], e);
		return k;
	}
	const struct pane_entry *e = pane_current(p);
	if (e == NULL || act_on_parent(a, e, what))
		return 0;
	*out = xcalloc(1, sizeof **out);
	act_item_set(&(*out)[0], e);
	return 1;
}

/* ---- copies ---- */

/* Queues a copy of item it to the other pane under the name target;
 * returns the job's id, or 0. */
static unsigned act_queue_from(struct app *a, enum app_side from, const struct act_item *it,
			       const char *target, enum queue_mode mode, off_t target_size)
{
	enum app_side to = from == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	struct sbuf src, dst;
	unsigned id = 0;
	sbuf_init(&src, PATH_LEN_MAX);
	sbuf_init(&dst, PATH_LEN_MAX);
	if (!path_join(&src, pane_path(a->pane[from]), it->name) ||
	    !path_join(&dst, pane_path(a->pane[to]), target)) {
		app_status(a, true, "%s: path too long", it->display);
	} else {
		bool up = from == APP_LOCAL;
		/* A remote link may lead to a directory: the worker finds out. */
		bool link = !up && it->type == FTP_ENTRY_LINK;
		bool tree = it->type == FTP_ENTRY_DIR || link;
		id = queue_add(a->queue, up ? QUEUE_UPLOAD : QUEUE_DOWNLOAD, mode, tree,
			       up ? sbuf_str(&src) : sbuf_str(&dst),
			       up ? sbuf_str(&dst) : sbuf_str(&src), tree ? 0 : it->size);
		if (link)
			queue_set_link(a->queue, id);
		queue_set_dates(a->queue, id, it->mtime, target_size, 0);
	}
	sbuf_free(&src);
	sbuf_free(&dst);
	return id;
}

/* Queues the copy of it from the active pane (see act_queue_from). */
static unsigned act_queue_one(struct app *a, const struct act_item *it, const char *target,
			      enum queue_mode mode, off_t target_size)
{
	return act_queue_from(a, a->active, it, target, mode, target_size);
}

/* Queues item it as skipped because another entry of the same copy goes
 * to target already (two matches of a find with one name): it would
 * replace that one's copy without a question. */
static void act_skip_same_target(struct app *a, const struct act_item *it, const char *target)
{
	queue_skip(a->queue, act_queue_one(a, it, target, QUEUE_MODE_NEW, -1));
	app_status(a, true, "%s: another entry of this copy goes to %s; skipped (copy it by "
		   "itself to give it another name)", it->display, target);
}

/* Asks for the name of a copy whose target exists (target, edited in
 * place), again while the name given exists too in pane to or is the
 * target of another entry of the copy (in used): such a file is never
 * replaced. False when no usable name was given. */
static bool act_copy_name(struct app *a, enum app_side to, char *target, size_t size,
			  const struct strset *used)
{
	char again[ACT_QUESTION_MAX];
	const char *prompt = "Copy under the name:";
	while (dialog_input(a, prompt, target, size, false, false)) {
		if (!path_safe_name(target))
			return false;
		if (pane_find(a->pane[to], target) == NULL && !strset_has(used, target))
			return true;
		snprintf(again, sizeof again, "%.900s exists too; copy under the name:", target);
		prompt = again;
	}
	return false;
}

static void act_copy(struct app *a)
{
	struct act_item *v;
	enum app_side to = act_other(a);
	bool all = false;
	enum queue_answer all_answer = QUEUE_ANSWER_OVERWRITE;
	size_t queued = 0;
	struct strset used;   /* the targets of this copy so far, so none is written twice */

	if (!a->connected) {
		app_status_offline(a, true);
		return;
	}
	/* A pane showing a find's matches does not list its folder: a file
	 * there would be replaced without the question. */
	if (a->find[to] != NULL) {
		app_status(a, true, "the %s pane shows the matches of a find, not its folder "
			   "(Backspace there shows the folder to copy into)",
			   to == APP_LOCAL ? "local" : "remote");
		return;
	}
	size_t n = act_targets(a, &v, "copied");
	strset_init(&used);
	for (size_t i = 0; i < n; i++) {
		const struct act_item *it = &v[i];
		char target[PATH_LEN_MAX];
		enum queue_mode mode = QUEUE_MODE_NEW;
		/* A find's results are named by their path below the pane's
		 * folder: the copy takes the last part of it. */
		const char *base = a->find[a->active] != NULL ? path_last(it->name) : it->name;
		if (!path_safe_name(base) ||
		    (it->type != FTP_ENTRY_FILE && it->type != FTP_ENTRY_DIR && it->type != FTP_ENTRY_LINK)) {
			app_status(a, true, "%s: not a file or directory; skipped", it->display);
			continue;
		}
		snprintf(target, sizeof target, "%s", base);
		if (strset_has(&used, target)) {
			act_skip_same_target(a, it, target);
			continue;
		}
		/* Looked up now, and copied: the dialog may see the pane reloaded. */
		const struct pane_entry *old = pane_find(a->pane[to], base);
		struct dialog_sides sides = {
			.size = it->size, .mtime = it->mtime,
			.target_size = old ? old->size : -1, .target_mtime = old ? old->mtime : 0,
		};
		/* A remote link is copied as a directory copy is (its files
		 * are asked about when the worker finds them). */
		bool later = it->type == FTP_ENTRY_DIR ||
			     (a->active == APP_REMOTE && it->type == FTP_ENTRY_LINK);
		if (old != NULL && !later) {
			bool this_all = false;
			enum queue_answer ans = all ? all_answer
						    : dialog_exists(a, it->display, &sides, &this_all);
			if (this_all) {
				all = true;
				all_answer = ans;
			}
			if (ans == QUEUE_ANSWER_ABORT)
				break;
			if (ans == QUEUE_ANSWER_SKIP) {
				queue_skip(a->queue, act_queue_one(a, it, target, mode, sides.target_size));
				continue;
			}
			if (ans == QUEUE_ANSWER_RESUME)
				mode = QUEUE_MODE_RESUME;
			if (ans == QUEUE_ANSWER_RENAME) {
				if (!act_copy_name(a, to, target, sizeof target, &used))
					continue;
				sides.target_size = -1;
				mode = QUEUE_MODE_KEEP;   /* a name the pane does not show yet */
			}
		}
		unsigned id = act_queue_one(a, it, target, mode, sides.target_size);
		if (id != 0 && strcmp(target, base) != 0)
			queue_show_target(a->queue, id);   /* a renamed copy shows its new name */
		if (id != 0) {
			queued++;
			strset_add(&used, target);
		}
	}
	strset_free(&used);
	act_items_free(v, n);
	pane_tag_clear(act_pane(a));
	if (queued > 0)
		app_status_about(a, APP_TOPIC_QUEUE, false, "%zu transfer(s) queued", queued);
	app_pump(a);
}

/* Asks about each held transfer (a file of a copied directory whose
 * target exists), then releases, renames or ends it. */
static void act_ask_held(struct app *a)
{
	struct queue_job *j;
	enum queue_answer ans;

	while ((j = queue_held_next(a->queue, &ans)) != NULL) {
		/* The dialogs keep reporting transfers: the queue may move under
		 * them, so the job is known by its id and its texts are copied. */
		unsigned id = j->id;
		char label[QUEUE_MSG_MAX], name[PATH_LEN_MAX];
		bool all = false;
		struct dialog_sides sides = {
			.size = j->size, .mtime = j->mtime,
			.target_size = j->target_size, .target_mtime = j->target_mtime,
		};
		snprintf(label, sizeof label, "%s", j->label);
		snprintf(name, sizeof name, "%s", path_last(queue_target(j)));
		if (ans == QUEUE_ANSWER_ASK)
			ans = dialog_exists(a, label, &sides, &all);
		bool named = ans == QUEUE_ANSWER_RENAME &&
			     dialog_input(a, "Copy under the name:", name, sizeof name, false, false);
		queue_held_answer(a->queue, id, ans, all, named ? name : NULL);
	}
}

/* Writes "SIZE, DATE" of a file into out ("" parts left out when unknown). */
static void act_describe(off_t size, time_t mtime, char *out, size_t outsz)
{
	char sz[HUMAN_BUF] = "", date[32] = "";
	struct tm tm;
	if (size >= 0)
		human_size(size, sz, sizeof sz);
	if (mtime > 0 && localtime_r(&mtime, &tm) != NULL)
		strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
	snprintf(out, outsz, "%s%s%s", sz, sz[0] && date[0] ? ", " : "", date);
}

/* Asks whether renaming from (size, mtime) may replace to (its size and
 * date); true for yes. */
static bool act_ask_replace(struct app *a, const char *from_display, off_t size, time_t mtime,
			    const char *to_display, off_t tsize, time_t tmtime)
{
	char q[ACT_QUESTION_MAX], old[64], new[64];
	act_describe(tsize, tmtime, old, sizeof old);
	act_describe(size, mtime, new, sizeof new);
	snprintf(q, sizeof q, "%s exists%s%s%s.\nReplace it with %s%s%s%s?", to_display,
		 old[0] ? " (" : "", old, old[0] ? ")" : "", from_display,
		 new[0] ? " (" : "", new, new[0] ? ")" : "");
	return dialog_yesno(a, q);
}

/* Asks about a rename the side refused because the new name exists. */
static void act_ask_rename(struct app *a)
{
	struct app_replace r = a->replace;
	char from_disp[PATH_LEN_MAX], to_disp[PATH_LEN_MAX];
	memset(&a->replace, 0, sizeof a->replace);
	sanitize_text(r.from, strlen(r.from), from_disp, sizeof from_disp);
	sanitize_text(r.to, strlen(r.to), to_disp, sizeof to_disp);
	const struct pane_entry *e = pane_find(a->pane[r.side], r.from);
	if (act_ask_replace(a, from_disp, e ? e->size : -1, e ? e->mtime : 0, to_disp, r.size,
			    r.mtime))
		side_rename(a, r.side, r.from, r.to, true);
	else
		app_status(a, false, "nothing renamed: %s kept", to_disp);
	free(r.from);
	free(r.to);
}

/* Shows the facts of an entry that arrived (file info). */
static void act_show_info(struct app *a)
{
	char name[PATH_LEN_MAX];
	char *text = a->info, *path = a->info_name;
	a->info = a->info_name = NULL;
	sanitize_text(path, strlen(path), name, sizeof name);
	const char *lines[] = { name, "", text, "", "Enter or Esc closes", NULL };
	dialog_message(a, lines);
	free(text);
	free(path);
}

static void act_sync_dialog(struct app *a);

void actions_ask_pending(struct app *a)
{
	a->asking = true;
	security_ask_pending(a);
	act_ask_held(a);
	if (a->replace.pending)
		act_ask_rename(a);
	if (a->info != NULL)
		act_show_info(a);
	if (a->syncplan.ready)
		act_sync_dialog(a);
	viewedit_pending(a);
	a->asking = false;
	app_pump(a);
}

/* ---- renames, directories, deletes ---- */

/* Whether name is "." or "..", which name folders that are there already. */
static bool act_dot_name(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static bool act_typed_path(struct app *a, enum app_side side, const char *path,
			   struct sbuf *full);
static void act_complete(void *arg, char *buf, size_t bufsz, char *note, size_t notesz);

/* F6 with entries tagged: moves them all into a folder of the same side,
 * asked for once (its field starts with the pane's folder; Tab completes). */
static void act_move_tagged(struct app *a)
{
	enum app_side side = a->active;
	struct act_item *v;
	char dest[PATH_LEN_MAX], q[ACT_QUESTION_MAX];
	size_t n = act_targets(a, &v, "moved");
	if (n == 0)
		return;
	if (n == 1)
		snprintf(q, sizeof q, "Move the tagged entry %s into the folder:", v[0].display);
	else
		snprintf(q, sizeof q, "Move %zu tagged entries into the folder:", n);
	snprintf(dest, sizeof dest, "%s", pane_path(a->pane[side]));
	struct sbuf full;
	sbuf_init(&full, PATH_LEN_MAX);
	const char **names = xcalloc(n, sizeof *names);
	size_t k = 0;
	if (!dialog_input_complete(a, q, dest, sizeof dest, false, true, act_complete, a) ||
	    dest[0] == '\0') {
		app_status(a, false, "nothing moved");
	} else if (!act_typed_path(a, side, dest, &full)) {
		app_status(a, true, "path too long");
	} else {
		/* Entries in that folder already (all but a find's matches,
		 * when it is the pane's own) are left out. */
		bool here = strcmp(sbuf_str(&full), pane_path(a->pane[side])) == 0;
		for (size_t i = 0; i < n; i++)
			if (!here || strchr(v[i].name, '/') != NULL)
				names[k++] = v[i].name;
		if (k == 0)
			app_status(a, false, "nothing moved: they are in that folder already");
		else
			side_move(a, side, names, k, sbuf_str(&full));
	}
	free(names);
	sbuf_free(&full);
	act_items_free(v, n);
}

static void act_rename(struct app *a)
{
	const struct pane_entry *e = pane_current(act_pane(a));
	char name[PATH_LEN_MAX], q[ACT_QUESTION_MAX];
	if (pane_tag_count(act_pane(a)) > 0) {
		act_move_tagged(a);
		return;
	}
	if (e == NULL || act_on_parent(a, e, "renamed"))
		return;
	struct act_item it;
	struct sbuf to;
	act_item_set(&it, e);
	/* A find's match is named by its path below the folder: it gets a
	 * new last part and stays in its own folder. */
	snprintf(name, sizeof name, "%s", path_last(it.name));
	snprintf(q, sizeof q, "Rename %s to:", it.display);
	sbuf_init(&to, PATH_LEN_MAX);
	if (dialog_input(a, q, name, sizeof name, false, true) &&
	    strcmp(name, path_last(it.name)) != 0) {
		if (act_dot_name(name)) {
			app_status(a, true, "\".\" and \"..\" are not names a file or folder "
				   "can be renamed to");
		} else if (!path_safe_name(name)) {
			app_status(a, true, "a name without '/'");
		} else if (!path_sibling(&to, it.name, name)) {
			app_status(a, true, "%s: path too long", name);
		} else {
			const struct pane_entry *old = pane_find(act_pane(a), sbuf_str(&to));
			if (old == NULL)
				side_rename(a, a->active, it.name, sbuf_str(&to), false);
			else if (act_ask_replace(a, it.display, it.size, it.mtime, old->display,
						 old->size, old->mtime))
				side_rename(a, a->active, it.name, sbuf_str(&to), true);
			else
				app_status(a, false, "nothing renamed");
		}
	}
	sbuf_free(&to);
	free(it.name);
	free(it.display);
}

static void act_mkdir(struct app *a)
{
	char name[PATH_LEN_MAX] = "";
	if (!dialog_input(a, "New directory name:", name, sizeof name, false, false) ||
	    name[0] == '\0')
		return;
	if (act_dot_name(name))
		app_status(a, true, "\".\" and \"..\" are not names a folder can be made with "
			   "(they name the folder itself and the one above)");
	else if (!path_safe_name(name))
		app_status(a, true, "a name without '/'");
	else
		side_mkdir(a, a->active, name);
}

static void act_delete(struct app *a)
{
	struct act_item *v;
	char q[ACT_QUESTION_MAX];
	enum app_side side = a->active;
	size_t n = act_targets(a, &v, "deleted"), queued = 0;
	if (n == 0)
		return;
	size_t dirs = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].type == FTP_ENTRY_DIR && !v[i].link)
			dirs++;
	if (n == 1 && dirs == 1)
		snprintf(q, sizeof q, "Delete directory %s and everything in it?", v[0].display);
	else if (n == 1)
		snprintf(q, sizeof q, "Delete %s?", v[0].display);
	else if (dirs == 1)
		snprintf(q, sizeof q, "Delete %zu tagged entries, 1 of them a directory with "
			 "everything in it?", n);
	else if (dirs > 0)
		snprintf(q, sizeof q, "Delete %zu tagged entries, %zu of them directories with "
			 "everything in them?", n, dirs);
	else
		snprintf(q, sizeof q, "Delete %zu tagged entries?", n);
	struct sbuf ask;
	sbuf_init(&ask, ACT_QUESTION_MAX + ACT_DELETE_NAMED * (PATH_LEN_MAX + 32));
	sbuf_puts(&ask, q);
	/* Several entries: the first of them by name, so the question says
	 * what is lost, not only how much. */
	size_t named = 0;
	for (size_t i = 0; n > 1 && i < n && named < ACT_DELETE_NAMED; i++)
		named += sbuf_printf(&ask, "\n%s%s", v[i].display,
				     v[i].type == FTP_ENTRY_DIR && !v[i].link
				     ? "/ and everything in it" : "");
	if (n > 1 && named < n)
		sbuf_printf(&ask, "\nand %zu more", n - named);
	bool yes = dialog_yesno(a, sbuf_str(&ask));
	sbuf_free(&ask);
	if (yes) {
		for (size_t i = 0; i < n; i++)
			queued += side_delete(a, side, v[i].name, v[i].type == FTP_ENTRY_DIR && !v[i].link);
		pane_tag_clear(a->pane[side]);
		app_status_about(a, APP_TOPIC_QUEUE, false, "deleting %zu (x cancels)", queued);
		app_pump(a);
	} else {
		app_status(a, false, "nothing deleted");
	}
	act_items_free(v, n);
}

/* The TLS choices of the connect dialog: the key, the scheme and what
 * ftp:// does, and the line that offers it. */
static const struct {
	char key;              /* the letter typed */
	const char *scheme;    /* the scheme it connects with */
	enum tlsc_mode mode;   /* what ftp:// does then */
	const char *line;      /* the offer */
} act_tls_choices[] = {
	{ 'a', "ftp", TLSC_AUTO, "a = auto: TLS when the server offers it, else plain FTP (said so)" },
	{ 'r', "ftpes", TLSC_REQUIRE, "r = require: TLS (AUTH TLS) or no connection (ftpes://)" },
	{ 'i', "ftps", TLSC_AUTO, "i = implicit TLS from the first byte (ftps://, port 990)" },
	{ 'o', "ftp", TLSC_OFF, "o = off: plain FTP, nothing encrypted" },
};
#define ACT_TLS_CHOICES (sizeof act_tls_choices / sizeof act_tls_choices[0])

/* The choice l stands for now (its key's index). */
static size_t act_tls_current(const struct app_login *l)
{
	char key = strcmp(l->scheme, "ftps") == 0 ? 'i'
		 : strcmp(l->scheme, "ftpes") == 0 || l->tls == TLSC_REQUIRE ? 'r'
		 : l->tls == TLSC_OFF ? 'o' : 'a';
	for (size_t i = 0; i < ACT_TLS_CHOICES; i++)
		if (act_tls_choices[i].key == key)
			return i;
	return 0;
}

/* Asks how l uses TLS; false when Esc cancels. The port follows a move
 * to or from implicit TLS when it was the other's default. */
static bool act_ask_tls(struct app *a, struct app_login *l)
{
	char keys[ACT_TLS_CHOICES + 1], head[ACT_QUESTION_MAX], foot[ACT_QUESTION_MAX];
	const char *lines[ACT_TLS_CHOICES + 4];
	size_t n = 0, cur = act_tls_current(l);
	snprintf(head, sizeof head, "TLS for %s:", l->host);
	lines[n++] = head;
	for (size_t i = 0; i < ACT_TLS_CHOICES; i++) {
		keys[i] = act_tls_choices[i].key;
		lines[n++] = act_tls_choices[i].line;
	}
	keys[ACT_TLS_CHOICES] = '\0';
	snprintf(foot, sizeof foot, "Enter = %c (as now), Esc = cancel", act_tls_choices[cur].key);
	lines[n++] = "";
	lines[n++] = foot;
	lines[n] = NULL;
	int k = dialog_choose(a, lines, keys, (int)cur);
	if (k < 0)
		return false;
	bool was_implicit = strcmp(l->scheme, "ftps") == 0;
	snprintf(l->scheme, sizeof l->scheme, "%s", act_tls_choices[k].scheme);
	l->tls = act_tls_choices[k].mode;
	struct tlsc_scheme sc;
	bool implicit = strcmp(l->scheme, "ftps") == 0;
	if (implicit != was_implicit && tlsc_scheme_lookup(was_implicit ? "ftps" : "ftp",
							     TLSC_AUTO, &sc) && l->port == sc.port &&
	    tlsc_scheme_lookup(l->scheme, TLSC_AUTO, &sc))
		l->port = sc.port;
	return true;
}

/* Takes what the Host field says into l: a URL (ftp://, ftps://,
 * ftpes://) gives the scheme, host, port and whatever login and path it
 * names (*path, freed by the caller); anything else is the host. False
 * (status set) for a URL that does not parse. */
static bool act_connect_target(struct app *a, const char *text, struct app_login *l, char **path)
{
	struct url u;
	*path = NULL;
	if (strstr(text, "://") == NULL) {
		if (strlen(text) >= sizeof l->host) {
			app_status(a, true, "bad address: the host name is too long");
			return false;
		}
		snprintf(l->host, sizeof l->host, "%.*s", (int)sizeof l->host - 1, text);
		return true;
	}
	const char *err = url_parse(text, &u);
	if (err == NULL && strlen(u.host) >= sizeof l->host)
		err = "the host name is too long";
	if (err != NULL) {
		if (u.host != NULL)
			url_free(&u);
		app_status(a, true, "bad address: %s", err);
		return false;
	}
	snprintf(l->host, sizeof l->host, "%.*s", (int)sizeof l->host - 1, u.host);
	snprintf(l->scheme, sizeof l->scheme, "%s", u.scheme);
	l->port = u.port;
	if (u.user != NULL) {
		snprintf(l->user, sizeof l->user, "%s", u.user);
		snprintf(l->pass, sizeof l->pass, "%s", u.pass ? u.pass : "");
	}
	*path = u.path ? xstrdup(u.path) : NULL;
	url_free(&u);
	return true;
}

void actions_quick_connect(struct app *a)
{
	struct app_login l = a->connected ? a->login : a->trying;
	char port[ACT_PORT_MAX], target[URL_MAX];
	char *path = NULL;
	/* A new attempt has notes of its own; a certificate accepted before
	 * counts only for its own server (host:port). */
	l.note[0] = '\0';
	snprintf(target, sizeof target, "%s", l.host);
	bool ok = dialog_input(a, "Host or URL (ftp://, ftps://, ftpes://):", target, sizeof target,
			       false, true) && target[0] != '\0';
	if (ok && !act_connect_target(a, target, &l, &path)) {
		explicit_bzero(l.pass, sizeof l.pass);
		return;   /* a bad address: said so */
	}
	ok = ok && act_ask_tls(a, &l);
	if (ok) {
		snprintf(port, sizeof port, "%d", l.port > 0 ? l.port : FTP_DEFAULT_PORT);
		ok = dialog_input(a, "Port:", port, sizeof port, false, true) &&
		     dialog_input(a, "User (empty = anonymous):", l.user, sizeof l.user, false, true) &&
		     dialog_input(a, "Password:", l.pass, sizeof l.pass, true, true);
	}
	if (!ok) {
		explicit_bzero(l.pass, sizeof l.pass);
		free(path);
		if (!a->connected)
			app_status_offline(a, false);
		else
			app_status(a, false, "still connected to %s", a->login.host);
		return;
	}
	l.port = url_port(port);
	if (l.port < 0) {
		app_status(a, true, "bad port: %s", port);
		explicit_bzero(l.pass, sizeof l.pass);
		free(path);
		return;
	}
	a->trying = l;
	explicit_bzero(l.pass, sizeof l.pass);
	side_connect(a, path);
	free(path);
}

static void act_security(struct app *a)
{
	security_show(a);
}

/* Tab in the go-to dialog: completes from the active pane's listing. */
static void act_complete(void *arg, char *buf, size_t bufsz, char *note, size_t notesz)
{
	struct app *a = arg;
	char names[ACT_QUESTION_MAX];
	size_t n = complete_path(act_pane(a), buf, bufsz, names, sizeof names);
	if (n == 0)
		snprintf(note, notesz, "no name in this folder starts so");
	else if (n > 1)
		snprintf(note, notesz, "%zu names: %s", n, names);
	else
		note[0] = '\0';
}

/* Writes the full path of a folder typed for side (relative to its pane's
 * folder; ~ is the home folder on the local side) into full; false when
 * it is too long. */
static bool act_typed_path(struct app *a, enum app_side side, const char *path,
			   struct sbuf *full)
{
	const char *home = getenv("HOME");
	if (side == APP_LOCAL && path[0] == '~' && (path[1] == '\0' || path[1] == '/') && home)
		return path_join(full, home, path[1] ? path + 2 : "");
	if (path[0] == '/')
		return sbuf_puts(full, path);
	return path_join(full, pane_path(a->pane[side]), path);
}

/* g, Alt-c: goes to a path typed for the active pane (relative to where
 * it is; ~ is the home folder on the local side). */
static void act_goto(struct app *a)
{
	enum app_side side = a->active;
	char path[PATH_LEN_MAX];
	if (side == APP_REMOTE && !a->connected) {
		app_status_offline(a, true);
		return;
	}
	snprintf(path, sizeof path, "%s", pane_path(a->pane[side]));
	if (!dialog_input_complete(a, side == APP_LOCAL ? "Go to (local folder):"
				   : "Go to (remote folder):", path, sizeof path, false, true,
				   act_complete, a) || path[0] == '\0')
		return;
	struct sbuf full;
	sbuf_init(&full, PATH_LEN_MAX);
	if (!act_typed_path(a, side, path, &full))
		app_status(a, true, "path too long");
	else
		side_load(a, side, sbuf_str(&full), NULL);
	sbuf_free(&full);
}

/* L: the protocol trace of the session, newest at the bottom. */
static void act_log(struct app *a)
{
	size_t len;
	char *text = trace_text(a->trace, &len);
	char title[64];
	snprintf(title, sizeof title, "log: %zu line(s) of protocol trace", trace_count(a->trace));
	viewer_show_text(a, text, len, title, true);
}

/* i: the facts of the entry under the cursor, as its side knows them. */
static void act_info(struct app *a)
{
	const struct pane_entry *e = pane_current(act_pane(a));
	if (e == NULL)
		return;
	if (a->active == APP_REMOTE && !a->connected) {
		app_status_offline(a, true);
		return;
	}
	char name[PATH_LEN_MAX];
	snprintf(name, sizeof name, "%s", e->name);
	side_info(a, a->active, name);
}

/* ---- the transfer panel ---- */

/* The selected job, or NULL. */
static struct queue_job *act_selected(struct app *a)
{
	return queue_find(a->queue, a->xfer_sel);
}

/* Moves the panel's selection by delta rows; the panel stops following
 * the running job. */
static void act_xfer_move(struct app *a, int delta)
{
	size_t n = queue_count(a->queue);
	if (n == 0)
		return;
	size_t i = queue_index(a->queue, a->xfer_sel);
	if (i == SIZE_MAX)
		i = 0;
	else if (delta < 0 && i > 0)
		i--;
	else if (delta > 0 && i + 1 < n)
		i++;
	a->xfer_sel = queue_at(a->queue, i)->id;
	a->xfer_follow = false;
}

static void act_xfer_prev(struct app *a) { act_xfer_move(a, -1); }
static void act_xfer_next(struct app *a) { act_xfer_move(a, 1); }

static void act_cancel(struct app *a)
{
	struct queue_job *j = act_selected(a);
	if (j == NULL) {
		app_status(a, false, "no transfer selected");
		return;
	}
	if (queue_cancel(a->queue, j->id)) {
		app_stop_marked(a);
		app_status(a, false, "cancelling %s", j->label);
		a->status_job = j->id;
	} else if (j->state == QUEUE_CANCELLED) {
		app_status(a, false, "cancelled %s", j->label);
	}
}

static void act_cancel_folder(struct app *a)
{
	struct queue_job *j = act_selected(a);
	if (j == NULL) {
		app_status(a, false, "no transfer selected");
		return;
	}
	unsigned top = j->parent != 0 ? j->parent : j->id;
	const struct queue_job *t = queue_find(a->queue, top);
	char label[QUEUE_MSG_MAX];
	snprintf(label, sizeof label, "%s", t ? t->label : j->label);
	queue_cancel_folder(a->queue, j->id);
	app_stop_marked(a);
	app_status(a, false, "cancelled the copy of %s and everything it holds", label);
	app_status_short(a, "cancelled the copy of %s\ncancelled the folder copy\ncancelled",
			 label);
}

static void act_cancel_all(struct app *a)
{
	char q[ACT_QUESTION_MAX];
	size_t n = queue_active(a->queue);
	if (n == 0) {
		app_status(a, false, "no transfer to cancel");
		return;
	}
	snprintf(q, sizeof q, "Cancel all %zu unfinished transfer(s)?", n);
	if (!dialog_yesno(a, q)) {
		app_status(a, false, "nothing cancelled");
		return;
	}
	queue_cancel_all(a->queue);
	app_stop_marked(a);
	app_status(a, false, "cancelled %zu transfer(s)", n);
}

/* Reads the rows a pane shows (not "..") into t: local times are exact;
 * a remote time counts to the second unless it falls on a whole minute
 * (what a LIST listing shows). */
static void act_compare_tree(const struct pane *p, bool remote, struct plan_tree *t)
{
	for (size_t i = 0; i < pane_rows(p); i++) {
		const struct pane_entry *e = pane_row(p, i);
		if (strcmp(e->name, PANE_PARENT) == 0)
			continue;
		enum plan_kind kind = e->type == FTP_ENTRY_DIR ? PLAN_DIR
				      : e->type == FTP_ENTRY_FILE ? PLAN_FILE : PLAN_OTHER;
		int prec = remote && e->mtime % 60 == 0 ? 60 : 1;
		plan_tree_add(t, e->name, kind, e->size, e->mtime, prec, NULL);
	}
}

/* Tags what the marks single out on one pane; counts them by mark. */
static void act_compare_tag(struct pane *p, const struct plan_tree *t, const enum plan_mark *m,
			    size_t count[4])
{
	const char **names = xcalloc(t->n + 1, sizeof *names);
	size_t n = 0;
	pane_tag_clear(p);
	for (size_t i = 0; i < t->n; i++) {
		count[m[i]]++;
		if (m[i] != PLAN_MARK_NONE)
			names[n++] = t->v[i].path;
	}
	pane_tag_names(p, names, n);
	free(names);
}

/* mc's Ctrl-X d: compares the two folders shown, tagging on each side
 * what the other side lacks, what is newer there, and what differs. */
static void act_compare(struct app *a)
{
	struct plan_tree t[APP_SIDES];
	enum plan_mark *m[APP_SIDES];
	size_t count[APP_SIDES][4] = { { 0 } };

	if (!a->connected) {
		app_status(a, true, "compare needs both folders: connect first (F2)");
		return;
	}
	for (int s = 0; s < APP_SIDES; s++) {
		plan_tree_init(&t[s]);
		act_compare_tree(a->pane[s], s == APP_REMOTE, &t[s]);
		m[s] = xcalloc(t[s].n + 1, sizeof *m[s]);
	}
	plan_marks(&t[APP_LOCAL], &t[APP_REMOTE], m[APP_LOCAL], m[APP_REMOTE]);
	for (int s = 0; s < APP_SIDES; s++) {
		act_compare_tag(a->pane[s], &t[s], m[s], count[s]);
		free(m[s]);
		plan_tree_free(&t[s]);
	}
	size_t (*c)[4] = count;
	app_status(a, false, "compare: left %zu missing on the right, %zu newer, %zu differ; "
		   "right %zu missing on the left, %zu newer, %zu differ (tagged)",
		   c[APP_LOCAL][PLAN_MARK_MISSING], c[APP_LOCAL][PLAN_MARK_NEWER],
		   c[APP_LOCAL][PLAN_MARK_DIFFERENT], c[APP_REMOTE][PLAN_MARK_MISSING],
		   c[APP_REMOTE][PLAN_MARK_NEWER], c[APP_REMOTE][PLAN_MARK_DIFFERENT]);
	size_t left = c[APP_LOCAL][PLAN_MARK_MISSING] + c[APP_LOCAL][PLAN_MARK_NEWER]
		+ c[APP_LOCAL][PLAN_MARK_DIFFERENT];
	size_t right = c[APP_REMOTE][PLAN_MARK_MISSING] + c[APP_REMOTE][PLAN_MARK_NEWER]
		+ c[APP_REMOTE][PLAN_MARK_DIFFERENT];
	app_status_short(a, "compare: %zu left, %zu right tagged\ncompare: %zu left, %zu right\n"
			 "compare: %zu L, %zu R", left, right, left, right, left, right);
}

/* Most plan lines the sync dialog shows. */
#define ACT_SYNC_SHOWN 12

/* True when path is below the directory dir (both relative). */
static bool act_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return dir[0] != '\0' && strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Queues the plan's copies and deletes on the other side of from;
 * returns how many were queued. A new directory is copied as a whole
 * (the copy makes it), so what the plan lists in it is not queued again;
 * likewise what is in a directory deleted. */
static size_t act_sync_run(struct app *a, enum app_side from, struct plan_tree *dst,
			   const struct plan *p)
{
	enum app_side to = from == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	const char *whole = "";   /* the directory copied or deleted as a whole */
	size_t queued = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct plan_action *pa = &p->v[i];
		if (pa->verb == PLAN_SKIP || act_below(pa->path, whole))
			continue;
		if (pa->kind == PLAN_DIR)
			whole = pa->path;
		if (pa->verb == PLAN_DELETE) {
			queued += side_delete(a, to, pa->path, pa->kind == PLAN_DIR);
			continue;
		}
		const struct plan_entry *old = plan_tree_find(dst, pa->path);
		struct act_item it = { .name = pa->path, .display = pa->path,
				       .type = pa->kind == PLAN_DIR ? FTP_ENTRY_DIR : FTP_ENTRY_FILE,
				       .size = pa->size, .mtime = pa->mtime };
		if (act_queue_from(a, from, &it, pa->path, QUEUE_MODE_NEW,
				   old != NULL && old->kind == PLAN_FILE ? old->size : -1) != 0)
			queued++;
	}
	return queued;
}

/* Ctrl-X s: reads the whole tree below both folders in the background
 * (Esc cancels); the plan is shown when both are read (act_sync_dialog). */
static void act_synchronize(struct app *a)
{
	struct app_syncplan *sp = &a->syncplan;

	if (!a->connected) {
		app_status(a, true, "synchronize needs both folders: connect first (F2)");
		return;
	}
	side_scan_drop(a, NULL);
	sp->from = a->active;
	for (int s = 0; s < APP_SIDES; s++) {
		plan_tree_init(&sp->t[s]);
		if (!side_scan(a, (enum app_side)s)) {
			side_scan_drop(a, NULL);
			return;
		}
		sp->reading |= 1u << s;
	}
	app_status(a, false, "synchronize: reading both folders... (Esc cancels)");
}

/* Shows the plan that makes the other side match sp->from (deletes off
 * until d turns them on) and runs it through the queue. */
static void act_sync_dialog(struct app *a)
{
	struct app_syncplan *sp = &a->syncplan;
	enum app_side from = sp->from, to = from == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	struct plan_options o = { .compare = PLAN_CMP_SIZE_TIME };
	char head[256], totals[256], more[64], keys_line[160];
	char shown[ACT_SYNC_SHOWN][PANE_PATH_MAX / 8];
	const char *lines[ACT_SYNC_SHOWN + 8];

	sp->ready = false;
	for (;;) {
		struct plan p;
		size_t n = 0, k = 0;
		char bytes[32];
		plan_build(&sp->t[from], &sp->t[to], &o, &p);
		human_size(p.bytes, bytes, sizeof bytes);
		snprintf(head, sizeof head, "Make the %s folder (and below) match the %s one:",
			 to == APP_REMOTE ? "right" : "left", from == APP_LOCAL ? "left" : "right");
		snprintf(totals, sizeof totals,
			 "%zu to copy, %zu to replace (%s), %zu to delete, %zu skipped",
			 p.copies, p.replaces, bytes, p.deletes, p.skips);
		lines[n++] = head;
		lines[n++] = totals;
		lines[n++] = "";
		for (size_t i = 0; i < p.n; i++) {
			const struct plan_action *pa = &p.v[i];
			if (i < ACT_SYNC_SHOWN) {
				char raw[sizeof shown[0]];
				snprintf(raw, sizeof raw, "%s %s%s (%s)", plan_verb_name(pa->verb), pa->path,
					 pa->kind == PLAN_DIR ? "/" : "", pa->reason);
				sanitize_text(raw, strlen(raw), shown[i], sizeof shown[i]);
				lines[n++] = shown[i];
			}
			if (pa->verb != PLAN_SKIP)
				k++;
		}
		if (p.n > ACT_SYNC_SHOWN) {
			snprintf(more, sizeof more, "... and %zu more", p.n - ACT_SYNC_SHOWN);
			lines[n++] = more;
		}
		if (k == 0)
			lines[n++] = "nothing to do";
		lines[n++] = "";
		snprintf(keys_line, sizeof keys_line, "y or Enter = run it through the queue, d = deletes %s, "
			 "n = cancel", o.delete ? "on (d turns them off)" : "off (d turns them on)");
		lines[n++] = keys_line;
		lines[n] = NULL;
		int c = dialog_choose(a, lines, "ydn", 0);
		if (c == 1) {
			o.delete = !o.delete;
			plan_free(&p);
			continue;
		}
		/* Run into the local folder, it also removes the stale
		 * temporaries of files the server no longer has, as mirror
		 * does (never one a running download holds locked). */
		if (c == 0 && to == APP_LOCAL)
			sync_clear_orphans(pane_path(a->pane[APP_LOCAL]), &sp->t[APP_REMOTE]);
		if (c == 0 && k > 0) {
			size_t queued = act_sync_run(a, from, &sp->t[to], &p);
			app_status_about(a, APP_TOPIC_QUEUE, false, "synchronize: %zu queued", queued);
		} else {
			app_status(a, false, k == 0 ? "synchronize: nothing to do" : "nothing synchronized");
		}
		plan_free(&p);
		side_scan_drop(a, NULL);
		return;
	}
}

static void act_retry(struct app *a)
{
	size_t n = queue_retry_failed(a->queue), stale = queue_stale(a->queue);
	if (n == 0 && stale > 0) {
		app_status(a, false, "%zu failed transfer(s) were for the server connected "
			   "before: not retried on this one", stale);
		app_status_short(a, "%zu failed for the server before: not retried\n"
				 "%zu not retried: another server\n%zu not retried", stale, stale, stale);
		return;
	}
	if (n == 0) {
		app_status(a, false, "no failed transfer to retry");
		return;
	}
	app_status_about(a, APP_TOPIC_QUEUE, false, "%zu failed transfer(s) queued again", n);
	app_status_short(a, "%zu failed queued again\n%zu queued again", n, n);
	app_pump(a);
}

static void act_clear_done(struct app *a)
{
	queue_prune(a->queue, 0, true);
	app_status(a, false, "finished transfers cleared");
}

static void act_xfer_size(struct app *a)
{
	a->xfer_big = !a->xfer_big;
}

/* P: how many copies run at once. Fewer: the running ones finish first;
 * more: queued ones start at once, each on a transfer worker of its own. */
static void act_parallel(struct app *a)
{
	char text[16];
	snprintf(text, sizeof text, "%u", queue_parallel(a->queue));
	if (!dialog_input(a, "Transfers at once (1 to 8):", text, sizeof text, false, true))
		return;
	int n = queue_parse_parallel(text);
	if (n < 0) {
		app_status(a, true, "transfers at once: give a number from 1 to %d",
			   QUEUE_PARALLEL_MAX);
		app_status_short(a, "give a number from 1 to %d\nfrom 1 to %d", QUEUE_PARALLEL_MAX,
				 QUEUE_PARALLEL_MAX);
		return;
	}
	queue_set_parallel(a->queue, (unsigned)n);
	app_status(a, false, "%d transfer(s) at once", n);
	app_pump(a);
}

/* The quit question as the queue stands: transfers end while it is open,
 * and once none is left it no longer speaks of stopping them. */
static void act_quit_question(struct app *a, char *q, size_t qsz)
{
	size_t n = queue_active(a->queue);
	if (n > 0)
		snprintf(q, qsz, "%zu transfer(s) not finished. Quit and stop them?", n);
	else
		snprintf(q, qsz, "The transfers have finished. Quit?");
}

static void act_quit(struct app *a)
{
	if (queue_active(a->queue) > 0 && !dialog_yesno_live(a, act_quit_question))
		return;
	a->quit = true;
}

/* The handler of each action. */
static void (*const act_table[ACT_COUNT])(struct app *a) = {
	[ACT_UP] = act_up, [ACT_DOWN] = act_down, [ACT_PGUP] = act_pgup,
	[ACT_PGDN] = act_pgdn, [ACT_HOME] = act_home, [ACT_END] = act_end,
	[ACT_OPEN] = act_open, [ACT_PARENT] = act_parent, [ACT_SWITCH] = act_switch,
	[ACT_TAG] = act_tag, [ACT_TAG_PATTERN] = act_tag_pattern,
	[ACT_UNTAG_PATTERN] = act_untag_pattern, [ACT_TAG_INVERT] = act_tag_invert,
	[ACT_FILTER] = act_filter, [ACT_SORT] = act_sort, [ACT_REVERSE] = act_reverse,
	[ACT_HIDDEN] = act_hidden, [ACT_ESCAPE] = act_escape, [ACT_REFRESH] = act_refresh,
	[ACT_COPY] = act_copy, [ACT_RENAME] = act_rename, [ACT_MKDIR] = act_mkdir,
	[ACT_DELETE] = act_delete, [ACT_CONNECT] = sitemgr_run, [ACT_SECURITY] = act_security,
	[ACT_INFO] = act_info, [ACT_GOTO] = act_goto, [ACT_FIND] = navigate_find,
	[ACT_SYNC] = navigate_sync, [ACT_MOUSE] = mouse_act, [ACT_LOG] = act_log, [ACT_MENU] = menu_run, [ACT_VIEW] = viewedit_view, [ACT_EDIT] = viewedit_edit,
	[ACT_XFER_PREV] = act_xfer_prev, [ACT_XFER_NEXT] = act_xfer_next,
	[ACT_CANCEL] = act_cancel, [ACT_CANCEL_FOLDER] = act_cancel_folder,
	[ACT_CANCEL_ALL] = act_cancel_all, [ACT_RETRY] = act_retry,
	[ACT_CLEAR_DONE] = act_clear_done, [ACT_XFER_SIZE] = act_xfer_size,
	[ACT_HELP] = act_help, [ACT_QUIT] = act_quit, [ACT_COMPARE] = act_compare,
	[ACT_SYNCHRONIZE] = act_synchronize, [ACT_PARALLEL] = act_parallel,
};

/* True (saying so) when act works on entries of a pane that is opening
 * another folder: the entries shown are those of the folder left, not
 * the ones keys typed ahead are meant for. A copy also needs its target
 * pane settled, whose folder is where the copy goes. */
static bool act_unsettled(struct app *a, enum keys_action act)
{
	enum app_side side = a->active;
	switch (act) {
	case ACT_COPY:
		if (!side_opening(a, side))
			side = act_other(a);
		break;
	case ACT_RENAME: case ACT_DELETE: case ACT_VIEW: case ACT_EDIT: case ACT_INFO:
		break;
	default:
		return false;
	}
	if (!side_opening(a, side))
		return false;
	app_status(a, true, "the %s pane is still opening a folder: wait for its listing "
		   "(Esc cancels it)", side == APP_LOCAL ? "local" : "remote");
	return true;
}

void actions_run(struct app *a, enum keys_action act)
{
	if (act > ACT_NONE && act < ACT_COUNT && act_table[act] != NULL &&
	    !act_unsettled(a, act))
		act_table[act](a);
}
