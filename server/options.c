/* options: ferryd option parsing (see options.h). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ban.h"
#include "netopts.h"
#include "options.h"
#include "xalloc.h"

const char config_usage[] =
	"usage: ferryd [-l ADDR[:PORT]]... [-r DIR] [-u USERSFILE] [--anonymous=MODE]\n"
	"              [--max-clients N] [--max-per-ip N] [--idle-timeout SEC]\n"
	"              [--pasv-ports LO-HI] [--pasv-address ADDR] [--run-as USER]\n"
	"              [--login-timeout SEC] [--max-rate BYTES]\n"
	"              [--ban-after N] [--ban-window SEC] [--ban-time SEC]\n"
	"              [--no-overwrite] [--no-delete] [--no-sandbox]\n"
	"              [--xferlog FILE] [--metrics ADDR:PORT]\n"
	"              [--proxy-protocol --proxy-from CIDR[,CIDR...]]\n"
	"              [--tls=off|on|required] [--tls-cert FILE] [--tls-key FILE]\n"
	"              [--implicit-tls]\n"
	"              [--syslog] [-i] [-v]\n"
	"       ferryd --hash-password\n"
	"\n"
	"  -l ADDR[:PORT][,pasv-address=IP][,implicit-tls]\n"
	"                        listen address (repeatable; default 127.0.0.1:2121),\n"
	"                        with its own address for PASV replies, or TLS from\n"
	"                        the first byte (ftps://, port 990)\n"
	"  -r DIR                server root (default: current directory)\n"
	"  -u FILE               users file: name:crypt-hash[:home[:ro|rw]]\n"
	"  --anonymous=MODE      ro, rw, upload (drop box) or off\n"
	"                        (default: ro without -u, off with -u)\n"
	"  --max-clients N       sessions at once (default 1000)\n"
	"  --max-per-ip N        sessions at once per client address (default 16, 0: no limit)\n"
	"  --idle-timeout SEC    close idle sessions and stalled transfers (default 300)\n"
	"  --login-timeout SEC   close sessions not logged in by then (default 30)\n"
	"  --max-rate BYTES      bytes per second per session and direction, K/M/G\n"
	"                        suffixes allowed (default 0: no limit)\n"
	"  --pasv-ports LO-HI    passive data port range (default: any)\n"
	"  --pasv-address IP     address announced in PASV replies (one IPv4, one IPv6)\n"
	"  --ban-after N         ban an address after N failed logins (default 10; 0: never)\n"
	"  --ban-window SEC      ... within SEC seconds (default 600)\n"
	"  --ban-time SEC        how long a ban lasts (default 600; 0: no bans)\n"
	"  --no-overwrite        no account may replace or change an existing file\n"
	"  --no-delete           no account may delete files or directories\n"
	"  --no-sandbox          run sessions without the seccomp sandbox (debugging)\n"
	"  --xferlog FILE        log every file transfer to FILE in the xferlog format\n"
	"  --metrics ADDR:PORT   serve Prometheus metrics over HTTP at ADDR:PORT\n"
	"  --proxy-protocol      control connections start with a PROXY header (v1 or v2)\n"
	"  --proxy-from CIDR,... addresses allowed to send it (required with it)\n"
	"  --run-as USER         user to run as when started as root (default nobody)\n"
	"  --syslog              log to syslog instead of stderr\n"
	"  -i                    serve one session on stdin/stdout (inetd mode)\n"
	"  -v                    log a protocol trace (passwords masked)\n"
	"  --hash-password       read a password on stdin, print its crypt(3) hash\n"
	"  -h, --help            show this help;  -V, --version  show the version\n";

enum {
	OPT_ANON = 256, OPT_MAX_CLIENTS, OPT_MAX_PER_IP, OPT_IDLE, OPT_PASV_PORTS,
	OPT_PASV_ADDR, OPT_RUN_AS, OPT_SYSLOG, OPT_HASH,
	OPT_LOGIN_TIMEOUT, OPT_MAX_RATE,
	OPT_BAN_AFTER, OPT_BAN_WINDOW, OPT_BAN_TIME, OPT_NO_SANDBOX, OPT_NO_OVERWRITE,
	OPT_NO_DELETE, OPT_XFERLOG, OPT_METRICS, OPT_PROXY_PROTOCOL, OPT_PROXY_FROM,
	OPT_TLS, /* OPT_TLS + i: tls_optdefs[i] */
};

