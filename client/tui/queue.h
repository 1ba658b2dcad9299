/* queue: the TUI's transfer queue as a model: jobs (copies, and deletes
 * that run in the background) with their paths, progress and state
 * (queued, running, done, failed, cancelled, skipped),
 * and the policy for files whose target exists: a file found in a copied
 * directory waits, held, until the user's answer (overwrite, skip,
 * resume, rename, abort) releases, retargets or cancels it, and an answer
 * given "to all" settles the other files of that directory without
 * asking. Plain C: no curses, no I/O; the workers' reports update it, the
 * view draws it and the dialogs only ask. Each job belongs to a lane, the
 * workers that run it (copies: the transfer workers; deletes: the browser
 * of their side). A lane has slots, one per worker: the copy lane as many
 * as queue_set_parallel says (1 at first), the others one; each running
 * job holds a slot, and queue_next hands out a lane's oldest queued job
 * that is not held while a slot is free. Cancelling
 * works on one job, on a whole directory copy, or on everything; failed
 * jobs can be queued again. While jobs run, a pane they change is read
 * again after a gap that grows with its listing's time, up to a ceiling
 * (queue_reload_gap). */
#ifndef FERRY_TUI_QUEUE_H
#define FERRY_TUI_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "ratewin.h"

/* Longest job message kept (sanitised), in bytes. */
#define QUEUE_MSG_MAX 256
/* Most copies that may run at once (queue_set_parallel). */
#define QUEUE_PARALLEL_MAX 8
/* Least time between a pane's listing shown and its reload for ending
 * jobs while jobs run, in ms (queue_reload_gap)... */
#define QUEUE_RELOAD_GAP_MS 1000
/* ...and how many times as long as that listing took, when longer... */
#define QUEUE_RELOAD_COST_TIMES 4
/* ...but never longer than this, in ms: a pane whose listing is slow
 * still follows the copies into it. */
#define QUEUE_RELOAD_GAP_MAX_MS 10000

/* What a job does. */
enum queue_dir {
	QUEUE_DOWNLOAD,       /* copies remote file -> local file */
	QUEUE_UPLOAD,         /* copies local file -> remote file */
	QUEUE_DELETE_LOCAL,   /* deletes local (a file, or a directory with everything in it) */
	QUEUE_DELETE_REMOTE,  /* deletes remote (the same, on the server) */
};

/* The workers a job runs on: one job runs per slot of a lane at a time. */
enum queue_lane {
	QUEUE_LANE_COPY,     /* the transfer workers (queue_set_parallel of them) */
	QUEUE_LANE_LOCAL,    /* the local pane's browser */
	QUEUE_LANE_REMOTE,   /* the remote pane's browser */
	QUEUE_LANES,
};

/* What to do with a target that exists. */
enum queue_mode {
	QUEUE_MODE_NEW,        /* create or replace (the user agreed) */
	QUEUE_MODE_RESUME,     /* continue from the target's size */
	QUEUE_MODE_KEEP,       /* create only: a target that exists fails the copy (a
				* copy renamed in the question about its first target) */
};

/* What to do with a copy whose target exists: the user's answer. */
enum queue_answer {
	QUEUE_ANSWER_OVERWRITE,  /* replace the target */
	QUEUE_ANSWER_SKIP,       /* leave it; copy nothing */
	QUEUE_ANSWER_RESUME,     /* continue from the target's size */
	QUEUE_ANSWER_RENAME,     /* copy under another name, beside the target */
	QUEUE_ANSWER_ABORT,      /* skip this file and every other of its directory copy */
	QUEUE_ANSWER_ASK,        /* no answer yet: the user must be asked */
};

/* Where a job stands. */
enum queue_state {
	QUEUE_QUEUED,     /* waiting for the worker */
	QUEUE_RUNNING,    /* the worker is on it */
	QUEUE_DONE,       /* finished; the target is whole */
	QUEUE_FAILED,     /* stopped by an error (message says which) */
	QUEUE_CANCELLED,  /* stopped by the user */
	QUEUE_SKIPPED,    /* not copied: the target exists and the user said skip */
	QUEUE_STATE_COUNT,
};

/* How many jobs stand where (queue_counts). */
struct queue_counts {
	size_t running;   /* being run */
	size_t queued;    /* waiting, held ones included */
	size_t held;      /* of those, waiting for an answer */
	size_t failed;    /* ended by an error */
	size_t done;      /* finished */
	size_t cancelled; /* stopped by the user */
	size_t skipped;   /* skipped */
};

/* One transfer (owned by the queue: a pointer to it holds until a prune
 * drops it). Its state and held flag change only through the calls
 * below, which keep the queue's counts of them. */
