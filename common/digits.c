/* digits: integers as ASCII digits (see digits.h). */
#include "config.h"

#include "digits.h"

_Static_assert(sizeof(uintmax_t) <= 8, "DIGITS_MAX counts the digits of 64 bits");

size_t digits_uint(char *p, uintmax_t v, unsigned base)
{
	char tmp[DIGITS_MAX];
	size_t n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t digits_int(char *p, intmax_t v)
{
	if (v >= 0)
		return digits_uint(p, (uintmax_t)v, 10);
	*p = '-';
	return 1 + digits_uint(p + 1, -(uintmax_t)v, 10);
}
