/* transfer: moving bytes over a data connection while the control
 * connection stays live. Every loop polls the control socket too, so ABOR
 * and STAT are answered mid-transfer, and a stalled peer times out.
 * Binary downloads use sendfile(2); uploads use splice(2) through a pipe
 * (large reads and writes where splice is not possible). */
#ifndef FERRYD_TRANSFER_H
#define FERRYD_TRANSFER_H

#include <stddef.h>
#include <sys/types.h>

#include "session.h"

/* How a transfer ended. */
enum xfer_result {
	XFER_OK,            /* all bytes moved */
	XFER_ABORTED,       /* ABOR arrived */
	XFER_NET_ERROR,     /* data connection reset or failed */
	XFER_TIMEOUT,       /* no progress for the idle timeout */
	XFER_LOCAL_ERROR,   /* reading or writing the file failed (errno kept) */
	XFER_CONTROL_LOST,  /* control connection closed */
};

/* Sends size bytes of file_fd from offset (ASCII: LF becomes CRLF). */
enum xfer_result xfer_send_file(struct session *s, int data_fd, int file_fd,
				off_t offset, off_t size, int *err);
/* Sends len bytes of buf. */
enum xfer_result xfer_send_buf(struct session *s, int data_fd, const char *buf, size_t len);
/* Receives until the client closes the data connection, writing to
 * file_fd at its current offset (ASCII: CRLF becomes LF). *received
 * counts bytes written; *err holds errno for XFER_LOCAL_ERROR. */
enum xfer_result xfer_recv_file(struct session *s, int data_fd, int file_fd,
				off_t *received, int *err);
/* Sends the final reply for a transfer's result (226, 426+226, 426, 421,
 * 451/452) and logs it. local_err is errno for XFER_LOCAL_ERROR. */
void xfer_finish(struct session *s, enum xfer_result r, int local_err, const char *verb,
		 const char *path, off_t bytes, long long start_ms);

#endif
