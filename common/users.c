/* users: users file parsing (see users.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "users.h"
#include "xalloc.h"

void users_entry_free(struct user_entry *e)
{
	free(e->name);
	free(e->hash);
	free(e->home);
	memset(e, 0, sizeof *e);
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

	/* Split into at most four fields. */
	const char *field[4] = { NULL, NULL, NULL, NULL };
	size_t flen[4] = { 0, 0, 0, 0 };
	int nf = 0;
	const char *s = line;
	const char *end = line + len;
	while (nf < 4) {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		field[nf] = s;
		flen[nf] = colon ? (size_t)(colon - s) : (size_t)(end - s);
		nf++;
		if (colon == NULL)
			break;
		s = colon + 1;
		if (nf == 4) {
			*err = "too many ':' separated fields";
			return -1;
		}
	}
	if (nf < 2) {
		*err = "expected name:hash[:home[:ro|rw]]";
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
	bool writable = true;
	if (nf == 4) {
		if (flen[3] == 2 && memcmp(field[3], "ro", 2) == 0)
			writable = false;
		else if (!(flen[3] == 2 && memcmp(field[3], "rw", 2) == 0)) {
			*err = "access must be ro or rw";
			return -1;
		}
	}
	e->name = xstrndup(field[0], flen[0]);
	e->hash = xstrndup(field[1], flen[1]);
	e->home = nf >= 3 ? xstrndup(field[2], flen[2]) : xstrdup("");
	e->writable = writable;
	return 1;
}

const struct user_entry *users_find(const struct users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i].name, name) == 0)
			return &u->v[i];
	return NULL;
}

void users_free(struct users *u)
{
	for (size_t i = 0; i < u->n; i++)
		users_entry_free(&u->v[i]);
	free(u->v);
	u->v = NULL;
	u->n = 0;
}

bool users_load(const char *path, struct users *u, char *err, size_t errsz)
{
	u->v = NULL;
	u->n = 0;
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return false;
	}
	char line[8192];
	unsigned lineno = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%u: line too long", path, lineno);
			goto fail;
		}
		struct user_entry e;
		const char *why = NULL;
		int r = users_parse_line(line, &e, &why);
		if (r == 0)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
		if (users_find(u, e.name) != NULL) {
			snprintf(err, errsz, "%s:%u: user '%s' appears twice", path, lineno, e.name);
			users_entry_free(&e);
			goto fail;
		}
		u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
		u->v[u->n++] = e;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	return true;
fail:
	fclose(f);
	users_free(u);
	return false;
}
