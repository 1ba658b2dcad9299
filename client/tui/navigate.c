/* navigate: find and synchronized browsing (see navigate.h). A find is a
 * listing of the pane's browser (side_find), so it runs in the background,
 * Esc cancels it and its matches are a pane's entries: tagged, opened,
 * viewed or copied as any others. Synchronized browsing follows the
 * active pane by name: the other side enters a folder of the same name
 * when it lists one, and goes up when the active one does. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dialog.h"
#include "navigate.h"
#include "path.h"
#include "sbuf.h"

/* Longest find pattern, in bytes. */
#define NAV_PATTERN_MAX 256

void navigate_find(struct app *a)
{
	enum app_side side = a->active;
	char pattern[NAV_PATTERN_MAX] = "*", prompt[PANE_PATH_MAX + 64];
	if (side == APP_REMOTE && !a->connected) {
		app_status_offline(a, true);
		return;
	}
	snprintf(prompt, sizeof prompt, "Find names matching (* ? [...]) below %.*s:",
		 (int)sizeof prompt - 48, pane_path(a->pane[side]));
	if (!dialog_input(a, prompt, pattern, sizeof pattern, false, true) || pattern[0] == '\0')
		return;
	if (side_find(a, side, pattern))
		app_status(a, false, "finding %s... (Esc cancels)", pattern);
}

void navigate_sync(struct app *a)
{
	a->sync = !a->sync;
	app_status(a, false, "synchronized browsing %s", a->sync ? "on" : "off");
}

/* Enters the folder name on side (the side not active), when it has one. */
static void nav_follow(struct app *a, enum app_side side, const char *name, const char *shown)
{
	struct pane *p = a->pane[side];
	const struct pane_entry *e = pane_find(p, name);
	if (side == APP_REMOTE && !a->connected)
		return;
	if (e == NULL || e->type != FTP_ENTRY_DIR) {
		app_status(a, false, "synchronized browsing: no folder %s on the other side", shown);
		return;
	}
	struct sbuf path;
	sbuf_init(&path, PATH_LEN_MAX);
	if (path_join(&path, pane_path(p), name))
		side_load(a, side, sbuf_str(&path), NULL);
	sbuf_free(&path);
}

void navigate_enter(struct app *a)
{
	enum app_side side = a->active, other = side == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	const struct pane_entry *e = pane_current(a->pane[side]);
	char name[PANE_PATH_MAX], shown[PANE_PATH_MAX];
	bool follow = a->sync && e != NULL && a->find[side] == NULL &&
		      (e->type == FTP_ENTRY_DIR || strcmp(e->name, PANE_PARENT) == 0);
	if (follow) {
		snprintf(name, sizeof name, "%s", e->name);
		snprintf(shown, sizeof shown, "%s", e->display);
	}
	side_enter(a, side);
	if (!follow)
		return;
	if (strcmp(name, PANE_PARENT) == 0)
		side_up(a, other);
	else
		nav_follow(a, other, name, shown);
}

void navigate_up(struct app *a)
{
	enum app_side side = a->active, other = side == APP_LOCAL ? APP_REMOTE : APP_LOCAL;
	bool follow = a->sync && a->find[side] == NULL &&
		      (other == APP_LOCAL || a->connected);
	side_up(a, side);
	if (follow)
		side_up(a, other);
}
