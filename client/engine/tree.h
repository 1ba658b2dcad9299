/* tree: walking a directory tree to copy it: the one walk behind the
 * command line's get -r and put -r and the TUI's directory copies; and
 * removing a remote tree (rm -r).
 *
 * A download walks the server's tree (one listing per directory, through
 * the engine), an upload the local one (readdir). Each directory's target
 * is made as the walk enters it: mkdir locally, MKD remotely, where a
 * refusal is fine when the directory turns out to exist (entering it and
 * coming back shows that, since MKD's refusal does not say why). Entries
 * are visited in name order; "." and ".." are passed over, names that
 * could climb out of the target ("a/b", "") and entries that are neither
 * files nor directories (links, devices: no loops, no surprises) are
 * reported as skipped, as is a directory that leads back to one the walk
 * is in (a link such as "loop -> ." that the server lists as a directory,
 * known by the MLSx unique fact); every file is handed to the caller, which copies or
 * queues it. Nothing is printed: the outcome and its one-line message
 * come back in a struct tree_result. */
#ifndef FERRY_TREE_H
#define FERRY_TREE_H

#include <dirent.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "ftp.h"

/* Deepest directory nesting copied (levels below the top). */
#define TREE_DEPTH_MAX 64
/* Longest message of a failed walk, in bytes. */
#define TREE_MSG_MAX 2048

/* Which tree is walked. */
enum tree_way {
	TREE_DOWNLOAD,  /* the server's tree into a local directory */
	TREE_UPLOAD,    /* a local tree into a server directory */
};

/* Why an entry is not copied. */
enum tree_skip {
	TREE_SKIP_NAME,  /* its name is not safe below a directory (local and remote are NULL) */
	TREE_SKIP_TYPE,  /* neither a file nor a directory (a link, a device) */
	TREE_SKIP_LOOP,  /* a directory the walk is already in, under another name */
	TREE_SKIP_NOWHERE,  /* a link followed (follow_links) that the server
			     * refuses as a file and as a directory */
	TREE_SKIP_TEMP,  /* a remote file named as a download's temporary (tempname_is),
			  * which a download beside its copy would remove as stale */
};

/* What get -r and the screen's folder copy say of a TREE_SKIP_TEMP entry. */
#define TREE_TEMP_TEXT "named as a download's temporary"

/* An entry the walk meets; valid only during the callback. */
struct tree_entry {
	const char *local;        /* its local path (the target of a download), raw */
	const char *remote;       /* its remote path (the target of an upload), raw */
	const char *display;      /* its name in the source, sanitised for messages */
	enum ftp_entry_type type; /* what the source says it is */
	off_t size;               /* the source's size in bytes; -1 when unknown */
	time_t mtime;             /* the source's modification time when known to the
				   * second (MLSD, local files); 0: ask (MDTM) */
	bool fresh;               /* its directory was made by this walk: no target exists yet */
	const char *loops_to;     /* TREE_SKIP_LOOP: the remote path of the directory above
				   * that it leads back to, raw (NULL: not known) */
	const char *why;          /* TREE_SKIP_NOWHERE: the server's reply, raw */
};

/* What the caller does with what the walk meets. */
struct tree_visitor {
	/* A file to copy; returns false to stop the walk. */
	bool (*file)(void *arg, const struct tree_entry *e);
	/* An entry not copied; NULL ignores them. */
	void (*skipped)(void *arg, const struct tree_entry *e, enum tree_skip why);
	/* A remote directory (path as the walk names it) whose listing l had
	 * lines not understood (l->skipped), so entries may be missing from
	 * the copy. NULL ignores them. */
	void (*partial)(void *arg, const char *dir, const struct ftp_listing *l);
	/* A directory the walk cannot read (why: raw): a download's remote
	 * directory below the top that the server refuses to list (why: its
	 * reply), or an upload's local directory below the top that cannot
	 * be read (why: the system's error); with this set it is left out
	 * (no target directory made) and the walk goes on. For a removal
	 * (local NULL), a remote directory the server refuses to list and
	 * will not remove, which stays with the directories above it.
	 * NULL fails the walk. */
	void (*unlisted)(void *arg, const char *local, const char *remote, const char *why);
	/* An upload's directory below the top whose remote copy cannot be
	 * made because its name, taken from the local one, holds a line
	 * break (ftp_upload_status: status FTP_S_LOCAL); local and remote
	 * are its paths, msg one sanitised line, "PATH: reason". With this
	 * set it is left out (nothing in it visited) and the walk goes on;
	 * NULL fails the walk. */
	void (*unsendable)(void *arg, const char *local, const char *remote, const char *msg);
	/* Asked before each entry; true stops the walk (Ctrl-C, a cancel). NULL: never. */
	bool (*stop)(void *arg);
	void *arg;  /* passed to each */
	/* A download copies each remote link as what it leads to
	 * (tree_link_follow): a file, or a directory walked like any other;
	 * false: links are skipped (TREE_SKIP_TYPE). */
	bool follow_links;
};