struct queue_job {
	unsigned id;             /* unique within the queue, from 1 */
	enum queue_dir dir;      /* download or upload */
	enum queue_mode mode;    /* fresh or resumed */
	bool tree;               /* a directory to copy recursively (expanded by the worker), or to delete whole */
	bool link;               /* tree: a remote link, copied as a directory when it leads
				  * to one, else as the one file it leads to */
	bool held;               /* the target exists: not started until the user answers */
	bool stopping;           /* running, and its worker was asked to stop it */
	long long stop_at;       /* when its worker was first asked (ms, monotonic; 0: not yet) */
	bool retried;            /* queued again after failing (a directory copy: its files are not added twice) */
	unsigned slot;           /* running: the slot of its lane (which worker runs it), from 0 */
	unsigned parent;         /* the tree job this file came from, 0 when none */
	unsigned conn;           /* the connection it was queued for (queue_new_connection) */
	char *local;             /* local path (raw) */
	char *remote;            /* remote path (raw) */
	char *label;             /* name to show (sanitised) */
	off_t size;              /* bytes in all; -1 while unknown (a delete: entries) */
	time_t mtime;            /* the source's modification time; 0 unknown */
	off_t target_size;       /* a target that exists: its size; -1 when none or unknown */
	time_t target_mtime;     /* ...and its modification time; 0 unknown */
	off_t done;              /* bytes copied so far (resume offset included) */
	double rate;             /* bytes per second over the last seconds (ratewin.h) */
	bool stalled;            /* nothing arrived for RATEWIN_STALL_MS */
	struct ratewin *win;     /* running: the recent progress the rate is taken from
				  * (from its first progress; NULL before) */
	enum queue_state state;  /* where it stands */
	char message[QUEUE_MSG_MAX]; /* last error or note, "" when none */
};

struct queue;

/* Returns a new empty queue (never NULL); free with queue_free. */
struct queue *queue_new(void);
/* Frees q and its jobs; NULL is allowed. */
void queue_free(struct queue *q);
/* Marks tree job id as a remote link (see struct queue_job's link). */
void queue_set_link(struct queue *q, unsigned id);
/* Adds a queued job (strings copied; label is sanitised here); returns its
 * id. A delete job uses local or remote, by its side (the other may be ""). */
unsigned queue_add(struct queue *q, enum queue_dir dir, enum queue_mode mode, bool tree,
		   const char *local, const char *remote, off_t size);
/* The lane a job runs on. */
enum queue_lane queue_lane(const struct queue_job *j);
/* True for a job that deletes. */
bool queue_is_delete(const struct queue_job *j);
/* Records a file found in a directory copy: the dates of its source and
 * target and the size of its target (for the overwrite question). */
void queue_set_dates(struct queue *q, unsigned id, time_t mtime, off_t target_size,
		     time_t target_mtime);
/* Shows job id under the path it writes (a copy renamed on the way). */
void queue_show_target(struct queue *q, unsigned id);
/* Marks a queued job skipped (the user declined to replace its target);
 * false when it is not queued. */
bool queue_skip(struct queue *q, unsigned id);
/* Adds an entry that directory job parent leaves out (reported by the
 * worker), marked skipped with why (sanitised here); one already listed
 * is not added twice. Returns its id. */
unsigned queue_add_left_out(struct queue *q, unsigned parent, enum queue_dir dir,
			    const char *local, const char *remote, const char *why);
/* Adds a folder that directory job parent could not copy (reported by
 * the worker: the server refused to list it), as a folder copy that
 * failed with why (sanitised here), which a retry runs again; one listed
 * as failed already (its parent retried) gets the new why. Returns its
 * id. */
unsigned queue_add_failed_tree(struct queue *q, unsigned parent, enum queue_dir dir,
			       const char *local, const char *remote, const char *why);
/* Adds a file that directory job parent holds (reported by the worker):
 * it copies in the same direction and mode as parent (fresh when parent
 * is gone), and is held when its target exists. A directory copy that
 * was queued again after failing reports its files again: one already
 * listed (and not failed) is not added twice, and its id is returned.
 * Returns its id. */
unsigned queue_add_found(struct queue *q, unsigned parent, enum queue_dir dir,
			 const char *local, const char *remote, off_t size, bool target_exists);
/* The path a job writes: local for a download, remote for an upload, the
 * path deleted for a delete (owned by j). */
const char *queue_target(const struct queue_job *j);
/* Settles held jobs: applies the answers given "to all" for their
 * directory copy, and returns the first held job that needs the user
 * (owned by q), with *answer QUEUE_ANSWER_ASK (ask what to do) or
 * QUEUE_ANSWER_RENAME (renaming was chosen for all: ask only for the
 * name). NULL when no held job is left. */
struct queue_job *queue_held_next(struct queue *q, enum queue_answer *answer);
/* Carries out answer for held job id: overwrite and resume release it
 * (fresh or resumed), rename puts its target under the last name name
 * and releases it, showing it under the new name (skipped when name is
 * NULL or not a safe name), skip marks it skipped and abort cancels it.
 * With all, or for abort, the answer is remembered for the other held
 * files of its directory copy (abort cancels them too). Returns
 * false, changing nothing, when id is no longer a held, queued job or the
 * answer is QUEUE_ANSWER_ASK. */
bool queue_held_answer(struct queue *q, unsigned id, enum queue_answer answer, bool all,
		       const char *name);
/* Sets how many copies may run at once: n, from 1 to QUEUE_PARALLEL_MAX
 * (clamped). Running ones go on when n shrinks; no new one starts until
 * fewer than n run. */
