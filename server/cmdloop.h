/* cmdloop: a session's command loop, the top of a session child. It sets
 * the session up (sandbox, TLS, greeting), reads each command line from
 * the control connection (session.c) and hands it to the verb table's
 * gate (commands.c), which runs the handlers; transfers (dataconn.c,
 * transfer.c) answer ABOR and STAT through the same gate. Nothing below
 * this file calls into it. */
#ifndef FERRYD_CMDLOOP_H
#define FERRYD_CMDLOOP_H

#include "netaddr.h"
#include "options.h"

/* Runs a whole session on the given control fds (accepted socket, or
 * stdin/stdout with -i) and returns when it ends. */
void cmdloop_run(const struct ferryd_config *cfg, int ctl_in, int ctl_out);
/* cmdloop_run for a connection relayed by a proxy (PROXY protocol): the
 * client is at client, the socket's peer (via) is the proxy. */
void cmdloop_run_via(const struct ferryd_config *cfg, int fd, const struct netaddr *client,
		     const struct netaddr *via);

#endif
