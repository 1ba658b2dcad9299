/* cmd_xfer: data channel setup (PASV EPSV PORT EPRT), REST, ABOR and the
 * file transfers RETR, STOR, STOU, APPE. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "commands.h"
#include "dataconn.h"
#include "ftps.h"
#include "transfer.h"
#include "vfs.h"
#include "vpath.h"

/* Most names STOU tries (name, name_1, ... name_N). */
#define STOU_MAX_TRIES 10000

void cmd_pasv(struct session *s, const char *arg)
{
	if (s->epsv_all) {
		session_reply(s, FTP_BAD_SEQUENCE, "EPSV ALL in effect; use EPSV.");
		return;
	}
	dataconn_passive(s, false);
}

void cmd_epsv(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "ALL") == 0) {
		s->epsv_all = true;
		session_reply(s, FTP_OK, "EPSV ALL ok.");
		return;
	}
	if (*arg) {
		int want = strcmp(arg, "1") == 0 ? AF_INET : strcmp(arg, "2") == 0 ? AF_INET6 : -1;
		/* The client's protocol is that of its own connection, which a
		 * proxy may relay over the other one. */
		int client = s->peer.len && netaddr_is_v4(&s->peer) ? AF_INET : AF_INET6;
		if (want < 0 || s->local.len == 0 ||
		    (want != s->local.ss.ss_family && want != client)) {
			session_reply(s, FTP_BAD_PROTOCOL, "Network protocol not supported, use (%d).",
				      s->local.ss.ss_family == AF_INET6 ? 2 : 1);
			return;
		}
	}
	dataconn_passive(s, true);
}

void cmd_port(struct session *s, const char *arg)
{
	if (s->epsv_all) {
		session_reply(s, FTP_BAD_SEQUENCE, "EPSV ALL in effect; use EPSV.");
		return;
	}
	struct netaddr a;
	const char *why = netaddr_decode_port(arg, &a);
	if (why) {
		dataconn_reset(s);
		session_reply(s, FTP_BAD_ARGUMENTS, "Bad PORT argument: %s.", why);
		return;
	}
	dataconn_active(s, &a);
}

void cmd_eprt(struct session *s, const char *arg)
{
	if (s->epsv_all) {
		session_reply(s, FTP_BAD_SEQUENCE, "EPSV ALL in effect; use EPSV.");
		return;
	}
	/* The protocol number sits between the first two delimiters. */
	const char *proto = arg + 1;
	if (arg[0] && (proto[0] != '1' && proto[0] != '2') && proto[0] != arg[0] &&
	    isdigit((unsigned char)proto[0])) {
		dataconn_reset(s);
		session_reply(s, FTP_BAD_PROTOCOL, "Network protocol not supported, use (1,2).");
		return;
	}
	struct netaddr a;
	const char *why = netaddr_decode_eprt(arg, &a);
	if (why) {
		dataconn_reset(s);
		session_reply(s, FTP_BAD_ARGUMENTS, "Bad EPRT argument: %s.", why);
		return;
	}
	dataconn_active(s, &a);
}

void cmd_rest(struct session *s, const char *arg)
{
	long long v;
	const char *end;
	if (!session_parse_count(arg, &end, &v) || *end != '\0') {
		session_reply(s, FTP_BAD_ARGUMENTS, "REST takes a byte offset (0 or more).");
		return;
	}
	s->rest = (off_t)v;
	s->rang_end = -1;
	session_reply(s, FTP_PENDING_MORE_INFO, "Restarting at %lld. Send RETR or STOR next.", v);
}

void cmd_take_range(struct session *s, off_t *start, off_t *end)
{
	*start = s->rest;
	*end = -1;
	if (s->rang_end >= 0) {
		*start = s->rang_start;
		*end = s->rang_end + 1;
	}
	s->rest = 0;
	s->rang_end = -1;
}

void cmd_abor(struct session *s, const char *arg)
{
	if (xfer_running(s)) {
		xfer_request_abort(s);   /* the transfer answers 426 and 226 */
		return;
	}
	dataconn_reset(s);
	session_reply(s, FTP_ABOR_NO_TRANSFER, "No transfer to abort.");
}

/* Opens a regular file for RETR, HASH or for writing in place; O_NONBLOCK
 * keeps a FIFO from blocking the open. Sends 550 and returns -1 otherwise:
 * open's ENXIO (a socket, a FIFO opened for writing with no reader, a
 * device without its driver) and ENODEV name no regular file either, and
 * get that 550, not the 451 of an error worth retrying.
 * flags (without O_NONBLOCK) are then set as they were asked for:
 * F_SETFL takes O_APPEND from them and ignores the access mode and the
 * open-only flags, so the file's flags need not be read first. */
