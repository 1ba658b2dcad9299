/* cmd_info: commands that report or set session options: NOOP SYST FEAT
 * OPTS HELP STAT TYPE MODE STRU ALLO SIZE MDTM. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "ftps.h"
#include "listfmt.h"
#include "listing.h"
#include "sbuf.h"
#include "transfer.h"
#include "vfs.h"

void cmd_noop(struct session *s, const char *arg)
{
	session_reply(s, FTP_OK, "NOOP ok.");
}

void cmd_syst(struct session *s, const char *arg)
{
	session_reply(s, FTP_SYSTEM_TYPE, "UNIX Type: L8");
}

void cmd_feat(struct session *s, const char *arg)
{
	struct sbuf text;
	sbuf_init(&text, 1024);
	commands_feat_text(s, &text);
	session_reply_text(s, FTP_SYSTEM_STATUS, sbuf_str(&text));
	sbuf_free(&text);
}

void cmd_opts(struct session *s, const char *arg)
{
	if (strncasecmp(arg, "UTF8", 4) == 0 && (arg[4] == ' ' || arg[4] == '\0')) {
		const char *v = arg[4] ? arg + 5 : "";
		if (strcasecmp(v, "ON") == 0 || *v == '\0')
			session_reply(s, FTP_OK, "UTF8 set to on.");
		else if (strcasecmp(v, "OFF") == 0)
			session_reply(s, FTP_OK, "UTF8 off: names are passed through as sent.");
		else
			session_reply(s, FTP_BAD_ARGUMENTS, "OPTS UTF8 takes ON or OFF.");
		return;
	}
	if (strncasecmp(arg, "MLST", 4) == 0 && (arg[4] == ' ' || arg[4] == '\0')) {
		s->mlst_facts = listfmt_parse_facts(arg[4] ? arg + 5 : "");
		struct sbuf facts;
		sbuf_init(&facts, 128);
		listfmt_facts_string(&facts, s->mlst_facts, false);
		session_reply(s, FTP_OK, "MLST OPTS %s", sbuf_str(&facts));
		sbuf_free(&facts);
		return;
	}
	if (strncasecmp(arg, "HASH", 4) == 0 && (arg[4] == ' ' || arg[4] == '\0')) {
		hash_opts(s, arg[4] ? arg + 5 : "");
		return;
	}
	session_reply(s, FTP_BAD_ARGUMENTS, "Option not understood.");
}

void cmd_help(struct session *s, const char *arg)
{
	if (*arg) {
		const struct command *c = commands_find(arg);
		if (c == NULL)
			session_reply(s, FTP_NOT_IMPLEMENTED, "Unknown command %.16s.", arg);
		else
			session_reply(s, FTP_HELP, "Syntax: %s", c->help);
		return;
	}
	struct sbuf t;
	sbuf_init(&t, 4096);
	sbuf_puts(&t, "The following commands are recognized:\n");
	int col = 0;
	for (const struct command *c = command_table; c->verb; c++) {
		sbuf_printf(&t, " %-5s", c->verb);
		if (++col % 10 == 0)
			sbuf_puts(&t, "\n");
	}
	if (col % 10 != 0)
		sbuf_puts(&t, "\n");
	sbuf_puts(&t, "Help OK.");
	session_reply_text(s, FTP_HELP, sbuf_str(&t));
	sbuf_free(&t);
}

void cmd_stat(struct session *s, const char *arg)
{
	if (*arg == '\0' && xfer_running(s)) {
		xfer_reply_status(s);
		return;
	}
	if (*arg == '\0') {
		session_reply(s, FTP_SYSTEM_STATUS,
			      "ferryd status:\n Connected from %s\n Logged in as %s%s\n"
			      " TYPE: %s, MODE: Stream, STRUcture: File\n"
			      " Working directory: %s\n No transfer in progress\nEnd of status",
			      s->peer_str, s->user, s->writable ? "" : " (read-only)",
			      s->ascii ? "ASCII" : "BINARY", s->cwd);
		return;
	}
	struct sbuf out;
	char what[FTP_PATH_MAX + 1];
	sbuf_init(&out, FTP_REPLY_MAX / 2);
	if (listing_build(s, LISTING_LIST, arg, &out, what, NULL)) {
		/* Reply lines are "\n"-separated; listing lines end in CRLF. */
		struct sbuf text;
		sbuf_init(&text, FTP_REPLY_MAX);
		sbuf_printf(&text, "Status of %s:\n", what);
		for (size_t i = 0; i < out.len; i++)
			if (out.data[i] != '\r')
				sbuf_append(&text, &out.data[i], 1);
		sbuf_puts(&text, "End of status");
		session_reply_text(s, FTP_FILE_STATUS, sbuf_str(&text));
		sbuf_free(&text);
	}
	sbuf_free(&out);
}

