/* cli_get: download, of one file, of what a pattern matches (mget), or
 * (-r) of a directory tree, fresh or (-c) resumed.
 *
 * A fresh download is written to a hidden temporary file beside its
 * target (".NAME.ferry-XXXXXX") and renamed over the target only when
 * the server confirmed the whole file, so an interrupted or refused
 * download never leaves a partial file under the real name, nor an
 * empty one for a file the server does not have. The download holds a
 * lock on its temporary (tempname.h); the temporaries of the same target
 * that nobody holds, left by a download that was killed, are removed by
 * the next one. A resumed download writes into the real name from its
 * current size (REST), and with no file of that name yet it takes over
 * the largest such temporary first. An existing
 * local file is replaced only after a confirmation (or -y); a character
 * device, a FIFO or "-" is written through; a symbolic link is followed
 * (its file replaced, the link kept), one to nothing refused. A file
 * written gets the server's modification time (unless preserve is off).
 * Trees are walked by the engine (tree.h), which skips names that could
 * climb out of the target and entries that are neither files nor
 * directories; patterns are matched by the engine too (glob.h). */
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
#include "interrupt.h"
#include "progress.h"
#include "sbuf.h"
#include "sync.h"
#include "tempname.h"

/* The local name that means standard output. */
static const char get_stdout_name[] = "-";
/* Mode of new files before the umask. */
#define GET_FILE_MODE 0666

/* The file's size a listing gave, for the progress; -1: ask. */
static off_t cp_size(const struct cli_copy *cp)
{
	return cp->sized ? cp->size : -1;
}

/* Downloads cp straight into fd (standard output, a character device, a
 * pipe): nothing to replace, so no temporary and no time kept; a summary
 * unless the data itself goes to standard output. */
static enum ferry_exit get_through(struct cli *c, const struct cli_copy *cp, int fd, bool summary)
{
	struct progress p;

	fflush(stdout);
	progress_start(&p, "downloaded", cp->label, c->bars, 0);
	enum ftp_status st = ftp_get_sized(c->ftp, cp->remote, fd, 0, cp_size(cp), cli_xfer_progress, &p);
	cli_xfer_done(c, &p, cp, st == FTP_S_OK && summary);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, cp->name);
}

/* Opens the character device or FIFO cp->local for writing (as it is: no
 * truncation, nothing created) and downloads into it. */
static enum ferry_exit get_device(struct cli *c, const struct cli_copy *cp)
{
	int fd = open(cp->local, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail_errno(c, errno, cp->local);
	enum ferry_exit code = get_through(c, cp, fd, true);
	if (close(fd) < 0 && code == FERRY_EXIT_OK)
		code = cli_fail_errno(c, errno, cp->local);
	return code;
}

/* Downloads cp into a temporary beside cp->local, then renames it over
 * cp->local; mode is the new file's mode. */
static enum ferry_exit get_fresh(struct cli *c, const struct cli_copy *cp,
				 const struct cli_xfer_job *job, mode_t mode)
{
	char tmp[PATH_LEN_MAX];
	struct progress p;

	tempname_sweep_listed(job->temps, cp->local, false);
	int fd = tempname_create(cp->local, tmp, sizeof tmp);
	if (fd < 0)
		return cli_fail_errno(c, errno, cp->local);
	interrupt_guard_file(tmp);
	if (fchmod(fd, mode & 07777) < 0) {
		int err = errno;
		close(fd);
		unlink(tmp);
		interrupt_guard_file(NULL);
		return cli_fail_errno(c, err, cp->local);
	}
	progress_start(&p, "downloaded", cp->label, c->bars, 0);
	enum ftp_status st = ftp_get_sized(c->ftp, cp->remote, fd, 0, cp_size(cp), cli_xfer_progress, &p);
	progress_end(&p);
	enum ferry_exit bad = FERRY_EXIT_OK;
	if (st == FTP_S_OK && job->verify)
		bad = cli_xfer_verify(c, cp, fd);
	if (st == FTP_S_OK && bad == FERRY_EXIT_OK)
		cli_xfer_time_down(c, job, fd, cp);
	int err = close(fd) < 0 ? errno : 0;
	if (st == FTP_S_OK && bad == FERRY_EXIT_OK && err == 0 && rename(tmp, cp->local) < 0)
		err = errno;
	if (st != FTP_S_OK || bad != FERRY_EXIT_OK || err != 0)
		unlink(tmp);
	interrupt_guard_file(NULL);
	if (bad != FERRY_EXIT_OK)
		return bad;
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, cp->name);
	if (err != 0)
		return cli_fail_errno(c, err, cp->local);
	cli_xfer_done(c, &p, cp, true);
	return FERRY_EXIT_OK;
}

