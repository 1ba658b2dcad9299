/* cmd_list: LIST, NLST and MLSD over the data channel; MLST on the
 * control connection. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dataconn.h"
#include "listfmt.h"
#include "listing.h"
#include "sysio.h"
#include "transfer.h"
#include "vfs.h"

/* Builds a listing, then sends it over the data channel. */
static void send_listing(struct session *s, enum listing_kind kind, const char *arg,
			 const char *verb)
{
	if (!dataconn_prepared(s)) {
		session_reply(s, FTP_CANT_OPEN_DATA, "Use PASV, EPSV, PORT or EPRT first.");
		return;
	}
	struct sbuf out;
	char what[FTP_PATH_MAX + 1];
	sbuf_init(&out, FTP_LISTING_MAX);
	if (!listing_build(s, kind, arg, &out, what)) {
		dataconn_reset(s);
		sbuf_free(&out);
		return;
	}
	session_reply(s, FTP_FILE_STATUS_OK, "Here comes the directory listing.");
	int data = dataconn_open(s);
	if (data >= 0) {
		s->xfer.running = true;
		s->xfer.verb = verb;
		s->xfer.path = what;
		s->xfer.done = 0;
		s->xfer.total = (off_t)out.len;
		long long start = sysio_now_ms();
		enum xfer_result r = xfer_send_buf(s, data, out.data ? out.data : "", out.len);
		close(data);
		s->xfer.running = false;
		if (r == XFER_OK)
			session_reply(s, FTP_TRANSFER_OK, "Directory send OK.");
		else
			xfer_finish(s, r, 0, verb, what, s->xfer.done, start);
	}
	sbuf_free(&out);
}

void cmd_list(struct session *s, const char *arg)
{
	send_listing(s, LISTING_LIST, arg, "LIST");
}

void cmd_nlst(struct session *s, const char *arg)
{
	send_listing(s, LISTING_NLST, arg, "NLST");
}

void cmd_mlsd(struct session *s, const char *arg)
{
	send_listing(s, LISTING_MLSD, arg, "MLSD");
}

void cmd_mlst(struct session *s, const char *arg)
{
	char path[FTP_PATH_MAX + 1];
	struct stat st;
	if (!session_path(s, arg, path))
		return;
	if (vfs_stat(s->root_fd, path, &st) < 0) {
		session_reply_errno(s, 0, path, errno);
		return;
	}
	char perm[16];
	listing_perm(s, &st, perm);
	struct sbuf line;
	sbuf_init(&line, FTP_PATH_MAX + 512);
	if (!listfmt_mlsx(&line, s->mlst_facts, path, &st, NULL, perm)) {
		session_reply(s, FTP_BAD_FILENAME, "Path too long.");
		sbuf_free(&line);
		return;
	}
	line.len -= 2;     /* drop the CRLF: the reply adds its own */
	line.data[line.len] = '\0';
	/* RFC 3659 7.2: the entry line starts with one space. */
	session_reply(s, FTP_FILE_ACTION_OK, "Listing %s\n %s\nEnd", path, sbuf_str(&line));
	sbuf_free(&line);
}
