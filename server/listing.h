/* listing: directory listings (LIST, NLST, MLSD over the data channel
 * in pieces, STAT <path> in one buffer) and single-entry facts (MLST). Globbing is limited to the
 * last path component and uses wildmat, so no pattern can stall it. */
#ifndef FERRYD_LISTING_H
#define FERRYD_LISTING_H

#include <stdbool.h>
#include <sys/stat.h>

#include "sbuf.h"
#include "session.h"

enum listing_kind { LISTING_LIST, LISTING_NLST, LISTING_MLSD };

/* Where a listing's lines go while it is being made. With a sink,
 * listing_build calls begin once the directory to list is open (before
 * its names are read), then hands emit the lines in pieces of
 * LISTING_CHUNK bytes or more, the last one shorter (a directory's
 * listing then leaves out empty). Every error reply
 * listing_build sends for a missing or unreadable directory comes before
 * begin; a listing of one file calls neither (it is made whole). begin
 * and emit return false to stop the listing (they have answered the
 * client themselves). */
struct listing_sink {
	bool (*begin)(struct session *s, void *ctx);
	bool (*emit)(struct session *s, struct sbuf *out, void *ctx);
	void *ctx;
};
#define LISTING_CHUNK (64u * 1024)

/* Builds the listing for a LIST/NLST/MLSD argument (options such as "-la"
 * are accepted for LIST/NLST) into out, or, for a directory with a sink,
 * hands it to sink in pieces. On failure
 * sends the error reply and returns false; also false, without a reply,
 * when the sink stopped it. what (FTP_PATH_MAX + 1 bytes) gets the
 * resolved virtual path (for logs), also on failure. */
bool listing_build(struct session *s, enum listing_kind kind, const char *arg,
		   struct sbuf *out, char *what, const struct listing_sink *sink);
/* Appends the MLST entry line of the normalised path to out: the entry
 * itself (a symlink as MLSD shows it in its folder, RFC 3659 7.2), reached
 * through any links before it; with folder (the client's path ended in a
 * slash) the folder it names, a link followed, ENOTDIR for anything
 * else. false with errno when path cannot be looked up (ENAMETOOLONG
 * when the line does not fit in out). */
bool listing_mlst(struct session *s, const char *path, bool folder, struct sbuf *out);
/* Writes the MLSx perm fact for an entry st in folder dir (NULL when
 * unknown: the account's rights decide 'd' and 'f') into perm (at least
 * 10 bytes). */
void listing_perm(const struct session *s, const struct stat *st, const struct stat *dir,
		  char *perm);

#endif
