/* queue: the transfer queue model (see queue.h). Jobs, each allocated,
 * sit in an array of pointers oldest first; ids only grow. Every change
 * of a job's state or held flag goes through queue_move, which keeps
 * counts of them (by state, by lane), the running job of each slot,
 * where each lane's first queued job may be and the ids of each lane's
 * jobs that may run (a heap): what the screen asks many times a second
 * (counts, the running jobs, their total rate, the first one queued)
 * takes O(1), or a walk over the slots, and the next job to run
 * O(log n), however many jobs wait, are held or failed. The files folder
 * copies found are in a hash table by folder job and paths, so a folder
 * copied again finds each of them in O(1). No curses, no I/O here. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "path.h"
#include "queue.h"
#include "sanitize.h"
#include "sbuf.h"
#include "strset.h"
#include "xalloc.h"

/* Longest label kept, in bytes. */
#define QUEUE_LABEL_MAX 512

/* Job ids, smallest on top (a binary min-heap). */
struct queue_heap {
	unsigned *v;   /* v[i] is no bigger than v[2i+1] and v[2i+2] */
	size_t n;      /* ids in v */
	size_t cap;    /* room in v */
};

struct queue {
	struct queue_job **v; /* jobs, oldest first (each allocated: a prune moves pointers) */
	size_t n;             /* jobs in v */
	size_t cap;           /* slots in v */
	unsigned next_id;     /* id of the next job added */
	size_t gone[QUEUE_STATE_COUNT]; /* finished jobs pruned, by state (still counted) */
	unsigned all_parent;  /* directory job whose held files take all_answer; 0 none */
	enum queue_answer all_answer; /* the answer given "to all" for it */
	unsigned parallel;    /* slots of the copy lane: copies run at once */
	unsigned conn;        /* the working connection, counted by queue_new_connection */
	size_t count[QUEUE_STATE_COUNT]; /* jobs in v, by state */
	size_t held;          /* queued jobs in v held for an answer */
	size_t ready[QUEUE_LANES];   /* queued jobs in v not held, by lane */
	size_t running[QUEUE_LANES]; /* running jobs in v, by lane */
	struct queue_job *run[QUEUE_LANES][QUEUE_PARALLEL_MAX]; /* the job running in
							 * each slot, NULL when free */
	size_t from[QUEUE_LANES];    /* no job of the lane before v[from] is queued */
	struct queue_heap ready_ids[QUEUE_LANES]; /* the ids of the lane's queued jobs
						   * not held, and of some that were */
	size_t looks;                /* jobs queue_next looked at (queue_next_looks) */
	struct queue_job **found;    /* the jobs with a parent, hashed by parent and paths
				      * (queue_found_hash; open addressing, NULL free) */
	size_t found_size;           /* slots in found: 0, or a power of two at least twice... */
	size_t found_n;              /* ...the jobs in it */
};

/* Names of the states, indexed by enum queue_state. */
static const char *const queue_state_names[QUEUE_STATE_COUNT] = {
	[QUEUE_QUEUED] = "queued",
	[QUEUE_RUNNING] = "running",
	[QUEUE_DONE] = "done",
	[QUEUE_FAILED] = "failed",
	[QUEUE_CANCELLED] = "cancelled",
	[QUEUE_SKIPPED] = "skipped",
};

struct queue *queue_new(void)
{
	struct queue *q = xcalloc(1, sizeof *q);
	q->next_id = 1;
	q->parallel = 1;
	return q;
}

/* What each answer does to a held job: release it in a mode, or end it. */
static const struct {
	bool release;          /* the job runs (after a rename, for QUEUE_ANSWER_RENAME) */
	enum queue_mode mode;  /* ...in this mode */
	enum queue_state end;  /* ...else it ends so */
} queue_answers[] = {
	[QUEUE_ANSWER_OVERWRITE] = { true, QUEUE_MODE_NEW, QUEUE_SKIPPED },
	[QUEUE_ANSWER_SKIP] = { false, QUEUE_MODE_NEW, QUEUE_SKIPPED },
	[QUEUE_ANSWER_RESUME] = { true, QUEUE_MODE_RESUME, QUEUE_SKIPPED },
	[QUEUE_ANSWER_RENAME] = { true, QUEUE_MODE_KEEP, QUEUE_SKIPPED },
	[QUEUE_ANSWER_ABORT] = { false, QUEUE_MODE_NEW, QUEUE_CANCELLED },
};

