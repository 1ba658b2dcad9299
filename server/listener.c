/* listener: accept, limit, fork, reap (see listener.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ban.h"
#include "ftps.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "netopts.h"
#include "proxywait.h"
#include "reload.h"
#include "report.h"
#include "sdnotify.h"
#include "cmdloop.h"
#include "sysio.h"
#include "xalloc.h"

/* Most reports handled in one go. */
#define REPORTS_PER_WAKE 1024

/* Signals seen; handlers only set these. */
static volatile sig_atomic_t got_child, got_stop, got_hup;

static void on_child(int sig) { (void)sig; got_child = 1; }
static void on_hup(int sig) { (void)sig; got_hup = 1; }
static void on_stop(int sig) { (void)sig; got_stop++; }

/* One running session, for the limits. */
struct child {
	pid_t pid;             /* the session's process */
	struct netaddr addr;   /* its client's address */
	bool logged_in;        /* it reported a successful login */
	bool ended_by_ban;     /* the listener ended it (its address was banned) */
};

/* All running sessions. */
struct children {
	struct child *v;  /* max_clients slots */
	int n;            /* slots in use */
};

/* Everything the accept loop works with. */
struct listener {
	const struct ferryd_config *cfg;
	struct children ch;        /* running sessions */
	const int *lfds;           /* listening sockets */
	int nfds;
	int report_rx, report_tx;  /* the report channel's two ends */
	struct ban_table *bans;    /* failed logins per address; NULL = no bans */
	sigset_t oldmask;          /* signal mask to give sessions */
	struct metrics_counters counts; /* what --metrics shows */
	struct metrics_http *http; /* the metrics endpoint; NULL without --metrics */
	struct proxywait *waiting; /* connections owing a PROXY header; NULL without */
};

/* The --metrics socket bound by listener_bind, or -1. */
static int metrics_fd = -1;
/* listener_bind took the listening sockets from systemd. */
static bool listeners_inherited;

int listener_bind(const struct ferryd_config *cfg, int *fds, int inherited)
{
	int n = inherited > 0 ? inherited : cfg->nlisten;
	for (int i = 0; i < n; i++) {
		const char *what = "";
		char addr[NETADDR_STRLEN];
		netaddr_ntop(&cfg->listen[i], true, addr, sizeof addr);
		if (inherited == 0)
			fds[i] = sysio_listen(&cfg->listen[i], SOMAXCONN, &what);
		if (fds[i] < 0) {
			log_msg(LOG_ERR, "cannot listen on %s: %s: %s", addr, what, strerror(errno));
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
		sysio_set_nonblock(fds[i], true);
	}
	listeners_inherited = inherited > 0;
	if (cfg->have_metrics && (metrics_fd = metrics_listen(&cfg->metrics)) < 0) {
		for (int i = 0; i < n; i++)
			close(fds[i]);
		return -1;
	}
	return n;
}

/* n zeroed elements of size bytes in memory the sessions do not inherit
 * (MADV_DONTFORK). The listener writes its session table and its poll
 * array after every fork; in memory sessions shared, each such write
 * would leave every session forked before it holding its own copy of
 * the page. */
static void *unshared_calloc(size_t n, size_t size)
{
	size_t len = n * size;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_msg(LOG_ERR, "fatal: out of memory (%zu bytes)", len);
		_exit(70);               /* as xalloc's allocations do */
	}
	madvise(p, len, MADV_DONTFORK);
	return p;
}

static void unshared_free(void *p, size_t n, size_t size)
{
	munmap(p, n * size);
}

static struct child *find_child(struct children *ch, pid_t pid)
{
	for (int i = 0; i < ch->n; i++)
		if (ch->v[i].pid == pid)
			return &ch->v[i];
	return NULL;
}

static void handle_reports(struct listener *l);

/* Removes every finished child from the table. Reports are read first:
 * a session's last report is sent before it exits, and must be matched
 * to its address while the session is still in the table. */
