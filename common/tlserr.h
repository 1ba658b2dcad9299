/* tlserr: OpenSSL's error queue turned into one line of text, in one
 * place, so no caller ever prints OpenSSL's own format. */
#ifndef FERRY_TLSERR_H
#define FERRY_TLSERR_H

#include <stddef.h>

/* Writes "what: reason" into buf (n bytes) with the oldest error queued
 * on this thread (or "what: unknown TLS error" when the queue is empty),
 * then empties the queue. what may be NULL (just the reason). Returns buf. */
char *tlserr_text(char *buf, size_t n, const char *what);
/* The verification failure text for an X509_V_ERR_* code. */
const char *tlserr_verify_text(long code);

#endif
