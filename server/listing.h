/* listing: directory listings built in one buffer (LIST, NLST, MLSD,
 * STAT <path>) and single-entry facts (MLST). Globbing is limited to the
 * last path component and uses wildmat, so no pattern can stall it. */
#ifndef FERRYD_LISTING_H
#define FERRYD_LISTING_H

#include <stdbool.h>
#include <sys/stat.h>

#include "sbuf.h"
#include "session.h"

enum listing_kind { LISTING_LIST, LISTING_NLST, LISTING_MLSD };

/* Builds the listing for a LIST/NLST/MLSD argument (options such as "-la"
 * are accepted for LIST/NLST) into out. On failure sends the error reply
 * and returns false. what (FTP_PATH_MAX + 1 bytes) gets the resolved
 * virtual path (for logs), also on failure. */
bool listing_build(struct session *s, enum listing_kind kind, const char *arg,
		   struct sbuf *out, char *what);
/* Writes the MLSx perm fact for an entry into perm (at least 10 bytes). */
void listing_perm(const struct session *s, const struct stat *st, char *perm);

#endif
