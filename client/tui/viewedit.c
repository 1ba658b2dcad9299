/* viewedit: F3 and F4 (see viewedit.h). The steps of a remote file are a
 * small state machine kept in a->ve: each step starts from an event the
 * loop already has (a job's end, a listing's arrival) and anything that
 * needs the terminal or a dialog runs from viewedit_pending, when no
 * other dialog is open. */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dialog.h"
#include "draw.h"
#include "path.h"
#include "sanitize.h"
#include "sbuf.h"
#include "viewedit.h"
#include "viewer.h"
#include "xalloc.h"

/* Where a remote file being viewed or edited is. */
enum ve_step {
	VE_FETCHING,   /* the download runs */
	VE_READY,      /* downloaded: the viewer or editor is to run */
	VE_CHECKING,   /* edited: the remote folder is listed again to compare */
	VE_ASK,        /* the remote file changed meanwhile: to ask */
	VE_UPLOADING,  /* the upload runs */
};

struct viewedit {
	bool edit;                   /* F4, not F3 */
	enum ve_step step;
	unsigned job;                /* the download or upload */
	char dir[PATH_LEN_MAX];      /* the private temporary folder */
	char tmp[PATH_LEN_MAX];      /* the copy in it */
	char remote[PATH_LEN_MAX];   /* the remote file (raw) */
	char rdir[PATH_LEN_MAX];     /* ...its folder */
	char name[PATH_LEN_MAX];     /* ...its name (raw) */
	char shown[PATH_LEN_MAX];    /* ...sanitised */
	off_t size;                  /* the remote file when it was opened */
	time_t mtime;
	struct timespec edited;      /* the copy's time before the editor ran */
	off_t edited_size;
};

/* Removes the temporary copy and forgets the file. */
static void ve_drop(struct app *a)
{
	struct viewedit *v = a->ve;
	if (v == NULL)
		return;
	if (v->tmp[0] != '\0')
		unlink(v->tmp);
	if (v->dir[0] != '\0')
		rmdir(v->dir);
	free(v);
	a->ve = NULL;
}

void viewedit_free(struct app *a)
{
	ve_drop(a);
}

/* Runs "$cmd path" through the shell on the terminal, curses put aside;
 * returns the exit status (-1 when it could not run). */
