/* sites: the sites file and the recent hosts (see sites.h). A file is
 * parsed a line at a time into a section's site; each key is a row of
 * one table (name, what it sets), so parsing and writing follow the same
 * list. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ftp.h"
#include "sbuf.h"
#include "sites.h"
#include "tlsclient.h"
#include "userfile.h"
#include "xalloc.h"

/* Longest line of a sites file, in bytes. */
#define SITES_LINE_MAX 4096

int sites_path(char *buf, size_t n, char *err, size_t errsz)
{
	return userfile_path("XDG_CONFIG_HOME", ".config", "sites", buf, n, err, errsz);
}

int sites_recent_path(char *buf, size_t n, char *err, size_t errsz)
{
	return userfile_path("XDG_STATE_HOME", ".local/state", "recent", buf, n, err, errsz);
}

/* The TLS choices: the word in the file, the scheme used. */
static const struct {
	const char *word;
	const char *scheme;
} sites_tls_words[] = {
	[SITES_TLS_AUTO] = { "auto", "ftp" },
	[SITES_TLS_REQUIRE] = { "require", "ftpes" },
	[SITES_TLS_IMPLICIT] = { "implicit", "ftps" },
	[SITES_TLS_OFF] = { "off", "ftp" },
};
#define SITES_TLS_COUNT (sizeof sites_tls_words / sizeof sites_tls_words[0])

const char *sites_scheme(enum sites_tls tls)
{
	return (size_t)tls < SITES_TLS_COUNT ? sites_tls_words[tls].scheme : "ftp";
}

const char *sites_tls_name(enum sites_tls tls)
{
	return (size_t)tls < SITES_TLS_COUNT ? sites_tls_words[tls].word : "auto";
}

int sites_tls_parse(const char *word)
{
	for (size_t i = 0; i < SITES_TLS_COUNT; i++)
		if (strcasecmp(word, sites_tls_words[i].word) == 0)
			return (int)i;
	return -1;
}

/* The data connection words. */
static const char *const sites_mode_words[] = {
	[SITES_MODE_DEFAULT] = "default", [SITES_MODE_PASSIVE] = "passive",
	[SITES_MODE_ACTIVE] = "active",
};
#define SITES_MODE_COUNT (sizeof sites_mode_words / sizeof sites_mode_words[0])

/* True when s holds a control byte (a value that cannot go on one line). */
static bool sites_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Copies value into a field of size bytes; a static message when it does not fit. */
static const char *sites_copy(char *field, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return "too long";
	if (sites_has_control(value))
		return "control characters are not allowed";
	memcpy(field, value, strlen(value) + 1);
	return NULL;
}

const char *sites_set_url(struct site *site, const char *text)
{
	struct url u;
	const char *err = url_parse(text, &u);
	if (err != NULL)
		return err;
	err = sites_copy(site->host, sizeof site->host, u.host);
	if (err == NULL && u.user != NULL)
		err = sites_copy(site->user, sizeof site->user, u.user);
	if (err == NULL && u.pass != NULL)
		err = sites_copy(site->pass, sizeof site->pass, u.pass);
	if (err == NULL && u.path != NULL)
		err = sites_copy(site->remote, sizeof site->remote, u.path);
	if (err == NULL) {
		site->port = u.port;
		if (strcmp(u.scheme, "ftps") == 0)
			site->tls = SITES_TLS_IMPLICIT;
		else if (strcmp(u.scheme, "ftpes") == 0)
			site->tls = SITES_TLS_REQUIRE;
		else if (site->tls != SITES_TLS_OFF)
			site->tls = SITES_TLS_AUTO;
	}
	url_free(&u);
	return err;
}

/* ---- keys ---- */

/* Sets one key of a site from its value; NULL or a static message. */
typedef const char *(*sites_setter)(struct site *s, const char *value);

