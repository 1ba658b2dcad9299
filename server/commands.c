/* commands: the verb table and the gate in front of every handler. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "dataconn.h"
#include "ftps.h"
#include "listfmt.h"
#include "log.h"
#include "sanitize.h"
#include "vfs.h"
#include "vpath.h"

/* Shorthands for the table. */
#define SETUP CMD_KEEPS_SETUP
#define PATH CMD_PATH_ARG

const struct command command_table[] = {
	/* verb, handler, flags (enum cmd_flags), HELP syntax, FEAT line or NULL */
	{ "USER", cmd_user, CMD_PRELOGIN | CMD_NEEDS_ARG, "USER <name>", NULL },
	{ "PASS", cmd_pass, CMD_PRELOGIN, "PASS <password>", NULL },
	{ "QUIT", cmd_quit, CMD_PRELOGIN, "QUIT", NULL },
	{ "NOOP", cmd_noop, CMD_PRELOGIN | SETUP, "NOOP", NULL },
	{ "SYST", cmd_syst, CMD_PRELOGIN | CMD_NO_ARG | SETUP, "SYST", NULL },
	{ "FEAT", cmd_feat, CMD_PRELOGIN | CMD_NO_ARG | SETUP, "FEAT", NULL },
	{ "OPTS", cmd_opts, CMD_PRELOGIN | CMD_NEEDS_ARG | SETUP, "OPTS UTF8 ON | OPTS MLST <facts>",
	  "UTF8" },
	{ "HELP", cmd_help, CMD_PRELOGIN | SETUP, "HELP [<verb>]", NULL },
	{ "STAT", cmd_stat, SETUP | PATH | CMD_READS_ARG | CMD_IN_TRANSFER, "STAT [<path>]", NULL },
	{ "TYPE", cmd_type, CMD_NEEDS_ARG | SETUP, "TYPE A | I", NULL },
	{ "MODE", cmd_mode, CMD_NEEDS_ARG | SETUP, "MODE S", NULL },
	{ "STRU", cmd_stru, CMD_NEEDS_ARG | SETUP, "STRU F", NULL },
	{ "ALLO", cmd_allo, CMD_NEEDS_ARG | SETUP, "ALLO <bytes>", NULL },
	{ "PWD", cmd_pwd, CMD_NO_ARG, "PWD", NULL },
	{ "XPWD", cmd_pwd, CMD_NO_ARG, "XPWD", NULL },
	{ "CWD", cmd_cwd, PATH, "CWD <path>", "TVFS" },
	{ "XCWD", cmd_cwd, PATH, "XCWD <path>", NULL },
	{ "CDUP", cmd_cdup, CMD_NO_ARG, "CDUP", NULL },
	{ "XCUP", cmd_cdup, CMD_NO_ARG, "XCUP", NULL },
	{ "LIST", cmd_list, PATH | CMD_READS | CMD_DATA, "LIST [<path>]", NULL },
	{ "NLST", cmd_nlst, PATH | CMD_READS | CMD_DATA, "NLST [<path>]", NULL },
	{ "MLSD", cmd_mlsd, PATH | CMD_READS | CMD_DATA, "MLSD [<path>]", NULL },
	{ "MLST", cmd_mlst, PATH | CMD_READS | CMD_FEAT_FACTS, "MLST [<path>]", "MLST" },
	{ "RETR", cmd_retr, CMD_NEEDS_ARG | PATH | CMD_READS | CMD_TRANSFERS | CMD_DATA |
	  CMD_KEEPS_REST | CMD_KEEPS_RANG, "RETR <path>", NULL },
	{ "STOR", cmd_stor, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_REPLACES | CMD_RESUMES |
	  CMD_TRANSFERS | CMD_DATA | CMD_KEEPS_REST | CMD_KEEPS_ALLO | CMD_KEEPS_RANG,
	  "STOR <path>", NULL },
	{ "STOU", cmd_stou, PATH | CMD_WRITES | CMD_TRANSFERS | CMD_DATA | CMD_KEEPS_ALLO |
	  CMD_KEEPS_RANG, "STOU [<name>]", NULL },
	{ "APPE", cmd_appe, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_REPLACES | CMD_TRANSFERS |
	  CMD_DATA | CMD_KEEPS_REST | CMD_KEEPS_ALLO | CMD_KEEPS_RANG, "APPE <path>", NULL },
	{ "REST", cmd_rest, CMD_NEEDS_ARG | SETUP, "REST <offset>", "REST STREAM" },
	{ "SIZE", cmd_size, CMD_NEEDS_ARG | PATH | CMD_READS, "SIZE <path>", "SIZE" },
	{ "MDTM", cmd_mdtm, CMD_NEEDS_ARG | PATH | CMD_READS, "MDTM <path>", "MDTM" },
	{ "DELE", cmd_dele, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_DELETES, "DELE <path>", NULL },
	{ "MKD", cmd_mkd, CMD_NEEDS_ARG | PATH | CMD_WRITES, "MKD <path>", NULL },
	{ "XMKD", cmd_mkd, CMD_NEEDS_ARG | PATH | CMD_WRITES, "XMKD <path>", NULL },
	{ "RMD", cmd_rmd, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_DELETES, "RMD <path>", NULL },
	{ "XRMD", cmd_rmd, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_DELETES, "XRMD <path>", NULL },
	{ "RNFR", cmd_rnfr, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_RENAMES, "RNFR <path>", NULL },
	{ "RNTO", cmd_rnto, CMD_NEEDS_ARG | PATH | CMD_WRITES | CMD_RENAMES | CMD_REPLACES |
	  CMD_KEEPS_RNFR, "RNTO <path>", NULL },
	{ "PASV", cmd_pasv, CMD_NO_ARG | SETUP, "PASV", "PASV" },
	{ "EPSV", cmd_epsv, SETUP, "EPSV [1 | 2 | ALL]", "EPSV" },
	{ "PORT", cmd_port, CMD_NEEDS_ARG | SETUP, "PORT h1,h2,h3,h4,p1,p2", NULL },
	{ "EPRT", cmd_eprt, CMD_NEEDS_ARG | SETUP, "EPRT |af|addr|port|", "EPRT" },
	{ "ABOR", cmd_abor, CMD_NO_ARG | CMD_IN_TRANSFER, "ABOR", NULL },
	{ "AUTH", cmd_auth, CMD_PRELOGIN | CMD_NEEDS_ARG | SETUP | CMD_FEAT_TLS, "AUTH TLS",
	  "AUTH TLS" },
	{ "PBSZ", cmd_pbsz, CMD_PRELOGIN | CMD_NEEDS_ARG | SETUP | CMD_FEAT_TLS, "PBSZ 0", "PBSZ" },
	{ "PROT", cmd_prot, CMD_PRELOGIN | CMD_NEEDS_ARG | SETUP | CMD_FEAT_TLS, "PROT P | C",
	  "PROT" },
	{ "CCC", cmd_ccc, CMD_PRELOGIN | CMD_NO_ARG | SETUP, "CCC", NULL },
	/* Checksums (cmd_hash.c) and attributes (cmd_attr.c). */
	{ "HASH", cmd_hash, CMD_NEEDS_ARG | PATH | CMD_READS | CMD_TRANSFERS | CMD_KEEPS_REST |
	  CMD_KEEPS_RANG | CMD_FEAT_HASH, "HASH <path>", "HASH" },
	{ "RANG", cmd_rang, CMD_NEEDS_ARG | SETUP, "RANG <start> <end> | RANG 1 0", "RANG STREAM" },
	{ "XSHA256", cmd_xsha256, CMD_NEEDS_ARG | PATH | CMD_READS, "XSHA256 <path> [<start> [<end>]]",
	  NULL },
	{ "XSHA1", cmd_xsha1, CMD_NEEDS_ARG | PATH | CMD_READS, "XSHA1 <path> [<start> [<end>]]", NULL },
	{ "XMD5", cmd_xmd5, CMD_NEEDS_ARG | PATH | CMD_READS, "XMD5 <path> [<start> [<end>]]", NULL },
	{ "XCRC", cmd_xcrc, CMD_NEEDS_ARG | PATH | CMD_READS, "XCRC <path> [<start> [<end>]]", NULL },
	{ "MFMT", cmd_mfmt, CMD_NEEDS_ARG | PATH | CMD_WRITES, "MFMT YYYYMMDDHHMMSS <path>", "MFMT" },
	{ "SITE", cmd_site, CMD_NEEDS_ARG | PATH, "SITE CHMOD <mode> <path> | SITE HELP", NULL },
	{ "AVBL", cmd_avbl, PATH, "AVBL [<path>]", "AVBL" },
	{ NULL, NULL, 0, NULL, NULL },
};

