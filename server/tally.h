/* tally: what a session tells the world outside it about its work: each
 * finished transfer goes to the xferlog (xferlog.h) and, with data
 * connection failures and TLS handshakes, to the listener's metrics over
 * the report channel (report.h). Reports to the listener are sent only
 * when the channel has room: counting never slows a session. */
#ifndef FERRYD_TALLY_H
#define FERRYD_TALLY_H

#include <stdbool.h>
#include <sys/types.h>

#include "report.h"
#include "session.h"
#include "transfer.h"

/* A login succeeded; password is what PASS carried (the xferlog records
 * an anonymous user by it, as the format defines). */
void tally_login(const struct session *s, const char *password);
/* The transfer in s->xfer ended with r after moving bytes. Call before
 * the final reply, so that a client that has seen it finds the log line
 * and the counters updated. */
void tally_transfer(const struct session *s, enum xfer_result r, off_t bytes);
/* A data connection could not be made. */
void tally_dataconn_failed(enum report_dc_fail why);
/* A TLS handshake (control or data connection) ended. */
void tally_tls_handshake(bool ok);

#endif
