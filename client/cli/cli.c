/* cli: the command table, the dispatcher and the reporting helpers (see
 * cli.h). The table is the only list of commands: dispatch looks words up
 * in it, checks options and operand counts against it, and help prints
 * it. Handlers live in cli_conn.c, cli_cmds.c, cli_list.c, cli_xfer.c. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_private.h"
#include "cmdline.h"
#include "interrupt.h"
#include "prompt.h"
#include "sanitize.h"
#include "xalloc.h"

/* Most aliases a command has. */
#define CLI_ALIASES_MAX 4
/* Column where help text starts in the command list. */
#define CLI_HELP_COLUMN 37

/* What a command needs. */
enum cli_flags {
	CLI_REMOTE = 1 << 0,  /* talks to the server: refused before any open */
	CLI_OWN_OPTS = 1 << 1,  /* reads its own (long) options: every word is an operand */
};

/* One command. */
struct cli_command {
	const char *name;                          /* the classic word */
	const char *aliases[CLI_ALIASES_MAX + 1];  /* other words, NULL-terminated */
	cli_handler *run;                          /* the handler */
	const char *opts;                          /* option letters it takes */
	const char *longs;                         /* long options it takes ("parallel verify") */
	int min_args, max_args;                    /* operands after the options */
	unsigned flags;                            /* CLI_* */
	const char *usage;                         /* synopsis, as help prints it */
	const char *help;                          /* what it does, a few words for the list */
	const char *detail;                        /* what it does in full, for help COMMAND */
};

static cli_handler cli_cmd_help;

