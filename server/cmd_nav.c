/* cmd_nav: the working directory: PWD, CWD, CDUP (and X- forms). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
	/* A directory may be entered when it may be searched (x), as
	 * chdir(2) asks, read permission or not: looking up "." in it
	 * takes that permission. */
	int fd = vfs_open(s->root_fd, path, O_PATH | O_DIRECTORY, 0);
	int in = fd < 0 ? -1 : openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (in < 0) {
		session_reply_errno(s, 0, path, err);
		return;
	}
	close(in);
	strcpy(s->cwd, path);
	session_reply(s, FTP_FILE_ACTION_OK, "Directory changed to %s.", path);
}

void cmd_cdup(struct session *s, const char *arg)
{
	cmd_cwd(s, "..");
}
