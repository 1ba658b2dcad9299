/* cli_put: upload, of one file or (-r) of a directory tree, fresh or
 * (-c) resumed from the size the server reports (SIZE, then REST +
 * STOR). Trees are walked by the engine (tree.h): remote directories are
 * made as needed, one that exists already is filled in, and symbolic
 * links and special files are skipped. */
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
#include "progress.h"
#include "sbuf.h"

/* Uploads the open local file fd (described by sb) as remote. */
static enum ferry_exit put_fd(struct cli *c, int fd, const struct stat *sb, const char *remote,
			    const struct cli_xfer_job *job, const char *label, const char *name)
{
	struct progress p;
	enum ftp_put_mode mode = FTP_PUT_REPLACE;
	off_t offset = 0;

	if (job->resume && S_ISREG(sb->st_mode)) {
		off_t rsize;
		enum ftp_status st = ftp_size(c->ftp, remote, &rsize);
		if (st == FTP_S_OK && rsize == sb->st_size) {
			cli_xfer_complete(c, label, rsize);
			return FERRY_EXIT_OK;
		}
		if (st == FTP_S_OK && rsize > sb->st_size)
			return cli_fail(c, FERRY_EXIT_REFUSED, "%s: the remote file is larger than "
					"the local one (%jd > %jd bytes); not resumed", remote,
					(intmax_t)rsize, (intmax_t)sb->st_size);
		if (st != FTP_S_OK && st != FTP_S_REFUSED)
			return cli_fail_ftp(c, st, name);
		if (st == FTP_S_OK && rsize > 0) {
			mode = FTP_PUT_RESUME;
			offset = rsize;
		}
	}
	progress_start(&p, "uploaded", label, c->bars, offset);
	enum ftp_status st = ftp_put(c->ftp, fd, remote, mode, offset, cli_xfer_progress, &p);
	progress_end(&p);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, name);
	cli_xfer_done(c, &p, true);
	return FERRY_EXIT_OK;
}

/* Uploads the local file local as remote. */
static enum ferry_exit put_file(struct cli *c, const char *local, const char *remote,
			      const struct cli_xfer_job *job, const char *label, const char *name)
{
	struct stat sb;
	int fd = open(local, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cli_fail_errno(c, errno, local);
	if (fstat(fd, &sb) < 0 || S_ISDIR(sb.st_mode)) {
		int err = S_ISDIR(sb.st_mode) ? EISDIR : errno;
		close(fd);
		if (err == EISDIR)
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: is a directory (copy it with -r)",
					local);
		return cli_fail_errno(c, err, local);
	}
	enum ferry_exit code = put_fd(c, fd, &sb, remote, job, label, name);
	close(fd);
	return code;
}

/* Uploads one file of a tree (put -r). */
static enum ferry_exit put_tree_file(struct cli *c, const char *local, const char *remote,
				     const struct cli_xfer_job *job)
{
	return put_file(c, local, remote, job, local, local);
}

enum ferry_exit cli_cmd_put(struct cli *c, const struct cli_args *a)
{
	struct cli_xfer_job job = { .resume = (a->opts & CLI_OPT('c')) != 0 };
	const char *local = a->argv[0];
	char base[NAME_MAX + 1];
	struct stat sb;

	const char *remote = a->argc > 1 ? a->argv[1] : NULL;
	if (remote == NULL) {
		if (!path_basename(local, base, sizeof base))
			return cli_fail(c, FERRY_EXIT_USAGE, "%s has no file name to copy to: name "
					"the remote copy", local);
		remote = base;
	}
	if (stat(local, &sb) < 0)
		return cli_fail_errno(c, errno, local);
	if (S_ISDIR(sb.st_mode)) {
		if (!(a->opts & CLI_OPT('r')))
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: is a directory (copy it with -r)",
					local);
		return cli_xfer_tree(c, TREE_UPLOAD, local, remote, &job, put_tree_file);
	}
	return put_file(c, local, remote, &job, local, NULL);
}
