/* users: the ferryd users file.
 * One account per line: name:crypt-hash[:home[:ro|rw]]. Blank lines and
 * lines starting with '#' are ignored. home is relative to the server root
 * or absolute (default: the server root); ro/rw default to rw. This module
 * only parses; checking passwords is the server's auth module. */
#ifndef FERRY_USERS_H
#define FERRY_USERS_H

#include <stdbool.h>
#include <stddef.h>

struct user_entry {
	char *name;      /* login name */
	char *hash;      /* crypt(3) hash */
	char *home;      /* home directory as written ("" = server root) */
	bool writable;   /* may upload, delete, rename, make directories */
};

struct users {
	struct user_entry *v;  /* entries, in file order */
	size_t n;              /* number of entries */
};

/* Parses one line. Returns 1 and fills e (caller frees with
 * users_entry_free) for an account, 0 for a blank or comment line, -1 with
 * *err set to a static message for a malformed line. */
int users_parse_line(const char *line, struct user_entry *e, const char **err);
/* Frees the strings of one entry. */
void users_entry_free(struct user_entry *e);
/* Loads a whole file into u. On failure returns false with a message
 * "PATH:LINE: reason" in err. Duplicate names are an error. */
bool users_load(const char *path, struct users *u, char *err, size_t errsz);
/* Returns the entry named name, or NULL. */
const struct user_entry *users_find(const struct users *u, const char *name);
/* Frees all entries. */
void users_free(struct users *u);

#endif