static const char *sites_key_url(struct site *s, const char *v) { return sites_set_url(s, v); }
static const char *sites_key_user(struct site *s, const char *v)
{
	return sites_copy(s->user, sizeof s->user, v);
}
static const char *sites_key_pass(struct site *s, const char *v)
{
	return sites_copy(s->pass, sizeof s->pass, v);
}
static const char *sites_key_remote(struct site *s, const char *v)
{
	return sites_copy(s->remote, sizeof s->remote, v);
}
static const char *sites_key_local(struct site *s, const char *v)
{
	return sites_copy(s->local, sizeof s->local, v);
}
static const char *sites_key_tls(struct site *s, const char *v)
{
	int t = sites_tls_parse(v);
	if (t < 0)
		return "tls is auto, require, implicit or off";
	s->tls = (enum sites_tls)t;
	return NULL;
}
static const char *sites_key_mode(struct site *s, const char *v)
{
	for (size_t i = 0; i < SITES_MODE_COUNT; i++)
		if (strcasecmp(v, sites_mode_words[i]) == 0) {
			s->mode = (enum sites_mode)i;
			return NULL;
		}
	return "mode is passive, active or default";
}

/* The keys, in the order they are written. url comes first so the keys
 * after it override what the URL says. */
static const struct {
	const char *key;
	sites_setter set;
} sites_keys[] = {
	{ "url", sites_key_url }, { "user", sites_key_user }, { "password", sites_key_pass },
	{ "tls", sites_key_tls }, { "remote", sites_key_remote }, { "local", sites_key_local },
	{ "mode", sites_key_mode },
};
#define SITES_KEYS (sizeof sites_keys / sizeof sites_keys[0])

/* ---- the set of sites ---- */

const struct site *sites_find(const struct sites *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

const char *sites_check(const struct site *site)
{
	if (site->name[0] == '\0')
		return "a site needs a name";
	if (strpbrk(site->name, "[]") != NULL || sites_has_control(site->name))
		return "a site's name may not hold '[', ']' or control characters";
	if (isspace((unsigned char)site->name[0]) ||
	    isspace((unsigned char)site->name[strlen(site->name) - 1]))
		return "a site's name may not start or end with a space";
	if (site->host[0] == '\0')
		return "a site needs a host (url = ...)";
	if (site->port < 1 || site->port > 65535)
		return "the port is 1 to 65535";
	const char *fields[] = { site->host, site->user, site->pass, site->remote, site->local };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (sites_has_control(fields[i]))
			return "control characters are not allowed";
	return NULL;
}

const char *sites_put(struct sites *s, const struct site *site, const char *old_name)
{
	const char *err = sites_check(site);
	if (err != NULL)
		return err;
	const struct site *same = sites_find(s, site->name);
	if (same != NULL && (old_name == NULL || strcmp(old_name, site->name) != 0))
		return "another site has that name";
	struct site *slot = old_name ? (struct site *)sites_find(s, old_name) : NULL;
	if (slot == NULL) {
		if (s->n >= SITES_MAX)
			return "too many sites";
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8;
			s->v = xrealloc(s->v, s->cap * sizeof *s->v);
		}
		slot = &s->v[s->n++];
	}
	*slot = *site;
	return NULL;
}

bool sites_remove(struct sites *s, const char *name)
{
	struct site *slot = (struct site *)sites_find(s, name);
	if (slot == NULL)
		return false;
	size_t i = (size_t)(slot - s->v);
	explicit_bzero(slot->pass, sizeof slot->pass);
	memmove(slot, slot + 1, (s->n - i - 1) * sizeof *slot);
	s->n--;
	return true;
}

