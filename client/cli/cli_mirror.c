/* cli_mirror: mirror [-R] [--delete] [--dry-run] [--parallel N]
 * [--newer | --size-only | --checksum] [--include GLOB] [--exclude GLOB]
 * SRC DST. Both trees are read (sync.h), compared into a plan (plan.h)
 * and the plan printed (--dry-run) or carried out, one line per action
 * as it is done, then a summary. Deletes and directories go first, in
 * tree order, on the session's connection; then the files, N at a time
 * over N connections (the session's and N-1 more logged in the same
 * way), with one progress line for all of them on a terminal ("3/10"
 * files done, then the bytes of every transfer together). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_private.h"
#include "human.h"
#include "interrupt.h"
#include "plan.h"
#include "progress.h"
#include "settings.h"
#include "sync.h"
#include "sysio.h"
#include "tempname.h"
#include "xalloc.h"

/* The default number of connections mirror uses. */
#define MIRROR_PARALLEL_DEFAULT 4
/* Milliseconds between redraws of the shared progress line. */
#define MIRROR_DRAW_MS 200
/* Files smaller than this are copied without progress calls. */
#define MIRROR_QUIET_SIZE (1024 * 1024)

/* What the command line asked for. */
struct mirror_opts {
	bool upload;          /* -R */
	bool dry_run;         /* --dry-run, -n */
	bool verify;          /* --verify */
	bool follow;          /* -L, --follow-links: remote links as what they lead to */
	int parallel;         /* --parallel N */
	struct plan_options plan;
	const char **include, **exclude;  /* the patterns (owned arrays of borrowed strings) */
	const char *src, *dst;
};

/* One mirror run's shared state (the workers' threads share it under lock). */
struct mirror_run {
	struct cli *c;
	const struct mirror_opts *mo;
	struct sync_job job;
	struct plan *plan;
	pthread_mutex_t lock;
	size_t next;              /* the next action a worker takes */
	bool *left_out;           /* per action: in a directory an upload could not
				   * make for its local name: not carried out */
	size_t done_files;        /* files copied */
	size_t files;             /* files to copy */
	off_t bytes;              /* bytes moved by finished transfers */
	off_t *live;              /* per worker: bytes of the transfer under way */
	size_t failures;
	size_t done[PLAN_SKIP];   /* actions carried out, by verb (copies, replaces, deletes) */
	enum ferry_exit code;     /* the first failure's status */
	long long t0;             /* when the run began (ms) */
	long long last_draw;      /* when the progress line was last drawn (ms) */
	struct ratewin win;       /* recent progress, for the rate shown */
	bool drawn;               /* a progress line is on the screen */
};

/* One worker: its connection, its slot, and the names of download
 * temporaries in the local directory it read last (its own: a worker
 * reads each directory it downloads into once for the run). */
struct mirror_worker {
	struct mirror_run *r;
	struct ftp *f;            /* its handle */
	size_t slot;              /* index into r->live */
	struct tempname_dir temps;
};

int cli_parse_connections(const char *s)
{
	return human_parse_count(s, 1, CLI_CONNECTIONS_MAX);
}

/* Takes a long option's value: "--name=VALUE" or the next word. NULL
 * when it is missing. */
static const char *mirror_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* True when word is the long option name, alone or with "=VALUE". */
static bool mirror_is(const char *word, const char *name)
{
	size_t n = strlen(name);
	return strncmp(word, name, n) == 0 && (word[n] == '\0' || word[n] == '=');
}

/* Reads mirror's words into mo; returns FERRY_EXIT_OK or a usage error. */
static enum ferry_exit mirror_parse(struct cli *c, const struct cli_args *a, struct mirror_opts *mo)
{
	static const char usage[] = "usage: mirror [-R | -L] [--delete] [--dry-run] [--parallel N] "
				    "[--newer | --size-only | --checksum] [--include GLOB] "
				    "[--exclude GLOB] SRC DST";
	int ops = 0, rules = 0;
	const char *ops_v[2] = { NULL, NULL };

