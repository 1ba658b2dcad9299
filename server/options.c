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
#include "conffile.h"
#include "netopts.h"
#include "options.h"
#include "xalloc.h"

const char config_usage[] =
	"usage: ferryd [-f FILE] [-l ADDR[:PORT]]... [-r DIR] [-u USERSFILE] [--anonymous=MODE]\n"
	"              [--max-clients N] [--max-per-ip N] [--idle-timeout SEC]\n"
	"              [--pasv-ports LO-HI] [--pasv-address ADDR] [--run-as USER]\n"
	"              [--login-timeout SEC] [--max-rate BYTES]\n"
	"              [--ban-after N] [--ban-window SEC] [--ban-time SEC]\n"
	"              [--no-overwrite] [--no-delete] [--no-sandbox]\n"
	"              [--xferlog FILE] [--metrics ADDR:PORT]\n"
	"              [--proxy-protocol --proxy-from CIDR[,CIDR...]]\n"
	"              [--tls=off|on|required] [--tls-cert FILE] [--tls-key FILE]\n"
	"              [--implicit-tls] [--tls-session-reuse=required|optional]\n"
	"              [--syslog] [-i] [-v]\n"
	"       ferryd [-f FILE] [OPTION]... --check-config\n"
	"       ferryd --hash-password\n"
	"\n"
	"  -f, --config FILE     configuration file: key = value per line, the keys\n"
	"                        being the long options' names (default\n"
	"                        " FERRYD_CONF_DEFAULT ", if it exists);\n"
	"                        the command line overrides it\n"
	"  --check-config        check the configuration (files, certificate, root),\n"
	"                        print it as a configuration file and exit\n"
	"  -l, --listen ADDR[:PORT][,pasv-address=IP][,implicit-tls]\n"
	"                        listen address (repeatable; default 127.0.0.1:2121),\n"
	"                        with its own address for PASV replies, or TLS from\n"
	"                        the first byte (ftps://, port 990)\n"
	"  -r, --root DIR        server root (default: current directory)\n"
	"  -u, --users FILE      users file: name:crypt-hash[:home[:ro|rw]]\n"
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
	"  -i, --inetd           serve one session on stdin/stdout (inetd mode)\n"
	"  -v, --verbose         log a protocol trace (passwords masked)\n"
	"  --hash-password       read a password on stdin, print its crypt(3) hash\n"
	"  -h, --help            show this help;  -V, --version  show the version\n";

