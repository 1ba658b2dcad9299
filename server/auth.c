/* auth: password checks with crypt(3) (see auth.h). */
#include "config.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "xalloc.h"

bool auth_is_anonymous(const char *user)
{
	return strcasecmp(user, "anonymous") == 0 || strcasecmp(user, "ftp") == 0;
}

/* Compares two strings in time that depends only on their lengths. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* The users file entry for user. The anonymous names log in in any case,
 * so an entry for "anonymous" or "ftp" holds for every casing of it. */
static const struct user_entry *find_entry(const struct users *u, const char *user)
{
	const struct user_entry *e = users_find(u, user);
	if (e == NULL && auth_is_anonymous(user))
		e = users_find(u, strcasecmp(user, "ftp") == 0 ? "ftp" : "anonymous");
	return e;
}

bool auth_is_open_anonymous(const struct ferryd_config *cfg, const char *user)
{
	return auth_is_anonymous(user) && cfg->anonymous != ANON_OFF &&
	       find_entry(&cfg->users, user) == NULL;
}

bool auth_login(const struct ferryd_config *cfg, const char *user, const char *pass,
		struct auth_result *res)
{
	const struct user_entry *e = find_entry(&cfg->users, user);
	if (e == NULL && auth_is_anonymous(user)) {
		if (cfg->anonymous == ANON_OFF)
			return false;
		res->home = "";
		res->writable = cfg->anonymous == ANON_RW || cfg->anonymous == ANON_UPLOAD;
		res->anonymous = true;
		res->max_rate = cfg->max_rate;
		return true;
	}
	/* Unknown users still pay for one hash, so timing does not tell. */
	static const char dummy[] = "$y$j9T$.0Me4Gt2KHp1GVZxQT1ve/$N4Xo6ewwTOhuqO7y1es3uPKesWDsiWTTFzNMq80ArU1";
	const char *hash = e ? e->hash : dummy;
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	const char *got = crypt_r(pass, hash, cd);
	bool ok = e != NULL && got != NULL && got[0] != '*' && same_secret(got, hash);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	if (!ok)
		return false;
	res->home = e->home;
	res->writable = e->writable;
	res->anonymous = false;
	res->max_rate = e->max_rate >= 0 ? e->max_rate : cfg->max_rate;
	return true;
}

bool auth_hash_password(const char *password, char *out, size_t outsz)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, salt, sizeof salt) == NULL)
		return false;
	struct crypt_data *cd = xcalloc(1, sizeof *cd);
	const char *h = crypt_r(password, salt, cd);
	bool ok = h != NULL && h[0] != '*' && strlen(h) < outsz;
	if (ok)
		strcpy(out, h);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}