	memset(mo, 0, sizeof *mo);
	mo->parallel = MIRROR_PARALLEL_DEFAULT;
	mo->include = xcalloc((size_t)a->argc + 1, sizeof *mo->include);
	mo->exclude = xcalloc((size_t)a->argc + 1, sizeof *mo->exclude);
	bool options = true;
	for (int i = 0; i < a->argc; i++) {
		const char *w = a->argv[i];
		const char *v;
		if (!options || w[0] != '-' || w[1] == '\0') {
			if (ops == 2)
				return cli_fail(c, FERRY_EXIT_USAGE, "%s", usage);
			ops_v[ops++] = w;
		} else if (strcmp(w, "--") == 0) {
			options = false;
		} else if (strcmp(w, "-R") == 0 || strcmp(w, "--reverse") == 0) {
			mo->upload = true;
		} else if (strcmp(w, "--delete") == 0) {
			mo->plan.delete = true;
		} else if (strcmp(w, "--dry-run") == 0 || strcmp(w, "-n") == 0) {
			mo->dry_run = true;
		} else if (strcmp(w, "--verify") == 0) {
			mo->verify = true;
		} else if (strcmp(w, "-L") == 0 || strcmp(w, "--follow-links") == 0) {
			mo->follow = true;
		} else if (strcmp(w, "--newer") == 0) {
			mo->plan.compare = PLAN_CMP_NEWER;
			rules++;
		} else if (strcmp(w, "--size-only") == 0) {
			mo->plan.compare = PLAN_CMP_SIZE;
			rules++;
		} else if (strcmp(w, "--checksum") == 0) {
			mo->plan.compare = PLAN_CMP_CHECKSUM;
			rules++;
		} else if (mirror_is(w, "--parallel")) {
			v = mirror_value(a->argc, a->argv, &i, "--parallel");
			if (v == NULL || (mo->parallel = cli_parse_connections(v)) < 0)
				return cli_fail(c, FERRY_EXIT_USAGE, "--parallel takes a number from 1 "
						"to %d", CLI_CONNECTIONS_MAX);
		} else if (mirror_is(w, "--include") || mirror_is(w, "--exclude")) {
			bool inc = w[2] == 'i';
			v = mirror_value(a->argc, a->argv, &i, inc ? "--include" : "--exclude");
			if (v == NULL || v[0] == '\0')
				return cli_fail(c, FERRY_EXIT_USAGE, "%s takes a pattern",
						inc ? "--include" : "--exclude");
			if (inc)
				mo->include[mo->plan.ninclude++] = v;
			else
				mo->exclude[mo->plan.nexclude++] = v;
		} else {
			return cli_fail(c, FERRY_EXIT_USAGE, "unknown option %s; %s", w, usage);
		}
	}
	if (ops != 2)
		return cli_fail(c, FERRY_EXIT_USAGE, "%s", usage);
	if (rules > 1)
		return cli_fail(c, FERRY_EXIT_USAGE, "--newer, --size-only and --checksum exclude "
				"each other");
	if (mo->follow && mo->upload)
		return cli_fail(c, FERRY_EXIT_USAGE, "-L follows the server's links: not with -R");
	mo->plan.include = mo->include;
	mo->plan.exclude = mo->exclude;
	mo->src = ops_v[0];
	mo->dst = ops_v[1];
	return FERRY_EXIT_OK;
}

/* Prints one action's line ("copy a/b (missing)") on stdout unless -q. */
static void mirror_say(struct cli *c, const struct plan_action *a)
{
	char line[CLI_MSG_MAX + PATH_LEN_MAX];

	if (c->opt.quiet)
		return;
	snprintf(line, sizeof line, "%s %s%s (%s)", plan_verb_name(a->verb), a->path,
		 a->kind == PLAN_DIR ? "/" : "", a->reason);
	cli_print(line);
}

/* A remote name the scan passes over: the note get -r gives. */
static void mirror_skipped(void *arg, const char *display)
{
	cli_note_unsafe_name(arg, display);
}

