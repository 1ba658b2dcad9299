/* main: the ferry program's entry. Reads the options, picks where the
 * commands come from (one function, main_mode), connects to the address
 * given, and runs the commands; everything else is the interpreter's
 * (cli.h, cli_run.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_run.h"
#include "cli/interrupt.h"
#include "tui/queue.h"
#include "tui/tui.h"

/* Where the commands come from. */
enum main_mode {
	MAIN_COMMANDS,  /* -c "CMD; CMD" */
	MAIN_BATCH,     /* -b FILE */
	MAIN_PIPE,      /* standard input, which is not a terminal */
	MAIN_PROMPT,    /* the interactive prompt on a terminal (-p, --cli) */
	MAIN_TUI,       /* the two-pane screen: a terminal on both stdin and stdout */
};

/* The options as given. */
struct main_opts {
	struct cli_options cli;  /* what the interpreter needs */
	const char *commands;    /* -c, or NULL */
	const char *batch;       /* -b, or NULL */
	const char *url;         /* the address operand, or NULL */
	bool prompt;             /* -p / --cli: the prompt, not the two-pane screen */
	int parallel;            /* --parallel N for the two-pane screen, 0 when not given */
};

static const char main_usage[] =
	"usage: ferry [-c \"CMD; CMD\" | -b FILE | -p] [-y] [-q] [-k] [-v] [-u USER[:PASS]]\n"
	"             [--timeout SEC] [--retry N] [--limit-rate RATE] [--min-rate RATE]\n"
	"             [--active] [--no-preserve] [--iac=on|off] [--json]\n"
	"             [--tls=auto|require|off]\n"
	"             [--ca-file FILE] [--trust-fingerprint SHA256:...] [--insecure]\n"
	"             [--tls-max 1.2|1.3] [--parallel N] [URL | @SITE]\n"
	"       URL = ftp://[user[:pass]@]host[:port][/path]  (also ftps://: implicit TLS,\n"
	"             port 990; ftpes://: TLS required); @SITE: a saved site\n"
	"Without -c or -b, a terminal gets the two-pane screen (-p or --cli: the\n"
	"command prompt instead; ? shows the keys) and other input is read as\n"
	"commands; type help at the prompt for them. See ferry(1).\n";

/* Long options without a letter. */
enum main_long_opt {
	MAIN_OPT_JSON = 256,  /* --json */
	MAIN_OPT_SETTING,     /* a setting: see main_settings */
	MAIN_OPT_PARALLEL,    /* --parallel N: the screen's copies at once */
};

/* Long options that set a setting (settings.h), and the value a flag gives. */
static const struct {
	const char *option;   /* --option */
	const char *setting;  /* the setting's name */
	const char *value;    /* the value of a flag; NULL: the option takes one */
} main_settings[] = {
	{ "timeout", "timeout", NULL },
	{ "retry", "retry", NULL },
	{ "limit-rate", "limit-rate", NULL },
	{ "min-rate", "min-rate", NULL },
	{ "active", "active", "on" },
	{ "passive", "active", "off" },
	{ "preserve", "preserve", "on" },
	{ "no-preserve", "preserve", "off" },
	{ "iac", "iac", NULL },
	{ "tls", "tls", NULL },
	{ "ca-file", "ca-file", NULL },
	{ "trust-fingerprint", "trust-fingerprint", NULL },
	{ "insecure", "insecure", "on" },
	{ "tls-max", "tls-max", NULL },
};
#define MAIN_NSETTINGS (sizeof main_settings / sizeof main_settings[0])

