/* fingerprint: certificate fingerprints as text, "SHA256:" followed by
 * the 32 bytes of a SHA-256 digest in upper-case hex pairs separated by
 * colons (what `openssl x509 -noout -fingerprint -sha256` prints after
 * its '='). Pure C: the digest itself is computed by the TLS modules. */
#ifndef FERRY_FINGERPRINT_H
#define FERRY_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a SHA-256 digest. */
#define FP_SHA256_LEN 32
/* Size of the canonical text form, NUL included: "SHA256:" + 32 pairs
 * + 31 colons. */
#define FP_TEXT_SIZE (7 + FP_SHA256_LEN * 3)

/* How a fingerprint compares with the one stored for a server. */
enum fp_match {
	FP_UNKNOWN, /* nothing stored for this server */
	FP_MATCH,   /* the stored fingerprint is this one */
	FP_CHANGED, /* another fingerprint is stored: the certificate changed */
};

/* Writes the canonical text of digest d into out. */
void fp_format(const unsigned char d[FP_SHA256_LEN], char out[FP_TEXT_SIZE]);
/* Parses "SHA256:" (any case) and 64 hex digits, with or without a colon
 * between pairs, into the canonical text. Returns false (out untouched)
 * for anything else. */
bool fp_canonical(const char *text, char out[FP_TEXT_SIZE]);

#endif