void queue_set_parallel(struct queue *q, unsigned n);
/* Reads a number of copies at once as typed ("3"): 1 to
 * QUEUE_PARALLEL_MAX, or -1 for anything else. */
int queue_parse_parallel(const char *s);
/* How many copies may run at once. */
unsigned queue_parallel(const struct queue *q);
/* Marks the oldest queued job of lane that is not held running, in the
 * lowest free slot of the lane (j->slot), and returns it (owned by q), or
 * NULL when none is queued or every slot of the lane is taken. */
struct queue_job *queue_next(struct queue *q, enum queue_lane lane);
/* How long a pane waits, in ms, from a listing of it shown to its reload
 * for ending jobs while jobs run, when that listing took took ms from
 * asking to shown: reading a big folder again costs the screen's time
 * and the server's, but a pane read once in minutes shows little of what
 * the copies did. QUEUE_RELOAD_GAP_MS to QUEUE_RELOAD_GAP_MAX_MS. */
long long queue_reload_gap(long long took);
/* How many jobs queue_next has looked at so far, over all its calls (a
 * measure of its work, for tests). */
size_t queue_next_looks(const struct queue *q);
/* The running job in slot of lane, or NULL (owned by q). */
struct queue_job *queue_running_in(struct queue *q, enum queue_lane lane, unsigned slot);
/* The sum of the running jobs' rates, in bytes per second. */
double queue_total_rate(const struct queue *q);
/* The job with id, or NULL (owned by q). */
struct queue_job *queue_find(struct queue *q, unsigned id);
/* The oldest running job of lane, or NULL (owned by q). */
struct queue_job *queue_running(struct queue *q, enum queue_lane lane);
/* The oldest queued job, held ones included, or NULL (owned by q). */
struct queue_job *queue_first_queued(struct queue *q);
/* Records progress of a running job at now (ms, monotonic; total -1 keeps
 * the known size): its rate over the last seconds and whether it is
 * stalled follow; its note, if any, is over. */
void queue_progress(struct queue *q, unsigned id, off_t done, off_t total, long long now);
/* Ends a running job in state (DONE, FAILED or CANCELLED) with msg (may be NULL; sanitised here). */
void queue_finish(struct queue *q, unsigned id, enum queue_state state, const char *msg);
/* Sets a running job's note (a retry after a dropped connection); sanitised here. */
void queue_note(struct queue *q, unsigned id, const char *msg);
/* Sets the note of a job that ended done (an upload whose time could not
 * be set after it); sanitised here. Other jobs are left as they are. */
void queue_note_done(struct queue *q, unsigned id, const char *msg);
/* Cancels a job: a queued one becomes CANCELLED at once (returns false);
 * for a running one returns true, marks it stopping, and the caller must
 * ask the worker to stop (the state changes when the worker reports).
 * Finished jobs: false. */
bool queue_cancel(struct queue *q, unsigned id);
/* Cancels job id's whole directory copy: the directory job and every file
 * it found (id may be either). Returns how many running jobs were marked
 * stopping (their workers must be asked, see queue_cancel). */
size_t queue_cancel_folder(struct queue *q, unsigned id);
/* Cancels every job not finished; returns how many running ones were
 * marked stopping. */
size_t queue_cancel_all(struct queue *q);
/* Queues every failed job again (a fresh start; a directory copy is
 * expanded again without adding its files twice); returns how many. */
size_t queue_retry_failed(struct queue *q);
/* The connection is now to another server: the jobs not finished that
 * were queued for the old one and touch the server (copies, remote
 * deletes; not running: their workers are stopped by the caller) fail
 * with why, and none of the old connection's jobs is queued again by
 * queue_retry_failed. Returns how many failed here. */
size_t queue_new_connection(struct queue *q, const char *why);
/* Failed jobs of an earlier connection (queue_retry_failed leaves them). */
size_t queue_stale(const struct queue *q);
/* Counts the jobs by where they stand, pruned ones included. */
void queue_counts(const struct queue *q, struct queue_counts *c);
/* Seconds left for a job at its rate, or -1 when unknown or stalled. */
double queue_eta(const struct queue_job *j);
/* Percent done, 0..100, or -1 when the size is unknown. */
int queue_percent(const struct queue_job *j);
/* Number of jobs in the list. */
size_t queue_count(const struct queue *q);
/* The job at position i (oldest first), or NULL (owned by q). */
struct queue_job *queue_at(struct queue *q, size_t i);
/* Number of jobs queued or running. */
size_t queue_active(const struct queue *q);
/* Removes finished jobs (done, cancelled, skipped, and failed ones when
 * failed_too: failed ones otherwise stay, to be retried) beyond the newest
 * keep of them (0: all of them). They are still counted by queue_counts. */
void queue_prune(struct queue *q, size_t keep, bool failed_too);
/* The position of job id (oldest first), or SIZE_MAX when it is gone. */
size_t queue_index(const struct queue *q, unsigned id);
/* A short name for a state ("queued", "running", ...); static. */
const char *queue_state_name(enum queue_state s);

#endif