/* Downloads cp into cp->local from its current size (sb, or NULL when it
 * does not exist yet). */
static enum ferry_exit get_resume(struct cli *c, const struct cli_copy *cp,
				  const struct cli_xfer_job *job, const struct stat *sb)
{
	struct progress p;
	off_t offset = sb ? sb->st_size : 0;

	/* A fresh download that ended before its rename left its first part
	 * in a temporary: with no file yet, that part becomes the file. */
	long long adopted = tempname_sweep_listed(job->temps, cp->local, sb == NULL);
	if (adopted >= 0) {
		struct stat ab;
		if (lstat(cp->local, &ab) == 0 && S_ISREG(ab.st_mode))
			offset = ab.st_size;
	}
	if (offset > 0) {
		off_t rsize;
		enum ftp_status st = ftp_size(c->ftp, cp->remote, &rsize);
		if (st == FTP_S_OK && rsize == offset) {
			cli_xfer_complete(c, cp, true, rsize);
			return FERRY_EXIT_OK;
		}
		if (st == FTP_S_OK && rsize < offset)
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: the local file is larger than the "
					"remote one (%jd > %jd bytes); not resumed", cp->local,
					(intmax_t)offset, (intmax_t)rsize);
		if (st != FTP_S_OK && st != FTP_S_REFUSED)
			return cli_fail_ftp(c, st, cp->name);
	}
	int fd = open(cp->local, O_WRONLY | O_CREAT | O_CLOEXEC, GET_FILE_MODE);
	if (fd < 0)
		return cli_fail_errno(c, errno, cp->local);
	progress_start(&p, "downloaded", cp->label, c->bars, offset);
	enum ftp_status st = ftp_get_sized(c->ftp, cp->remote, fd, offset, cp_size(cp), cli_xfer_progress, &p);
	progress_end(&p);
	if (st == FTP_S_OK)
		cli_xfer_time_down(c, job, fd, cp);
	int err = close(fd) < 0 ? errno : 0;
	if (st != FTP_S_OK) {
		/* Nothing to resume later: do not leave an empty file behind. */
		struct stat now;
		if (sb == NULL && stat(cp->local, &now) == 0 && now.st_size == 0)
			unlink(cp->local);
		return cli_fail_ftp(c, st, cp->name);
	}
	if (err != 0)
		return cli_fail_errno(c, err, cp->local);
	cli_xfer_done(c, &p, cp, true);
	return FERRY_EXIT_OK;
}

/* Where a download goes, by what the local name is now (the rule of
 * ferry(1), DOWNLOAD TARGETS). */
enum get_kind {
	GET_NEW,       /* nothing there: a new file */
	GET_REPLACE,   /* a regular file: replaced after the question */
	GET_THROUGH,   /* a character device or FIFO: written through, as it is */
	GET_REFUSE,    /* a directory, a block device, a socket: not written */
};

/* Classifies the local target, following a symbolic link: *real gets the
 * path to write (the link's file, resolved, when local is a link; the
 * caller frees it) and sb what is there. Returns FERRY_EXIT_OK or an error
 * (printed): a link to nothing is refused, never replaced by a file. */
static enum ferry_exit get_classify(struct cli *c, const char *local, char **real,
				    struct stat *sb, enum get_kind *kind)
{
	*real = NULL;
	if (lstat(local, sb) < 0) {
		if (errno != ENOENT)
			return cli_fail_errno(c, errno, local);
		*kind = GET_NEW;
		return FERRY_EXIT_OK;
	}
	if (S_ISLNK(sb->st_mode)) {
		if (stat(local, sb) < 0 || (*real = realpath(local, NULL)) == NULL) {
			if (errno == ENOENT)
				return cli_fail(c, FERRY_EXIT_LOCAL, "%s: a symbolic link to nothing; "
						"not written through", local);
			return cli_fail_errno(c, errno, local);
		}
	}
	if (S_ISREG(sb->st_mode))
		*kind = GET_REPLACE;
	else if (S_ISCHR(sb->st_mode) || S_ISFIFO(sb->st_mode))
		*kind = GET_THROUGH;
	else
		*kind = GET_REFUSE;
	return FERRY_EXIT_OK;
}

