/* keys: the TUI's key bindings as one table: keys -> action -> help
 * text. The help screen and the hint line are drawn from it. Key codes
 * are characters as typed, or curses function-key codes with KEYS_FN
 * added so the two never collide. No curses header here. */
#ifndef FERRY_TUI_KEYS_H
#define FERRY_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Added to a curses KEY_* code to make a key code. */
#define KEYS_FN 0x1000000
/* Most keys one binding lists. */
#define KEYS_PER_BINDING 4
/* Added to a character typed with Alt (Esc before it) to make a key code. */
#define KEYS_ALT 0x2000000
/* Added to the key typed after Ctrl-X (mc's prefix) to make a key code. */
#define KEYS_CTRL_X 0x4000000
/* A Ctrl-letter key code. */
#define KEYS_CTRL(c) ((c) & 0x1f)
/* Escape, Enter, Tab, Backspace as typed. */
#define KEYS_ESC 27
#define KEYS_ENTER '\n'
#define KEYS_TAB '\t'
#define KEYS_DEL_ASCII 127

/* What a key does. */
enum keys_action {
	ACT_NONE = 0, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
	ACT_OPEN, ACT_PARENT, ACT_SWITCH, ACT_TAG, ACT_TAG_PATTERN, ACT_UNTAG_PATTERN,
	ACT_TAG_INVERT, ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_HIDDEN, ACT_ESCAPE, ACT_REFRESH,
	ACT_COPY, ACT_RENAME, ACT_MKDIR, ACT_DELETE, ACT_CONNECT, ACT_SECURITY, ACT_INFO, ACT_VIEW, ACT_EDIT, ACT_GOTO, ACT_FIND, ACT_SYNC, ACT_MOUSE, ACT_LOG, ACT_MENU,
	ACT_XFER_PREV, ACT_XFER_NEXT, ACT_CANCEL, ACT_CANCEL_FOLDER, ACT_CANCEL_ALL, ACT_RETRY,
	ACT_CLEAR_DONE, ACT_XFER_SIZE, ACT_HELP, ACT_QUIT, ACT_COMPARE, ACT_SYNCHRONIZE,
	ACT_PARALLEL, ACT_COUNT,
};

/* One binding. */
struct keys_binding {
	int keys[KEYS_PER_BINDING];  /* key codes, 0-terminated when fewer */
	const char *names;           /* the keys as people write them ("F5") */
	const char *hint;            /* one word for the hint line, NULL = not shown there */
	enum keys_action action;     /* what it does */
	const char *help;            /* one line for the help screen and the manual */
};

/* The bindings, in help-screen order; *n is set to their number. Static. */
const struct keys_binding *keys_table(size_t *n);
/* The action a key code is bound to (the keys file's binding first,
 * keysfile.h), or ACT_NONE. */
enum keys_action keys_lookup(int key);
/* Binds key to act (ACT_NONE: unbinds it) above the built-in table;
 * false when no more bindings fit. */
bool keys_bind(int key, enum keys_action act);
/* The action called name in the keys file ("copy", "goto"...), or ACT_NONE. */
enum keys_action keys_action_by_name(const char *name);
/* An action's name in the keys file, or NULL for one that cannot be bound. */
const char *keys_action_name(enum keys_action act);
/* The keys file's bindings: *n of them, key codes and actions. */
const int *keys_user(size_t *n, const enum keys_action **acts);
/* The name of a key code as the help screen writes it, into out. */
void keys_name(int key, char *out, size_t outsz);

#endif