const struct command *commands_find(const char *verb)
{
	for (const struct command *c = command_table; c->verb; c++)
		if (strcasecmp(c->verb, verb) == 0)
			return c;
	return NULL;
}

/* True for a verb RFC 959 defines that ferryd does not implement: such a
 * verb is answered 502, one nobody defines 500. REIN would have to settle
 * what becomes of a session's TLS, ACCT is never asked for (no 332), SMNT
 * has no place in a confined root. */
static bool not_implemented(const char *verb)
{
	static const char *const verbs[] = { "REIN", "ACCT", "SMNT" };
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i], verb) == 0)
			return true;
	return false;
}

/* True if the line's first word is PASS, however it is spaced or cased
 * ("PASS\tx", " pass x"): such a line is never logged as sent. */
static bool names_password(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && !isalpha((unsigned char)line[i]))
		i++;
	return len - i >= 4 && strncasecmp(line + i, "PASS", 4) == 0 &&
	       (len - i == 4 || !isalpha((unsigned char)line[i + 4]));
}

unsigned commands_denied(const struct session *s)
{
	const struct ferryd_config *cfg = s->cfg;
	unsigned deny = 0;
	if (s->anonymous && cfg->anonymous == ANON_UPLOAD)
		deny |= DENY_READ | DENY_DELETE | DENY_RENAME | DENY_OVERWRITE;
	if (cfg->no_overwrite)
		deny |= DENY_OVERWRITE;
	if (cfg->no_delete)
		deny |= DENY_DELETE;
	return deny;
}

