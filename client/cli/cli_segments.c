/* cli_segments: get --segments N FILE [LOCAL]: one file over N
 * connections. The file is split into N ranges (segments.h), each fetched
 * on its own connection (REST, then a stop after its last byte) into one
 * temporary beside the target; a state file beside it records how far
 * each range got, so a run that stopped (Ctrl-C, a broken connection, a
 * kill) goes on from there when the same command is given again. When
 * every range is there the temporary gets the server's time and the real
 * name, and the state file goes. A range whose connection could not be
 * opened or broke off is fetched again on the session's connection.
 * A run holds an flock(2) lock on the temporary from start to end, so a
 * second run for the same target while one runs is refused instead of
 * writing into the same file; a killed run's lock goes with it. The
 * stale temporaries of plain downloads of the same target are removed;
 * a plain download of it removes a stopped run's temporary and state
 * in turn, or (get -c) goes on from its ranges complete from the start
 * (tempname.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_private.h"
#include "interrupt.h"
#include "progress.h"
#include "segments.h"
#include "sync.h"
#include "sysio.h"
#include "tempname.h"

/* Milliseconds between saves of the state file. */
#define SEG_SAVE_MS 500
/* Mode of the temporary before the umask. */
#define SEG_FILE_MODE 0666

/* A segmented download's shared state. */
struct seg_run {
	struct cli *c;
	const char *remote;
	const char *tmp, *state;   /* the temporary and its state file */
	struct segments s;         /* the ranges and how far each got (under lock) */
	pthread_mutex_t lock;
	struct progress bar;       /* one display for all ranges */
	long long last_save;       /* when the state was last saved (ms) */
};

/* One range's worker. */
struct seg_worker {
	struct seg_run *r;
	int i;               /* its range */
	struct ftp *f;       /* its connection */
	enum ftp_status st;  /* how its range ended */
	char msg[SYNC_MSG_MAX];
};

/* Saves the state (lock held) when a save is due or force. */
static void seg_save(struct seg_run *r, bool force)
{
	long long now = sysio_now_ms();
	if (!force && now - r->last_save < SEG_SAVE_MS)
		return;
	r->last_save = now;
	segments_save(&r->s, r->state);
}

/* Progress of one range: done counts from the file's start. */
static int seg_progress(void *arg, off_t done, off_t total, double rate)
{
	struct seg_worker *w = arg;
	struct seg_run *r = w->r;
	(void)total;
	(void)rate;
	pthread_mutex_lock(&r->lock);
	struct segment *g = &r->s.v[w->i];
	if (done - g->start > g->done)
		g->done = done - g->start;
	seg_save(r, false);
	progress_update(&r->bar, segments_done(&r->s), r->s.size);
	pthread_mutex_unlock(&r->lock);
	return interrupt_pending() ? 1 : 0;
}

/* Fetches what is missing of w's range on w->f. */
static void seg_fetch(struct seg_worker *w)
{
	struct seg_run *r = w->r;

	pthread_mutex_lock(&r->lock);
	struct segment g = r->s.v[w->i];
	pthread_mutex_unlock(&r->lock);
	w->st = FTP_S_OK;
	if (g.start + g.done >= g.end)
		return;
	int fd = open(r->tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(w->msg, sizeof w->msg, "%s: %s", r->tmp, strerror(errno));
		w->st = FTP_S_LOCAL;
		return;
	}
	w->st = ftp_get_range(w->f, r->remote, fd, g.start + g.done, g.end - g.start - g.done,
			      seg_progress, w);
	if (w->st != FTP_S_OK)
		snprintf(w->msg, sizeof w->msg, "%s", ftp_message(w->f));
	if (close(fd) < 0 && w->st == FTP_S_OK) {
		snprintf(w->msg, sizeof w->msg, "%s: %s", r->tmp, strerror(errno));
		w->st = FTP_S_LOCAL;
	}
	if (w->st == FTP_S_OK) {
		pthread_mutex_lock(&r->lock);
		r->s.v[w->i].done = g.end - g.start;
		seg_save(r, true);
		pthread_mutex_unlock(&r->lock);
	}
}

