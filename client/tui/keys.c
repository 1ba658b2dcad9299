/* keys: the binding table (see keys.h) and the dispatch of actions to
 * their handlers (actions.c). Curses key codes are spelt here as numbers
 * through keys_curses.h so the table stays free of the curses header. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "app.h"
#include "keys.h"
#include "keys_curses.h"
#include "actions.h"

/* Every binding. The help screen prints them in this order. */
static const struct keys_binding keys_bindings[] = {
	{ { KC_UP, 'k', 0 }, "Up, k", NULL, ACT_UP, "move up one entry" },
	{ { KC_DOWN, 'j', 0 }, "Down, j", NULL, ACT_DOWN, "move down one entry" },
	{ { KC_PPAGE, 0 }, "PgUp", NULL, ACT_PGUP, "move up one page" },
	{ { KC_NPAGE, 0 }, "PgDn", NULL, ACT_PGDN, "move down one page" },
	{ { KC_HOME, 0 }, "Home", NULL, ACT_HOME, "go to the first entry" },
	{ { KC_END, 0 }, "End", NULL, ACT_END, "go to the last entry" },
	{ { KEYS_ENTER, '\r', KC_ENTER, 0 }, "Enter", NULL, ACT_OPEN, "open the directory under the cursor" },
	{ { KC_BACKSPACE, KEYS_DEL_ASCII, 8, 0 }, "Backspace", NULL, ACT_PARENT, "go to the parent directory" },
	{ { KEYS_TAB, 0 }, "Tab", NULL, ACT_SWITCH, "switch to the other pane" },
	{ { ' ', KC_IC, 0 }, "Space, Insert", NULL, ACT_TAG, "tag or untag the entry and move down" },
	{ { '+', 0 }, "+", NULL, ACT_TAG_PATTERN, "tag the entries matching a pattern (* ? [...])" },
	{ { '-', 0 }, "-", NULL, ACT_UNTAG_PATTERN, "untag the entries matching a pattern" },
	{ { '*', 0 }, "*", NULL, ACT_TAG_INVERT, "invert the tags" },
	{ { '/', 0 }, "/", "filter", ACT_FILTER, "filter by part of a name (Enter keeps it, Esc clears it)" },
	{ { KEYS_ESC, 0 }, "Esc", NULL, ACT_ESCAPE, "cancel a connection being opened or a pane's loading, else clear the filter" },
	{ { 's', 0 }, "s", "sort", ACT_SORT, "cycle the sort order: name, extension, size, date" },
	{ { 'S', 0 }, "S", NULL, ACT_REVERSE, "reverse the sort order" },
	{ { '.', 0 }, ".", NULL, ACT_HIDDEN, "show or hide hidden files" },
	{ { KEYS_CTRL('r'), 0 }, "Ctrl-R", NULL, ACT_REFRESH, "reload both panes" },
	{ { 'f', KEYS_ALT + '?', 0 }, "f, Alt-?", NULL, ACT_FIND, "find names matching a pattern below the active pane's folder (in the background; Esc cancels; the matches fill the pane: tag, open, view, copy them; Backspace leaves)" },
	{ { KEYS_CTRL_X + 'd', 0 }, "Ctrl-X d", NULL, ACT_COMPARE, "compare the two folders: tag on each side what the other lacks, what is newer there, and what differs in size or kind" },
	{ { KEYS_CTRL_X + 's', 0 }, "Ctrl-X s", NULL, ACT_SYNCHRONIZE, "synchronize: show the plan that makes the other folder and everything below it match this one (copy, replace; delete only after d), y runs it through the queue" },
	{ { '=', 0 }, "=", NULL, ACT_SYNC, "synchronized browsing on or off: entering or leaving a folder does the same on the other side" },
	{ { 'g', KEYS_ALT + 'c', 0 }, "g, Alt-c", NULL, ACT_GOTO, "go to a folder typed for the active pane (Tab completes from the listing; ~ is home locally)" },
	{ { KC_F(3), 0 }, "F3", "view", ACT_VIEW, "view the file under the cursor ($PAGER for text when set, else the built-in viewer: / searches, n finds the next, long lines wrap, w or F2 cuts them and Left, Right scroll sideways; a binary file as hex); a remote file is fetched first" },
	{ { KC_F(4), 0 }, "F4", "edit", ACT_EDIT, "edit the file under the cursor with $VISUAL or $EDITOR (vi); a remote file is fetched, and uploaded back when changed (asking when the server's copy changed meanwhile)" },
	{ { KC_F(5), 0 }, "F5", "copy", ACT_COPY, "copy the tagged or current entries to the other pane" },
	{ { KC_F(6), 0 }, "F6", "rename", ACT_RENAME, "rename the entry under the cursor (asks before replacing); with tags, move them into a folder" },
	{ { KC_F(7), 0 }, "F7", "mkdir", ACT_MKDIR, "make a directory" },
	{ { KC_F(8), KC_DC, 0 }, "F8, Delete", "delete", ACT_DELETE, "delete the tagged or current entries (asks first; runs in the background)" },
	{ { KC_F(2), 0 }, "F2", "sites", ACT_CONNECT, "the site manager: saved sites and recent hosts (connect, add, edit, delete) and a new connection" },
	{ { 'i', 0 }, "i", NULL, ACT_INFO, "file info: every fact the side gives of the entry (MLST facts, STAT, permissions, owner, link target, exact size and time)" },
	{ { 'I', 0 }, "I", NULL, ACT_SECURITY, "show the connection's security: TLS version and the server's certificate" },
	{ { '[', 0 }, "[", NULL, ACT_XFER_PREV, "select the previous transfer" },
	{ { ']', 0 }, "]", NULL, ACT_XFER_NEXT, "select the next transfer" },
	{ { 'x', 0 }, "x", "cancel", ACT_CANCEL, "cancel the selected transfer" },
	{ { 'X', 0 }, "X", NULL, ACT_CANCEL_FOLDER, "cancel the selected transfer's whole folder copy" },
	{ { KEYS_CTRL_X + 'x', KEYS_CTRL_X + KEYS_CTRL('x'), 0 }, "Ctrl-X x", NULL, ACT_CANCEL_ALL, "cancel every unfinished transfer (asks first; also Ctrl-X Ctrl-X)" },
	{ { 'r', 0 }, "r", "retry", ACT_RETRY, "retry the failed transfers" },
	{ { 'c', 0 }, "c", NULL, ACT_CLEAR_DONE, "clear the finished transfers from the panel" },
	{ { 't', 0 }, "t", NULL, ACT_XFER_SIZE, "enlarge or shrink the transfer panel" },
	{ { 'P', 0 }, "P", NULL, ACT_PARALLEL, "set how many transfers run at once, each over its own connection (1 to 8, default 2 or --parallel)" },
	{ { 'L', 0 }, "L", NULL, ACT_LOG, "the log: the protocol trace of this session (every worker's commands and replies, passwords masked; / searches, w or F2 cuts long lines or wraps them)" },
	{ { KC_F(9), 0 }, "F9", "menu", ACT_MENU, "the menu: every action, to pick one (file info, view, find, the log...)" },
	{ { KC_MOUSE, 0 }, "Mouse", NULL, ACT_MOUSE, "click: that pane and entry; double-click: open; wheel: move; click a key on the bottom line: do it" },
	{ { '?', KC_F(1), 0 }, "?, F1", "help", ACT_HELP, "show this help" },
	{ { KC_F(10), 'q', KEYS_CTRL('c'), 0 }, "F10, q, Ctrl-C", "quit", ACT_QUIT, "quit (asks when transfers are running)" },
};

