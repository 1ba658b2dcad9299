/* metrics: the listener's counters and the Prometheus endpoint that
 * shows them (--metrics ADDR:PORT, text format 0.0.4 over HTTP/1.x).
 * The counters are plain numbers the listener updates as it accepts,
 * refuses and reaps sessions and reads their reports; the endpoint runs
 * inside the listener's poll loop, non-blocking, with a few scrapes at
 * once and a deadline each, so a slow or silent scraper can never stall
 * accepts. Rendering is a pure function of the counters. */
#ifndef FERRYD_METRICS_H
#define FERRYD_METRICS_H

#include <poll.h>
#include <stdbool.h>

#include "netaddr.h"
#include "report.h"
#include "sbuf.h"

/* Why the listener refused a connection. */
enum metrics_refusal {
	REFUSED_MAX_CLIENTS, REFUSED_MAX_PER_IP, REFUSED_BANNED, REFUSED_PROXY,
	REFUSED_REASONS,
};

/* Everything counted since start. */
struct metrics_counters {
	long long sessions_total;                  /* sessions started */
	long long refused[REFUSED_REASONS];        /* connections refused, by reason */
	long long logins_ok, logins_failed;        /* PASS results */
	long long bans;                            /* bans imposed */
	long long bytes_in, bytes_out;             /* data bytes of finished transfers */
	long long transfers[RX_CMDS][RX_RESULTS];  /* finished transfers */
	long long dataconn_failures[RD_REASONS];   /* data connections not made */
	long long tls_ok, tls_failed;              /* TLS handshakes */
	long long reloads_ok, reloads_failed;      /* SIGHUP reloads */
	long long start_time;                      /* Unix time of start */
};

/* Gauges read at scrape time. */
struct metrics_now {
	int sessions;            /* sessions running */
	int banned;              /* addresses banned */
};

/* Counts one session report (a transfer, a data connection failure, a
 * TLS handshake); other kinds are the caller's. */
void metrics_count_report(struct metrics_counters *c, const struct report_msg *m);
/* Appends the exposition text of c and now to out. */
void metrics_render(const struct metrics_counters *c, const struct metrics_now *now,
		    struct sbuf *out);

/* Most scrapes served at once; more wait in the listen backlog. */
#define METRICS_CLIENTS 8
/* Longest request head read, and the time a scrape may take. */
#define METRICS_REQUEST_MAX 4096
#define METRICS_TIMEOUT_MS 2000

struct metrics_http;

/* Binds and listens on a (before privileges are dropped); returns the
 * socket or -1 after logging. */
int metrics_listen(const struct netaddr *a);
/* An endpoint serving the listening socket lfd (taken over). */
struct metrics_http *metrics_http_new(int lfd);
/* Closes every socket and frees. */
void metrics_http_free(struct metrics_http *m);
/* In a freshly forked session: closes the endpoint's sockets (the
 * listener's copy serves on). */
void metrics_http_close_fds(struct metrics_http *m);
/* Fills p (room for 1 + METRICS_CLIENTS) with the sockets to watch;
 * returns how many. */
int metrics_http_pollfds(const struct metrics_http *m, struct pollfd *p);
/* Earliest deadline of a scrape in progress (ms), or -1. */
long long metrics_http_deadline(const struct metrics_http *m);
/* Handles what poll reported for the n entries metrics_http_pollfds
 * filled, and ends scrapes past their deadline. render is called to
 * produce the body of each GET /metrics. */
void metrics_http_step(struct metrics_http *m, const struct pollfd *p, int n, long long now_ms,
		       void (*render)(void *ctx, struct sbuf *out), void *ctx);

#endif
