/* cmd_nav: the working directory: PWD, CWD, CDUP (and X- forms). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "commands.h"
#include "vfs.h"

void cmd_pwd(struct session *s, const char *arg)
{
	char q[2 * FTP_PATH_MAX + 1];
	session_quote_path(s->cwd, q, sizeof q);
	session_reply(s, FTP_PATH_CREATED, "\"%s\" is the current directory.", q);
}

void cmd_cwd(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_path(s, *arg ? arg : "/", path))
		return;
	if (vfs_can_enter(s->root_fd, path) < 0) {
		session_reply_errno(s, 0, path, errno);
		return;
	}
	strcpy(s->cwd, path);
	session_reply(s, FTP_FILE_ACTION_OK, "Directory changed to %s.", path);
}

void cmd_cdup(struct session *s, const char *arg)
{
	cmd_cwd(s, "..");
}
