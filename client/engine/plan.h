/* plan: what it takes to make one tree match another, the one
 * comparison behind the command line's mirror and the screen's compare
 * and sync. Pure: the trees come in as lists of entries (paths relative
 * to the trees' tops, '/' between names), the plan goes out as a list of
 * actions with their reasons; nothing is read, written or sent here.
 *
 * Rules (ferry(1), MIRROR):
 *  - a file only in the source is copied; a directory only in the source
 *    is made, and everything in it copied;
 *  - a file in both is compared by the chosen rule: size and time (the
 *    default: replaced when the sizes differ or the times differ by more
 *    than the coarser side can tell; where the target cannot be given
 *    the source's times, only a source newer than the target), newer (replaced only when the
 *    source's time is later), size only, or checksum (replaced when the
 *    digests differ; where a digest is missing, size and time decide and
 *    the reason says so);
 *  - what is only in the target is deleted with the delete option (a
 *    directory as a whole), else kept and reported as a skip; when
 *    either tree is incomplete (a listing not whole), nothing is deleted:
 *    what would go is kept with the reason, and the plan says so;
 *  - a file where the other side has a directory (or the other way
 *    round) is in the way: with the delete option it is deleted and the
 *    source's entry copied; without it both are left and reported;
 *  - entries that are neither files nor directories (links, devices) are
 *    skipped with a reason that says what they are (plan_entry_set_what);
 *  - an exclude pattern drops what it matches on both sides (so it is
 *    never deleted either), a directory with everything below it; include
 *    patterns, when there are any, limit the files to those that match
 *    one (directories are still entered). A pattern without '/' is
 *    matched against the last name, one with '/' against the whole
 *    relative path (wildmat.h: '*' does not cross '/').
 * Actions come out in tree order (a directory before what is in it), a
 * delete before the copy that takes its place. */
#ifndef FERRY_PLAN_H
#define FERRY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Longest reason text, in bytes. */
#define PLAN_REASON_MAX 160
/* Longest digest text kept for an entry ("SHA-512:" and 128 hex digits fit). */
#define PLAN_HASH_MAX 160

/* What an entry is. */
enum plan_kind {
	PLAN_FILE,
	PLAN_DIR,
	PLAN_OTHER,  /* a link, a device: never copied */
};

/* One entry of a tree. */
struct plan_entry {
	char *path;         /* relative to the tree's top, '/' between names; owned */
	enum plan_kind kind;
	off_t size;         /* bytes; -1 when unknown */
	time_t mtime;       /* seconds since the epoch (UTC); 0 when unknown */
	int mtime_prec;     /* how exact mtime is, in seconds (1: to the second;
	                     * 60: a listing that shows minutes; 86400: days) */
	char hash[PLAN_HASH_MAX];  /* the digest, any fixed form both sides share; "" unknown */
	char *what;         /* PLAN_OTHER: what it is, for the reasons ("a symbolic link");
	                     * NULL: "not a file or directory"; owned */
	bool kept;          /* PLAN_OTHER: never deleted, also with the delete option
	                     * (a file named as a download's temporary) */
};

/* A tree: entries in any order (plan_build sorts them). */
struct plan_tree {
	struct plan_entry *v;
	size_t n, cap;
	bool sorted;        /* v is in plan order: sorted, nothing added since */
	char *incomplete;   /* the first directory (named as its reader names it)
	                     * whose listing was not whole, so entries may be
	                     * missing; NULL: every listing whole; owned */
	bool unread;        /* that directory was not read at all */
};

/* How files in both trees are compared. */
enum plan_compare {
	PLAN_CMP_SIZE_TIME,  /* the default */
	PLAN_CMP_NEWER,      /* --newer */
	PLAN_CMP_SIZE,       /* --size-only */
	PLAN_CMP_CHECKSUM,   /* --checksum */
	PLAN_CMP_ALWAYS,     /* every file copied (a plain recursive copy) */
};

/* What the plan is asked for. */
struct plan_options {
	enum plan_compare compare;
	bool delete;                 /* delete what is only in the target */
	bool arrival_times;          /* the target's times are when its copies arrived (a
	                              * server that cannot set them): by size and time, a
	                              * target newer than the source is the same */
	const char *const *include;  /* patterns; NULL or ninclude 0: every file */
	size_t ninclude;
	const char *const *exclude;  /* patterns */
	size_t nexclude;
};

