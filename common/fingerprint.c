/* fingerprint: SHA-256 fingerprints as text (see fingerprint.h). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fingerprint.h"

static const char hexdigits[] = "0123456789ABCDEF";

void fp_format(const unsigned char d[FP_SHA256_LEN], char out[FP_TEXT_SIZE])
{
	memcpy(out, "SHA256:", 7);
	char *p = out + 7;
	for (int i = 0; i < FP_SHA256_LEN; i++) {
		if (i)
			*p++ = ':';
		*p++ = hexdigits[d[i] >> 4];
		*p++ = hexdigits[d[i] & 15];
	}
	*p = '\0';
}

/* The value of hex digit c (either case), or -1. */
static int hexval(char c)
{
	const char *q = c ? strchr(hexdigits, toupper((unsigned char)c)) : NULL;
	return q ? (int)(q - hexdigits) : -1;
}

bool fp_canonical(const char *text, char out[FP_TEXT_SIZE])
{
	if (strncasecmp(text, "SHA256:", 7) != 0)
		return false;
	const char *p = text + 7;
	unsigned char d[FP_SHA256_LEN];
	for (int i = 0; i < FP_SHA256_LEN; i++) {
		if (i && *p == ':')
			p++;
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
		if (lo < 0)
			return false;
		d[i] = (unsigned char)(hi << 4 | lo);
		p += 2;
	}
	if (*p)
		return false;
	fp_format(d, out);
	return true;
}
