/* dataconn: the data channel. PASV/EPSV open a listening socket on the
 * control connection's local address; PORT/EPRT record where to connect.
 * dataconn_open makes the connection for a transfer, refusing any peer
 * other than the control connection's (no data to an intruder, no FTP
 * bounce). */
#ifndef FERRYD_DATACONN_H
#define FERRYD_DATACONN_H

#include <stdbool.h>

#include "session.h"

/* Reads the kernel's range of ports for port 0 and its reserved ports,
 * which passive listeners without --pasv-ports are picked from. Called
 * once before sessions start; a session that was not given them reads
 * them at its first PASV/EPSV. */
void dataconn_read_port_range(void);
/* Drops any prepared data channel. */
void dataconn_reset(struct session *s);
/* Opens a passive listener; on success sends the 227 (extended false) or
 * 229 reply, on failure a 425. */
void dataconn_passive(struct session *s, bool extended);
/* Records an active-mode target after checking it is the control peer and
 * an unprivileged port; sends 200 or 501. */
void dataconn_active(struct session *s, const struct netaddr *a);
/* True if PASV/EPSV/PORT/EPRT prepared a channel. */
bool dataconn_prepared(const struct session *s);
/* dataconn_prepared (and, with --tls=required, PROT P), or else sends 425
 * (521) and returns false. */
bool dataconn_require(struct session *s);
/* Connects the prepared channel (accept or connect) and returns the data
 * connection (non-blocking socket; TLS under PROT P, bound to the control
 * connection: ftps.h), or NULL after sending the failure replies (425, or
 * 426+226 when ABOR arrived while waiting). The channel is used up. Call
 * xfer_begin first: STAT while it waits reports the transfer. Close it
 * with ftps_data_close. */
struct conn *dataconn_open(struct session *s);

#endif
