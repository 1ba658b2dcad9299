/* ftp_list: directory listings. MLSD when FEAT offered MLST (facts are
 * exact: UTC times, sizes, types), otherwise LIST, parsed from the forms
 * real servers print (listparse.c). A server that offers MLSD but then
 * answers it 500/502 gets LIST from then on; a 4xx answer to MLSD (the
 * server could not list that directory so: ferryd's 451 for a directory
 * holding a name with a line break, which MLSD cannot carry) is retried
 * with LIST for that directory only, and the call says so
 * (ftp_list_fell_back, and its message). A 5xx answer (no such directory,
 * no permission) stands: LIST would only hide it (pure-ftpd lists a
 * missing directory as empty). Before a connection's first LIST, SYST
 * is asked; a UNIX server gets "LIST -a" (vsftpd's plain LIST leaves out
 * the names starting with '.'), believed only when it lists the
 * directory's own "." as ls -a does; else plain LIST stands in. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ftp_private.h"
#include "path.h"
#include "sbuf.h"

/* Arguments of a listing. */
struct list_args {
	const char *path;           /* directory to list, or NULL */
	struct ftp_listing *out;    /* where entries go */
	char why[FTP_MSG_MAX];      /* MLSD's refusal when LIST stood in for it */
};

/* A listing parsed as it arrives: whole lines go to the parser at once
 * (while the server still sends the rest), a line cut by the end of a
 * read waits in rest for its end. The body stays bounded by
 * FTP_LISTING_MAX. */
struct list_sink {
	bool mlsd;                 /* MLSD lines, else LIST lines */
	time_t now;                /* decides the year of LIST dates */
	size_t total;              /* bytes received */
	struct sbuf rest;          /* the start of a line not yet ended */
	struct ftp_listing got;    /* entries so far */
};

static int sink_parse(void *arg, const char *buf, size_t n)
{
	struct list_sink *ls = arg;
	if (n > FTP_LISTING_MAX - ls->total)
		return EFBIG;
	ls->total += n;
	const char *nl = memrchr(buf, '\n', n);
	if (nl == NULL)
		return sbuf_append(&ls->rest, buf, n) ? 0 : EFBIG;
	size_t lines = (size_t)(nl - buf) + 1;
	if (ls->rest.len > 0) {
		if (!sbuf_append(&ls->rest, buf, lines))
			return EFBIG;
		listparse_buffer(sbuf_str(&ls->rest), ls->rest.len, ls->mlsd, ls->now, &ls->got);
		sbuf_reset(&ls->rest);
	} else {
		listparse_buffer(buf, lines, ls->mlsd, ls->now, &ls->got);
	}
	return sbuf_append(&ls->rest, nl + 1, n - lines) ? 0 : EFBIG;
}

/* Parses the last line, which no line break ended. */
static void sink_flush(struct list_sink *ls)
{
	listparse_buffer(sbuf_str(&ls->rest), ls->rest.len, ls->mlsd, ls->now, &ls->got);
	sbuf_reset(&ls->rest);
}

/* Moves the entries of ls (flushed) to out. */
static void sink_finish(struct list_sink *ls, struct ftp_listing *out)
{
	listparse_add_skipped(out, &ls->got);
	if (out->n == 0) {
		free(out->v);
		out->v = ls->got.v;
		out->n = ls->got.n;
		out->cap = ls->got.cap;
	} else {
		for (size_t i = 0; i < ls->got.n; i++)
			listparse_add(out, &ls->got.v[i]);
		free(ls->got.v);
	}
	listparse_init(&ls->got);
}

/* The argument of LIST for path (NULL: the current directory): servers
 * that run or mimic ls (vsftpd, proftpd) read an argument starting with
 * '-' as its options and list the current directory instead, so such a
 * name goes as "./name"; with dash_a, "-a" goes first. MLSD takes no
 * options and gets path as it is. */
static const char *list_arg(const char *path, bool mlsd, bool dash_a, struct sbuf *buf)
{
	bool dash_name = path != NULL && path[0] == '-';
	if (mlsd || (!dash_a && !dash_name))
		return path;
	sbuf_reset(buf);
	if (!sbuf_printf(buf, "%s%s%s", dash_a ? (path != NULL ? "-a " : "-a") : "",
			 dash_name ? "./" : "", path != NULL ? path : ""))
		return path;
	return sbuf_str(buf);
}

/* Asks SYST before the first LIST of a connection: only a server that
 * says it is UNIX ("215 UNIX Type: L8": vsftpd, proftpd, pure-ftpd) is
 * tried with "LIST -a"; IIS ("215 Windows_NT") and a server that does
 * not know SYST get plain LIST. */
static enum ftp_status list_syst(struct ftp *f)
{
	enum ftp_status st = ftp_command(f, "SYST", NULL);
	if (st != FTP_S_OK)
		return st;
	bool unix_like = f->code == FTP_SYSTEM_TYPE &&
			 strncasecmp(ftp_reply_text(f), "UNIX", 4) == 0;
	f->list_a = unix_like ? FTP_LIST_A_TRY : FTP_LIST_A_NO;
	return FTP_S_OK;
}

/* After "LIST -a path" showed no "." and plain LIST listed got: anything
 * but path's own one entry (a file's listing) is a directory's, which
 * ls -a would have started with ".", so the server does not take -a. */
static void list_a_settle(struct ftp *f, const char *path, const struct ftp_listing *got)
{
	if (path != NULL && got->n == 1 &&
	    strcmp(path_last(got->v[0].name), path_last(path)) == 0)
		return;
	ftp_trace(f, FTP_TRACE_INFO, "LIST -a lists no \".\" here: plain LIST from now on");
	f->list_a = FTP_LIST_A_NO;
}