/* The account policy's refusals: a verb with flag is refused with 550 and
 * why when the session's denied set holds deny. */
static const struct {
	unsigned flag;     /* enum cmd_flags */
	unsigned deny;     /* enum cmd_deny */
	const char *why;   /* the reply text */
} policy_rules[] = {
	{ CMD_READS, DENY_READ,
	  "Permission denied (upload-only account: no listings, no downloads)." },
	{ CMD_DELETES, DENY_DELETE, "Permission denied (deleting is disabled for this account)." },
	{ CMD_RENAMES, DENY_RENAME, "Permission denied (renaming is disabled for this account)." },
};

/* Applies the account policy to one command; false after refusing it. A
 * verb that writes to its path is refused when something is there and
 * the account may not overwrite (the upload itself also refuses to
 * replace, should a file appear meanwhile); a rename onto a name in use
 * also when it may not delete, as the file or empty directory there would
 * be removed. A resumed upload (REST n > 0 then STOR) writes into the file
 * that is there: it is refused whether or not a file exists yet, as one
 * could be created between this check and the open, and the reply is the
 * same either way. */
static bool policy_allows(struct session *s, const struct command *cmd, const char *arg,
			  size_t arglen)
{
	unsigned deny = commands_denied(s);
	if (deny == 0)
		return true;
	unsigned flags = cmd->flags;
	if ((flags & CMD_READS_ARG) && arglen > 0)
		flags |= CMD_READS;
	for (size_t i = 0; i < sizeof policy_rules / sizeof policy_rules[0]; i++) {
		if ((flags & policy_rules[i].flag) && (deny & policy_rules[i].deny)) {
			session_reply(s, FTP_FILE_UNAVAILABLE, "%s", policy_rules[i].why);
			return false;
		}
	}
	bool overwrite = deny & DENY_OVERWRITE;
	if ((flags & CMD_RESUMES) && s->rest > 0 && overwrite) {
		session_reply(s, FTP_FILE_UNAVAILABLE,
			      "Permission denied (REST then STOR would write into an existing file; "
			      "overwriting is disabled for this account).");
		return false;
	}
	bool removes = (flags & CMD_RENAMES) && (deny & DENY_DELETE);
	if ((flags & CMD_REPLACES) && (overwrite || removes)) {
		char path[FTP_PATH_MAX + 1], clean[FTP_PATH_MAX + 1];
		struct stat st;
		if (!session_path(s, arg, path))
			return false;
		if (vfs_lstat(s->root_fd, path, &st) == 0) {
			sanitize_text(path, strlen(path), clean, sizeof clean);
			session_reply(s, FTP_FILE_UNAVAILABLE,
				      "%s: File exists (%s is disabled for this account).", clean,
				      overwrite ? "overwriting" : "deleting");
			return false;
		}
	}
	return true;
}

