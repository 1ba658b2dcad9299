/* security: TLS on the screen (see app.h). The workers that talk to the
 * server are processes of their own, so what their engines tell or ask
 * arrives as messages: notices (kept with the connection, shown once on
 * the status line), the connection's TLS state (the top line's lock, the
 * `i` key's box), and questions about certificates that do not verify.
 * A question waits here until no other dialog is open; the worker that
 * asked waits for the answer. An accepted certificate is kept with its
 * connection, and every worker started for that connection later trusts
 * it without asking; a question about it from a worker started before
 * is answered at once. A certificate refused because it changed (or is
 * not the pinned one) is shown in a box that only closes: it asks
 * nothing, so no key typed ahead can accept it. The decisions are the
 * engine's (tlsclient.h); this file shows and asks. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "dialog.h"
#include "wire.h"

/* Longest certificate description. */
#define SECURITY_DESCRIBE_MAX 2048
/* Longest line of a box. */
#define SECURITY_LINE_MAX (TLSC_PATH_MAX + 2 * APP_FIELD_MAX)

/* How the certificate of a TLS connection came to be trusted: a few
 * words for the top line, and a line for the `i` box. */
static const struct {
	const char *brief;  /* after the version on the top line ("" says nothing) */
	const char *line;   /* in the box */
} security_trust[] = {
	[TLSC_TRUST_VERIFIED] = { "", "verified: signed by a trusted authority, valid for this host" },
	[TLSC_TRUST_PINNED] = { ", pinned certificate", "trusted: the one --trust-fingerprint names" },
	[TLSC_TRUST_KNOWN] = { ", certificate accepted before",
			       "trusted: accepted before (known_certs)" },
	[TLSC_TRUST_INSECURE] = { ", certificate NOT checked",
				  "NOT CHECKED (--insecure): anyone in between can read and change "
				  "this session" },
	[TLSC_TRUST_ASK] = { ", certificate accepted by you",
			     "not verified, accepted by you in this session" },
	[TLSC_TRUST_CHANGED] = { ", certificate CHANGED", "CHANGED since it was accepted" },
	[TLSC_TRUST_PIN_MISMATCH] = { ", not the pinned certificate",
				      "not the one --trust-fingerprint names" },
};

/* The worker with pid, among those that talk to the server; NULL when it is gone. */
static struct worker *security_worker(struct app *a, pid_t pid)
{
	struct worker *ws[] = { &a->opening, &a->browse[APP_REMOTE] };
	for (size_t i = 0; pid > 0 && i < sizeof ws / sizeof ws[0]; i++)
		if (ws[i]->pid == pid)
			return ws[i];
	for (size_t i = 0; pid > 0 && i < APP_XFER_MAX; i++)
		if (a->xfer[i].pid == pid)
			return &a->xfer[i];
	return NULL;
}

/* The connection worker w works for: the one being opened, or the working one. */
static struct app_login *security_login_of(struct app *a, const struct worker *w)
{
	return w == &a->opening ? &a->trying : &a->login;
}

/* True when the user accepted the certificate of t for connection l already. */
static bool security_accepted(const struct app_login *l, const struct ftp_tls_info *t)
{
	return l->cert_fp[0] != '\0' && strcmp(l->cert_server, t->server) == 0 &&
	       strcmp(l->cert_fp, t->cert.fingerprint) == 0;
}

/* Sends the answer to question id to worker w. */
static void security_answer(struct worker *w, uint32_t id, enum ftp_cert_answer answer)
{
	struct wire_msg m;
	wire_init(&m, WIRE_ANSWER, id);
	m.answer.answer = (uint8_t)answer;
	worker_send(w, &m);
}

void security_notice(struct app *a, bool opening, const struct wire_msg *m)
{
	struct app_login *l = opening ? &a->trying : &a->login;
	const char *text = m->notice.text;
	bool warning = m->notice.kind == FTP_NOTICE_WARNING;
	/* Each worker's connection says it again: once is enough. */
	if (strstr(l->note, text) != NULL)
		return;
	size_t len = strlen(l->note);
	snprintf(l->note + len, sizeof l->note - len, "%s%s%s", len > 0 ? "; " : "",
		 warning ? "warning: " : "note: ", text);
	if (opening)
		app_status_about(a, APP_TOPIC_CONNECT, false, "connecting to %s... (Esc cancels); %s",
				 l->host, l->note);
	else
		app_status(a, warning, "%s%s", warning ? "warning: " : "note: ", text);
}

void security_tls(struct app *a, bool opening, const struct wire_msg *m)
{
	*(opening ? &a->trying_tls : &a->tls) = m->tls;
}

void security_question(struct app *a, pid_t pid, const struct wire_msg *m)
{
	struct worker *w = security_worker(a, pid);
	if (w == NULL)
		return;
	if (security_accepted(security_login_of(a, w), &m->tls)) {
		security_answer(w, m->id, FTP_CERT_ACCEPT_ONCE);
		return;
	}
	for (size_t i = 0; i < APP_QUESTIONS_MAX; i++)
		if (a->questions[i].pid == 0) {
			a->questions[i].pid = pid;
			a->questions[i].id = m->id;
			a->questions[i].tls = m->tls;
			return;
		}
	/* More questions than workers that ask: not one the user can see. */
	security_answer(w, m->id, FTP_CERT_REJECT);
}

