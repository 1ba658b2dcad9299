/* settings: the tunable values of a connection (see settings.h). Each row
 * names its kind of value; one parser and one printer per kind, and the
 * row's field found by its offset in struct ftp_settings. The TLS options
 * are read and shown by the TLS module (tlsclient.h), which owns their
 * words. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "human.h"
#include "settings.h"

/* The kinds of value a setting takes. */
enum settings_kind {
	SETTINGS_BOOL,     /* on/off */
	SETTINGS_SECONDS,  /* a duration in seconds, kept in milliseconds (int) */
	SETTINGS_COUNT,    /* a count from 0 to SETTINGS_RETRY_MAX (int) */
	SETTINGS_RATE,     /* bytes per second with an optional K, M or G (off_t) */
	SETTINGS_TLS,      /* a TLS option, read and shown by tlsclient.c (in tls) */
};

/* A row and where its value lives. */
struct settings_def {
	struct settings_row row;  /* what is listed */
	enum settings_kind kind;  /* how the value is read and shown */
	size_t offset;            /* offset of the field in struct ftp_settings */
};

static const struct settings_def settings_defs[] = {
	{ { "active", "on|off", "active mode: the server connects back (PORT/EPRT)" },
	  SETTINGS_BOOL, offsetof(struct ftp_settings, active) },
	{ { "timeout", "SECONDS", "longest wait to connect or for the server" },
	  SETTINGS_SECONDS, offsetof(struct ftp_settings, timeout_ms) },
	{ { "retry", "N", "retries after a failed connect or a broken transfer" },
	  SETTINGS_COUNT, offsetof(struct ftp_settings, retries) },
	{ { "limit-rate", "RATE", "most bytes per second (K, M, G: binary units; 0: no limit)" },
	  SETTINGS_RATE, offsetof(struct ftp_settings, rate) },
	{ { "min-rate", "RATE", "fewest bytes per second over each timeout (0: no bound)" },
	  SETTINGS_RATE, offsetof(struct ftp_settings, min_rate) },
	{ { "preserve", "on|off", "downloads keep the server's file times, uploads set them" },
	  SETTINGS_BOOL, offsetof(struct ftp_settings, preserve) },
	{ { "iac", "on|off", "send 0xFF in names doubled, as RFC 854 says" },
	  SETTINGS_BOOL, offsetof(struct ftp_settings, telnet_iac) },
	{ { "tls", "auto|require|off", "ftp:// with TLS: when offered, always, or never" },
	  SETTINGS_TLS, offsetof(struct ftp_settings, tls) },
	{ { "ca-file", "FILE", "trust the CAs in FILE instead of the system's" },
	  SETTINGS_TLS, offsetof(struct ftp_settings, tls) },
	{ { "trust-fingerprint", "SHA256:...", "trust exactly this server certificate" },
	  SETTINGS_TLS, offsetof(struct ftp_settings, tls) },
	{ { "insecure", "on|off", "do not check certificates (warns every time)" },
	  SETTINGS_BOOL, offsetof(struct ftp_settings, tls.insecure) },
	{ { "tls-max", "1.2|1.3|any", "the highest TLS version offered" },
	  SETTINGS_TLS, offsetof(struct ftp_settings, tls) },
};
#define SETTINGS_N (sizeof settings_defs / sizeof settings_defs[0])

/* The words for on and off. */
static const char *const settings_on[] = { "on", "yes", "true", "1" };
static const char *const settings_off[] = { "off", "no", "false", "0" };

void settings_init(struct ftp_settings *s)
{
	memset(s, 0, sizeof *s);
	s->telnet_iac = true;
	s->timeout_ms = FTP_DEFAULT_TIMEOUT_MS;
	s->preserve = true;
	tlsc_options_init(&s->tls);
}

const struct settings_row *settings_rows(size_t *n)
{
	static struct settings_row rows[SETTINGS_N];
	for (size_t i = 0; i < SETTINGS_N; i++)
		rows[i] = settings_defs[i].row;
	*n = SETTINGS_N;
	return rows;
}

/* The definition named name, or NULL. */
static const struct settings_def *settings_find(const char *name)
{
	for (size_t i = 0; i < SETTINGS_N; i++)
		if (strcmp(settings_defs[i].row.name, name) == 0)
			return &settings_defs[i];
	return NULL;
}

/* Reads on/off; false if value is neither. */
static bool settings_bool(const char *value, bool *out)
{
	for (size_t i = 0; i < sizeof settings_on / sizeof settings_on[0]; i++) {
		if (strcasecmp(value, settings_on[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(value, settings_off[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

const char *settings_set(struct ftp_settings *s, const char *name, const char *value)
{
	const struct settings_def *d = settings_find(name);
	char *field, *end;

	if (d == NULL)
		return "no such setting";
	field = (char *)s + d->offset;
	switch (d->kind) {
	case SETTINGS_BOOL:
		if (!settings_bool(value, (bool *)field))
			return "the value must be on or off";
		return NULL;
	case SETTINGS_SECONDS: {
		errno = 0;
		double secs = strtod(value, &end);
		if (errno != 0 || end == value || *end != '\0' || !isfinite(secs) || secs <= 0 ||
		    secs > SETTINGS_TIMEOUT_MAX)
			return "the value must be a number of seconds above 0 (at most a day)";
		int ms = (int)ceil(secs * 1000.0);
		*(int *)field = ms;
		return NULL;
	}
	case SETTINGS_COUNT: {
		int n = human_parse_count(value, 0, SETTINGS_RETRY_MAX);
		if (n < 0)
			return "the value must be a whole number from 0 to 100";
		*(int *)field = n;
		return NULL;
	}
	case SETTINGS_RATE:
		if (!human_parse_size(value, (off_t *)field))
			return "the value must be a number of bytes per second, with K, M or G";
		return NULL;
	case SETTINGS_TLS: {
		/* The message names the option; it lives until the next call. */
		static _Thread_local char err[256];
		return tlsc_option(&s->tls, name, value, err, sizeof err) == 0 ? NULL : err;
	}
	}
	return "no such setting";
}

bool settings_show(const struct ftp_settings *s, const char *name, char *out, size_t outsz)
{
	const struct settings_def *d = settings_find(name);
	if (d == NULL)
		return false;
	const char *field = (const char *)s + d->offset;
	switch (d->kind) {
	case SETTINGS_BOOL:
		snprintf(out, outsz, "%s", *(const bool *)field ? "on" : "off");
		break;
	case SETTINGS_SECONDS:
		snprintf(out, outsz, "%g", *(const int *)field / 1000.0);
		break;
	case SETTINGS_COUNT:
		snprintf(out, outsz, "%d", *(const int *)field);
		break;
	case SETTINGS_RATE:
		human_format_size(*(const off_t *)field, out, outsz);
		break;
	case SETTINGS_TLS:
		tlsc_option_show(&s->tls, name, out, outsz);
		break;
	}
	return true;
}

void settings_apply(const struct ftp_settings *s, struct ftp *f)
{
	ftp_set_timeout(f, s->timeout_ms);
	ftp_set_telnet_iac(f, s->telnet_iac);
	ftp_set_active(f, s->active);
	ftp_set_retry(f, s->retries);
	ftp_set_rate_limit(f, s->rate);
	ftp_set_min_rate(f, s->min_rate);
	ftp_set_tls(f, &s->tls);
}
