/* sanitize: makes untrusted text (remote names, server messages, client
 * commands) safe to show on a terminal or write to a log. Control bytes
 * (C0, DEL, and the C1 range as UTF-8) become '?'; invalid UTF-8 bytes
 * become '?'; valid UTF-8 is kept. */
#ifndef FERRY_SANITIZE_H
#define FERRY_SANITIZE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Writes a sanitised copy of in (n bytes) into out (outsz bytes, always
 * NUL-terminated, truncated at a character boundary). Returns out. */
char *sanitize_text(const char *in, size_t n, char *out, size_t outsz);

/* Length of the valid UTF-8 character at s (n bytes available): 1 to 4,
 * or 0 when it is not valid UTF-8 or is a C1 control (U+0080-U+009F). */
size_t sanitize_utf8_len(const unsigned char *s, size_t n);

/* True when the first window bytes of a text of len bytes look binary: a
 * NUL byte or bytes that are not UTF-8 (C1 controls count as text). A
 * character cut by the window's end is not held against the text, nor one
 * cut by the text's own end: that one shows as '?'. */
bool sanitize_binary(const char *text, size_t len, size_t window);

/* Like sanitize_text, but a text longer than max bytes (or than fits in
 * outsz) keeps its start and its end, joined by "...", at character
 * boundaries: a message about a long path still ends in its reason. */
char *sanitize_text_elided(const char *in, size_t n, char *out, size_t outsz, size_t max);

/* Formats fmt as printf would, whole whatever its length, then copies the
 * text into out as sanitize_text_elided does. Returns out. */
char *sanitize_format_elided(char *out, size_t outsz, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
char *sanitize_vformat_elided(char *out, size_t outsz, size_t max, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Length of the UTF-8 byte order mark at the start of a text file (n
 * bytes available), as some editors write it: 3, or 0 when there is
 * none. Files read at start-up skip it. */
size_t sanitize_bom_len(const char *text, size_t n);

#endif