static const struct option long_opts[] = {
	{ "anonymous", required_argument, NULL, OPT_ANON },
	{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
	{ "max-per-ip", required_argument, NULL, OPT_MAX_PER_IP },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "pasv-ports", required_argument, NULL, OPT_PASV_PORTS },
	{ "pasv-address", required_argument, NULL, OPT_PASV_ADDR },
	{ "run-as", required_argument, NULL, OPT_RUN_AS },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "hash-password", no_argument, NULL, OPT_HASH },
	{ "login-timeout", required_argument, NULL, OPT_LOGIN_TIMEOUT },
	{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
	{ "ban-after", required_argument, NULL, OPT_BAN_AFTER },
	{ "ban-window", required_argument, NULL, OPT_BAN_WINDOW },
	{ "ban-time", required_argument, NULL, OPT_BAN_TIME },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "no-overwrite", no_argument, NULL, OPT_NO_OVERWRITE },
	{ "no-delete", no_argument, NULL, OPT_NO_DELETE },
	{ "xferlog", required_argument, NULL, OPT_XFERLOG },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "proxy-protocol", no_argument, NULL, OPT_PROXY_PROTOCOL },
	{ "proxy-from", required_argument, NULL, OPT_PROXY_FROM },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
/* Most TLS options (tls_optdefs) that fit in the table. */
#define TLS_OPTS_MAX 8

