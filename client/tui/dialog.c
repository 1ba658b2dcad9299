/* dialog: modal questions drawn in a box over the screen (see
 * dialog.h). They wait through app_wait_key, so transfers keep
 * reporting and the screen keeps redrawing (resize included) while a
 * question is open. */
#include "config.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "dialog.h"
#include "draw.h"
#include "keys.h"
#include "pane.h"
#include "sanitize.h"

/* Widest dialog box, in columns. */
#define DIALOG_MAX_W 70
/* Longest text drawn in a box line, in bytes. */
#define DIALOG_LINE_MAX 512

/* Draws a box of lines (a NULL-terminated array) in the middle of the screen. */
static void dialog_box_draw(struct app *a, const void *arg)
{
	const char *const *lines = arg;
	int rows, cols, n = 0, w = 10;
	getmaxyx(stdscr, rows, cols);
	for (; lines[n] != NULL; n++) {
		int len = (int)strlen(lines[n]) + 4;
		if (len > w)
			w = len;
	}
	if (w > DIALOG_MAX_W)
		w = DIALOG_MAX_W;
	if (w > cols)
		w = cols;
	int h = n + 2 > rows ? rows : n + 2;
	if (w < 3 || h < 3)
		return;
	WINDOW *win = newwin(h, w, (rows - h) / 2, (cols - w) / 2);
	if (win == NULL)
		return;
	werase(win);
	box(win, 0, 0);
	for (int i = 0; i < n && i + 1 < h - 1; i++) {
		char shown[DIALOG_LINE_MAX];
		sanitize_text(lines[i], strlen(lines[i]), shown, sizeof shown);
		mvwaddnstr(win, i + 1, 2, shown, w - 4);
	}
	wnoutrefresh(win);
	delwin(win);
}

/* Shows the box of lines and waits for a key, keeping the box up
 * through redraws; returns the key. */
static int dialog_ask(struct app *a, const char *const *lines)
{
	a->overlay = dialog_box_draw;
	a->overlay_arg = lines;
	app_redraw(a);
	int k = app_wait_key(a);
	a->overlay = NULL;
	a->overlay_arg = NULL;
	return k;
}

bool dialog_yesno(struct app *a, const char *question)
{
	const char *lines[] = { question, "", "y = yes, n / Enter / Esc = no", NULL };
	for (;;) {
		int k = dialog_ask(a, lines);
		if (k == 'y' || k == 'Y')
			return true;
		if (k == 'n' || k == 'N' || k == KEYS_ESC || k == KEYS_ENTER || k == '\r' ||
		    k == KEYS_FN + KEY_ENTER)
			return false;
	}
}

/* Removes the last UTF-8 character of buf. */
static void dialog_backspace(char *buf)
{
	size_t len = strlen(buf);
	while (len > 0) {
		len--;
		if (((unsigned char)buf[len] & 0xc0) != 0x80)
			break;
	}
	buf[len] = '\0';
}

/* Appends the character key (a wide character) to buf if it fits. */
static void dialog_append(char *buf, size_t bufsz, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)key, &st);
	size_t len = strlen(buf);
	if (n == (size_t)-1 || len + n + 1 > bufsz)
		return;
	memcpy(buf + len, mb, n);
	buf[len + n] = '\0';
}

/* True for a key that ends a line with Enter. */
static bool dialog_is_enter(int k)
{
	return k == KEYS_ENTER || k == '\r' || k == KEYS_FN + KEY_ENTER;
}

/* True for a key that deletes back. */
static bool dialog_is_backspace(int k)
{
	return k == KEYS_FN + KEY_BACKSPACE || k == KEYS_DEL_ASCII || k == 8;
}

