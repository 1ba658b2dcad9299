/* sitemgr: the site manager (F2): the saved sites of the sites file
 * (sites.h) and the recent hosts in a list, to connect to, add, edit,
 * delete, or to start a new connection from (the connect dialog). Also
 * opening a site named at start (`ferry @name`) and keeping each
 * connection made among the recent hosts. */
#ifndef FERRY_TUI_SITEMGR_H
#define FERRY_TUI_SITEMGR_H

#include <stdbool.h>

#include "app.h"

/* Shows the site manager until a connection is started or Esc closes it. */
void sitemgr_run(struct app *a);
/* Takes the site called name (without its '@') into a->trying and the
 * settings, enters its local folder and sets *path to its remote one
 * (NULL, or to free). user_option (-u USER[:PASS], or NULL) overrides the
 * site's login as it overrides a URL's. Before the screen starts: returns
 * NULL, or an error message (static or in err). */
const char *sitemgr_start(struct app *a, const char *name, const char *user_option, char **path,
			  char *err, size_t errsz);
/* Puts the working connection first among the recent hosts (errors
 * ignored: the list is only a convenience). */
void sitemgr_remember(const struct app *a);

#endif
