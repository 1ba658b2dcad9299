/* ftp_data: opening passive data connections.
 * EPSV first (RFC 2428: the port only, the host is the control
 * connection's), falling back to PASV for good when a server refuses EPSV,
 * garbles its reply, or its port cannot be reached. A 227 reply's address
 * is used only when it is the server's own: servers behind NAT announce a
 * private address, so the port is taken and the control host kept. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ftp_private.h"
#include "sysio.h"

/* Connects a non-blocking data socket to a; sets *dfd. */
static enum ftp_status data_connect(struct ftp *f, const struct netaddr *a, int *dfd)
{
	char where[NETADDR_STRLEN];
	const char *what = "connect";

	netaddr_ntop(a, true, where, sizeof where);
	ftp_trace(f, FTP_TRACE_INFO, "data connection to %s", where);
	*dfd = sysio_connect(a, NULL, f->timeout_ms, &what);
	if (*dfd >= 0 && sysio_set_nonblock(*dfd, true) == 0)
		return FTP_S_OK;
	int err = errno;
	if (*dfd >= 0)
		what = "fcntl";
	sysio_close(dfd);
	char msg[NETADDR_STRLEN + 64];
	snprintf(msg, sizeof msg, "data connection to %s (%s)", where, what);
	return ftp_fail(f, FTP_AT_DATA, err, msg);
}

/* EPSV: a 229 reply naming a port on the control host. Returns
 * FTP_S_REFUSED for anything that should make PASV worth a try. */
static enum ftp_status data_epsv(struct ftp *f, int *dfd)
{
	enum ftp_status st = ftp_command(f, "EPSV", NULL);
	if (st != FTP_S_OK)
		return st;
	if (f->code != FTP_EPSV) {
		st = ftp_check(f, 2);
		return st == FTP_S_BROKEN ? st : FTP_S_REFUSED;
	}
	int port;
	const char *err = netaddr_decode_epsv_reply(ftp_reply_text(f), &port);
	if (err != NULL) {
		ftp_set_msg(f, "%s: %s", err, ftp_reply_text(f));
		return FTP_S_REFUSED;
	}
	struct netaddr a = f->data_addr;
	netaddr_set_port(&a, port);
	st = data_connect(f, &a, dfd);
	return st == FTP_S_OK ? st : FTP_S_REFUSED;
}

/* PASV: a 227 reply naming an IPv4 address and port. */
static enum ftp_status data_pasv(struct ftp *f, int *dfd)
{
	enum ftp_status st = ftp_command(f, "PASV", NULL);
	if (st != FTP_S_OK)
		return st;
	if (f->code != FTP_PASV) {
		st = ftp_check(f, 2);
		if (st == FTP_S_OK) {
			ftp_set_msg(f, "not a 227 reply to PASV: %03d", f->code);
			st = FTP_S_BROKEN;
		}
		return st;
	}
	struct netaddr a;
	const char *err = netaddr_decode_pasv_reply(ftp_reply_text(f), &a);
	if (err != NULL) {
		ftp_set_msg(f, "%s: %s", err, ftp_reply_text(f));
		return FTP_S_BROKEN;
	}
	if (f->have_data_addr && !netaddr_same_host(&a, &f->data_addr)) {
		char named[NETADDR_STRLEN], host[NETADDR_STRLEN];
		netaddr_ntop(&a, false, named, sizeof named);
		netaddr_ntop(&f->data_addr, false, host, sizeof host);
		ftp_trace(f, FTP_TRACE_INFO, "PASV named %s, not the server (%s): using %s",
			  named, host, host);
		int port = netaddr_port(&a);
		a = f->data_addr;
		netaddr_set_port(&a, port);
	}
	return data_connect(f, &a, dfd);
}

enum ftp_status ftp_data_open(struct ftp *f, int *dfd)
{
	*dfd = -1;
	if (!f->no_epsv && f->have_data_addr) {
		enum ftp_status st = data_epsv(f, dfd);
		if (st == FTP_S_OK || f->fd < 0)
			return st;
		ftp_trace(f, FTP_TRACE_INFO, "EPSV did not work (%s); using PASV from now on",
			  ftp_message(f));
		f->no_epsv = true;
	}
	return data_pasv(f, dfd);
}

void ftp_data_reset(int *dfd)
{
	if (*dfd < 0)
		return;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(*dfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	sysio_close(dfd);
}
