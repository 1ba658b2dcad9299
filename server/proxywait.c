/* proxywait: connections waiting for their PROXY header (see proxywait.h). */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "proxyproto.h"
#include "proxywait.h"
#include "sysio.h"
#include "xalloc.h"

/* One connection waiting. */
struct waiting {
	int fd;                       /* the accepted socket (non-blocking) */
	struct netaddr via;           /* the proxy's address */
	long long deadline_ms;        /* when it is given up */
	struct proxy_reader *rd;      /* the header so far */
};

struct proxywait {
	struct waiting *v;            /* v[0..n) in use */
	int n, max;
};

struct proxywait *proxywait_new(int max)
{
	struct proxywait *w = xcalloc(1, sizeof *w);
	w->v = xcalloc((size_t)max, sizeof *w->v);
	w->max = max;
	return w;
}

/* Drops entry i (closing its socket if close_fd), keeping the order of
 * the entries before it. */
static void drop(struct proxywait *w, int i, bool close_fd)
{
	if (close_fd)
		close(w->v[i].fd);
	free(w->v[i].rd);
	w->v[i] = w->v[--w->n];
}

void proxywait_free(struct proxywait *w)
{
	if (w == NULL)
		return;
	while (w->n > 0)
		drop(w, w->n - 1, true);
	free(w->v);
	free(w);
}

void proxywait_close_fds(struct proxywait *w)
{
	for (int i = 0; w != NULL && i < w->n; i++)
		close(w->v[i].fd);
}

bool proxywait_add(struct proxywait *w, int fd, const struct netaddr *via, long long now_ms)
{
	if (w->n == w->max)
		return false;
	struct waiting *e = &w->v[w->n++];
	e->fd = fd;
	e->via = *via;
	e->deadline_ms = now_ms + PROXY_HEADER_TIMEOUT * 1000LL;
	e->rd = xmalloc(sizeof *e->rd);
	proxy_reader_init(e->rd);
	sysio_set_nonblock(fd, true);
	return true;
}

int proxywait_count(const struct proxywait *w)
{
	return w->n;
}

int proxywait_pollfds(const struct proxywait *w, struct pollfd *p)
{
	for (int i = 0; i < w->n; i++) {
		p[i].fd = w->v[i].fd;
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	return w->n;
}

long long proxywait_deadline(const struct proxywait *w)
{
	long long d = -1;
	for (int i = 0; i < w->n; i++)
		if (d < 0 || w->v[i].deadline_ms < d)
			d = w->v[i].deadline_ms;
	return d;
}

void proxywait_step(struct proxywait *w, const struct pollfd *p, int n, long long now_ms,
		    proxywait_ready_fn *ready, void *ctx)
{
	/* Backwards: dropping entry i moves the last one into its place, and
	 * that one has been handled already. */
	for (int i = (n < w->n ? n : w->n) - 1; i >= 0; i--) {
		struct waiting *e = &w->v[i];
		char who[NETADDR_STRLEN];
		netaddr_ntop(&e->via, true, who, sizeof who);
		if (p[i].fd == e->fd && p[i].revents != 0) {
			struct proxy_header h;
			const char *why;
			switch (proxy_read(e->fd, e->rd, &h, &why)) {
			case PROXY_NEED_MORE:
				break;
			case PROXY_BAD:
				log_msg(LOG_WARNING, "proxy: bad header from %s: %s", who, why);
				drop(w, i, true);
				continue;
			case PROXY_OK: {
				int fd = e->fd;
				struct netaddr via = e->via;
				struct netaddr client = h.local ? e->via : h.src;
				drop(w, i, false);
				sysio_set_nonblock(fd, false);
				ready(ctx, fd, &client, &via);
				continue;
			}
			}
		}
		if (now_ms >= e->deadline_ms) {
			log_msg(LOG_WARNING, "proxy: no header from %s within %d seconds", who,
				PROXY_HEADER_TIMEOUT);
			drop(w, i, true);
		}
	}
	/* Entries past n (none when called as documented) only time out. */
	for (int i = w->n - 1; i >= n; i--)
		if (now_ms >= w->v[i].deadline_ms)
			drop(w, i, true);
}
