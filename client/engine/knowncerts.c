/* knowncerts: the trust-on-first-use store (see knowncerts.h). The file
 * is held as its lines, so writing it back keeps comments and lines this
 * version does not understand. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knowncerts.h"
#include "sbuf.h"
#include "userfile.h"
#include "xalloc.h"

struct knowncerts {
	char *path;    /* the file */
	char **lines;  /* its lines, without newlines */
	int nlines;    /* how many */
	int cap;       /* allocated slots */
	int bad;       /* lines that are not entries, comments or blank */
};

int knowncerts_path(char *buf, size_t n, char *err, size_t errsz)
{
	return userfile_path("XDG_DATA_HOME", ".local/share", "known_certs", buf, n, err, errsz);
}

/* Appends a copy of the n bytes at s as a line. */
static void add_line(struct knowncerts *kc, const char *s, size_t n)
{
	if (kc->nlines == kc->cap) {
		kc->cap = kc->cap ? kc->cap * 2 : 16;
		kc->lines = xrealloc(kc->lines, (size_t)kc->cap * sizeof *kc->lines);
	}
	kc->lines[kc->nlines++] = xstrndup(s, n);
}

struct knowncerts *knowncerts_load(const char *path, char *err, size_t errsz)
{
	struct sbuf b;
	sbuf_init(&b, KNOWNCERTS_FILE_MAX);
	if (userfile_read(path, &b, err, errsz) < 0) {
		sbuf_free(&b);
		return NULL;
	}
	struct knowncerts *kc = xcalloc(1, sizeof *kc);
	kc->path = xstrdup(path);
	const char *p = sbuf_str(&b), *end = p + b.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		add_line(kc, p, n);
		char key[KNOWNCERTS_KEY_SIZE], fp[FP_TEXT_SIZE];
		if (n > KNOWNCERTS_LINE_MAX || strlen(kc->lines[kc->nlines - 1]) != n ||
		    knowncerts_parse_line(kc->lines[kc->nlines - 1], key, fp) < 0)
			kc->bad++;
		p += n + (nl != NULL);
	}
	sbuf_free(&b);
	return kc;
}

void knowncerts_free(struct knowncerts *kc)
{
	if (!kc)
		return;
	for (int i = 0; i < kc->nlines; i++)
		free(kc->lines[i]);
	free(kc->lines);
	free(kc->path);
	free(kc);
}

int knowncerts_bad_lines(const struct knowncerts *kc)
{
	return kc->bad;
}

bool knowncerts_key(const char *host, int port, char *out, size_t n)
{
	if (!*host || port < 1 || port > 65535)
		return false;
	char low[KNOWNCERTS_KEY_SIZE - 10];
	size_t len = strlen(host);
	if (len >= sizeof low)
		return false;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c && (c <= ' ' || c == 0x7f || c == '[' || c == ']'))
			return false;
		low[i] = (char)tolower(c);
	}
	int w = snprintf(out, n, strchr(low, ':') ? "[%s]:%d" : "%s:%d", low, port);
	return w > 0 && (size_t)w < n;
}

int knowncerts_parse_line(const char *line, char key[KNOWNCERTS_KEY_SIZE], char fp[FP_TEXT_SIZE])
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || (*p == '\r' && p[1] == '\0'))
		return 0;
	/* "host:port" then one run of blanks, then the fingerprint. */
	const char *ks = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	size_t klen = (size_t)(p - ks);
	while (*p == ' ' || *p == '\t')
		p++;
	const char *fs = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\r')
		p++;
	size_t flen = (size_t)(p - fs);
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p || klen == 0 || klen >= KNOWNCERTS_KEY_SIZE || flen == 0 || flen >= 200)
		return -1;
	/* The key must be one this module would write. */
	char kbuf[KNOWNCERTS_KEY_SIZE], host[KNOWNCERTS_KEY_SIZE], fbuf[200];
	memcpy(kbuf, ks, klen);
	kbuf[klen] = '\0';
	memcpy(fbuf, fs, flen);
	fbuf[flen] = '\0';
	char *colon = strrchr(kbuf, ':');
	if (!colon || colon == kbuf)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || colon[1] == '+' || colon[1] == '-')
		return -1;
	*colon = '\0';
	const char *h = kbuf;
	size_t hlen = strlen(h);
	if (h[0] == '[') {
		if (hlen < 3 || h[hlen - 1] != ']')
			return -1;
		memcpy(host, h + 1, hlen - 2);
		host[hlen - 2] = '\0';
		if (!strchr(host, ':'))
			return -1;
	} else {
		if (strchr(h, ':'))
			return -1;
		memcpy(host, h, hlen + 1);
	}
	char canon[KNOWNCERTS_KEY_SIZE];
	if (port < 1 || port > 65535 || !knowncerts_key(host, (int)port, canon, sizeof canon) ||
	    !fp_canonical(fbuf, fp))
		return -1;
	memcpy(key, canon, strlen(canon) + 1);
	return 1;
}