/* Every command, in the order help lists them. */
static const struct cli_command cli_commands[] = {
	{ .name = "connme", .aliases = { "open" }, .run = cli_cmd_open, .max_args = 2,
	  .usage = "connme [URL | HOST [PORT]]", .help = "connect and log in",
	  .detail = "Connects to an ftp:// URL, or to HOST on PORT (default 21), and logs in\n"
		    "with the credentials of -u, else of the URL, with a missing password\n"
		    "from ~/.netrc or a prompt (anonymous when no user is named). A path in\n"
		    "the URL is entered. Without an argument, connects to the last server again." },
	{ .name = "ls", .aliases = { "dir" }, .run = cli_cmd_ls, .opts = "l1", .max_args = 1,
	  .flags = CLI_REMOTE, .usage = "ls [-l | -1] [PATH]", .help = "list a remote directory",
	  .detail = "Lists PATH (default: the remote directory; a file: that file), one entry\n"
		    "a line: type and permissions, size in bytes, date and time (local time),\n"
		    "name; a symbolic link shows \"-> target\" when the server tells.\n"
		    "  -l  that long form (the default)\n"
		    "  -1  names only\n"
		    "With --json, one line: {\"path\": ..., \"entries\": [...]}." },
	{ .name = "cd", .run = cli_cmd_cd, .min_args = 1, .max_args = 1, .flags = CLI_REMOTE,
	  .usage = "cd DIR", .help = "change the remote directory",
	  .detail = "Changes the remote directory; \"cd ..\" goes to the parent." },
	{ .name = "pwd", .run = cli_cmd_pwd, .flags = CLI_REMOTE,
	  .usage = "pwd", .help = "print the remote directory",
	  .detail = "Prints the remote directory as the server names it." },
	{ .name = "lcd", .run = cli_cmd_lcd, .max_args = 1,
	  .usage = "lcd [DIR]", .help = "change the local directory",
	  .detail = "Changes the local directory, where downloads go and uploads come\n"
		    "from; without DIR, to the home directory." },
	{ .name = "lpwd", .run = cli_cmd_lpwd,
	  .usage = "lpwd", .help = "print the local directory",
	  .detail = "Prints the local directory." },
	{ .name = "lls", .run = cli_cmd_lls, .opts = "l1", .max_args = 1,
	  .usage = "lls [-l | -1] [PATH]", .help = "list a local directory",
	  .detail = "Lists a local directory (default: the current one) as ls does." },
	{ .name = "size", .run = cli_cmd_size, .min_args = 1, .max_args = 1, .flags = CLI_REMOTE,
	  .usage = "size FILE", .help = "print a remote file's size",
	  .detail = "Prints the size of a remote file in bytes and in MB (1048576 bytes):\n"
		    "\"s.bin: 3145733 bytes (3.00 MB)\"." },
	{ .name = "download", .aliases = { "get" }, .run = cli_cmd_get, .opts = "crpL",
	  .longs = "parallel segments verify follow-links",
	  .min_args = 1, .max_args = 2, .flags = CLI_REMOTE,
	  .usage = "download [-c] [-r [-L]] [-p] [--parallel N] [--segments N] [--verify] REMOTE "
		   "[LOCAL]",
	  .help = "fetch a file or pattern (-r: a tree)",
	  .detail = "Copies REMOTE to LOCAL (default: its last name here; into LOCAL when\n"
		    "that is a directory; \"-\" is standard output; a device or pipe is\n"
		    "written through; a symbolic link is followed). The file arrives under a\n"
		    "temporary name and takes its real name only when complete, with the\n"
		    "server's modification time. An existing file is replaced only when\n"
		    "confirmed (or with -y). A REMOTE with * ? or [..] in its last part\n"
		    "copies every match into LOCAL (a directory) or here.\n"
		    "  -c  resume: continue a partial LOCAL from its size\n"
		    "  -r  copy the directory tree REMOTE\n"
		    "  -L, --follow-links  with -r: copy each symbolic link as what it leads\n"
		    "      to (a file, a folder and what is in it); one leading back to a\n"
		    "      folder the copy is in is skipped, as is one leading nowhere (exit 5)\n"
		    "  -p  keep the server's time even with set preserve off\n"
		    "  --parallel N  with -r: N files at once over N connections\n"
		    "  --segments N  one file over N connections (REST ranges), resumable\n"
		    "  --verify      compare HASH (or SIZE) after each file: exit 7 when they\n"
		    "                differ, and no file under the real name" },
	{ .name = "upload", .aliases = { "put" }, .run = cli_cmd_put, .opts = "crp",
	  .longs = "parallel verify",
	  .min_args = 1, .max_args = 2, .flags = CLI_REMOTE,
	  .usage = "upload [-c] [-r] [-p] [--parallel N] [--verify] LOCAL [REMOTE]",
	  .help = "send a file or pattern (-r: a tree)",
	  .detail = "Copies LOCAL to the server as REMOTE (default: its last name in the\n"
		    "remote directory), setting its modification time where the server\n"
		    "offers MFMT. A LOCAL with * ? or [..] in its last part copies every\n"
		    "match into the remote directory REMOTE, or the current one.\n"
		    "  -c  resume: continue from the size of the remote file\n"
		    "  -r  copy the directory tree LOCAL, making directories as needed\n"
		    "  -p  set the time even with set preserve off\n"
		    "  --parallel N  with -r: N files at once over N connections\n"
		    "  --verify      compare HASH (or SIZE) after each file: exit 7 when they\n"
		    "                differ, and the remote copy deleted" },
	{ .name = "mirror", .run = cli_cmd_mirror, .min_args = 2, .max_args = CMDLINE_MAX_WORDS,
	  .flags = CLI_REMOTE | CLI_OWN_OPTS,
	  .usage = "mirror [-R] [--delete] [--dry-run] [OPTION]... SRC DST",
	  .help = "make a local tree match a remote one (-R: the other way)",
	  .detail = "Makes the local directory DST match the remote directory SRC (with -R,\n"
		    "the remote DST match the local SRC): copies what is missing, replaces\n"
		    "files that differ, and prints one line per entry (copy, replace, delete\n"
		    "or skip, with the reason), then a summary. Files are compared by size\n"
		    "and modification time; a second run on an unchanged tree copies nothing.\n"
		    "  -R, --reverse   upload: the local SRC to the remote DST\n"
		    "  --delete        delete what is only in DST (asked once on a terminal)\n"
		    "  -n, --dry-run   print the plan and change nothing\n"
		    "  --parallel N    N files at once over N connections (default 4, at most 16)\n"
		    "  --newer         replace only files whose source is newer\n"
		    "  --size-only     compare sizes only\n"
		    "  --checksum      compare by HASH where the server offers it (else by size\n"
		    "                  and time, with a note)\n"
		    "  --verify        check each copy as get --verify does\n"
		    "  --include GLOB  copy only files whose name matches (repeatable)\n"
		    "  --exclude GLOB  leave out (and never delete) what matches (repeatable)\n"
		    "A GLOB with '/' is matched against the path below SRC, else the last name.\n"
		    "Exit status 5 when the server refused something, 6 for a local error." },
	{ .name = "rm", .aliases = { "delete" }, .run = cli_cmd_rm, .opts = "r", .min_args = 1,
	  .max_args = CMDLINE_MAX_WORDS, .flags = CLI_REMOTE, .usage = "rm [-r] FILE...",
	  .help = "delete remote files (-r: trees)",
	  .detail = "Deletes remote files, after one question for all of them (\"Delete\n"
		    "FILE? [y/N]\", or the list, then \"Delete these N? [y/N]\") on a\n"
		    "terminal; without a terminal only with -y. A FILE with * ? or [..] in\n"
		    "its last part names every match.\n"
		    "  -r  delete directories with everything in them (links are deleted,\n"
		    "      never followed)" },
	{ .name = "mkdir", .run = cli_cmd_mkdir, .min_args = 1, .max_args = 1, .flags = CLI_REMOTE,
	  .usage = "mkdir DIR", .help = "make a remote directory",
	  .detail = "Makes a remote directory." },
	{ .name = "rmdir", .run = cli_cmd_rmdir, .min_args = 1, .max_args = 1, .flags = CLI_REMOTE,
	  .usage = "rmdir DIR", .help = "remove a remote directory",
	  .detail = "Removes an empty remote directory." },
	{ .name = "rename", .aliases = { "mv" }, .run = cli_cmd_rename, .min_args = 2,
	  .max_args = 2, .flags = CLI_REMOTE, .usage = "rename FROM TO",
	  .help = "rename or move a remote file",
	  .detail = "Renames or moves a remote file or directory. A TO that exists is\n"
		    "replaced only after \"Replace TO? [y/N]\" on a terminal, or with -y." },
	{ .name = "set", .run = cli_cmd_set, .max_args = 2,
	  .usage = "set [NAME [VALUE]]", .help = "show or change a setting",
	  .detail = "Without arguments, lists the settings with their values; with NAME,\n"
		    "shows one; with NAME VALUE, changes it for the rest of the session:\n"
		    "  active on|off       active mode: the server connects back (EPRT/PORT)\n"
		    "  timeout SECONDS     longest wait to connect or for the server (30)\n"
		    "  retry N             retries after a failed connect or a broken transfer\n"
		    "  limit-rate RATE     most bytes per second, with K, M or G (0: no limit)\n"
		    "  min-rate RATE       fewest bytes per second over each timeout; slower\n"
		    "                      transfers are broken off (0: no bound, the default)\n"
		    "  preserve on|off     keep the server's file times (uploads: with MFMT)\n"
		    "  iac on|off          send 0xFF in names doubled (RFC 854); off for servers\n"
		    "                      that read it literally (vsftpd, pure-ftpd, pyftpdlib)\n"
		    "The options --active, --timeout, --retry, --limit-rate, --min-rate,\n"
		    "--no-preserve and --iac give the starting values." },
	{ .name = "ascii", .run = cli_cmd_ascii, .flags = CLI_REMOTE,
	  .usage = "ascii", .help = "transfer text: line ends converted",
	  .detail = "Transfers in the ASCII type (TYPE A) from now on: lines end in CR LF on\n"
		    "the wire and in LF here. Resuming (-c) needs binary." },
	{ .name = "binary", .run = cli_cmd_binary, .flags = CLI_REMOTE,
	  .usage = "binary", .help = "transfer bytes as they are (the default)",
	  .detail = "Transfers in the binary type (TYPE I) from now on: every byte as it is." },
	{ .name = "quote", .run = cli_cmd_quote, .min_args = 1, .max_args = CMDLINE_MAX_WORDS,
	  .flags = CLI_REMOTE, .usage = "quote COMMAND...", .help = "send a raw FTP command",
	  .detail = "Sends COMMAND (its words joined by spaces) as it is and prints the whole\n"
		    "reply. Only for commands without a data connection (STAT, SITE HELP,\n"
		    "HELP, ...). A 4xx or 5xx reply is a failure (status 5)." },
	{ .name = "site", .run = cli_cmd_site, .min_args = 1, .max_args = CMDLINE_MAX_WORDS,
	  .flags = CLI_REMOTE, .usage = "site COMMAND...", .help = "send a SITE command",
	  .detail = "Sends SITE COMMAND and prints the whole reply, as quote does." },
	{ .name = "chmod", .run = cli_cmd_chmod, .min_args = 2, .max_args = 2, .flags = CLI_REMOTE,
	  .usage = "chmod MODE FILE", .help = "change a remote file's mode",
	  .detail = "Changes the permissions of a remote file with SITE CHMOD; MODE is octal\n"
		    "(644, 0755). Servers that do not offer SITE CHMOD refuse it (status 5)." },
	{ .name = "help", .aliases = { "?" }, .run = cli_cmd_help, .max_args = 1,
	  .usage = "help [COMMAND]", .help = "list the commands, or explain one",
	  .detail = "Lists the commands, or shows one in full." },
	{ .name = "byebye", .aliases = { "bye", "quit", "exit" }, .run = cli_cmd_bye,
	  .usage = "byebye", .help = "log out and leave",
	  .detail = "Logs out and leaves ferry; commands after it are not run." },
};
#define CLI_NCOMMANDS (sizeof cli_commands / sizeof cli_commands[0])