static void reap(struct listener *l)
{
	struct children *ch = &l->ch;
	pid_t pid;
	int status;
	handle_reports(l);
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = find_child(ch, pid);
		bool by_ban = c != NULL && c->ended_by_ban;
		if (c != NULL)
			*c = ch->v[--ch->n];
		if (WIFSIGNALED(status) && !by_ban)
			log_msg(LOG_WARNING, "session process %ld killed by signal %d", (long)pid,
				WTERMSIG(status));
	}
}

/* Sends a one-line reply on a socket we are about to close, without
 * ever blocking the parent. */
static void refuse(int fd, const char *line)
{
	if (send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the client is gone already; nothing to tell */
	}
	close(fd);
}

/* Counts sessions from the same address. */
static int count_from(const struct children *ch, const struct netaddr *a)
{
	int n = 0;
	for (int i = 0; i < ch->n; i++)
		if (netaddr_same_host(&ch->v[i].addr, a))
			n++;
	return n;
}

/* The limit a new session from a would go past: REFUSED_MAX_CLIENTS,
 * REFUSED_MAX_PER_IP, or REFUSED_REASONS for none. */
static enum metrics_refusal at_limit(const struct listener *l, const struct netaddr *a)
{
	const struct ferryd_config *cfg = l->cfg;
	if (l->ch.n >= cfg->max_clients)
		return REFUSED_MAX_CLIENTS;
	if (cfg->max_per_ip > 0 && count_from(&l->ch, a) >= cfg->max_per_ip)
		return REFUSED_MAX_PER_IP;
	return REFUSED_REASONS;
}

/* A failed login from session c: counts it, and bans its address when
 * that was one too many. A ban also ends the sessions from that address
 * (its /64 for IPv6, see ban_same_key) that have not logged in, which are
 * the ones guessing. */
static void login_failed(struct listener *l, struct child *c)
{
	if (l->bans == NULL)
		return;
	int recent;
	if (!ban_failure(l->bans, &c->addr, sysio_now_ms(), &recent))
		return;
	l->counts.bans++;
	char addr[NETADDR_STRLEN];
	netaddr_ntop(&c->addr, false, addr, sizeof addr);
	int ended = 0;
	for (int i = 0; i < l->ch.n; i++) {
		struct child *o = &l->ch.v[i];
		if (!o->logged_in && !o->ended_by_ban && ban_same_key(&o->addr, &c->addr) &&
		    kill(o->pid, SIGTERM) == 0) {
			o->ended_by_ban = true;
			ended++;
		}
	}
	log_msg(LOG_WARNING, "banned: addr=%s failures=%d window=%d seconds=%d ended=%d", addr,
		recent, l->cfg->ban_window, l->cfg->ban_time, ended);
}

/* Reads the waiting reports and acts on them; at most REPORTS_PER_WAKE,
 * so a session that floods the channel cannot keep the listener from
 * accepting (poll wakes it again for the rest). */
static void handle_reports(struct listener *l)
{
	struct report_msg m;
	pid_t from;
	int r = 0;
	for (int n = 0; n < REPORTS_PER_WAKE && (r = report_recv(l->report_rx, &m, &from)) > 0; n++) {
		struct child *c = find_child(&l->ch, from);
		if (c == NULL)
			continue;   /* not a session of ours */
		switch (m.kind) {
		case REPORT_LOGIN_FAILED:
			l->counts.logins_failed++;
			login_failed(l, c);
			break;
		case REPORT_LOGIN_OK:
			l->counts.logins_ok++;
			c->logged_in = true;
			break;
		default:
			metrics_count_report(&l->counts, &m);
			break;
		}
	}
	if (r < 0)
		log_msg(LOG_WARNING, "report channel: %s", strerror(errno));
}

/* The index of the listening socket that accepted fd (directly, or the
 * proxy's connection), by their local addresses; -1 if none matches. */
