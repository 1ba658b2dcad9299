/* actions: what each key action does to the TUI state (one handler per
 * action, found through a table). */
#ifndef FERRY_TUI_ACTIONS_H
#define FERRY_TUI_ACTIONS_H

#include "app.h"
#include "keys.h"

/* Asks the questions waiting: what to do with each held transfer (a file
 * of a copied directory whose target exists), and whether a rename the
 * side refused may replace the existing name; then carries out the answers. */
void actions_ask_pending(struct app *a);
/* The connect dialog: host or URL, TLS, port, user, password; then
 * connects in the background. */
void actions_quick_connect(struct app *a);
/* Runs action act. */
void actions_run(struct app *a, enum keys_action act);

#endif
