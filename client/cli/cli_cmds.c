/* cli_cmds: the commands on directories and single files that need no
 * data connection: cd, pwd, lcd, lpwd, size, rm, mkdir, rmdir, rename.
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
#include "human.h"

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

enum ferry_exit cli_cmd_rm(struct cli *c, const struct cli_args *a)
{
	char question[CLI_MSG_MAX];

	snprintf(question, sizeof question, "Delete %s?", a->argv[0]);
	enum ferry_exit code = cli_confirm(c, question, "not deleted");
	if (code != FERRY_EXIT_OK)
		return code;
	return cmds_result(c, ftp_delete(c->ftp, a->argv[0]));
}

enum ferry_exit cli_cmd_mkdir(struct cli *c, const struct cli_args *a)
{
	return cmds_result(c, ftp_mkdir(c->ftp, a->argv[0]));
}

enum ferry_exit cli_cmd_rmdir(struct cli *c, const struct cli_args *a)
{
	return cmds_result(c, ftp_rmdir(c->ftp, a->argv[0]));
}

enum ferry_exit cli_cmd_rename(struct cli *c, const struct cli_args *a)
{
	return cmds_result(c, ftp_rename(c->ftp, a->argv[0], a->argv[1]));
}