/* Downloads one file: to stdout, through a device or pipe, resumed, or
 * fresh after the overwrite rule. */
static enum ferry_exit get_file(struct cli *c, const struct cli_copy *given,
				const struct cli_xfer_job *job)
{
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	struct stat sb;
	enum get_kind kind = GET_REFUSE;
	char *real;

	if (strcmp(given->local, get_stdout_name) == 0) {
		if (job->resume)
			return cli_fail(c, FERRY_EXIT_USAGE, "-c cannot resume into standard output");
		return get_through(c, given, STDOUT_FILENO, false);
	}
	enum ferry_exit code = get_classify(c, given->local, &real, &sb, &kind);
	if (code != FERRY_EXIT_OK)
		return code;
	struct cli_copy cp = *given;
	if (real != NULL)
		cp.local = real;
	switch (kind) {
	case GET_REFUSE:
		code = S_ISDIR(sb.st_mode) ? cli_fail_errno(c, EISDIR, given->local)
			: cli_fail(c, FERRY_EXIT_LOCAL, "%s: not a regular file, character device "
				   "or pipe; not written", given->local);
		break;
	case GET_THROUGH:
		code = job->resume ? cli_fail(c, FERRY_EXIT_USAGE, "-c cannot resume into a "
					      "device or pipe (%s)", given->local)
			: get_device(c, &cp);
		break;
	case GET_NEW:
	case GET_REPLACE:
		if (job->resume) {
			code = get_resume(c, &cp, job, kind == GET_REPLACE ? &sb : NULL);
			break;
		}
		mode_t mode = (GET_FILE_MODE & ~c->umask);
		if (kind == GET_REPLACE) {
			snprintf(question, sizeof question, "Overwrite %s?", cp.local);
			snprintf(refusal, sizeof refusal, "%s exists: not overwritten", cp.local);
			code = cli_confirm(c, question, refusal);
			mode = sb.st_mode;
		}
		if (code == FERRY_EXIT_OK)
			code = get_fresh(c, &cp, job, mode);
		break;
	}
	free(real);
	return code;
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

/* Downloads remote (a file, or with -r a tree) to local as get_target says. */
static enum ferry_exit get_one(struct cli *c, const char *remote, const char *local,
			       const struct cli_xfer_job *job)
{
	struct sbuf target;

	if (job->recursive && local != NULL && strcmp(local, get_stdout_name) == 0)
		return cli_fail(c, FERRY_EXIT_USAGE, "-r cannot copy a tree to standard output");
	if (job->recursive) {
		/* A file named with -r is copied as a file (as put -r does);
		 * without MLST a refused SIZE leaves it to the tree walk. */
		struct ftp_entry e;
		enum ftp_status st = ftp_stat(c->ftp, remote, &e);
		if (st != FTP_S_OK && st != FTP_S_REFUSED)
			return cli_fail(c, ferry_exit_from_status(st), "%s", ftp_message(c->ftp));
		bool file = st == FTP_S_OK && e.type == FTP_ENTRY_FILE;
		if (st == FTP_S_OK)
			listparse_entry_free(&e);
		if (file) {
			struct cli_xfer_job one = *job;
			one.recursive = false;
			return get_one(c, remote, local, &one);
		}
	}
	sbuf_init(&target, PATH_LEN_MAX);
	enum ferry_exit code = get_target(c, remote, local, &target);
	struct cli_copy cp = { .remote = remote, .local = sbuf_str(&target), .label = remote };
	if (code == FERRY_EXIT_OK && job->recursive && job->parallel > 1)
		code = cli_mirror_copy(c, false, cp.local, remote, job);
	else if (code == FERRY_EXIT_OK && job->recursive)
		code = cli_xfer_tree(c, TREE_DOWNLOAD, cp.local, remote, job, get_file);
	else if (code == FERRY_EXIT_OK && job->segments > 1)
		code = cli_segments_get(c, remote, cp.local, job->segments, job);
	else if (code == FERRY_EXIT_OK)
		code = get_file(c, &cp, job);
	sbuf_free(&target);
	return code;
}

/* Refuses --segments where it cannot go. */
static enum ferry_exit get_segments_refused(struct cli *c)
{
	return cli_fail(c, FERRY_EXIT_USAGE, "--segments fetches one file into a local file "
			"(not with -r, -c, a pattern or \"-\"); it resumes by itself");
}

/* Downloads what the pattern remote matches into the directory local
 * (NULL: here), or the file the pattern names exactly into local. */
static enum ferry_exit get_pattern(struct cli *c, const char *remote, const char *local,
				   const struct cli_xfer_job *job)
{
	struct ftp_listing l;
	struct stat sb;

	listparse_init(&l);
	enum ftp_status st = ftp_glob(c->ftp, remote, &l);
	if (st == FTP_S_OK && cli_xfer_names_one(remote, &l)) {
		enum ferry_exit one = get_one(c, l.v[0].name, local, job);
		listparse_free(&l);
		return one;
	}
	if (st == FTP_S_OK && job->segments > 1) {
		listparse_free(&l);
		return get_segments_refused(c);
	}
	if (st == FTP_S_OK && local != NULL && (stat(local, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
		listparse_free(&l);
		return cli_fail(c, FERRY_EXIT_USAGE, "%s: not a directory; a pattern's files are "
				"copied into one", local);
	}
	enum ferry_exit code;
	if (st != FTP_S_OK)
		code = cli_fail_ftp(c, st, NULL);
	else if (l.n == 0)
		code = cli_fail(c, FERRY_EXIT_REFUSED, "no remote name matches %s", remote);
	else
		code = cli_xfer_matches(c, TREE_DOWNLOAD, &l, local, job, get_file);
	/* Lines not understood may have been names the pattern matches. */
	if (st == FTP_S_OK && l.skipped > 0) {
		char dir[PATH_LEN_MAX];
		const char *slash = strrchr(remote, '/');
		size_t n = slash == NULL ? 0 : slash == remote ? 1 : (size_t)(slash - remote);
		snprintf(dir, sizeof dir, "%.*s", (int)n, remote);
		cli_note_partial(c, dir[0] ? dir : ftp_dir(c->ftp), &l);
		if (code == FERRY_EXIT_OK)
			code = FERRY_EXIT_REFUSED;
	}
	listparse_free(&l);
	return code;
}

enum ferry_exit cli_xfer_get(struct cli *c, const char *remote, const char *local, bool resume)
{
	struct cli_xfer_job job = { .resume = resume, .preserve = c->opt.settings.preserve };
	return get_one(c, remote, local, &job);
}

enum ferry_exit cli_cmd_get(struct cli *c, const struct cli_args *a)
{
	struct cli_xfer_job job = {
		.resume = (a->opts & CLI_OPT('c')) != 0,
		.recursive = (a->opts & CLI_OPT('r')) != 0,
		.preserve = c->opt.settings.preserve || (a->opts & CLI_OPT('p')) != 0,
		.parallel = a->parallel, .segments = a->segments, .verify = a->verify,
		.follow_links = a->follow,
	};
	const char *local = a->argc > 1 ? a->argv[1] : NULL;

	if (job.segments > 1 && (job.recursive || job.resume ||
				 (local != NULL && strcmp(local, get_stdout_name) == 0)))
		return get_segments_refused(c);
	if (job.follow_links && !job.recursive)
		return cli_fail(c, FERRY_EXIT_USAGE, "-L follows the links of a tree: it goes "
				"with -r");
	if (job.segments > 1 && ftp_ascii(c->ftp))
		return cli_fail(c, FERRY_EXIT_USAGE, "--segments needs binary mode");
	if (job.resume && ftp_ascii(c->ftp))
		return cli_xfer_no_resume(c);
	/* A tree's or a pattern's files: each target directory read once
	 * for the temporaries of its files, not once per file. */
	struct tempname_dir temps = { 0 };
	job.temps = &temps;
	enum ferry_exit code = glob_is_pattern(a->argv[0]) ? get_pattern(c, a->argv[0], local, &job)
							   : get_one(c, a->argv[0], local, &job);
	tempname_dir_free(&temps);
	return code;
}
