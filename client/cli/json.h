/* json: the --json output of the command line: one JSON object a line
 * (JSON Lines), built in a bounded buffer. Strings are written as UTF-8
 * with the escapes JSON requires; a byte that is not valid UTF-8 (a name
 * in another encoding) becomes U+FFFD, so every line is valid JSON. Pure
 * functions; the caller prints the line. */
#ifndef FERRY_JSON_H
#define FERRY_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sbuf.h"

/* One object being built: "{" ... "}". */
struct json {
	struct sbuf *out;  /* where the text goes */
	bool first;        /* no member written yet */
	bool ok;           /* everything fitted */
};

/* Starts an object in out (reset first). */
void json_begin(struct json *j, struct sbuf *out);
/* Adds "key": "value" (value NULL: null). */
void json_string(struct json *j, const char *key, const char *value);
/* Adds "key": number. */
void json_int(struct json *j, const char *key, intmax_t value);
/* Adds "key": number with up to three decimals. */
void json_real(struct json *j, const char *key, double value);
/* Adds "key": true or false. */
void json_bool(struct json *j, const char *key, bool value);
/* Adds "key": "YYYY-MM-DDTHH:MM:SSZ" (UTC), or null for 0. */
void json_time(struct json *j, const char *key, time_t t);
/* Adds "key": [ and returns; each json_item_begin/json_item_end pair
 * inside is one object of the array; json_array_end closes it. */
void json_array_begin(struct json *j, const char *key);
void json_item_begin(struct json *j);
void json_item_end(struct json *j);
void json_array_end(struct json *j);
/* Closes the object; false if it did not fit in out's maximum. */
bool json_end(struct json *j);
/* Appends s as a JSON string (with quotes) to out; false if it did not fit. */
bool json_quote(struct sbuf *out, const char *s);

#endif
