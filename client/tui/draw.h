/* draw: the TUI's view. Reads the model and draws the top line, the two
 * panes, the transfer panel, the hint line and the status line, each in
 * its own window (wnoutrefresh each, one doupdate). */
#ifndef FERRY_TUI_DRAW_H
#define FERRY_TUI_DRAW_H

#include <stdbool.h>

#include "app.h"

/* Starts curses (locale, keypad, colours unless NO_COLOR or none); returns false if it cannot. */
bool draw_start(struct app *a);
/* Ends curses and restores the terminal. */
void draw_end(void);
/* Lays the windows out again for the terminal's new size. */
void draw_resize(void);
/* Draws the whole screen without the final doupdate. */
void draw_screen(struct app *a);
/* Shows everything drawn (doupdate). */
void draw_flush(void);

#endif