bool cli_interrupted(void *arg)
{
	(void)arg;
	return interrupt_pending();
}

/* Writes the protocol trace on stderr (-v). */
static void cli_trace(void *arg, enum ftp_trace_kind kind, const char *text)
{
	static const char *const marks[] = {
		[FTP_TRACE_SENT] = "-->",
		[FTP_TRACE_RECEIVED] = "<--",
		[FTP_TRACE_INFO] = "---",
	};
	(void)arg;
	fprintf(stderr, "%s %s\n", marks[kind], text);
}

struct cli *cli_new(const struct cli_options *o, bool interactive)
{
	struct cli *c = xcalloc(1, sizeof *c);

	c->opt = *o;
	c->ftp = ftp_new();
	c->interactive = interactive;
	c->ask = isatty(STDIN_FILENO) && !o->yes;
	c->bars = isatty(STDERR_FILENO) && !o->quiet;
	c->umask = umask(0);
	umask(c->umask);
	sbuf_init(&c->what, CLI_WHAT_MAX);
	if (o->verbose)
		ftp_set_trace(c->ftp, cli_trace, NULL);
	settings_apply(&c->opt.settings, c->ftp);
	ftp_set_interrupt(c->ftp, cli_interrupted, NULL);
	cli_tls_setup(c);
	return c;
}

