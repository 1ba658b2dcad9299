/* ftp_facts: what the server knows about one file, without a data
 * connection: MLST (RFC 3659 section 7) where FEAT offers it, else SIZE
 * and MDTM; a file's modification time (MDTM), and setting it with MFMT
 * (draft-somers-ftp-mfxx) where offered. Used for `ls FILE` on servers
 * whose MLSD takes only directories, for asking before a rename replaces
 * a file, and for keeping file times across copies. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ftp_private.h"
#include "sanitize.h"
#include "xalloc.h"

/* Arguments of ftp_stat and ftp_set_mtime. */
struct facts_args {
	const char *path;        /* the file */
	struct ftp_entry *out;   /* ftp_stat's result */
	time_t mtime;            /* ftp_set_mtime's time */
};

/* Makes e an entry named path (raw and sanitised) of type t, else unknown. */
static void facts_entry(struct ftp_entry *e, const char *path, enum ftp_entry_type t)
{
	size_t n = strlen(path);
	memset(e, 0, sizeof *e);
	e->name = xstrdup(path);
	e->display = xmalloc(n + 1);
	sanitize_text(path, n, e->display, n + 1);
	e->type = t;
	e->size = -1;
}

/* Finds the entry line of a 250 reply to MLST (the lines between the
 * first and the last) and parses it into e, named path. False if none. */
static bool facts_parse_mlst(const char *text, const char *path, struct ftp_entry *e)
{
	const char *line = strchr(text, '\n');
	while (line != NULL) {
		line++;
		const char *nl = strchr(line, '\n');
		if (nl == NULL)
			break;   /* the last line is the reply's end */
		struct ftp_entry got;
		int r = listparse_mlsx(line, (size_t)(nl - line), &got);
		if (r >= 0) {
			facts_entry(e, path, FTP_ENTRY_DIR);   /* r == 0: cdir or pdir */
			if (r > 0) {
				e->type = got.type;
				e->size = got.size;
				e->mtime = got.mtime;
				memcpy(e->perms, got.perms, sizeof e->perms);
				e->target = got.target;
				e->unique = got.unique;
				got.target = got.unique = NULL;
				listparse_entry_free(&got);
			}
			return true;
		}
		line = nl;
	}
	return false;
}

/* MLST path, or SIZE (and MDTM when offered) on servers without it. */
static enum ftp_status op_stat(struct ftp *f, void *p)
{
	struct facts_args *a = p;
	enum ftp_status st;

