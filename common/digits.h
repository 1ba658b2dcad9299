/* digits: integers written as ASCII digits at a pointer, without printf,
 * for the lines a listing writes per entry (sizes, unique facts). The
 * result is not NUL-terminated: callers place it inside a line. */
#ifndef FERRY_DIGITS_H
#define FERRY_DIGITS_H

#include <stddef.h>
#include <stdint.h>

/* The longest result: '-' and the 20 digits of a 64-bit number. */
#define DIGITS_MAX 21

/* Writes v at p in base 10 or 16 (lower case); returns the digits
 * written (at most DIGITS_MAX - 1). */
size_t digits_uint(char *p, uintmax_t v, unsigned base);
/* Writes v at p in decimal, after a '-' when negative; returns the bytes
 * written (at most DIGITS_MAX). */
size_t digits_int(char *p, intmax_t v);

#endif
