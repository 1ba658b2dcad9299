/* sites: the saved servers ("sites") both front ends open by name
 * (`ferry @name`, `open @name`, the two-pane screen's site manager), and
 * the recent hosts the site manager offers.
 *
 * The sites file, $XDG_CONFIG_HOME/ferry/sites (~/.config/ferry/sites
 * when XDG_CONFIG_HOME is unset or not absolute), is plain text: a
 * section per site, "key = value" lines below it, '#' comments and blank
 * lines anywhere:
 *
 *     [work]
 *     url = ftpes://ftp.example.org:2121
 *     user = alice
 *     password = s3cret        (only when the user asked to keep it)
 *     tls = require            (auto, require, implicit, off)
 *     remote = /pub/incoming   (the remote folder to start in)
 *     local = /home/alice/up   (the local folder to start in)
 *     mode = passive           (passive, active)
 *
 * url (a host, or a URL whose user, password and path fill the fields
 * not given) is the only key a site needs; tls defaults to what the URL's
 * scheme says. Spaces around keys and values are dropped. The file is
 * written whole, with mode 0600 (it may hold passwords), comments not
 * kept. A file with a line that is none of these is refused with its
 * line number: nothing is guessed.
 *
 * The recent hosts, $XDG_STATE_HOME/ferry/recent (~/.local/state/...),
 * are URLs without passwords, newest first, one a line.
 *
 * Pure C and file I/O only; nothing printed, errors come back as text. */
#ifndef FERRY_SITES_H
#define FERRY_SITES_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"

/* Longest site name, NUL included. */
#define SITES_NAME_MAX 64
/* Longest host, user or password, NUL included. */
#define SITES_FIELD_MAX 256
/* Longest folder, NUL included. */
#define SITES_PATH_MAX 1024
/* Most sites a file holds. */
#define SITES_MAX 500
/* Largest sites file read, in bytes. */
#define SITES_FILE_MAX (1024 * 1024)
/* Recent hosts kept. */
#define SITES_RECENT_MAX 10
/* Longest error message, NUL included. */
#define SITES_ERR_MAX 512

/* What a site does about TLS: the connect dialog's four choices. */
enum sites_tls {
	SITES_TLS_AUTO,      /* ftp://: TLS when offered, else plain FTP (said so) */
	SITES_TLS_REQUIRE,   /* ftpes://: AUTH TLS or no connection */
	SITES_TLS_IMPLICIT,  /* ftps://: TLS from the first byte */
	SITES_TLS_OFF,       /* ftp://, plain FTP */
};

/* Data connections. */
enum sites_mode {
	SITES_MODE_DEFAULT,  /* as the command line says (--active) */
	SITES_MODE_PASSIVE,
	SITES_MODE_ACTIVE,
};

/* One site. */
struct site {
	char name[SITES_NAME_MAX];   /* non-empty; no '[', ']' or control bytes */
	char host[SITES_FIELD_MAX];  /* host name or address (IPv6 without brackets) */
	int port;                    /* 1..65535 */
	char user[SITES_FIELD_MAX];  /* "" = anonymous (or ~/.netrc's) */
	char pass[SITES_FIELD_MAX];  /* "" unless kept */
	enum sites_tls tls;
	char remote[SITES_PATH_MAX]; /* remote folder to start in, "" = the login's */
	char local[SITES_PATH_MAX];  /* local folder to start in, "" = where ferry started */
	enum sites_mode mode;
};

/* A sites file in memory. */
struct sites {
	struct site *v;   /* the sites, in file order */
	size_t n, cap;
};

/* Writes the sites file's path into buf; 0, or -1 with err. */
int sites_path(char *buf, size_t n, char *err, size_t errsz);
/* Writes the recent hosts file's path into buf; 0, or -1 with err. */
int sites_recent_path(char *buf, size_t n, char *err, size_t errsz);

/* Parses the text (len bytes) of a sites file into s (empty first).
 * Returns 0, or -1 with err ("line N: ...") and s empty. */
int sites_parse(struct sites *s, const char *text, size_t len, char *err, size_t errsz);
/* Reads the file at path into s; a missing file is no sites. 0, or -1 with err. */
int sites_load(struct sites *s, const char *path, char *err, size_t errsz);
/* Writes s in the file's format into out (sbuf-backed; caller frees with
 * free()); returns NULL if too large. */
char *sites_format(const struct sites *s);
/* Replaces the file at path with s (mode 0600). 0, or -1 with err. */
int sites_save(const struct sites *s, const char *path, char *err, size_t errsz);
/* Frees what s holds (passwords cleared); s is empty afterwards. */
void sites_free(struct sites *s);

/* The site called name, or NULL. */
const struct site *sites_find(const struct sites *s, const char *name);
/* Checks a site's fields: NULL, or a static message saying what is wrong. */
const char *sites_check(const struct site *site);
/* Adds site, or replaces the one called old_name (NULL: a new site).
 * Returns NULL, or a static message (a bad field, the name taken by
 * another site, too many sites). */
const char *sites_put(struct sites *s, const struct site *site, const char *old_name);
/* Removes the site called name; false if there is none. */
bool sites_remove(struct sites *s, const char *name);

/* Fills site from a URL or a host (the fields it names; scheme -> tls).
 * Returns NULL, or url_parse's message. */
const char *sites_set_url(struct site *site, const char *text);
/* The scheme a site connects with ("ftp", "ftpes", "ftps"). */
const char *sites_scheme(enum sites_tls tls);
/* The tls value's word ("auto", ...), and back (-1 for an unknown word). */
const char *sites_tls_name(enum sites_tls tls);
int sites_tls_parse(const char *word);
/* "scheme://host:port" (IPv6 in brackets), without user or password. */
void sites_url(const struct site *site, char *out, size_t outsz);
/* Fills u as url_parse would have for the site (strings owned by u: free
 * with url_free): scheme, host, port, user and password when set, the
 * remote folder as its path. */
void sites_to_url(const struct site *site, struct url *u);

/* Reads the recent hosts (at most SITES_RECENT_MAX) into out[] (each
 * URL_MAX bytes); returns how many. A missing or unreadable file is none. */
size_t sites_recent_load(const char *path, char out[][URL_MAX], size_t max);
/* Puts url first in the recent hosts file at path (dropping an equal
 * line and the oldest past SITES_RECENT_MAX). 0, or -1 with err. */
int sites_recent_add(const char *path, const char *url, char *err, size_t errsz);

#endif
