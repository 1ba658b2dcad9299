/* listener: accept, limit, fork, reap (see listener.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "session.h"
#include "sysio.h"
#include "xalloc.h"

/* Signals seen; handlers only set these. */
static volatile sig_atomic_t got_child, got_stop;

static void on_child(int sig) { (void)sig; got_child = 1; }
static void on_stop(int sig) { (void)sig; got_stop++; }

/* One running session, for the limits. */
struct child {
	pid_t pid;             /* the session's process */
	struct netaddr addr;   /* its client's address */
};

/* All running sessions. */
struct children {
	struct child *v;  /* max_clients slots */
	int n;            /* slots in use */
};

int listener_bind(const struct ferryd_config *cfg, int *fds)
{
	for (int i = 0; i < cfg->nlisten; i++) {
		const char *what;
		char addr[NETADDR_STRLEN];
		netaddr_ntop(&cfg->listen[i], true, addr, sizeof addr);
		fds[i] = sysio_listen(&cfg->listen[i], SOMAXCONN, &what);
		if (fds[i] < 0) {
			log_msg(LOG_ERR, "cannot listen on %s: %s: %s", addr, what, strerror(errno));
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
		struct netaddr bound;
		sysio_sockname(fds[i], &bound);
		netaddr_ntop(&bound, true, addr, sizeof addr);
		log_msg(LOG_INFO, "listening on %s", addr);
		sysio_set_nonblock(fds[i], true);
	}
	return cfg->nlisten;
}

/* Removes every finished child from the table. */
static void reap(struct children *ch)
{
	pid_t pid;
	int status;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < ch->n; i++) {
			if (ch->v[i].pid == pid) {
				ch->v[i] = ch->v[--ch->n];
				break;
			}
		}
		if (WIFSIGNALED(status))
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

/* Starts a session for a new client, or refuses it. */
static void start_session(const struct ferryd_config *cfg, struct children *ch, int fd,
			  const struct netaddr *from, const int *lfds, int nfds,
			  const sigset_t *oldmask)
{
	char who[NETADDR_STRLEN];
	netaddr_ntop(from, true, who, sizeof who);
	if (ch->n >= cfg->max_clients) {
		log_msg(LOG_NOTICE, "refused %s: %d sessions already (--max-clients)", who, ch->n);
		refuse(fd, "421 Too many users; please try again later.\r\n");
		return;
	}
	if (cfg->max_per_ip > 0 && count_from(ch, from) >= cfg->max_per_ip) {
		log_msg(LOG_NOTICE, "refused %s: too many sessions from this address", who);
		refuse(fd, "421 Too many connections from your address; please try again later.\r\n");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork for %s: %s", who, strerror(errno));
		refuse(fd, "421 Server busy (cannot start a session); please try again later.\r\n");
		return;
	}
	if (pid == 0) {
		for (int i = 0; i < nfds; i++)
			close(lfds[i]);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGXFSZ, SIG_IGN);   /* a file size limit gives EFBIG, not death */
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		session_run(cfg, fd, fd);
		_exit(0);
	}
	close(fd);
	ch->v[ch->n].pid = pid;
	ch->v[ch->n].addr = *from;
	ch->n++;
}

/* Accepts every pending client on one listening socket. */
static void accept_all(const struct ferryd_config *cfg, struct children *ch, int lfd,
		       const int *lfds, int nfds, const sigset_t *oldmask)
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
		reap(ch);
		start_session(cfg, ch, fd, &from, lfds, nfds, oldmask);
	}
}

int listener_run(const struct ferryd_config *cfg, const int *fds, int nfds)
{
	struct children ch = { xcalloc((size_t)cfg->max_clients, sizeof *ch.v), 0 };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Signals are blocked except inside ppoll, so none is missed. */
	sigset_t block, oldmask, waitmask;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	waitmask = oldmask;
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	struct pollfd *p = xcalloc((size_t)nfds, sizeof *p);
	for (int i = 0; i < nfds; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	while (!got_stop) {
		int r = ppoll(p, (nfds_t)nfds, NULL, &waitmask);
		if (got_child) {
			got_child = 0;
			reap(&ch);
		}
		if (r <= 0)
			continue;
		for (int i = 0; i < nfds; i++)
			if (p[i].revents & POLLIN)
				accept_all(cfg, &ch, fds[i], fds, nfds, &oldmask);
	}
	/* Stop accepting; let running sessions finish. A second signal ends them. */
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	log_msg(LOG_INFO, "stopping: no new sessions; waiting for %d to finish", ch.n);
	bool killed = false;
	reap(&ch);
	while (ch.n > 0) {
		if (got_stop > 1 && !killed) {
			log_msg(LOG_INFO, "stopping now: ending %d sessions", ch.n);
			for (int i = 0; i < ch.n; i++)
				kill(ch.v[i].pid, SIGTERM);
			killed = true;
		}
		sigsuspend(&waitmask);
		got_child = 0;
		reap(&ch);
	}
	free(p);
	free(ch.v);
	log_msg(LOG_INFO, "stopped");
	return 0;
}