int cmd_open_regular(struct session *s, const char *path, int flags, struct stat *st)
{
	int fd = vfs_open(s->root_fd, path, flags | O_NONBLOCK | O_NOCTTY, 0666);
	if (fd < 0 && errno != ENXIO && errno != ENODEV) {
		session_reply_errno(s, 0, path, errno);
		return -1;
	}
	if (fd < 0 || fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		if (fd >= 0)
			close(fd);
		session_reply_errno(s, 0, path, ENXIO);
		return -1;
	}
	fcntl(fd, F_SETFL, flags);
	return fd;
}

void cmd_retr(struct session *s, const char *arg)
{
	off_t rest, end;
	cmd_take_range(s, &rest, &end);
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, arg, path, PATH_FOLLOWS) || !dataconn_require(s))
		return;
	struct stat st;
	int fd = cmd_open_regular(s, path, O_RDONLY, &st);
	if (fd < 0)
		return;
	if (end >= 0 && rest >= st.st_size) {
		session_reply(s, FTP_BAD_REST, "RANG starts at %lld, beyond the end of %s (%lld bytes).",
			      (long long)rest, path, (long long)st.st_size);
		close(fd);
		return;
	}
	/* A resume offset past the end: the client's copy is no prefix of
	 * this file, and a 226 for no bytes would make it look whole. At the
	 * end itself the download is simply finished. */
	if (rest > st.st_size) {
		session_reply(s, FTP_BAD_REST, "REST %lld is beyond the end of %s (%lld bytes).",
			      (long long)rest, path, (long long)st.st_size);
		close(fd);
		return;
	}
	if (end >= 0 && end < st.st_size)
		st.st_size = end;   /* RANG: send up to its last byte only */
	session_reply(s, FTP_FILE_STATUS_OK, "Opening %s mode data connection for %s (%lld bytes).",
		      s->ascii ? "ASCII" : "BINARY", path, (long long)st.st_size);
	xfer_begin(s, "RETR", path, st.st_size - rest);
	struct conn *data = dataconn_open(s);
	if (!data) {
		xfer_end(s);
		close(fd);
		return;
	}
	int err = 0;
	enum xfer_result r = xfer_send_file(s, data, fd, rest, st.st_size, &err);
	ftps_data_close(s, data, &r);
	xfer_locate(s, fd, &st);
	close(fd);
	xfer_finish(s, r, err, s->xfer.done, NULL);
}

/* How an upload treats an existing file. */
enum store_mode {
	STORE_REPLACE,  /* STOR: new contents replace the file atomically */
	STORE_RESUME,   /* REST n + STOR: write from offset n */
	STORE_APPEND,   /* APPE: add to the end */
	STORE_UNIQUE,   /* STOU: create a file with a name not in use */
};

/* Opens the file an in-place upload writes to: REST n + STOR writes from
 * n (which must not lie beyond the end: no holes of any size), APPE at
 * the end whatever else appends meanwhile; an account that may not
 * overwrite appends only to a file it creates. Its fstat(2) goes to *st.
 * Replies and returns -1 on failure. */
static int open_in_place(struct session *s, const char *path, enum store_mode mode, off_t rest,
			 struct stat *st)
{
	int flags = O_WRONLY;
	if (mode == STORE_APPEND)
		flags |= O_CREAT | O_APPEND | ((commands_denied(s) & DENY_OVERWRITE) ? O_EXCL : 0);
	int fd = cmd_open_regular(s, path, flags, st);
	if (fd < 0)
		return -1;
	if (mode == STORE_RESUME && rest > st->st_size) {
		session_reply(s, FTP_BAD_REST, "REST %lld is beyond the end of %s (%lld bytes).",
			      (long long)rest, path, (long long)st->st_size);
		close(fd);
		return -1;
	}
	if (mode == STORE_RESUME && lseek(fd, rest, SEEK_SET) < 0) {
		session_reply_errno(s, 0, path, errno);
		close(fd);
		return -1;
	}
	return fd;
}

/* What became of the file after a failed upload, for the reply. */
static const char *failed_outcome(enum store_mode mode, const struct vfs_upload *up,
				  off_t received, off_t rest, char *buf, size_t bufsz)
{
	switch (mode) {
	case STORE_REPLACE:
		return up->replaces ? "the old file is unchanged" : "nothing was stored";
	case STORE_UNIQUE:
		return "nothing was stored";
	case STORE_RESUME:
		snprintf(buf, bufsz, "%lld bytes were written from offset %lld", (long long)received,
			 (long long)rest);
		return buf;
	case STORE_APPEND:
		snprintf(buf, bufsz, "%lld bytes were appended", (long long)received);
		return buf;
	}
	return NULL;
}

