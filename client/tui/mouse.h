/* mouse: what a mouse event does on the two-pane screen: a click on a
 * pane makes it the active one and puts the cursor on the row clicked, a
 * second click on the same row soon after opens it (Enter), the wheel
 * moves the cursor of the pane under it, a click on a key of the bottom
 * line runs its action, a click on the transfer panel selects that
 * transfer. The terminal reports the events (xterm's mouse protocol,
 * which curses reads as KEY_MOUSE); draw.c says what lies where. */
#ifndef FERRY_TUI_MOUSE_H
#define FERRY_TUI_MOUSE_H

#include "app.h"

/* How long two clicks on the same row may be apart to be a double click, ms. */
#define MOUSE_DOUBLE_MS 400
/* Rows the wheel moves. */
#define MOUSE_WHEEL_ROWS 3

/* Reads the event curses has (after KEY_MOUSE) into a->mouse; false when
 * there is none. */
bool mouse_read(struct app *a);
/* Does what a->mouse asks for. */
void mouse_act(struct app *a);

#endif
