/* dataconn: passive and active data connections with peer checks. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dataconn.h"
#include "ftps.h"
#include "log.h"
#include "netopts.h"
#include "proxyproto.h"
#include "sysio.h"
#include "tally.h"
#include "transfer.h"

/* Most ports tried when picking a passive port in the range. */
#define PASV_TRIES 256
/* Seconds to wait for an active-mode connect. */
#define ACTIVE_CONNECT_TIMEOUT 10
/* A passive connection this many ms after the reply marks a client that
 * stalled; its session's later replies wait PASV_PAUSE_US microseconds. */
#define PASV_STALL_MS 500
#define PASV_PAUSE_US 200

void dataconn_reset(struct session *s)
{
	sysio_close(&s->dc.listen_fd);
	s->dc.active = false;
}

bool dataconn_prepared(const struct session *s)
{
	return s->dc.listen_fd >= 0 || s->dc.active;
}

bool dataconn_require(struct session *s)
{
	if (!ftps_transfer_allowed(s))
		return false;
	if (dataconn_prepared(s))
		return true;
	session_reply(s, FTP_CANT_OPEN_DATA, "Use PASV, EPSV, PORT or EPRT first.");
	return false;
}

/* Sends the 227 or 229 reply, not before the client can wait for it.
 *
 * curl (7.88) stalls when the reply is already there the moment it first
 * looks after sending PASV/EPSV: it then connects to the data port only
 * after its next one-second poll time-out, a second lost per file in a
 * many-file session. That happens when ferryd answers on the CPU curl
 * just gave up: a woken server often runs before the client gets to its
 * read. So the server first yields the CPU, which lets a client of the
 * same priority on the same CPU reach its wait; and once a client has
 * been seen to stall (it connected PASV_STALL_MS or more after the
 * reply), every later reply of the session waits PASV_PAUSE_US first,
 * which also covers a server running at a higher priority. A client that
 * never stalls pays nothing but the yield.
 *
 * A client that wrote the PASV/EPSV together with other commands (ferry
 * sends ALLO and EPSV in one write) reads its replies in order from
 * what has arrived, and has no such first look to miss: its reply goes
 * out at once. The yield is not free on a busy CPU: it puts the session
 * behind every other runnable task there, a time slice (milliseconds)
 * per transfer. */
static void passive_reply(struct session *s, int code, const char *text)
{
	ftps_before_data_reply(s);
	if (s->dc.pause_replies)
		usleep(PASV_PAUSE_US);
	else if (!s->written_ahead)
		sched_yield();
	session_reply_text(s, code, text);
	s->dc.replied_ms = sysio_now_ms();
}

/* Opens a listening socket on the control connection's local address,
 * on a random port in the configured range. */
static int passive_listen(struct session *s)
{
	const struct ferryd_config *cfg = s->cfg;
	struct netaddr a = s->local;
	const char *what;
	if (cfg->pasv_lo == 0) {
		netaddr_set_port(&a, 0);
		return sysio_listen(&a, 1, &what);
	}
	unsigned span = (unsigned)(cfg->pasv_hi - cfg->pasv_lo + 1);
	unsigned start = 0;
	if (getrandom(&start, sizeof start, 0) != (ssize_t)sizeof start)
		start = (unsigned)getpid();
	for (unsigned i = 0; i < span && i < PASV_TRIES; i++) {
		netaddr_set_port(&a, cfg->pasv_lo + (int)((start + i) % span));
		int fd = sysio_listen(&a, 1, &what);
		if (fd >= 0 || errno != EADDRINUSE)
			return fd;
	}
	return (errno = EADDRINUSE, -1);
}

void dataconn_passive(struct session *s, bool extended)
{
	dataconn_reset(s);
	if (s->local.len == 0) {
		session_reply(s, FTP_CANT_OPEN_DATA, "No network connection for a data channel.");
		return;
	}
	/* PASV carries an IPv4 address: the node's own, or the announced one
	 * for an IPv4 client that a proxy relays to the node over IPv6. */
	const struct netaddr *announce = netopts_pasv_for(s->cfg, &s->local);
	if (!extended && !netaddr_is_v4(&s->local) &&
	    !(announce && s->peer.len != 0 && netaddr_is_v4(&s->peer))) {
		session_reply(s, FTP_CANT_OPEN_DATA, "PASV is IPv4 only; use EPSV.");
		return;
	}
	int fd = passive_listen(s);
	if (fd < 0) {
		session_reply(s, FTP_CANT_OPEN_DATA, "Cannot open passive connection: %s.",
			      strerror(errno));
		return;
	}
	struct netaddr bound;
	sysio_sockname(fd, &bound);
	s->dc.listen_fd = fd;
	int port = netaddr_port(&bound);
	char text[128];
	if (extended) {
		snprintf(text, sizeof text, "Entering Extended Passive Mode (|||%d|).", port);
		passive_reply(s, FTP_EPSV, text);
		return;
	}
	struct netaddr shown = announce ? *announce : bound;
	netaddr_set_port(&shown, port);
	struct sbuf six;
	sbuf_init(&six, 64);
	netaddr_encode_port(&shown, &six);
	snprintf(text, sizeof text, "Entering Passive Mode (%s).", sbuf_str(&six));
	sbuf_free(&six);
	passive_reply(s, FTP_PASV, text);
}

