/* sync: reading the two trees a plan compares (plan.h) and carrying out
 * its actions, for both front ends. A local tree is read with lstat (a
 * link is an entry of its own kind, never followed), a remote one with
 * one listing per directory through the engine. An action runs on the
 * handle it is given, so several handles can share one plan's actions.
 *
 * A download arrives under a hidden temporary beside its target, locked
 * while it is written (tempname.h; stale ones of the target are removed
 * first), and takes the real name only when complete, with the
 * server's modification time (the listing's, else MDTM). An upload is
 * STOR, then MFMT with the local time where the server offers it.
 * Nothing is printed: a failed call leaves one sanitised line in the
 * message buffer it was given. */
#ifndef FERRY_SYNC_H
#define FERRY_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "ftp.h"
#include "plan.h"
#include "tempname.h"

/* Longest message, in bytes. */
#define SYNC_MSG_MAX 2048

/* Which way the copies go. */
enum sync_way {
	SYNC_DOWNLOAD,  /* the remote tree is the source, the local one the target */
	SYNC_UPLOAD,    /* the local tree is the source */
};

/* The two tops of a sync. */
struct sync_job {
	enum sync_way way;
	const char *local;   /* the local directory */
	const char *remote;  /* the remote directory */
	bool verify;         /* compare each copy with the server's HASH (or SIZE) */
};

/* A directory below the top that a scan cannot read (path as the scan
 * names it; why: the system's error for a local one, the server's reply
 * for a remote one the server refuses to list). */
typedef void sync_unread_fn(void *arg, const char *path, const char *why);

/* Reads the local tree below top into t (initialised by the caller),
 * paths relative to top. A top that does not exist gives an empty tree
 * (when missing_ok) or an error. A directory below the top that cannot
 * be read fails the scan, or with unread set goes to it (with
 * unread_arg) and is left out, t marked incomplete (a plan then deletes
 * nothing). Returns true, or false with msg set. */
bool sync_scan_local(const char *top, bool missing_ok, struct plan_tree *t,
		     sync_unread_fn *unread, void *unread_arg, char *msg, size_t msgsz);
/* Removes from the local tree below top the stale temporaries of plain
 * downloads (".STEM.ferry-XXXXXX", tempname.h: not locked by a running
 * download) whose file the remote tree (read by sync_scan_remote) does
 * not hold, as a killed download leaves them when the server's file is
 * deleted before the next run; the temporaries of files still there are
 * left to their downloads, and those of get --segments with their state
 * (what it continues from) stay. Nothing is removed when the remote
 * tree is incomplete, nor a file the server lists under a temporary's
 * name. */
void sync_clear_orphans(const char *top, struct plan_tree *remote);

/* Told about a listed name the remote scan passes over because it is not
 * a plain name below its directory ("a/b", "../x", ""; "." and ".." are
 * passed over without a word): display is the name sanitised. */
typedef void sync_skip_fn(void *arg, const char *display);

/* Reads the remote tree below top into t likewise; a LIST time (not to
 * the second) gets the precision it shows (minutes for this half year,
 * else days). A name that is not a plain name is left out and handed to
 * skipped (with skip_arg; NULL: left out silently). A listing with lines
 * not understood marks t incomplete (plan_tree_set_incomplete), naming
 * its directory, so that a plan deletes nothing. A directory below the
 * top that the server refuses to list fails the scan, or with unread set
 * goes to it (with unread_arg) and is left out, t marked incomplete.
 * Returns FTP_S_OK, or a failure with msg set; a top the server refuses
 * to list is an empty tree when missing_ok, and an empty listing of a
 * top the server cannot enter is FTP_S_REFUSED otherwise (vsftpd lists
 * a missing folder as empty). */
enum ftp_status sync_scan_remote(struct ftp *f, const char *top, bool missing_ok,
				 struct plan_tree *t, sync_skip_fn *skipped, void *skip_arg,
				 sync_unread_fn *unread, void *unread_arg, char *msg, size_t msgsz);
/* sync_scan_remote, taking each link below top as what it leads to
 * (tree_link_follow): a file (with the size SIZE and the time MDTM
 * give), or a directory read like any other; one leading back to a
 * directory the scan is in, or above them, and one leading nowhere, go
 * into t as neither file nor directory, saying so, and each of the
 * latter adds one to *nowhere. */
enum ftp_status sync_scan_remote_follow(struct ftp *f, const char *top, bool missing_ok,
					struct plan_tree *t, sync_skip_fn *skipped,
					void *skip_arg, sync_unread_fn *unread, void *unread_arg,
					size_t *nowhere, char *msg, size_t msgsz);

/* --checksum: for every file of the same size on both sides, asks the
 * server for its HASH and computes the same digest of the local file
 * (common/digest), filling both entries' hash. Sorts both trees. The
 * server must offer HASH (FTP_FEAT_HASH). Returns FTP_S_OK, or a failure
 * with msg set. */
enum ftp_status sync_checksums(struct ftp *f, const struct sync_job *j, struct plan_tree *local,
			       struct plan_tree *remote, char *msg, size_t msgsz);

/* Makes the remote directory path unless it is there already (MKD;
 * after a refusal, entering it shows whether it exists). FTP_S_OK, or
 * the failure with msg set. */
enum ftp_status sync_remote_mkdir(struct ftp *f, const char *path, char *msg, size_t msgsz);

/* Checks that the local file open as fd holds what the server has as
 * remote: the server's HASH against the same digest of fd where FEAT
 * offers HASH, else the server's SIZE against fd's size. FTP_S_OK when
 * they agree (or the server tells neither: then msg says so and
 * *checked is false); FTP_S_BROKEN with msg saying how they differ;
 * another failure when the question itself failed. */
enum ftp_status sync_verify(struct ftp *f, const char *remote, int fd, bool *checked, char *msg,
			    size_t msgsz);

/* Carries out a (not a skip) on f: a copy or replace of a file (progress
 * may be NULL), the making of a directory, a delete (a directory with
 * everything in it). A download looks for the stale temporaries of its
 * target among the names temps read of its directory
 * (tempname_sweep_listed: one per thread, kept for the run, so that a
 * directory is read once for all of its files; NULL reads it each
 * time). Returns FTP_S_OK, or a failure with msg set (FTP_S_LOCAL for a
 * local error). *moved gets the bytes transferred. */
enum ftp_status sync_act(struct ftp *f, const struct sync_job *j, const struct plan_action *a,
			 struct tempname_dir *temps, ftp_progress_fn *progress, void *arg,
			 off_t *moved, char *msg, size_t msgsz);

#endif
