/* commands: the table of FTP verbs and the one gate every command passes.
 * Each verb has a handler (in the cmd_*.c file for its concern) and rules:
 * allowed before login, argument required or forbidden, changes files.
 * commands_dispatch checks the rules, resets protocol state the way RFC 959
 * says, then calls the handler. */
#ifndef FERRYD_COMMANDS_H
#define FERRYD_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "sbuf.h"
#include "session.h"

/* A handler gets the session and the argument ("" when none). */
typedef void (*cmd_handler)(struct session *s, const char *arg);

/* Rules for one verb: every rule of a verb is one of these flags in its
 * table entry, and commands_dispatch applies them before the handler runs
 * (nothing in the gate compares handlers).
 *
 * Protocol state (RFC 959 section 4.1): a pending REST, ALLO or RNFR is
 * cancelled by every command without the flag that keeps it. Commands
 * that only set up the data channel or report state keep REST and ALLO
 * (CMD_KEEPS_SETUP); a transfer keeps the ones it consumes. */
enum cmd_flags {
	CMD_PRELOGIN = 1 << 0,  /* allowed before login */
	CMD_NEEDS_ARG = 1 << 1, /* 501 without an argument */
	CMD_NO_ARG = 1 << 2,    /* 501 with an argument */
	CMD_WRITES = 1 << 3,    /* changes files: 550 for read-only accounts */
	CMD_KEEPS_REST = 1 << 4,/* does not cancel a pending REST (or uses it) */
	CMD_PATH_ARG = 1 << 5,  /* argument is a path: CR/LF/NUL refused */
	CMD_READS = 1 << 6,     /* shows file contents or names */
	CMD_READS_ARG = 1 << 7, /* shows names when given an argument (STAT) */
	CMD_DELETES = 1 << 8,   /* deletes a file or directory */
	CMD_RENAMES = 1 << 9,   /* renames */
	CMD_REPLACES = 1 << 10, /* writes to the argument path, changing what is there */
	CMD_KEEPS_ALLO = 1 << 11, /* does not cancel a pending ALLO (or uses it) */
	CMD_KEEPS_RNFR = 1 << 12, /* does not cancel a pending RNFR (RNTO uses it) */
	CMD_IN_TRANSFER = 1 << 13,/* without an argument, answered while a transfer
				   * runs (the handler sees s->xfer.verb set);
				   * other commands wait until it ends */
	CMD_FEAT_TLS = 1 << 14, /* its FEAT line is shown only when TLS is configured */
	CMD_FEAT_FACTS = 1 << 15,/* its FEAT line is followed by the MLST facts */
	CMD_KEEPS_RANG = 1 << 16,/* does not cancel a pending RANG (or uses it) */
	CMD_FEAT_HASH = 1 << 17, /* its FEAT line is followed by the HASH algorithms */
	CMD_RESUMES = 1 << 18,  /* after REST n > 0, writes into the file there from n */
	CMD_TRANSFERS = 1 << 19,/* uses up a pending REST, RANG and ALLO, even when refused */
	CMD_DATA = 1 << 20,     /* uses the data channel PASV, EPSV, PORT or EPRT
				 * prepared, even when refused before its 150 */
};
/* The set of a command that sets up or reports and keeps REST, ALLO and
 * RANG. */
#define CMD_KEEPS_SETUP (CMD_KEEPS_REST | CMD_KEEPS_ALLO | CMD_KEEPS_RANG)

/* What an account may not do beyond read-only/read-write (the server's
 * --anonymous=upload, --no-overwrite and --no-delete). */
enum cmd_deny {
	DENY_READ = 1 << 0,      /* list or download */
	DENY_DELETE = 1 << 1,    /* delete */
	DENY_RENAME = 1 << 2,    /* rename */
	DENY_OVERWRITE = 1 << 3, /* replace or change an existing file */
};

/* One verb. A new verb is one line in command_table (commands.c): its
 * handler, its flags, its HELP syntax and, if FEAT announces it, its
 * feature line (RFC 2389: the text after the leading space, e.g.
 * "REST STREAM"); FEAT lists the lines of the whole table, sorted. */
struct command {
	const char *verb;     /* upper-case verb */
	cmd_handler handler;  /* what it does */
	unsigned flags;       /* enum cmd_flags */
	const char *help;     /* syntax shown by HELP VERB */
	const char *feat;     /* its FEAT line, or NULL */
};

/* Runs one command line (len bytes, may contain NUL). */
void commands_dispatch(struct session *s, const char *line, size_t len);
/* Runs one command line read while a transfer runs if its verb has
 * CMD_IN_TRANSFER and no argument, and returns true; false (nothing
 * done) for a line to keep until the transfer ends. */
