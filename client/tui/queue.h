/* queue: the TUI's transfer queue as a model: jobs with their direction,
 * paths, progress and state (queued, running, done, failed, cancelled),
 * and the policy for files whose target exists: a file found in a copied
 * directory waits, held, until the user's answer (overwrite, skip,
 * resume, rename, abort) releases, retargets or cancels it, and an answer
 * given "to all" settles the other files of that directory without
 * asking. Plain C: no curses, no I/O; the worker's reports update it, the
 * view draws it and the dialogs only ask. At most one job runs at a time
 * (the worker's one data connection); queue_next hands out the oldest
 * queued job that is not held. */
#ifndef FERRY_TUI_QUEUE_H
#define FERRY_TUI_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest job message kept (sanitised), in bytes. */
#define QUEUE_MSG_MAX 256

/* Which way a job copies. */
enum queue_dir {
	QUEUE_DOWNLOAD,  /* remote file -> local file */
	QUEUE_UPLOAD,    /* local file -> remote file */
};

/* What to do with a target that exists. */
enum queue_mode {
	QUEUE_MODE_NEW,        /* create or replace (the user agreed) */
	QUEUE_MODE_RESUME,     /* continue from the target's size */
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
	QUEUE_STATE_COUNT,
};

/* One transfer. */
struct queue_job {
	unsigned id;             /* unique within the queue, from 1 */
	enum queue_dir dir;      /* download or upload */
	enum queue_mode mode;    /* fresh or resumed */
	bool tree;               /* a directory to copy recursively (expanded by the worker) */
	bool held;               /* the target exists: not started until the user answers */
	unsigned parent;         /* the tree job this file came from, 0 when none */
	char *local;             /* local path (raw) */
	char *remote;            /* remote path (raw) */
	char *label;             /* name to show (sanitised) */
	off_t size;              /* bytes in all; -1 while unknown */
	off_t done;              /* bytes copied so far (resume offset included) */
	double rate;             /* bytes per second */
	enum queue_state state;  /* where it stands */
	char message[QUEUE_MSG_MAX]; /* last error or note, "" when none */
};

struct queue;

/* Returns a new empty queue (never NULL); free with queue_free. */
struct queue *queue_new(void);
/* Frees q and its jobs; NULL is allowed. */
void queue_free(struct queue *q);
/* Adds a queued job (strings copied; label is sanitised here); returns its id. */
unsigned queue_add(struct queue *q, enum queue_dir dir, enum queue_mode mode, bool tree,
		   const char *local, const char *remote, off_t size);
/* Adds a file that directory job parent holds (reported by the worker):
 * it copies in the same direction and mode as parent (fresh when parent
 * is gone), and is held when its target exists. Returns its id. */
unsigned queue_add_found(struct queue *q, unsigned parent, enum queue_dir dir,
			 const char *local, const char *remote, off_t size, bool target_exists);
/* The path a job writes: local for a download, remote for an upload (owned by j). */
const char *queue_target(const struct queue_job *j);
/* Settles held jobs: applies the answers given "to all" for their
 * directory copy, and returns the first held job that needs the user
 * (owned by q), with *answer QUEUE_ANSWER_ASK (ask what to do) or
 * QUEUE_ANSWER_RENAME (renaming was chosen for all: ask only for the
 * name). NULL when no held job is left. */
struct queue_job *queue_held_next(struct queue *q, enum queue_answer *answer);
/* Carries out answer for held job id: overwrite and resume release it
 * (fresh or resumed), rename puts its target under the last name name
 * and releases it (skipped when name is NULL or not a safe name), skip
 * and abort cancel it. With all, or for abort, the answer is remembered
 * for the other held files of its directory copy (abort as skip). Returns
 * false, changing nothing, when id is no longer a held, queued job or the
 * answer is QUEUE_ANSWER_ASK. */
bool queue_held_answer(struct queue *q, unsigned id, enum queue_answer answer, bool all,
		       const char *name);
/* Marks the oldest queued job that is not held running and returns it (owned by q), or
 * NULL when none is queued or one is already running. */
struct queue_job *queue_next(struct queue *q);
/* The job with id, or NULL (owned by q). */
struct queue_job *queue_find(struct queue *q, unsigned id);
/* The running job, or NULL (owned by q). */
struct queue_job *queue_running(struct queue *q);
/* Records progress of a running job (total -1 keeps the known size). */
void queue_progress(struct queue *q, unsigned id, off_t done, off_t total, double rate);
/* Ends a running job in state (DONE, FAILED or CANCELLED) with msg (may be NULL; sanitised here). */
void queue_finish(struct queue *q, unsigned id, enum queue_state state, const char *msg);
/* Cancels a job: a queued one becomes CANCELLED at once (returns false);
 * for a running one returns true and the caller must ask the worker to
 * stop (the state changes when the worker reports). Finished jobs: false. */
bool queue_cancel(struct queue *q, unsigned id);
/* Seconds left for a job at its rate, or -1 when unknown. */
double queue_eta(const struct queue_job *j);
/* Percent done, 0..100, or -1 when the size is unknown. */
int queue_percent(const struct queue_job *j);
/* Number of jobs in the list. */
size_t queue_count(const struct queue *q);
/* The job at position i (oldest first), or NULL (owned by q). */
struct queue_job *queue_at(struct queue *q, size_t i);
/* Number of jobs queued or running. */
size_t queue_active(const struct queue *q);
/* Removes finished jobs (done, failed, cancelled) beyond the newest keep of them. */
void queue_prune(struct queue *q, size_t keep);
/* A short name for a state ("queued", "running", ...); static. */
const char *queue_state_name(enum queue_state s);

#endif