void cli_free(struct cli *c)
{
	if (c == NULL)
		return;
	if (ftp_connected(c->ftp))
		ftp_quit(c->ftp);
	ftp_free(c->ftp);
	free(c->last_target);
	creds_free(&c->login);
	free(c->login_host);
	free(c->login_scheme);
	sbuf_free(&c->what);
	free(c);
}

bool cli_finished(const struct cli *c)
{
	return c->finished;
}

/* The whole text fmt gives, prefixed by "what: " unless what is NULL or
 * empty; the caller frees it. */
static char *cli_vformat(const char *what, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return xstrdup(fmt);
	size_t pre = (what != NULL && what[0] != '\0') ? strlen(what) + 2 : 0;
	char *text = xmalloc(pre + (size_t)n + 1);
	if (pre > 0)
		snprintf(text, pre + 1, "%s: ", what);
	vsnprintf(text + pre, (size_t)n + 1, fmt, ap);
	return text;
}

/* Writes text as one line on stderr, after prefix: sanitised, and when
 * too long its start and end kept around "..." (a message about a long
 * name still ends in its reason). */
static void cli_line(const char *prefix, const char *text)
{
	char clean[CLI_MSG_MAX + CLI_WHAT_MAX];

	sanitize_text_elided(text, strlen(text), clean, sizeof clean, sizeof clean - 1);
	fflush(stdout);
	fprintf(stderr, "%s%s\n", prefix, clean);
}

