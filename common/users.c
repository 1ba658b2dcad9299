/* users: users file parsing (see users.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "strset.h"
#include "sysio.h"
#include "users.h"
#include "xalloc.h"

/* Most fields on a line. */
#define USERS_FIELDS 5
/* Highest rate accepted: 1 TiB/s. */
#define USERS_RATE_MAX (1LL << 40)

void users_entry_free(struct user_entry *e)
{
	free(e->name);
	free(e->hash);
	free(e->home);
	memset(e, 0, sizeof *e);
}

bool users_parse_rate(const char *text, size_t n, long long *out)
{
	long long v = 0;
	size_t i = 0;
	for (; i < n && text[i] >= '0' && text[i] <= '9'; i++) {
		v = v * 10 + (text[i] - '0');
		if (v > USERS_RATE_MAX)
			return false;
	}
	if (i == 0)
		return false;
	if (i + 1 == n) {
		static const char units[] = "KMG";
		const char *u = memchr(units, text[i] & ~0x20, 3);
		if (u == NULL)
			return false;
		for (long k = 0; k <= u - units; k++) {
			if (v > USERS_RATE_MAX / 1024)
				return false;
			v *= 1024;
		}
		i++;
	}
	if (i != n || v > USERS_RATE_MAX)
		return false;
	*out = v;
	return true;
}

/* True if the n bytes at p hold a control character. */
static bool has_control(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < ' ' || p[i] == 0x7f)
			return true;
	return false;
}

int users_parse_line(const char *line, struct user_entry *e, const char **err)
{
	memset(e, 0, sizeof *e);
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	const char *p = line;
	while (p < line + len && (*p == ' ' || *p == '\t'))
		p++;
	if (p == line + len || *p == '#')
		return 0;

	/* Split into at most USERS_FIELDS fields. */
	const char *field[USERS_FIELDS] = { NULL };
	size_t flen[USERS_FIELDS] = { 0 };
	int nf = 0;
	const char *s = line;
	const char *end = line + len;
	while (nf < USERS_FIELDS) {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		field[nf] = s;
		flen[nf] = colon ? (size_t)(colon - s) : (size_t)(end - s);
		nf++;
		if (colon == NULL)
			break;
		s = colon + 1;
		if (nf == USERS_FIELDS) {
			*err = "too many ':' separated fields";
			return -1;
		}
	}
	if (nf < 2) {
		*err = "expected name:hash[:home[:ro|rw[:rate]]]";
		return -1;
	}
	if (flen[0] == 0) {
		*err = "empty user name";
		return -1;
	}
	for (size_t i = 0; i < flen[0]; i++) {
		unsigned char c = (unsigned char)field[0][i];
		if (c <= ' ' || c == 0x7f) {
			*err = "user name holds a space or control character";
			return -1;
		}
	}
	if (flen[1] == 0) {
		*err = "empty password hash";
		return -1;
	}
	/* A CR inside a hash (an editor's stray line end) would lock the
	 * account without a word: say so at start-up instead. */
	if (has_control(field[1], flen[1])) {
		*err = "password hash holds a control character (a stray CR?)";
		return -1;
	}
	if (nf >= 3 && has_control(field[2], flen[2])) {
		*err = "home directory holds a control character";
		return -1;
	}
	bool writable = true;
	if (nf >= 4) {
		if (flen[3] == 2 && memcmp(field[3], "ro", 2) == 0)
			writable = false;
		else if (!(flen[3] == 2 && memcmp(field[3], "rw", 2) == 0)) {
			*err = "access must be ro or rw";
			return -1;
		}
	}
	long long rate = -1;
	if (nf == 5 && !users_parse_rate(field[4], flen[4], &rate)) {
		*err = "rate must be bytes per second, e.g. 500000 or 2M";
		return -1;
	}
	e->name = xstrndup(field[0], flen[0]);
	e->hash = xstrndup(field[1], flen[1]);
	e->home = nf >= 3 ? xstrndup(field[2], flen[2]) : xstrdup("");
	e->writable = writable;
	e->max_rate = rate;
	return 1;
}

static const char *index_key(const void *table, size_t i)
{
	const struct users *u = table;
	return u->index[i] != 0 ? u->v[u->index[i] - 1].name : NULL;
}

/* The index slot that holds name, or the free slot where it would go. */
static size_t index_slot(const struct users *u, const char *name)
{
	return strset_probe(u->index_size, name, index_key, u);
}

/* Makes the index at least twice as large as the entries (a rebuild
 * doubles it, so loading stays linear). */
static void index_grow(struct users *u)
{
	size_t size = strset_table_size(u->index_size, u->n);
	if (size == u->index_size)
		return;
	free(u->index);
	u->index = xcalloc(size, sizeof *u->index);
	u->index_size = size;
	for (size_t k = 0; k < u->n; k++)
		u->index[index_slot(u, u->v[k].name)] = k + 1;
}

const struct user_entry *users_find(const struct users *u, const char *name)
{
	if (u->index_size == 0)
		return NULL;
	size_t slot = u->index[index_slot(u, name)];
	return slot ? &u->v[slot - 1] : NULL;
}

void users_free(struct users *u)
{
	for (size_t i = 0; i < u->n; i++)
		users_entry_free(&u->v[i]);
	free(u->v);
	free(u->index);
	memset(u, 0, sizeof *u);
}

bool users_load(const char *path, struct users *u, char *err, size_t errsz)
{
	memset(u, 0, sizeof *u);
	/* Only a regular file is read: a FIFO must not stop the start or a
	 * reload, and a device such as /dev/zero has no end. */
	const char *unreadable = NULL;
	FILE *f = sysio_fopen_regular(path, &unreadable);
	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, unreadable);
		return false;
	}
	char *line = NULL;
	size_t linecap = 0;
	ssize_t got;
	unsigned lineno = 0;
	while ((got = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)got;
		if (memchr(line, '\0', len) != NULL) {
			snprintf(err, errsz, "%s:%u: NUL byte in the line", path, lineno);
			goto fail;
		}
		if (len - (len > 0 && line[len - 1] == '\n') > USERS_LINE_MAX) {
			snprintf(err, errsz, "%s:%u: line too long (more than %d bytes)", path, lineno,
				 USERS_LINE_MAX);
			goto fail;
		}
		struct user_entry e;
		const char *why = NULL;
		/* A UTF-8 byte order mark is not the first name's. */
		size_t skip = lineno == 1 ? sanitize_bom_len(line, len) : 0;
		int r = users_parse_line(line + skip, &e, &why);
		if (r == 0)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
		index_grow(u);
		size_t slot = index_slot(u, e.name);
		if (u->index[slot] != 0) {
			snprintf(err, errsz, "%s:%u: user '%s' appears twice", path, lineno, e.name);
			users_entry_free(&e);
			goto fail;
		}
		if (u->n == u->cap) {
			u->cap = u->cap ? 2 * u->cap : 64;
			u->v = xrealloc(u->v, u->cap * sizeof *u->v);
		}
		u->v[u->n++] = e;
		u->index[slot] = u->n;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		goto fail;
	}
	free(line);
	fclose(f);
	return true;
fail:
	free(line);
	fclose(f);
	users_free(u);
	return false;
}
