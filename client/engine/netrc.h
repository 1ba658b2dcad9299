/* netrc: credentials from a ~/.netrc file, in the format ftp(1) and curl
 * read: "machine HOST login NAME password SECRET" entries, a "default"
 * entry that fits any host, "account" values and "macdef" macros (both
 * skipped), tokens separated by blanks or line breaks, tokens in
 * double quotes with backslash escapes, and comments: a word starting
 * with '#' where a keyword is due ends its line. Nothing is printed. */
#ifndef FERRY_NETRC_H
#define FERRY_NETRC_H

#include <stdbool.h>
#include <stddef.h>

/* Largest .netrc read, in bytes; a bigger file is ignored. */
#define NETRC_MAX (64 * 1024)

/* Credentials found for a host; strings owned by the struct. */
struct netrc_entry {
	char *login;     /* login name; NULL when the entry names none */
	char *password;  /* password; NULL when the entry gives none (or it was unsafe) */
	bool unsafe;     /* the entry had a password, but group or others may read
			  * or write the file: the password was dropped, as ftp(1)
			  * does */
};

/* Looks host up in the text of a .netrc (len bytes): the first "machine"
 * entry for host (names compared without case), else the "default"
 * entry. When login is not NULL only entries naming that login (or none)
 * fit. Returns true and fills out (free with netrc_entry_free). */
bool netrc_find(const char *text, size_t len, const char *host, const char *login,
		struct netrc_entry *out);
/* Like netrc_find on the file at path, or on $HOME/.netrc when path is
 * NULL. A missing or unreadable file finds nothing, as does one that is
 * not a regular file (a FIFO is not waited on, a device not read); a
 * password from a
 * file others may read is dropped (out->unsafe). */
bool netrc_lookup(const char *path, const char *host, const char *login,
		  struct netrc_entry *out);
/* Frees the strings (clearing the password first). */
void netrc_entry_free(struct netrc_entry *e);

#endif