/* A copy's source folders not read (put -r --parallel, get -r --parallel). */
struct mirror_unread {
	struct cli *c;
	enum ferry_exit left;   /* what the copy ends with when one was left out */
};

/* Notes a local folder put -r cannot read: it goes on without it, as
 * over one connection (cli_xfer_tree). */
static void mirror_unread(void *arg, const char *path, const char *why)
{
	struct mirror_unread *u = arg;
	cli_fail_unread(u->c, FERRY_EXIT_LOCAL, "skipping", path, "cannot read it", why);
	u->left = FERRY_EXIT_LOCAL;
}

/* Notes a remote folder get -r finds the server refuses to list: it goes
 * on without it, as over one connection (cli_xfer_tree). */
static void mirror_unlisted(void *arg, const char *path, const char *why)
{
	struct mirror_unread *u = arg;
	cli_fail_unread(u->c, FERRY_EXIT_REFUSED, "skipping", path, "the server does not list it",
			why);
	u->left = FERRY_EXIT_REFUSED;
}

/* The status of a mirror that ended with code, having skipped nowhere
 * links leading nowhere (mirror -L): a failure saying so when they are
 * all that went wrong. */
static enum ferry_exit mirror_nowhere(struct cli *c, enum ferry_exit code, size_t nowhere)
{
	if (code != FERRY_EXIT_OK || nowhere == 0)
		return code;
	return cli_fail(c, FERRY_EXIT_REFUSED, "%zu link%s leading nowhere not copied", nowhere,
			nowhere == 1 ? "" : "s");
}

/* Reads both trees and builds the plan; a folder of the source not read
 * fails it, or with unread set is left out and goes to it. */
static enum ferry_exit mirror_plan(struct cli *c, const struct mirror_opts *mo,
				   const struct sync_job *j, struct mirror_unread *unread,
				   struct plan *p, size_t *nowhere)
{
	struct plan_tree local, remote;
	char msg[SYNC_MSG_MAX];
	enum ferry_exit code = FERRY_EXIT_OK;

	plan_tree_init(&local);
	plan_tree_init(&remote);
	if (!sync_scan_local(j->local, !mo->upload, &local,
			     unread && mo->upload ? mirror_unread : NULL, unread, msg, sizeof msg)) {
		code = cli_fail(c, FERRY_EXIT_LOCAL, "%s", msg);
	} else {
		enum ftp_status st = sync_scan_remote_follow(c->ftp, j->remote, mo->upload,
							     &remote, mirror_skipped, c,
							     unread && !mo->upload ? mirror_unlisted
										   : NULL,
							     unread, mo->follow ? nowhere : NULL, msg,
							     sizeof msg);
		if (st != FTP_S_OK)
			code = cli_fail(c, ferry_exit_from_status(st), "%s", msg);
	}
	if (code == FERRY_EXIT_OK && !mo->upload && !mo->dry_run)
		sync_clear_orphans(j->local, &remote);
	if (code == FERRY_EXIT_OK) {
		struct plan_options o = mo->plan;
		if (o.compare == PLAN_CMP_CHECKSUM && !(ftp_features(c->ftp) & FTP_FEAT_HASH)) {
			cli_note(c, "note: the server does not offer HASH: --checksum compares by "
				 "size and time");
		} else if (o.compare == PLAN_CMP_CHECKSUM) {
			enum ftp_status st = sync_checksums(c->ftp, j, &local, &remote, msg,
							    sizeof msg);
			if (st != FTP_S_OK)
				code = cli_fail(c, ferry_exit_from_status(st), "%s", msg);
		}
		/* Uploads to a server that cannot set times arrive newer. */
		o.arrival_times = mo->upload && !(ftp_features(c->ftp) & FTP_FEAT_MFMT);
		if (code == FERRY_EXIT_OK)
			plan_build(mo->upload ? &local : &remote, mo->upload ? &remote : &local, &o, p);
	}
	plan_tree_free(&local);
	plan_tree_free(&remote);
	return code;
}