enum {
	OPT_ANON = 256, OPT_MAX_CLIENTS, OPT_MAX_PER_IP, OPT_IDLE, OPT_PASV_PORTS,
	OPT_PASV_ADDR, OPT_RUN_AS, OPT_SYSLOG, OPT_HASH,
	OPT_LOGIN_TIMEOUT, OPT_MAX_RATE,
	OPT_BAN_AFTER, OPT_BAN_WINDOW, OPT_BAN_TIME, OPT_NO_SANDBOX, OPT_NO_OVERWRITE,
	OPT_NO_DELETE, OPT_XFERLOG, OPT_METRICS, OPT_PROXY_PROTOCOL, OPT_PROXY_FROM,
	OPT_CHECK_CONFIG,
	OPT_TLS, /* OPT_TLS + i: tls_optdefs[i] */
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "root", required_argument, NULL, 'r' },
	{ "users", required_argument, NULL, 'u' },
	{ "inetd", no_argument, NULL, 'i' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "config", required_argument, NULL, 'f' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
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
/* The short options, for getopt_long. */
#define OPT_LETTERS ":f:l:r:u:ivhV"
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

/* Replaces the string *slot with a copy of s. */
static void replace(char **slot, const char *s)
{
	free(*slot);
	*slot = xstrdup(s);
}

/* Options that say how ferryd is invoked, not how it serves: never in
 * the configuration file. */
static bool cmdline_only(int c)
{
	return c == 'f' || c == 'i' || c == 'h' || c == 'V' || c == OPT_HASH ||
	       c == OPT_CHECK_CONFIG;
}

/* Keys the file may give more than once (one listener, one passive
 * address per family each). */
static bool repeatable(int c)
{
	return c == 'l' || c == OPT_PASV_ADDR;
}

/* Room for the whole option table (all_long_opts). */
#define OPTS_MAX (sizeof long_opts / sizeof long_opts[0] + TLS_OPTS_MAX)

/* Where parsing stands: what is settled only when everything is read. */
struct parse_state {
	struct option opts[OPTS_MAX]; /* the option table */
	int anon;                /* enum anon_mode, or -1 when not given */
	bool syslog;             /* --syslog */
	char *root;              /* -r as given, or NULL */
	char *run_as;            /* --run-as as given */
	unsigned lineno;         /* the file's line being applied; 0 = command line */
	unsigned root_line;      /* the file's line that set root; 0 = not the file */
	bool cmdline_listen;     /* a -l on the command line dropped the file's */
	unsigned first_line[OPTS_MAX]; /* where each key first was in the file */
	const char *path;        /* the file being read */
};

/* Applies option c (an id of the table above) with argument arg (NULL
 * for a flag). Returns 0, or 2 with a message in err. */
static int apply_option(struct ferryd_config *cfg, struct parse_state *st, int c,
			const char *arg, char *err, size_t errsz)
{
	if (c >= OPT_TLS && c < OPT_TLS + TLS_OPTS_MAX)
		return tls_option(&cfg->tls, tls_optdefs[c - OPT_TLS].name, arg, err, errsz) < 0 ? 2 : 0;
	switch (c) {
	case 'l':
		/* The command line's listeners replace the file's. */
		if (st->lineno == 0 && !st->cmdline_listen) {
			st->cmdline_listen = true;
			cfg->nlisten = 0;
		}
		if (!netopts_listen(cfg, arg, err, errsz))
			return 2;
		break;
	case 'r': replace(&st->root, arg); st->root_line = st->lineno; break;
	case 'u': replace(&cfg->users_file, arg); break;
	case 'i': cfg->inetd = true; break;
	case 'v': cfg->verbose = true; break;
	case 'h': cfg->action = CONFIG_HELP; break;
	case 'V': cfg->action = CONFIG_VERSION; break;
	case 'f': break;    /* read before everything else */
	case OPT_CHECK_CONFIG: cfg->action = CONFIG_CHECK; break;
	case OPT_HASH: cfg->action = CONFIG_HASH_PASSWORD; break;
	case OPT_SYSLOG: st->syslog = true; break;
	case OPT_RUN_AS: replace(&st->run_as, arg); break;
	case OPT_ANON:
		if (strcmp(arg, "ro") == 0) st->anon = ANON_RO;
		else if (strcmp(arg, "rw") == 0) st->anon = ANON_RW;
		else if (strcmp(arg, "off") == 0) st->anon = ANON_OFF;
		else if (strcmp(arg, "upload") == 0) st->anon = ANON_UPLOAD;
		else {
			snprintf(err, errsz, "--anonymous takes ro, rw, upload or off, not '%s'",
				 arg);
			return 2;
		}
		break;
	case OPT_MAX_CLIENTS:
		if (!parse_int(arg, 1, 100000, &cfg->max_clients)) {
			snprintf(err, errsz, "--max-clients takes a number from 1 to 100000");
			return 2;
		}
		break;
	case OPT_MAX_PER_IP:
		if (!parse_int(arg, 0, 100000, &cfg->max_per_ip)) {
			snprintf(err, errsz, "--max-per-ip takes a number from 0 to 100000");
			return 2;
		}
		break;
	case OPT_IDLE:
		if (!parse_int(arg, 1, 86400, &cfg->idle_timeout)) {
			snprintf(err, errsz, "--idle-timeout takes seconds from 1 to 86400");
			return 2;
		}
		break;
	case OPT_PASV_PORTS: {
		char lo[8], hi[8];
		const char *dash = strchr(arg, '-');
		size_t n = dash ? (size_t)(dash - arg) : 0;
		if (dash == NULL || n == 0 || n >= sizeof lo || strlen(dash + 1) >= sizeof hi) {
			snprintf(err, errsz, "--pasv-ports takes LO-HI, e.g. 50000-50100");
			return 2;
		}
		memcpy(lo, arg, n);
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
		if (!netopts_pasv_address(&cfg->pasv_address, arg, "--pasv-address", err, errsz))
			return 2;
		break;
	/* Slow and hostile clients: session timing and pacing. */
	case OPT_LOGIN_TIMEOUT:
		if (!parse_int(arg, 1, 86400, &cfg->login_timeout)) {
			snprintf(err, errsz, "--login-timeout takes seconds from 1 to 86400");
			return 2;
		}
		break;
	case OPT_MAX_RATE:
		if (!users_parse_rate(arg, strlen(arg), &cfg->max_rate)) {
			snprintf(err, errsz, "--max-rate takes bytes per second, e.g. 500000 or 2M");
			return 2;
		}
		break;
	case OPT_BAN_AFTER:
		if (!parse_int(arg, 0, BAN_AFTER_MAX, &cfg->ban_after)) {
			snprintf(err, errsz, "--ban-after takes a number from 0 to %d", BAN_AFTER_MAX);
			return 2;
		}
		break;
	case OPT_BAN_WINDOW:
		if (!parse_int(arg, 1, 604800, &cfg->ban_window)) {
			snprintf(err, errsz, "--ban-window takes seconds from 1 to 604800");
			return 2;
		}
		break;
	case OPT_BAN_TIME:
		if (!parse_int(arg, 0, 604800, &cfg->ban_time)) {
			snprintf(err, errsz, "--ban-time takes seconds from 0 to 604800");
			return 2;
		}
		break;
	case OPT_NO_SANDBOX: cfg->sandbox = false; break;
	case OPT_NO_OVERWRITE: cfg->no_overwrite = true; break;
	case OPT_NO_DELETE: cfg->no_delete = true; break;
	/* Operations and several nodes (netopts.c). */
	case OPT_XFERLOG: free(cfg->xferlog); cfg->xferlog = xstrdup(arg); break;
	case OPT_PROXY_PROTOCOL: cfg->proxy_protocol = true; break;
	case OPT_PROXY_FROM:
		if (!netopts_proxy_from(cfg, arg, err, errsz))
			return 2;
		break;
	case OPT_METRICS:
		if (!netopts_metrics(cfg, arg, err, errsz))
			return 2;
		break;
	default:
		snprintf(err, errsz, "unknown option");
		return 2;
	}
	return 0;
}

/* conffile callback: one "key = value" of the file. */
static bool file_setting(void *arg, const char *key, const char *value, unsigned lineno,
			 char *err, size_t errsz)
{
	struct ferryd_config *cfg = ((void **)arg)[0];
	struct parse_state *st = ((void **)arg)[1];
	int i = 0;
	while (st->opts[i].name && strcmp(st->opts[i].name, key) != 0)
		i++;
	const struct option *o = &st->opts[i];
	if (o->name == NULL) {
		snprintf(err, errsz, "unknown key '%s'", key);
		return false;
	}
	if (cmdline_only(o->val)) {
		snprintf(err, errsz, "'%s' belongs on the command line, not in the file", key);
		return false;
	}
	if (st->first_line[i] && !repeatable(o->val)) {
		snprintf(err, errsz, "%s given twice (first at line %u)", key, st->first_line[i]);
		return false;
	}
	st->first_line[i] = lineno;
	const char *optval = value;
	if (o->has_arg == no_argument) {
		if (strcmp(value, "no") == 0)
			return true;
		if (strcmp(value, "yes") != 0) {
			snprintf(err, errsz, "%s takes yes or no, not '%s'", key, value);
			return false;
		}
		optval = NULL;
	}
	st->lineno = lineno;
	int r = apply_option(cfg, st, o->val, optval, err, errsz);
	st->lineno = 0;
	return r == 0;
}

/* The file named by -f (or the default one, if it exists). */
static int read_file(struct ferryd_config *cfg, struct parse_state *st, int argc, char **argv,
		     char *err, size_t errsz)
{
	const char *path = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, OPT_LETTERS, st->opts, NULL)) != -1)
		if (c == 'f')
			path = optarg;
	cfg->config_file = xstrdup(path ? path : FERRYD_CONF_DEFAULT);
	st->path = cfg->config_file;
	void *ctx[2] = { cfg, st };
	enum conffile_status r = conffile_read(cfg->config_file, path == NULL, file_setting, ctx,
					       err, errsz);
	if (r == CONFFILE_OK && path == NULL && access(cfg->config_file, F_OK) != 0) {
		free(cfg->config_file);
		cfg->config_file = NULL;    /* the default file is not there */
	}
	return (int)r;
}

