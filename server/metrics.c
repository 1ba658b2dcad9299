/* metrics: counters and the Prometheus endpoint (see metrics.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "sysio.h"
#include "xalloc.h"

/* Label values, indexed by the report numbers. */
static const char *const cmd_names[RX_CMDS] = {
	[RX_RETR] = "RETR", [RX_STOR] = "STOR", [RX_STOU] = "STOU", [RX_APPE] = "APPE",
	[RX_LIST] = "LIST", [RX_NLST] = "NLST", [RX_MLSD] = "MLSD",
};
/* Which commands move data in (uploads); the rest move it out. */
static const bool cmd_in[RX_CMDS] = { [RX_STOR] = true, [RX_STOU] = true, [RX_APPE] = true };
static const char *const result_names[RX_RESULTS] = {
	[RX_OK] = "ok", [RX_ABORTED] = "aborted", [RX_FAILED] = "failed",
	[RX_DISCARDED] = "discarded",
};
static const char *const dc_names[RD_REASONS] = {
	[RD_TIMEOUT] = "timeout", [RD_WRONG_PEER] = "wrong_peer", [RD_CONNECT] = "connect",
	[RD_PROXY] = "proxy",
};
static const char *const refusal_names[REFUSED_REASONS] = {
	[REFUSED_MAX_CLIENTS] = "max_clients", [REFUSED_MAX_PER_IP] = "max_per_ip",
	[REFUSED_BANNED] = "banned", [REFUSED_PROXY] = "proxy",
};

void metrics_count_report(struct metrics_counters *c, const struct report_msg *m)
{
	switch (m->kind) {
	case REPORT_TRANSFER: {
		struct report_transfer t;
		if (m->len != sizeof t)
			return;
		memcpy(&t, m->payload, sizeof t);
		if (t.cmd >= RX_CMDS || t.result >= RX_RESULTS)
			return;
		c->transfers[t.cmd][t.result]++;
		long long b = t.bytes > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)t.bytes;
		if (cmd_in[t.cmd])
			c->bytes_in += b;
		else
			c->bytes_out += b;
		break;
	}
	case REPORT_DATACONN_FAIL:
		if (m->len == 1 && m->payload[0] < RD_REASONS)
			c->dataconn_failures[m->payload[0]]++;
		break;
	case REPORT_TLS:
		if (m->len == 1)
			m->payload[0] ? c->tls_ok++ : c->tls_failed++;
		break;
	default:
		break;
	}
}