/* Draws the shared progress line (lock held) when one is due. */
static void mirror_draw(struct mirror_run *r, bool force)
{
	char name[64], line[PROGRESS_LINE_MAX];
	long long now = sysio_now_ms();

	if (!r->c->bars || (!force && now - r->last_draw < MIRROR_DRAW_MS))
		return;
	r->last_draw = now;
	off_t done = r->bytes;
	for (int i = 0; i < r->mo->parallel; i++)
		done += r->live[i];
	if (!r->win.started)
		ratewin_start(&r->win, r->t0, 0);
	ratewin_add(&r->win, now, done);
	snprintf(name, sizeof name, "%zu/%zu", r->done_files, r->files);
	progress_format(line, sizeof line, progress_width(), name, done, r->plan->bytes,
			ratewin_rate(&r->win, now), ratewin_stalled(&r->win, now));
	fprintf(stderr, "\r%s", line);
	fflush(stderr);
	r->drawn = true;
}

/* Erases the shared progress line (lock held). */
static void mirror_erase(struct mirror_run *r)
{
	if (!r->drawn)
		return;
	fprintf(stderr, "\r%*s\r", progress_width() - 1, "");
	fflush(stderr);
	r->drawn = false;
}

/* The engine's progress callback for a worker's transfer. */
static int mirror_progress(void *arg, off_t done, off_t total, double rate)
{
	struct mirror_worker *w = arg;
	(void)total;
	(void)rate;
	pthread_mutex_lock(&w->r->lock);
	w->r->live[w->slot] = done;
	mirror_draw(w->r, false);
	pthread_mutex_unlock(&w->r->lock);
	return interrupt_pending() ? 1 : 0;
}

/* Runs one action on w's connection, then reports it (lock taken here);
 * returns how it ended. */
static enum ftp_status mirror_act(struct mirror_worker *w, const struct plan_action *a)
{
	struct mirror_run *r = w->r;
	char msg[SYNC_MSG_MAX];
	off_t moved = 0;

	/* A small file of known size needs no progress (nor the SIZE the
	 * engine would send for it): the shared line moves when it is done. */
	bool quiet = a->size >= 0 && a->size < MIRROR_QUIET_SIZE;
	enum ftp_status st = sync_act(w->f, &r->job, a, &w->temps,
				      quiet ? NULL : mirror_progress, w, &moved, msg, sizeof msg);
	pthread_mutex_lock(&r->lock);
	r->live[w->slot] = 0;
	r->bytes += moved;
	mirror_erase(r);
	if (st == FTP_S_OK) {
		if (a->kind == PLAN_FILE && (a->verb == PLAN_COPY || a->verb == PLAN_REPLACE))
			r->done_files++;
		if (a->verb < PLAN_SKIP)
			r->done[a->verb]++;
		mirror_say(r->c, a);
		fflush(stdout);
	} else {
		enum ferry_exit code = st == FTP_S_CANCELLED ? FERRY_EXIT_DECLINED
							     : ferry_exit_from_status(st);
		r->failures++;
		if (r->code == FERRY_EXIT_OK)
			r->code = code;
		cli_fail(r->c, code, "%s", msg);
	}
	mirror_draw(r, true);
	pthread_mutex_unlock(&r->lock);
	return st;
}

/* True for an action the workers share: a file to copy. */
static bool mirror_is_transfer(const struct plan_action *a)
{
	return a->kind == PLAN_FILE && (a->verb == PLAN_COPY || a->verb == PLAN_REPLACE);
}

/* A worker's loop: takes the next file to copy until none is left or
 * Ctrl-C. */
static void *mirror_worker_main(void *arg)
{
	struct mirror_worker *w = arg;
	struct mirror_run *r = w->r;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->next < r->plan->n && (!mirror_is_transfer(&r->plan->v[r->next]) ||
						r->left_out[r->next]))
			r->next++;
		size_t i = r->next < r->plan->n && !interrupt_pending() ? r->next++ : SIZE_MAX;
		pthread_mutex_unlock(&r->lock);
		if (i == SIZE_MAX)
			break;
		mirror_act(w, &r->plan->v[i]);
	}
	return NULL;
}