/* The status line after an answer. */
static const char *const security_answered[] = {
	[FTP_CERT_REJECT] = "certificate rejected: not connected",
	[FTP_CERT_ACCEPT_ONCE] = "certificate accepted for this session",
	[FTP_CERT_ACCEPT_ALWAYS] = "certificate accepted and kept in known_certs",
};

/* Asks question q (copied out: asking takes messages, which may add
 * questions), unless its worker is gone or the certificate was accepted
 * meanwhile. */
static void security_ask(struct app *a, const struct app_question *q)
{
	static const enum ftp_cert_answer answers[] = {
		FTP_CERT_REJECT, FTP_CERT_ACCEPT_ONCE, FTP_CERT_ACCEPT_ALWAYS,
	};
	char text[SECURITY_DESCRIBE_MAX];
	struct worker *w = security_worker(a, q->pid);
	if (w == NULL)
		return;
	if (security_accepted(security_login_of(a, w), &q->tls)) {
		security_answer(w, q->id, FTP_CERT_ACCEPT_ONCE);
		return;
	}
	tlsc_cert_describe(&q->tls.cert, q->tls.server, text, sizeof text);
	const char *lines[] = {
		"The server's certificate could not be verified:", "", text,
		"r = reject, o = accept once (this session), a = accept always (known_certs)",
		"Enter, Esc = reject", NULL,
	};
	int k = dialog_choose(a, lines, "roa", 0);
	enum ftp_cert_answer answer = k < 0 ? FTP_CERT_REJECT : answers[k];
	/* The dialog took its time: the worker may be gone. */
	w = security_worker(a, q->pid);
	if (w == NULL)
		return;
	if (answer != FTP_CERT_REJECT) {
		struct app_login *l = security_login_of(a, w);
		snprintf(l->cert_server, sizeof l->cert_server, "%s", q->tls.server);
		snprintf(l->cert_fp, sizeof l->cert_fp, "%s", q->tls.cert.fingerprint);
	}
	security_answer(w, q->id, answer);
	app_status(a, answer == FTP_CERT_REJECT, "%s", security_answered[answer]);
}

/* Shows the certificate a connection was refused for, loudly. */
static void security_alarm(struct app *a)
{
	char text[SECURITY_DESCRIBE_MAX], stored[SECURITY_LINE_MAX] = "";
	const struct ftp_tls_info *t = &a->alarm_tls;
	tlsc_cert_describe(&t->cert, t->server, text, sizeof text);
	if (t->trust == TLSC_TRUST_CHANGED)
		snprintf(stored, sizeof stored, "  accepted:    %s (in %s)", t->stored, t->store);
	const char *lines[] = {
		t->trust == TLSC_TRUST_CHANGED ? "!!! THE SERVER'S CERTIFICATE HAS CHANGED !!!"
					       : "!!! NOT THE CERTIFICATE YOU PINNED !!!",
		"", a->alarm_msg, "", "The server shows:", text, stored, "",
		"Not connected: the login was not sent. Enter closes this.", NULL,
	};
	dialog_message(a, lines);
}

void security_ask_pending(struct app *a)
{
	if (a->alarm) {
		a->alarm = false;
		security_alarm(a);
	}
	for (size_t i = 0; i < APP_QUESTIONS_MAX; i++) {
		if (a->questions[i].pid == 0)
			continue;
		struct app_question q = a->questions[i];
		a->questions[i].pid = 0;
		security_ask(a, &q);
	}
}

bool security_title(const struct app *a, char *out, size_t outsz)
{
	const struct ftp_tls_info *t = &a->tls;
	if (!t->on) {
		snprintf(out, outsz, "plain FTP, not encrypted");
		return false;
	}
	snprintf(out, outsz, "%s%s", t->version, security_trust[t->trust].brief);
	return true;
}

void security_show(struct app *a)
{
	char head[SECURITY_LINE_MAX], how[SECURITY_LINE_MAX], cert[SECURITY_LINE_MAX] = "";
	char text[SECURITY_DESCRIBE_MAX] = "";
	const struct ftp_tls_info *t = &a->tls;
	if (!a->connected) {
		app_status_offline(a, false);
		return;
	}
	snprintf(head, sizeof head, "Connection to %s@%s:%d",
		 a->login.user[0] ? a->login.user : "anonymous", a->login.host, a->login.port);
	if (t->on)
		snprintf(how, sizeof how, "TLS: %s, on the control and every data connection",
			 t->version);
	else
		snprintf(how, sizeof how, "plain FTP: the password and the files cross the network "
			 "unencrypted");
	if (t->on && t->have_cert) {
		snprintf(cert, sizeof cert, "Certificate: %s", security_trust[t->trust].line);
		tlsc_cert_describe(&t->cert, t->server, text, sizeof text);
	}
	const char *lines[8];
	size_t n = 0;
	lines[n++] = head;
	lines[n++] = how;
	if (!t->on && a->login.note[0] != '\0')
		lines[n++] = a->login.note;
	if (cert[0] != '\0') {
		lines[n++] = cert;
		lines[n++] = text;
	}
	lines[n++] = "Enter closes this";
	lines[n] = NULL;
	dialog_message(a, lines);
}
