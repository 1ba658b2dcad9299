/* ftp_data: opening data connections.
 * Passive: EPSV first (RFC 2428: the port only, the host is the control
 * connection's), falling back to PASV for good when a server refuses EPSV,
 * garbles its reply, or its port cannot be reached. A 227 reply's address
 * is used only when it is the server's own: servers behind NAT announce a
 * private address, so the port is taken and the control host kept.
 * Active: a listening socket on the control connection's local address,
 * announced with EPRT (RFC 2428), or PORT when a server does not know
 * EPRT; the server's connection is accepted once the transfer command
 * was taken, and only from the server's own address. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ftp_private.h"
#include "sbuf.h"
#include "sysio.h"

/* Connects a non-blocking data socket to a; sets *dfd. */
static enum ftp_status data_connect(struct ftp *f, const struct netaddr *a, int *dfd)
{
	char where[NETADDR_STRLEN];
	const char *what = "connect";

	netaddr_ntop(a, true, where, sizeof where);
	ftp_trace(f, FTP_TRACE_INFO, "data connection to %s", where);
	*dfd = ftp_connect_addr(f, a, f->timeout_ms, &what);
	if (*dfd >= 0)
		return FTP_S_OK;
	int err = errno;
	if (err == ECANCELED) {
		/* No transfer command is out yet: the connection stays. */
		ftp_set_msg(f, "interrupted while waiting for the server");
		f->code = 0;
		return FTP_S_CANCELLED;
	}
	char msg[NETADDR_STRLEN + 64];
	snprintf(msg, sizeof msg, "data connection to %s (%s)", where, what);
	return ftp_fail(f, FTP_AT_DATA, err, msg);
}

/* EPSV: a 229 reply naming a port on the control host. Returns
 * FTP_S_REFUSED for anything that should make PASV worth a try; another
 * positive reply than 229 or a plain 200 (a server's own idea of EPSV)
 * answers an earlier command, and the call runs again. */