struct ftp *cli_connect_more(struct cli *c, char *why, size_t whysz)
{
	struct ftp *f = ftp_new();
	const struct ftp_tls_info *ti = ftp_tls_info(c->ftp);

	settings_apply(&c->opt.settings, f);
	ftp_set_interrupt(f, cli_interrupted, NULL);
	if (c->login_scheme != NULL)
		ftp_set_scheme(f, c->login_scheme);
	if (ti->on && ti->have_cert)
		ftp_trust_once(f, ti->server, ti->cert.fingerprint);
	if (ftp_connect(f, c->login_host, c->login_port, c->login.user, c->login.pass) != FTP_S_OK ||
	    (ftp_dir(c->ftp)[0] != '\0' && ftp_cwd(f, ftp_dir(c->ftp)) != FTP_S_OK)) {
		snprintf(why, whysz, "%s", ftp_message(f));
		ftp_free(f);
		return NULL;
	}
	return f;
}

/* The thread of a cli_more. */
static void *cli_more_main(void *arg)
{
	struct cli_more *m = arg;

	struct ftp *f = cli_connect_more(m->c, m->why, sizeof m->why);
	if (f == NULL) {
		m->refused = true;
		return NULL;   /* the other connections do its share */
	}
	m->work(m->arg, f);
	ftp_quit(f);
	ftp_free(f);
	return NULL;
}

void cli_more_start(struct cli_more *m, struct cli *c, void (*work)(void *arg, struct ftp *f),
		    void *arg)
{
	m->c = c;
	m->work = work;
	m->arg = arg;
	m->refused = false;
	m->started = pthread_create(&m->t, NULL, cli_more_main, m) == 0;
}

void cli_more_join(struct cli *c, struct cli_more *m, int n)
{
	int refused = 0;
	const char *why = "";
	for (int i = 0; i < n; i++) {
		if (m[i].started)
			pthread_join(m[i].t, NULL);
		if (m[i].started && m[i].refused && refused++ == 0)
			why = m[i].why;
	}
	if (refused > 0)
		cli_note(c, "note: %d of %d more connections could not be opened (%s); "
			 "the others did their share", refused, n, why);
}

/* The work of a worker on its own connection. */
static void mirror_extra_work(void *arg, struct ftp *f)
{
	struct mirror_worker *w = arg;
	w->f = f;
	mirror_worker_main(w);
}

/* Copies the plan's files over up to mo->parallel connections. */
static void mirror_transfers(struct mirror_run *r)
{
	int n = r->mo->parallel;
	if ((size_t)n > r->files)
		n = r->files > 0 ? (int)r->files : 1;
	struct mirror_worker *w = xcalloc((size_t)n, sizeof *w);
	struct cli_more *m = xcalloc((size_t)n, sizeof *m);

	for (int i = 0; i < n; i++)
		w[i] = (struct mirror_worker){ .r = r, .f = r->c->ftp, .slot = (size_t)i };
	for (int i = 1; i < n; i++)
		cli_more_start(&m[i], r->c, mirror_extra_work, &w[i]);
	mirror_worker_main(&w[0]);
	cli_more_join(r->c, m + 1, n - 1);
	for (int i = 0; i < n; i++)
		tempname_dir_free(&w[i].temps);
	free(m);
	free(w);
}

/* Makes the target's top directory when it is not there yet. */
static enum ferry_exit mirror_make_top(struct cli *c, const struct mirror_opts *mo,
				       const struct sync_job *j)
{
	if (!mo->upload) {
		if (mkdir(j->local, 0777) < 0 && errno != EEXIST)
			return cli_fail_errno(c, errno, j->local);
		return FERRY_EXIT_OK;
	}
	char msg[SYNC_MSG_MAX];
	enum ftp_status st = sync_remote_mkdir(c->ftp, j->remote, msg, sizeof msg);
	return st == FTP_S_OK ? FERRY_EXIT_OK : cli_fail(c, ferry_exit_from_status(st), "%s", msg);
}

