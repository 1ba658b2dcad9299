/* ban: failed-login counting per address (see ban.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "ban.h"
#include "xalloc.h"

/* One remembered address. */
struct ban_entry {
	struct netaddr host;      /* the key (host_of): port 0, IPv4-mapped unmapped */
	long long *fail_ms;       /* times of its recent failures, oldest first */
	int nfail;                /* failures in fail_ms */
	long long banned_until;   /* ms when its ban ends; 0 = not banned */
	long long seen_ms;        /* last failure or check, for eviction */
};

struct ban_table {
	int after;                /* failures that start a ban */
	long long window_ms;      /* ... when they fall within this span */
	long long duration_ms;    /* how long a ban lasts */
	struct ban_entry *v;      /* entries in use: v[0..n) */
	int n, cap;
};

struct ban_table *ban_new(int after, int window_s, int duration_s)
{
	struct ban_table *t = xcalloc(1, sizeof *t);
	t->after = after < 1 ? 1 : after > BAN_AFTER_MAX ? BAN_AFTER_MAX : after;
	t->window_ms = (long long)window_s * 1000;
	t->duration_ms = (long long)duration_s * 1000;
	return t;
}

void ban_free(struct ban_table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->v[i].fail_ms);
	free(t->v);
	free(t);
}

int ban_count(const struct ban_table *t)
{
	return t->n;
}

int ban_active(const struct ban_table *t, long long now_ms)
{
	int n = 0;
	for (int i = 0; t != NULL && i < t->n; i++)
		if (t->v[i].banned_until > now_ms)
			n++;
	return n;
}

/* The table's key for an address: an IPv4 host alone, an IPv6 address's
 * /64 prefix (the low 64 bits zero), since one IPv6 host usually has a
 * /64 to choose addresses from. */
static struct netaddr host_of(const struct netaddr *a)
{
	struct netaddr h = *a;
	netaddr_unmap(&h);
	netaddr_set_port(&h, 0);
	if (!netaddr_is_v4(&h)) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h.ss;
		memset(sin6->sin6_addr.s6_addr + 8, 0, 8);
		sin6->sin6_scope_id = 0;
		sin6->sin6_flowinfo = 0;
	}
	return h;
}

bool ban_same_key(const struct netaddr *a, const struct netaddr *b)
{
	struct netaddr ka = host_of(a), kb = host_of(b);
	return netaddr_same_host(&ka, &kb);
}

static struct ban_entry *find(struct ban_table *t, const struct netaddr *host)
{
	for (int i = 0; i < t->n; i++)
		if (netaddr_same_host(&t->v[i].host, host))
			return &t->v[i];
	return NULL;
}

/* Drops failures that fell out of the window. */
static void expire_failures(const struct ban_table *t, struct ban_entry *e, long long now_ms)
{
	int old = 0;
	while (old < e->nfail && e->fail_ms[old] <= now_ms - t->window_ms)
		old++;
	if (old > 0) {
		memmove(e->fail_ms, e->fail_ms + old, (size_t)(e->nfail - old) * sizeof *e->fail_ms);
		e->nfail -= old;
	}
}

static void remove_at(struct ban_table *t, int i)
{
	free(t->v[i].fail_ms);
	t->v[i] = t->v[--t->n];
}

/* Makes room for one entry in a full table: first forgets every address
 * with neither a ban nor a failure in the window; failing that, the
 * unbanned address seen longest ago; failing that (all banned), the ban
 * that ends first. */
static void make_room(struct ban_table *t, long long now_ms)
{
	for (int i = t->n - 1; i >= 0; i--) {
		struct ban_entry *e = &t->v[i];
		expire_failures(t, e, now_ms);
		if (e->banned_until <= now_ms && e->nfail == 0)
			remove_at(t, i);
	}
	if (t->n < BAN_TABLE_MAX)
		return;
	int victim = 0;
	for (int i = 1; i < t->n; i++) {
		const struct ban_entry *a = &t->v[i], *b = &t->v[victim];
		bool a_banned = a->banned_until > now_ms, b_banned = b->banned_until > now_ms;
		if (a_banned != b_banned ? !a_banned
					 : a_banned ? a->banned_until < b->banned_until
						    : a->seen_ms < b->seen_ms)
			victim = i;
	}
	remove_at(t, victim);
}

long long ban_remaining(struct ban_table *t, const struct netaddr *a, long long now_ms)
{
	struct netaddr host = host_of(a);
	struct ban_entry *e = find(t, &host);
	if (e == NULL)
		return 0;
	e->seen_ms = now_ms;
	if (e->banned_until <= now_ms) {
		e->banned_until = 0;
		return 0;
	}
	return e->banned_until - now_ms;
}

bool ban_failure(struct ban_table *t, const struct netaddr *a, long long now_ms, int *recent)
{
	struct netaddr host = host_of(a);
	struct ban_entry *e = find(t, &host);
	if (e == NULL) {
		if (t->n == BAN_TABLE_MAX)
			make_room(t, now_ms);
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
		}
		e = &t->v[t->n++];
		memset(e, 0, sizeof *e);
		e->host = host;
		e->fail_ms = xcalloc((size_t)t->after, sizeof *e->fail_ms);
	}
	e->seen_ms = now_ms;
	expire_failures(t, e, now_ms);
	if (e->nfail == t->after) {    /* full: the oldest makes room */
		memmove(e->fail_ms, e->fail_ms + 1, (size_t)(e->nfail - 1) * sizeof *e->fail_ms);
		e->nfail--;
	}
	e->fail_ms[e->nfail++] = now_ms;
	*recent = e->nfail;
	if (e->banned_until > now_ms || e->nfail < t->after)
		return false;
	/* A ban starts; its failures are used up, so after it ends the
	 * address starts again from zero. */
	e->banned_until = now_ms + t->duration_ms;
	e->nfail = 0;
	return true;
}