void sites_free(struct sites *s)
{
	if (s->v != NULL)
		explicit_bzero(s->v, s->cap * sizeof *s->v);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- the file ---- */

/* The text of a line without the blanks around it (in place). */
static char *sites_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Ends the section being read: checks it and adds it. */
static const char *sites_close(struct sites *s, struct site *cur, bool open)
{
	if (!open)
		return NULL;
	if (cur->host[0] == '\0')
		return "this site has no url";
	return sites_put(s, cur, NULL);
}

/* Reads one line into the section being read (the one before a new
 * section was closed already). */
static const char *sites_line(struct sites *s, struct site *cur, bool *open, char *line)
{
	char *t = sites_trim(line);
	if (*t == '\0' || *t == '#')
		return NULL;
	if (*t == '[') {
		size_t n = strlen(t);
		if (t[n - 1] != ']')
			return "a section is [name]";
		t[n - 1] = '\0';
		memset(cur, 0, sizeof *cur);
		cur->port = FTP_DEFAULT_PORT;
		char *name = sites_trim(t + 1);
		if (strlen(name) >= sizeof cur->name)
			return "the site's name is too long";
		memcpy(cur->name, name, strlen(name) + 1);
		*open = true;
		return sites_find(s, cur->name) ? "a second site with this name" : NULL;
	}
	char *eq = strchr(t, '=');
	if (eq == NULL)
		return "a line is [name], key = value, a comment (#) or blank";
	*eq = '\0';
	char *key = sites_trim(t), *value = sites_trim(eq + 1);
	if (!*open)
		return "a key before the first [name]";
	for (size_t i = 0; i < SITES_KEYS; i++)
		if (strcasecmp(key, sites_keys[i].key) == 0)
			return sites_keys[i].set(cur, value);
	return "unknown key (url, user, password, tls, remote, local, mode)";
}

int sites_parse(struct sites *s, const char *text, size_t len, char *err, size_t errsz)
{
	struct site cur;
	bool open = false;
	const char *why = NULL;
	size_t lineno = 0;
	size_t section = 0;   /* the line of the section being read */
	const char *p = text, *end = text + len;
	memset(s, 0, sizeof *s);
	memset(&cur, 0, sizeof cur);
	char *line = xmalloc(SITES_LINE_MAX);
	while (p < end && why == NULL) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n >= SITES_LINE_MAX)
			why = "line too long";
		else if (memchr(p, '\0', n) != NULL)
			why = "a NUL byte";
		else {
			memcpy(line, p, n);
			line[n] = '\0';
			if (n > 0 && line[n - 1] == '\r')
				line[n - 1] = '\0';
			/* A section's own errors name its [name] line. */
			if (*sites_trim(line) == '[' && (why = sites_close(s, &cur, open)) != NULL)
				lineno = section;
			else if (*sites_trim(line) == '[')
				section = lineno;
			if (why == NULL)
				why = sites_line(s, &cur, &open, line);
		}
		p += n + (nl != NULL);
	}
	if (why == NULL && (why = sites_close(s, &cur, open)) != NULL)
		lineno = section;
	explicit_bzero(&cur, sizeof cur);
	free(line);
	if (why == NULL)
		return 0;
	snprintf(err, errsz, "line %zu: %s", lineno, why);
	sites_free(s);
	return -1;
}

int sites_load(struct sites *s, const char *path, char *err, size_t errsz)
{
	struct sbuf b;
	char why[SITES_ERR_MAX];
	memset(s, 0, sizeof *s);
	sbuf_init(&b, SITES_FILE_MAX);
	int rc = userfile_read(path, &b, err, errsz);
	if (rc == 0 && sites_parse(s, sbuf_str(&b), b.len, why, sizeof why) < 0) {
		snprintf(err, errsz, "%s: %s", path, why);
		rc = -1;
	}
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	sbuf_free(&b);
	return rc;
}

void sites_url(const struct site *site, char *out, size_t outsz)
{
	bool v6 = strchr(site->host, ':') != NULL;
	snprintf(out, outsz, "%s://%s%s%s:%d", sites_scheme(site->tls), v6 ? "[" : "",
		 site->host, v6 ? "]" : "", site->port);
}

