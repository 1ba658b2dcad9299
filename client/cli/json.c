/* json: JSON Lines output (see json.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "sanitize.h"

/* What a byte that is not UTF-8 becomes. */
static const char json_replacement[] = "\\ufffd";

bool json_quote(struct sbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	bool ok = sbuf_puts(out, "\"");

	for (size_t i = 0; i < n && ok;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			ok = sbuf_printf(out, "\\%c", c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			ok = sbuf_printf(out, "\\u%04x", c);
			i++;
		} else if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			ok = sbuf_printf(out, "\\u%04x", p[i + 1]);   /* a C1 control */
			i += 2;
		} else {
			size_t len = sanitize_utf8_len(p + i, n - i);
			ok = len > 0 ? sbuf_append(out, p + i, len) : sbuf_puts(out, json_replacement);
			i += len > 0 ? len : 1;
		}
	}
	return ok && sbuf_puts(out, "\"");
}

/* Writes the separator and "key": before a member. */
static void json_key(struct json *j, const char *key)
{
	if (!j->first)
		j->ok = j->ok && sbuf_puts(j->out, ",");
	j->first = false;
	if (key != NULL)
		j->ok = j->ok && json_quote(j->out, key) && sbuf_puts(j->out, ":");
}

void json_begin(struct json *j, struct sbuf *out)
{
	sbuf_reset(out);
	j->out = out;
	j->first = true;
	j->ok = sbuf_puts(out, "{");
}

void json_string(struct json *j, const char *key, const char *value)
{
	json_key(j, key);
	j->ok = j->ok && (value ? json_quote(j->out, value) : sbuf_puts(j->out, "null"));
}

void json_int(struct json *j, const char *key, intmax_t value)
{
	json_key(j, key);
	j->ok = j->ok && sbuf_printf(j->out, "%jd", value);
}

void json_real(struct json *j, const char *key, double value)
{
	json_key(j, key);
	j->ok = j->ok && sbuf_printf(j->out, "%.3f", value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	json_key(j, key);
	j->ok = j->ok && sbuf_puts(j->out, value ? "true" : "false");
}

void json_time(struct json *j, const char *key, time_t t)
{
	struct tm tm;
	char text[32];

	if (t == 0 || gmtime_r(&t, &tm) == NULL) {
		json_key(j, key);
		j->ok = j->ok && sbuf_puts(j->out, "null");
		return;
	}
	strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_string(j, key, text);
}

void json_array_begin(struct json *j, const char *key)
{
	json_key(j, key);
	j->ok = j->ok && sbuf_puts(j->out, "[");
	j->first = true;
}

void json_item_begin(struct json *j)
{
	json_key(j, NULL);
	j->ok = j->ok && sbuf_puts(j->out, "{");
	j->first = true;
}

void json_item_end(struct json *j)
{
	j->ok = j->ok && sbuf_puts(j->out, "}");
	j->first = false;
}

void json_array_end(struct json *j)
{
	j->ok = j->ok && sbuf_puts(j->out, "]");
	j->first = false;
}

bool json_end(struct json *j)
{
	j->ok = j->ok && sbuf_puts(j->out, "}");
	return j->ok;
}
