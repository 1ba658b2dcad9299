/* cli_get: download, of one file or (-r) of a directory tree, fresh or
 * (-c) resumed.
 *
 * A fresh download is written to a hidden temporary file beside its
 * target (".NAME.ferry-XXXXXX") and renamed over the target only when
 * the server confirmed the whole file, so an interrupted or refused
 * download never leaves a partial file under the real name, nor an
 * empty one for a file the server does not have. A resumed download
 * writes into the real name from its current size (REST). An existing
 * local file is replaced only after a confirmation (or -y). Trees are
 * walked by the engine (tree.h), which skips names that could climb out
 * of the target and entries that are neither files nor directories. */
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
#include "interrupt.h"
#include "progress.h"
#include "sbuf.h"
#include "tempname.h"

/* The local name that means standard output. */
static const char get_stdout_name[] = "-";
/* Mode of new files before the umask. */
#define GET_FILE_MODE 0666
/* Mode of new directories before the umask. */
#define GET_DIR_MODE 0777

/* Downloads remote into standard output (no temporary, no summary). */
static enum ferry_exit get_stdout(struct cli *c, const char *remote, const char *label)
{
	struct progress p;

	fflush(stdout);
	progress_start(&p, "downloaded", label, c->bars, 0);
	enum ftp_status st = ftp_get(c->ftp, remote, STDOUT_FILENO, 0, cli_xfer_progress, &p);
	cli_xfer_done(c, &p, false);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

/* Downloads remote into a temporary beside local, then renames it over
 * local; mode is the new file's mode. */
static enum ferry_exit get_fresh(struct cli *c, const char *remote, const char *local,
			       mode_t mode, const char *label, const char *name)
{
	char tmp[PATH_LEN_MAX];
	struct progress p;

	if (!tempname_for(local, tmp, sizeof tmp))
		return cli_fail_errno(c, ENAMETOOLONG, local);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cli_fail_errno(c, errno, local);
	interrupt_guard_file(tmp);
	if (fchmod(fd, mode & 07777) < 0) {
		int err = errno;
		close(fd);
		unlink(tmp);
		interrupt_guard_file(NULL);
		return cli_fail_errno(c, err, local);
	}
	progress_start(&p, "downloaded", label, c->bars, 0);
	enum ftp_status st = ftp_get(c->ftp, remote, fd, 0, cli_xfer_progress, &p);
	progress_end(&p);
	int err = close(fd) < 0 ? errno : 0;
	if (st == FTP_S_OK && err == 0 && rename(tmp, local) < 0)
		err = errno;
	if (st != FTP_S_OK || err != 0)
		unlink(tmp);
	interrupt_guard_file(NULL);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, name);
	if (err != 0)
		return cli_fail_errno(c, err, local);
	cli_xfer_done(c, &p, true);
	return FERRY_EXIT_OK;
}

/* Downloads remote into local from local's current size (sb, or NULL
 * when local does not exist yet). */
static enum ferry_exit get_resume(struct cli *c, const char *remote, const char *local,
				const struct stat *sb, const char *label, const char *name)
{
	struct progress p;
	off_t offset = sb ? sb->st_size : 0;

	if (sb != NULL && !S_ISREG(sb->st_mode))
		return cli_fail(c, FERRY_EXIT_LOCAL, "%s: not a regular file; cannot resume", local);
	if (offset > 0) {
		off_t rsize;
		enum ftp_status st = ftp_size(c->ftp, remote, &rsize);
		if (st == FTP_S_OK && rsize == offset) {
			cli_xfer_complete(c, label, rsize);
			return FERRY_EXIT_OK;
		}
		if (st == FTP_S_OK && rsize < offset)
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: the local file is larger than the "
					"remote one (%jd > %jd bytes); not resumed", local,
					(intmax_t)offset, (intmax_t)rsize);
		if (st != FTP_S_OK && st != FTP_S_REFUSED)
			return cli_fail_ftp(c, st, name);
	}
	int fd = open(local, O_WRONLY | O_CREAT | O_CLOEXEC, GET_FILE_MODE);
	if (fd < 0)
		return cli_fail_errno(c, errno, local);
	progress_start(&p, "downloaded", label, c->bars, offset);
	enum ftp_status st = ftp_get(c->ftp, remote, fd, offset, cli_xfer_progress, &p);
	progress_end(&p);
	int err = close(fd) < 0 ? errno : 0;
	if (st != FTP_S_OK) {
		/* Nothing to resume later: do not leave an empty file behind. */
		struct stat now;
		if (sb == NULL && stat(local, &now) == 0 && now.st_size == 0)
			unlink(local);
		return cli_fail_ftp(c, st, name);
	}
	if (err != 0)
		return cli_fail_errno(c, err, local);
	cli_xfer_done(c, &p, true);
	return FERRY_EXIT_OK;
}

