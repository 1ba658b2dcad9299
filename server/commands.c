/* commands: the verb table and the gate in front of every handler. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "log.h"
#include "sanitize.h"
#include "vfs.h"
#include "vpath.h"

/* Commands that only set up the data channel or report state keep a
 * pending REST (clients send REST before or after PASV/TYPE). */
#define KEEP (CMD_KEEPS_REST)

const struct command command_table[] = {
	{ "USER", cmd_user, CMD_PRELOGIN | CMD_NEEDS_ARG, "USER <name>" },
	{ "PASS", cmd_pass, CMD_PRELOGIN, "PASS <password>" },
	{ "QUIT", cmd_quit, CMD_PRELOGIN, "QUIT" },
	{ "NOOP", cmd_noop, CMD_PRELOGIN | KEEP, "NOOP" },
	{ "SYST", cmd_syst, CMD_PRELOGIN | CMD_NO_ARG | KEEP, "SYST" },
	{ "FEAT", cmd_feat, CMD_PRELOGIN | CMD_NO_ARG | KEEP, "FEAT" },
	{ "OPTS", cmd_opts, CMD_PRELOGIN | CMD_NEEDS_ARG | KEEP, "OPTS UTF8 ON | OPTS MLST <facts>" },
	{ "HELP", cmd_help, CMD_PRELOGIN | KEEP, "HELP [<verb>]" },
	{ "STAT", cmd_stat, KEEP | CMD_PATH_ARG | CMD_READS_ARG, "STAT [<path>]" },
	{ "TYPE", cmd_type, CMD_NEEDS_ARG | KEEP, "TYPE A | I" },
	{ "MODE", cmd_mode, CMD_NEEDS_ARG | KEEP, "MODE S" },
	{ "STRU", cmd_stru, CMD_NEEDS_ARG | KEEP, "STRU F" },
	{ "ALLO", cmd_allo, CMD_NEEDS_ARG | KEEP, "ALLO <bytes>" },
	{ "PWD", cmd_pwd, CMD_NO_ARG, "PWD" },
	{ "XPWD", cmd_pwd, CMD_NO_ARG, "XPWD" },
	{ "CWD", cmd_cwd, CMD_PATH_ARG, "CWD <path>" },
	{ "XCWD", cmd_cwd, CMD_PATH_ARG, "XCWD <path>" },
	{ "CDUP", cmd_cdup, CMD_NO_ARG, "CDUP" },
	{ "XCUP", cmd_cdup, CMD_NO_ARG, "XCUP" },
	{ "LIST", cmd_list, CMD_PATH_ARG | CMD_READS, "LIST [<path>]" },
	{ "NLST", cmd_nlst, CMD_PATH_ARG | CMD_READS, "NLST [<path>]" },
	{ "MLSD", cmd_mlsd, CMD_PATH_ARG | CMD_READS, "MLSD [<path>]" },
	{ "MLST", cmd_mlst, CMD_PATH_ARG | CMD_READS, "MLST [<path>]" },
	{ "RETR", cmd_retr, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "RETR <path>" },
	{ "STOR", cmd_stor, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_REPLACES, "STOR <path>" },
	{ "STOU", cmd_stou, CMD_PATH_ARG | CMD_WRITES, "STOU [<name>]" },
	{ "APPE", cmd_appe, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_REPLACES, "APPE <path>" },
	{ "REST", cmd_rest, CMD_NEEDS_ARG | KEEP, "REST <offset>" },
	{ "SIZE", cmd_size, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "SIZE <path>" },
	{ "MDTM", cmd_mdtm, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "MDTM <path>" },
	{ "DELE", cmd_dele, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_DELETES, "DELE <path>" },
	{ "MKD", cmd_mkd, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES, "MKD <path>" },
	{ "XMKD", cmd_mkd, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES, "XMKD <path>" },
	{ "RMD", cmd_rmd, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_DELETES, "RMD <path>" },
	{ "XRMD", cmd_rmd, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_DELETES, "XRMD <path>" },
	{ "RNFR", cmd_rnfr, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_RENAMES, "RNFR <path>" },
	{ "RNTO", cmd_rnto, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES | CMD_RENAMES |
		CMD_REPLACES, "RNTO <path>" },
	{ "PASV", cmd_pasv, CMD_NO_ARG | KEEP, "PASV" },
	{ "EPSV", cmd_epsv, KEEP, "EPSV [1 | 2 | ALL]" },
	{ "PORT", cmd_port, CMD_NEEDS_ARG | KEEP, "PORT h1,h2,h3,h4,p1,p2" },
	{ "EPRT", cmd_eprt, CMD_NEEDS_ARG | KEEP, "EPRT |af|addr|port|" },
	{ "ABOR", cmd_abor, CMD_NO_ARG, "ABOR" },
	{ "AUTH", cmd_auth, CMD_PRELOGIN | CMD_NEEDS_ARG | KEEP, "AUTH TLS" },
	{ "PBSZ", cmd_pbsz, CMD_PRELOGIN | CMD_NEEDS_ARG | KEEP, "PBSZ 0" },
	{ "PROT", cmd_prot, CMD_PRELOGIN | CMD_NEEDS_ARG | KEEP, "PROT P | C" },
	{ "CCC", cmd_ccc, CMD_PRELOGIN | CMD_NO_ARG | KEEP, "CCC" },
	{ "HASH", cmd_hash, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "HASH <path>" },
	{ "RANG", cmd_rang, CMD_NEEDS_ARG | KEEP, "RANG <start> <end> | RANG 1 0" },
	{ "XSHA256", cmd_xsha256, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS,
		"XSHA256 <path> [<start> [<end>]]" },
	{ "XSHA1", cmd_xsha1, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "XSHA1 <path> [<start> [<end>]]" },
	{ "XMD5", cmd_xmd5, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "XMD5 <path> [<start> [<end>]]" },
	{ "XCRC", cmd_xcrc, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_READS, "XCRC <path> [<start> [<end>]]" },
	{ "MFMT", cmd_mfmt, CMD_NEEDS_ARG | CMD_PATH_ARG | CMD_WRITES, "MFMT YYYYMMDDHHMMSS <path>" },
	{ "SITE", cmd_site, CMD_NEEDS_ARG | CMD_PATH_ARG, "SITE CHMOD <mode> <path> | SITE HELP" },
	{ "AVBL", cmd_avbl, CMD_PATH_ARG, "AVBL [<path>]" },
	{ NULL, NULL, 0, NULL },
};