/* The lane of each kind of job. */
static const enum queue_lane queue_lanes[] = {
	[QUEUE_DOWNLOAD] = QUEUE_LANE_COPY,
	[QUEUE_UPLOAD] = QUEUE_LANE_COPY,
	[QUEUE_DELETE_LOCAL] = QUEUE_LANE_LOCAL,
	[QUEUE_DELETE_REMOTE] = QUEUE_LANE_REMOTE,
};

/* Frees one job and what it owns. */
static void queue_job_free(struct queue_job *j)
{
	free(j->win);
	free(j->local);
	free(j->remote);
	free(j->label);
	free(j);
}

void queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n; i++)
		queue_job_free(q->v[i]);
	free(q->v);
	free(q->found);
	for (int lane = 0; lane < QUEUE_LANES; lane++)
		free(q->ready_ids[lane].v);
	free(q);
}

/* True for the states a job never leaves. */
static bool queue_finished(enum queue_state s)
{
	return s != QUEUE_QUEUED && s != QUEUE_RUNNING;
}

enum queue_lane queue_lane(const struct queue_job *j)
{
	return queue_lanes[j->dir];
}

bool queue_is_delete(const struct queue_job *j)
{
	return j->dir == QUEUE_DELETE_LOCAL || j->dir == QUEUE_DELETE_REMOTE;
}

/* Adds id to heap h. */
static void queue_heap_push(struct queue_heap *h, unsigned id)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	size_t i = h->n++;
	for (; i > 0 && h->v[(i - 1) / 2] > id; i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = id;
}

/* Takes the smallest id off heap h (not empty) and returns it. */
static unsigned queue_heap_pop(struct queue_heap *h)
{
	unsigned top = h->v[0], last = h->v[--h->n];
	size_t i = 0;
	for (size_t c = 1; c < h->n; i = c, c = 2 * c + 1) {
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= last)
			break;
		h->v[i] = h->v[c];
	}
	h->v[i] = last;
	return top;
}

/* True for a job queue_next may hand out: queued and not held. */
static bool queue_ready(const struct queue_job *j)
{
	return j->state == QUEUE_QUEUED && !j->held;
}

/* Notes job j, now ready, among the ready ones of its lane. An entry
 * stays when its job moves on (runs, ends, is held): queue_next drops it
 * when it comes to the top, and a prune drops them all (so a job may
 * have several; every ready job has one at least). */
static void queue_ready_add(struct queue *q, const struct queue_job *j)
{
	queue_heap_push(&q->ready_ids[queue_lane(j)], j->id);
}

/* Counts job j into (in) or out of the tallies of where it stands. */
static void queue_tally(struct queue *q, struct queue_job *j, bool in)
{
	enum queue_lane lane = queue_lane(j);
	size_t *c[2] = { &q->count[j->state], NULL };
	if (j->state == QUEUE_QUEUED)
		c[1] = j->held ? &q->held : &q->ready[lane];
	else if (j->state == QUEUE_RUNNING)
		c[1] = &q->running[lane];
	for (size_t k = 0; k < 2 && c[k] != NULL; k++) {
		if (in)
			(*c[k])++;
		else
			(*c[k])--;
	}
	if (j->state == QUEUE_RUNNING && j->slot < QUEUE_PARALLEL_MAX)
		q->run[lane][j->slot] = in ? j : NULL;
	if (in && j->state == QUEUE_QUEUED) {
		size_t i = queue_index(q, j->id);
		if (i < q->from[lane])
			q->from[lane] = i;
	}
}

/* The hash of a file a folder copy found: its folder job and paths. */
static size_t queue_found_hash(unsigned parent, const char *local, const char *remote)
{
	return (strset_hash(local) * 31u ^ strset_hash(remote)) * 31u ^ parent;
}

/* Puts job j in the table of found files, at the hash of its paths now. */
static void queue_found_put(struct queue *q, struct queue_job *j)
{
	size_t mask = q->found_size - 1;
	size_t i = queue_found_hash(j->parent, j->local, j->remote) & mask;
	while (q->found[i] != NULL)
		i = (i + 1) & mask;
	q->found[i] = j;
	q->found_n++;
}

/* Makes the table of found files again from the jobs (after a prune, or
 * when it is half full), with room for one more (strset's growth rule). */