/* long_opts followed by tls_optdefs, for getopt_long. */
static void all_long_opts(struct option *out, size_t max)
{
	size_t n = 0;
	for (const struct option *o = long_opts; o->name && n + 1 < max; o++)
		out[n++] = *o;
	for (int i = 0; tls_optdefs[i].name && n + 1 < max; i++)
		out[n++] = (struct option){ tls_optdefs[i].name,
					    tls_optdefs[i].has_arg ? required_argument : no_argument,
					    NULL, OPT_TLS + i };
	out[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* Parses a whole decimal number in [lo, hi] into *out. */
static bool parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

int config_parse(struct ferryd_config *cfg, int argc, char **argv, char *err, size_t errsz)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->max_clients = 1000;
	cfg->max_per_ip = 16;
	cfg->idle_timeout = 300;
	cfg->login_timeout = 30;
	cfg->log_target = LOG_TO_STDERR;
	cfg->action = CONFIG_SERVE;
	cfg->ban_after = 10;
	cfg->ban_window = 600;
	cfg->ban_time = 600;
	cfg->sandbox = true;
	int anon = -1;
	bool syslog_given = false;
	const char *root = NULL;
	const char *run_as = "nobody";
	int c;

	tls_options_init(&cfg->tls);
	struct option opts[sizeof long_opts / sizeof long_opts[0] + TLS_OPTS_MAX];
	all_long_opts(opts, sizeof opts / sizeof opts[0]);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:r:u:ivhV", opts, NULL)) != -1) {
		if (c >= OPT_TLS && c < OPT_TLS + TLS_OPTS_MAX) {
			if (tls_option(&cfg->tls, tls_optdefs[c - OPT_TLS].name, optarg, err, errsz) < 0)
				return 2;
			continue;
		}
		switch (c) {
		case 'l':
			if (!netopts_listen(cfg, optarg, err, errsz))
				return 2;
			break;
		case 'r': root = optarg; break;
		case 'u': cfg->users_file = xstrdup(optarg); break;
		case 'i': cfg->inetd = true; break;
		case 'v': cfg->verbose = true; break;
		case 'h': cfg->action = CONFIG_HELP; return 0;
		case 'V': cfg->action = CONFIG_VERSION; return 0;
		case OPT_HASH: cfg->action = CONFIG_HASH_PASSWORD; break;
		case OPT_SYSLOG: syslog_given = true; break;
		case OPT_RUN_AS: run_as = optarg; break;
		case OPT_ANON:
			if (strcmp(optarg, "ro") == 0) anon = ANON_RO;
			else if (strcmp(optarg, "rw") == 0) anon = ANON_RW;
			else if (strcmp(optarg, "off") == 0) anon = ANON_OFF;
			else if (strcmp(optarg, "upload") == 0) anon = ANON_UPLOAD;
			else {
				snprintf(err, errsz, "--anonymous takes ro, rw, upload or off, not '%s'",
					 optarg);
				return 2;
			}
			break;
		case OPT_MAX_CLIENTS:
			if (!parse_int(optarg, 1, 100000, &cfg->max_clients)) {
				snprintf(err, errsz, "--max-clients takes a number from 1 to 100000");
				return 2;
			}
			break;
		case OPT_MAX_PER_IP:
			if (!parse_int(optarg, 0, 100000, &cfg->max_per_ip)) {
				snprintf(err, errsz, "--max-per-ip takes a number from 0 to 100000");
				return 2;
			}
			break;
		case OPT_IDLE:
			if (!parse_int(optarg, 1, 86400, &cfg->idle_timeout)) {
				snprintf(err, errsz, "--idle-timeout takes seconds from 1 to 86400");
				return 2;
			}
			break;
		case OPT_PASV_PORTS: {
			char lo[8], hi[8];
			const char *dash = strchr(optarg, '-');
			size_t n = dash ? (size_t)(dash - optarg) : 0;
			if (dash == NULL || n == 0 || n >= sizeof lo || strlen(dash + 1) >= sizeof hi) {
				snprintf(err, errsz, "--pasv-ports takes LO-HI, e.g. 50000-50100");
				return 2;
			}
			memcpy(lo, optarg, n);
			lo[n] = '\0';
			strcpy(hi, dash + 1);
			if (!parse_int(lo, 1024, 65535, &cfg->pasv_lo) ||
			    !parse_int(hi, 1024, 65535, &cfg->pasv_hi) || cfg->pasv_lo > cfg->pasv_hi) {
				snprintf(err, errsz, "--pasv-ports: ports must be 1024-65535 with LO <= HI");
				return 2;
			}
			break;
		}
		case OPT_PASV_ADDR:
			if (!netopts_pasv_address(&cfg->pasv_address, optarg, "--pasv-address", err, errsz))
				return 2;
			break;
		/* Slow and hostile clients: session timing and pacing. */
		case OPT_LOGIN_TIMEOUT:
			if (!parse_int(optarg, 1, 86400, &cfg->login_timeout)) {
				snprintf(err, errsz, "--login-timeout takes seconds from 1 to 86400");
				return 2;
			}
			break;
		case OPT_MAX_RATE:
			if (!users_parse_rate(optarg, strlen(optarg), &cfg->max_rate)) {
				snprintf(err, errsz, "--max-rate takes bytes per second, e.g. 500000 or 2M");
				return 2;
			}
			break;
		case OPT_BAN_AFTER:
			if (!parse_int(optarg, 0, BAN_AFTER_MAX, &cfg->ban_after)) {
				snprintf(err, errsz, "--ban-after takes a number from 0 to %d", BAN_AFTER_MAX);
				return 2;
			}
			break;
		case OPT_BAN_WINDOW:
			if (!parse_int(optarg, 1, 604800, &cfg->ban_window)) {
				snprintf(err, errsz, "--ban-window takes seconds from 1 to 604800");
				return 2;
			}
			break;
		case OPT_BAN_TIME:
			if (!parse_int(optarg, 0, 604800, &cfg->ban_time)) {
				snprintf(err, errsz, "--ban-time takes seconds from 0 to 604800");
				return 2;
			}
			break;
		case OPT_NO_SANDBOX: cfg->sandbox = false; break;
		case OPT_NO_OVERWRITE: cfg->no_overwrite = true; break;
		case OPT_NO_DELETE: cfg->no_delete = true; break;
		/* Operations and several nodes (netopts.c). */
		case OPT_XFERLOG: free(cfg->xferlog); cfg->xferlog = xstrdup(optarg); break;
		case OPT_PROXY_PROTOCOL: cfg->proxy_protocol = true; break;
		case OPT_PROXY_FROM:
			if (!netopts_proxy_from(cfg, optarg, err, errsz))
				return 2;
			break;
		case OPT_METRICS:
			if (!netopts_metrics(cfg, optarg, err, errsz))
				return 2;
			break;
		case ':':
			snprintf(err, errsz, "option %s needs an argument", argv[optind - 1]);
			return 2;
		default:
			snprintf(err, errsz, "unknown option %s", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (cfg->action != CONFIG_SERVE)
		return 0;
	if (tls_options_finish(&cfg->tls, err, errsz) < 0 || !netopts_check(cfg, err, errsz))
		return 2;
	if (cfg->nlisten == 0)
		netaddr_parse_hostport("127.0.0.1", 2121, &cfg->listen[cfg->nlisten++]);

	char path[PATH_MAX];
	if (realpath(root ? root : ".", path) == NULL) {
		snprintf(err, errsz, "server root %s: %s", root ? root : ".", strerror(errno));
		return 1;
	}
	cfg->root = xstrdup(path);
	cfg->run_as = xstrdup(run_as);
	cfg->log_target = (syslog_given || cfg->inetd) ? LOG_TO_SYSLOG : LOG_TO_STDERR;
	if (cfg->users_file && !users_load(cfg->users_file, &cfg->users, err, errsz))
		return 1;
	cfg->anonymous = anon >= 0 ? (enum anon_mode)anon : cfg->users_file ? ANON_OFF : ANON_RO;
	return 0;
}

void config_free(struct ferryd_config *cfg)
{
	free(cfg->root);
	free(cfg->users_file);
	free(cfg->run_as);
	free(cfg->xferlog);
	users_free(&cfg->users);
	tls_options_free(&cfg->tls);
}
