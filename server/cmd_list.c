/* cmd_list: LIST, NLST and MLSD over the data channel; MLST on the
 * control connection. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dataconn.h"
#include "ftps.h"
#include "listfmt.h"
#include "listing.h"
#include "sysio.h"
#include "tally.h"
#include "transfer.h"
#include "vfs.h"

/* Builds a listing, then sends it over the data channel. */
static void send_listing(struct session *s, enum listing_kind kind, const char *arg,
			 const char *verb)
{
	if (!dataconn_require(s))
		return;
	struct sbuf out;
	char what[FTP_PATH_MAX + 1];
	sbuf_init(&out, FTP_LISTING_MAX);
	if (!listing_build(s, kind, arg, &out, what)) {
		dataconn_reset(s);
		sbuf_free(&out);
		return;
	}
	session_reply(s, FTP_FILE_STATUS_OK, "Here comes the directory listing.");
	xfer_begin(s, verb, what, (off_t)out.len);
	struct conn *data = dataconn_open(s);
	if (data) {
		enum xfer_result r = xfer_send_buf(s, data, out.data ? out.data : "", out.len);
		ftps_data_close(s, data, r == XFER_OK);
		if (r == XFER_OK) {
			tally_transfer(s, r, (off_t)out.len);
			xfer_end(s);
			session_reply(s, FTP_TRANSFER_OK, "Directory send OK.");
		} else {
			xfer_finish(s, r, 0, s->xfer.done, NULL);
		}
	} else {
		xfer_end(s);
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
	/* RFC 3659 7.2: the entry line starts with one space. The reply is
	 * built whole, so even the longest path keeps its End line. */
	struct sbuf text;
	sbuf_init(&text, 3 * FTP_PATH_MAX + 512);
	bool ok = sbuf_printf(&text, "Listing %s\n ", path) &&
		  listfmt_mlsx(&text, s->mlst_facts, path, &st, NULL, perm);
	if (ok) {
		text.len -= 2;     /* the entry's CRLF: the reply adds its own */
		ok = sbuf_puts(&text, "\nEnd");
	}
	if (ok)
		session_reply_text(s, FTP_FILE_ACTION_OK, sbuf_str(&text));
	else
		session_reply(s, FTP_BAD_FILENAME, "Path too long.");
	sbuf_free(&text);
}