const struct command *commands_find(const char *verb)
{
	for (const struct command *c = command_table; c->verb; c++)
		if (strcasecmp(c->verb, verb) == 0)
			return c;
	return NULL;
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
 * replace, should a file appear meanwhile). */
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
	if ((flags & CMD_REPLACES) && (deny & DENY_OVERWRITE)) {
		char path[FTP_PATH_MAX + 1], clean[FTP_PATH_MAX + 1];
		struct stat st;
		if (!session_path(s, arg, path))
			return false;
		if (vfs_lstat(s->root_fd, path, &st) == 0) {
			sanitize_text(path, strlen(path), clean, sizeof clean);
			session_reply(s, FTP_FILE_UNAVAILABLE,
				      "%s: File exists (overwriting is disabled for this account).", clean);
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

void commands_dispatch(struct session *s, const char *line, size_t len)
{
	/* The verb: letters up to the first space. */
	char verb[8];
	size_t vlen = 0;
	while (vlen < len && line[vlen] != ' ') {
		unsigned char c = (unsigned char)line[vlen];
		if (!(isalpha(c) || (vlen > 0 && isdigit(c))) || vlen == sizeof verb - 1) {
			trace_command(s, "", line, len);
			session_reply(s, FTP_BAD_COMMAND, "Unknown command.");
			return;
		}
		verb[vlen++] = (char)toupper(c);
	}
	verb[vlen] = '\0';
	trace_command(s, verb, line, len);
	if (vlen == 0) {
		session_reply(s, FTP_BAD_COMMAND, "Empty command.");
		return;
	}
	const char *arg = vlen < len ? line + vlen + 1 : "";
	size_t arglen = vlen < len ? len - vlen - 1 : 0;

	const struct command *cmd = commands_find(verb);
	if (cmd == NULL) {
		session_reply(s, FTP_BAD_COMMAND, "Unknown command %s.", verb);
		return;
	}
	/* RFC 959: REST must be followed at once by the transfer; RNFR by RNTO. */
	if (!(cmd->flags & CMD_KEEPS_REST) && cmd->handler != cmd_retr &&
	    cmd->handler != cmd_stor && cmd->handler != cmd_appe && cmd->handler != cmd_hash)
		s->rest = 0;
	/* RANG covers the next RETR or HASH; an upload cannot use it. */
	if (s->rang_end >= 0 && !(cmd->flags & CMD_KEEPS_REST) && cmd->handler != cmd_retr &&
	    cmd->handler != cmd_hash) {
		s->rang_end = -1;
		if (cmd->handler == cmd_stor || cmd->handler == cmd_appe || cmd->handler == cmd_stou) {
			session_reply(s, FTP_BAD_PARAMETER,
				      "RANG applies to RETR and HASH only; the range is cleared.");
			return;
		}
	}
	/* ALLO announces the size of the upload that follows it. */
	if (!(cmd->flags & CMD_KEEPS_REST) && cmd->handler != cmd_stor &&
	    cmd->handler != cmd_appe && cmd->handler != cmd_stou)
		s->allo = -1;
	if (cmd->handler != cmd_rnto) {
		free(s->rnfr);
		s->rnfr = NULL;
	}

	if (!s->logged_in && !(cmd->flags & CMD_PRELOGIN)) {
		session_reply(s, FTP_NOT_LOGGED_IN, "Please log in with USER and PASS first.");
		return;
	}
	if (memchr(arg, '\0', arglen) != NULL) {
		session_reply(s, FTP_BAD_ARGUMENTS, "NUL byte in argument refused.");
		return;
	}
	if ((cmd->flags & CMD_PATH_ARG) && vpath_bad_name(arg, arglen)) {
		session_reply(s, FTP_BAD_FILENAME, "File name with CR or LF refused.");
		return;
	}
	if ((cmd->flags & CMD_NEEDS_ARG) && arglen == 0) {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: %s", cmd->help);
		return;
	}
	if ((cmd->flags & CMD_NO_ARG) && arglen != 0) {
		session_reply(s, FTP_BAD_ARGUMENTS, "%s takes no argument.", cmd->verb);
		return;
	}
	if ((cmd->flags & CMD_WRITES) && !s->writable) {
		session_reply(s, FTP_FILE_UNAVAILABLE, "Permission denied (read-only account).");
		return;
	}
	if (s->logged_in && !policy_allows(s, cmd, arg, arglen))
		return;
	cmd->handler(s, arg);
}