/* How a walk ended. */
enum tree_end {
	TREE_DONE,     /* every entry visited */
	TREE_STOPPED,  /* a visitor callback stopped it */
	TREE_FAILED,   /* the walk itself failed: see status and msg */
};

/* The outcome of a walk. */
struct tree_result {
	enum tree_end end;        /* how it ended */
	enum ftp_status status;   /* TREE_FAILED: FTP_S_LOCAL for a local error, else the engine's */
	char msg[TREE_MSG_MAX];   /* TREE_FAILED: one sanitised line, "PATH: reason" */
	size_t removed_files;     /* tree_remove: files and links deleted */
	size_t removed_dirs;      /* tree_remove: directories removed */
};

/* Walks the source tree of way: the remote directory remote into the
 * local directory local (TREE_DOWNLOAD), or local into remote
 * (TREE_UPLOAD), making target directories and calling v for every entry
 * below. Fills r. Relative remote paths are taken from the current
 * remote directory, which the walk leaves where it found it. */
void tree_walk(struct ftp *f, enum tree_way way, const char *local, const char *remote,
	       const struct tree_visitor *v, struct tree_result *r);

/* The directories a remote walk is in, innermost first, by their MLSx
 * unique fact (NULL where the server gives none). */
struct tree_chain {
	const char *unique;
	const char *path;             /* its remote path, raw (NULL: not known) */
	const struct tree_chain *up;
	const char *real;             /* where a followed link to it leads, as
				       * path_resolve writes it (NULL: path) */
};

/* The directory of chain that the listed directory e is (the same unique
 * fact): e is a link leading back up, which a walk must not enter. NULL
 * when e is none of them. */
const struct tree_chain *tree_chain_loops(const struct tree_chain *chain,
					  const struct ftp_entry *e);

/* What a remote link leads to, for a copy that follows links. */
enum tree_link {
	TREE_LINK_FILE,     /* a file: size (-1: not known) */
	TREE_LINK_DIR,      /* a directory, not one the walk is in: unique and real set */
	TREE_LINK_LOOP,     /* a directory the walk is in, or one above them: loops_to */
	TREE_LINK_NOWHERE,  /* the server sends it neither as a file nor as a directory */
};

/* What tree_link_follow found; tree_link_free frees it. */
struct tree_link_info {
	enum tree_link kind;
	off_t size;             /* TREE_LINK_FILE: its size (SIZE), -1 when not known */
	char *unique;           /* TREE_LINK_DIR: its MLSx unique fact (MLST), or NULL */
	char *real;             /* TREE_LINK_DIR, LOOP: where it leads, as path_resolve
				 * writes it from the chain's paths, or NULL */
	const char *loops_to;   /* TREE_LINK_LOOP: the path of the directory of the
				 * chain it leads back to, or where it leads when
				 * that is above them all; NULL: not known */
};

/* Tells what the remote link e (listed in the directory chain is the
 * innermost of; path: its remote path) leads to, leaving the connection
 * where it was: a directory or not as tree_remote_is_dir says, a file
 * when the server sizes it (SIZE), nothing when it does neither. A
 * directory leads back up (TREE_LINK_LOOP) when its target, taken from
 * the link's directory (e->target, as LIST's "-> TARGET" or MLSx's
 * OS.unix=slink:TARGET show it), is one of chain or above one of them,
 * or when its unique fact (MLST) is one of chain's. FTP_S_OK with out
 * filled, or the failure of the connection. */