const struct keys_binding *keys_table(size_t *n)
{
	*n = sizeof keys_bindings / sizeof keys_bindings[0];
	return keys_bindings;
}

/* The actions' names in the keys file. */
static const char *const keys_action_names[ACT_COUNT] = {
	[ACT_UP] = "up", [ACT_DOWN] = "down", [ACT_PGUP] = "page-up", [ACT_PGDN] = "page-down",
	[ACT_HOME] = "home", [ACT_END] = "end", [ACT_OPEN] = "open", [ACT_PARENT] = "parent",
	[ACT_SWITCH] = "switch", [ACT_TAG] = "tag", [ACT_TAG_PATTERN] = "tag-pattern",
	[ACT_UNTAG_PATTERN] = "untag-pattern", [ACT_TAG_INVERT] = "tag-invert",
	[ACT_FILTER] = "filter", [ACT_SORT] = "sort", [ACT_REVERSE] = "reverse",
	[ACT_HIDDEN] = "hidden", [ACT_ESCAPE] = "escape", [ACT_REFRESH] = "refresh",
	[ACT_COPY] = "copy", [ACT_RENAME] = "rename", [ACT_MKDIR] = "mkdir",
	[ACT_DELETE] = "delete", [ACT_CONNECT] = "sites", [ACT_SECURITY] = "security",
	[ACT_INFO] = "info", [ACT_VIEW] = "view", [ACT_EDIT] = "edit", [ACT_GOTO] = "goto",
	[ACT_FIND] = "find", [ACT_SYNC] = "sync", [ACT_LOG] = "log", [ACT_MENU] = "menu",
	[ACT_XFER_PREV] = "transfer-previous", [ACT_XFER_NEXT] = "transfer-next",
	[ACT_CANCEL] = "cancel", [ACT_CANCEL_FOLDER] = "cancel-folder",
	[ACT_CANCEL_ALL] = "cancel-all", [ACT_RETRY] = "retry", [ACT_CLEAR_DONE] = "clear",
	[ACT_XFER_SIZE] = "transfer-panel", [ACT_HELP] = "help", [ACT_QUIT] = "quit",
	[ACT_COMPARE] = "compare", [ACT_SYNCHRONIZE] = "synchronize",
	[ACT_PARALLEL] = "parallel",
};

