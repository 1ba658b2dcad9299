/* cli_private: what the command line's files share and nobody else may
 * see: the interpreter's state, the argument block handlers receive, the
 * handlers themselves and the helpers they report through. Front-end
 * code outside cli*.c includes cli.h only. */
#ifndef FERRY_CLI_PRIVATE_H
#define FERRY_CLI_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"
#include "creds.h"
#include "ftp.h"
#include "path.h"
#include "progress.h"
#include "sbuf.h"
#include "tree.h"
#include "url.h"

/* Longest error or note line, in bytes. */
#define CLI_MSG_MAX 2048
/* Longest command text kept for messages, in bytes. */
#define CLI_WHAT_MAX 512

/* The interpreter's state. */
struct cli {
	struct cli_options opt;  /* what the command line asked for */
	struct ftp *ftp;         /* the engine's handle; one control connection */
	bool interactive;        /* commands come from the prompt */
	bool ask;                /* stdin is a terminal: confirmations are asked there */
	bool bars;               /* progress bars on stderr (a terminal, not -q) */
	bool have_server;        /* logged in once: remote commands may run (the engine reconnects) */
	bool finished;           /* byebye ran */
	char *last_target;       /* the last address opened, for a bare "open" */
	int last_port;           /* its port given apart ("open HOST PORT"), 0 when none */
	struct creds login;      /* the last successful login (user NULL: anonymous) */
	char *login_host;        /* its server's host, or NULL before any */
	char *login_scheme;      /* and the scheme of its address ("ftp", "ftps", ...) */
	int login_port;          /* and port */
	mode_t umask;            /* the process umask, for files made from temporaries */
	bool told_no_mdtm;       /* noted that the server does not tell file times */
	bool told_no_mfmt;       /* noted that the server cannot set file times */
	bool cert_shown;         /* the last certificate question showed the certificate */
	struct sbuf what;        /* the command being run, quoted, for messages */
};

/* The option letter ch (a-z, or the digit 1) as a bit of cli_args.opts. */
#define CLI_OPT(ch) ((ch) == '1' ? 1u << 26 : 1u << ((ch) - 'a'))

/* A command's words after the dispatcher took out its options. */
struct cli_args {
	int argc;        /* operands */
	char **argv;     /* the operands (argv[argc] is NULL) */
	unsigned opts;   /* CLI_OPT bits of the options given */
	int parallel;    /* --parallel N (get, put); 0 when not given */
	int segments;    /* --segments N (get); 0 when not given */
	bool verify;     /* --verify (get, put) */
	bool follow;     /* -L, --follow-links (get) */
};

/* Most connections --parallel and --segments may use. */
#define CLI_CONNECTIONS_MAX 16

struct cli_xfer_job;
struct tempname_dir;

/* Runs one command; returns its exit status (having printed any error). */
typedef enum ferry_exit cli_handler(struct cli *c, const struct cli_args *a);

/* ---- cli_conn.c: connecting and leaving ---- */
cli_handler cli_cmd_open;    /* connme/open [URL | HOST [PORT]] */
cli_handler cli_cmd_bye;     /* byebye/bye/quit/exit */
/* ---- cli_cmds.c: directories and single files ---- */
cli_handler cli_cmd_cd;      /* cd DIR */
cli_handler cli_cmd_pwd;     /* pwd */
cli_handler cli_cmd_lcd;     /* lcd [DIR] */
cli_handler cli_cmd_lpwd;    /* lpwd */
cli_handler cli_cmd_size;    /* size FILE */
cli_handler cli_cmd_rm;      /* rm/delete [-r] FILE|PATTERN ... */
cli_handler cli_cmd_mkdir;   /* mkdir DIR */
cli_handler cli_cmd_rmdir;   /* rmdir DIR */
cli_handler cli_cmd_rename;  /* rename/mv FROM TO */
/* ---- cli_session.c: settings and raw commands ---- */
cli_handler cli_cmd_set;     /* set [NAME [VALUE]] */
cli_handler cli_cmd_ascii;   /* ascii */
cli_handler cli_cmd_binary;  /* binary */
cli_handler cli_cmd_quote;   /* quote COMMAND... */
cli_handler cli_cmd_site;    /* site COMMAND... */
cli_handler cli_cmd_chmod;   /* chmod MODE FILE */
/* ---- cli_list.c: listings ---- */
cli_handler cli_cmd_ls;      /* ls/dir [-l] [-1] [PATH] */
cli_handler cli_cmd_lls;     /* lls [-l] [-1] [PATH] */
/* ---- cli_get.c, cli_put.c: transfers ---- */
cli_handler cli_cmd_get;     /* download/get [-c] [-r] [-p] REMOTE [LOCAL] */
cli_handler cli_cmd_put;     /* upload/put [-c] [-r] [-p] LOCAL [REMOTE] */
/* ---- cli_mirror.c: making one tree match another ---- */
cli_handler cli_cmd_mirror;  /* mirror [-R] [--delete] [--dry-run] ... SRC DST */
/* Parses a connection count (1 to CLI_CONNECTIONS_MAX); -1 when bad. */
int cli_parse_connections(const char *s);
/* Copies the tree remote into local (or local into remote when upload)
 * over job->parallel connections, as mirror does with every file copied:
 * existing files are replaced after one question for all of them (or
 * -y). Returns the first failure's status. */
