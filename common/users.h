/* users: the ferryd users file.
 * One account per line: name:crypt-hash[:home[:ro|rw[:rate]]]. Blank lines
 * and lines starting with '#' are ignored. home is relative to the server
 * root or absolute (default: the server root); ro/rw default to rw; rate
 * is the account's transfer limit in bytes per second (K, M, G suffixes;
 * 0 = none), replacing the server's --max-rate. Lines are at most
 * USERS_LINE_MAX bytes. This module only parses; checking passwords is
 * the server's auth module. */
#ifndef FERRY_USERS_H
#define FERRY_USERS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line, without its line end. */
#define USERS_LINE_MAX 8191

struct user_entry {
	char *name;      /* login name */
	char *hash;      /* crypt(3) hash */
	char *home;      /* home directory as written ("" = server root) */
	bool writable;   /* may upload, delete, rename, make directories */
	long long max_rate; /* bytes per second, 0 = no limit, -1 = not given */
};

struct users {
	struct user_entry *v;  /* entries, in file order */
	size_t n;              /* number of entries */
	size_t cap;            /* room in v */
	size_t *index;         /* hash table of entry numbers + 1 (0 = free) */
	size_t index_size;     /* its slots, a power of two, or 0 */
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
/* Parses a rate of n bytes at text: digits with an optional K, M or G
 * (binary multiples) into *out. False if malformed or above 1 TiB/s. */
bool users_parse_rate(const char *text, size_t n, long long *out);
/* Returns the entry named name, or NULL. */
const struct user_entry *users_find(const struct users *u, const char *name);
/* Frees all entries. */
void users_free(struct users *u);

#endif