/* A worker's range on its own connection. */
static void seg_extra_work(void *arg, struct ftp *f)
{
	struct seg_worker *w = arg;
	w->f = f;
	seg_fetch(w);
	w->f = NULL;
}

/* Fetches every range: range 0 on the session's connection, the others
 * on their own; then what is still missing, one range after another, on
 * the session's connection. Returns FTP_S_OK when all arrived, else the
 * last failure (message in msg). */
static enum ftp_status seg_fetch_all(struct seg_run *r, char *msg, size_t msgsz)
{
	int n = r->s.n;
	struct seg_worker *w = calloc((size_t)n, sizeof *w);
	struct cli_more *m = calloc((size_t)n, sizeof *m);
	enum ftp_status st = FTP_S_OK;

	if (w == NULL || m == NULL) {
		free(w);
		free(m);
		snprintf(msg, msgsz, "%s", strerror(ENOMEM));
		return FTP_S_LOCAL;
	}
	/* A range stays FTP_S_CONNECT until a connection fetched it. */
	for (int i = 0; i < n; i++)
		w[i] = (struct seg_worker){ .r = r, .i = i, .f = r->c->ftp, .st = FTP_S_CONNECT };
	for (int i = 1; i < n; i++)
		cli_more_start(&m[i], r->c, seg_extra_work, &w[i]);
	seg_fetch(&w[0]);
	cli_more_join(r->c, m + 1, n - 1);
	/* What did not arrive (a connection refused or broken) comes over
	 * the session's connection now. */
	for (int i = 0; i < n && !interrupt_pending(); i++) {
		if (w[i].st == FTP_S_OK)
			continue;
		w[i].f = r->c->ftp;
		seg_fetch(&w[i]);
		if (w[i].st != FTP_S_OK) {
			st = w[i].st;
			snprintf(msg, msgsz, "%s", w[i].msg);
		}
	}
	if (st == FTP_S_OK && interrupt_pending())
		st = FTP_S_CANCELLED;
	free(w);
	free(m);
	return st;
}

/* Takes the state a stopped run left when it is about the same file
 * (had_tmp: its temporary was there before this run), else starts over
 * with n ranges and an empty temporary. Returns FERRY_EXIT_OK or a local
 * error (printed). */
static enum ferry_exit seg_prepare(struct seg_run *r, off_t size, time_t mtime, int n,
				   bool had_tmp)
{
	struct segments old;

	if (had_tmp && segments_load(r->state, &old) && old.size == size && old.mtime == mtime) {
		r->s = old;
		cli_note(r->c, "resuming %s: %jd of %jd bytes there", r->remote,
			 (intmax_t)segments_done(&old), (intmax_t)size);
		return FERRY_EXIT_OK;
	}
	segments_split(&r->s, size, mtime, n);
	mode_t mode = SEG_FILE_MODE & ~r->c->umask;
	int fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return cli_fail_errno(r->c, errno, r->tmp);
	close(fd);
	int err = segments_save(&r->s, r->state);
	if (err != 0) {
		unlink(r->tmp);
		return cli_fail_errno(r->c, err, r->state);
	}
	return FERRY_EXIT_OK;
}

/* Ends a complete download: verify (asked), the server's time, the real
 * name; the state file goes. */
