/* cmd_file: changing names: DELE, MKD, RMD, RNFR, RNTO. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "sanitize.h"
#include "vfs.h"
#include "vpath.h"
#include "xalloc.h"

/* Logs a change to the file tree: what, then path (and " -> to" for a
 * rename). */
static void log_change(struct session *s, const char *what, const char *path, const char *to)
{
	char clean[FTP_PATH_MAX + 1], cto[FTP_PATH_MAX + 1] = "";
	sanitize_text(path, strlen(path), clean, sizeof clean);
	if (to != NULL)
		sanitize_text(to, strlen(to), cto, sizeof cto);
	log_msg(LOG_INFO, "%s: peer=%s user=%s %s%s%s", what, s->peer_str, s->user, clean,
		to != NULL ? " -> " : "", cto);
}

void cmd_dele(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, arg, path, PATH_ITSELF))
		return;
	struct vfs_removal why;
	if (vfs_unlink(s->root_fd, path, &why) < 0) {
		session_reply_removal(s, path, errno, &why);
		return;
	}
	log_change(s, "delete", path, NULL);
	session_reply(s, FTP_FILE_ACTION_OK, "File deleted.");
}

void cmd_mkd(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_path(s, arg, path) || session_refuse_temp_name(s, path))
		return;
	struct vfs_removal why;
	if (vfs_mkdir(s->root_fd, path, 0777, &why) < 0) {
		session_reply_removal(s, path, errno, &why);
		return;
	}
	log_change(s, "mkdir", path, NULL);
	char q[2 * FTP_PATH_MAX + 1];
	session_quote_path(path, q, sizeof q);
	session_reply(s, FTP_PATH_CREATED, "\"%s\" created.", q);
}

void cmd_rmd(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, arg, path, PATH_ITSELF))
		return;
	if (session_refuse_root(s, path, "remove"))
		return;
	struct vfs_removal why;
	if (vfs_rmdir(s->root_fd, path, &why) < 0) {
		session_reply_removal(s, path, errno, &why);
		return;
	}
	log_change(s, "rmdir", path, NULL);
	session_reply(s, FTP_FILE_ACTION_OK, "Directory removed.");
}

void cmd_rnfr(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, arg, path, PATH_ITSELF))
		return;
	if (session_refuse_root(s, path, "rename"))
		return;
	/* A file this account may not rename (another's in a sticky folder
	 * it does not own either) or no one may (chattr +i or +a on it or its
	 * folder) is refused here, as DELE is, not after RNTO. The folder is
	 * the one reached through any links before the name. */
	struct vfs_removal r;
	if (vfs_removal_check(s->root_fd, path, s->uid, &r) < 0) {
		session_reply_errno(s, 0, path, errno);
		return;
	}
	if (!r.allowed) {
		session_reply_removal(s, path, EPERM, &r);
		return;
	}
	s->rnfr = xstrdup(path);
	session_reply(s, FTP_PENDING_MORE_INFO, "Ready for RNTO.");
}

void cmd_rnto(struct session *s, const char *arg)
{
	if (s->rnfr == NULL) {
		session_reply(s, FTP_BAD_SEQUENCE, "RNFR required first.");
		return;
	}
	char *from = s->rnfr;
	s->rnfr = NULL;
	char path[FTP_PATH_MAX + 1];
	if (session_path(s, arg, path) && !session_refuse_root(s, path, "rename onto") &&
	    !session_refuse_temp_name(s, path)) {
		bool replace = !(commands_denied(s) & (DENY_OVERWRITE | DENY_DELETE));
		struct stat st;
		struct vfs_removal why;
		/* A new name ending in a slash names a folder: only a folder
		 * may take it, as in rename(2). */
		if (vpath_names_folder(arg) && vfs_lstat(s->root_fd, from, &st) == 0 &&
		    !S_ISDIR(st.st_mode)) {
			session_reply_folder_errno(s, path, true, ENOTDIR);
		} else if (vfs_rename(s->root_fd, from, path, replace, &why) < 0) {
			/* ENOENT is either side's: name the file when it is the
			 * one gone (deleted by another session since RNFR). */
			int err = errno;
			bool gone = err == ENOENT && vfs_lstat(s->root_fd, from, &st) < 0 &&
				    errno == ENOENT;
			session_reply_removal(s, gone ? from : path, err, &why);
		} else {
			log_change(s, "rename", from, path);
			session_reply(s, FTP_FILE_ACTION_OK, "Rename successful.");
		}
	}
	free(from);
}
