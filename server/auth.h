/* auth: deciding whether a USER/PASS pair may log in, and where to.
 * Accounts come from the users file (crypt(3) hashes) or are anonymous
 * ("anonymous"/"ftp", any password) when the options allow it. */
#ifndef FERRYD_AUTH_H
#define FERRYD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* Where an accepted login lands. */
struct auth_result {
	const char *home;  /* home as configured ("" = server root); owned by cfg */
	bool writable;     /* may change files */
	bool anonymous;    /* an anonymous login */
	long long max_rate;/* transfer limit in bytes/s (0 = none) */
};

/* True if user is one of the anonymous login names. */
bool auth_is_anonymous(const char *user);
/* True if user logs in anonymously with any password: an anonymous name,
 * anonymous access on, and no users file entry for the name. */
bool auth_is_open_anonymous(const struct ferryd_config *cfg, const char *user);
/* Checks the password; true and res filled on success. Takes about as
 * long for unknown users as for known ones. */
bool auth_login(const struct ferryd_config *cfg, const char *user, const char *pass,
		struct auth_result *res);
/* Hashes password with the system's preferred crypt(3) method into out;
 * returns false on failure. */
bool auth_hash_password(const char *password, char *out, size_t outsz);

#endif
