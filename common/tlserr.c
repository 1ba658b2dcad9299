/* tlserr: OpenSSL errors as text (see tlserr.h). */
#include "config.h"

#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tlserr.h"

char *tlserr_text(char *buf, size_t n, const char *what)
{
	unsigned long e = ERR_get_error();
	const char *reason = e ? ERR_reason_error_string(e) : "unknown TLS error";
	char code[64];
	if (!reason) {
		/* No text registered for this code: keep the number, which
		 * still identifies it. */
		snprintf(code, sizeof code, "TLS error %#lx", e);
		reason = code;
	}
	if (what)
		snprintf(buf, n, "%s: %s", what, reason);
	else
		snprintf(buf, n, "%s", reason);
	ERR_clear_error();
	return buf;
}

const char *tlserr_verify_text(long code)
{
	return X509_verify_cert_error_string(code);
}
