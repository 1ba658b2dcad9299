/* keysfile: the user's key bindings (see keysfile.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "keys.h"
#include "keys_curses.h"
#include "keysfile.h"
#include "userfile.h"

/* Largest keys file read, in bytes. */
#define KEYSFILE_MAX (64 * 1024)

/* Keys with names. */
static const struct {
	const char *name;
	int key;
} keysfile_names[] = {
	{ "Up", KC_UP }, { "Down", KC_DOWN }, { "Left", KC_LEFT }, { "Right", KC_RIGHT },
	{ "PgUp", KC_PPAGE }, { "PgDn", KC_NPAGE }, { "Home", KC_HOME }, { "End", KC_END },
	{ "Insert", KC_IC }, { "Delete", KC_DC }, { "Enter", KEYS_ENTER }, { "Tab", KEYS_TAB },
	{ "Esc", KEYS_ESC }, { "Backspace", KC_BACKSPACE }, { "Space", ' ' },
};

/* The vi preset. */
static const struct {
	const char *key, *action;
} keysfile_vi[] = {
	{ "h", "parent" }, { "l", "open" }, { "j", "down" }, { "k", "up" }, { "G", "end" },
	{ "0", "home" }, { "Ctrl-F", "page-down" }, { "Ctrl-B", "page-up" },
	{ "Ctrl-D", "page-down" }, { "Ctrl-U", "page-up" }, { ":", "goto" },
};

int keysfile_key(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof keysfile_names / sizeof keysfile_names[0]; i++)
		if (strcasecmp(name, keysfile_names[i].name) == 0)
			return keysfile_names[i].key;
	if ((name[0] == 'F' || name[0] == 'f') && n >= 2 && n <= 3 && isdigit((unsigned char)name[1])) {
		int k = atoi(name + 1);
		if (k >= 1 && k <= 12 && (n == 2 || isdigit((unsigned char)name[2])))
			return KC_F(k);
	}
	if (strncasecmp(name, "Ctrl-", 5) == 0 && n == 6 && isalpha((unsigned char)name[5]))
		return KEYS_CTRL(tolower((unsigned char)name[5]));
	/* One character, alone or after Alt-. */
	const char *c = strncasecmp(name, "Alt-", 4) == 0 ? name + 4 : name;
	wchar_t wc;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t k = mbrtowc(&wc, c, strlen(c), &st);
	if (k == 0 || k == (size_t)-1 || k == (size_t)-2 || c[k] != '\0' || wc <= ' ')
		return 0;
	return (c != name ? KEYS_ALT : 0) + (int)wc;
}

/* Binds key (a name) to action (a name); NULL or what is wrong. */
static const char *keysfile_bind(const char *key, const char *action)
{
	int k = keysfile_key(key);
	if (k == 0)
		return "unknown key";
	enum keys_action act = ACT_NONE;
	if (strcmp(action, "none") != 0 && (act = keys_action_by_name(action)) == ACT_NONE)
		return "unknown action (see ferry(1), KEYS FILE)";
	return keys_bind(k, act) ? NULL : "too many bindings";
}

/* Reads one line. */
static const char *keysfile_line(char *line)
{
	char *words[3];
	int n = 0;
	for (char *tok = strtok(line, " \t\r"); tok != NULL && n < 3; tok = strtok(NULL, " \t\r"))
		words[n++] = tok;
	if (n == 0 || words[0][0] == '#')
		return NULL;
	if (n != 2)
		return "a line is KEY ACTION, preset vi, or a comment";
	if (strcmp(words[0], "preset") == 0) {
		if (strcmp(words[1], "vi") != 0)
			return "the preset is vi";
		for (size_t i = 0; i < sizeof keysfile_vi / sizeof keysfile_vi[0]; i++)
			keysfile_bind(keysfile_vi[i].key, keysfile_vi[i].action);
		return NULL;
	}
	return keysfile_bind(words[0], words[1]);
}

/* keysfile_line as a userfile_line_fn. */
static const char *keysfile_take(void *arg, char *line)
{
	(void)arg;
	return keysfile_line(line);
}

const char *keysfile_load(char *err, size_t errsz)
{
	return userfile_lines("XDG_CONFIG_HOME", ".config", "keys", KEYSFILE_MAX, keysfile_take,
			      NULL, err, errsz);
}
