/* worker_conn: a worker's engine handle and its line to the screen while
 * the engine needs the user (see worker_conn.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "worker_conn.h"
#include "xalloc.h"

void worker_conn_init(struct worker_conn *k, int in_fd, struct wire_reader *reader,
		      struct wire_writer *out)
{
	memset(k, 0, sizeof *k);
	k->in_fd = in_fd;
	k->reader = reader;
	k->out = out;
}

/* Sends k->msg to the screen at once; a screen that went away ends every wait. */
static void conn_send(struct worker_conn *k)
{
	if (k->closed)
		return;
	if (wire_put_msg(k->out, &k->msg) < 0 || wire_flush(k->out) < 0)
		k->closed = true;
}

/* Keeps m for worker_conn_next. */
static void conn_hold(struct worker_conn *k, const struct wire_msg *m)
{
	if (k->nheld == k->heldcap) {
		k->heldcap = k->heldcap ? k->heldcap * 2 : 8;
		k->held = xrealloc(k->held, k->heldcap * sizeof *k->held);
	}
	k->held[k->nheld] = xmalloc(sizeof *m);
	*k->held[k->nheld++] = *m;
}

int worker_conn_next(struct worker_conn *k, struct wire_msg *m)
{
	if (k->nheld > 0) {
		*m = *k->held[0];
		free(k->held[0]);
		memmove(k->held, k->held + 1, (k->nheld - 1) * sizeof *k->held);
		k->nheld--;
		return 1;
	}
	return wire_take(k->reader, m);
}

/* The engine's notices go to the screen's status line. */
static void conn_notice(void *arg, enum ftp_notice_kind kind, const char *text)
{
	struct worker_conn *k = arg;
	wire_init(&k->msg, WIRE_NOTICE, 0);
	k->msg.notice.kind = (uint8_t)kind;
	wire_set_str(k->msg.notice.text, text);
	conn_send(k);
}

/* The engine's protocol trace, line by line to the screen (the log view). */
static void conn_trace(void *arg, enum ftp_trace_kind kind, const char *text)
{
	struct worker_conn *k = arg;
	struct wire_msg m;
	if (k->closed)
		return;
	wire_init(&m, WIRE_TRACE, 0);
	m.notice.kind = (uint8_t)kind;
	wire_set_str(m.notice.text, text);
	if (wire_put_msg(k->out, &m) < 0 || wire_flush(k->out) < 0)
		k->closed = true;
}

/* Waits for the answer to question id, keeping what else arrives. */
static enum ftp_cert_answer conn_wait_answer(struct worker_conn *k, uint32_t id)
{
	for (;;) {
		int rc;
		while ((rc = wire_take(k->reader, &k->msg)) == 1) {
			if (k->msg.type == WIRE_ANSWER) {
				if (k->msg.id == id)
					return (enum ftp_cert_answer)k->msg.answer.answer;
				continue;   /* the answer to an earlier question, too late */
			}
			if (k->stops != NULL && k->stops(k->arg, &k->msg))
				return FTP_CERT_REJECT;
			conn_hold(k, &k->msg);
		}
		if (rc < 0 || k->closed || wire_fill(k->in_fd, k->reader) <= 0) {
			k->closed = true;
			return FTP_CERT_REJECT;
		}
	}
}

enum ftp_cert_answer worker_conn_ask(void *arg, const char *hostport,
				     const struct tlsc_cert *cert)
{
	struct worker_conn *k = arg;
	if (k->closed)
		return FTP_CERT_REJECT;
	uint32_t id = ++k->asked;
	wire_init(&k->msg, WIRE_CERT, id);
	snprintf(k->msg.tls.server, sizeof k->msg.tls.server, "%s", hostport);
	k->msg.tls.cert = *cert;
	k->msg.tls.have_cert = true;
	conn_send(k);
	return conn_wait_answer(k, id);
}

void worker_conn_open(struct worker_conn *k, const struct worker_login *l)
{
	struct ftp_settings s;
	if (l->settings != NULL)
		s = *l->settings;
	else
		settings_init(&s);
	s.tls.mode = l->tls;
	k->ftp = ftp_new();
	settings_apply(&s, k->ftp);
	if (l->scheme != NULL)
		ftp_set_scheme(k->ftp, l->scheme);
	if (l->cert_server != NULL && l->cert_fp != NULL && l->cert_fp[0] != '\0')
		ftp_trust_once(k->ftp, l->cert_server, l->cert_fp);
	ftp_set_notice(k->ftp, conn_notice, k);
	ftp_set_trace(k->ftp, conn_trace, k);
	ftp_set_cert_prompt(k->ftp, worker_conn_ask, k);
}

void worker_conn_tell_tls(struct worker_conn *k)
{
	wire_init(&k->msg, WIRE_TLS, 0);
	k->msg.tls = *ftp_tls_info(k->ftp);
	conn_send(k);
}

void worker_conn_close(struct worker_conn *k)
{
	if (k->ftp != NULL) {
		if (ftp_connected(k->ftp))
			ftp_quit(k->ftp);
		ftp_free(k->ftp);
		k->ftp = NULL;
	}
	for (size_t i = 0; i < k->nheld; i++)
		free(k->held[i]);
	free(k->held);
	k->held = NULL;
	k->nheld = k->heldcap = 0;
}
