/* dataconn: passive and active data connections with peer checks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

/* True when the client sent its last command from the CPU this session
 * runs on, or when that cannot be told. SO_INCOMING_CPU is the CPU that
 * took the client's last segment in; over loopback that is the CPU the
 * client sent it from (the receive runs in the sender's context). */
static bool client_on_this_cpu(const struct session *s)
{
	int cpu = -1;
	socklen_t len = sizeof cpu;
	if (getsockopt(s->ctl_in, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) < 0 || cpu < 0)
		return true;
	int here = sched_getcpu();
	return here < 0 || cpu == here;
}

/* Sends the 227 or 229 reply, not before the client can wait for it.
 *
 * curl (7.88) stalls when the reply is already there the moment it first
 * looks after sending PASV/EPSV: it then connects to the data port only
 * after its next one-second poll time-out, a second lost per file in a
 * many-file session. That happens when ferryd answers on the CPU curl
 * just gave up: a woken server often runs before the client gets to its
 * read. So when the client's command came from this CPU the server first
 * yields it, which lets a client of the same priority reach its wait; a
 * client on another CPU gets there while the session is being woken and
 * opens the port, and a yield would only hand this CPU to other work for
 * up to a time slice. Once a client has been seen to stall (it connected
 * PASV_STALL_MS or more after the reply), every later reply of the
 * session waits PASV_PAUSE_US first, which also covers a server running
 * at a higher priority. A client that never stalls pays nothing but the
 * look at its CPU and, on this CPU, the yield.
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
	else if (!s->written_ahead && client_on_this_cpu(s))
		sched_yield();
	session_reply_text(s, code, text);
	s->dc.replied_ms = sysio_now_ms();
}

/* Ports for passive listeners without --pasv-ports: the range the kernel
 * takes ports from for port 0 (ip_local_port_range), less the ports it
 * keeps out of it (ip_local_reserved_ports). A session picks one at
 * random rather than binding port 0: for port 0 the kernel looks for a
 * port no socket holds, and the connections earlier transfers left in
 * TIME_WAIT (one per transfer, for a minute) fill its range, after which
 * every bind of port 0 walks the whole range (2.4 to 3.5 ms each with
 * 15,000 of them, against 4.5 us for a random port). A listener bound
 * with SO_REUSEADDR may share its port with TIME_WAIT connections of
 * earlier passive listeners. */
#define EPHEMERAL_RESERVED_MAX 32
static struct {
	bool known;
	int lo, hi;
	int nreserved;
	int reserved[EPHEMERAL_RESERVED_MAX][2];
} ephemeral = { .lo = 32768, .hi = 60999 };

/* Reads a small /proc/sys file into buf (NUL-terminated); false if it cannot. */
static bool read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

void dataconn_read_port_range(void)
{
	if (ephemeral.known)
		return;
	ephemeral.known = true;
	char buf[512];
	if (read_small("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof buf)) {
		char *end;
		long lo = strtol(buf, &end, 10), hi = strtol(end, &end, 10);
		if (lo >= 1024 && lo <= hi && hi <= 65535) {
			ephemeral.lo = (int)lo;
			ephemeral.hi = (int)hi;
		}
	}
	/* "8080,9000-9010": ports and ranges, comma-separated. */
	if (read_small("/proc/sys/net/ipv4/ip_local_reserved_ports", buf, sizeof buf)) {
		char *p = buf, *end;
		while (*p && ephemeral.nreserved < EPHEMERAL_RESERVED_MAX) {
			long a = strtol(p, &end, 10), b = a;
			if (end == p)
				break;
			if (*end == '-') {
				p = end + 1;
				b = strtol(p, &end, 10);
				if (end == p)
					break;
			}
			ephemeral.reserved[ephemeral.nreserved][0] = (int)a;
			ephemeral.reserved[ephemeral.nreserved][1] = (int)b;
			ephemeral.nreserved++;
			p = *end == ',' ? end + 1 : end;
			if (*p == '\n')
				break;
		}
	}
}

static bool port_reserved(int port)
{
	for (int i = 0; i < ephemeral.nreserved; i++)
		if (port >= ephemeral.reserved[i][0] && port <= ephemeral.reserved[i][1])
			return true;
	return false;
}

/* Opens a listening socket on the control connection's local address,
 * on a random port in the configured range, or without one in the
 * kernel's range (falling back to port 0 when no port there is free).
 * One socket tries the ports one after the other (a bind that fails
 * leaves it unbound): with tens of thousands of connections in
 * TIME_WAIT, ports that clients' connections left there (without
 * SO_REUSEADDR) refuse it dozens of times per listener. */
static int passive_listen(struct session *s)
{
	const struct ferryd_config *cfg = s->cfg;
	struct netaddr a = s->local;
	bool any = cfg->pasv_lo == 0;
	int lo = cfg->pasv_lo, hi = cfg->pasv_hi;
	if (any) {
		dataconn_read_port_range();
		lo = ephemeral.lo;
		hi = ephemeral.hi;
	}
	const char *what;
	int fd = sysio_listen_socket(a.ss.ss_family, &what);
	if (fd < 0)
		return -1;
	unsigned span = (unsigned)(hi - lo + 1);
	unsigned start = 0;
	if (getrandom(&start, sizeof start, 0) != (ssize_t)sizeof start)
		start = (unsigned)getpid();
	bool bound = false;
	for (unsigned i = 0; i < span && i < PASV_TRIES && !bound; i++) {
		int port = lo + (int)((start + i) % span);
		if (any && port_reserved(port))
			continue;
		netaddr_set_port(&a, port);
		bound = bind(fd, (const struct sockaddr *)&a.ss, a.len) == 0;
		if (!bound && errno != EADDRINUSE)
			goto fail;
	}
	if (!bound && any) {
		netaddr_set_port(&a, 0);
		bound = bind(fd, (const struct sockaddr *)&a.ss, a.len) == 0;
	}
	if (!bound) {
		if (!any)
			errno = EADDRINUSE;
		goto fail;
	}
	if (listen(fd, 1) < 0)
		goto fail;
	return fd;
fail:
	sysio_close(&fd);
	return -1;
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
		s->quit_reason = SESSION_CONNECTION_LOST;
		return;
	}
	session_reply(s, FTP_TRANSFER_ABORTED, "Data connection aborted.");
	session_reply(s, FTP_TRANSFER_OK, "ABOR successful.");
}

