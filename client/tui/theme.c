/* theme: the built-in themes and the colours file (see theme.h). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "theme.h"
#include "userfile.h"

/* Largest colours file read, in bytes. */
#define THEME_FILE_MAX (64 * 1024)

/* The curses colour numbers by name (COLOR_BLACK is 0 ... COLOR_WHITE 7). */
static const char *const theme_colours[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const char *const theme_roles[THEME_ROLES] = {
	[THEME_DIR] = "dir", [THEME_CURSOR] = "cursor", [THEME_BAR] = "bar",
	[THEME_ERROR] = "error", [THEME_TAG] = "tag", [THEME_PROGRESS] = "progress",
};

/* The built-in themes (colours: -1 default, 0 black ... 7 white). */
static const struct {
	const char *name;
	struct theme theme;
} theme_builtin[] = {
	{ "dark", { false, {
		[THEME_DIR] = { 4, -1, true, false }, [THEME_CURSOR] = { 0, 6, false, false },
		[THEME_BAR] = { 0, 7, false, false }, [THEME_ERROR] = { 1, -1, true, false },
		[THEME_TAG] = { 3, -1, true, false }, [THEME_PROGRESS] = { 2, -1, false, false } } } },
	{ "light", { false, {
		[THEME_DIR] = { 4, -1, true, false }, [THEME_CURSOR] = { 7, 4, true, false },
		[THEME_BAR] = { 7, 4, false, false }, [THEME_ERROR] = { 1, -1, true, false },
		[THEME_TAG] = { 5, -1, true, true }, [THEME_PROGRESS] = { 2, -1, true, false } } } },
	{ "mono", { true, { { -1, -1, false, false } } } },
};

/* A colour by name or number; -2 for neither. */
static short theme_colour(const char *s)
{
	if (strcasecmp(s, "default") == 0)
		return -1;
	for (size_t i = 0; i < sizeof theme_colours / sizeof theme_colours[0]; i++)
		if (strcasecmp(s, theme_colours[i]) == 0)
			return (short)i;
	char *end;
	long n = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && n >= 0 && n <= 255 ? (short)n : -2;
}

/* "FG[,BG][,bold][,underline]" into look. */
static const char *theme_look(struct theme_look *look, char *value)
{
	struct theme_look l = { -1, -1, false, false };
	int colours = 0;
	for (char *w = strtok(value, ", \t"); w != NULL; w = strtok(NULL, ", \t")) {
		short c;
		if (strcasecmp(w, "bold") == 0)
			l.bold = true;
		else if (strcasecmp(w, "underline") == 0)
			l.underline = true;
		else if ((c = theme_colour(w)) != -2 && colours < 2)
			*(colours++ == 0 ? &l.fg : &l.bg) = c;
		else
			return "a look is FOREGROUND[,BACKGROUND][,bold][,underline]";
	}
	*look = l;
	return NULL;
}

/* Reads one line into t. */
static const char *theme_line(struct theme *t, char *line)
{
	char *hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	char *eq = strchr(line, '=');
	char *key = line;
	while (isspace((unsigned char)*key))
		key++;
	if (*key == '\0')
		return NULL;
	if (eq == NULL)
		return "a line is KEY = VALUE";
	*eq = '\0';
	for (char *e = eq - 1; e >= key && isspace((unsigned char)*e); e--)
		*e = '\0';
	char *value = eq + 1;
	while (isspace((unsigned char)*value))
		value++;
	if (strcmp(key, "theme") == 0) {
		for (size_t i = 0; i < sizeof theme_builtin / sizeof theme_builtin[0]; i++)
			if (strncasecmp(value, theme_builtin[i].name, strlen(theme_builtin[i].name)) == 0) {
				*t = theme_builtin[i].theme;
				return NULL;
			}
		return "the themes are dark, light and mono";
	}
	for (int r = 0; r < THEME_ROLES; r++)
		if (strcmp(key, theme_roles[r]) == 0)
			return theme_look(&t->look[r], value);
	return "unknown key (theme, dir, cursor, bar, error, tag, progress)";
}

/* theme_line as a userfile_line_fn. */
static const char *theme_take(void *arg, char *line)
{
	return theme_line(arg, line);
}

const char *theme_load(struct theme *t, char *err, size_t errsz)
{
	*t = theme_builtin[0].theme;
	return userfile_lines("XDG_CONFIG_HOME", ".config", "colors", THEME_FILE_MAX, theme_take, t,
			      err, errsz);
}