static enum ftp_status data_epsv(struct ftp *f, int *dfd)
{
	enum ftp_status st = ftp_command(f, "EPSV", NULL);
	if (st != FTP_S_OK)
		return st;
	if (f->code != FTP_EPSV) {
		st = ftp_check(f, 2);
		if (st == FTP_S_OK && f->code != FTP_OK)
			return ftp_out_of_step(f, "EPSV");
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
	return st == FTP_S_OK || st == FTP_S_CANCELLED ? st : FTP_S_REFUSED;
}

/* PASV: a 227 reply naming an IPv4 address and port. */
static enum ftp_status data_pasv(struct ftp *f, int *dfd)
{
	enum ftp_status st = ftp_command(f, "PASV", NULL);
	if (st != FTP_S_OK)
		return st;
	if (f->code != FTP_PASV) {
		st = ftp_check(f, 2);
		return st == FTP_S_OK ? ftp_out_of_step(f, "PASV") : st;
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

/* Announces the listener at a with EPRT, or PORT (IPv4 only) when the
 * server does not know EPRT, and wants a 2xx reply. */
static enum ftp_status data_announce(struct ftp *f, const struct netaddr *a)
{
	struct sbuf arg;
	enum ftp_status st = FTP_S_REFUSED;

	sbuf_init(&arg, NETADDR_STRLEN + 16);
	if (!f->no_eprt && netaddr_encode_eprt(a, &arg)) {
		st = ftp_command(f, "EPRT", sbuf_str(&arg));
		if (st == FTP_S_OK && (f->code == FTP_BAD_COMMAND || f->code == FTP_NOT_IMPLEMENTED) &&
		    netaddr_is_v4(a)) {
			ftp_trace(f, FTP_TRACE_INFO, "EPRT not understood; using PORT from now on");
			f->no_eprt = true;
		} else if (st == FTP_S_OK) {
			st = ftp_check(f, 2);
		}
	}
	if (f->no_eprt) {
		sbuf_reset(&arg);
		if (!netaddr_encode_port(a, &arg)) {
			sbuf_free(&arg);
			ftp_set_msg(f, "the server knows only PORT, which cannot name an IPv6 address");
			return FTP_S_REFUSED;
		}
		st = ftp_command(f, "PORT", sbuf_str(&arg));
		if (st == FTP_S_OK)
			st = ftp_check(f, 2);
	}
	sbuf_free(&arg);
	return st;
}

/* Active mode: listens on the control connection's local address (any
 * port) and announces it; *dfd gets the listener, accepted later by
 * ftp_data_accept. */
static enum ftp_status data_active(struct ftp *f, int *dfd)
{
	struct netaddr a;
	const char *what = "listen";

	if (sysio_sockname(conn_rfd(f->ctl), &a) < 0 ||
	    (a.ss.ss_family != AF_INET && a.ss.ss_family != AF_INET6)) {
		ftp_set_msg(f, "active mode needs a TCP control connection");
		return FTP_S_USAGE;
	}
	netaddr_unmap(&a);
	netaddr_set_port(&a, 0);
	*dfd = sysio_listen(&a, 1, &what);
	if (*dfd < 0 || sysio_sockname(*dfd, &a) < 0 || sysio_set_nonblock(*dfd, true) < 0) {
		int err = errno;
		sysio_close(dfd);
		return ftp_fail(f, FTP_AT_DATA, err, "active mode: listening for the server");
	}
	char where[NETADDR_STRLEN];
	netaddr_ntop(&a, true, where, sizeof where);
	ftp_trace(f, FTP_TRACE_INFO, "active mode: listening on %s", where);
	enum ftp_status st = data_announce(f, &a);
	if (st != FTP_S_OK)
		sysio_close(dfd);
	else
		f->data_listening = true;
	return st;
}

/* Accepts one connection on the listener lfd, from the server's address
 * only. A reply arriving meanwhile on the control connection is read: a
 * refusal (425: the server could not connect) ends the wait; the final
 * 226 of a small file the server has already sent (its connection then
 * waits in the listener's queue) stays in f->code for the caller. Returns
 * the connection or -1 with the status in *st. */
static int data_accept_one(struct ftp *f, int lfd, enum ftp_status *st)
{
	long long deadline = sysio_now_ms() + f->timeout_ms;
	bool replied = false;

	for (;;) {
		long long left = deadline - sysio_now_ms();
		if (left <= 0) {
			*st = ftp_fail(f, FTP_AT_DATA, ETIMEDOUT,
				       "active mode: waiting for the server's data connection");
			return -1;
		}
		if (ftp_interrupted(f)) {
			/* The transfer command's reply is still owed. */
			ftp_set_msg(f, "interrupted while waiting for the server");
			ftp_close_control(f);
			ftp_set_msg(f, "interrupted while waiting for the server");
			f->code = 0;
			*st = FTP_S_CANCELLED;
			return -1;
		}
		bool pending = !replied && ftp_ctl_pending(f);
		struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
					 { .fd = conn_rfd(f->ctl), .events = POLLIN } };
		/* Ctrl-C breaks into the poll (or is seen after a slice). */
		int wait = f->interrupt != NULL && left > FTP_PROGRESS_MS ? FTP_PROGRESS_MS
									 : (int)left;
		int r = poll(pfd, replied ? 1 : 2, pending ? 0 : wait);
		if (r < 0 && errno != EINTR) {
			*st = ftp_fail(f, FTP_AT_DATA, errno, "active mode: waiting");
			return -1;
		}
		if (pending || (!replied && r > 0 && pfd[1].revents != 0)) {
			/* Without waiting: a TLS record may hold no reply (a ticket). */
			bool done;
			*st = ftp_poll_reply(f, &done);
			if (*st != FTP_S_OK)
				return -1;
			if (!done)
				continue;
			if (f->code / 100 > 2) {
				*st = ftp_check(f, 1);
				return -1;
			}
			replied = f->code / 100 == 2;
			continue;
		}
		if (r <= 0 || pfd[0].revents == 0)
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ECONNABORTED)
				continue;
			*st = ftp_fail(f, FTP_AT_DATA, errno, "active mode: accept");
			return -1;
		}
		struct netaddr peer;
		if (sysio_peername(fd, &peer) == 0) {
			netaddr_unmap(&peer);
			if (!f->have_data_addr || netaddr_same_host(&peer, &f->data_addr)) {
				*st = FTP_S_OK;
				return fd;
			}
			char who[NETADDR_STRLEN];
			netaddr_ntop(&peer, true, who, sizeof who);
			ftp_trace(f, FTP_TRACE_INFO, "active mode: refused a data connection from %s, "
				  "not the server", who);
		}
		sysio_close(&fd);
	}
}

enum ftp_status ftp_data_accept(struct ftp *f, int *dfd)
{
	enum ftp_status st = FTP_S_OK;

	if (!f->data_listening)
		return FTP_S_OK;
	f->data_listening = false;
	int fd = data_accept_one(f, *dfd, &st);
	sysio_close(dfd);
	if (fd < 0)
		return st;
	if (sysio_set_nonblock(fd, true) < 0) {
		int err = errno;
		sysio_close(&fd);
		return ftp_fail(f, FTP_AT_DATA, err, "fcntl");
	}
	*dfd = fd;
	return FTP_S_OK;
}

enum ftp_status ftp_data_open(struct ftp *f, int *dfd)
{
	*dfd = -1;
	f->data_listening = false;
	if (f->active)
		return data_active(f, dfd);
	if (!f->no_epsv && f->have_data_addr) {
		enum ftp_status st = data_epsv(f, dfd);
		if (st == FTP_S_OK || st == FTP_S_CANCELLED || f->ctl == NULL)
			return st;
		ftp_trace(f, FTP_TRACE_INFO, "EPSV did not work (%s); using PASV from now on",
			  ftp_message(f));
		f->no_epsv = true;
	}
	return data_pasv(f, dfd);
}

/* Makes closing fd send a reset instead of a FIN. */
static void data_linger_off(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

void ftp_data_reset(struct ftp *f, int *dfd)
{
	f->data_listening = false;
	if (*dfd < 0)
		return;
	data_linger_off(*dfd);
	sysio_close(dfd);
}

void ftp_data_reset_conn(struct ftp *f, struct conn **dc)
{
	f->data_listening = false;
	if (*dc == NULL)
		return;
	data_linger_off(conn_wfd(*dc));
	conn_free(*dc);
	*dc = NULL;
}
