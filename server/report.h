/* report: the one-way channel from session processes to the listener.
 * One AF_UNIX datagram socket pair per server: the listener reads one
 * end, every session writes to the other. Each datagram is one message
 * (kind, length, payload), so messages never interleave, and the kernel
 * attaches the sender's pid (SCM_CREDENTIALS), which the listener maps to
 * the session it forked: a session can only ever speak for itself.
 * It carries login results (for bans, sent even when the listener is
 * slow) and, for the metrics, transfer results, data connection failures
 * and TLS handshakes (sent only when the channel has room, so a busy
 * listener never slows a transfer). New kinds add a number, never reuse
 * one. */
#ifndef FERRYD_REPORT_H
#define FERRYD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a message says. Numbers are part of the wire format. */
enum report_kind {
	REPORT_LOGIN_FAILED = 1,  /* a wrong password; no payload */
	REPORT_LOGIN_OK = 2,      /* the session logged in; no payload */
	REPORT_TRANSFER = 3,      /* a transfer ended: struct report_transfer */
	REPORT_DATACONN_FAIL = 4, /* a data connection failed: one byte, enum report_dc_fail */
	REPORT_TLS = 5,           /* a TLS handshake ended: one byte, 1 ok, 0 failed */
};

/* The commands a REPORT_TRANSFER is about. Numbers are wire format. */
enum report_xfer_cmd {
	RX_RETR, RX_STOR, RX_STOU, RX_APPE, RX_LIST, RX_NLST, RX_MLSD,
	RX_CMDS,                  /* how many */
};
/* How a transfer ended. */
enum report_xfer_result {
	RX_OK,                    /* all bytes moved */
	RX_ABORTED,               /* ABOR */
	RX_FAILED,                /* connection broken, stalled, local error */
	RX_DISCARDED,             /* upload judged incomplete: nothing kept */
	RX_RESULTS,               /* how many */
};
/* Why a data connection could not be made. */
enum report_dc_fail {
	RD_TIMEOUT,               /* nobody connected to the passive port in time */
	RD_WRONG_PEER,            /* a connection came from another address */
	RD_CONNECT,               /* the active-mode connect failed */
	RD_PROXY,                 /* a proxy's data connection had a bad PROXY header */
	RD_REASONS,               /* how many */
};

/* REPORT_TRANSFER's payload. */
struct report_transfer {
	uint8_t cmd;              /* enum report_xfer_cmd */
	uint8_t result;           /* enum report_xfer_result */
	uint8_t pad[6];
	uint64_t bytes;           /* bytes moved over the data connection */
};

/* Largest payload of one message. */
#define REPORT_PAYLOAD_MAX 256

/* One message as it travels. */
struct report_msg {
	uint16_t kind;            /* enum report_kind */
	uint16_t len;             /* payload bytes used */
	unsigned char payload[REPORT_PAYLOAD_MAX];
};

/* Creates the pair: fds[0] for the listener (non-blocking, receives
 * credentials), fds[1] for sessions (sends wait at most a second when the
 * listener is behind). Returns 0 or -1 with errno. */
int report_open(int fds[2]);
/* In a session process: sends from now on to fd (-1: no listener, as in
 * inetd mode, and reports are dropped silently). */
void report_attach(int fd);
/* Sends one message; false if it could not be sent (no listener, or it
 * stayed busy past the send time-out). */
bool report_send(enum report_kind kind, const void *payload, size_t len);
/* Sends one message only if the channel has room now; false if not (the
 * message is dropped: counters may lag, a session never waits). */
bool report_send_nowait(enum report_kind kind, const void *payload, size_t len);
/* In the listener: reads one waiting message. Returns 1 with *m and the
 * sender's pid, 0 when none is waiting, -1 on an error (errno). Datagrams
 * without credentials or with a bad length are skipped. */
int report_recv(int fd, struct report_msg *m, pid_t *from);

#endif
