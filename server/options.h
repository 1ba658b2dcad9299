/* options: ferryd's command line, parsed into one read-only struct that the
 * listener and every session share. Parsing only: nothing here opens
 * sockets or files except reading the users file. */
#ifndef FERRYD_OPTIONS_H
#define FERRYD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "log.h"
#include "netaddr.h"
#include "proxyproto.h"
#include "tls.h"
#include "users.h"

/* Most -l options accepted. */
#define CONFIG_MAX_LISTEN 16
/* Most prefixes in --proxy-from. */
#define CONFIG_MAX_PROXY_FROM 32

/* Addresses announced for passive data connections, one per family
 * (PASV can only carry the IPv4 one; see netopts.h). */
struct pasv_addresses {
	struct netaddr v4, v6;      /* the addresses, port 0 */
	bool have_v4, have_v6;      /* which were given */
};

/* Anonymous access ("anonymous" and "ftp" with any password). */
enum anon_mode {
	ANON_OFF,     /* no anonymous logins */
	ANON_RO,      /* read only */
	ANON_RW,      /* read and write */
	ANON_UPLOAD,  /* drop box: new files and directories only, nothing read */
};

/* What main should do after parsing. */
enum config_action {
	CONFIG_SERVE, CONFIG_HELP, CONFIG_VERSION, CONFIG_HASH_PASSWORD,
	CONFIG_CHECK, /* --check-config */
};

/* The configuration file read when -f is not given. */
#ifndef FERRYD_CONF_DEFAULT
#define FERRYD_CONF_DEFAULT "/etc/ferry/ferryd.conf"
#endif

struct ferryd_config {
	struct netaddr listen[CONFIG_MAX_LISTEN]; /* -l addresses */
	int nlisten;                              /* how many -l (default one) */
	char *root;                 /* absolute server root (-r, default cwd) */
	char *users_file;           /* -u path, or NULL */
	struct users users;         /* accounts loaded from users_file */
	enum anon_mode anonymous;   /* anonymous access */
	int max_clients;            /* sessions at once */
	int max_per_ip;             /* sessions at once per address; 0 = no limit */
	int idle_timeout;           /* seconds idle (or stalled) before 421 */
	int login_timeout;          /* seconds from connecting to a completed login */
	long long max_rate;         /* bytes/s per session and direction, 0 = no limit */
	int pasv_lo, pasv_hi;       /* passive port range; 0-0 = kernel's choice */
	struct pasv_addresses pasv_address;  /* --pasv-address */
	struct pasv_addresses listen_pasv[CONFIG_MAX_LISTEN]; /* -l ...,pasv-address= */
	bool listen_implicit[CONFIG_MAX_LISTEN]; /* -l ...,implicit-tls: TLS from the first byte */
	char *run_as;               /* user to become when started as root */
	bool inetd;                 /* -i: one session on stdin/stdout */
	bool verbose;               /* -v: protocol trace */
	enum log_target log_target; /* stderr or syslog */
	/* Defences. */
	int ban_after;              /* failed logins that ban an address; 0 = never */
	int ban_window;             /* ... when within this many seconds */
	int ban_time;               /* seconds a ban lasts; 0 = no bans */
	bool sandbox;               /* seccomp and no-new-privs in sessions */
	bool no_overwrite;          /* no account may replace or change a file */
	bool no_delete;             /* no account may delete files or directories */
	/* Operations and several nodes. */
	char *xferlog;              /* --xferlog file, or NULL */
	struct netaddr metrics;     /* --metrics address */
	bool have_metrics;          /* metrics was given */
	bool proxy_protocol;        /* control connections start with a PROXY header */
	struct cidr proxy_from[CONFIG_MAX_PROXY_FROM]; /* who may send one */
	int nproxy_from;
	struct tls_options tls;     /* --tls, --tls-cert, --tls-key, --implicit-tls */
	char *config_file;          /* the configuration file read, or NULL */
	enum config_action action;  /* what to do */
};

/* Fills cfg from the defaults, then the configuration file (-f FILE, or
 * FERRYD_CONF_DEFAULT when it exists), then argv (which overrides the
 * file; its -l replace the file's listen lines), and loads the users
 * file. Returns 0, or the exit status with a one-line message in err: 2
 * for a usage error or a bad line of the file ("FILE:LINE: why"), 1 for a
 * file, server root or users file that cannot be read. */
int config_parse(struct ferryd_config *cfg, int argc, char **argv, char *err, size_t errsz);
/* Writes the effective configuration as a configuration file: every key
 * the file may hold, in --help order, unset ones as comments. */
void config_print(const struct ferryd_config *cfg, FILE *out);
/* Frees what config_parse allocated. */
void config_free(struct ferryd_config *cfg);
/* The --help text. */
extern const char config_usage[];

#endif