static void queue_found_rebuild(struct queue *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++)
		n += q->v[i]->parent != 0;
	size_t size = strset_table_size(0, n);
	free(q->found);
	q->found = xcalloc(size, sizeof *q->found);
	q->found_size = size;
	q->found_n = 0;
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i]->parent != 0)
			queue_found_put(q, q->v[i]);
}

/* Enters job j (in q->v, its parent set) in the table of found files
 * under its paths now; an entry under paths it had before stays (a
 * lookup compares the paths of now). */
static void queue_found_add(struct queue *q, struct queue_job *j)
{
	if (strset_table_size(q->found_size, q->found_n) != q->found_size)
		queue_found_rebuild(q);   /* j among them */
	else
		queue_found_put(q, j);
}

/* The oldest job that directory job parent found at local and remote:
 * a folder it could not copy that failed (failed_tree), or else one that
 * did not fail. NULL when there is none. */
static struct queue_job *queue_found_get(const struct queue *q, unsigned parent,
					 const char *local, const char *remote, bool failed_tree)
{
	struct queue_job *best = NULL;
	if (q->found_size == 0)
		return NULL;
	size_t mask = q->found_size - 1;
	for (size_t i = queue_found_hash(parent, local, remote) & mask; q->found[i] != NULL;
	     i = (i + 1) & mask) {
		struct queue_job *o = q->found[i];
		bool fits = failed_tree ? o->tree && o->state == QUEUE_FAILED
					: o->state != QUEUE_FAILED;
		if (o->parent == parent && fits && strcmp(o->local, local) == 0 &&
		    strcmp(o->remote, remote) == 0 && (best == NULL || o->id < best->id))
			best = o;
	}
	return best;
}

/* Puts job j in state and sets its held flag, keeping the tallies. */
static void queue_move(struct queue *q, struct queue_job *j, enum queue_state state, bool held)
{
	bool was_ready = queue_ready(j);
	queue_tally(q, j, false);
	j->state = state;
	j->held = held;
	queue_tally(q, j, true);
	if (!was_ready && queue_ready(j))
		queue_ready_add(q, j);
}

/* Sets j's label to the text of shown (sanitised). */
static void queue_set_label(struct queue_job *j, const char *shown)
{
	char label[QUEUE_LABEL_MAX];
	free(j->label);
	j->label = xstrdup(sanitize_text(shown, strlen(shown), label, sizeof label));
}

/* Adds a queued job, held or not (see queue_add); returns it. */
static struct queue_job *queue_add_job(struct queue *q, enum queue_dir dir, enum queue_mode mode,
				       bool tree, const char *local, const char *remote,
				       off_t size, bool held)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->v = xrealloc(q->v, q->cap * sizeof *q->v);
	}
	struct queue_job *j = q->v[q->n++] = xcalloc(1, sizeof *j);
	j->id = q->next_id++;
	j->dir = dir;
	j->mode = mode;
	j->tree = tree;
	j->local = xstrdup(local);
	j->remote = xstrdup(remote);
	j->label = NULL;
	queue_set_label(j, dir == QUEUE_DOWNLOAD || dir == QUEUE_DELETE_REMOTE ? remote : local);
	j->size = size;
	j->target_size = -1;
	j->state = QUEUE_QUEUED;
	j->held = held;
	j->conn = q->conn;
	queue_tally(q, j, true);
	if (queue_ready(j))
		queue_ready_add(q, j);
	return j;
}

unsigned queue_add(struct queue *q, enum queue_dir dir, enum queue_mode mode, bool tree,
		   const char *local, const char *remote, off_t size)
{
	return queue_add_job(q, dir, mode, tree, local, remote, size, false)->id;
}

void queue_set_link(struct queue *q, unsigned id)
{
	struct queue_job *j = queue_find(q, id);
	if (j != NULL && j->tree)
		j->link = true;
}

void queue_set_dates(struct queue *q, unsigned id, time_t mtime, off_t target_size,
		     time_t target_mtime)
{
	struct queue_job *j = queue_find(q, id);
	if (j == NULL)
		return;
	j->mtime = mtime;
	j->target_size = target_size;
	j->target_mtime = target_mtime;
}

void queue_show_target(struct queue *q, unsigned id)
{
	struct queue_job *j = queue_find(q, id);
	if (j != NULL)
		queue_set_label(j, queue_target(j));
}

bool queue_skip(struct queue *q, unsigned id)
{
	struct queue_job *j = queue_find(q, id);
	if (j == NULL || j->state != QUEUE_QUEUED)
		return false;
	queue_move(q, j, QUEUE_SKIPPED, j->held);
	return true;
}