static const struct option main_long[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "cli", no_argument, NULL, 'p' },
	{ "json", no_argument, NULL, MAIN_OPT_JSON },
	{ "timeout", required_argument, NULL, MAIN_OPT_SETTING },
	{ "retry", required_argument, NULL, MAIN_OPT_SETTING },
	{ "limit-rate", required_argument, NULL, MAIN_OPT_SETTING },
	{ "min-rate", required_argument, NULL, MAIN_OPT_SETTING },
	{ "active", no_argument, NULL, MAIN_OPT_SETTING },
	{ "passive", no_argument, NULL, MAIN_OPT_SETTING },
	{ "preserve", no_argument, NULL, MAIN_OPT_SETTING },
	{ "no-preserve", no_argument, NULL, MAIN_OPT_SETTING },
	{ "iac", required_argument, NULL, MAIN_OPT_SETTING },
	{ "tls", required_argument, NULL, MAIN_OPT_SETTING },
	{ "ca-file", required_argument, NULL, MAIN_OPT_SETTING },
	{ "trust-fingerprint", required_argument, NULL, MAIN_OPT_SETTING },
	{ "insecure", no_argument, NULL, MAIN_OPT_SETTING },
	{ "tls-max", required_argument, NULL, MAIN_OPT_SETTING },
	{ "parallel", required_argument, NULL, MAIN_OPT_PARALLEL },
	{ NULL, 0, NULL, 0 },
};

/* Applies the long option main_long[index] (with optarg) to the settings.
 * Returns -1, or FERRY_EXIT_USAGE having said what is wrong. */
static int main_setting(struct main_opts *o, int index)
{
	const char *name = main_long[index].name;
	for (size_t i = 0; i < MAIN_NSETTINGS; i++) {
		if (strcmp(main_settings[i].option, name) != 0)
			continue;
		const char *value = main_settings[i].value ? main_settings[i].value : optarg;
		const char *err = settings_set(&o->cli.settings, main_settings[i].setting, value);
		if (err == NULL)
			return -1;
		cli_error(NULL, "--%s %s: %s", name, value ? value : "", err);
		return FERRY_EXIT_USAGE;
	}
	cli_error(NULL, "unknown option --%s", name);
	return FERRY_EXIT_USAGE;
}

/* Reads argv into o. Returns -1 to go on, or the exit status to end with
 * (after --help, --version or a usage error, which it reports). */
static int main_parse(int argc, char **argv, struct main_opts *o)
{
	int ch, index, done;

	memset(o, 0, sizeof *o);
	settings_init(&o->cli.settings);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:b:yqkvu:phV", main_long, &index)) != -1) {
		switch (ch) {
		case MAIN_OPT_JSON: o->cli.json = true; break;
		case MAIN_OPT_SETTING:
			if ((done = main_setting(o, index)) >= 0)
				return done;
			break;
		case MAIN_OPT_PARALLEL:
			if ((o->parallel = queue_parse_parallel(optarg)) < 0) {
				cli_error(NULL, "--parallel %s: give a number from 1 to %d", optarg,
					  QUEUE_PARALLEL_MAX);
				return FERRY_EXIT_USAGE;
			}
			break;
		case 'c': o->commands = optarg; break;
		case 'b': o->batch = optarg; break;
		case 'y': o->cli.yes = true; break;
		case 'q': o->cli.quiet = true; break;
		case 'k': o->cli.keep_going = true; break;
		case 'v': o->cli.verbose = true; break;
		case 'u': o->cli.user = optarg; break;
		case 'p': o->prompt = true; break;
		case 'h':
			fputs(main_usage, stdout);
			return FERRY_EXIT_OK;
		case 'V':
			puts(PACKAGE_STRING);
			return FERRY_EXIT_OK;
		case ':':
			if (optopt == 0 || optopt >= MAIN_OPT_JSON)
				cli_error(NULL, "option %s needs an argument", argv[optind - 1]);
			else
				cli_error(NULL, "option -%c needs an argument", optopt);
			fputs(main_usage, stderr);
			return FERRY_EXIT_USAGE;
		default:
			if (optopt != 0)
				cli_error(NULL, "unknown option -%c", optopt);
			else
				cli_error(NULL, "unknown option %s", argv[optind - 1]);
			fputs(main_usage, stderr);
			return FERRY_EXIT_USAGE;
		}
	}
	if (o->commands != NULL && o->batch != NULL) {
		cli_error(NULL, "-c and -b cannot be used together");
		return FERRY_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		cli_error(NULL, "one address at most (got %d)", argc - optind);
		fputs(main_usage, stderr);
		return FERRY_EXIT_USAGE;
	}
	o->url = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* Chooses where the commands come from: the one place that decides
 * between a script and an interactive front end. */