/* cli_error with its arguments in ap. */
static void cli_verror(const char *what, const char *fmt, va_list ap)
{
	char *text = cli_vformat(what, fmt, ap);
	cli_line("ferry: ", text);
	free(text);
}

void cli_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(what, fmt, ap);
	va_end(ap);
}

enum ferry_exit cli_fail(struct cli *c, enum ferry_exit code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(sbuf_str(&c->what), fmt, ap);
	va_end(ap);
	return code;
}

enum ferry_exit cli_fail_ftp(struct cli *c, enum ftp_status st, const char *name)
{
	const char *msg = ftp_message_or_status(c->ftp, st);
	enum ferry_exit code = ferry_exit_from_status(st);
	if (name != NULL)
		cli_fail(c, code, "%s: %s", name, msg);
	else
		cli_fail(c, code, "%s", msg);
	if (st == FTP_S_TLS)
		cli_tls_detail(c);
	return code;
}

enum ferry_exit cli_fail_errno(struct cli *c, int err, const char *name)
{
	return cli_fail(c, FERRY_EXIT_LOCAL, "%s: %s", name, strerror(err));
}

enum ferry_exit cli_confirm(struct cli *c, const char *question, const char *refusal)
{
	char clean[CLI_MSG_MAX];

	if (c->opt.yes)
		return FERRY_EXIT_OK;
	if (!c->ask)
		return cli_fail(c, FERRY_EXIT_DECLINED, "%s (no terminal to ask: use -y)", refusal);
	sanitize_text(question, strlen(question), clean, sizeof clean);
	if (prompt_confirm(clean))
		return FERRY_EXIT_OK;
	return cli_fail(c, FERRY_EXIT_DECLINED, "%s", refusal);
}

/* Writes one formatted line, sanitised, on stderr. */
static void cli_vtell(const char *fmt, va_list ap)
{
	char *text = cli_vformat(NULL, fmt, ap);
	cli_line("", text);
	free(text);
}

void cli_note(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->opt.quiet)
		return;
	va_start(ap, fmt);
	cli_vtell(fmt, ap);
	va_end(ap);
}

void cli_tell(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vtell(fmt, ap);
	va_end(ap);
}

void cli_print(const char *text)
{
	char clean[CLI_MSG_MAX + PATH_LEN_MAX];
	sanitize_text(text, strlen(text), clean, sizeof clean);
	puts(clean);
}

void cli_set_what(struct cli *c, const char *what)
{
	sbuf_reset(&c->what);
	sbuf_puts(&c->what, what);
}

/* Finds a command by its name or an alias; NULL if there is none. */
static const struct cli_command *cli_find(const char *word)
{
	for (size_t i = 0; i < CLI_NCOMMANDS; i++) {
		const struct cli_command *cmd = &cli_commands[i];
		if (strcmp(cmd->name, word) == 0)
			return cmd;
		for (size_t j = 0; cmd->aliases[j] != NULL; j++)
			if (strcmp(cmd->aliases[j], word) == 0)
				return cmd;
	}
	return NULL;
}

/* Cuts c->what back to len bytes and adds as much of word (quoted) as
 * fits, at a character boundary, followed by "..." (which takes the end
 * of the words before when not even it fits after them). */
