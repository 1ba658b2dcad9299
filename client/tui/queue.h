/* queue: the TUI's transfer queue as a model: jobs with their direction,
 * paths, progress and state (queued, running, done, failed, cancelled).
 * Plain C: no curses, no I/O; the worker's reports update it and the
 * view draws it. At most one job runs at a time (the worker's one data
 * connection); queue_next hands out the oldest queued job. */
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