static enum main_mode main_mode(const struct main_opts *o)
{
	if (o->commands != NULL)
		return MAIN_COMMANDS;
	if (o->batch != NULL)
		return MAIN_BATCH;
	if (!isatty(STDIN_FILENO))
		return MAIN_PIPE;
	return o->prompt || !isatty(STDOUT_FILENO) ? MAIN_PROMPT : MAIN_TUI;
}

/* Runs -b FILE ("-" is standard input). */
static enum ferry_exit main_batch(struct cli *c, const char *path)
{
	if (strcmp(path, "-") == 0)
		return cli_run_file(c, stdin, "-");
	FILE *fp = fopen(path, "re");
	if (fp == NULL) {
		cli_error(path, "%s", strerror(errno));
		return FERRY_EXIT_LOCAL;
	}
	enum ferry_exit code = cli_run_file(c, fp, path);
	fclose(fp);
	return code;
}

/* Connects to the address given (if any), then runs the commands. */
static enum ferry_exit main_run(struct cli *c, const struct main_opts *o, enum main_mode mode)
{
	enum ferry_exit code = FERRY_EXIT_OK;

	if (o->url != NULL) {
		bool fetched;
		code = cli_open_start(c, o->url, mode == MAIN_PROMPT, &fetched);
		if (fetched || (code != FERRY_EXIT_OK && mode != MAIN_PROMPT && !o->cli.keep_going))
			return code;
		if (interrupt_pending() && mode != MAIN_PROMPT)
			return FERRY_EXIT_DECLINED;   /* Ctrl-C stops a script, also with -k */
	}
	enum ferry_exit run = FERRY_EXIT_OK;
	switch (mode) {
	case MAIN_COMMANDS:
		run = cli_run_text(c, o->commands, "-c");
		break;
	case MAIN_BATCH:
		run = main_batch(c, o->batch);
		break;
	case MAIN_PIPE:
		run = cli_run_file(c, stdin, "stdin");
		break;
	case MAIN_PROMPT:
	case MAIN_TUI:
		run = cli_run_prompt(c);
		break;
	}
	return run != FERRY_EXIT_OK ? run : code;
}

/* Gives standard input, output and error a descriptor each when ferry
 * was started without them, so no connection or file opened later takes
 * their numbers (a control connection on descriptor 1 would get listings
 * and downloads as commands). /dev/null opened for reading: reads find
 * the end, writes fail (EBADF) as they would on the closed descriptor. */
static void main_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", O_RDONLY);
		if (nfd < 0)
			_exit(FERRY_EXIT_LOCAL);
		if (nfd != fd) {
			/* A lower descriptor was closed too and took it. */
			if (dup2(nfd, fd) < 0)
				_exit(FERRY_EXIT_LOCAL);
			close(nfd);
		}
	}
}

int main(int argc, char **argv)
{
	struct main_opts o;

	main_std_fds();
	int done = main_parse(argc, argv, &o);
	if (done >= 0)
		return done;
	enum main_mode mode = main_mode(&o);
	if (mode == MAIN_TUI) {
		struct tui_options t = { .url = o.url, .user = o.cli.user, .settings = o.cli.settings,
					 .parallel = o.parallel };
		return (int)tui_run(&t);
	}
	interrupt_install();
	/* TLS writes with write(2): a closed connection must be an error,
	 * not a signal that ends the program. */
	signal(SIGPIPE, SIG_IGN);
	struct cli *c = cli_new(&o.cli, mode == MAIN_PROMPT);
	enum ferry_exit code = main_run(c, &o, mode);
	cli_free(c);
	return (int)code;
}
