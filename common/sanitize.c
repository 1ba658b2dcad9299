/* sanitize: terminal- and log-safe copies of untrusted text. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "xalloc.h"

/* Length of the UTF-8 character at s (n bytes available): 1 to 4, or 0
 * when its bytes are not UTF-8 (an overlong form, a surrogate, past
 * U+10FFFF) or run past n. *cut (when not NULL) tells the last case
 * apart: the n bytes are a valid beginning of a longer character. */
static size_t utf8_len(const unsigned char *s, size_t n, bool *cut)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;   /* the second byte's range */
	size_t len;
	if (cut != NULL)
		*cut = false;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;          /* else overlong */
	else if (c == 0xed)
		hi = 0x9f;          /* else a surrogate */
	else if (c == 0xf0)
		lo = 0x90;          /* else overlong */
	else if (c == 0xf4)
		hi = 0x8f;          /* else past U+10FFFF */
	for (size_t i = 1; i < len; i++) {
		if (i == n) {
			if (cut != NULL)
				*cut = true;
			return 0;
		}
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

size_t sanitize_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = utf8_len(s, n, NULL);
	if (len == 2 && s[0] == 0xc2 && s[1] <= 0x9f)   /* C1 controls */
		return 0;
	return len;
}

bool sanitize_binary(const char *text, size_t len, size_t window)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = len < window ? len : window;
	for (size_t i = 0; i < n;) {
		bool cut;
		if (s[i] == '\0')
			return true;
		size_t k = utf8_len(s + i, n - i, &cut);
		if (k == 0)
			return !cut;
		i += k;
	}
	return false;
}

char *sanitize_text(const char *in, size_t n, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	if (outsz == 0)
		return out;
	for (size_t i = 0; i < n;) {
		/* A run of printable ASCII, the common case, is copied at once. */
		size_t run = 0;
		while (i + run < n && s[i + run] >= 0x20 && s[i + run] < 0x7f)
			run++;
		if (run > 0) {
			if (run > outsz - 1 - o)
				run = outsz - 1 - o;
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
			if (o + 1 >= outsz)
				break;
			continue;
		}
		size_t len = sanitize_utf8_len(s + i, n - i);
		if (len == 0 || (len == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			if (o + 1 >= outsz)
				break;
			out[o++] = '?';
			i += len ? len : 1;
			continue;
		}
		if (o + len >= outsz)
			break;
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
	return out;
}

char *sanitize_text_elided(const char *in, size_t n, char *out, size_t outsz, size_t max)
{
	static const char dots[] = "...";
	const size_t ndots = sizeof dots - 1;

	if (outsz == 0)
		return out;
	if (max > outsz - 1)
		max = outsz - 1;
	char *clean = xmalloc(n + 1);
	sanitize_text(in, n, clean, n + 1);   /* never longer than in */
	size_t len = strlen(clean);
	if (len <= max) {
		memcpy(out, clean, len + 1);
		free(clean);
		return out;
	}
	if (max < ndots + 2) {
		/* No room for both ends: the start, cut at a character. */
		sanitize_text(clean, len, out, max + 1);
		free(clean);
		return out;
	}
	/* A third from the start, the rest from the end: a reason comes last. */
	size_t head = (max - ndots) / 3, tail = max - ndots - head;
	while (head > 0 && ((unsigned char)clean[head] & 0xC0) == 0x80)
		head--;
	size_t from = len - tail;
	while (from < len && ((unsigned char)clean[from] & 0xC0) == 0x80)
		from++;
	memcpy(out, clean, head);
	memcpy(out + head, dots, ndots);
	memcpy(out + head + ndots, clean + from, len - from);
	out[head + ndots + len - from] = '\0';
	free(clean);
	return out;
}

char *sanitize_vformat_elided(char *out, size_t outsz, size_t max, const char *fmt, va_list ap)
{
	va_list again;

	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0)
		n = 0;
	char *raw = xmalloc((size_t)n + 1);
	raw[0] = '\0';
	vsnprintf(raw, (size_t)n + 1, fmt, again);
	va_end(again);
	sanitize_text_elided(raw, strlen(raw), out, outsz, max);
	free(raw);
	return out;
}

char *sanitize_format_elided(char *out, size_t outsz, size_t max, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sanitize_vformat_elided(out, outsz, max, fmt, ap);
	va_end(ap);
	return out;
}

size_t sanitize_bom_len(const char *text, size_t n)
{
	return n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}
