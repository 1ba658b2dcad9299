/* netopts: network placement options (see netopts.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "netopts.h"

/* Longest argument of one of these options. */
#define NETOPT_ARG_MAX 1024
/* The per-listener settings' names in -l ADDR,SETTING,... */
static const char pasv_key[] = "pasv-address=";
static const char implicit_key[] = "implicit-tls";

bool netopts_pasv_address(struct pasv_addresses *p, const char *arg, const char *opt,
			  char *err, size_t errsz)
{
	struct netaddr a;
	const char *msg = netaddr_parse_ip(arg, 0, &a);
	if (msg) {
		snprintf(err, errsz, "%s %s: %s", opt, arg, msg);
		return false;
	}
	netaddr_unmap(&a);
	if (a.ss.ss_family == AF_INET) {
		p->v4 = a;
		p->have_v4 = true;
	} else {
		p->v6 = a;
		p->have_v6 = true;
	}
	return true;
}

bool netopts_listen(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz)
{
	if (cfg->nlisten == CONFIG_MAX_LISTEN) {
		snprintf(err, errsz, "too many -l options (at most %d)", CONFIG_MAX_LISTEN);
		return false;
	}
	char copy[NETOPT_ARG_MAX];
	if (strlen(arg) >= sizeof copy) {
		snprintf(err, errsz, "-l: argument too long");
		return false;
	}
	snprintf(copy, sizeof copy, "%s", arg);
	char *settings = strchr(copy, ',');
	if (settings)
		*settings++ = '\0';
	int i = cfg->nlisten;
	const char *msg = netaddr_parse_hostport(copy, 2121, &cfg->listen[i]);
	if (msg) {
		snprintf(err, errsz, "-l %s: %s", copy, msg);
		return false;
	}
	memset(&cfg->listen_pasv[i], 0, sizeof cfg->listen_pasv[i]);
	cfg->listen_implicit[i] = false;
	while (settings) {
		char *next = strchr(settings, ',');
		if (next)
			*next++ = '\0';
		if (strcmp(settings, implicit_key) == 0) {
			cfg->listen_implicit[i] = true;
		} else if (strncmp(settings, pasv_key, sizeof pasv_key - 1) == 0) {
			if (!netopts_pasv_address(&cfg->listen_pasv[i], settings + sizeof pasv_key - 1,
						  "-l ...,pasv-address=", err, errsz))
				return false;
		} else {
			snprintf(err, errsz, "-l %s: unknown listener setting '%s' "
				 "(known: pasv-address=IP, implicit-tls)", copy, settings);
			return false;
		}
		settings = next;
	}
	cfg->nlisten++;
	return true;
}

bool netopts_proxy_from(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz)
{
	char copy[NETOPT_ARG_MAX];
	if (strlen(arg) >= sizeof copy) {
		snprintf(err, errsz, "--proxy-from: argument too long");
		return false;
	}
	snprintf(copy, sizeof copy, "%s", arg);
	cfg->nproxy_from = 0;
	for (char *p = copy; p;) {
		char *next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (cfg->nproxy_from == CONFIG_MAX_PROXY_FROM) {
			snprintf(err, errsz, "--proxy-from: at most %d addresses", CONFIG_MAX_PROXY_FROM);
			return false;
		}
		const char *msg = cidr_parse(p, &cfg->proxy_from[cfg->nproxy_from]);
		if (msg) {
			snprintf(err, errsz, "--proxy-from %s: %s", p, msg);
			return false;
		}
		cfg->nproxy_from++;
		p = next;
	}
	return true;
}

bool netopts_metrics(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz)
{
	/* A port is required: a bare IPv6 address has colons but no port. */
	const char *colon = strrchr(arg, ':');
	bool has_port = arg[0] == '[' ? strstr(arg, "]:") != NULL
				      : colon != NULL && strchr(arg, ':') == colon;
	const char *msg = has_port ? netaddr_parse_hostport(arg, 0, &cfg->metrics)
				   : "needs ADDR:PORT (IPv6 as [ADDR]:PORT)";
	if (msg) {
		snprintf(err, errsz, "--metrics %s: %s", arg, msg);
		return false;
	}
	cfg->have_metrics = true;
	return true;
}

bool netopts_check(const struct ferryd_config *cfg, char *err, size_t errsz)
{
	if (cfg->proxy_protocol && cfg->nproxy_from == 0) {
		snprintf(err, errsz, "--proxy-protocol needs --proxy-from (the proxies' addresses)");
		return false;
	}
	if (!cfg->proxy_protocol && cfg->nproxy_from > 0) {
		snprintf(err, errsz, "--proxy-from is only used with --proxy-protocol");
		return false;
	}
	if (cfg->proxy_protocol && cfg->inetd) {
		snprintf(err, errsz, "--proxy-protocol cannot be used with -i");
		return false;
	}
	if (cfg->have_metrics && cfg->inetd) {
		snprintf(err, errsz, "--metrics cannot be used with -i (there is no listener)");
		return false;
	}
	for (int i = 0; i < cfg->nlisten; i++) {
		if (!cfg->listen_implicit[i])
			continue;
		if (cfg->tls.mode == TLS_OFF) {
			snprintf(err, errsz, "-l ...,implicit-tls needs TLS (--tls-cert, and not --tls=off)");
			return false;
		}
		if (cfg->inetd) {
			snprintf(err, errsz, "-l ...,implicit-tls cannot be used with -i "
				 "(there is no listener; use --implicit-tls)");
			return false;
		}
	}
	return true;
}

/* True if the listener address l accepts connections to local: the same
 * port (any, for a listener given port 0, which the kernel chose), and
 * the same address or a wildcard one of the same family. */
bool netopts_listener_matches(const struct netaddr *l, const struct netaddr *local)
{
	if (netaddr_port(l) != 0 && netaddr_port(l) != netaddr_port(local))
		return false;
	if (netaddr_same_host(l, local))
		return true;
	struct netaddr any;
	if (l->ss.ss_family == AF_INET)
		netaddr_parse_ip("0.0.0.0", 0, &any);
	else
		netaddr_parse_ip("::", 0, &any);
	/* [::] listeners are IPv6 only (IPV6_V6ONLY), so families must agree. */
	return netaddr_same_host(l, &any) && netaddr_is_v4(l) == netaddr_is_v4(local);
}

const struct netaddr *netopts_pasv_for(const struct ferryd_config *cfg,
				       const struct netaddr *local)
{
	for (int i = 0; i < cfg->nlisten; i++)
		if (cfg->listen_pasv[i].have_v4 && netopts_listener_matches(&cfg->listen[i], local))
			return &cfg->listen_pasv[i].v4;
	return cfg->pasv_address.have_v4 ? &cfg->pasv_address.v4 : NULL;
}