/* Most bindings the keys file may make. */
#define KEYS_USER_MAX 128

/* The keys file's bindings. */
static int keys_user_key[KEYS_USER_MAX];
static enum keys_action keys_user_act[KEYS_USER_MAX];
static size_t keys_user_n;

bool keys_bind(int key, enum keys_action act)
{
	for (size_t i = 0; i < keys_user_n; i++)
		if (keys_user_key[i] == key) {
			keys_user_act[i] = act;
			return true;
		}
	if (keys_user_n == KEYS_USER_MAX)
		return false;
	keys_user_key[keys_user_n] = key;
	keys_user_act[keys_user_n++] = act;
	return true;
}

enum keys_action keys_action_by_name(const char *name)
{
	for (int i = 0; i < ACT_COUNT; i++)
		if (keys_action_names[i] != NULL && strcmp(keys_action_names[i], name) == 0)
			return (enum keys_action)i;
	return ACT_NONE;
}

const char *keys_action_name(enum keys_action act)
{
	return act > ACT_NONE && act < ACT_COUNT ? keys_action_names[act] : NULL;
}

const int *keys_user(size_t *n, const enum keys_action **acts)
{
	*n = keys_user_n;
	*acts = keys_user_act;
	return keys_user_key;
}

void keys_name(int key, char *out, size_t outsz)
{
	static const struct { int key; const char *name; } named[] = {
		{ KC_UP, "Up" }, { KC_DOWN, "Down" }, { KC_PPAGE, "PgUp" }, { KC_NPAGE, "PgDn" },
		{ KC_HOME, "Home" }, { KC_END, "End" }, { KC_IC, "Insert" }, { KC_DC, "Delete" },
		{ KEYS_ENTER, "Enter" }, { KEYS_TAB, "Tab" }, { KEYS_ESC, "Esc" },
		{ KC_BACKSPACE, "Backspace" }, { ' ', "Space" },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			snprintf(out, outsz, "%s", named[i].name);
			return;
		}
	for (int f = 1; f <= 12; f++)
		if (key == KC_F(f)) {
			snprintf(out, outsz, "F%d", f);
			return;
		}
	if (key >= KEYS_CTRL_X && key < KEYS_CTRL_X + 0x110000) {
		char next[32];
		keys_name(key - KEYS_CTRL_X, next, sizeof next);
		snprintf(out, outsz, "Ctrl-X %s", next);
		return;
	}
	if (key > 0 && key < 32) {
		snprintf(out, outsz, "Ctrl-%c", 'A' + key - 1);
		return;
	}
	bool alt = key >= KEYS_ALT && key < KEYS_ALT + 0x110000;
	wchar_t wc = (wchar_t)(alt ? key - KEYS_ALT : key);
	char mb[8] = "?";
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t k = wcrtomb(mb, wc, &st);
	mb[k == (size_t)-1 ? 1 : k] = '\0';
	snprintf(out, outsz, "%s%s", alt ? "Alt-" : "", mb);
}

enum keys_action keys_lookup(int key)
{
	for (size_t i = 0; i < keys_user_n; i++)
		if (keys_user_key[i] == key)
			return keys_user_act[i];
	for (size_t i = 0; i < sizeof keys_bindings / sizeof keys_bindings[0]; i++)
		for (size_t k = 0; k < KEYS_PER_BINDING && keys_bindings[i].keys[k] != 0; k++)
			if (keys_bindings[i].keys[k] == key)
				return keys_bindings[i].action;
	return ACT_NONE;
}

void keys_dispatch(struct app *a, int key)
{
	enum keys_action act = keys_lookup(key);
	if (act == ACT_NONE && key == KEYS_CTRL('x')) {
		/* mc's prefix: the next key says what. */
		app_status(a, false, "Ctrl-X: d compare folders, s synchronize, x cancel all transfers");
		act = keys_lookup(KEYS_CTRL_X + app_wait_key(a));
		app_status(a, false, "%s", "");
	}
	if (act != ACT_NONE)
		actions_run(a, act);
}
