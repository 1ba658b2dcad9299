/* cli_cmds: the commands on directories and single files that need no
 * data connection of their own: cd, pwd, lcd, lpwd, size, rm (files,
 * patterns, -r trees, one question for all), mkdir, rmdir, rename
 * (which asks before it replaces a file).
 * Each is a thin handler: call the engine (or libc for the local ones),
 * print the result, or report the failure through cli_fail*. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_private.h"
#include "glob.h"
#include "human.h"
#include "interrupt.h"
#include "xalloc.h"

/* The argument that means the parent directory. */
static const char cmds_parent[] = "..";

/* Turns an engine status into the command's exit status. */
static enum ferry_exit cmds_result(struct cli *c, enum ftp_status st)
{
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail_ftp(c, st, NULL);
}

enum ferry_exit cli_cmd_cd(struct cli *c, const struct cli_args *a)
{
	if (strcmp(a->argv[0], cmds_parent) == 0)
		return cmds_result(c, ftp_cdup(c->ftp));
	return cmds_result(c, ftp_cwd(c->ftp, a->argv[0]));
}

enum ferry_exit cli_cmd_pwd(struct cli *c, const struct cli_args *a)
{
	(void)a;
	enum ftp_status st = ftp_pwd(c->ftp);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, NULL);
	cli_print(ftp_dir_display(c->ftp));
	return FERRY_EXIT_OK;
}

/* The home directory: $HOME, else the password database's. */
static const char *cmds_home(void)
{
	const char *home = getenv("HOME");
	if (home != NULL && home[0] != '\0')
		return home;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

enum ferry_exit cli_cmd_lcd(struct cli *c, const struct cli_args *a)
{
	const char *dir = a->argc > 0 ? a->argv[0] : cmds_home();
	if (dir == NULL)
		return cli_fail(c, FERRY_EXIT_USAGE, "no home directory known: lcd DIR");
	if (chdir(dir) < 0)
		return cli_fail_errno(c, errno, dir);
	return FERRY_EXIT_OK;
}

enum ferry_exit cli_cmd_lpwd(struct cli *c, const struct cli_args *a)
{
	char dir[PATH_MAX];
	(void)a;
	if (getcwd(dir, sizeof dir) == NULL)
		return cli_fail_errno(c, errno, "the current directory");
	cli_print(dir);
	return FERRY_EXIT_OK;
}

enum ferry_exit cli_cmd_size(struct cli *c, const struct cli_args *a)
{
	char mb[HUMAN_BUF], line[CLI_MSG_MAX];
	off_t size;

	enum ftp_status st = ftp_size(c->ftp, a->argv[0], &size);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, NULL);
	snprintf(line, sizeof line, "%s: %jd bytes (%s)", a->argv[0], (intmax_t)size,
		 human_mb(size, mb, sizeof mb));
	cli_print(line);
	return FERRY_EXIT_OK;
}

/* What rm will delete: one entry a name given or matched; type
 * FTP_ENTRY_DIR for a tree (rm -r), anything else a file (DELE). */
static enum ferry_exit rm_collect(struct cli *c, const struct cli_args *a, struct ftp_listing *set)
{
	bool tree = (a->opts & CLI_OPT('r')) != 0;

	for (int i = 0; i < a->argc; i++) {
		const char *word = a->argv[i];
		size_t before = set->n;
		enum ftp_status st;
		if (glob_is_pattern(word)) {
			st = ftp_glob(c->ftp, word, set);
			if (st != FTP_S_OK)
				return cli_fail_ftp(c, st, NULL);
			if (set->n == before)
				return cli_fail(c, FERRY_EXIT_REFUSED, "no remote name matches %s", word);
		} else {
			struct ftp_entry e = { 0 };
			/* -r needs to know a directory from a file; plain rm lets DELE say. */
			st = tree ? ftp_stat(c->ftp, word, &e) : FTP_S_REFUSED;
			if (st == FTP_S_BROKEN || st == FTP_S_CONNECT || st == FTP_S_USAGE)
				return cli_fail_ftp(c, st, NULL);
			if (st != FTP_S_OK) {
				/* Unknown (SIZE finds no directories): a directory with -r. */
				e.type = tree ? FTP_ENTRY_DIR : FTP_ENTRY_FILE;
				e.size = -1;
			}
			free(e.name);
			free(e.display);
			e.name = xstrdup(word);
			e.display = xstrdup(word);
			listparse_add(set, &e);
		}
		for (size_t j = before; j < set->n; j++)
			if (set->v[j].type == FTP_ENTRY_DIR && !tree)
				return cli_fail(c, FERRY_EXIT_USAGE, "%s is a directory (rm -r deletes it "
						"with everything in it)", set->v[j].display);
	}
	return FERRY_EXIT_OK;
}

