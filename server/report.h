/* report: the one-way channel from session processes to the listener.
 * One AF_UNIX datagram socket pair per server: the listener reads one
 * end, every session writes to the other. Each datagram is one message
 * (kind, length, payload), so messages never interleave, and the kernel
 * attaches the sender's pid (SCM_CREDENTIALS), which the listener maps to
 * the session it forked: a session can only ever speak for itself.
 * Today it carries login results; the same frame is meant for counters
 * and transfer results later (add a kind, never reuse one). */
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
/* In the listener: reads one waiting message. Returns 1 with *m and the
 * sender's pid, 0 when none is waiting, -1 on an error (errno). Datagrams
 * without credentials or with a bad length are skipped. */
int report_recv(int fd, struct report_msg *m, pid_t *from);

#endif