static enum ferry_exit seg_finish(struct seg_run *r, const char *local,
				  const struct cli_xfer_job *job, time_t mtime)
{
	struct cli_copy cp = { .remote = r->remote, .local = local, .label = r->remote,
			       .name = r->remote };
	int fd = open(r->tmp, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cli_fail_errno(r->c, errno, r->tmp);
	enum ferry_exit code = job->verify ? cli_xfer_verify(r->c, &cp, fd) : FERRY_EXIT_OK;
	if (code == FERRY_EXIT_OK && job->preserve && mtime != 0) {
		struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
		futimens(fd, ts);
	}
	close(fd);
	if (code != FERRY_EXIT_OK) {
		/* A copy that does not verify is no copy: start over next time. */
		unlink(r->tmp);
		unlink(r->state);
		return code;
	}
	if (rename(r->tmp, local) < 0)
		return cli_fail_errno(r->c, errno, local);
	unlink(r->state);
	return FERRY_EXIT_OK;
}

enum ferry_exit cli_segments_get(struct cli *c, const char *remote, const char *local, int n,
				 const struct cli_xfer_job *job)
{
	char tmp[PATH_LEN_MAX], state[PATH_LEN_MAX], msg[SYNC_MSG_MAX];
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	struct seg_run r = { .c = c, .remote = remote, .tmp = tmp, .state = state };
	off_t size;
	time_t mtime = 0;
	struct stat sb;

	if (!(ftp_features(c->ftp) & FTP_FEAT_REST))
		return cli_fail(c, FERRY_EXIT_REFUSED, "%s: the server does not offer REST STREAM: "
				"no segments (use get without --segments)", remote);
	enum ftp_status st = ftp_size(c->ftp, remote, &size);
	if (st != FTP_S_OK)
		return cli_fail_ftp(c, st, remote);
	if (ftp_file_time(c->ftp, remote, 0, &mtime) != FTP_S_OK)
		mtime = 0;
	if (!tempname_segments(local, tmp, sizeof tmp, state, sizeof state))
		return cli_fail_errno(c, ENAMETOOLONG, local);
	if (lstat(local, &sb) == 0) {
		if (!S_ISREG(sb.st_mode))
			return cli_fail(c, FERRY_EXIT_LOCAL, "%s: not a regular file; not written",
					local);
		snprintf(question, sizeof question, "Overwrite %s?", local);
		snprintf(refusal, sizeof refusal, "%s exists: not overwritten", local);
		enum ferry_exit code = cli_confirm(c, question, refusal);
		if (code != FERRY_EXIT_OK)
			return code;
	}
	/* The lock first: nothing of a running download's is touched. A
	 * temporary that was there is a stopped run's, to go on from. */
	bool created;
	int lock = tempname_hold(tmp, SEG_FILE_MODE & ~c->umask, &created);
	if (lock < 0 && errno == EBUSY)
		return cli_fail(c, FERRY_EXIT_LOCAL, "%s: another download of it is running "
				"(%s is locked); not written", local, tmp);
	if (lock < 0)
		return cli_fail_errno(c, errno, tmp);
	/* What a plain download of the same file left goes. */
	tempname_sweep_plain(local);
	enum ferry_exit code = seg_prepare(&r, size, mtime, n, !created);
	if (code != FERRY_EXIT_OK) {
		close(lock);
		return code;
	}
	pthread_mutex_init(&r.lock, NULL);
	progress_start(&r.bar, "downloaded", remote, c->bars, segments_done(&r.s));
	st = seg_fetch_all(&r, msg, sizeof msg);
	pthread_mutex_lock(&r.lock);
	seg_save(&r, true);
	pthread_mutex_unlock(&r.lock);
	struct cli_copy cp = { .remote = remote, .local = local, .label = remote };
	if (st == FTP_S_OK && segments_complete(&r.s)) {
		progress_update(&r.bar, size, size);
		code = seg_finish(&r, local, job, mtime);
		if (code == FERRY_EXIT_OK)
			cli_xfer_done(c, &r.bar, &cp, true);
		else
			progress_end(&r.bar);
	} else {
		progress_end(&r.bar);
		if (st == FTP_S_CANCELLED)
			code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted: %jd of %jd bytes kept; "
					"the same command resumes", (intmax_t)segments_done(&r.s),
					(intmax_t)size);
		else
			code = cli_fail(c, ferry_exit_from_status(st), "%s (%jd of %jd bytes kept; "
					"the same command resumes)", msg,
					(intmax_t)segments_done(&r.s), (intmax_t)size);
	}
	pthread_mutex_destroy(&r.lock);
	close(lock);
	return code;
}
