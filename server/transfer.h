/* transfer: moving bytes over a data connection while the control
 * connection stays live. Every loop polls the control connection too
 * (through conn_poll, which sees TLS bytes already decrypted), so ABOR
 * and STAT are answered mid-transfer, and a stalled peer times out.
 * Binary downloads use conn_sendfile (sendfile(2), kTLS, or large TLS
 * records); uploads are read 1 MiB at a time and written in 128 KiB
 * steps. A TLS upload is complete only when it ends with the client's
 * close_notify. A session's --max-rate paces every loop without giving
 * up sendfile.
 *
 * This file owns the session's transfer state (struct xfer_progress)
 * and is the only one to write it: xfer_init clears it, xfer_begin fills
 * it, xfer_locate follows the file, xfer_finish answers and clears it. */
#ifndef FERRYD_TRANSFER_H
#define FERRYD_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "conn.h"
#include "session.h"

/* Clears the transfer state of a new session (its large path buffer is
 * only emptied). */
void xfer_init(struct session *s);
/* Starts the transfer state STAT reports: verb and path are copied, total
 * is the number of bytes expected (-1 if unknown). */
void xfer_begin(struct session *s, const char *verb, const char *path, off_t total);
/* Notes that the data connection is open: the clock (and the rate limit)
 * start now. */
void xfer_connected(struct session *s);

/* Sends size bytes of file_fd from offset (ASCII: LF becomes CRLF). */
enum xfer_result xfer_send_file(struct session *s, struct conn *data, int file_fd,
				off_t offset, off_t size, int *err);
/* Sends len bytes of buf. */
enum xfer_result xfer_send_buf(struct session *s, struct conn *data, const char *buf,
			       size_t len);
/* When an upload's data ended, and whether its end is still to be judged
 * (xfer_recv_file sets it, xfer_upload_end reads it). */
struct xfer_data_end {
	struct timespec at;  /* CLOCK_MONOTONIC */
	bool judge;          /* plain connection, no total: the grace applies */
};
/* Receives until the client closes the data connection, writing to
 * file_fd at its current offset, or at its end if it was opened
 * O_APPEND (ASCII: CRLF becomes LF). *received counts bytes written;
 * *err holds errno for XFER_LOCAL_ERROR. When the data ends the upload is
 * judged where that needs no wait: a TLS upload cut without close_notify
 * is XFER_NET_ERROR; short of the transfer's expected total (ALLO) it is
 * XFER_INCOMPLETE. On a plain connection without a total, XFER_OK only
 * says the data ended: *end records when, and after closing the data
 * connection the caller asks xfer_upload_end. */
enum xfer_result xfer_recv_file(struct session *s, struct conn *data, int file_fd,
				off_t *received, int *err, struct xfer_data_end *end);
/* The rest of the judgement of an upload's end (after xfer_recv_file
 * returned XFER_OK): XFER_CONTROL_LOST if the client has hung up its
 * control connection, without sending anything more, within the grace
 * counted from the end of the data (a killed client); XFER_OK otherwise,
 * and at once where *end needs no grace. */
enum xfer_result xfer_upload_end(struct session *s, const struct xfer_data_end *end);
struct digest;
/* Feeds bytes offset..end-1 of file_fd into d for HASH, in pieces: the
 * control connection is answered between them (ABOR ends it with
 * XFER_ABORTED) and the session's rate limit paces it like a download.
 * Counts into the transfer state (xfer_begin, xfer_connected first). */
enum xfer_result xfer_hash_file(struct session *s, int file_fd, off_t offset, off_t end,
				struct digest *d, int *err);
/* Sends the final reply for a transfer's result (226, 426+226, 426, 421,
 * 451/452), logs it and ends the transfer state. local_err is errno for
 * XFER_LOCAL_ERROR; bytes is what the log records; outcome (may be NULL)
 * tells the client what became of the file after a failed upload, e.g.
 * "the old file is unchanged". */
void xfer_finish(struct session *s, enum xfer_result r, int local_err, off_t bytes,
		 const char *outcome);
struct vfs_upload;
/* Points the transfer's path at where its file is now (another session
 * may have renamed a folder on its way), for the log: the file open as
 * fd (opened: its fstat from the open, or NULL), or the target an upload
 * up will land on. The path stays as it was where the file is gone. */
void xfer_locate(struct session *s, int fd, const struct stat *opened);
void xfer_locate_upload(struct session *s, const struct vfs_upload *up);
/* Ends the transfer state without a reply (the transfer never started). */
void xfer_end(struct session *s);
/* True between xfer_begin and its xfer_finish or xfer_end. */
bool xfer_running(const struct session *s);
/* Sends STAT's 213 about the running transfer (waiting, or bytes moved). */
void xfer_reply_status(struct session *s);
/* Asks the running transfer to end as aborted (426, 226). */
void xfer_request_abort(struct session *s);

#endif
