/* human: sizes, rates and times for people (see human.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"

/* Unit names, each 1024 times the one before. */
static const char *const human_units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
#define HUMAN_UNITS (sizeof human_units / sizeof human_units[0])
/* A value this large moves to the next unit, so at most three digits
 * stand before the point ("0.98 MB" rather than "1000 KB"). */
#define HUMAN_STEP_AT 1000.0
/* Longest time left shown, in seconds (99 hours). */
#define HUMAN_ETA_MAX (99.0 * 3600.0)

/* Writes v in the best unit with three significant digits and suffix. */
static char *human_scaled(double v, const char *suffix, char *out, size_t outsz)
{
	size_t u = 0;

	if (!(v >= 0) || !isfinite(v))
		v = 0;
	while (v >= HUMAN_STEP_AT && u + 1 < HUMAN_UNITS) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%.0f %s%s", v, human_units[0], suffix);
	else if (v < 10.0)
		snprintf(out, outsz, "%.2f %s%s", v, human_units[u], suffix);
	else if (v < 100.0)
		snprintf(out, outsz, "%.1f %s%s", v, human_units[u], suffix);
	else
		snprintf(out, outsz, "%.0f %s%s", v, human_units[u], suffix);
	return out;
}

char *human_mb(off_t bytes, char *out, size_t outsz)
{
	snprintf(out, outsz, "%.2f MB", (double)bytes / HUMAN_MB);
	return out;
}

char *human_size(off_t bytes, char *out, size_t outsz)
{
	if (bytes < 1000) {
		snprintf(out, outsz, "%jd B", (intmax_t)(bytes < 0 ? 0 : bytes));
		return out;
	}
	return human_scaled((double)bytes, "", out, outsz);
}

char *human_rate(double bytes_per_sec, char *out, size_t outsz)
{
	return human_scaled(bytes_per_sec, "/s", out, outsz);
}

char *human_seconds(double secs, char *out, size_t outsz)
{
	if (!(secs >= 0) || !isfinite(secs))
		secs = 0;
	if (secs < 100.0)
		snprintf(out, outsz, "%.2f s", secs);
	else
		snprintf(out, outsz, "%.0f s", secs);
	return out;
}

char *human_eta(double secs, char *out, size_t outsz)
{
	if (!(secs >= 0) || !isfinite(secs) || secs > HUMAN_ETA_MAX) {
		snprintf(out, outsz, "--:--");
		return out;
	}
	long s = (long)(secs + 0.5);
	if (s >= 3600)
		snprintf(out, outsz, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, outsz, "%ld:%02ld", s / 60, s % 60);
	return out;
}

/* The unit letters human_parse_size knows, each 1024 times the one before. */
static const char human_letters[] = "KMG";
/* Largest byte count read. */
#define HUMAN_PARSE_MAX 4611686018427387904.0

int human_parse_count(const char *s, int lo, int hi)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < lo || n > hi)
		return -1;
	return (int)n;
}

bool human_parse_size(const char *s, off_t *out)
{
	double v = 0, scale = 1;
	const char *p = s;
	bool digits = false;

	for (; *p >= '0' && *p <= '9'; p++, digits = true)
		v = v * 10 + (*p - '0');
	if (*p == '.') {
		double place = 0.1;
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true, place /= 10)
			v += (*p - '0') * place;
	}
	if (!digits)
		return false;
	const char *u = memchr(human_letters, toupper((unsigned char)*p), sizeof human_letters - 1);
	if (*p != '\0' && u != NULL) {
		for (const char *l = human_letters; l <= u; l++)
			scale *= 1024;
		p++;
		if (*p == 'B' || *p == 'b')
			p++;
	}
	if (*p != '\0' || v * scale > HUMAN_PARSE_MAX)
		return false;
	*out = (off_t)(v * scale + 0.5);
	return true;
}

char *human_format_size(off_t bytes, char *out, size_t outsz)
{
	size_t u = 0;
	off_t v = bytes;

	while (v != 0 && v % 1024 == 0 && u < sizeof human_letters - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%jd", (intmax_t)bytes);
	else
		snprintf(out, outsz, "%jd%c", (intmax_t)v, human_letters[u - 1]);
	return out;
}