struct queue_job *queue_running(struct queue *q, enum queue_lane lane)
{
	struct queue_job *oldest = NULL;
	for (unsigned s = 0; s < QUEUE_PARALLEL_MAX; s++) {
		struct queue_job *j = q->run[lane][s];
		if (j != NULL && (oldest == NULL || j->id < oldest->id))
			oldest = j;
	}
	return oldest;
}

void queue_set_parallel(struct queue *q, unsigned n)
{
	q->parallel = n < 1 ? 1 : n > QUEUE_PARALLEL_MAX ? QUEUE_PARALLEL_MAX : n;
}

unsigned queue_parallel(const struct queue *q) { return q->parallel; }

int queue_parse_parallel(const char *s)
{
	return human_parse_count(s, 1, QUEUE_PARALLEL_MAX);
}

struct queue_job *queue_running_in(struct queue *q, enum queue_lane lane, unsigned slot)
{
	return slot < QUEUE_PARALLEL_MAX ? q->run[lane][slot] : NULL;
}

/* The position of lane's first queued job (q->n when none), moving the
 * lane's mark on to it: the jobs the mark passes are never looked at
 * again until one of them is queued again, which moves it back
 * (queue_tally). */
static size_t queue_from(struct queue *q, enum queue_lane lane)
{
	size_t i = q->from[lane];
	while (i < q->n && (q->v[i]->state != QUEUE_QUEUED || queue_lane(q->v[i]) != lane))
		i++;
	return q->from[lane] = i;
}

struct queue_job *queue_next(struct queue *q, enum queue_lane lane)
{
	unsigned slots = lane == QUEUE_LANE_COPY ? q->parallel : 1, slot = slots;
	if (q->ready[lane] == 0 || q->running[lane] >= slots)
		return NULL;
	for (unsigned s = 0; slot == slots && s < slots; s++)
		if (q->run[lane][s] == NULL)
			slot = s;
	if (slot == slots)
		return NULL;
	/* The smallest id among the lane's ready ones whose job is still
	 * ready (q->ready says there is one); the held jobs are not there. */
	struct queue_heap *h = &q->ready_ids[lane];
	struct queue_job *j = NULL;
	while (j == NULL && h->n > 0) {
		q->looks++;
		j = queue_find(q, queue_heap_pop(h));
		if (j != NULL && !queue_ready(j))
			j = NULL;   /* it moved on since */
	}
	if (j == NULL)
		return NULL;
	j->slot = slot;
	free(j->win);   /* its rate from its first progress */
	j->win = NULL;
	j->rate = 0;
	j->stalled = false;
	queue_move(q, j, QUEUE_RUNNING, false);
	return j;
}

size_t queue_next_looks(const struct queue *q) { return q->looks; }

long long queue_reload_gap(long long took)
{
	/* (a listing past the ceiling: no product to overflow) */
	if (took > QUEUE_RELOAD_GAP_MAX_MS / QUEUE_RELOAD_COST_TIMES)
		return QUEUE_RELOAD_GAP_MAX_MS;
	long long gap = took * QUEUE_RELOAD_COST_TIMES;
	return gap > QUEUE_RELOAD_GAP_MS ? gap : QUEUE_RELOAD_GAP_MS;
}

struct queue_job *queue_first_queued(struct queue *q)
{
	size_t first = q->n;
	for (int lane = 0; q->count[QUEUE_QUEUED] > 0 && lane < QUEUE_LANES; lane++) {
		size_t i = queue_from(q, (enum queue_lane)lane);
		if (i < first)
			first = i;
	}
	return first < q->n ? q->v[first] : NULL;
}

double queue_total_rate(const struct queue *q)
{
	double sum = 0;
	for (int lane = 0; lane < QUEUE_LANES; lane++)
		for (unsigned s = 0; s < QUEUE_PARALLEL_MAX; s++)
			if (q->run[lane][s] != NULL)
				sum += q->run[lane][s]->rate;
	return sum;
}