/* What an action does. */
enum plan_verb {
	PLAN_COPY,     /* the source's entry is new on the target (a directory: made) */
	PLAN_REPLACE,  /* the target's file is replaced by the source's */
	PLAN_DELETE,   /* the target's entry (a directory: with everything in it) goes */
	PLAN_SKIP,     /* nothing done, for the reason given */
};

/* One step of a plan. */
struct plan_action {
	enum plan_verb verb;
	char *path;          /* relative path; owned by the plan */
	enum plan_kind kind; /* the source's entry (the target's for a delete or a kept extra) */
	off_t size;          /* the source's size (the target's for a delete); -1 unknown */
	time_t mtime;        /* the source's time; 0 unknown */
	int mtime_prec;      /* and how exact it is */
	char reason[PLAN_REASON_MAX];  /* "missing", "size differs (3 -> 5 bytes)", ... */
};

/* A plan and its totals. */
struct plan {
	struct plan_action *v;
	size_t n, cap;
	size_t copies, replaces, deletes, skips;  /* actions of each verb */
	off_t bytes;     /* bytes the copies and replaces move (known sizes) */
	char withheld[PLAN_REASON_MAX];  /* why the delete option deletes nothing
	                                  * ("the listing of X was not whole", or
	                                  * "X could not be read": a tree was
	                                  * incomplete); "": it does */
	bool withheld_unread;            /* the second of those */
};

/* Prepares an empty tree. */
void plan_tree_init(struct plan_tree *t);
/* Appends an entry (path copied; hash may be NULL); returns it. */
struct plan_entry *plan_tree_add(struct plan_tree *t, const char *path, enum plan_kind kind,
				 off_t size, time_t mtime, int mtime_prec, const char *hash);
/* Notes that the listing of the directory path was not whole (lines not
 * understood, or it was not read at all): the first such directory is
 * kept, copied. */
void plan_tree_set_incomplete(struct plan_tree *t, const char *path);
/* The same for a directory that could not be read at all (left out). */
void plan_tree_set_unread(struct plan_tree *t, const char *path);
/* Removes the entry added last (none: nothing); only while the tree is
 * built (a sort, also plan_tree_find's, moves entries). */
void plan_tree_drop_last(struct plan_tree *t);
/* Says what e (PLAN_OTHER) is, for the reasons that name it; what is copied. */
void plan_entry_set_what(struct plan_entry *e, const char *what);
/* Frees the entries; the tree is empty afterwards. */
void plan_tree_free(struct plan_tree *t);
/* Finds the entry of path by binary search, NULL when there is none;
 * sorts the tree first (plan_tree_sort) when an entry was added since it
 * was sorted, so entries may move. */
struct plan_entry *plan_tree_find(struct plan_tree *t, const char *path);
/* Sorts a tree in plan order (a directory just before what is in it);
 * nothing to do when it is sorted already. */
void plan_tree_sort(struct plan_tree *t);

/* True when path (relative) is left out by o's include and exclude
 * patterns: an excluded name, or (files only) one no include matches. */
bool plan_filtered(const struct plan_options *o, const char *path, enum plan_kind kind);

/* Fills p (initialised here; free with plan_free) with what makes dst
 * match src under o. Sorts both trees. */
void plan_build(struct plan_tree *src, struct plan_tree *dst, const struct plan_options *o,
		struct plan *p);
/* Frees the actions. */
void plan_free(struct plan *p);

/* What comparing two folders says of an entry (the screen's compare). */
enum plan_mark {
	PLAN_MARK_NONE,       /* the same on both sides (or a directory on both) */
	PLAN_MARK_MISSING,    /* not on the other side */
	PLAN_MARK_NEWER,      /* newer than the other side's (by more than either can tell) */
	PLAN_MARK_DIFFERENT,  /* the same time but another size, or another kind of entry */
};
/* Compares two trees entry by entry, by the rules of plan_build's
 * default comparison (size and time), without a direction: each side's
 * entries get a mark in ma (a's entries, in a's order after sorting) and
 * mb. Sorts both trees. */
void plan_marks(struct plan_tree *a, struct plan_tree *b, enum plan_mark *ma, enum plan_mark *mb);
/* The verb's word as the plan prints it ("copy", "replace", "delete", "skip"). */
const char *plan_verb_name(enum plan_verb v);
/* Orders relative paths in plan order (strcmp, but '/' before every other byte). */
int plan_path_cmp(const char *a, const char *b);

#endif