static int ve_run(const char *cmd, const char *path)
{
	def_prog_mode();
	endwin();
	int status = -1;
	pid_t pid = fork();
	if (pid == 0) {
		/* The screen ignores SIGPIPE; the program should not. */
		signal(SIGPIPE, SIG_DFL);
		char script[PATH_LEN_MAX];
		snprintf(script, sizeof script, "%s \"$1\"", cmd);
		execl("/bin/sh", "sh", "-c", script, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	draw_resize();
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The value of an environment variable, or NULL when unset or empty. */
static const char *ve_env(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Shows the file at path: the pager for text when $PAGER is set, else
 * the built-in viewer. */
static void ve_show(struct app *a, const char *path, const char *shown)
{
	const char *pager = ve_env("PAGER");
	if (pager != NULL) {
		if (ve_run(pager, path) != 0)
			app_status(a, true, "%s: the pager (%s) failed", shown, pager);
		return;
	}
	viewer_show(a, path, shown);
}

/* Runs the editor on path; false (status set) when it failed. */
static bool ve_editor(struct app *a, const char *path, const char *shown)
{
	const char *ed = ve_env("VISUAL");
	if (ed == NULL)
		ed = ve_env("EDITOR");
	if (ed == NULL)
		ed = "vi";
	int rc = ve_run(ed, path);
	if (rc != 0) {
		app_status(a, true, "%s: the editor (%s) exited with %d; nothing uploaded", shown, ed,
			   rc);
		return false;
	}
	return true;
}

/* The file under the cursor, when it is one F3 and F4 work on. */
static const struct pane_entry *ve_entry(struct app *a)
{
	const struct pane_entry *e = pane_current(a->pane[a->active]);
	if (e == NULL || strcmp(e->name, PANE_PARENT) == 0)
		return NULL;
	if (e->type == FTP_ENTRY_DIR) {
		app_status(a, false, "%s is a directory: Enter opens it", e->display);
		return NULL;
	}
	return e;
}

/* Starts the download of the remote file e for viewing or editing. */
static void ve_fetch(struct app *a, const struct pane_entry *e, bool edit)
{
	if (a->ve != NULL) {
		app_status(a, true, "%s is still open for %s: one file at a time", a->ve->shown,
			   a->ve->edit ? "editing" : "viewing");
		return;
	}
	if (!a->connected) {
		app_status(a, true, "not connected: press F2 to connect");
		return;
	}
	struct viewedit *v = xcalloc(1, sizeof *v);
	const char *tmpdir = ve_env("TMPDIR") ? ve_env("TMPDIR") : "/tmp";
	struct sbuf r, t;
	sbuf_init(&r, sizeof v->remote - 1);
	sbuf_init(&t, sizeof v->tmp - 1);
	snprintf(v->dir, sizeof v->dir, "%.*s/ferry-XXXXXX", (int)sizeof v->dir - 20, tmpdir);
	/* A find's match is named by its path: the copy takes its last part. */
	const char *base = path_last(e->name);
	bool fits = path_join(&r, pane_path(a->pane[APP_REMOTE]), e->name) &&
		    path_join(&t, v->dir, base);
	if (!fits || mkdtemp(v->dir) == NULL) {
		if (fits)
			app_status(a, true, "cannot make a temporary folder in %s: %s", tmpdir,
				   strerror(errno));
		else
			app_status(a, true, "%s: path too long", e->display);
		sbuf_free(&r);
		sbuf_free(&t);
		free(v);
		return;
	}
	/* mkdtemp filled in the X's: the copy's path again. */
	sbuf_reset(&t);
	path_join(&t, v->dir, base);
	memcpy(v->tmp, sbuf_str(&t), t.len + 1);
	memcpy(v->remote, sbuf_str(&r), r.len + 1);
	sbuf_free(&t);
	/* The folder the file is in, and its name there: what the check lists. */
	if (!path_parent(v->remote, v->rdir, sizeof v->rdir))
		snprintf(v->rdir, sizeof v->rdir, "/");
	snprintf(v->name, sizeof v->name, "%s", path_last(v->remote));
	snprintf(v->shown, sizeof v->shown, "%s", e->display);
	sbuf_free(&r);
	v->edit = edit;
	v->size = e->size;
	v->mtime = e->mtime;
	v->step = VE_FETCHING;
	v->job = queue_add(a->queue, QUEUE_DOWNLOAD, QUEUE_MODE_NEW, false, v->tmp, v->remote,
			   e->size);
	queue_set_dates(a->queue, v->job, e->mtime, -1, 0);
	a->ve = v;
	app_status_about(a, APP_TOPIC_QUEUE, false, "fetching %s to %s it (x cancels)", v->shown,
			 edit ? "edit" : "view");
	app_pump(a);
}

/* F3 (edit false) or F4 on the file under the cursor: a local one where
 * it is, a remote one fetched first. */
static void ve_open(struct app *a, bool edit)
{
	const struct pane_entry *e = ve_entry(a);
	if (e == NULL)
		return;
	if (a->active == APP_REMOTE) {
		ve_fetch(a, e, edit);
		return;
	}
	struct sbuf p;
	char shown[PATH_LEN_MAX];
	snprintf(shown, sizeof shown, "%s", e->display);
	sbuf_init(&p, PATH_LEN_MAX);
	if (!path_join(&p, pane_path(a->pane[APP_LOCAL]), e->name))
		app_status(a, true, "%s: path too long", shown);
	else if (!edit)
		ve_show(a, sbuf_str(&p), shown);
	else if (ve_editor(a, sbuf_str(&p), shown))
		side_load(a, APP_LOCAL, NULL, NULL);
	sbuf_free(&p);
}

void viewedit_view(struct app *a)
{
	ve_open(a, false);
}

void viewedit_edit(struct app *a)
{
	ve_open(a, true);
}

void viewedit_job_end(struct app *a, unsigned id, enum queue_state st, const char *why)
{
	struct viewedit *v = a->ve;
	if (v == NULL || v->job != id || (v->step != VE_FETCHING && v->step != VE_UPLOADING))
		return;
	if (st != QUEUE_DONE) {
		const char *said = why[0] ? why : queue_state_name(st);
		app_status(a, true, "%s: %.*s; %s", v->shown, app_clause_len(said), said,
			   v->step == VE_UPLOADING ? "your changes are lost" : "nothing opened");
		ve_drop(a);
		return;
	}
	if (v->step == VE_UPLOADING) {
		app_status(a, false, "%s saved to the server", v->shown);
		ve_drop(a);
		return;
	}
	v->step = VE_READY;
}

/* Queues the upload of the edited copy over the remote file. */
static void ve_upload(struct app *a)
{
	struct viewedit *v = a->ve;
	v->step = VE_UPLOADING;
	v->job = queue_add(a->queue, QUEUE_UPLOAD, QUEUE_MODE_NEW, false, v->tmp, v->remote,
			   v->edited_size);
	app_status_about(a, APP_TOPIC_QUEUE, false, "uploading %s", v->shown);
	app_pump(a);
}

void viewedit_listed(struct app *a)
{
	struct viewedit *v = a->ve;
	if (v == NULL || v->step != VE_CHECKING)
		return;
	/* A listing of another folder (the check was cancelled or failed):
	 * nothing tells the file did not change, so the user is asked. */
	if (strcmp(pane_path(a->pane[APP_REMOTE]), v->rdir) != 0) {
		v->step = VE_ASK;
		return;
	}
	const struct pane_entry *e = pane_find(a->pane[APP_REMOTE], v->name);
	if (e != NULL && e->size == v->size && e->mtime == v->mtime)
		ve_upload(a);
	else
		v->step = VE_ASK;
}

/* The editor on the downloaded copy; then the check, or nothing to do. */
static void ve_edit_copy(struct app *a)
{
	struct viewedit *v = a->ve;
	struct stat before, after;
	if (stat(v->tmp, &before) < 0) {
		app_status(a, true, "%s: %s", v->shown, strerror(errno));
		ve_drop(a);
		return;
	}
	if (!ve_editor(a, v->tmp, v->shown)) {
		ve_drop(a);
		return;
	}
	if (stat(v->tmp, &after) < 0 ||
	    (after.st_size == before.st_size && after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	     after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)) {
		app_status(a, false, "%s not changed: nothing uploaded", v->shown);
		ve_drop(a);
		return;
	}
	v->edited_size = after.st_size;
	v->step = VE_CHECKING;
	/* The folder listed again tells whether the file changed meanwhile. */
	if (!side_load(a, APP_REMOTE, v->rdir, v->name)) {
		app_status(a, true, "%s: cannot look at the server; nothing uploaded", v->shown);
		ve_drop(a);
	}
}

void viewedit_pending(struct app *a)
{
	struct viewedit *v = a->ve;
	if (v == NULL)
		return;
	if (v->step == VE_CHECKING && !side_loading(a, APP_REMOTE))
		viewedit_listed(a);   /* the check's listing was dropped or failed */
	if (v->step == VE_READY && !v->edit) {
		ve_show(a, v->tmp, v->shown);
		ve_drop(a);
	} else if (v->step == VE_READY) {
		ve_edit_copy(a);
	} else if (v->step == VE_ASK) {
		char q[PATH_LEN_MAX + 128];
		snprintf(q, sizeof q, "%s changed on the server since it was opened for editing "
			 "(or it could not be checked). Replace it with your version?", v->shown);
		if (dialog_yesno(a, q)) {
			ve_upload(a);
		} else {
			app_status(a, false, "%s on the server kept; your version was dropped",
				   v->shown);
			ve_drop(a);
		}
	}
}
