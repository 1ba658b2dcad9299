/* check_ftp_fake: a scripted FTP server for the engine's Check suite.
 * A thread plays a script of steps against one client: each step waits
 * for an exact command line (CRLF-terminated), then answers with fixed
 * bytes and may act on a data connection it listens for on loopback, so
 * the engine's real EPSV/PASV and data code runs. The control connection
 * is a socketpair or a real TCP connection (for connecting and
 * reconnecting). Every read is bounded by FAKE_WAIT_MS, so a script that
 * goes wrong ends instead of hanging. */
#ifndef FERRY_CHECK_FTP_FAKE_H
#define FERRY_CHECK_FTP_FAKE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest any read of the fake waits, in milliseconds. */
#define FAKE_WAIT_MS 5000

/* What a step does before sending its reply (flags). */
enum fake_pre {
	FAKE_LISTEN = 1 << 0,          /* open a data listener; "{PORT}", "{P1}", "{P2}" name it */
	FAKE_LISTEN_DEAD = 1 << 1,     /* the same, but close it at once (connecting is refused) */
	FAKE_ACCEPT_CONTROL = 1 << 2,  /* drop the control connection, accept a new one (TCP only) */
	FAKE_ACTIVE = 1 << 3,          /* read the address of the EPRT or PORT line just
					* received: data actions connect to it (active mode) */
	FAKE_STRANGER = 1 << 4,        /* active mode: first connect from 127.0.0.2, a host
					* that is not the server, which the client must refuse */
};

/* What a step does after sending its reply. */
enum fake_act {
	FAKE_NONE,       /* nothing */
	FAKE_SEND,       /* accept the data connection, send data, close it */
	FAKE_RECV,       /* accept the data connection, read it to the end (see fake_received) */
	FAKE_HOLD,       /* accept the data connection, send data (if any), keep it open unread */
	FAKE_DROP_DATA,  /* close the held data connection */
	FAKE_HANGUP,     /* close the control connection */
	FAKE_SILENT,     /* answer nothing more: wait for the client to hang up */
};

/* One step of a script; a script ends with a step whose end is true. */
struct fake_step {
	const char *expect;  /* the command line the client must send (no CRLF); NULL: do not wait */
	bool prefix;         /* the line need only begin with expect (a port the client chose) */
	unsigned pre;        /* enum fake_pre flags */
	const char *reply;   /* bytes to send (CRLFs included) or NULL; "{PORT}", "{P1}", "{P2}" filled in */
	enum fake_act act;   /* then this */
	const char *data;    /* FAKE_SEND / FAKE_HOLD: bytes for the data connection */
	size_t data_len;     /* their length (0: strlen(data)) */
	const char *after;   /* bytes to send after act, or NULL */
	unsigned after_ms;   /* milliseconds to wait before sending after */
	bool end;            /* marks the end of the script */
};

struct fake;

/* Starts the script on a socketpair; *client_fd gets the client's end. */
struct fake *fake_start(const struct fake_step *steps, int *client_fd);
/* Starts the script on a TCP listener on 127.0.0.1 (v6 false) or ::1;
 * *port gets its port. The first connection is accepted before step 0. */
struct fake *fake_start_tcp(const struct fake_step *steps, bool v6, int *port);
/* Waits for the script to end (the client must have hung up). Returns
 * NULL if every step ran in order and nothing more came, else what went
 * wrong (owned by fk). */
const char *fake_finish(struct fake *fk);
/* The bytes FAKE_RECV steps received, all together; *len gets their count. */
const char *fake_received(const struct fake *fk, size_t *len);
/* Every command line received, each followed by '\n'. */
const char *fake_log(const struct fake *fk);
/* Frees fk (after fake_finish). */
void fake_free(struct fake *fk);

#endif
