/* reload: what SIGHUP does to a running ferryd. The listener calls
 * reload_config; it reads the configuration again exactly as a start
 * would (the file, the same command line, the users file, then the TLS
 * certificate and key), all or nothing: any failure is logged ("reload
 * failed: FILE:LINE: why") and the old configuration stays whole.
 *
 * Settings the listener fixed at start (listening sockets, metrics
 * address, run-as user, max-clients, bans, PROXY protocol on or off,
 * the xferlog path, syslog, verbose) keep their old values, with a log line per
 * changed one; everything else applies to sessions started from then on.
 * Running sessions are processes with their own copy: untouched. The
 * xferlog file is opened again (log rotation): new sessions write to the
 * file now at its path.
 *
 * The listener runs as the run-as user by then, so every file must be
 * readable by it (ferryd(8), RELOAD). */
#ifndef FERRYD_RELOAD_H
#define FERRYD_RELOAD_H

#include <stdbool.h>

#include "options.h"

/* Remembers the command line to parse again (argv must outlive reloads). */
void reload_init(int argc, char **argv);
/* Loads the configuration again. Returns the configuration new sessions
 * use: a new one, or cur when the reload failed. A previous result of
 * reload_config is freed when replaced; cur given by the caller never is. */
const struct ferryd_config *reload_config(const struct ferryd_config *cur);
/* Frees the last configuration reload_config made (at exit). */
void reload_free(void);

#endif
