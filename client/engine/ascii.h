/* ascii: the line-end conversions of FTP's ASCII type (RFC 959 section
 * 3.1.1.1): on the wire every line ends in CR LF, on a Unix disk in LF.
 * Downloads turn CR LF into LF (a CR not followed by LF is kept, also
 * across buffers); uploads turn every LF into CR LF. Pure functions. */
#ifndef FERRY_ASCII_H
#define FERRY_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* The state of a download's conversion between buffers. */
struct ascii_in {
	bool cr;  /* the last buffer ended in a CR not yet written */
};

/* Converts n received bytes into out (at least n + 1 bytes): CR LF
 * becomes LF. Returns the bytes written. */
size_t ascii_from_wire(struct ascii_in *st, const char *in, size_t n, char *out);
/* Writes the CR a download's last buffer held back, if any, into out (at
 * least 1 byte); returns 0 or 1. */
size_t ascii_from_wire_end(struct ascii_in *st, char *out);
/* Converts n bytes of a local file into out (at least 2 * n bytes): LF
 * becomes CR LF. Returns the bytes written. */
size_t ascii_to_wire(const char *in, size_t n, char *out);

#endif
