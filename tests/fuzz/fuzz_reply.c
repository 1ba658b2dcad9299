/* Fuzz target: FTP replies (common/reply.c), both directions.
 * Input: one mode byte. Mode even: the rest is a server's byte stream; it
 * is cut into lines and fed to the client's reply parser, which must
 * return a code from 100 to 999 for each whole reply and never more text
 * than it was given. Mode odd: the next two bytes pick a code and the rest
 * is a reply text; the server formats it and the client parses the result
 * back, which must give the same code and text (control bytes shown as
 * '?', and the documented leniencies of the parser applied). */
#include "config.h"

#include <string.h>

#include "ftp_limits.h"
#include "fuzz.h"
#include "reply.h"
#include "sbuf.h"

static void parse_stream(const uint8_t *data, size_t size)
{
	struct reply_parser p;
	reply_parser_init(&p);
	const char *s = (const char *)data, *end = s + size;
	size_t given = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		given += n + 1;
		switch (reply_parser_feed(&p, s, n)) {
		case REPLY_DONE:
			fuzz_check(p.code >= 100 && p.code <= 999);
			fuzz_check(p.text.len <= given);
			given = 0;
			break;
		case REPLY_BAD:
			given = 0;
			break;
		case REPLY_TOO_LONG:
			fuzz_check(given > FTP_REPLY_MAX / 2);
			given = 0;
			break;
		case REPLY_TOO_MANY:
			fuzz_check(given > FTP_REPLY_LINES_MAX);
			given = 0;
			break;
		case REPLY_MORE:
			break;
		}
		s = nl ? nl + 1 : end;
	}
	reply_parser_free(&p);
}

/* True if a line would end a multi-line reply with this code. */
static bool ends_reply(const char *s, size_t n, int code)
{
	char c[4];
	snprintf(c, sizeof c, "%03d", code);
	return n > 3 && memcmp(s, c, 3) == 0 && s[3] == ' ';
}

/* The text the parser should give back for text formatted with code. */
static void expected_text(const char *text, int code, struct sbuf *out)
{
	const char *line = text;
	bool first = true;
	for (;;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char clean[8192];
		fuzz_check(n < sizeof clean);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];
			clean[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		}
		size_t skip = 0;
		char prefix[5];
		snprintf(prefix, sizeof prefix, "%03d-", code);
		if (!first && nl != NULL && !ends_reply(clean, n, code)) {
			/* An inner line loses a repeated "code-" or one leading space. */
			if (n > 3 && memcmp(clean, prefix, 4) == 0)
				skip = 4;
			else if (n > 0 && clean[0] == ' ')
				skip = 1;
		}
		if (!first && nl == NULL && n == 0)
			break;      /* "code " alone ends the reply without a line */
		if (!first)
			fuzz_check(sbuf_puts(out, "\n"));
		fuzz_check(sbuf_append(out, clean + skip, n - skip));
		if (nl == NULL)
			break;
		first = false;
		line = nl + 1;
	}
}

static void round_trip(const uint8_t *data, size_t size)
{
	if (size < 2)
		return;
	int code = 100 + (data[0] << 8 | data[1]) % 500;
	char text[4096];
	size_t n = size - 2 < sizeof text - 1 ? size - 2 : sizeof text - 1;
	memcpy(text, data + 2, n);
	text[n] = '\0';
	struct sbuf wire, want;
	sbuf_init(&wire, FTP_REPLY_MAX);
	sbuf_init(&want, FTP_REPLY_MAX);
	fuzz_check(reply_format(&wire, code, text));
	expected_text(text, code, &want);

	struct reply_parser p;
	reply_parser_init(&p);
	const char *s = sbuf_str(&wire), *end = s + wire.len;
	enum reply_status st = REPLY_MORE;
	while (s < end) {
		const char *crlf = strstr(s, "\r\n");
		fuzz_check(crlf != NULL);
		fuzz_check(st == REPLY_MORE);   /* nothing after the end */
		st = reply_parser_feed(&p, s, (size_t)(crlf - s));
		s = crlf + 2;
	}
	if (st != REPLY_DONE || p.code != code)
		fuzz_fail("formatted reply parsed as status %d code %d, not %d", (int)st, p.code, code);
	if (p.text.len != want.len || memcmp(sbuf_str(&p.text), sbuf_str(&want), want.len) != 0)
		fuzz_fail("reply text changed on the way: \"%s\" -> \"%s\"", sbuf_str(&want),
			  sbuf_str(&p.text));
	reply_parser_free(&p);
	sbuf_free(&wire);
	sbuf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		round_trip(data + 1, size - 1);
	else
		parse_stream(data + 1, size - 1);
	return 0;
}