void dataconn_active(struct session *s, const struct netaddr *a)
{
	dataconn_reset(s);
	if (s->peer.len == 0 || !netaddr_same_host(a, &s->peer)) {
		session_reply(s, FTP_BAD_ARGUMENTS,
			      "Refused: data connections go only to the control connection's address.");
		return;
	}
	if (netaddr_port(a) < 1024) {
		session_reply(s, FTP_BAD_ARGUMENTS, "Refused: port below 1024.");
		return;
	}
	s->dc.active = true;
	s->dc.active_addr = *a;
	netaddr_unmap(&s->dc.active_addr);
	ftps_before_data_reply(s);
	session_reply(s, FTP_OK, "%s command successful.",
		      s->dc.active_addr.ss.ss_family == AF_INET6 ? "EPRT" : "PORT");
}

/* A passive data connection from a --proxy-from address starts with a
 * PROXY header naming the client it relays (HAProxy's send-proxy-v2 on
 * the data ports): *from becomes that client, so the usual same-client
 * check applies to it. Other connections pass unchanged. False, with
 * fd closed and the 425 sent, for a missing or broken header. */
static bool proxied_client(struct session *s, int fd, struct netaddr *from)
{
	const struct ferryd_config *cfg = s->cfg;
	if (!cfg->proxy_protocol || !cidr_match_any(cfg->proxy_from, cfg->nproxy_from, from))
		return true;
	struct proxy_header h;
	const char *why;
	if (proxy_read_wait(fd, PROXY_HEADER_TIMEOUT * 1000, &h, &why) != PROXY_OK) {
		char who[NETADDR_STRLEN];
		netaddr_ntop(from, true, who, sizeof who);
		log_msg(LOG_WARNING, "session %s: proxy: bad header on data connection from %s: %s",
			s->peer_str, who, why ? why : "timed out");
		close(fd);
		tally_dataconn_failed(RD_PROXY);
		session_reply(s, FTP_CANT_OPEN_DATA, "Data connection refused: bad PROXY header.");
		return false;
	}
	if (!h.local)
		*from = h.src;
	return true;
}

/* ABOR (or the control connection's end) arrived while the data
 * connection was being made: the replies ABOR asks for. */
static void aborted_waiting(struct session *s, bool quit)
{
	if (quit) {
		s->quit = true;
		return;
	}
	session_reply(s, FTP_TRANSFER_ABORTED, "Data connection aborted.");
	session_reply(s, FTP_TRANSFER_OK, "ABOR successful.");
}

/* Waits for the client to connect to the passive listener. */
static int passive_accept(struct session *s)
{
	int lfd = s->dc.listen_fd;
	s->dc.listen_fd = -1;
	long long deadline = sysio_now_ms() + (long long)s->cfg->idle_timeout * 1000;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = session_control_fd(s), .events = POLLIN },
		};
		long long left = deadline - sysio_now_ms();
		/* Commands TLS already decrypted do not wake poll(2). */
		bool buffered = p[1].fd >= 0 && conn_buffered(s->ctl);
		int r = poll(p, 2, buffered ? 0 : left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (buffered) {
			p[1].revents |= POLLIN;
			r++;
		}
		if (r == 0) {
			close(lfd);
			tally_dataconn_failed(RD_TIMEOUT);
			session_reply(s, FTP_CANT_OPEN_DATA, "Timed out waiting for the data connection.");
			return -1;
		}
		if (p[1].revents) {
			bool quit;
			if (session_control_during_transfer(s, &quit)) {
				close(lfd);
				aborted_waiting(s, quit);
				return -1;
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		struct netaddr from;
		from.len = sizeof from.ss;
		int fd = accept4(lfd, (struct sockaddr *)&from.ss, &from.len,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			close(lfd);
			session_reply(s, FTP_CANT_OPEN_DATA, "Cannot accept data connection: %s.",
				      strerror(errno));
			return -1;
		}
		close(lfd);
		if (sysio_now_ms() - s->dc.replied_ms >= PASV_STALL_MS)
			s->dc.pause_replies = true;
		if (!proxied_client(s, fd, &from))
			return -1;
		if (!netaddr_same_host(&from, &s->peer)) {
			char who[NETADDR_STRLEN];
			netaddr_ntop(&from, true, who, sizeof who);
			log_msg(LOG_WARNING, "session %s: refused data connection from %s",
				s->peer_str, who);
			close(fd);
			tally_dataconn_failed(RD_WRONG_PEER);
			session_reply(s, FTP_CANT_OPEN_DATA,
				      "Data connection refused: it came from another address than yours.");
			return -1;
		}
		return fd;
	}
}

struct conn *dataconn_open(struct session *s)
{
	int fd;
	if (s->dc.listen_fd >= 0) {
		fd = passive_accept(s);
	} else if (s->dc.active) {
		s->dc.active = false;
		struct netaddr local = s->local;
		netaddr_set_port(&local, 0);
		const char *what;
		/* Non-blocking, as a passive connection is accepted. */
		fd = sysio_connect(&s->dc.active_addr, &local, ACTIVE_CONNECT_TIMEOUT * 1000, &what);
		if (fd < 0) {
			int e = errno;
			tally_dataconn_failed(RD_CONNECT);
			session_reply(s, FTP_CANT_OPEN_DATA, "Cannot open data connection: %s.",
				      strerror(e));
		}
	} else {
		dataconn_require(s);
		return NULL;
	}
	if (fd < 0)
		return NULL;
	struct conn *data;
	char why[256];
	switch (ftps_data_open(s, fd, &data, why, sizeof why)) {
	case FTPS_DATA_OK:
		xfer_connected(s);
		return data;
	case FTPS_DATA_REFUSED:
		session_reply(s, FTP_CANT_OPEN_DATA, "Can't open data connection: %s.", why);
		return NULL;
	case FTPS_DATA_ABORTED:
		aborted_waiting(s, false);
		return NULL;
	case FTPS_DATA_QUIT:
		aborted_waiting(s, true);
		return NULL;
	}
	return NULL;
}
