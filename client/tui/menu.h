/* menu: F9, every action of the key table in a list (with its keys), for
 * those who would rather pick than remember: Enter runs the one under
 * the cursor, Esc closes the menu. */
#ifndef FERRY_TUI_MENU_H
#define FERRY_TUI_MENU_H

#include "app.h"

/* Shows the menu; runs the action picked. */
void menu_run(struct app *a);

#endif