/* Receives one upload in the given mode. */
static void store(struct session *s, const char *arg, enum store_mode mode, const char *verb)
{
	off_t rest = s->rest;
	off_t allo = s->allo;
	s->rest = 0;
	s->allo = -1;
	if (s->rang_end >= 0) {
		s->rang_end = -1;
		session_reply(s, FTP_BAD_PARAMETER,
			      "RANG applies to RETR and HASH only; the range is cleared.");
		return;
	}
	if (mode == STORE_REPLACE && rest > 0)
		mode = STORE_RESUME;
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, *arg ? arg : "ftp.upload", path, PATH_CREATES) ||
	    session_refuse_temp_name(s, path) || !dataconn_require(s))
		return;
	struct vfs_upload up = { .fd = -1, .dir_fd = -1 };
	struct stat st;   /* the file written in place, as opened */
	int fd = -1;
	switch (mode) {
	case STORE_REPLACE:
		if (vfs_upload_begin(s->root_fd, path, s->uid, &up, s->cfg->idle_timeout) < 0) {
			session_reply_removal(s, path, errno, &up.removal);
			return;
		}
		fd = up.fd;
		up.keep_existing = commands_denied(s) & DENY_OVERWRITE;
		break;
	case STORE_RESUME:
	case STORE_APPEND:
		fd = open_in_place(s, path, mode, rest, &st);
		if (fd < 0)
			return;
		break;
	case STORE_UNIQUE: {
		char want[FTP_PATH_MAX + 1];
		memcpy(want, path, sizeof want);
		/* An account that may not list is not told which names are
		 * taken: its STOU always adds a random part. */
		if (commands_denied(s) & DENY_READ)
			fd = vfs_create_random(s->root_fd, want, path);
		else
			fd = vfs_create_unique(s->root_fd, want, path, STOU_MAX_TRIES);
		if (fd < 0) {
			session_reply_errno(s, 0, want, errno);
			return;
		}
		break;
	}
	}
	if (mode == STORE_UNIQUE)
		session_reply(s, FTP_FILE_STATUS_OK, "FILE: %s", vpath_basename(path));
	else
		session_reply(s, FTP_FILE_STATUS_OK, "Ok to send data.");

	xfer_begin(s, verb, path, allo);
	struct conn *data = dataconn_open(s);
	enum xfer_result r = XFER_NET_ERROR;
	off_t received = 0;
	int err = 0;
	if (data) {
		struct xfer_data_end end;
		r = xfer_recv_file(s, data, fd, &received, &err, &end);
		/* The data connection is closed, and a replacing upload's file
		 * looked for where it is now (see below), within the
		 * upload-end grace, which counts from the end of the data. */
		ftps_data_close(s, data, &r);
		if (r == XFER_OK && mode == STORE_REPLACE)
			xfer_locate_upload(s, &up);
		if (r == XFER_OK)
			r = xfer_upload_end(s, &end);
	}
	/* Put the result in place, or leave the old file as it was. Another
	 * session may have renamed a folder on the way meanwhile: the file
	 * is looked for where it is now, so that the log names it where it
	 * landed, and a failed STOU removes its own file only, not a new one
	 * of its old name. */
	if (r == XFER_OK) {
		if (mode == STORE_REPLACE) {
			if (vfs_upload_commit(&up) < 0) {
				err = errno;
				r = XFER_LOCAL_ERROR;
			}
		} else if (mode == STORE_RESUME && ftruncate(fd, rest + received) < 0) {
			err = errno;
			r = XFER_LOCAL_ERROR;
		}
	} else if (mode == STORE_REPLACE) {
		vfs_upload_abandon(&up);
	} else if (mode == STORE_UNIQUE && vfs_locate(s->root_fd, fd, NULL, path)) {
		vfs_unlink(s->root_fd, path, NULL);
	}
	if (mode != STORE_REPLACE) {
		if (r == XFER_OK || mode != STORE_UNIQUE)
			xfer_locate(s, fd, mode == STORE_UNIQUE ? NULL : &st);
		close(fd);
	}
	char buf[128];
	const char *outcome = r == XFER_OK ? NULL :
			      failed_outcome(mode, &up, received, rest, buf, sizeof buf);
	if (data)
		xfer_finish(s, r, err, received, outcome);
	else
		xfer_end(s);
}

void cmd_stor(struct session *s, const char *arg)
{
	store(s, arg, STORE_REPLACE, "STOR");
}

void cmd_stou(struct session *s, const char *arg)
{
	store(s, arg, STORE_UNIQUE, "STOU");
}

void cmd_appe(struct session *s, const char *arg)
{
	store(s, arg, STORE_APPEND, "APPE");
}
