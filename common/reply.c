/* reply: FTP reply formatting and parsing. */
#include "config.h"

#include <string.h>

#include "ftp_limits.h"
#include "reply.h"

/* True if the line starts like a final reply line: three digits and a
 * space, or three digits alone (an end to clients more lenient than
 * reply_parser_feed). */
static bool looks_final(const char *s, size_t n)
{
	return n >= 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	       s[2] >= '0' && s[2] <= '9' && (n == 3 || s[3] == ' ');
}

/* Appends n bytes of text with control bytes replaced. */
static bool append_clean(struct sbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char ch = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (!sbuf_append(out, &ch, 1))
			return false;
	}
	return true;
}

bool reply_format(struct sbuf *out, int code, const char *text)
{
	size_t start = out->len;
	const char *nl = strchr(text, '\n');
	bool ok;

	if (code < 100 || code > 599)
		code = 500;
	if (nl == NULL) {
		ok = sbuf_printf(out, "%03d ", code) &&
		     append_clean(out, text, strlen(text)) && sbuf_puts(out, "\r\n");
	} else {
		ok = sbuf_printf(out, "%03d-", code) &&
		     append_clean(out, text, (size_t)(nl - text)) && sbuf_puts(out, "\r\n");
		const char *line = nl + 1;
		while (ok) {
			nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);
			if (nl == NULL) {
				ok = sbuf_printf(out, "%03d ", code) &&
				     append_clean(out, line, n) && sbuf_puts(out, "\r\n");
				break;
			}
			if (looks_final(line, n))
				ok = sbuf_puts(out, " ");
			ok = ok && append_clean(out, line, n) && sbuf_puts(out, "\r\n");
			line = nl + 1;
		}
	}
	if (!ok) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return ok;
}

void reply_parser_init(struct reply_parser *p)
{
	p->code = 0;
	p->multi = false;
	p->lines = 0;
	sbuf_init(&p->text, FTP_REPLY_MAX);
}

void reply_parser_free(struct reply_parser *p)
{
	sbuf_free(&p->text);
}

/* Reads a three-digit code from s, or returns 0: also for a first digit
 * other than 1 to 5, which no reply has (RFC 959 4.2). */
static int line_code(const char *s, size_t n)
{
	if (n < 3 || s[0] < '1' || s[0] > '5')
		return 0;
	for (int i = 1; i < 3; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

enum reply_status reply_parser_feed(struct reply_parser *p, const char *line, size_t len)
{
	if (!p->multi) {
		/* First line of a new reply. */
		int code = line_code(line, len);
		if (code == 0 || (len > 3 && line[3] != ' ' && line[3] != '-'))
			return REPLY_BAD;
		p->code = code;
		p->lines = 1;
		sbuf_reset(&p->text);
		size_t skip = len > 3 ? 4 : 3;
		if (!sbuf_append(&p->text, line + skip, len - skip))
			return REPLY_TOO_LONG;
		if (len > 3 && line[3] == '-') {
			p->multi = true;
			return REPLY_MORE;
		}
		return REPLY_DONE;
	}
	if (++p->lines > FTP_REPLY_LINES_MAX)
		return REPLY_TOO_MANY;
	/* Inside a multi-line reply: the end is "code " (RFC 959 4.2). A bare
	 * "code" is an inner line: taken as the end, the real last line
	 * would be read as the reply to the next command. */
	if (line_code(line, len) == p->code && len > 3 && line[3] == ' ') {
		p->multi = false;
		if (len > 4 && !(sbuf_puts(&p->text, "\n") &&
				 sbuf_append(&p->text, line + 4, len - 4)))
			return REPLY_TOO_LONG;
		return REPLY_DONE;
	}
	/* Inner line: keep it, minus the "code-" prefix some servers repeat. */
	size_t skip = 0;
	if (line_code(line, len) == p->code && len > 3 && line[3] == '-')
		skip = 4;
	else if (len > 0 && line[0] == ' ')
		skip = 1;
	if (!(sbuf_puts(&p->text, "\n") && sbuf_append(&p->text, line + skip, len - skip)))
		return REPLY_TOO_LONG;
	return REPLY_MORE;
}