size_t queue_index(const struct queue *q, unsigned id)
{
	/* Jobs stay in id order (added with growing ids, pruned in place). */
	size_t lo = 0, hi = q->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (q->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < q->n && q->v[lo]->id == id ? lo : SIZE_MAX;
}

struct queue_job *queue_find(struct queue *q, unsigned id)
{
	size_t i = queue_index(q, id);
	return i == SIZE_MAX ? NULL : q->v[i];
}

void queue_progress(struct queue *q, unsigned id, off_t done, off_t total, long long now)
{
	struct queue_job *j = queue_find(q, id);
	if (j == NULL || j->state != QUEUE_RUNNING)
		return;
	j->done = done < 0 ? 0 : done;
	j->message[0] = '\0';   /* a note about a retry is over once data moves again */
	if (total >= 0)
		j->size = total;
	if (j->win == NULL)
		j->win = xcalloc(1, sizeof *j->win);
	ratewin_add(j->win, now, j->done);
	j->rate = ratewin_rate(j->win, now);
	j->stalled = ratewin_stalled(j->win, now);
}

void queue_finish(struct queue *q, unsigned id, enum queue_state state, const char *msg)
{
	struct queue_job *j = queue_find(q, id);
	if (j == NULL || queue_finished(j->state) || !queue_finished(state))
		return;
	queue_move(q, j, state, j->held);
	free(j->win);
	j->win = NULL;
	j->stopping = false;
	if (state == QUEUE_DONE && j->size >= 0)
		j->done = j->size;
	if (state == QUEUE_DONE && queue_is_delete(j))
		j->size = j->done;   /* entries removed */
	j->message[0] = '\0';
	if (msg != NULL)
		sanitize_text(msg, strlen(msg), j->message, sizeof j->message);
}

void queue_note(struct queue *q, unsigned id, const char *msg)
{
	struct queue_job *j = queue_find(q, id);
	if (j != NULL && j->state == QUEUE_RUNNING)
		sanitize_text(msg, strlen(msg), j->message, sizeof j->message);
}

void queue_note_done(struct queue *q, unsigned id, const char *msg)
{
	struct queue_job *j = queue_find(q, id);
	if (j != NULL && j->state == QUEUE_DONE)
		sanitize_text(msg, strlen(msg), j->message, sizeof j->message);
}

/* Cancels job j; true when it runs and its worker must be asked. */
static bool queue_cancel_job(struct queue *q, struct queue_job *j)
{
	if (j->state == QUEUE_QUEUED) {
		queue_move(q, j, QUEUE_CANCELLED, j->held);
		return false;
	}
	if (j->state != QUEUE_RUNNING)
		return false;
	j->stopping = true;
	return true;
}

bool queue_cancel(struct queue *q, unsigned id)
{
	struct queue_job *j = queue_find(q, id);
	return j != NULL && queue_cancel_job(q, j);
}

size_t queue_cancel_folder(struct queue *q, unsigned id)
{
	const struct queue_job *j = queue_find(q, id);
	size_t running = 0;
	if (j == NULL)
		return 0;
	unsigned top = j->parent != 0 ? j->parent : j->id;
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i]->id == top || q->v[i]->parent == top)
			running += queue_cancel_job(q, q->v[i]);
	return running;
}

size_t queue_cancel_all(struct queue *q)
{
	size_t running = 0;
	for (size_t i = 0; i < q->n; i++)
		running += queue_cancel_job(q, q->v[i]);
	return running;
}

/* True for a job of an earlier connection that touches the server: it
 * must not run on the connection of now, another server. */
static bool queue_is_stale(const struct queue *q, const struct queue_job *j)
{
	return j->conn != q->conn && j->dir != QUEUE_DELETE_LOCAL;
}

size_t queue_new_connection(struct queue *q, const char *why)
{
	size_t n = 0;
	q->conn++;
	for (size_t i = 0; i < q->n; i++) {
		struct queue_job *j = q->v[i];
		if (j->state != QUEUE_QUEUED || !queue_is_stale(q, j))
			continue;
		queue_move(q, j, QUEUE_FAILED, false);
		sanitize_text(why, strlen(why), j->message, sizeof j->message);
		n++;
	}
	if (q->all_parent != 0) {
		const struct queue_job *p = queue_find(q, q->all_parent);
		if (p == NULL || queue_is_stale(q, p))
			q->all_parent = 0;
	}
	return n;
}

size_t queue_stale(const struct queue *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++)
		if (q->v[i]->state == QUEUE_FAILED && queue_is_stale(q, q->v[i]))
			n++;
	return n;
}