bool commands_dispatch_in_transfer(struct session *s, const char *line, size_t len);
/* The FEAT reply's text (RFC 2389: "Features:", one line per feature,
 * "End"), built from the table's feature lines, into out. */
void commands_feat_text(const struct session *s, struct sbuf *out);
/* The enum cmd_deny set that applies to the logged-in session. */
unsigned commands_denied(const struct session *s);
/* Looks a verb up (case-insensitive); NULL if unknown. */
const struct command *commands_find(const char *verb);
/* The table, terminated by an entry with verb NULL (for HELP). */
extern const struct command command_table[];

/* Handlers, by file. */
/* cmd_auth.c */
void cmd_user(struct session *s, const char *arg);
void cmd_pass(struct session *s, const char *arg);
void cmd_quit(struct session *s, const char *arg);
/* cmd_info.c */
void cmd_noop(struct session *s, const char *arg);
void cmd_syst(struct session *s, const char *arg);
void cmd_feat(struct session *s, const char *arg);
void cmd_opts(struct session *s, const char *arg);
void cmd_help(struct session *s, const char *arg);
void cmd_stat(struct session *s, const char *arg);
void cmd_type(struct session *s, const char *arg);
void cmd_mode(struct session *s, const char *arg);
void cmd_stru(struct session *s, const char *arg);
void cmd_allo(struct session *s, const char *arg);
void cmd_size(struct session *s, const char *arg);
void cmd_mdtm(struct session *s, const char *arg);
/* cmd_nav.c */
void cmd_pwd(struct session *s, const char *arg);
void cmd_cwd(struct session *s, const char *arg);
void cmd_cdup(struct session *s, const char *arg);
/* cmd_file.c */
void cmd_dele(struct session *s, const char *arg);
void cmd_mkd(struct session *s, const char *arg);
void cmd_rmd(struct session *s, const char *arg);
void cmd_rnfr(struct session *s, const char *arg);
void cmd_rnto(struct session *s, const char *arg);
/* cmd_xfer.c */
void cmd_pasv(struct session *s, const char *arg);
void cmd_epsv(struct session *s, const char *arg);
void cmd_port(struct session *s, const char *arg);
void cmd_eprt(struct session *s, const char *arg);
void cmd_rest(struct session *s, const char *arg);
void cmd_retr(struct session *s, const char *arg);
void cmd_stor(struct session *s, const char *arg);
void cmd_stou(struct session *s, const char *arg);
void cmd_appe(struct session *s, const char *arg);
void cmd_abor(struct session *s, const char *arg);
/* cmd_tls.c */
void cmd_auth(struct session *s, const char *arg);
void cmd_pbsz(struct session *s, const char *arg);
void cmd_prot(struct session *s, const char *arg);
void cmd_ccc(struct session *s, const char *arg);
/* cmd_hash.c */
void cmd_hash(struct session *s, const char *arg);
void cmd_rang(struct session *s, const char *arg);
void cmd_xsha256(struct session *s, const char *arg);
void cmd_xsha1(struct session *s, const char *arg);
void cmd_xmd5(struct session *s, const char *arg);
void cmd_xcrc(struct session *s, const char *arg);
/* Appends the algorithms of HASH's FEAT line, "SHA-256*;SHA-1;MD5;CRC32"
 * (the current choice starred), to out. */
void hash_feat_algorithms(const struct session *s, struct sbuf *out);
/* OPTS HASH [<algorithm>]: shows or selects the algorithm. */
void hash_opts(struct session *s, const char *value);
/* cmd_attr.c */
void cmd_mfmt(struct session *s, const char *arg);
void cmd_site(struct session *s, const char *arg);
void cmd_avbl(struct session *s, const char *arg);
/* cmd_xfer.c: opens a regular file (O_NONBLOCK against FIFOs) with flags;
 * replies 550 and returns -1 for anything else or on failure. */
int cmd_open_regular(struct session *s, const char *path, int flags, struct stat *st);
/* Takes the pending REST offset or RANG range for RETR or HASH (and
 * clears both): bytes *start up to, not including, *end (-1: to the end). */
void cmd_take_range(struct session *s, off_t *start, off_t *end);
/* cmd_list.c */
void cmd_list(struct session *s, const char *arg);
void cmd_nlst(struct session *s, const char *arg);
void cmd_mlsd(struct session *s, const char *arg);
void cmd_mlst(struct session *s, const char *arg);

#endif