static int listener_of(const struct listener *l, int fd)
{
	struct netaddr local, bound;
	if (sysio_sockname(fd, &local) < 0)
		return -1;
	netaddr_unmap(&local);
	for (int i = 0; i < l->nfds; i++) {
		if (sysio_sockname(l->lfds[i], &bound) < 0)
			continue;
		netaddr_unmap(&bound);
		if (netopts_listener_matches(&bound, &local))
			return i;
	}
	return -1;
}

/* Starts a session for a new client, or refuses it. via is the proxy
 * the connection came through (NULL: direct); from is the client. */
static void start_session(struct listener *l, int fd, const struct netaddr *from,
			  const struct netaddr *via)
{
	const struct ferryd_config *cfg = l->cfg;
	struct children *ch = &l->ch;
	char who[NETADDR_STRLEN];
	netaddr_ntop(from, true, who, sizeof who);
	long long banned = l->bans ? ban_remaining(l->bans, from, sysio_now_ms()) : 0;
	if (banned > 0) {
		log_msg(LOG_NOTICE, "refused %s: address banned for %lld more seconds", who,
			(banned + 999) / 1000);
		refuse(fd, "421 Too many failed logins from your address; please try again later.\r\n");
		l->counts.refused[REFUSED_BANNED]++;
		return;
	}
	/* Sessions that ended since the last wake still hold their slots:
	 * they are reaped when a limit is reached, not for every connection
	 * (each wait4 looks at every running session). */
	enum metrics_refusal limit = at_limit(l, from);
	if (limit != REFUSED_REASONS) {
		reap(l);
		limit = at_limit(l, from);
	}
	if (limit == REFUSED_MAX_CLIENTS) {
		log_msg(LOG_NOTICE, "refused %s: %d sessions already (--max-clients)", who, ch->n);
		refuse(fd, "421 Too many users; please try again later.\r\n");
		l->counts.refused[REFUSED_MAX_CLIENTS]++;
		return;
	}
	if (limit == REFUSED_MAX_PER_IP) {
		log_msg(LOG_NOTICE, "refused %s: too many sessions from this address", who);
		refuse(fd, "421 Too many connections from your address; please try again later.\r\n");
		l->counts.refused[REFUSED_MAX_PER_IP]++;
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork for %s: %s", who, strerror(errno));
		refuse(fd, "421 Server busy (cannot start a session); please try again later.\r\n");
		return;
	}
	if (pid == 0) {
		/* Which listener took it matters only when some speak implicit TLS. */
		bool any_implicit = false;
		for (int i = 0; i < cfg->nlisten; i++)
			any_implicit |= cfg->listen_implicit[i];
		int li = any_implicit ? listener_of(l, fd) : -1;
		ftps_set_implicit_listener(li >= 0 && li < cfg->nlisten && cfg->listen_implicit[li]);
		for (int i = 0; i < l->nfds; i++)
			close(l->lfds[i]);
		close(l->report_rx);
		metrics_http_close_fds(l->http);
		proxywait_close_fds(l->waiting);
		report_attach(l->report_tx);
		sdnotify_close();
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_IGN);    /* reloads are the listener's; sessions go on */
		signal(SIGPIPE, SIG_IGN);
		signal(SIGXFSZ, SIG_IGN);   /* a file size limit gives EFBIG, not death */
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
		if (via)
			cmdloop_run_via(cfg, fd, from, via);
		else
			cmdloop_run(cfg, fd, fd);
		_exit(0);
	}
	close(fd);
	l->counts.sessions_total++;
	ch->v[ch->n] = (struct child){ .pid = pid, .addr = *from };
	ch->n++;
}

/* With --proxy-protocol: a connection from a proxy waits for its
 * header; any other is refused. */
