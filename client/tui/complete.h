/* complete: Tab completion of a path typed for a pane (the go-to dialog),
 * from the names the pane lists: only the last part of the path is
 * completed, and only when the folder it names is the pane's own (a name
 * without '/', or the pane's path followed by one). Plain C over the
 * pane model: no curses. */
#ifndef FERRY_TUI_COMPLETE_H
#define FERRY_TUI_COMPLETE_H

#include <stddef.h>

#include "pane.h"

/* Completes text (bufsz bytes, changed in place) from p's entries: as far
 * as every name starting with its last part agrees, and a '/' after a
 * directory that is the only one. Returns how many names matched; their
 * names (sanitised, blank-separated, cut at listsz) go to list. */
size_t complete_path(const struct pane *p, char *text, size_t bufsz, char *list, size_t listsz);

#endif