enum ftp_status tree_link_follow(struct ftp *f, const struct tree_chain *chain,
				 const struct ftp_entry *e, const char *path,
				 struct tree_link_info *out);
/* Frees what out holds. */
void tree_link_free(struct tree_link_info *out);

/* Writes what an entry leading back up to the remote directory to is
 * (NULL: not known), sanitised, into out: "a link back to TO, a folder
 * above it", TO elided in its middle when long. Returns out. */
char *tree_loop_text(const char *to, char *out, size_t outsz);

/* Writes what a listing with lines not understood left out, as the
 * command line says it, sanitised, into out: "the listing of DIR had N
 * lines not understood, left out (the first: "LINE")", without "of DIR"
 * when dir is NULL and without the first line when first is NULL or "".
 * Returns out. */
char *tree_partial_text(const char *dir, size_t lines, const char *first, char *out,
			size_t outsz);

/* The unique fact of the remote directory dir (from MLST), for the top of
 * a chain, or NULL; asked only when the listing l of dir shows a
 * directory with one. The caller frees it. */
char *tree_chain_top(struct ftp *f, const char *dir, const struct ftp_listing *l);

/* Tells whether the remote path is a directory, leaving the connection
 * where it was: sets *dir and returns FTP_S_OK, or returns the failure
 * with the engine's message. Where the connection knows its directory
 * (PWD), the server is asked to enter path (CWD) and come back; a
 * refused CWD means no directory, and a CWD back that fails is the
 * failure (the connection is no longer where its caller thinks). Where
 * it does not (no PWD), it never moves, since nothing would bring it
 * back: what the server says of path tells (MLST's type; for a link, or
 * on a server without MLST, SIZE, which sizes files only), and a path of
 * which the server knows no file is taken for a directory (a link to a
 * folder; a name that is not there fails when it is listed). */
enum ftp_status tree_remote_is_dir(struct ftp *f, const char *path, bool *dir);

/* Lists the remote directory dir into l (initialised here; the caller
 * frees it after FTP_S_OK) for a walk, not believing what a server that
 * lists with LIST sends for a directory it cannot list: nothing (vsftpd,
 * for one it cannot find; believed when empty_ok) or one entry of the
 * directory's own name (vsftpd, for one it cannot read: the directory
 * itself, as ls -d shows it). Such a listing stands only when dir is a
 * directory (tree_remote_is_dir). FTP_S_OK, or the failure with the
 * engine's message (the listing's, or the refusal of dir as a
 * directory); FTP_S_REFUSED with *not_dir set when dir is found to be a
 * file or a link, its one entry no directory either (the message then
 * the reply that told it, which is no reason to show: "DIR: not a
 * directory on the server" is, TREE_NOT_DIR). */
enum ftp_status tree_list_sure(struct ftp *f, const char *dir, bool empty_ok,
			       struct ftp_listing *l, bool *not_dir);
/* What a walk says of a name it was to list that is no directory, after "NAME: ". */
#define TREE_NOT_DIR "not a directory on the server"

/* Reads the names in the local directory dir, sorted, without "." and
 * "..". NULL on error (errno set); the caller frees each name and the array. */
char **tree_read_dir(const char *dir, size_t *n);
/* tree_read_dir for the directory d, opened already; closes it. */
char **tree_read_names(DIR *d, size_t *n);

/* Removes the remote directory remote and everything in it, as rm -r and
 * the screen's delete do: lists it, deletes its files and links (a link
 * is deleted, never followed), goes into its directories, then RMD.
 * Stops at the first failure (but a directory the server refuses to
 * list and will not remove goes to v->unlisted when set, and the rest is
 * removed around it), and refuses a listing name that is not a
 * plain name rather than delete something else, and a directory that
 * DELE does not remove and that leads back to one being removed or above
 * it (the MLSx unique fact, as tree_walk knows it; MLST of remote/.. and
 * up for the directories above) rather than go round a loop or empty a
 * directory above. v->stop is asked before each entry (v->file and
 * v->skipped are not used). Fills r. */
void tree_remove(struct ftp *f, const char *remote, const struct tree_visitor *v,
		 struct tree_result *r);

#endif