/* Settles what needs every option: the checks, the root, the users. */
static int finish(struct ferryd_config *cfg, struct parse_state *st, char *err, size_t errsz)
{
	if (cfg->action == CONFIG_HELP || cfg->action == CONFIG_VERSION ||
	    cfg->action == CONFIG_HASH_PASSWORD)
		return 0;
	if (tls_options_finish(&cfg->tls, err, errsz) < 0 || !netopts_check(cfg, err, errsz))
		return 2;
	if (cfg->nlisten == 0)
		netaddr_parse_hostport("127.0.0.1", 2121, &cfg->listen[cfg->nlisten++]);

	char path[PATH_MAX];
	const char *root = st->root ? st->root : ".";
	if (realpath(root, path) == NULL) {
		if (st->root_line)
			snprintf(err, errsz, "%s:%u: server root %s: %s", st->path, st->root_line, root,
				 strerror(errno));
		else
			snprintf(err, errsz, "server root %s: %s", root, strerror(errno));
		return 1;
	}
	cfg->root = xstrdup(path);
	cfg->run_as = xstrdup(st->run_as ? st->run_as : "nobody");
	cfg->log_target = (st->syslog || cfg->inetd) ? LOG_TO_SYSLOG : LOG_TO_STDERR;
	if (cfg->users_file && !users_load(cfg->users_file, &cfg->users, err, errsz))
		return 1;
	cfg->anonymous = st->anon >= 0 ? (enum anon_mode)st->anon
				       : cfg->users_file ? ANON_OFF : ANON_RO;
	return 0;
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
	tls_options_init(&cfg->tls);

	struct parse_state *st = xcalloc(1, sizeof *st);
	st->anon = -1;
	all_long_opts(st->opts, OPTS_MAX);
	int r = read_file(cfg, st, argc, argv, err, errsz);
	int c;
	optind = 0;
	opterr = 0;
	while (r == 0 && (c = getopt_long(argc, argv, OPT_LETTERS, st->opts, NULL)) != -1) {
		if (c == ':') {
			snprintf(err, errsz, "option %s needs an argument", argv[optind - 1]);
			r = 2;
		} else if (c == '?') {
			snprintf(err, errsz, "unknown option %s", argv[optind - 1]);
			r = 2;
		} else {
			r = apply_option(cfg, st, c, optarg, err, errsz);
		}
	}
	if (r == 0 && optind < argc) {
		snprintf(err, errsz, "unexpected argument '%s'", argv[optind]);
		r = 2;
	}
	if (r == 0)
		r = finish(cfg, st, err, errsz);
	free(st->root);
	free(st->run_as);
	free(st);
	return r;
}