static void cli_remember_cut(struct cli *c, size_t len, bool space, const char *word)
{
	struct sbuf q;
	const char *more = "...";

	c->what.len = len;
	if (c->what.data != NULL)
		c->what.data[len] = '\0';
	sbuf_init(&q, 4 * strlen(word) + 3);
	if (!cmdline_quote(word, &q))
		sbuf_reset(&q);
	size_t room = c->what.max - len;
	size_t need = (space ? 1 : 0) + strlen(more);
	if (room >= need) {
		size_t n = room - need < q.len ? room - need : q.len;
		while (n > 0 && n < q.len && ((unsigned char)q.data[n] & 0xc0) == 0x80)
			n--;
		if (space)
			sbuf_puts(&c->what, " ");
		sbuf_append(&c->what, sbuf_str(&q), n);
	} else {
		/* No room even for the mark: the words before give way to it. */
		len = c->what.max - strlen(more);
		while (len > 0 && ((unsigned char)c->what.data[len] & 0xc0) == 0x80)
			len--;
		c->what.len = len;
		c->what.data[len] = '\0';
	}
	sbuf_puts(&c->what, more);
	sbuf_free(&q);
}

/* Keeps the command's words, quoted as typed, for messages. A word that
 * would not fit is shortened and ends in "...", and the words after it
 * are left out. */
static void cli_remember(struct cli *c, int argc, char **argv)
{
	sbuf_reset(&c->what);
	for (int i = 0; i < argc; i++) {
		size_t before = c->what.len;
		if ((i == 0 || sbuf_puts(&c->what, " ")) && cmdline_quote(argv[i], &c->what))
			continue;
		cli_remember_cut(c, before, i > 0, argv[i]);
		break;
	}
}

/* True when the word list words holds word. */
static bool cli_has_word(const char *words, const char *word, size_t n)
{
	for (const char *w = words; w != NULL && *w != '\0';) {
		size_t len = strcspn(w, " ");
		if (len == n && strncmp(w, word, n) == 0)
			return true;
		w += len;
		w += strspn(w, " ");
	}
	return false;
}

/* Takes one long option (argv[*i], "--name" or "--name=VALUE") into a,
 * its value from the next word when it needs one. */
static enum ferry_exit cli_long_option(struct cli *c, const struct cli_command *cmd, int argc,
				       char **argv, int *i, struct cli_args *a)
{
	const char *name = argv[*i] + 2;
	size_t n = strcspn(name, "=");
	const char *value = name[n] == '=' ? name + n + 1 : NULL;

	if (!cli_has_word(cmd->longs, name, n))
		return cli_fail(c, FERRY_EXIT_USAGE, "unknown option %s; usage: %s", argv[*i],
				cmd->usage);
	if (n == strlen("verify") && strncmp(name, "verify", n) == 0 && value == NULL) {
		a->verify = true;
		return FERRY_EXIT_OK;
	}
	if (n == strlen("follow-links") && strncmp(name, "follow-links", n) == 0 &&
	    value == NULL) {
		a->follow = true;
		return FERRY_EXIT_OK;
	}
	if (value == NULL && *i + 1 < argc)
		value = argv[++*i];
	int v = value != NULL ? cli_parse_connections(value) : -1;
	if (v < 0)
		return cli_fail(c, FERRY_EXIT_USAGE, "--%.*s takes a number from 1 to %d", (int)n,
				name, CLI_CONNECTIONS_MAX);
	if (name[0] == 'p')
		a->parallel = v;
	else
		a->segments = v;
	return FERRY_EXIT_OK;
}

/* Takes the options off argv (after argv[0]) into a, checking them
 * against cmd. Returns FERRY_EXIT_OK or a usage error (printed). */