/* Prints the summary line: the plan's counts for a dry run, else what was
 * done (an action that failed or never ran is not counted as done). */
static void mirror_summary(struct cli *c, const struct plan *p, const struct mirror_run *r,
			   bool dry)
{
	char size[32], secs[32], line[CLI_MSG_MAX];

	if (c->opt.quiet)
		return;
	if (dry) {
		snprintf(line, sizeof line, "dry run: %zu to copy, %zu to replace, %zu to delete, "
			 "%zu skipped, %s to transfer; nothing changed", p->copies, p->replaces,
			 p->deletes, p->skips, human_size(p->bytes, size, sizeof size));
	} else {
		double t = (double)(sysio_now_ms() - r->t0) / 1000.0;
		snprintf(line, sizeof line, "mirror: %zu copied, %zu replaced, %zu deleted, "
			 "%zu skipped, %zu failed; %s transferred in %s", r->done[PLAN_COPY],
			 r->done[PLAN_REPLACE], r->done[PLAN_DELETE], p->skips, r->failures, human_size(r->bytes, size, sizeof size),
			 human_seconds(t, secs, sizeof secs));
	}
	cli_print(line);
}

/* Asks once before deleting (on a terminal, without -y). */
static enum ferry_exit mirror_confirm(struct cli *c, const struct plan *p, const char *target)
{
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];

	if (p->deletes == 0 || !c->ask)
		return FERRY_EXIT_OK;
	snprintf(question, sizeof question, "Delete %zu entr%s from %s that %s not in the "
		 "source?", p->deletes, p->deletes == 1 ? "y" : "ies", target,
		 p->deletes == 1 ? "is" : "are");
	snprintf(refusal, sizeof refusal, "nothing changed (%zu deletes not confirmed)",
		 p->deletes);
	return cli_confirm(c, question, refusal);
}

/* Carries out the plan: deletes and directories in order on the
 * session's connection, then the files in parallel. */
static enum ferry_exit mirror_run_plan(struct cli *c, const struct mirror_opts *mo,
				       const struct sync_job *j, struct plan *p)
{
	struct mirror_run r = { .c = c, .mo = mo, .job = *j, .plan = p, .code = FERRY_EXIT_OK,
				.t0 = sysio_now_ms() };
	struct mirror_worker w0 = { .r = &r, .f = c->ftp, .slot = 0 };
	enum ferry_exit code = mirror_make_top(c, mo, j);

	if (code != FERRY_EXIT_OK)
		return code;
	pthread_mutex_init(&r.lock, NULL);
	r.live = xcalloc((size_t)mo->parallel, sizeof *r.live);
	r.left_out = xcalloc(p->n + 1, sizeof *r.left_out);
	for (size_t i = 0; i < p->n; i++)
		if (mirror_is_transfer(&p->v[i]))
			r.files++;
	/* An upload's directory not made for its local name (a line break in
	 * it, which no FTP command can carry) is one failure: what is in it
	 * (after it, in the plan's order) is left out. */
	const char *gone = NULL;
	for (size_t i = 0; i < p->n && !interrupt_pending(); i++) {
		const struct plan_action *a = &p->v[i];
		if (gone != NULL && path_is_above(gone, a->path)) {
			r.left_out[i] = true;
			if (mirror_is_transfer(a))
				r.files--;
		} else if (a->verb == PLAN_SKIP) {
			mirror_say(c, a);
		} else if (!mirror_is_transfer(a) && mirror_act(&w0, a) == FTP_S_LOCAL &&
			   mo->upload && a->kind == PLAN_DIR && a->verb != PLAN_DELETE) {
			gone = a->path;
		}
	}
	if (!interrupt_pending())
		mirror_transfers(&r);
	pthread_mutex_lock(&r.lock);
	mirror_erase(&r);
	pthread_mutex_unlock(&r.lock);
	fflush(stdout);
	if (interrupt_pending() && r.code == FERRY_EXIT_OK)
		r.code = cli_fail(c, FERRY_EXIT_DECLINED, "interrupted");
	mirror_summary(c, p, &r, false);
	free(r.live);
	free(r.left_out);
	pthread_mutex_destroy(&r.lock);
	return r.code;
}