size_t queue_retry_failed(struct queue *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->n; i++) {
		struct queue_job *j = q->v[i];
		if (j->state != QUEUE_FAILED || queue_is_stale(q, j))
			continue;
		queue_move(q, j, QUEUE_QUEUED, j->held);
		j->retried = true;
		j->done = 0;
		j->rate = 0;
		j->stalled = false;
		j->message[0] = '\0';
		n++;
	}
	return n;
}

void queue_counts(const struct queue *q, struct queue_counts *c)
{
	memset(c, 0, sizeof *c);
	c->running = q->count[QUEUE_RUNNING];
	c->queued = q->count[QUEUE_QUEUED];
	c->held = q->held;
	c->done = q->gone[QUEUE_DONE] + q->count[QUEUE_DONE];
	c->failed = q->gone[QUEUE_FAILED] + q->count[QUEUE_FAILED];
	c->cancelled = q->gone[QUEUE_CANCELLED] + q->count[QUEUE_CANCELLED];
	c->skipped = q->gone[QUEUE_SKIPPED] + q->count[QUEUE_SKIPPED];
}

double queue_eta(const struct queue_job *j)
{
	if (j->size >= 0 && j->done >= j->size)
		return 0;
	if (j->size < 0 || j->stalled || j->rate <= 0 || !isfinite(j->rate))
		return -1;
	return (double)(j->size - j->done) / j->rate;
}

int queue_percent(const struct queue_job *j)
{
	if (j->size < 0)
		return -1;
	if (j->size == 0 || j->done >= j->size)
		return 100;
	return (int)((double)j->done * 100.0 / (double)j->size);
}

size_t queue_count(const struct queue *q) { return q->n; }

struct queue_job *queue_at(struct queue *q, size_t i)
{
	return i < q->n ? q->v[i] : NULL;
}

size_t queue_active(const struct queue *q)
{
	return q->count[QUEUE_QUEUED] + q->count[QUEUE_RUNNING];
}

/* True for a job queue_prune may drop. */
static bool queue_prunable(const struct queue_job *j, bool failed_too)
{
	return queue_finished(j->state) && (failed_too || j->state != QUEUE_FAILED);
}

/* Orders job ids for qsort and bsearch. */
static int queue_id_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

/* True when id is one of the n in v (sorted). */
static bool queue_id_in(const unsigned *v, size_t n, unsigned id)
{
	return n > 0 && bsearch(&id, v, n, sizeof *v, queue_id_cmp) != NULL;
}

void queue_prune(struct queue *q, size_t keep, bool failed_too)
{
	/* A directory copy stays while files of it are unfinished: its line
	 * names the folder that X cancels and r walks again. */
	unsigned *busy = xcalloc(q->n + 1, sizeof *busy);
	size_t nbusy = 0;
	for (size_t i = 0; i < q->n; i++) {
		unsigned parent = q->v[i]->parent;
		/* (a folder's files follow one another: one entry for the run) */
		if (parent != 0 && !queue_finished(q->v[i]->state) &&
		    (nbusy == 0 || busy[nbusy - 1] != parent))
			busy[nbusy++] = parent;
	}
	qsort(busy, nbusy, sizeof *busy, queue_id_cmp);
	size_t finished = 0;
	for (size_t i = 0; i < q->n; i++)
		if (queue_prunable(q->v[i], failed_too) && !queue_id_in(busy, nbusy, q->v[i]->id))
			finished++;
	size_t drop = finished > keep ? finished - keep : 0;
	size_t w = 0;
	for (size_t i = 0; i < q->n; i++) {
		if (drop > 0 && queue_prunable(q->v[i], failed_too) &&
		    !queue_id_in(busy, nbusy, q->v[i]->id)) {
			q->gone[q->v[i]->state]++;
			queue_tally(q, q->v[i], false);
			queue_job_free(q->v[i]);
			drop--;
			continue;
		}
		q->v[w++] = q->v[i];
	}
	q->n = w;
	memset(q->from, 0, sizeof q->from);   /* the jobs moved */
	for (int lane = 0; lane < QUEUE_LANES; lane++)
		q->ready_ids[lane].n = 0;   /* entries of jobs moved on go */
	for (size_t i = 0; i < q->n; i++)
		if (queue_ready(q->v[i]))
			queue_ready_add(q, q->v[i]);
	if (q->found != NULL)
		queue_found_rebuild(q);   /* the pruned ones go */
	free(busy);
}

const char *queue_state_name(enum queue_state s)
{
	return s < QUEUE_STATE_COUNT ? queue_state_names[s] : "?";
}