/* The index of the first entry for key, or -1. */
static int find(const struct knowncerts *kc, const char *key, int from, char fp[FP_TEXT_SIZE])
{
	for (int i = from; i < kc->nlines; i++) {
		char k[KNOWNCERTS_KEY_SIZE];
		if (strlen(kc->lines[i]) <= KNOWNCERTS_LINE_MAX &&
		    knowncerts_parse_line(kc->lines[i], k, fp) == 1 && strcmp(k, key) == 0)
			return i;
	}
	return -1;
}

enum fp_match knowncerts_check(const struct knowncerts *kc, const char *host, int port,
			       const char *fp, const char **stored)
{
	static char found[FP_TEXT_SIZE];
	char key[KNOWNCERTS_KEY_SIZE];
	if (stored)
		*stored = NULL;
	if (!knowncerts_key(host, port, key, sizeof key) || find(kc, key, 0, found) < 0)
		return FP_UNKNOWN;
	/* Every entry for the server must agree: one that differs means the
	 * certificate changed at some point, which is never waved through. */
	int i = -1;
	char each[FP_TEXT_SIZE];
	while ((i = find(kc, key, i + 1, each)) >= 0) {
		if (strcmp(each, fp) != 0) {
			memcpy(found, each, sizeof found);
			if (stored)
				*stored = found;
			return FP_CHANGED;
		}
	}
	return FP_MATCH;
}

bool knowncerts_set(struct knowncerts *kc, const char *host, int port, const char *fp)
{
	char key[KNOWNCERTS_KEY_SIZE], canon[FP_TEXT_SIZE], old[FP_TEXT_SIZE];
	if (!knowncerts_key(host, port, key, sizeof key) || !fp_canonical(fp, canon) ||
	    strcmp(canon, fp) != 0)
		return false;
	char line[KNOWNCERTS_KEY_SIZE + FP_TEXT_SIZE + 1];
	snprintf(line, sizeof line, "%s %s", key, canon);
	/* The first entry for the server is replaced, later ones dropped. */
	int first = find(kc, key, 0, old);
	if (first < 0) {
		add_line(kc, line, strlen(line));
		return true;
	}
	free(kc->lines[first]);
	kc->lines[first] = xstrdup(line);
	int i;
	while ((i = find(kc, key, first + 1, old)) >= 0) {
		free(kc->lines[i]);
		memmove(kc->lines + i, kc->lines + i + 1,
			(size_t)(kc->nlines - i - 1) * sizeof *kc->lines);
		kc->nlines--;
	}
	return true;
}

int knowncerts_save(struct knowncerts *kc, char *err, size_t errsz)
{
	struct sbuf b;
	sbuf_init(&b, (size_t)KNOWNCERTS_FILE_MAX * 2);
	bool fits = true;
	for (int i = 0; i < kc->nlines && fits; i++)
		fits = sbuf_puts(&b, kc->lines[i]) && sbuf_puts(&b, "\n");
	int rc = -1;
	if (!fits)
		snprintf(err, errsz, "known_certs would be too large");
	else
		rc = userfile_save(kc->path, sbuf_str(&b), b.len, err, errsz);
	sbuf_free(&b);
	return rc;
}