/* Writes the trace line for a received command, masking passwords. */
static void trace_command(struct session *s, const char *verb, const char *line, size_t len)
{
	if (!log_verbose())
		return;
	char clean[512];
	if (strcasecmp(verb, "PASS") == 0 || names_password(line, len))
		snprintf(clean, sizeof clean, "PASS <hidden>");
	else
		sanitize_text(line, len, clean, sizeof clean);
	log_msg(LOG_DEBUG, "%s <- %s", s->peer_str, clean);
}

/* Splits a command line into its verb (letters up to the first space,
 * upper-cased into verb[CMD_VERB_MAX + 1]) and argument. Returns false
 * when the verb is not letters or too long. */
#define CMD_VERB_MAX 7
static bool split_line(const char *line, size_t len, char *verb, const char **arg,
		       size_t *arglen)
{
	size_t vlen = 0;
	while (vlen < len && line[vlen] != ' ') {
		unsigned char c = (unsigned char)line[vlen];
		if (!(isalpha(c) || (vlen > 0 && isdigit(c))) || vlen == CMD_VERB_MAX)
			return false;
		verb[vlen++] = (char)toupper(c);
	}
	verb[vlen] = '\0';
	*arg = vlen < len ? line + vlen + 1 : "";
	*arglen = vlen < len ? len - vlen - 1 : 0;
	return true;
}

/* The rules of the verb table and the account policy: false after
 * refusing the command. */
static bool gate_allows(struct session *s, const struct command *cmd, const char *arg,
			size_t arglen)
{
	if (!s->logged_in && !(cmd->flags & CMD_PRELOGIN)) {
		session_reply(s, FTP_NOT_LOGGED_IN, "Please log in with USER and PASS first.");
		return false;
	}
	if (memchr(arg, '\0', arglen) != NULL) {
		session_reply(s, FTP_BAD_ARGUMENTS, "NUL byte in argument refused.");
		return false;
	}
	if ((cmd->flags & CMD_PATH_ARG) && vpath_bad_name(arg, arglen)) {
		session_reply(s, FTP_BAD_FILENAME, "File name with CR or LF refused.");
		return false;
	}
	if ((cmd->flags & CMD_NEEDS_ARG) && arglen == 0) {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: %s", cmd->help);
		return false;
	}
	if ((cmd->flags & CMD_NO_ARG) && arglen != 0) {
		session_reply(s, FTP_BAD_ARGUMENTS, "%s takes no argument.", cmd->verb);
		return false;
	}
	if ((cmd->flags & CMD_WRITES) && !s->writable) {
		session_reply(s, FTP_FILE_UNAVAILABLE, "Permission denied (read-only account).");
		return false;
	}
	return !s->logged_in || policy_allows(s, cmd, arg, arglen);
}