void cmd_type(struct session *s, const char *arg)
{
	char t = (char)(arg[0] & ~0x20);
	const char *rest = arg + 1;
	while (*rest == ' ')
		rest++;
	if (t == 'I' && *rest == '\0') {
		s->ascii = false;
		session_reply(s, FTP_OK, "Switching to Binary mode.");
	} else if (t == 'A' && (*rest == '\0' || (rest[0] & ~0x20) == 'N') && strlen(rest) <= 1) {
		s->ascii = true;
		session_reply(s, FTP_OK, "Switching to ASCII mode.");
	} else if (t == 'L' && strcmp(rest, "8") == 0) {
		s->ascii = false;
		session_reply(s, FTP_OK, "Switching to Binary mode.");
	} else if (t == 'E' || t == 'A' || t == 'L') {
		session_reply(s, FTP_BAD_PARAMETER, "TYPE %.16s not supported; use A or I.", arg);
	} else {
		session_reply(s, FTP_BAD_ARGUMENTS, "Unrecognised TYPE; use A or I.");
	}
}

/* MODE and STRU accept one letter; the stream/file forms are the only ones
 * implemented. */
static void one_letter(struct session *s, const char *arg, char ok, const char *others,
		       const char *what)
{
	char c = (char)(arg[0] & ~0x20);
	if (arg[1] != '\0' || c == '\0')
		session_reply(s, FTP_BAD_ARGUMENTS, "Unrecognised %s.", what);
	else if (c == ok)
		session_reply(s, FTP_OK, "%s set to %c.", what, ok);
	else if (strchr(others, c))
		session_reply(s, FTP_BAD_PARAMETER, "%s %c not supported.", what, c);
	else
		session_reply(s, FTP_BAD_ARGUMENTS, "Unrecognised %s.", what);
}

void cmd_mode(struct session *s, const char *arg)
{
	one_letter(s, arg, 'S', "BCZ", "Mode");
}

void cmd_stru(struct session *s, const char *arg)
{
	one_letter(s, arg, 'F', "RP", "Structure");
}

/* ALLO <bytes> [R <record size>] (RFC 959): the size of the next upload.
 * ferryd needs no space reserved, but the size tells a finished upload
 * from one cut short (see transfer.c). */
void cmd_allo(struct session *s, const char *arg)
{
	long long v;
	const char *end;
	if (!session_parse_count(arg, &end, &v) || (*end != '\0' && *end != ' ')) {
		session_reply(s, FTP_BAD_ARGUMENTS, "Syntax: ALLO <bytes> [R <record size>]");
		return;
	}
	s->allo = (off_t)v;
	session_reply(s, FTP_OK, "ALLO %lld bytes noted for the next upload.", v);
}

/* Stats a regular file for SIZE/MDTM; sends 550 and returns false otherwise. */
static bool stat_file(struct session *s, const char *arg, struct stat *st)
{
	char path[FTP_PATH_MAX + 1];
	if (!session_file_path(s, arg, path, PATH_FOLLOWS))
		return false;
	if (vfs_stat(s->root_fd, path, st) < 0) {
		session_reply_errno(s, 0, path, errno);
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		session_reply(s, FTP_FILE_UNAVAILABLE, "%s: Not a regular file.", path);
		return false;
	}
	return true;
}

void cmd_size(struct session *s, const char *arg)
{
	struct stat st;
	if (stat_file(s, arg, &st))
		session_reply(s, FTP_FILE_STATUS, "%lld", (long long)st.st_size);
}

void cmd_mdtm(struct session *s, const char *arg)
{
	struct stat st;
	if (stat_file(s, arg, &st)) {
		char t[16];
		listfmt_time(st.st_mtime, t, sizeof t);
		session_reply(s, FTP_FILE_STATUS, "%s", t);
	}
}
