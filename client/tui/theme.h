/* theme: the screen's colours. Two built-in themes, "dark" (the default,
 * for dark backgrounds) and "light", and "mono" (no colours: bold,
 * underline and reverse video, as with NO_COLOR or a terminal without
 * colours), chosen and changed in $XDG_CONFIG_HOME/ferry/colors
 * (~/.config/ferry/colors):
 *
 *     theme = light
 *     dir = blue,default,bold      (ROLE = FOREGROUND[,BACKGROUND][,bold][,underline])
 *
 * Roles: dir, cursor, bar, error, tag, progress. Colours: default, black,
 * red, green, yellow, blue, magenta, cyan, white, or a number 0-255. '#'
 * comments. */
#ifndef FERRY_TUI_THEME_H
#define FERRY_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* What is coloured. */
enum theme_role {
	THEME_DIR,       /* directories */
	THEME_CURSOR,    /* the cursor row of the active pane */
	THEME_BAR,       /* the top line, key names, the active pane's heading */
	THEME_ERROR,     /* errors on the status line, failed transfers */
	THEME_TAG,       /* tagged entries */
	THEME_PROGRESS,  /* running transfers */
	THEME_ROLES,
};

/* One role's look. */
struct theme_look {
	short fg, bg;      /* curses colours; -1 the terminal's own */
	bool bold, underline;
};

/* A theme. */
struct theme {
	bool mono;                        /* no colours at all */
	struct theme_look look[THEME_ROLES];
};

/* Fills t with the dark theme, then what the colours file says. Returns
 * NULL, or an error ("colors line N: ...") after which t holds what the
 * lines before it said. */
const char *theme_load(struct theme *t, char *err, size_t errsz);

#endif
