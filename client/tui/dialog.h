/* dialog: the TUI's modal questions, drawn over the screen while
 * transfers keep reporting: yes/no (default No), a line of text, and the
 * existing-target choice with "apply to all". */
#ifndef FERRY_TUI_DIALOG_H
#define FERRY_TUI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

/* Asks question (sanitised text); returns true only for y/Y (Enter and Esc say No). */
bool dialog_yesno(struct app *a, const char *question);
/* Reads a line into buf (bufsz bytes; its contents are the default).
 * secret hides the typing. Returns false when Esc cancels. */
bool dialog_input(struct app *a, const char *prompt, char *buf, size_t bufsz, bool secret);
/* Asks what to do with an existing target named name (sanitised): any
 * answer but QUEUE_ANSWER_ASK (Esc is QUEUE_ANSWER_ABORT); sets *all when
 * "apply to all" was chosen. */
enum queue_answer dialog_exists(struct app *a, const char *name, bool *all);
/* Edits the active pane's filter live; Enter keeps it, Esc clears it. */
void dialog_filter(struct app *a);
/* Shows the help screen (from the key table) until a key is pressed. */
void dialog_help(struct app *a);

#endif
