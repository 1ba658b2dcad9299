/* tlstest: what the TLS Check suites share: certificates made once per
 * run by tests/tls-certs.sh, socket pairs, and a loop that drives both
 * ends of a connection in one thread. */
#ifndef FERRY_TLSTEST_H
#define FERRY_TLSTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"

/* Makes the certificates in a fresh temporary folder (exits 99 if the
 * script fails) and registers their removal at exit. Call from main. */
void tlstest_setup(void);
/* Path of a file made by tls-certs.sh ("ca.pem", "server.key", ...);
 * points into a static buffer rotated over 8 calls. */
const char *tlstest_cert(const char *name);
/* A connected non-blocking AF_UNIX stream pair. */
void tlstest_socketpair(int fds[2]);
/* A connected non-blocking TCP pair over 127.0.0.1 (fds[0] accepted). */
void tlstest_tcppair(int fds[2]);
/* Drives both handshakes until each has finished or failed (at most
 * 10 s); the final statuses land in *sa and *sb. */
void tlstest_handshake(struct conn *a, struct conn *b, enum conn_status *sa,
		       enum conn_status *sb);
/* Reads from c until it reports something other than data or a wait
 * (at most 10 s), appending to buf (up to cap bytes, more is an error);
 * *len gets the byte count; returns the final status. */
enum conn_status tlstest_read_all(struct conn *c, char *buf, size_t cap, size_t *len);
/* Writes a file of n pseudo-random bytes (seeded) and returns its fd,
 * unlinked already; *data gets a malloc'd copy of its bytes. */
int tlstest_file(size_t n, unsigned seed, char **data);

#endif