/* Downloads one file: to stdout, resumed, or fresh after the overwrite
 * rule. label is the name shown; name prefixes messages inside trees. */
static enum ferry_exit get_file(struct cli *c, const char *remote, const char *local,
			      const struct cli_xfer_job *job, const char *label, const char *name)
{
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	struct stat sb;

	if (strcmp(local, get_stdout_name) == 0) {
		if (job->resume)
			return cli_fail(c, FERRY_EXIT_USAGE, "-c cannot resume into standard output");
		return get_stdout(c, remote, label);
	}
	bool exists = lstat(local, &sb) == 0;
	if (!exists && errno != ENOENT)
		return cli_fail_errno(c, errno, local);
	if (exists && S_ISDIR(sb.st_mode))
		return cli_fail_errno(c, EISDIR, local);
	if (job->resume)
		return get_resume(c, remote, local, exists ? &sb : NULL, label, name);
	mode_t mode = (GET_FILE_MODE & ~c->umask);
	if (exists) {
		snprintf(question, sizeof question, "Overwrite %s?", local);
		snprintf(refusal, sizeof refusal, "%s exists: not overwritten", local);
		enum ferry_exit code = cli_confirm(c, question, refusal);
		if (code != FERRY_EXIT_OK)
			return code;
		if (S_ISREG(sb.st_mode))
			mode = sb.st_mode;
	}
	return get_fresh(c, remote, local, mode, label, name);
}

/* Downloads one file of a tree (get -r). */
static enum ferry_exit get_tree_file(struct cli *c, const char *local, const char *remote,
				     const struct cli_xfer_job *job)
{
	return get_file(c, remote, local, job, local, local);
}

/* Works out where a download goes: local as given (inside it when it is
 * a directory), or remote's last name here. Writes it into out. */
static enum ferry_exit get_target(struct cli *c, const char *remote, const char *local,
				struct sbuf *out)
{
	char base[NAME_MAX + 1];
	struct stat sb;
	bool have_base = path_basename(remote, base, sizeof base);

	if (local != NULL && (strcmp(local, get_stdout_name) == 0 || stat(local, &sb) < 0 ||
			      !S_ISDIR(sb.st_mode))) {
		sbuf_puts(out, local);
		return FERRY_EXIT_OK;
	}
	if (!have_base)
		return cli_fail(c, FERRY_EXIT_USAGE, "%s has no file name to copy to: name the "
				"local copy", remote);
	if (local == NULL ? !sbuf_puts(out, base) : !path_join(out, local, base))
		return cli_fail_errno(c, ENAMETOOLONG, local);
	return FERRY_EXIT_OK;
}

/* get without -r, also used for the file named by a URL. */
enum ferry_exit cli_xfer_get(struct cli *c, const char *remote, const char *local, bool resume)
{
	struct cli_xfer_job job = { .resume = resume };
	struct sbuf target;

	sbuf_init(&target, PATH_LEN_MAX);
	enum ferry_exit code = get_target(c, remote, local, &target);
	if (code == FERRY_EXIT_OK)
		code = get_file(c, remote, sbuf_str(&target), &job, remote, NULL);
	sbuf_free(&target);
	return code;
}

enum ferry_exit cli_cmd_get(struct cli *c, const struct cli_args *a)
{
	struct cli_xfer_job job = { .resume = (a->opts & CLI_OPT('c')) != 0 };
	const char *local = a->argc > 1 ? a->argv[1] : NULL;
	struct sbuf target;

	if (!(a->opts & CLI_OPT('r')))
		return cli_xfer_get(c, a->argv[0], local, job.resume);
	if (local != NULL && strcmp(local, get_stdout_name) == 0)
		return cli_fail(c, FERRY_EXIT_USAGE, "-r cannot copy a tree to standard output");
	sbuf_init(&target, PATH_LEN_MAX);
	enum ferry_exit code = get_target(c, a->argv[0], local, &target);
	if (code == FERRY_EXIT_OK)
		code = cli_xfer_tree(c, TREE_DOWNLOAD, sbuf_str(&target), a->argv[0], &job,
				     get_tree_file);
	sbuf_free(&target);
	return code;
}