void config_free(struct ferryd_config *cfg)
{
	free(cfg->root);
	free(cfg->users_file);
	free(cfg->run_as);
	free(cfg->xferlog);
	free(cfg->config_file);
	users_free(&cfg->users);
	tls_options_free(&cfg->tls);
}

/* Prints "key = addr" for each address of p that is set. */
static void print_pasv(FILE *out, const char *key, const struct pasv_addresses *p)
{
	char a[NETADDR_STRLEN];
	if (p->have_v4) {
		netaddr_ntop(&p->v4, false, a, sizeof a);
		fprintf(out, "%s = %s\n", key, a);
	}
	if (p->have_v6) {
		netaddr_ntop(&p->v6, false, a, sizeof a);
		fprintf(out, "%s = %s\n", key, a);
	}
}

/* Writes the value of option c into v (n bytes); false when unset. One
 * case per option the file may hold: -Wswitch-enum is not on, so a new
 * option without a case prints as unset, which the unit test sees. */
static bool option_text(const struct ferryd_config *cfg, const char *name, int c, char *v,
			size_t n)
{
	static const char *const anon_words[] = { "off", "ro", "rw", "upload" };
	if (c >= OPT_TLS && c < OPT_TLS + TLS_OPTS_MAX)
		return tls_option_text(&cfg->tls, name, v, n);
	switch (c) {
	case 'r': snprintf(v, n, "%s", cfg->root); return true;
	case 'u':
		if (!cfg->users_file)
			return false;
		snprintf(v, n, "%s", cfg->users_file);
		return true;
	case 'v': snprintf(v, n, "%s", cfg->verbose ? "yes" : "no"); return true;
	case OPT_ANON: snprintf(v, n, "%s", anon_words[cfg->anonymous]); return true;
	case OPT_MAX_CLIENTS: snprintf(v, n, "%d", cfg->max_clients); return true;
	case OPT_MAX_PER_IP: snprintf(v, n, "%d", cfg->max_per_ip); return true;
	case OPT_IDLE: snprintf(v, n, "%d", cfg->idle_timeout); return true;
	case OPT_LOGIN_TIMEOUT: snprintf(v, n, "%d", cfg->login_timeout); return true;
	case OPT_MAX_RATE: snprintf(v, n, "%lld", cfg->max_rate); return true;
	case OPT_PASV_PORTS:
		if (cfg->pasv_lo == 0)
			return false;
		snprintf(v, n, "%d-%d", cfg->pasv_lo, cfg->pasv_hi);
		return true;
	case OPT_RUN_AS: snprintf(v, n, "%s", cfg->run_as); return true;
	case OPT_SYSLOG:
		snprintf(v, n, "%s", cfg->log_target == LOG_TO_SYSLOG ? "yes" : "no");
		return true;
	case OPT_BAN_AFTER: snprintf(v, n, "%d", cfg->ban_after); return true;
	case OPT_BAN_WINDOW: snprintf(v, n, "%d", cfg->ban_window); return true;
	case OPT_BAN_TIME: snprintf(v, n, "%d", cfg->ban_time); return true;
	case OPT_NO_SANDBOX: snprintf(v, n, "%s", cfg->sandbox ? "no" : "yes"); return true;
	case OPT_NO_OVERWRITE: snprintf(v, n, "%s", cfg->no_overwrite ? "yes" : "no"); return true;
	case OPT_NO_DELETE: snprintf(v, n, "%s", cfg->no_delete ? "yes" : "no"); return true;
	case OPT_XFERLOG:
		if (!cfg->xferlog)
			return false;
		snprintf(v, n, "%s", cfg->xferlog);
		return true;
	case OPT_METRICS:
		if (!cfg->have_metrics)
			return false;
		netaddr_ntop(&cfg->metrics, true, v, n);
		return true;
	case OPT_PROXY_PROTOCOL:
		snprintf(v, n, "%s", cfg->proxy_protocol ? "yes" : "no");
		return true;
	case OPT_PROXY_FROM: {
		if (cfg->nproxy_from == 0)
			return false;
		size_t used = 0;
		v[0] = '\0';
		for (int i = 0; i < cfg->nproxy_from && used < n; i++) {
			char a[NETADDR_STRLEN];
			netaddr_ntop(&cfg->proxy_from[i].net, false, a, sizeof a);
			int w = snprintf(v + used, n - used, "%s%s/%d", i ? "," : "", a,
					 cfg->proxy_from[i].bits);
			used += w > 0 ? (size_t)w : 0;
		}
		return true;
	}
	default: return false;
	}
}

