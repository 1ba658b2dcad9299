/* actions: what each key action does to the TUI state (one handler per
 * action, found through a table). */
#ifndef FERRY_TUI_ACTIONS_H
#define FERRY_TUI_ACTIONS_H

#include "app.h"
#include "keys.h"

/* Asks what to do with each held transfer (a file of a copied directory
 * whose target exists), then releases, renames or cancels it. */
void actions_ask_held(struct app *a);
/* Runs action act. */
void actions_run(struct app *a, enum keys_action act);

#endif