/* Writes a metric's HELP and TYPE lines. */
static void head(struct sbuf *out, const char *name, const char *type, const char *help)
{
	sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_render(const struct metrics_counters *c, const struct metrics_now *now,
		    struct sbuf *out)
{
	head(out, "ferryd_sessions", "gauge", "Sessions running.");
	sbuf_printf(out, "ferryd_sessions %d\n", now->sessions);
	head(out, "ferryd_sessions_total", "counter", "Sessions started.");
	sbuf_printf(out, "ferryd_sessions_total %lld\n", c->sessions_total);
	head(out, "ferryd_refused_total", "counter", "Connections refused before a session, by reason.");
	for (int i = 0; i < REFUSED_REASONS; i++)
		sbuf_printf(out, "ferryd_refused_total{reason=\"%s\"} %lld\n", refusal_names[i],
			    c->refused[i]);
	head(out, "ferryd_logins_total", "counter", "Login attempts, by result.");
	sbuf_printf(out, "ferryd_logins_total{result=\"ok\"} %lld\n", c->logins_ok);
	sbuf_printf(out, "ferryd_logins_total{result=\"failed\"} %lld\n", c->logins_failed);
	head(out, "ferryd_bans_total", "counter", "Addresses banned for failed logins.");
	sbuf_printf(out, "ferryd_bans_total %lld\n", c->bans);
	head(out, "ferryd_banned_addresses", "gauge", "Addresses banned now.");
	sbuf_printf(out, "ferryd_banned_addresses %d\n", now->banned);
	head(out, "ferryd_transfer_bytes_total", "counter",
	     "Data bytes of finished transfers: in = uploads, out = downloads and listings.");
	sbuf_printf(out, "ferryd_transfer_bytes_total{direction=\"in\"} %lld\n", c->bytes_in);
	sbuf_printf(out, "ferryd_transfer_bytes_total{direction=\"out\"} %lld\n", c->bytes_out);
	head(out, "ferryd_transfers_total", "counter", "Finished transfers, by command and result.");
	for (int i = 0; i < RX_CMDS; i++)
		for (int j = 0; j < RX_RESULTS; j++)
			sbuf_printf(out, "ferryd_transfers_total{command=\"%s\",result=\"%s\"} %lld\n",
				    cmd_names[i], result_names[j], c->transfers[i][j]);
	head(out, "ferryd_data_connection_failures_total", "counter",
	     "Data connections that could not be made, by reason.");
	for (int i = 0; i < RD_REASONS; i++)
		sbuf_printf(out, "ferryd_data_connection_failures_total{reason=\"%s\"} %lld\n",
			    dc_names[i], c->dataconn_failures[i]);
	head(out, "ferryd_tls_handshakes_total", "counter", "TLS handshakes, by result.");
	sbuf_printf(out, "ferryd_tls_handshakes_total{result=\"ok\"} %lld\n", c->tls_ok);
	sbuf_printf(out, "ferryd_tls_handshakes_total{result=\"failed\"} %lld\n", c->tls_failed);
	head(out, "ferryd_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
	sbuf_printf(out, "ferryd_reloads_total{result=\"ok\"} %lld\n", c->reloads_ok);
	sbuf_printf(out, "ferryd_reloads_total{result=\"failed\"} %lld\n", c->reloads_failed);
	head(out, "ferryd_start_time_seconds", "gauge", "Unix time the server started.");
	sbuf_printf(out, "ferryd_start_time_seconds %lld\n", c->start_time);
	head(out, "ferryd_build_info", "gauge", "The server's version.");
	sbuf_printf(out, "ferryd_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
}

/* Largest response (the text above is about 5 KiB). */
#define METRICS_RESPONSE_MAX (64 * 1024)

/* One scrape in progress. */
struct scrape {
	int fd;                             /* -1: slot free */
	char req[METRICS_REQUEST_MAX];      /* the request head so far */
	size_t nreq;
	struct sbuf resp;                   /* the response, once known */
	size_t sent;                        /* bytes of resp sent */
	long long deadline_ms;              /* end of the scrape's time */
};

struct metrics_http {
	int lfd;                            /* listening socket */
	struct scrape c[METRICS_CLIENTS];
};

int metrics_listen(const struct netaddr *a)
{
	const char *what;
	char addr[NETADDR_STRLEN];
	int fd = sysio_listen(a, 16, &what);
	if (fd < 0) {
		netaddr_ntop(a, true, addr, sizeof addr);
		log_msg(LOG_ERR, "cannot serve metrics on %s: %s: %s", addr, what, strerror(errno));
		return -1;
	}
	struct netaddr bound;
	sysio_sockname(fd, &bound);
	netaddr_ntop(&bound, true, addr, sizeof addr);
	log_msg(LOG_INFO, "metrics on http://%s/metrics", addr);
	sysio_set_nonblock(fd, true);
	return fd;
}

struct metrics_http *metrics_http_new(int lfd)
{
	struct metrics_http *m = xcalloc(1, sizeof *m);
	m->lfd = lfd;
	for (int i = 0; i < METRICS_CLIENTS; i++)
		m->c[i].fd = -1;
	return m;
}

/* Ends a scrape and frees its slot. */
static void scrape_end(struct scrape *c)
{
	sysio_close(&c->fd);
	sbuf_free(&c->resp);
	c->nreq = 0;
	c->sent = 0;
}

void metrics_http_close_fds(struct metrics_http *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < METRICS_CLIENTS; i++)
		sysio_close(&m->c[i].fd);
	sysio_close(&m->lfd);
}

void metrics_http_free(struct metrics_http *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < METRICS_CLIENTS; i++)
		scrape_end(&m->c[i]);
	sysio_close(&m->lfd);
	free(m);
}

int metrics_http_pollfds(const struct metrics_http *m, struct pollfd *p)
{
	int n = 0;
	bool room = false;
	for (int i = 0; i < METRICS_CLIENTS; i++) {
		const struct scrape *c = &m->c[i];
		if (c->fd < 0) {
			room = true;
			continue;
		}
		p[n].fd = c->fd;
		p[n].events = c->resp.data ? POLLOUT : POLLIN;
		p[n++].revents = 0;
	}
	/* With every slot busy, new scrapes wait in the backlog. */
	if (room) {
		p[n].fd = m->lfd;
		p[n].events = POLLIN;
		p[n++].revents = 0;
	}
	return n;
}

long long metrics_http_deadline(const struct metrics_http *m)
{
	long long d = -1;
	for (int i = 0; i < METRICS_CLIENTS; i++)
		if (m->c[i].fd >= 0 && (d < 0 || m->c[i].deadline_ms < d))
			d = m->c[i].deadline_ms;
	return d;
}

/* Sets the response: status line, headers, body. */
static void respond(struct scrape *c, const char *status, const char *body, size_t blen)
{
	sbuf_init(&c->resp, METRICS_RESPONSE_MAX);
	sbuf_printf(&c->resp,
		    "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, blen);
	sbuf_append(&c->resp, body, blen);
}

/* Decides the response once the request head is complete (or too long). */
static void answer(struct scrape *c, bool complete,
		   void (*render)(void *ctx, struct sbuf *out), void *ctx)
{
	static const char bad[] = "bad request\n", missing[] = "not found; try /metrics\n";
	if (!complete) {
		respond(c, "400 Bad Request", bad, sizeof bad - 1);
		return;
	}
	/* "GET /metrics HTTP/1.x", a query string allowed. */
	char method[8], path[256], version[16];
	c->req[c->nreq] = '\0';
	if (sscanf(c->req, "%7s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0 || strcmp(method, "GET") != 0) {
		respond(c, "400 Bad Request", bad, sizeof bad - 1);
		return;
	}
	size_t plen = strcspn(path, "?");
	if (plen != strlen("/metrics") || strncmp(path, "/metrics", plen) != 0) {
		respond(c, "404 Not Found", missing, sizeof missing - 1);
		return;
	}
	struct sbuf body;
	sbuf_init(&body, METRICS_RESPONSE_MAX);
	render(ctx, &body);
	respond(c, "200 OK", body.data ? body.data : "", body.len);
	sbuf_free(&body);
}

/* Whether the scrape c has the n bytes a non-blocking recv or send moved
 * to go on with: false when the socket had nothing to move yet (c waits)
 * or was closed or failed (c is ended). */
static bool scrape_moved(struct scrape *c, ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return false;
	if (n <= 0) {
		scrape_end(c);
		return false;
	}
	return true;
}

/* Reads what the scraper sent; answers once the head is whole. */
static void scrape_read(struct scrape *c, void (*render)(void *ctx, struct sbuf *out), void *ctx)
{
	/* One byte of room is kept for the terminating NUL. */
	ssize_t n = recv(c->fd, c->req + c->nreq, sizeof c->req - 1 - c->nreq, MSG_DONTWAIT);
	if (!scrape_moved(c, n))
		return;
	c->nreq += (size_t)n;
	c->req[c->nreq] = '\0';
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		answer(c, true, render, ctx);
	else if (c->nreq == sizeof c->req - 1)
		answer(c, false, render, ctx);
}

/* Sends what the socket takes of the response; ends the scrape when done. */
static void scrape_write(struct scrape *c)
{
	ssize_t n = send(c->fd, c->resp.data + c->sent, c->resp.len - c->sent,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
	if (!scrape_moved(c, n))
		return;
	c->sent += (size_t)n;
	if (c->sent == c->resp.len)
		scrape_end(c);
}

/* Takes new scrapes into free slots. */
static void scrape_accept(struct metrics_http *m, long long now_ms)
{
	for (int i = 0; i < METRICS_CLIENTS; i++) {
		struct scrape *c = &m->c[i];
		if (c->fd >= 0)
			continue;
		int fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		c->fd = fd;
		c->nreq = 0;
		c->sent = 0;
		c->deadline_ms = now_ms + METRICS_TIMEOUT_MS;
	}
}

void metrics_http_step(struct metrics_http *m, const struct pollfd *p, int n, long long now_ms,
		       void (*render)(void *ctx, struct sbuf *out), void *ctx)
{
	bool accept_ready = false;
	for (int k = 0; k < n; k++) {
		if (p[k].revents == 0)
			continue;
		if (p[k].fd == m->lfd) {
			accept_ready = true;
			continue;
		}
		for (int i = 0; i < METRICS_CLIENTS; i++) {
			struct scrape *c = &m->c[i];
			if (c->fd != p[k].fd)
				continue;
			if (c->resp.data == NULL)
				scrape_read(c, render, ctx);
			else
				scrape_write(c);
			break;
		}
	}
	for (int i = 0; i < METRICS_CLIENTS; i++)
		if (m->c[i].fd >= 0 && now_ms >= m->c[i].deadline_ms)
			scrape_end(&m->c[i]);
	if (accept_ready)
		scrape_accept(m, now_ms);
}