static void wait_for_header(struct listener *l, int fd, const struct netaddr *from)
{
	const struct ferryd_config *cfg = l->cfg;
	char who[NETADDR_STRLEN];
	netaddr_ntop(from, true, who, sizeof who);
	if (!cidr_match_any(cfg->proxy_from, cfg->nproxy_from, from)) {
		log_msg(LOG_NOTICE, "refused %s: not a --proxy-from address", who);
		refuse(fd, "421 Connections are accepted from the proxy only.\r\n");
		l->counts.refused[REFUSED_PROXY]++;
		return;
	}
	if (!proxywait_add(l->waiting, fd, from, sysio_now_ms())) {
		log_msg(LOG_NOTICE, "refused %s: %d connections already wait for a PROXY header",
			who, proxywait_count(l->waiting));
		close(fd);
		l->counts.refused[REFUSED_MAX_CLIENTS]++;
	}
}

/* Accepts every pending client on one listening socket. */
static void accept_all(struct listener *l, int lfd)
{
	for (;;) {
		struct netaddr from;
		from.len = sizeof from.ss;
		int fd = accept4(lfd, (struct sockaddr *)&from.ss, &from.len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_msg(LOG_WARNING, "accept: %s", strerror(errno));
			return;
		}
		netaddr_unmap(&from);
		/* Reports first (a failed login may have banned this address);
		 * finished sessions are reaped on SIGCHLD, or by start_session
		 * when a limit is reached. */
		handle_reports(l);
		if (l->waiting)
			wait_for_header(l, fd, &from);
		else
			start_session(l, fd, &from, NULL);
	}
}

/* A PROXY header arrived (proxywait callback). */
static void header_ready(void *ctx, int fd, const struct netaddr *client,
			 const struct netaddr *via)
{
	struct listener *l = ctx;
	handle_reports(l);
	start_session(l, fd, client, via);
}

/* Fills the metrics endpoint's body (metrics_http callback). Reports
 * still queued are counted first: a client that has seen a transfer's
 * reply finds it in the next scrape. */
static void render_metrics(void *ctx, struct sbuf *out)
{
	struct listener *l = ctx;
	handle_reports(l);
	struct metrics_now now = {
		.sessions = l->ch.n,
		.banned = ban_active(l->bans, sysio_now_ms()),
	};
	metrics_render(&l->counts, &now, out);
}

/* ppoll's timeout for the earliest of the deadlines (NULL: none). */
static struct timespec *poll_timeout(const struct listener *l, struct timespec *ts)
{
	long long d = l->http ? metrics_http_deadline(l->http) : -1;
	long long w = l->waiting ? proxywait_deadline(l->waiting) : -1;
	if (d < 0 || (w >= 0 && w < d))
		d = w;
	if (d < 0)
		return NULL;
	long long left = d - sysio_now_ms();
	if (left < 0)
		left = 0;
	ts->tv_sec = (time_t)(left / 1000);
	ts->tv_nsec = (long)(left % 1000) * 1000000L;
	return ts;
}

/* The listening lines, logged when connections and signals are served:
 * privileges dropped, the handlers in place. */
static void announce(const struct ferryd_config *cfg, const int *fds, int nfds)
{
	for (int i = 0; i < nfds; i++) {
		char addr[NETADDR_STRLEN];
		struct netaddr bound;
		sysio_sockname(fds[i], &bound);
		netaddr_ntop(&bound, true, addr, sizeof addr);
		log_msg(LOG_INFO, "listening on %s%s%s", addr,
			cfg->listen_implicit[i] || cfg->tls.implicit ? " (implicit TLS)" : "",
			listeners_inherited ? " (from systemd)" : "");
	}
}