enum ferry_exit cli_mirror_copy(struct cli *c, bool upload, const char *local,
				const char *remote, const struct cli_xfer_job *job);
/* Opens another connection like the session's: the same server, login,
 * scheme, settings and remote directory; a certificate accepted for the
 * session is accepted for it, and Ctrl-C ends its waits. NULL when it
 * cannot connect, with the reason in why (whysz bytes). */
struct ftp *cli_connect_more(struct cli *c, char *why, size_t whysz);
/* One more connection like the session's and the thread that works on it. */
struct cli_more {
	struct cli *c;
	void (*work)(void *arg, struct ftp *f);  /* runs on the connection once open */
	void *arg;
	pthread_t t;
	bool started;            /* the thread was created */
	bool refused;            /* its connection could not be opened */
	char why[CLI_MSG_MAX];   /* why not */
};
/* Starts m's thread: it opens a connection (cli_connect_more), runs
 * work(arg, f) on it, then quits and frees it. */
void cli_more_start(struct cli_more *m, struct cli *c, void (*work)(void *arg, struct ftp *f),
		    void *arg);
/* Waits for the n threads of m, then notes (not with -q) how many of
 * them the server refused a connection, with the first refusal's reason. */
void cli_more_join(struct cli *c, struct cli_more *m, int n);
/* Tells the engine (ftp_set_interrupt) that Ctrl-C was pressed; arg unused. */
bool cli_interrupted(void *arg);
/* ---- cli_segments.c: one file over several connections ---- */
/* Downloads remote to local over n connections with REST ranges, into
 * one temporary renamed when every range arrived; resumes from the
 * state a stopped run left. */
enum ferry_exit cli_segments_get(struct cli *c, const char *remote, const char *local, int n,
				 const struct cli_xfer_job *job);
/* Downloads remote (a file) to local (NULL: its last name in the current
 * directory), resuming when resume is set. */
enum ferry_exit cli_xfer_get(struct cli *c, const char *remote, const char *local, bool resume);

/* ---- cli_xfer.c: what both directions share ---- */

/* What get and put were asked to do. */
struct cli_xfer_job {
	bool resume;     /* -c */
	bool recursive;  /* -r */
	bool preserve;   /* keep modification times (the preserve setting, or -p) */
	int parallel;    /* --parallel N: trees over N connections (0, 1: one) */
	int segments;    /* --segments N: one file over N connections (0, 1: one) */
	bool verify;     /* --verify: compare HASH (or SIZE) after each file */
	bool follow_links;  /* -L: with -r, remote links copied as what they lead to */
	struct tempname_dir *temps;  /* downloads: the target directory's temporaries,
				      * read once for the job's files (NULL: each
				      * file's sweep reads its directory) */
};

/* One file to copy. */
struct cli_copy {
	const char *remote;  /* the remote path */
	const char *local;   /* the local path */
	const char *label;   /* the name progress and the summary show */
	const char *name;    /* what its error messages start with; NULL: nothing */
	time_t mtime;        /* the source's modification time to the second; 0: ask */
	bool sized;          /* size holds the source's size, from a listing */
	off_t size;          /* downloads: the progress's total without a SIZE command */
};

/* Copies one file; returns its exit status (having printed any error). */
typedef enum ferry_exit cli_xfer_file_fn(struct cli *c, const struct cli_copy *cp,
					  const struct cli_xfer_job *job);
/* Notes that the remote name display (sanitised) is skipped because it
 * is not a plain file name ("../x", "a/b"): get -r and mirror. */
void cli_note_unsafe_name(struct cli *c, const char *display);
/* Says on stderr (one "ferry: " line, even with -q) that the listing l of
 * the remote folder dir had lines not understood (l->skipped > 0): how
 * many, and the first. */
void cli_note_partial(struct cli *c, const char *dir, const struct ftp_listing *l);

/* Fails with code for a directory a recursive command could not read and
 * went on without: "LEAD PATH: HOW: WHY", PATH and WHY (the server's
 * reply or the system's error) sanitised. */
void cli_fail_unread(struct cli *c, enum ferry_exit code, const char *lead, const char *path,
		     const char *how, const char *why);

/* Copies the tree local -> remote (TREE_UPLOAD) or remote -> local
 * (TREE_DOWNLOAD) with the engine's walk, running file for each file and
 * noting skipped entries; Ctrl-C stops it. Returns the first failure's
 * status (printed), FERRY_EXIT_REFUSED when a listing had lines not
 * understood (each noted), or FERRY_EXIT_OK. */
