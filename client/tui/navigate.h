/* navigate: finding names below a pane's folder, and synchronized
 * browsing (entering or leaving a folder on one side does the same on the
 * other when it can). */
#ifndef FERRY_TUI_NAVIGATE_H
#define FERRY_TUI_NAVIGATE_H

#include "app.h"

/* f, Alt-?: asks for a pattern and finds the names matching it below the
 * active pane's folder (side_find). */
void navigate_find(struct app *a);
/* =: synchronized browsing on or off. */
void navigate_sync(struct app *a);
/* Enter on the active pane: enters the entry under the cursor, and with
 * synchronized browsing the folder of that name on the other side. */
void navigate_enter(struct app *a);
/* Backspace on the active pane: goes up, and with synchronized browsing
 * the other side too. */
void navigate_up(struct app *a);

#endif
