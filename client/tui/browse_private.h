/* browse_private: what the browsing worker's files share (browse.c, the
 * request loop; browse_ops.c, the two sides' file operations). Nobody
 * else includes it. */
#ifndef FERRY_TUI_BROWSE_PRIVATE_H
#define FERRY_TUI_BROWSE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ftp.h"
#include "wire.h"
#include "worker_conn.h"

/* Deepest directory nesting a local recursive delete walks into. */
#define BROWSE_DEPTH_MAX 256

struct browse;

/* The operations of one side; paths are raw and absolute. Each returns
 * false with b->msg set when it fails. */
struct browse_ops {
	/* Lists path: one browse_entry call per entry; sets b->dir to its real name. */
	bool (*list)(struct browse *b, const char *path);
	/* Makes directory path. */
	bool (*mkdir)(struct browse *b, const char *path);
	/* True when path exists (setting *size and *mtime when known). */
	bool (*exists)(struct browse *b, const char *path, int64_t *size, int64_t *mtime);
	/* Renames from to to (replacing what to names). */
	bool (*rename)(struct browse *b, const char *from, const char *to);
	/* Removes a file or link (never following it). */
	bool (*remove)(struct browse *b, const char *path);
	/* Removes directory path and everything in it, counting every entry
	 * removed (the directory too) in b->removed and calling
	 * browse_between between two of them; stops when it returns false. */
	bool (*rmtree)(struct browse *b, const char *path);
	/* Finds the names matching pattern below path, sending each as an
	 * entry named by its path below it (browse_find.c); sets b->dir. */
	bool (*find)(struct browse *b, const char *path, const char *pattern);
	/* Reads the whole tree below path as a plan reads it (sync.h),
	 * sending each entry named by its path below it; sets b->dir. */
	bool (*scan)(struct browse *b, const char *path);
	/* Free bytes where path is, -1 unknown (browse_info.c). */
	int64_t (*avail)(struct browse *b, const char *path);
	/* Writes what is known of path into out, a fact a line (browse_info.c). */
	bool (*info)(struct browse *b, const char *path, char *out, size_t outsz);
};

/* A browsing worker's state. */
struct browse {
	const struct browse_ops *ops;   /* its side's operations */
	struct ftp *ftp;                /* the remote side's connection (conn.ftp); NULL locally */
	struct worker_conn conn;        /* ...its line to the screen; requests kept while the
					 * engine waits for an answer come from here first */
	int in_fd;                      /* requests from the screen */
	struct wire_reader reader;      /* bytes from in_fd not taken yet */
	struct wire_writer out;         /* answers to the screen */
	struct wire_msg req;            /* the request being answered */
	struct wire_msg polled;         /* a request read while a delete runs */
	struct wire_msg rep;            /* the answer being sent */
	unsigned listing;               /* id of the listing whose entries are being sent */
	char msg[WIRE_STR_MAX + 1];     /* why the last operation failed */
	char dir[WIRE_STR_MAX + 1];     /* a listing's directory, as its side names it */
	bool fell_back;                 /* the listing came from LIST after MLSD was refused */
	bool incomplete;                /* a scan's listing below was not whole (msg names where) */
	unsigned deleting;              /* the delete job running, 0 when none */
	bool cancelled;                 /* the running delete was cancelled */
	bool in_closed;                 /* the screen closed its pipe */
	long long removed;              /* entries the running delete removed */
	long long reported_ms;          /* when its progress was last sent */
	bool no_avbl;                   /* the server refused AVBL: not asked again */
};

/* The local and the remote side. */
extern const struct browse_ops browse_local_ops;
extern const struct browse_ops browse_remote_ops;

/* Sends one entry of the listing being answered. */
void browse_entry(struct browse *b, const char *name, enum ftp_entry_type type, int64_t size,
		  int64_t mtime, const char *target, bool link, bool broken);
/* Between two entries of the running delete: reports progress (b->removed)
 * now and then, and answers the requests waiting. False when the delete
 * must stop (cancelled, or the screen is gone). */
bool browse_between(struct browse *b);
/* Notes one more entry removed by the running delete, then browse_between. */
bool browse_step(struct browse *b);
/* ---- browse_find.c: finding names below a folder ---- */

bool browse_local_find(struct browse *b, const char *path, const char *pattern);
bool browse_remote_find(struct browse *b, const char *path, const char *pattern);
bool browse_local_scan(struct browse *b, const char *path);
bool browse_remote_scan(struct browse *b, const char *path);

/* ---- browse_info.c: the facts of one entry ---- */

/* Local: lstat's facts (type, exact size, permissions, owner, group,
 * times, links, a link's target). */
bool browse_local_info(struct browse *b, const char *path, char *out, size_t outsz);
/* Remote: the server's MLST facts, and STAT's line when it gives one;
 * else SIZE and MDTM. */
bool browse_remote_info(struct browse *b, const char *path, char *out, size_t outsz);
/* Free bytes for an unprivileged user: statvfs locally, AVBL remotely
 * (asked no more once the server refused it); -1 unknown. */
int64_t browse_local_avail(struct browse *b, const char *path);
int64_t browse_remote_avail(struct browse *b, const char *path);

/* Sets b->msg (printf-style). */
void browse_fail(struct browse *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
