/* browse: the browsing worker's request loop (see browse.h). Reads
 * requests, runs them through its side's operations (browse_ops.c) and
 * answers; while a delete job runs, the requests that arrive meanwhile
 * are answered between two of its entries. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse.h"
#include "browse_private.h"
#include "queue.h"
#include "sanitize.h"
#include "sysio.h"
#include "xalloc.h"

/* Least time between two progress reports of a delete, in ms. */
#define BROWSE_PROGRESS_MS 100

void browse_fail(struct browse *b, const char *fmt, ...)
{
	char raw[WIRE_STR_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	sanitize_text(raw, strlen(raw), b->msg, sizeof b->msg);
}

/* Queues b->rep for the screen; a screen that went away stops the worker's
 * work (the next read sees the closed pipe). */
static void browse_send(struct browse *b)
{
	if (!b->in_closed && wire_put_msg(&b->out, &b->rep) < 0)
		b->in_closed = true;
}

/* Sends what is queued. */
static void browse_flush(struct browse *b)
{
	if (!b->in_closed && wire_flush(&b->out) < 0)
		b->in_closed = true;
}

void browse_entry(struct browse *b, const char *name, enum ftp_entry_type type, int64_t size,
		  int64_t mtime, const char *target, bool link, bool broken)
{
	wire_init(&b->rep, WIRE_ENTRY, b->listing);
	b->rep.entry.type = (uint8_t)type;
	b->rep.entry.flags = (uint8_t)((link ? WIRE_LINK : 0) | (broken ? WIRE_BROKEN : 0));
	b->rep.entry.size = size;
	b->rep.entry.mtime = mtime;
	wire_set_str(b->rep.entry.name, name);
	wire_set_str(b->rep.entry.target, target ? target : "");
	browse_send(b);
}

/* Answers request id with result and b->msg (or msg when not NULL). */
static void browse_reply(struct browse *b, unsigned id, enum wire_result result, const char *msg)
{
	wire_init(&b->rep, WIRE_REPLY, id);
	b->rep.reply.result = (uint8_t)result;
	b->rep.reply.size = -1;
	wire_set_str(b->rep.reply.message, msg ? msg : b->msg);
	browse_send(b);
	browse_flush(b);
}

/* A listing (or a find: its matches): entries, then the reply with the
 * directory's real name. */
static void browse_list(struct browse *b, const struct wire_msg *m)
{
	b->msg[0] = '\0';
	b->dir[0] = '\0';
	b->fell_back = false;
	b->incomplete = false;
	b->listing = m->id;
	bool ok = (m->request.flags & WIRE_SCAN)   ? b->ops->scan(b, m->request.path)
		  : (m->request.flags & WIRE_FIND) ? b->ops->find(b, m->request.path, m->request.path2)
						   : b->ops->list(b, m->request.path);
	wire_init(&b->rep, WIRE_REPLY, m->id);
	b->rep.reply.result = ok ? WIRE_OK : WIRE_FAILED;
	b->rep.reply.flags = (uint8_t)((b->fell_back ? WIRE_FELL_BACK : 0) |
				       (ok && b->incomplete ? WIRE_INCOMPLETE : 0));
	/* A listing's reply says how much room is left there, when known. */
	b->rep.reply.size = ok ? b->ops->avail(b, b->dir[0] ? b->dir : m->request.path) : -1;
	wire_set_str(b->rep.reply.message, b->msg);
	wire_set_str(b->rep.reply.path, b->dir);
	browse_send(b);
	browse_flush(b);
}

/* A rename: refused with WIRE_EXISTS when the target exists and replacing
 * it was not agreed, since FTP's RNTO and rename(2) replace silently. */
static void browse_rename(struct browse *b, const struct wire_msg *m)
{
	int64_t size = -1, mtime = 0;
	b->msg[0] = '\0';
	if (!(m->request.flags & WIRE_REPLACE) &&
	    b->ops->exists(b, m->request.path2, &size, &mtime)) {
		wire_init(&b->rep, WIRE_REPLY, m->id);
		b->rep.reply.result = WIRE_EXISTS;
		b->rep.reply.size = size;
		b->rep.reply.mtime = mtime;
		wire_set_str(b->rep.reply.message, "the new name exists");
		browse_send(b);
		browse_flush(b);
		return;
	}
	bool ok = b->ops->rename(b, m->request.path, m->request.path2);
	browse_reply(b, m->id, ok ? WIRE_OK : WIRE_FAILED, NULL);
}

/* A delete job: removes a file, or a directory and everything in it,
 * reporting progress, and ends it as done, failed or cancelled. */
static void browse_remove(struct browse *b, const struct wire_msg *m)
{
	b->msg[0] = '\0';
	b->deleting = m->id;
	b->cancelled = false;
	b->removed = 0;
	b->reported_ms = 0;
	bool ok;
	if (m->request.flags & WIRE_TREE)
		ok = b->ops->rmtree(b, m->request.path);
	else if ((ok = b->ops->remove(b, m->request.path)))
		b->removed++;
	wire_init(&b->rep, WIRE_PROGRESS, m->id);
	b->rep.progress.done = b->removed;
	b->rep.progress.total = -1;
	browse_send(b);
	wire_init(&b->rep, WIRE_END, m->id);
	b->rep.end.state = ok ? QUEUE_DONE : b->cancelled ? QUEUE_CANCELLED : QUEUE_FAILED;
	wire_set_str(b->rep.end.message, ok ? "" : b->cancelled ? "cancelled" : b->msg);
	browse_send(b);
	browse_flush(b);
	b->deleting = 0;
}

/* Answers one request. */
static void browse_serve(struct browse *b, const struct wire_msg *m)
{
	switch (m->type) {
	case WIRE_LIST:
		browse_list(b, m);
		break;
	case WIRE_MKDIR:
		b->msg[0] = '\0';
		browse_reply(b, m->id, b->ops->mkdir(b, m->request.path) ? WIRE_OK : WIRE_FAILED, NULL);
		break;
	case WIRE_RENAME:
		browse_rename(b, m);
		break;
	case WIRE_INFO: {
		char text[WIRE_STR_MAX + 1];
		b->msg[0] = '\0';
		bool ok = b->ops->info(b, m->request.path, text, sizeof text);
		browse_reply(b, m->id, ok ? WIRE_OK : WIRE_FAILED, ok ? text : NULL);
		break;
	}
	case WIRE_REMOVE:
		if (b->deleting != 0) {
			/* The screen starts one delete at a time; never nest them. */
			wire_init(&b->rep, WIRE_END, m->id);
			b->rep.end.state = QUEUE_FAILED;
			wire_set_str(b->rep.end.message, "another delete is running");
			browse_send(b);
			browse_flush(b);
		} else {
			browse_remove(b, m);
		}
		break;
	default:
		break;   /* a cancel of nothing running, or a stray message */
	}
}

bool browse_step(struct browse *b)
{
	b->removed++;
	return browse_between(b);
}

bool browse_between(struct browse *b)
{
	struct pollfd pfd = { .fd = b->in_fd, .events = POLLIN };

	long long now = sysio_now_ms();
	if (now - b->reported_ms >= BROWSE_PROGRESS_MS) {
		b->reported_ms = now;
		wire_init(&b->rep, WIRE_PROGRESS, b->deleting);
		b->rep.progress.done = b->removed;
		b->rep.progress.total = -1;
		browse_send(b);
		browse_flush(b);
	}
	/* What is kept or read already first, then what the pipe has now. */
	for (;;) {
		while (!b->in_closed && !b->cancelled &&
		       worker_conn_next(&b->conn, &b->polled) == 1) {
			if (b->polled.type == WIRE_CANCEL && b->polled.id == b->deleting)
				b->cancelled = true;
			else
				browse_serve(b, &b->polled);
		}
		if (b->conn.closed)
			b->in_closed = true;
		if (b->in_closed || b->cancelled || poll(&pfd, 1, 0) <= 0)
			break;
		if (wire_fill(b->in_fd, &b->reader) <= 0) {
			b->in_closed = true;
			break;
		}
	}
	if (b->in_closed)
		b->cancelled = true;
	if (b->cancelled)
		browse_fail(b, "cancelled");
	return !b->cancelled;
}

/* Logs the remote side in as l and says how it went (TLS first, then the
 * reply); false when it failed. */
static bool browse_login(struct browse *b, const struct worker_login *l)
{
	worker_conn_open(&b->conn, l);
	b->ftp = b->conn.ftp;
	enum ftp_status st = ftp_connect(b->ftp, l->host ? l->host : "", l->port, l->user, l->pass);
	worker_conn_tell_tls(&b->conn);
	wire_init(&b->rep, WIRE_REPLY, 0);
	b->rep.reply.result = st == FTP_S_OK ? WIRE_OK : WIRE_FAILED;
	b->rep.reply.size = -1;
	wire_set_str(b->rep.reply.message, ftp_message(b->ftp));
	wire_set_str(b->rep.reply.path, ftp_dir(b->ftp));
	browse_send(b);
	browse_flush(b);
	return st == FTP_S_OK;
}

int browse_child(int in_fd, int out_fd, const struct worker_login *l)
{
	struct browse *b = xcalloc(1, sizeof *b);

	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	b->in_fd = in_fd;
	b->out.fd = out_fd;
	worker_conn_init(&b->conn, in_fd, &b->reader, &b->out);
	b->ops = l != NULL ? &browse_remote_ops : &browse_local_ops;
	if (l == NULL || browse_login(b, l)) {
		for (;;) {
			int rc = 0;
			while (!b->in_closed && (rc = worker_conn_next(&b->conn, &b->req)) == 1)
				browse_serve(b, &b->req);
			if (b->in_closed || rc < 0)
				break;
			if (wire_fill(in_fd, &b->reader) <= 0)
				break;
		}
	}
	worker_conn_close(&b->conn);
	free(b);
	return 0;
}