/* Asks once for the whole set: "Delete FILE?", "Delete DIR and everything
 * in it?", or the set listed one a line, then "Delete these N?". */
static enum ferry_exit rm_confirm(struct cli *c, const struct ftp_listing *set)
{
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	const struct ftp_entry *e = &set->v[0];

	if (set->n == 1) {
		snprintf(question, sizeof question, "Delete %s%s?", e->name,
			 e->type == FTP_ENTRY_DIR ? " and everything in it" : "");
		snprintf(refusal, sizeof refusal, "%s not deleted", e->display);
		return cli_confirm(c, question, refusal);
	}
	if (c->ask && !c->opt.yes)
		for (size_t i = 0; i < set->n; i++)
			cli_tell("  %s%s", set->v[i].name,
					set->v[i].type == FTP_ENTRY_DIR ? "/ (and everything in it)" : "");
	snprintf(question, sizeof question, "Delete these %zu?", set->n);
	snprintf(refusal, sizeof refusal, "%zu names not deleted", set->n);
	return cli_confirm(c, question, refusal);
}

/* One rm's trees: the interpreter, and whether a folder was left. */
struct rm_walk {
	struct cli *c;
	bool kept;   /* a folder the server does not list stayed */
};

/* Stops a tree removal after Ctrl-C. */
static bool rm_stop(void *arg)
{
	(void)arg;
	return interrupt_pending();
}

/* Notes a folder the server refuses to list, which stays with the
 * folders above it; the removal goes on around it. */
static void rm_unlisted(void *arg, const char *local, const char *remote, const char *why)
{
	struct rm_walk *w = arg;
	(void)local;
	cli_fail_unread(w->c, FERRY_EXIT_REFUSED, "cannot delete", remote,
			"the server does not list it", why);
	w->kept = true;
}

/* rm [-r] NAME|PATTERN...: one question for everything named, then DELE
 * each file and remove each tree (tree.h), stopping at the first failure;
 * a folder the server does not list is left (status 5) and the rest
 * deleted around it. */
enum ferry_exit cli_cmd_rm(struct cli *c, const struct cli_args *a)
{
	struct ftp_listing set;
	struct rm_walk w = { .c = c };
	struct tree_visitor v = { .unlisted = rm_unlisted, .stop = rm_stop, .arg = &w };
	struct tree_result r;

	listparse_init(&set);
	enum ferry_exit code = rm_collect(c, a, &set);
	if (code == FERRY_EXIT_OK)
		code = rm_confirm(c, &set);
	for (size_t i = 0; i < set.n && code == FERRY_EXIT_OK; i++) {
		const struct ftp_entry *e = &set.v[i];
		if (interrupt_pending()) {
			code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
		} else if (e->type == FTP_ENTRY_DIR) {
			tree_remove(c->ftp, e->name, &v, &r);
			if (r.end == TREE_STOPPED)
				code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
			else if (r.end == TREE_FAILED)
				code = cli_fail(c, ferry_exit_from_status(r.status), "%s", r.msg);
		} else {
			enum ftp_status st = ftp_delete(c->ftp, e->name);
			if (st != FTP_S_OK)
				code = cli_fail_ftp(c, st, set.n > 1 ? e->name : NULL);
		}
	}
	listparse_free(&set);
	return code == FERRY_EXIT_OK && w.kept ? FERRY_EXIT_REFUSED : code;
}

enum ferry_exit cli_cmd_mkdir(struct cli *c, const struct cli_args *a)
{
	return cmds_result(c, ftp_mkdir(c->ftp, a->argv[0]));
}

enum ferry_exit cli_cmd_rmdir(struct cli *c, const struct cli_args *a)
{
	return cmds_result(c, ftp_rmdir(c->ftp, a->argv[0]));
}

/* rename FROM TO: a TO that exists is replaced only when confirmed, as
 * the server's RNTO would replace it without a word. */
enum ferry_exit cli_cmd_rename(struct cli *c, const struct cli_args *a)
{
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	const char *to = a->argv[1];
	struct ftp_entry e;

	enum ftp_status st = ftp_stat(c->ftp, to, &e);
	if (st == FTP_S_OK) {
		listparse_entry_free(&e);
		snprintf(question, sizeof question, "Replace %s?", to);
		snprintf(refusal, sizeof refusal, "%s exists: not replaced", to);
		enum ferry_exit code = cli_confirm(c, question, refusal);
		if (code != FERRY_EXIT_OK)
			return code;
	} else if (st != FTP_S_REFUSED) {
		return cli_fail_ftp(c, st, NULL);
	}
	return cmds_result(c, ftp_rename(c->ftp, a->argv[0], to));
}
