/* netopts: the options that place ferryd on a network behind other
 * machines: listeners with their own passive address, the addresses
 * announced for passive data connections (one per family), which peers
 * may send a PROXY header, and the metrics address. options.c calls these
 * for the option's argument; sessions ask which passive address to
 * announce. Errors are one-line messages in err, as options.c writes. */
#ifndef FERRYD_NETOPTS_H
#define FERRYD_NETOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* -l ADDR[:PORT][,pasv-address=IP][,implicit-tls]...: adds a listener
 * (port 2121 when none is given) with its own passive addresses, and
 * whether its sessions start in TLS (port 990 style). */
bool netopts_listen(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz);
/* --pasv-address IP (IPv4 or IPv6): sets that family's address in *p;
 * opt names the option in messages. */
bool netopts_pasv_address(struct pasv_addresses *p, const char *arg, const char *opt,
			  char *err, size_t errsz);
/* --proxy-from CIDR[,CIDR...]: replaces the list of proxy addresses. */
bool netopts_proxy_from(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz);
/* --metrics ADDR:PORT (the port is required; 0 picks a free one). */
bool netopts_metrics(struct ferryd_config *cfg, const char *arg, char *err, size_t errsz);
/* Checks that the options above fit together (after all are parsed,
 * TLS's defaults settled: a listener's implicit-tls needs TLS on). */
bool netopts_check(const struct ferryd_config *cfg, char *err, size_t errsz);

/* True if the listener address l accepts connections to local: the same
 * port (any, for a listener given port 0), and the same address or a
 * wildcard one of the same family. */
bool netopts_listener_matches(const struct netaddr *l, const struct netaddr *local);
/* The IPv4 address PASV announces on a control connection whose local
 * address is local: the matching listener's own, else --pasv-address's,
 * else NULL (announce the address the data socket is bound to). */
const struct netaddr *netopts_pasv_for(const struct ferryd_config *cfg,
				       const struct netaddr *local);

#endif