enum ferry_exit cli_xfer_tree(struct cli *c, enum tree_way way, const char *local,
			      const char *remote, const struct cli_xfer_job *job,
			      cli_xfer_file_fn *file);
/* Copies what a pattern matched (l, named by full paths on the source's
 * side) into the directory dir on the other side (NULL: the current
 * one): files (and links, followed) with file, directories as trees
 * with -r (else noted and skipped), anything else noted and skipped. Stops at the first failure
 * or Ctrl-C; a tree's listing with lines not understood is noted and the
 * copy goes on, to end with FERRY_EXIT_REFUSED. */
enum ferry_exit cli_xfer_matches(struct cli *c, enum tree_way way, const struct ftp_listing *l,
				 const char *dir, const struct cli_xfer_job *job,
				 cli_xfer_file_fn *file);
/* True when the one match in l (what pattern matched) is the file
 * pattern names: the name pattern itself (a file called "a[1].txt"), or
 * the name a pattern whose wildcards are all escaped spells ("st\*ar"
 * for "st*ar"). That file is then copied as a name, not as a pattern. */
bool cli_xfer_names_one(const char *pattern, const struct ftp_listing *l);

/* Refuses -c in ascii mode (usage error, printed). */
enum ferry_exit cli_xfer_no_resume(struct cli *c);
/* The engine's progress callback; arg is a struct progress. Draws the
 * bar and returns non-zero (cancel) after Ctrl-C. */
int cli_xfer_progress(void *arg, off_t done, off_t total, double rate);
/* Ends the display of a transfer of cp, printing its summary (a line,
 * or with --json an object) when summary is set (and not -q). */
void cli_xfer_done(struct cli *c, struct progress *p, const struct cli_copy *cp, bool summary);
/* Says cp needs nothing more, its size already matching: "LABEL: already
 * complete (N bytes)", or with --json an object (not with -q). */
void cli_xfer_complete(struct cli *c, const struct cli_copy *cp, bool download, off_t size);
/* --verify: checks the copy open as fd against the server's cp->remote
 * (HASH, else SIZE; sync_verify). FERRY_EXIT_OK when they agree or the
 * server tells neither (noted), else the error printed: FERRY_EXIT_BROKEN
 * when they differ. */
enum ferry_exit cli_xfer_verify(struct cli *c, const struct cli_copy *cp, int fd);
/* After a download into fd: gives it the server's modification time
 * (job->preserve), noting once when the server cannot tell. */
void cli_xfer_time_down(struct cli *c, const struct cli_xfer_job *job, int fd,
			const struct cli_copy *cp);
/* After an upload: gives the remote file the local file's time mtime
 * (job->preserve) where the server can set it, noting once when not. */
void cli_xfer_time_up(struct cli *c, const struct cli_xfer_job *job, const struct cli_copy *cp,
		      time_t mtime);

/* ---- cli_site.c: saved sites ---- */

/* Fills u (free with url_free) from the site called name in the sites
 * file, making its TLS choice and data connection mode the session's
 * settings and its local folder the working directory. Returns
 * FERRY_EXIT_OK, or an error (printed): no such site, a bad sites file,
 * a local folder that cannot be entered. */
enum ferry_exit cli_site_url(struct cli *c, const char *name, struct url *u);

/* ---- cli_tls.c: TLS ---- */

/* Hands the engine the notice printer and, when standard input is a
 * terminal, the certificate question. */
void cli_tls_setup(struct cli *c);
/* After an FTP_S_TLS failure: shows the server's certificate when it
 * was the reason (and not just shown in the question), with the
 * fingerprint accepted before when it changed. */
void cli_tls_detail(struct cli *c);

/* ---- cli.c: reporting ---- */

/* Prints an error for the running command and returns code. */
enum ferry_exit cli_fail(struct cli *c, enum ferry_exit code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints the engine's message for st (prefixed by name when not NULL)
 * and returns the matching exit status. */
enum ferry_exit cli_fail_ftp(struct cli *c, enum ftp_status st, const char *name);
/* Prints "name: strerror(err)" and returns FERRY_EXIT_LOCAL. */
enum ferry_exit cli_fail_errno(struct cli *c, int err, const char *name);
/* Asks "question [y/N]" when stdin is a terminal; without one only -y
 * agrees. Returns FERRY_EXIT_OK to go ahead, or FERRY_EXIT_DECLINED having
 * printed "refusal". -y always agrees. */
enum ferry_exit cli_confirm(struct cli *c, const char *question, const char *refusal);
/* Prints an informational line on stderr unless -q. */
void cli_note(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a line on stderr, -q or not (what a question is about). */
void cli_tell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Replaces the command text used in messages. */
void cli_set_what(struct cli *c, const char *what);
/* Writes text to stdout after sanitising it, then a newline. */
void cli_print(const char *text);

#endif