	if (f->feat & FTP_FEAT_MLST) {
		st = ftp_command(f, "MLST", a->path);
		if (st != FTP_S_OK)
			return st;
		if (f->code / 100 == 2) {
			ftp_msg_from_reply(f);
			if (facts_parse_mlst(ftp_reply_text(f), a->path, a->out))
				return FTP_S_OK;
			return FTP_S_REFUSED;
		}
		if (f->code != FTP_BAD_COMMAND && f->code != FTP_NOT_IMPLEMENTED)
			return ftp_check(f, 2);
	}
	off_t size;
	st = ftp_command(f, "SIZE", a->path);
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st != FTP_S_OK)
		return st;
	if (!ftp_reply_size(f, &size)) {
		ftp_set_msg(f, "not a size in the reply to SIZE: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	facts_entry(a->out, a->path, FTP_ENTRY_FILE);
	a->out->size = size;
	if (f->feat & FTP_FEAT_MDTM) {
		char keep[FTP_MSG_MAX];
		memcpy(keep, f->msg, sizeof keep);
		st = ftp_command(f, "MDTM", a->path);
		if (st != FTP_S_OK) {
			listparse_entry_free(a->out);
			return st;
		}
		if (f->code == FTP_FILE_STATUS)
			a->out->mtime = ftp_reply_time(f);
		memcpy(f->msg, keep, sizeof keep);
	}
	return FTP_S_OK;
}

enum ftp_status ftp_stat(struct ftp *f, const char *path, struct ftp_entry *out)
{
	enum ftp_status st;
	struct facts_args a = { .path = path, .out = out };

	memset(out, 0, sizeof *out);
	if (!ftp_arg_ok(f, path, true, &st))
		return st;
	return ftp_run(f, op_stat, &a);
}

/* MDTM path: the file's time. */
static enum ftp_status op_file_time(struct ftp *f, void *p)
{
	struct facts_args *a = p;
	enum ftp_status st = ftp_command(f, "MDTM", a->path);
	if (st == FTP_S_OK)
		st = ftp_check(f, 2);
	if (st != FTP_S_OK)
		return st;
	a->mtime = ftp_reply_time(f);
	if (a->mtime == 0) {
		ftp_set_msg(f, "not a time in the reply to MDTM: %s", ftp_message(f));
		return FTP_S_REFUSED;
	}
	return FTP_S_OK;
}

enum ftp_status ftp_file_time(struct ftp *f, const char *remote, time_t known, time_t *mtime)
{
	enum ftp_status st;
	struct facts_args a = { .path = remote };

	if (known != 0) {
		*mtime = known;
		return FTP_S_OK;
	}
	if (!ftp_arg_ok(f, remote, true, &st))
		return st;
	if (!(f->feat & FTP_FEAT_MDTM)) {
		ftp_set_msg(f, "the server does not tell file times (no MDTM)");
		f->code = 0;
		return FTP_S_REFUSED;
	}
	st = ftp_run(f, op_file_time, &a);
	if (st == FTP_S_OK)
		*mtime = a.mtime;
	return st;
}

/* MFMT's argument: the time as an RFC 3659 time-val (UTC), then path.
 * False (message set) for a time it cannot name. */
static bool facts_mfmt_arg(struct ftp *f, time_t mtime, const char *path, char *arg, size_t n)
{
	struct tm tm;

	if (gmtime_r(&mtime, &tm) == NULL) {
		ftp_set_msg(f, "a time MFMT cannot send");
		return false;
	}
	size_t len = strftime(arg, n, "%Y%m%d%H%M%S ", &tm);
	snprintf(arg + len, n - len, "%s", path);
	return true;
}

/* MFMT time path. */
static enum ftp_status op_set_mtime(struct ftp *f, void *p)
{
	struct facts_args *a = p;
	char arg[FTP_PATH_MAX + 32];

	if (!facts_mfmt_arg(f, a->mtime, a->path, arg, sizeof arg))
		return FTP_S_USAGE;
	enum ftp_status st = ftp_command(f, "MFMT", arg);
	if (st == FTP_S_OK && !f->long_refused &&
	    (f->code == FTP_BAD_COMMAND || f->code == FTP_NOT_IMPLEMENTED))
		f->feat &= ~FTP_FEAT_MFMT;   /* not sent again this session */
	return st == FTP_S_OK ? ftp_check(f, 2) : st;
}

enum ftp_status ftp_set_mtime(struct ftp *f, const char *remote, time_t mtime)
{
	enum ftp_status st;
	struct facts_args a = { .path = remote, .mtime = mtime };

	if (!ftp_arg_ok(f, remote, true, &st))
		return st;
	if (!(f->feat & FTP_FEAT_MFMT)) {
		ftp_set_msg(f, "the server cannot set file times (no MFMT)");
		f->code = 0;
		return FTP_S_REFUSED;
	}
	return ftp_run(f, op_set_mtime, &a);
}

enum ftp_status ftp_set_mtime_later(struct ftp *f, const char *remote, time_t mtime,
				    ftp_later_fn *done, void *arg)
{
	char line[FTP_PATH_MAX + 32];

	if (!(f->feat & FTP_FEAT_MFMT) || f->ctl == NULL)
		return ftp_set_mtime(f, remote, mtime);   /* the same answer, at once */
	enum ftp_status st;
	if (!ftp_arg_ok(f, remote, true, &st))
		return st;
	if (!facts_mfmt_arg(f, mtime, remote, line, sizeof line)) {
		f->code = 0;
		return FTP_S_USAGE;
	}
	/* A line a server may cut goes on its own (its refusal is then told
	 * from the server not knowing MFMT); one too long for any fails as
	 * ftp_set_mtime's would. */
	if (strlen(line) + sizeof "MFMT \r\n" > FTP_LINE_SAFE ||
	    (f->n_ahead >= FTP_AHEAD_MAX && ftp_settle(f) != FTP_S_OK) ||
	    !ftp_ahead_add(f, FTP_AHEAD_MFMT, line, remote, done, arg)) {
		st = ftp_set_mtime(f, remote, mtime);
		if (done != NULL)
			done(arg, remote, st);
		return FTP_S_OK;
	}
	return FTP_S_OK;
}
