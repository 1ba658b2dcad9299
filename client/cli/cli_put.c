/* cli_put: upload, of one file or (-r) of a directory tree, fresh or
 * (-c) resumed from the size the server reports (SIZE, then REST +
 * STOR). Remote directories are made as needed; one that exists already
 * is filled in. Symbolic links and special files are skipped. */
#include "config.h"

#include <dirent.h>
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
#include "xalloc.h"

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

/* Makes the remote directory remote unless it exists already. */
static enum ferry_exit put_mkdir(struct cli *c, const char *remote, const char *name)
{
	char why[CLI_MSG_MAX];

	enum ftp_status st = ftp_mkdir(c->ftp, remote);
	if (st == FTP_S_OK)
		return FERRY_EXIT_OK;
	if (st != FTP_S_REFUSED)
		return cli_fail_ftp(c, st, name);
	/* Refused: fine when the directory is there already, which entering
	 * it (and coming back) shows. */
	if (ftp_dir(c->ftp)[0] == '\0')
		return FERRY_EXIT_OK;   /* no way back after the test: the uploads will tell */
	snprintf(why, sizeof why, "%s", ftp_message(c->ftp));
	char *back = xstrdup(ftp_dir(c->ftp));
	st = ftp_cwd(c->ftp, remote);
	bool exists = st == FTP_S_OK;
	if (exists)
		st = ftp_cwd(c->ftp, back);
	free(back);
	if (!exists && st == FTP_S_REFUSED) {
		if (name != NULL)
			return cli_fail(c, FERRY_EXIT_REFUSED, "%s: %s", name, why);
		return cli_fail(c, FERRY_EXIT_REFUSED, "%s", why);
	}
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, name);
}

/* Orders names for qsort. */
static int put_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the names in the local directory dir, sorted; NULL on error
 * (errno set). The caller frees each name and the array. */
static char **put_read_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (v == NULL)
		v = xmalloc(sizeof *v);
	if (*n > 1)
		qsort(v, *n, sizeof *v, put_name_cmp);
	return v;
}

/* Copies the local directory tree local into the remote directory remote. */
static enum ferry_exit put_tree(struct cli *c, const char *local, const char *remote,
			      const struct cli_xfer_job *job)
{
	struct sbuf rpath, lpath;
	size_t n;
	const char *name = job->depth > 0 ? local : NULL;

	if (job->depth > CLI_TREE_DEPTH_MAX)
		return cli_fail(c, FERRY_EXIT_LOCAL, "%s: more than %d directory levels", local,
				CLI_TREE_DEPTH_MAX);
	char **names = put_read_dir(local, &n);
	if (names == NULL)
		return cli_fail_errno(c, errno, local);
	enum ferry_exit code = put_mkdir(c, remote, name);
	sbuf_init(&rpath, PATH_LEN_MAX);
	sbuf_init(&lpath, PATH_LEN_MAX);
	struct cli_xfer_job sub = *job;
	sub.depth++;
	for (size_t i = 0; i < n && code == FERRY_EXIT_OK; i++) {
		struct stat sb;
		if (interrupt_pending()) {
			code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
			break;
		}
		if (!path_join(&rpath, remote, names[i]) || !path_join(&lpath, local, names[i])) {
			code = cli_fail_errno(c, ENAMETOOLONG, names[i]);
			break;
		}
		const char *lp = sbuf_str(&lpath);
		if (lstat(lp, &sb) < 0)
			code = cli_fail_errno(c, errno, lp);
		else if (S_ISDIR(sb.st_mode))
			code = put_tree(c, lp, sbuf_str(&rpath), &sub);
		else if (S_ISREG(sb.st_mode))
			code = put_file(c, lp, sbuf_str(&rpath), &sub, lp, lp);
		else
			cli_note(c, "skipping %s: not a file or directory", lp);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbuf_free(&rpath);
	sbuf_free(&lpath);
	return code;
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
		return put_tree(c, local, remote, &job);
	}
	return put_file(c, local, remote, &job, local, NULL);
}
