/* cli_put: upload, of one file, of what a pattern matches (mput), or
 * (-r) of a directory tree, fresh or (-c) resumed from the size the
 * server reports (SIZE, then REST + STOR). Each file uploaded gets the
 * local file's modification time where the server can set it (MFMT;
 * unless preserve is off). Trees are walked by the engine (tree.h):
 * remote directories are made as needed, one that exists already is
 * filled in, and symbolic links and special files are skipped; patterns
 * are matched by the engine too (glob.h), and one whose wildcards are
 * all escaped is the one file it spells, uploaded as a name. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_private.h"
#include "glob.h"
#include "progress.h"
#include "sbuf.h"

/* Fails with the engine's message for st; a local name that cannot be
 * sent (ftp_upload_status) is a local name in the way (status 6), which
 * fails alone (a tree or a pattern goes on), named as the copy is. */
static enum ferry_exit put_fail(struct cli *c, enum ftp_status st, const struct cli_copy *cp)
{
	enum ftp_status why = ftp_upload_status(st, cp->local, cp->remote);
	return cli_fail_ftp(c, why, why != st && cp->name == NULL ? cp->label : cp->name);
}

/* Uploads the open local file fd (described by sb) as cp->remote. */
static enum ferry_exit put_fd(struct cli *c, int fd, const struct stat *sb,
			      const struct cli_copy *cp, const struct cli_xfer_job *job)
{
	struct progress p;
	enum ftp_put_mode mode = FTP_PUT_REPLACE;
	off_t offset = 0;

	if (job->resume && S_ISREG(sb->st_mode)) {
		off_t rsize;
		enum ftp_status st = ftp_size(c->ftp, cp->remote, &rsize);
		if (st == FTP_S_OK && rsize == sb->st_size) {
			cli_xfer_complete(c, cp, false, rsize);
			return FERRY_EXIT_OK;
		}
		if (st == FTP_S_OK && rsize > sb->st_size)
			return cli_fail(c, FERRY_EXIT_REFUSED, "%s: the remote file is larger than "
					"the local one (%jd > %jd bytes); not resumed", cp->remote,
					(intmax_t)rsize, (intmax_t)sb->st_size);
		if (st != FTP_S_OK && st != FTP_S_REFUSED)
			return put_fail(c, st, cp);
		if (st == FTP_S_OK && rsize > 0) {
			mode = FTP_PUT_RESUME;
			offset = rsize;
		}
	}
	progress_start(&p, "uploaded", cp->label, c->bars, offset);
	enum ftp_status st = ftp_put(c->ftp, fd, cp->remote, mode, offset, cli_xfer_progress, &p);
	progress_end(&p);
	if (st != FTP_S_OK)
		return put_fail(c, st, cp);
	if (job->verify && S_ISREG(sb->st_mode)) {
		enum ferry_exit bad = cli_xfer_verify(c, cp, fd);
		if (bad == FERRY_EXIT_BROKEN)
			ftp_delete(c->ftp, cp->remote);   /* no copy that does not verify */
		if (bad != FERRY_EXIT_OK)
			return bad;
	}
	if (S_ISREG(sb->st_mode))
		cli_xfer_time_up(c, job, cp, sb->st_mtime);
	cli_xfer_done(c, &p, cp, true);
	return FERRY_EXIT_OK;
}

/* Uploads the local file cp->local as cp->remote. */
static enum ferry_exit put_file(struct cli *c, const struct cli_copy *cp,
				const struct cli_xfer_job *job)
{
	struct stat sb;
	int fd = open(cp->local, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail_errno(c, errno, cp->local);
	if (fstat(fd, &sb) < 0 || S_ISDIR(sb.st_mode)) {
		int err = S_ISDIR(sb.st_mode) ? EISDIR : errno;
		close(fd);
		if (err == EISDIR)
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: is a directory (copy it with -r)",
					cp->local);
		return cli_fail_errno(c, err, cp->local);
	}
	enum ferry_exit code = put_fd(c, fd, &sb, cp, job);
	close(fd);
	return code;
}

/* Uploads the local file or (-r) tree local as remote (NULL: its own
 * name; ending in /: inside that directory). */
static enum ferry_exit put_one(struct cli *c, const char *local, const char *remote,
			       const struct cli_xfer_job *job)
{
	char base[NAME_MAX + 1];
	struct stat sb;

	if (remote == NULL) {
		if (!path_basename(local, base, sizeof base))
			return cli_fail(c, FERRY_EXIT_USAGE, "%s has no file name to copy to: name "
					"the remote copy", local);
		remote = base;
	}
	if (stat(local, &sb) < 0)
		return cli_fail_errno(c, errno, local);
	if (S_ISDIR(sb.st_mode)) {
		if (!job->recursive)
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: is a directory (copy it with -r)",
					local);
		if (job->parallel > 1)
			return cli_mirror_copy(c, true, local, remote, job);
		return cli_xfer_tree(c, TREE_UPLOAD, local, remote, job, put_file);
	}
	/* A remote ending in / names a directory: the file goes inside. */
	struct sbuf into;
	sbuf_init(&into, PATH_LEN_MAX);
	if (remote[0] != '\0' && remote[strlen(remote) - 1] == '/') {
		if (!path_basename(local, base, sizeof base) || !path_join(&into, remote, base)) {
			sbuf_free(&into);
			return cli_fail(c, FERRY_EXIT_USAGE, "%s has no file name to copy into %s",
					local, remote);
		}
		remote = sbuf_str(&into);
	}
	struct cli_copy cp = { .remote = remote, .local = local, .label = remote };
	enum ferry_exit code = put_file(c, &cp, job);
	sbuf_free(&into);
	return code;
}

/* Uploads what the local pattern matches into the remote directory
 * remote (NULL: the current one), or the file the pattern names exactly
 * (its wildcards all escaped) as remote. */
static enum ferry_exit put_pattern(struct cli *c, const char *local, const char *remote,
				   const struct cli_xfer_job *job)
{
	struct ftp_listing l;
	enum ferry_exit code;

	listparse_init(&l);
	if (glob_local(local, &l) < 0)
		code = errno == EINVAL
			? cli_fail(c, FERRY_EXIT_USAGE, "wildcards may stand in the last part of a "
				   "name only")
			: cli_fail_errno(c, errno, local);
	else if (l.n == 0)
		code = cli_fail(c, FERRY_EXIT_LOCAL, "no local name matches %s", local);
	else if (cli_xfer_names_one(local, &l))
		code = put_one(c, l.v[0].name, remote, job);
	else
		code = cli_xfer_matches(c, TREE_UPLOAD, &l, remote, job, put_file);
	listparse_free(&l);
	return code;
}

enum ferry_exit cli_cmd_put(struct cli *c, const struct cli_args *a)
{
	struct cli_xfer_job job = {
		.resume = (a->opts & CLI_OPT('c')) != 0,
		.recursive = (a->opts & CLI_OPT('r')) != 0,
		.preserve = c->opt.settings.preserve || (a->opts & CLI_OPT('p')) != 0,
		.parallel = a->parallel, .verify = a->verify,
	};
	const char *local = a->argv[0];
	const char *remote = a->argc > 1 ? a->argv[1] : NULL;
	struct stat sb;

	if (job.resume && ftp_ascii(c->ftp))
		return cli_xfer_no_resume(c);
	if (glob_is_pattern(local) && lstat(local, &sb) < 0)
		return put_pattern(c, local, remote, &job);
	return put_one(c, local, remote, &job);
}
