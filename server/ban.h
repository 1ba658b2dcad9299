/* ban: per-address failed-login tracking for the listener. An address
 * that fails to log in `after` times within `window` seconds is banned
 * for `duration` seconds (an IPv6 address counts as its /64 prefix): the
 * listener answers its new connections with
 * 421. The table lives in the parent process only (sessions report their
 * failures over the report channel), so failures add up across
 * connections. It is bounded: at most BAN_TABLE_MAX addresses are
 * remembered, the least recently seen unbanned one making room.
 * Pure bookkeeping: no I/O, no clock (callers pass the time in ms). */
#ifndef FERRYD_BAN_H
#define FERRYD_BAN_H

#include <stdbool.h>

#include "netaddr.h"

/* Most addresses remembered at once. */
#define BAN_TABLE_MAX 4096
/* Largest --ban-after accepted (each address keeps that many times). */
#define BAN_AFTER_MAX 100

struct ban_table;

/* A table banning after `after` failures (1..BAN_AFTER_MAX) within
 * window_s seconds, for duration_s seconds. Free with ban_free. */
struct ban_table *ban_new(int after, int window_s, int duration_s);
void ban_free(struct ban_table *t);
/* Milliseconds left of a ban on a's host at now_ms; 0 if not banned. */
long long ban_remaining(struct ban_table *t, const struct netaddr *a, long long now_ms);
/* Records one failed login from a's host at now_ms. Returns true if this
 * failure starts a ban; *recent gets the failures within the window. */
bool ban_failure(struct ban_table *t, const struct netaddr *a, long long now_ms, int *recent);
/* True if a and b count as one address: the same IPv4 host (mapped or
 * not), or the same IPv6 /64 prefix. */
bool ban_same_key(const struct netaddr *a, const struct netaddr *b);
/* Addresses currently remembered (for tests). */
int ban_count(const struct ban_table *t);
/* Addresses banned at now_ms (t may be NULL: none). */
int ban_active(const struct ban_table *t, long long now_ms);

#endif