int listener_run(const struct ferryd_config *cfg, const int *fds, int nfds)
{
	struct listener lst = {
		.cfg = cfg, .lfds = fds, .nfds = nfds,
		.ch = { unshared_calloc((size_t)cfg->max_clients, sizeof(struct child)), 0 },
	}, *l = &lst;
	int rp[2];
	if (report_open(rp) < 0) {
		log_msg(LOG_ERR, "cannot create the session report channel: %s", strerror(errno));
		unshared_free(l->ch.v, (size_t)cfg->max_clients, sizeof(struct child));
		return 1;
	}
	l->report_rx = rp[0];
	l->report_tx = rp[1];
	if (cfg->ban_after > 0 && cfg->ban_time > 0)
		l->bans = ban_new(cfg->ban_after, cfg->ban_window, cfg->ban_time);
	l->counts.start_time = (long long)time(NULL);
	if (metrics_fd >= 0)
		l->http = metrics_http_new(metrics_fd);
	if (cfg->proxy_protocol)
		l->waiting = proxywait_new(cfg->max_clients);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Signals are blocked except inside ppoll, so none is missed. */
	sigset_t block, waitmask;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &l->oldmask);
	sigdelset(&l->oldmask, SIGHUP);     /* main blocked it until now */
	waitmask = l->oldmask;
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);

	/* The listening sockets, the report channel, the metrics endpoint,
	 * then the connections waiting for a PROXY header. */
	size_t pmax = (size_t)nfds + 2 + METRICS_CLIENTS + (l->waiting ? (size_t)cfg->max_clients : 0);
	struct pollfd *p = unshared_calloc(pmax, sizeof *p);
	for (int i = 0; i < nfds; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	p[nfds].fd = l->report_rx;
	p[nfds].events = POLLIN;
	announce(cfg, fds, nfds);
	sdnotify_send("READY=1");
	while (!got_stop) {
		struct pollfd *hp = p + nfds + 1;
		int nh = l->http ? metrics_http_pollfds(l->http, hp) : 0;
		struct pollfd *wp = hp + nh;
		int nw = l->waiting ? proxywait_pollfds(l->waiting, wp) : 0;
		struct timespec ts;
		int r = ppoll(p, (nfds_t)(nfds + 1 + nh + nw), poll_timeout(l, &ts), &waitmask);
		if (got_child) {
			got_child = 0;
			reap(l);
		}
		if (got_hup) {
			got_hup = 0;
			sdnotify_reloading();
			const struct ferryd_config *next = reload_config(l->cfg);
			if (next != l->cfg)
				l->counts.reloads_ok++;
			else
				l->counts.reloads_failed++;
			l->cfg = next;
			sdnotify_send("READY=1");
		}
		if (r < 0)
			continue;
		if (p[nfds].revents)
			handle_reports(l);
		long long now = sysio_now_ms();
		if (l->http)
			metrics_http_step(l->http, hp, nh, now, render_metrics, l);
		if (l->waiting)
			proxywait_step(l->waiting, wp, nw, now, header_ready, l);
		for (int i = 0; i < nfds; i++)
			if (p[i].revents & POLLIN)
				accept_all(l, fds[i]);
	}
	/* Stop accepting; let running sessions finish. A second signal ends them. */
	sdnotify_send("STOPPING=1");
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	log_msg(LOG_INFO, "stopping: no new sessions; waiting for %d to finish", l->ch.n);
	bool killed = false;
	reap(l);
	while (l->ch.n > 0) {
		if (got_stop > 1 && !killed) {
			log_msg(LOG_INFO, "stopping now: ending %d sessions", l->ch.n);
			for (int i = 0; i < l->ch.n; i++)
				kill(l->ch.v[i].pid, SIGTERM);
			killed = true;
		}
		sigsuspend(&waitmask);
		got_child = 0;
		reap(l);
	}
	unshared_free(p, pmax, sizeof *p);
	unshared_free(l->ch.v, (size_t)cfg->max_clients, sizeof(struct child));
	ban_free(l->bans);
	metrics_http_free(l->http);
	proxywait_free(l->waiting);
	close(l->report_rx);
	close(l->report_tx);
	log_msg(LOG_INFO, "stopped");
	return 0;
}
