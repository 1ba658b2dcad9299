/* browse: a browsing worker's side (see worker.h). One process per pane
 * answers the screen's requests for that pane's side, so the screen
 * never waits on the network or on a slow disk:
 *
 *   WIRE_LIST    -> a WIRE_ENTRY per entry, then a WIRE_REPLY with the
 *                   directory's real name (MLSD refused for it: LIST, and
 *                   the reply says so)
 *   WIRE_MKDIR   -> WIRE_REPLY
 *   WIRE_RENAME  -> WIRE_REPLY; WIRE_EXISTS (with the target's size and
 *                   date) when the target exists and WIRE_REPLACE is unset
 *   WIRE_REMOVE  -> a delete job: WIRE_PROGRESS (entries removed so far)
 *                   and WIRE_END; a WIRE_CANCEL for it stops it between
 *                   two entries
 *
 * Requests are answered in order, except that while a delete job runs the
 * others are answered between two of its entries, so browsing goes on
 * during a long delete. A remote browser logs in first and answers that
 * with a WIRE_REPLY of id 0 (ending when it failed); a dropped connection
 * is reopened by the engine on the next request. Never touches the
 * terminal. */
#ifndef FERRY_TUI_BROWSE_H
#define FERRY_TUI_BROWSE_H

#include "worker.h"

/* Runs a browser for requests read from in_fd, answering on out_fd, until
 * in_fd closes: the remote side when l is given (logging in as l), the
 * local side when l is NULL. Returns the exit status. */
int browse_child(int in_fd, int out_fd, const struct worker_login *l);

#endif