unsigned queue_add_found(struct queue *q, unsigned parent, enum queue_dir dir,
			 const char *local, const char *remote, off_t size, bool target_exists)
{
	const struct queue_job *p = queue_find(q, parent);
	const struct queue_job *o = p != NULL && p->retried
				    ? queue_found_get(q, parent, local, remote, false) : NULL;
	if (o != NULL)
		return o->id;
	struct queue_job *j = queue_add_job(q, dir, p ? p->mode : QUEUE_MODE_NEW, false, local,
					    remote, size, target_exists);
	j->parent = parent;
	if (parent != 0)
		queue_found_add(q, j);
	return j->id;
}

unsigned queue_add_left_out(struct queue *q, unsigned parent, enum queue_dir dir,
			    const char *local, const char *remote, const char *why)
{
	unsigned id = queue_add_found(q, parent, dir, local, remote, -1, false);
	struct queue_job *j = queue_find(q, id);
	if (queue_skip(q, id))
		sanitize_text(why, strlen(why), j->message, sizeof j->message);
	return id;
}

unsigned queue_add_failed_tree(struct queue *q, unsigned parent, enum queue_dir dir,
			       const char *local, const char *remote, const char *why)
{
	struct queue_job *o = queue_found_get(q, parent, local, remote, true);
	if (o != NULL) {
		sanitize_text(why, strlen(why), o->message, sizeof o->message);
		return o->id;
	}
	unsigned id = queue_add_found(q, parent, dir, local, remote, -1, false);
	struct queue_job *j = queue_find(q, id);
	if (j->state == QUEUE_QUEUED) {
		j->tree = true;
		queue_finish(q, id, QUEUE_FAILED, why);
	}
	return id;
}

const char *queue_target(const struct queue_job *j)
{
	return j->dir == QUEUE_DOWNLOAD || j->dir == QUEUE_DELETE_LOCAL ? j->local : j->remote;
}

/* True for a job waiting for an answer. */
static bool queue_is_held(const struct queue_job *j)
{
	return j->state == QUEUE_QUEUED && j->held;
}

/* Puts job j's target under the last name name; false if name is not a
 * safe name or the path would be too long. */
static bool queue_retarget(struct queue_job *j, const char *name)
{
	char **target = j->dir == QUEUE_DOWNLOAD ? &j->local : &j->remote;
	struct sbuf path;

	if (name == NULL || !path_safe_name(name))
		return false;
	sbuf_init(&path, PATH_LEN_MAX);
	bool ok = path_sibling(&path, *target, name);
	if (ok) {
		free(*target);
		*target = xstrdup(sbuf_str(&path));
		queue_set_label(j, queue_target(j));
	}
	sbuf_free(&path);
	return ok;
}

struct queue_job *queue_held_next(struct queue *q, enum queue_answer *answer)
{
	for (size_t i = 0; q->held > 0 && i < q->n; i++) {
		struct queue_job *j = q->v[i];
		if (!queue_is_held(j))
			continue;
		bool remembered = j->parent != 0 && j->parent == q->all_parent;
		if (remembered && q->all_answer != QUEUE_ANSWER_RENAME) {
			queue_held_answer(q, j->id, q->all_answer, false, NULL);
			continue;
		}
		*answer = remembered ? QUEUE_ANSWER_RENAME : QUEUE_ANSWER_ASK;
		return j;
	}
	return NULL;
}

bool queue_held_answer(struct queue *q, unsigned id, enum queue_answer answer, bool all,
		       const char *name)
{
	struct queue_job *j = queue_find(q, id);
	if (j == NULL || !queue_is_held(j) || (unsigned)answer >= QUEUE_ANSWER_ASK)
		return false;
	if ((all || answer == QUEUE_ANSWER_ABORT) && j->parent != 0) {
		q->all_parent = j->parent;
		q->all_answer = answer;
	}
	bool release = queue_answers[answer].release;
	if (answer == QUEUE_ANSWER_RENAME && !queue_retarget(j, name))
		release = false;   /* no usable name: the file is skipped */
	else if (answer == QUEUE_ANSWER_RENAME && j->parent != 0)
		queue_found_add(q, j);   /* found under its new target */
	if (release)
		j->mode = queue_answers[answer].mode;
	queue_move(q, j, release ? QUEUE_QUEUED : queue_answers[answer].end,
		   release ? false : j->held);
	return true;
}