enum ferry_exit cli_mirror_copy(struct cli *c, bool upload, const char *local,
				const char *remote, const struct cli_xfer_job *job)
{
	struct mirror_opts mo = { .upload = upload, .parallel = job->parallel,
				  .plan = { .compare = PLAN_CMP_ALWAYS }, .verify = job->verify,
				  .follow = job->follow_links && !upload };
	struct sync_job j = { .way = upload ? SYNC_UPLOAD : SYNC_DOWNLOAD, .local = local,
			      .remote = remote, .verify = job->verify };
	struct plan p = { 0 };
	struct mirror_unread unread = { .c = c, .left = FERRY_EXIT_OK };
	char question[CLI_MSG_MAX], refusal[CLI_MSG_MAX];
	size_t nowhere = 0;

	if (mo.parallel < 1)
		mo.parallel = 1;
	enum ferry_exit code = mirror_plan(c, &mo, &j, &unread, &p, &nowhere);
	if (code == FERRY_EXIT_OK && p.replaces > 0) {
		snprintf(question, sizeof question, "Overwrite %zu existing file%s in %s?",
			 p.replaces, p.replaces == 1 ? "" : "s", upload ? remote : local);
		snprintf(refusal, sizeof refusal, "%zu file%s exist%s: nothing copied", p.replaces,
			 p.replaces == 1 ? "" : "s", p.replaces == 1 ? "s" : "");
		code = cli_confirm(c, question, refusal);
	}
	if (code == FERRY_EXIT_OK)
		code = mirror_run_plan(c, &mo, &j, &p);
	plan_free(&p);
	code = mirror_nowhere(c, code, nowhere);
	return code == FERRY_EXIT_OK ? unread.left : code;
}

enum ferry_exit cli_cmd_mirror(struct cli *c, const struct cli_args *a)
{
	struct mirror_opts mo;
	struct plan p = { 0 };
	struct mirror_unread unread = { .c = c, .left = FERRY_EXIT_OK };
	size_t nowhere = 0;

	enum ferry_exit code = mirror_parse(c, a, &mo);
	if (code == FERRY_EXIT_OK) {
		struct sync_job j = { .way = mo.upload ? SYNC_UPLOAD : SYNC_DOWNLOAD,
				      .local = mo.upload ? mo.src : mo.dst,
				      .remote = mo.upload ? mo.dst : mo.src, .verify = mo.verify };
		code = mirror_plan(c, &mo, &j, &unread, &p, &nowhere);
		if (code == FERRY_EXIT_OK && mo.dry_run) {
			for (size_t i = 0; i < p.n; i++)
				mirror_say(c, &p.v[i]);
			mirror_summary(c, &p, NULL, true);
		} else if (code == FERRY_EXIT_OK) {
			code = mirror_confirm(c, &p, mo.dst);
			if (code == FERRY_EXIT_OK)
				code = mirror_run_plan(c, &mo, &j, &p);
		}
		/* A delete held back is a failure of its own, after the rest. */
		if (p.withheld[0] != '\0') {
			enum ferry_exit why = p.withheld_unread && unread.left != FERRY_EXIT_OK
					      ? unread.left : FERRY_EXIT_REFUSED;
			enum ferry_exit held = cli_fail(c, why, "--delete: nothing deleted: %s%s",
							p.withheld,
							p.withheld_unread ? "" : " (lines ferry did "
							"not understand)");
			if (code == FERRY_EXIT_OK)
				code = held;
		}
		code = mirror_nowhere(c, code, nowhere);
		/* A source folder left out fails the mirror after the rest. */
		if (code == FERRY_EXIT_OK)
			code = unread.left;
	}
	plan_free(&p);
	free(mo.include);
	free(mo.exclude);
	return code;
}