void config_print(const struct ferryd_config *cfg, FILE *out)
{
	struct option opts[OPTS_MAX];
	all_long_opts(opts, OPTS_MAX);
	if (cfg->config_file)
		fprintf(out, "# ferryd %s: %s and the command line\n", PACKAGE_VERSION,
			cfg->config_file);
	else
		fprintf(out, "# ferryd %s: the command line (no configuration file)\n",
			PACKAGE_VERSION);
	for (const struct option *o = opts; o->name; o++) {
		if (cmdline_only(o->val))
			continue;
		char v[CONFIG_MAX_PROXY_FROM * (NETADDR_STRLEN + 5) + 1];
		if (o->val == 'l') {
			for (int i = 0; i < cfg->nlisten; i++) {
				char a[NETADDR_STRLEN], p4[NETADDR_STRLEN], p6[NETADDR_STRLEN];
				const struct pasv_addresses *p = &cfg->listen_pasv[i];
				netaddr_ntop(&cfg->listen[i], true, a, sizeof a);
				netaddr_ntop(&p->v4, false, p4, sizeof p4);
				netaddr_ntop(&p->v6, false, p6, sizeof p6);
				fprintf(out, "listen = %s%s%s%s%s%s\n", a, p->have_v4 ? ",pasv-address=" : "",
					p->have_v4 ? p4 : "", p->have_v6 ? ",pasv-address=" : "",
					p->have_v6 ? p6 : "", cfg->listen_implicit[i] ? ",implicit-tls" : "");
			}
		} else if (o->val == OPT_PASV_ADDR) {
			if (!cfg->pasv_address.have_v4 && !cfg->pasv_address.have_v6)
				fprintf(out, "# %s =\n", o->name);
			print_pasv(out, o->name, &cfg->pasv_address);
		} else if (option_text(cfg, o->name, o->val, v, sizeof v)) {
			/* A '#' after a value would be part of it: notes go above. */
			if (o->val == 'u')
				fprintf(out, "# %zu accounts in:\n", cfg->users.n);
			fprintf(out, "%s = %s\n", o->name, v);
		} else {
			fprintf(out, "# %s =\n", o->name);
		}
	}
}
