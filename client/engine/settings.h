/* settings: what a user can tune about a connection, named once for both
 * front ends: the command line's long options and its `set` command, and
 * whatever the two-pane screen offers. One table row per setting (name,
 * kind of value, help), one parser per kind of value, and one function
 * that hands the values to an engine handle. Pure apart from
 * settings_apply; nothing is printed. */
#ifndef FERRY_SETTINGS_H
#define FERRY_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ftp.h"
#include "tlsclient.h"

/* Longest text settings_show writes for one value (a --ca-file path). */
#define SETTINGS_VALUE_MAX TLSC_PATH_MAX
/* Most retries a setting may ask for. */
#define SETTINGS_RETRY_MAX 100
/* Longest timeout, in seconds (a day). */
#define SETTINGS_TIMEOUT_MAX 86400

/* The values; settings_init gives the defaults. */
struct ftp_settings {
	bool active;      /* data connections by PORT/EPRT (the server connects back) */
	bool telnet_iac;  /* 0xFF in arguments sent doubled (RFC 854) */
	int timeout_ms;   /* longest wait to connect or for the server to answer or move data */
	int retries;      /* attempts after the first for connects and broken transfers */
	off_t rate;       /* most bytes per second a transfer moves; 0: no limit */
	off_t min_rate;   /* fewest bytes per second over each timeout; 0: none */
	bool preserve;    /* downloads keep the server's modification time, uploads set it */
	struct tlsc_options tls;  /* --tls, --ca-file, --trust-fingerprint, --insecure, --tls-max */
};

/* One setting, for listing them. */
struct settings_row {
	const char *name;   /* as `set` and the long option take it ("limit-rate") */
	const char *usage;  /* its value ("on|off", "SECONDS", "N", "RATE") */
	const char *help;   /* what it does, a few words */
};

/* Fills s with the defaults: passive, IAC doubled, 30 s, no retries,
 * no limit, times kept, TLS when the server offers it (auto), checked
 * against the system's CA store. */
void settings_init(struct ftp_settings *s);
/* Sets name to value (text as typed). Returns NULL, or a static message
 * saying what is wrong (s unchanged). */
const char *settings_set(struct ftp_settings *s, const char *name, const char *value);
/* Writes the value of name into out ("on", "30", "512K", ...); false for
 * an unknown name. */
bool settings_show(const struct ftp_settings *s, const char *name, char *out, size_t outsz);
/* The rows, in the order `set` lists them; *n gets their count. */
const struct settings_row *settings_rows(size_t *n);
/* Hands every value that is the engine's to f (the timeout, active mode,
 * IAC, retries, the rate limits and TLS). */
void settings_apply(const struct ftp_settings *s, struct ftp *f);

#endif