/* Drops the pending REST, RANG and ALLO that the flags in keeps do not
 * name. */
static void forget_announced(struct session *s, unsigned keeps)
{
	if (!(keeps & CMD_KEEPS_REST))
		s->rest = 0;
	if (!(keeps & CMD_KEEPS_RANG))
		s->rang_end = -1;
	if (!(keeps & CMD_KEEPS_ALLO))
		s->allo = -1;
}

void commands_dispatch(struct session *s, const char *line, size_t len)
{
	char verb[CMD_VERB_MAX + 1];
	const char *arg;
	size_t arglen;
	if (!split_line(line, len, verb, &arg, &arglen)) {
		trace_command(s, "", line, len);
		session_reply(s, FTP_BAD_COMMAND, "Unknown command.");
		return;
	}
	trace_command(s, verb, line, len);
	if (verb[0] == '\0') {
		session_reply(s, FTP_BAD_COMMAND, "Empty command.");
		return;
	}

	const struct command *cmd = commands_find(verb);
	if (cmd == NULL) {
		if (not_implemented(verb))
			session_reply(s, FTP_NOT_IMPLEMENTED, "Command not implemented: %s.", verb);
		else
			session_reply(s, FTP_BAD_COMMAND, "Unknown command %s.", verb);
		return;
	}
	/* RFC 959: REST must be followed at once by the transfer, RNFR by
	 * RNTO; ALLO announces the size of the upload that follows it; RANG
	 * (draft-bryan-ftp-range) covers the next RETR or HASH. */
	forget_announced(s, cmd->flags);
	if (!(cmd->flags & CMD_KEEPS_RNFR)) {
		free(s->rnfr);
		s->rnfr = NULL;
	}

	if (gate_allows(s, cmd, arg, arglen)) {
		cmd->handler(s, arg);
	} else if (cmd->flags & CMD_TRANSFERS) {
		/* A refused transfer still uses up what announced it. */
		forget_announced(s, 0);
	}
	/* A transfer uses up its data channel, and so does one refused
	 * before its 150 (as proftpd does): the next transfer never reads a
	 * connection the client opened for this one, perhaps closed since
	 * (an upload would store it as an empty file). Clients send PASV or
	 * PORT before each transfer (doc/design.md). */
	if ((cmd->flags & CMD_DATA) && dataconn_prepared(s))
		dataconn_reset(s);
}

bool commands_dispatch_in_transfer(struct session *s, const char *line, size_t len)
{
	char verb[CMD_VERB_MAX + 1];
	const char *arg;
	size_t arglen;
	if (!split_line(line, len, verb, &arg, &arglen) || arglen != 0 || len != strlen(verb))
		return false;
	const struct command *cmd = commands_find(verb);
	if (cmd == NULL || !(cmd->flags & CMD_IN_TRANSFER))
		return false;
	commands_dispatch(s, line, len);
	return true;
}

/* Orders FEAT lines. */
static int feat_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct command *const *)a)->feat,
		      (*(const struct command *const *)b)->feat);
}

void commands_feat_text(const struct session *s, struct sbuf *out)
{
	const struct command *lines[sizeof command_table / sizeof command_table[0]];
	size_t n = 0;
	for (const struct command *c = command_table; c->verb; c++)
		if (c->feat && (!(c->flags & CMD_FEAT_TLS) || ftps_offered()))
			lines[n++] = c;
	qsort(lines, n, sizeof lines[0], feat_cmp);
	sbuf_puts(out, "Features:\n");
	for (size_t i = 0; i < n; i++) {
		sbuf_printf(out, " %s", lines[i]->feat);
		if (lines[i]->flags & CMD_FEAT_FACTS) {
			sbuf_puts(out, " ");
			listfmt_facts_string(out, s->mlst_facts, true);
		}
		if (lines[i]->flags & CMD_FEAT_HASH) {
			sbuf_puts(out, " ");
			hash_feat_algorithms(s, out);
		}
		sbuf_puts(out, "\n");
	}
	sbuf_puts(out, "End");
}
