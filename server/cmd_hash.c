/* cmd_hash: checksums of files on the server: HASH and OPTS HASH
 * (draft-bryan-ftpext-hash), RANG (draft-bryan-ftp-range) and the older
 * XSHA256, XSHA1, XMD5 and XCRC. Hashing runs through xfer_hash_file:
 * ABOR and STAT are answered while it runs, and the session's rate limit
 * paces it as it paces a download. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "digest.h"
#include "sanitize.h"
#include "transfer.h"
#include "vfs.h"
#include "vpath.h"

void hash_feat_algorithms(const struct session *s, struct sbuf *out)
{
	for (int a = 0; a < DIGEST_COUNT; a++)
		sbuf_printf(out, "%s%s%s", a ? ";" : "", digest_name((enum digest_alg)a),
			    (unsigned)a == s->hash_alg ? "*" : "");
}

void hash_opts(struct session *s, const char *value)
{
	enum digest_alg alg;
	if (*value == '\0') {
		session_reply(s, FTP_OK, "%s", digest_name((enum digest_alg)s->hash_alg));
	} else if (digest_parse(value, &alg)) {
		s->hash_alg = alg;
		session_reply(s, FTP_OK, "%s", digest_name(alg));
	} else {
		session_reply(s, FTP_BAD_ARGUMENTS,
			      "Unknown algorithm, current selection not changed (SHA-256, SHA-1, "
			      "MD5 or CRC32).");
	}
}

/* Hashes bytes start..end-1 of path (end -1: to the end of the file) into
 * hex; *stop gets the end actually used. Replies and returns false on
 * failure (a directory, a missing file, a start past the end, ABOR). */
static bool hash_path(struct session *s, const char *verb, const char *path,
		      enum digest_alg alg, off_t start, off_t end, off_t *stop,
		      char hex[DIGEST_HEX_MAX])
{
	struct stat st;
	int fd = cmd_open_regular(s, path, O_RDONLY, &st);
	if (fd < 0)
		return false;
	if (start > st.st_size || (start == st.st_size && start > 0)) {
		session_reply(s, FTP_BAD_REST, "Range starts at %lld, beyond the end of %s (%lld bytes).",
			      (long long)start, path, (long long)st.st_size);
		close(fd);
		return false;
	}
	*stop = end < 0 || end > st.st_size ? st.st_size : end;
	struct digest d;
	if (digest_init(&d, alg) < 0) {
		session_reply(s, FTP_BAD_PARAMETER, "%s is not available on this server.",
			      digest_name(alg));
		close(fd);
		return false;
	}
	xfer_begin(s, verb, path, *stop - start);
	xfer_connected(s);
	int err = 0;
	enum xfer_result r = xfer_hash_file(s, fd, start, *stop, &d, &err);
	close(fd);
	off_t done = s->xfer.done;
	xfer_end(s);
	switch (r) {
	case XFER_OK:
		digest_final_hex(&d, hex);
		return true;
	case XFER_ABORTED:
		session_reply(s, FTP_TRANSFER_ABORTED, "%s aborted after %lld of %lld bytes.", verb,
			      (long long)done, (long long)(*stop - start));
		session_reply(s, FTP_TRANSFER_OK, "ABOR successful.");
		break;
	case XFER_CONTROL_LOST:
		s->quit = true;
		s->quit_reason = SESSION_CONNECTION_LOST;
		break;
	case XFER_LOCAL_ERROR:
		session_reply_errno(s, FTP_LOCAL_ERROR, path, err);
		break;
	default:
		session_reply(s, FTP_LOCAL_ERROR, "%s failed.", verb);
		break;
	}
	digest_abandon(&d);
	return false;
}

/* HASH <path>: the selected algorithm over the file, or over the range a
 * RANG (or the offset a REST) just before it set. Reply:
 * "213 <alg> <start>-<last byte> <hex> <path>". */
void cmd_hash(struct session *s, const char *arg)
{
	off_t start, end;
	cmd_take_range(s, &start, &end);
	char path[FTP_PATH_MAX + 1], hex[DIGEST_HEX_MAX];
	off_t stop;
	enum digest_alg alg = (enum digest_alg)s->hash_alg;
	if (!session_file_path(s, arg, path, PATH_FOLLOWS) || !hash_path(s, "HASH", path, alg, start, end, &stop, hex))
		return;
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(arg, strlen(arg), clean, sizeof clean);
	session_reply(s, FTP_FILE_STATUS, "%s %lld-%lld %s %s", digest_name(alg), (long long)start,
		      (long long)(stop > start ? stop - 1 : start), hex, clean);
}

/* RANG <start> <end>: the next RETR or HASH covers bytes start..end
 * (both included); "RANG 1 0" clears it. REST clears it too. */
void cmd_rang(struct session *s, const char *arg)
{
	long long a, b;
	const char *p;
	if (!session_parse_count(arg, &p, &a) || *p != ' ' ||
	    !session_parse_count(p + 1, &p, &b) || *p != '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: RANG <start> <end>");
		return;
	}
	if (a == 1 && b == 0) {
		s->rang_end = -1;
		session_reply(s, FTP_PENDING_MORE_INFO, "Byte range cleared: whole files again.");
		return;
	}
	if (a > b) {
		session_reply(s, FTP_BAD_ARGUMENTS, "RANG start %lld lies after its end %lld.", a, b);
		return;
	}
	s->rest = 0;
	s->rang_start = (off_t)a;
	s->rang_end = (off_t)b;
	session_reply(s, FTP_PENDING_MORE_INFO, "Restarting at %lld. Ending byte range at %lld.", a,
		      b);
}

/* The older forms: "XSHA256 <path> [<start> [<end>]]", end excluded;
 * reply "250 <hex>". A name that exists is taken whole, so a file called
 * "a 1" is hashed rather than read as "a" from byte 1. */
static void legacy_hash(struct session *s, const char *arg, enum digest_alg alg,
			const char *verb)
{
	char name[FTP_LINE_MAX + 1], probe[FTP_PATH_MAX + 1];
	snprintf(name, sizeof name, "%s", arg);
	long long nums[2];
	int nn = 0;
	struct stat st;
	while (nn < 2) {
		if (vpath_resolve(s->cwd, name, strlen(name), probe, sizeof probe) == VPATH_OK &&
		    vfs_stat(s->root_fd, probe, &st) == 0)
			break;
		char *sp = strrchr(name, ' ');
		const char *p;
		if (sp == NULL || !session_parse_count(sp + 1, &p, &nums[nn]) || *p != '\0')
			break;
		*sp = '\0';
		nn++;
	}
	off_t start = nn == 2 ? nums[1] : nn == 1 ? nums[0] : 0;
	off_t end = nn == 2 ? nums[0] : -1;
	if (end >= 0 && end < start) {
		session_reply(s, FTP_BAD_ARGUMENTS, "%s: the end %lld lies before the start %lld.", verb,
			      (long long)end, (long long)start);
		return;
	}
	char path[FTP_PATH_MAX + 1], hex[DIGEST_HEX_MAX];
	off_t stop;
	if (!session_file_path(s, name, path, PATH_FOLLOWS) || !hash_path(s, verb, path, alg, start, end, &stop, hex))
		return;
	session_reply(s, FTP_FILE_ACTION_OK, "%s", hex);
}

void cmd_xsha256(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_SHA256, "XSHA256");
}

void cmd_xsha1(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_SHA1, "XSHA1");
}

void cmd_xmd5(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_MD5, "XMD5");
}

void cmd_xcrc(struct session *s, const char *arg)
{
	legacy_hash(s, arg, DIGEST_CRC32, "XCRC");
}