/* One wait while the data connection is being made: polls p's connection
 * and the control one until deadline (ms), serving STAT and ABOR; returns
 * as session_transfer_poll does, with EINTR retried. */
static int wait_for_data(struct session *s, struct conn_pollfd *p, long long deadline,
			 enum xfer_result *stop)
{
	for (;;) {
		long long left = deadline - sysio_now_ms();
		int r = session_transfer_poll(s, p, left > 0 ? (int)left : 0, stop);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/* Waits for the client to connect to the passive listener. */
static int passive_accept(struct session *s)
{
	int lfd = s->dc.listen_fd;
	s->dc.listen_fd = -1;
	/* The listener as a connection, to wait on with the control one. */
	struct conn *listener = conn_plain(lfd, lfd);
	long long deadline = sysio_now_ms() + (long long)s->cfg->idle_timeout * 1000;
	for (;;) {
		struct conn_pollfd p = { .c = listener, .events = POLLIN };
		enum xfer_result stop;
		int r = wait_for_data(s, &p, deadline, &stop);
		if (r == 0) {
			conn_free(listener);
			tally_dataconn_failed(RD_TIMEOUT);
			session_reply(s, FTP_CANT_OPEN_DATA, "Timed out waiting for the data connection.");
			return -1;
		}
		if (stop != XFER_OK) {
			conn_free(listener);
			aborted_waiting(s, stop == XFER_CONTROL_LOST);
			return -1;
		}
		if (!(p.revents & POLLIN))
			continue;
		struct netaddr from;
		from.len = sizeof from.ss;
		int fd = accept4(lfd, (struct sockaddr *)&from.ss, &from.len,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			conn_free(listener);
			session_reply(s, FTP_CANT_OPEN_DATA, "Cannot accept data connection: %s.",
				      strerror(errno));
			return -1;
		}
		conn_free(listener);
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

/* Connects to the client's PORT/EPRT address, waiting on the control
 * connection too, as passive_accept does: STAT and ABOR are served while
 * a client that does not answer is waited for. */
static int active_connect(struct session *s)
{
	struct netaddr local = s->local;
	netaddr_set_port(&local, 0);
	const char *what;
	/* Non-blocking, as a passive connection is accepted. */
	int fd = sysio_connect_start(&s->dc.active_addr, &local, &what);
	if (fd < 0)
		goto failed;
	struct conn *pending = conn_plain(fd, fd);
	long long deadline = sysio_now_ms() + ACTIVE_CONNECT_TIMEOUT * 1000LL;
	for (;;) {
		struct conn_pollfd p = { .c = pending, .events = POLLOUT };
		enum xfer_result stop;
		int r = wait_for_data(s, &p, deadline, &stop);
		if (r < 0 || r == 0 || stop != XFER_OK) {
			int e = r == 0 ? ETIMEDOUT : errno;
			conn_free(pending);   /* closes fd */
			if (r > 0) {
				aborted_waiting(s, stop == XFER_CONTROL_LOST);
				return -1;
			}
			errno = e;
			goto failed;
		}
		if (p.revents & (POLLOUT | POLLERR | POLLHUP))
			break;
	}
	/* The descriptor outlives its wrapper. */
	conn_release(pending);
	if (sysio_connect_end(&fd, &what) < 0)
		goto failed;
	return fd;
failed:;
	int e = errno;
	tally_dataconn_failed(RD_CONNECT);
	session_reply(s, FTP_CANT_OPEN_DATA, "Cannot open data connection: %s.", strerror(e));
	return -1;
}

struct conn *dataconn_open(struct session *s)
{
	int fd;
	if (s->dc.listen_fd >= 0) {
		fd = passive_accept(s);
	} else if (s->dc.active) {
		s->dc.active = false;
		fd = active_connect(s);
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