char *sites_format(const struct sites *s)
{
	struct sbuf b;
	char url[URL_MAX];
	bool ok = true;
	sbuf_init(&b, SITES_FILE_MAX);
	ok = sbuf_puts(&b, "# ferry sites: see ferry(1), SITES\n");
	for (size_t i = 0; i < s->n && ok; i++) {
		const struct site *st = &s->v[i];
		sites_url(st, url, sizeof url);
		ok = sbuf_printf(&b, "\n[%s]\nurl = %s\n", st->name, url);
		if (ok && st->user[0])
			ok = sbuf_printf(&b, "user = %s\n", st->user);
		if (ok && st->pass[0])
			ok = sbuf_printf(&b, "password = %s\n", st->pass);
		if (ok)
			ok = sbuf_printf(&b, "tls = %s\n", sites_tls_name(st->tls));
		if (ok && st->remote[0])
			ok = sbuf_printf(&b, "remote = %s\n", st->remote);
		if (ok && st->local[0])
			ok = sbuf_printf(&b, "local = %s\n", st->local);
		if (ok && st->mode != SITES_MODE_DEFAULT)
			ok = sbuf_printf(&b, "mode = %s\n", sites_mode_words[st->mode]);
	}
	char *out = ok ? xstrdup(sbuf_str(&b)) : NULL;
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	sbuf_free(&b);
	return out;
}

int sites_save(const struct sites *s, const char *path, char *err, size_t errsz)
{
	char *text = sites_format(s);
	if (text == NULL) {
		snprintf(err, errsz, "the sites would be too large for %s", path);
		return -1;
	}
	size_t len = strlen(text);
	int rc = userfile_save(path, text, len, err, errsz);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

void sites_to_url(const struct site *site, struct url *u)
{
	memset(u, 0, sizeof *u);
	u->scheme = sites_scheme(site->tls);
	u->host = xstrdup(site->host);
	u->port = site->port;
	u->user = site->user[0] ? xstrdup(site->user) : NULL;
	u->pass = site->pass[0] ? xstrdup(site->pass) : NULL;
	u->path = site->remote[0] ? xstrdup(site->remote) : NULL;
}

/* ---- recent hosts ---- */

size_t sites_recent_load(const char *path, char out[][URL_MAX], size_t max)
{
	struct sbuf b;
	char err[SITES_ERR_MAX];
	size_t n = 0;
	sbuf_init(&b, (size_t)SITES_RECENT_MAX * URL_MAX);
	if (userfile_read(path, &b, err, sizeof err) == 0) {
		const char *p = sbuf_str(&b), *end = p + b.len;
		while (p < end && n < max && n < SITES_RECENT_MAX) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (len > 0 && len < URL_MAX && memchr(p, '\0', len) == NULL) {
				memcpy(out[n], p, len);
				out[n][len] = '\0';
				n += !sites_has_control(out[n]);
			}
			p += len + (nl != NULL);
		}
	}
	sbuf_free(&b);
	return n;
}

int sites_recent_add(const char *path, const char *url, char *err, size_t errsz)
{
	if (strlen(url) >= URL_MAX || sites_has_control(url)) {
		snprintf(err, errsz, "not a URL that can be kept");
		return -1;
	}
	char (*old)[URL_MAX] = xcalloc(SITES_RECENT_MAX, URL_MAX);
	size_t n = sites_recent_load(path, old, SITES_RECENT_MAX);
	struct sbuf b;
	sbuf_init(&b, (size_t)(SITES_RECENT_MAX + 1) * (URL_MAX + 1));
	bool ok = sbuf_printf(&b, "%s\n", url);
	size_t kept = 1;
	for (size_t i = 0; i < n && ok && kept < SITES_RECENT_MAX; i++)
		if (strcmp(old[i], url) != 0) {
			ok = sbuf_printf(&b, "%s\n", old[i]);
			kept++;
		}
	int rc = ok ? userfile_save(path, sbuf_str(&b), b.len, err, errsz) : -1;
	if (!ok)
		snprintf(err, errsz, "the recent hosts do not fit");
	sbuf_free(&b);
	free(old);
	return rc;
}