bool dialog_input(struct app *a, const char *prompt, char *buf, size_t bufsz, bool secret)
{
	char shown[DIALOG_LINE_MAX];
	const char *lines[] = { prompt, shown, "", "Enter = OK, Esc = cancel", NULL };
	for (;;) {
		if (secret) {
			size_t n = strlen(buf);
			n = n < sizeof shown - 2 ? n : sizeof shown - 2;
			memset(shown, '*', n);
			shown[n] = '_';
			shown[n + 1] = '\0';
		} else {
			snprintf(shown, sizeof shown, "%s_", buf);
		}
		int k = dialog_ask(a, lines);
		if (dialog_is_enter(k))
			return true;
		if (k == KEYS_ESC)
			return false;
		if (dialog_is_backspace(k))
			dialog_backspace(buf);
		else if (k == KEYS_CTRL('u'))
			buf[0] = '\0';
		else if (k >= ' ' && k < KEYS_FN && k != KEYS_DEL_ASCII)
			dialog_append(buf, bufsz, k);
	}
}

/* The choices of the existing-target question, by key. */
static const struct {
	int key;                   /* key typed (lower case) */
	enum queue_answer answer;  /* what it means */
} dialog_exists_keys[] = {
	{ 'o', QUEUE_ANSWER_OVERWRITE },
	{ 's', QUEUE_ANSWER_SKIP },
	{ 'r', QUEUE_ANSWER_RESUME },
	{ 'n', QUEUE_ANSWER_RENAME },
};

enum queue_answer dialog_exists(struct app *a, const char *name, bool *all)
{
	char q[DIALOG_LINE_MAX], mark[64];
	const char *lines[] = { q, "", "o = overwrite, s = skip, r = resume, n = rename",
				mark, "Esc = stop copying", NULL };
	snprintf(q, sizeof q, "%s exists.", name);
	*all = false;
	for (;;) {
		snprintf(mark, sizeof mark, "a = apply to all: [%s]", *all ? "x" : " ");
		int k = dialog_ask(a, lines);
		if (k == KEYS_ESC)
			return QUEUE_ANSWER_ABORT;
		if (k == 'a' || k == 'A') {
			*all = !*all;
			continue;
		}
		if (k >= 'A' && k <= 'Z')
			k += 'a' - 'A';
		for (size_t i = 0; i < sizeof dialog_exists_keys / sizeof dialog_exists_keys[0]; i++)
			if (dialog_exists_keys[i].key == k)
				return dialog_exists_keys[i].answer;
	}
}

void dialog_filter(struct app *a)
{
	struct pane *p = a->pane[a->active];
	char buf[PANE_FILTER_MAX];
	snprintf(buf, sizeof buf, "%s", pane_filter(p));
	for (;;) {
		app_status(a, false, "filter: %s_   (Enter keeps, Esc clears)", buf);
		app_redraw(a);
		int k = app_wait_key(a);
		if (dialog_is_enter(k)) {
			app_status(a, false, "filter \"%s\": %zu match(es)", buf, pane_rows(p));
			return;
		}
		if (k == KEYS_ESC) {
			pane_set_filter(p, "");
			app_status(a, false, "filter cleared");
			return;
		}
		if (dialog_is_backspace(k))
			dialog_backspace(buf);
		else if (k >= ' ' && k < KEYS_FN && k != KEYS_DEL_ASCII)
			dialog_append(buf, sizeof buf, k);
		else
			continue;
		pane_set_filter(p, buf);
	}
}

/* Draws the help screen from the key table over everything. */
static void dialog_help_draw(struct app *a, const void *arg)
{
	size_t n;
	const struct keys_binding *t = keys_table(&n);
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	WINDOW *w = newwin(rows, cols, 0, 0);
	if (w == NULL)
		return;
	werase(w);
	mvwaddnstr(w, 0, 0, "ferry keys (any key closes this)", cols);
	for (size_t i = 0; i < n && (int)i + 2 < rows; i++) {
		char line[DIALOG_LINE_MAX];
		snprintf(line, sizeof line, "  %-14s %s", t[i].names, t[i].help);
		mvwaddnstr(w, (int)i + 2, 0, line, cols);
	}
	wnoutrefresh(w);
	delwin(w);
}

void dialog_help(struct app *a)
{
	a->overlay = dialog_help_draw;
	a->overlay_arg = NULL;
	app_redraw(a);
	app_wait_key(a);
	a->overlay = NULL;
	draw_resize();
}
