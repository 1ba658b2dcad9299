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
#include "vpath.h"

/* A listing on its way over the data channel. */
struct listing_send {
	const char *verb;
	const char *what;        /* the listed path (filled by listing_build) */
	bool started;            /* 150 sent and the transfer begun */
	struct conn *data;       /* NULL until open, or if it could not be opened */
	enum xfer_result r;      /* how sending has gone so far */
	off_t sent;
};

/* Sends the 150, begins the transfer (total bytes, -1 if not known yet)
 * and opens the data connection; false if it could not be (answered). */
static bool listing_start(struct session *s, struct listing_send *ls, off_t total)
{
	ls->started = true;
	session_reply(s, FTP_FILE_STATUS_OK, "Here comes the directory listing.");
	xfer_begin(s, ls->verb, ls->what, total);
	ls->data = dataconn_open(s);
	return ls->data != NULL;
}

static bool listing_send_part(struct session *s, struct listing_send *ls, const char *buf,
			      size_t len)
{
	ls->r = xfer_send_buf(s, ls->data, buf, len);
	ls->sent += (off_t)len;
	return ls->r == XFER_OK;
}

/* The listing's sink (struct listing_sink): a directory's listing
 * starts its transfer once the directory is open, so the client has its
 * 150 and the data connection is set up while the names are read. */
static bool listing_begin(struct session *s, void *ctx)
{
	return listing_start(s, ctx, -1);
}

/* Called only after listing_begin started the transfer. */
static bool listing_emit(struct session *s, struct sbuf *out, void *ctx)
{
	return listing_send_part(s, ctx, out->data, out->len);
}

/* Builds a listing and sends it over the data channel: a directory's in
 * pieces while it is being made, a single file's whole once it is made. */
static void send_listing(struct session *s, enum listing_kind kind, const char *arg,
			 const char *verb)
{
	if (!dataconn_require(s))
		return;
	struct sbuf out;
	char what[FTP_PATH_MAX + 1];
	sbuf_init(&out, FTP_LISTING_MAX);
	struct listing_send ls = { .verb = verb, .what = what, .r = XFER_OK };
	struct listing_sink sink = { .begin = listing_begin, .emit = listing_emit, .ctx = &ls };
	bool built = listing_build(s, kind, arg, &out, what, &sink);
	if (!ls.started) {
		if (!built) {
			sbuf_free(&out);
			return;
		}
		listing_start(s, &ls, (off_t)out.len);
	}
	if (ls.data == NULL) {
		xfer_end(s);
		sbuf_free(&out);
		return;
	}
	if (built && ls.r == XFER_OK && out.len > 0)
		listing_send_part(s, &ls, out.data, out.len);
	if (!built && ls.r == XFER_OK) {
		/* The listing failed after its first piece (answered). */
		ftps_data_close(s, ls.data, NULL);
		xfer_end(s);
		sbuf_free(&out);
		return;
	}
	ftps_data_close(s, ls.data, &ls.r);
	if (ls.r == XFER_OK) {
		tally_transfer(s, ls.r, ls.sent);
		xfer_end(s);
		session_reply(s, FTP_TRANSFER_OK, "Directory send OK.");
	} else {
		xfer_finish(s, ls.r, 0, s->xfer.done, NULL);
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
	if (!session_path(s, arg, path))
		return;
	/* RFC 3659 7.2: the entry line starts with one space. The reply is
	 * built whole, so even the longest path keeps its End line. */
	struct sbuf text;
	sbuf_init(&text, 3 * FTP_PATH_MAX + 512);
	bool folder = vpath_names_folder(arg);
	errno = ENAMETOOLONG;
	bool ok = sbuf_printf(&text, "Listing %s\n ", path) && listing_mlst(s, path, folder, &text);
	if (ok) {
		text.len -= 2;     /* the entry's CRLF: the reply adds its own */
		ok = sbuf_puts(&text, "\nEnd");
		errno = ENAMETOOLONG;
	}
	if (ok)
		session_reply_text(s, FTP_FILE_ACTION_OK, sbuf_str(&text));
	else if (errno == ENAMETOOLONG)
		session_reply(s, FTP_BAD_FILENAME, "Path too long.");
	else
		session_reply_folder_errno(s, path, folder, errno);
	sbuf_free(&text);
}