/* One listing: MLSD or LIST, falling back once from MLSD to LIST. */
static enum ftp_status op_list(struct ftp *f, void *p)
{
	struct list_args *a = p;
	bool mlsd = (f->feat & FTP_FEAT_MLST) && !f->no_mlsd;
	bool probed = false;   /* "LIST -a" was tried here and showed no "." */
	struct sbuf arg;

	sbuf_init(&arg, PATH_LEN_MAX + 5);

	for (;;) {
		enum ftp_status st = FTP_S_OK;
		if (!mlsd && f->list_a == FTP_LIST_A_UNKNOWN)
			st = list_syst(f);
		bool dash_a = !mlsd && !probed &&
			      (f->list_a == FTP_LIST_A_TRY || f->list_a == FTP_LIST_A_YES);
		int dfd;
		if (st == FTP_S_OK)
			st = ftp_data_open(f, &dfd);
		if (st != FTP_S_OK) {
			sbuf_free(&arg);
			return st;
		}
		struct list_sink ls = { .mlsd = mlsd, .now = time(NULL) };
		sbuf_init(&ls.rest, FTP_LISTING_MAX);
		listparse_init(&ls.got);
		struct ftp_sink sink = { .write = sink_parse, .arg = &ls,
					 .what = "receiving the listing" };
		off_t unknown = -1;
		st = ftp_xfer_recv(f, dfd, mlsd ? "MLSD" : "LIST",
				   list_arg(a->path, mlsd, dash_a, &arg), 0, &unknown, &sink,
				   NULL, NULL);
		if (st == FTP_S_OK)
			sink_flush(&ls);
		else
			listparse_free(&ls.got);
		if (dash_a && f->list_a == FTP_LIST_A_TRY &&
		    (st == FTP_S_REFUSED || (st == FTP_S_OK && !ls.got.self_seen))) {
			/* Not known to take -a: only a plain LIST is believed. */
			listparse_free(&ls.got);
			sbuf_free(&ls.rest);
			probed = true;
			continue;
		}
		if (st == FTP_S_OK && dash_a && f->list_a == FTP_LIST_A_TRY) {
			ftp_trace(f, FTP_TRACE_INFO, "LIST -a lists \".\": names starting with "
				  "'.' are asked for from now on");
			f->list_a = FTP_LIST_A_YES;
		}
		if (st == FTP_S_OK && probed)
			list_a_settle(f, a->path, &ls.got);
		if (st == FTP_S_REFUSED && mlsd && !f->long_refused &&
		    (f->code == FTP_BAD_COMMAND || f->code == FTP_NOT_IMPLEMENTED)) {
			sbuf_free(&ls.rest);
			ftp_trace(f, FTP_TRACE_INFO, "MLSD refused (%s); using LIST from now on",
				  ftp_message(f));
			f->no_mlsd = true;
			mlsd = false;
			continue;
		}
		if (st == FTP_S_REFUSED && mlsd && f->code / 100 == 4) {
			/* Not listable with MLSD this time: LIST may still show it. */
			sbuf_free(&ls.rest);
			memcpy(a->why, f->msg, sizeof a->why);
			ftp_trace(f, FTP_TRACE_INFO, "MLSD failed (%s); listing with LIST", a->why);
			f->list_fell_back = true;
			mlsd = false;
			continue;
		}
		if (st == FTP_S_OK) {
			f->list_by_list = !mlsd;
			size_t before = a->out->skipped;
			sink_finish(&ls, a->out);
			size_t skipped = a->out->skipped - before;
			char keep[FTP_MSG_MAX];
			memcpy(keep, f->msg, sizeof keep);
			if (f->list_fell_back)
				ftp_set_msg(f, "MLSD failed (%s); listed with LIST", a->why);
			if (skipped > 0)
				ftp_set_msg(f, "%s (%zu line%s not understood)",
					    f->list_fell_back ? f->msg : keep, skipped,
					    skipped == 1 ? "" : "s");
		}
		sbuf_free(&ls.rest);
		sbuf_free(&arg);
		return st;
	}
}

/* After MLSD refused path: MLSD takes directories only (ferryd answers
 * 501, pure-ftpd 550), so a file is looked up with MLST and listed as its
 * one entry. Anything else keeps MLSD's refusal and its message. */
static enum ftp_status list_one_file(struct ftp *f, const char *path, struct ftp_listing *out)
{
	char keep[FTP_MSG_MAX];
	int code = f->code;
	struct ftp_entry e;

	memcpy(keep, f->msg, sizeof keep);
	enum ftp_status st = ftp_stat(f, path, &e);
	if (st == FTP_S_OK && e.type != FTP_ENTRY_DIR) {
		listparse_add(out, &e);
		return FTP_S_OK;
	}
	if (st == FTP_S_OK)
		listparse_entry_free(&e);
	if (st == FTP_S_BROKEN || st == FTP_S_CONNECT)
		return st;
	memcpy(f->msg, keep, sizeof keep);
	f->code = code;
	return FTP_S_REFUSED;
}

enum ftp_status ftp_list(struct ftp *f, const char *path, struct ftp_listing *out)
{
	enum ftp_status st;
	struct list_args a = { .path = (path && path[0]) ? path : NULL, .out = out };
	f->list_fell_back = false;
	f->list_by_list = false;
	if (!ftp_arg_ok(f, path, false, &st))
		return st;
	st = ftp_run(f, op_list, &a);
	if (st == FTP_S_REFUSED && a.path != NULL && (f->feat & FTP_FEAT_MLST) && !f->no_mlsd)
		st = list_one_file(f, a.path, out);
	return st;
}

bool ftp_list_fell_back(const struct ftp *f)
{
	return f->list_fell_back;
}

bool ftp_list_by_list(const struct ftp *f)
{
	return f->list_by_list;
}