static enum ferry_exit cli_options(struct cli *c, const struct cli_command *cmd, int argc,
				 char **argv, struct cli_args *a)
{
	int i = 1;

	a->opts = 0;
	a->parallel = a->segments = 0;
	a->verify = a->follow = false;
	for (; !(cmd->flags & CLI_OWN_OPTS) && i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][1] == '-') {
			enum ferry_exit code = cli_long_option(c, cmd, argc, argv, &i, a);
			if (code != FERRY_EXIT_OK)
				return code;
			continue;
		}
		for (const char *o = argv[i] + 1; *o != '\0'; o++) {
			if (*o == 'L' && cmd->opts != NULL && strchr(cmd->opts, 'L') != NULL) {
				a->follow = true;   /* the one upper-case option */
				continue;
			}
			if (cmd->opts == NULL || !((*o >= 'a' && *o <= 'z') || *o == '1') ||
			    strchr(cmd->opts, *o) == NULL)
				return cli_fail(c, FERRY_EXIT_USAGE, "unknown option -%c; usage: %s",
						*o, cmd->usage);
			a->opts |= CLI_OPT(*o);
		}
	}
	a->argc = argc - i;
	a->argv = argv + i;
	if (a->argc < cmd->min_args || a->argc > cmd->max_args)
		return cli_fail(c, FERRY_EXIT_USAGE, "usage: %s", cmd->usage);
	return FERRY_EXIT_OK;
}

enum ferry_exit cli_exec(struct cli *c, int argc, char **argv)
{
	struct cli_args a;

	if (argc < 1)
		return FERRY_EXIT_OK;
	cli_remember(c, argc, argv);
	const struct cli_command *cmd = cli_find(argv[0]);
	if (cmd == NULL) {
		cli_set_what(c, "");
		return cli_fail(c, FERRY_EXIT_USAGE, "%s: unknown command (try help)", argv[0]);
	}
	enum ferry_exit code = cli_options(c, cmd, argc, argv, &a);
	if (code != FERRY_EXIT_OK)
		return code;
	if ((cmd->flags & CLI_REMOTE) && !c->have_server)
		return cli_fail(c, FERRY_EXIT_USAGE, "not connected (connect with open HOST first)");
	code = cmd->run(c, &a);
	/* What the command left to go out with the next one (an upload's
	 * MFMT) goes now: its notes belong to this command. */
	if (c->ftp != NULL)
		ftp_settle(c->ftp);
	return code;
}

/* Prints one command in full: usage, aliases, what it does. */
static void cli_help_one(const struct cli_command *cmd)
{
	printf("usage: %s\n", cmd->usage);
	if (cmd->aliases[0] != NULL) {
		fputs("aliases:", stdout);
		for (size_t j = 0; cmd->aliases[j] != NULL; j++)
			printf(" %s", cmd->aliases[j]);
		putchar('\n');
	}
	printf("%s\n", cmd->detail);
}

/* help [COMMAND]: the command list, or one command in full. */
static enum ferry_exit cli_cmd_help(struct cli *c, const struct cli_args *a)
{
	if (a->argc == 1) {
		const struct cli_command *cmd = cli_find(a->argv[0]);
		if (cmd == NULL)
			return cli_fail(c, FERRY_EXIT_USAGE, "unknown command");
		cli_help_one(cmd);
		return FERRY_EXIT_OK;
	}
	puts("Commands (other names in parentheses):");
	for (size_t i = 0; i < CLI_NCOMMANDS; i++) {
		const struct cli_command *cmd = &cli_commands[i];
		/* A usage too long for its column puts the help on a line of its own. */
		if (strlen(cmd->usage) > CLI_HELP_COLUMN - 3)
			printf("  %s\n%*s%s", cmd->usage, CLI_HELP_COLUMN, "", cmd->help);
		else
			printf("  %-*s %s", CLI_HELP_COLUMN - 3, cmd->usage, cmd->help);
		for (size_t j = 0; cmd->aliases[j] != NULL; j++)
			printf("%s%s", j == 0 ? " (" : ", ", cmd->aliases[j]);
		puts(cmd->aliases[0] != NULL ? ")" : "");
	}
	puts("help COMMAND shows one in full. Quote names as in a shell: get 'my file.txt'.");
	return FERRY_EXIT_OK;
}
