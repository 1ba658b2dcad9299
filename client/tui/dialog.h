/* dialog: the TUI's modal questions, drawn over the screen while
 * transfers and listings keep arriving: yes/no (default No), a line of
 * text edited as in readline (lineedit.h), and the existing-target choice
 * with both files' sizes and dates and "apply to all", a choice among
 * letters, and a message that stays until Enter or Esc. Esc and Ctrl-C
 * cancel a question. */
#ifndef FERRY_TUI_DIALOG_H
#define FERRY_TUI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "app.h"

/* The two files an existing-target question is about. */
struct dialog_sides {
	off_t size;           /* the file copied: bytes, -1 unknown */
	time_t mtime;         /* ...its date, 0 unknown */
	off_t target_size;    /* the file it would replace: bytes, -1 unknown */
	time_t target_mtime;  /* ...its date, 0 unknown */
};

/* Asks question (sanitised text); returns true only for y/Y (Enter and Esc say No). */
bool dialog_yesno(struct app *a, const char *question);
/* Writes the text of a question as things stand now into buf (bufsz bytes). */
typedef void (*dialog_texter)(struct app *a, char *buf, size_t bufsz);
/* dialog_yesno with a question made anew by make at every redraw (while
 * it is open, transfers keep reporting): it can follow what it asks about. */
bool dialog_yesno_live(struct app *a, dialog_texter make);
/* Reads a line into buf (bufsz bytes; its contents are the default).
 * secret hides the typing; select starts with the default selected, so
 * typing replaces it. Returns false when Esc cancels. */
bool dialog_input(struct app *a, const char *prompt, char *buf, size_t bufsz, bool secret,
		  bool select);
/* Completes the text of a field in place (bufsz bytes), leaving a note
 * (the choices, "no match") in note. */
typedef void (*dialog_completer)(void *arg, char *buf, size_t bufsz, char *note, size_t notesz);
/* dialog_input with Tab calling complete (NULL: Tab does nothing). */
bool dialog_input_complete(struct app *a, const char *prompt, char *buf, size_t bufsz,
			   bool secret, bool select, dialog_completer complete, void *arg);
/* Asks what to do with an existing target named name (sanitised), showing
 * both files' sizes and dates: any answer but QUEUE_ANSWER_ASK (Esc is
 * QUEUE_ANSWER_ABORT); sets *all when "apply to all" was chosen. */
enum queue_answer dialog_exists(struct app *a, const char *name, const struct dialog_sides *s,
				bool *all);
/* Shows lines (text; '\n' starts a new row) and waits for one of the
 * letters in keys (either case): returns its index. Enter gives def (when
 * def >= 0); Esc and Ctrl-C give -1. */
int dialog_choose(struct app *a, const char *const *lines, const char *keys, int def);
/* Shows lines until Enter or Esc closes them (no other key does, so a
 * key typed ahead does not hide a warning). */
void dialog_message(struct app *a, const char *const *lines);
/* Draws draw(a, arg) over the screen (redrawn with it while workers
 * report) until a key comes; returns the key. */
int dialog_overlay_key(struct app *a, void (*draw)(struct app *a, const void *arg),
		       const void *arg);
/* Edits the active pane's filter live; Enter keeps it, Esc clears it. */
void dialog_filter(struct app *a);
/* Shows the help screen (from the key table) until a key is pressed. */
void dialog_help(struct app *a);
/* Writes a row of the help screen or the menu into line (linesz bytes):
 * lead, key padded to a column of the same width in columns whatever its
 * bytes, a blank and what it does. */
void dialog_key_row(char *line, size_t linesz, const char *lead, const char *key,
		    const char *what);

#endif
