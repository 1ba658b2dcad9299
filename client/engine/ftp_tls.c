/* ftp_tls: FTPS in the engine (RFC 4217). What a connection does about
 * TLS (the scheme and --tls), the handshake on the control connection and
 * the decision to trust the server's certificate (tlsclient.c decides,
 * the trust-on-first-use store knows, the front end is asked), and the
 * TLS side of each data connection: it resumes the control connection's
 * session, so servers that bind data connections to their control
 * connection (vsftpd's require_ssl_reuse) accept it.
 *
 * Nothing is sent over a TLS connection before its certificate is
 * trusted, and a certificate that does not verify is never accepted
 * silently: the front end answers, or the connection fails with
 * FTP_S_TLS and the reason. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ftp_private.h"
#include "knowncerts.h"
#include "sysio.h"

void ftp_set_tls(struct ftp *f, const struct tlsc_options *o)
{
	f->tls_opt = *o;
}

bool ftp_set_scheme(struct ftp *f, const char *scheme)
{
	struct tlsc_scheme s;
	if (scheme == NULL || strlen(scheme) >= sizeof f->scheme ||
	    !tlsc_scheme_lookup(scheme, TLSC_AUTO, &s))
		return false;
	size_t i = 0;
	for (; scheme[i] != '\0'; i++)
		f->scheme[i] = (char)tolower((unsigned char)scheme[i]);
	f->scheme[i] = '\0';
	return true;
}

void ftp_set_cert_prompt(struct ftp *f, ftp_cert_fn *fn, void *arg)
{
	f->cert_fn = fn;
	f->cert_arg = arg;
}

void ftp_trust_once(struct ftp *f, const char *server, const char *fingerprint)
{
	snprintf(f->once_key, sizeof f->once_key, "%s", server);
	snprintf(f->once_fp, sizeof f->once_fp, "%s", fingerprint);
}

const struct ftp_tls_info *ftp_tls_info(const struct ftp *f)
{
	return &f->tls_info;
}

enum ftp_tls_use ftp_tls_use(const struct ftp *f)
{
	struct tlsc_scheme s;
	if (f->host == NULL || !tlsc_scheme_lookup(f->scheme, f->tls_opt.mode, &s) || !s.tls)
		return FTP_TLS_OFF;
	if (s.implicit)
		return FTP_TLS_IMPLICIT;
	return s.mode == TLSC_REQUIRE ? FTP_TLS_REQUIRE : FTP_TLS_AUTO;
}

int ftp_tls_default_port(const struct ftp *f)
{
	struct tlsc_scheme s;
	return tlsc_scheme_lookup(f->scheme, f->tls_opt.mode, &s) ? s.port : FTP_DEFAULT_PORT;
}

void ftp_tls_end(struct ftp *f)
{
	tlsc_free(f->tls);
	f->tls = NULL;
	f->tls_info.on = false;
	f->tls_info.version[0] = '\0';
}

/* ---- The control connection ---- */

/* The server's name as the certificate must show it: f->host without the
 * brackets of an IPv6 address. */
static void tls_host(const struct ftp *f, char *out, size_t n)
{
	const char *h = f->host;
	size_t len = strlen(h);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	snprintf(out, n, "%.*s", (int)len, h);
}

void ftp_tls_server(const struct ftp *f, char *out, size_t n)
{
	char host[FTP_PATH_MAX + 1];
	tls_host(f, host, sizeof host);
	if (!knowncerts_key(host, f->port, out, n))
		snprintf(out, n, "%.200s:%d", host, f->port);
}

/* Fails the connection being opened: the message, FTP_S_TLS, and the
 * control connection closed without another byte sent. */
__attribute__((format(printf, 2, 3)))
static enum ftp_status tls_fail(struct ftp *f, const char *fmt, ...)
{
	char msg[FTP_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ftp_set_msg(f, "%s", msg);
	f->code = 0;
	ftp_close_control(f);
	return FTP_S_TLS;
}

/* Looks host:port up in the trust store (its path kept in tls_info).
 * Returns 0 with *match (and the stored fingerprint in tls_info when it
 * differs), or -1 with the message set when the store cannot be read. */
static int tls_store_check(struct ftp *f, const char *host, enum fp_match *match)
{
	struct ftp_tls_info *ti = &f->tls_info;
	char err[TLSC_PATH_MAX + 128];
	const char *stored = NULL;

	*match = FP_UNKNOWN;
	if (knowncerts_path(ti->store, sizeof ti->store, err, sizeof err) < 0) {
		ti->store[0] = '\0';
		return 0;   /* nowhere to keep one: nothing is known either */
	}
	struct knowncerts *kc = knowncerts_load(ti->store, err, sizeof err);
	if (kc == NULL) {
		ftp_set_msg(f, "cannot read the trust store: %s", err);
		return -1;
	}
	if (knowncerts_bad_lines(kc) > 0)
		ftp_notice(f, FTP_NOTICE_WARNING, "%s: %d line%s not understood (they never match)",
			   ti->store, knowncerts_bad_lines(kc), knowncerts_bad_lines(kc) == 1 ? "" : "s");
	*match = knowncerts_check(kc, host, f->port, ti->cert.fingerprint, &stored);
	if (*match == FP_CHANGED && stored != NULL)
		snprintf(ti->stored, sizeof ti->stored, "%s", stored);
	knowncerts_free(kc);
	return 0;
}

/* Keeps the certificate's fingerprint for host:port in the trust store
 * ("accept always"); a failure is a warning, the certificate then being
 * accepted for this handle only. */
static void tls_store_keep(struct ftp *f, const char *host)
{
	struct ftp_tls_info *ti = &f->tls_info;
	char err[TLSC_PATH_MAX + 128];

	if (ti->store[0] == '\0' && knowncerts_path(ti->store, sizeof ti->store, err,
						    sizeof err) < 0) {
		ftp_notice(f, FTP_NOTICE_WARNING, "the certificate is accepted for this session only: %s",
			   err);
		return;
	}
	struct knowncerts *kc = knowncerts_load(ti->store, err, sizeof err);
	if (kc == NULL || !knowncerts_set(kc, host, f->port, ti->cert.fingerprint) ||
	    knowncerts_save(kc, err, sizeof err) < 0) {
		if (kc != NULL && err[0] == '\0')
			snprintf(err, sizeof err, "the server's name cannot be stored");
		ftp_notice(f, FTP_NOTICE_WARNING,
			   "the certificate is accepted for this session only, not kept in %s: %s",
			   ti->store, err);
	} else {
		ftp_trace(f, FTP_TRACE_INFO, "kept %s for %s:%d in %s", ti->cert.fingerprint, host,
			  f->port, ti->store);
	}
	knowncerts_free(kc);
}

/* A certificate that did not verify and is not known: accepted earlier on
 * this handle, or the front end asks the user; without a front end to
 * ask, the connection fails. */
static enum ftp_status tls_ask(struct ftp *f, const char *host, const char *hostport)
{
	const struct tlsc_cert *cert = &f->tls_info.cert;

	if (strcmp(f->once_key, hostport) == 0 && strcmp(f->once_fp, cert->fingerprint) == 0) {
		ftp_trace(f, FTP_TRACE_INFO, "certificate accepted earlier in this session");
		return FTP_S_OK;
	}
	if (f->cert_fn == NULL)
		return tls_fail(f, "certificate not trusted: %s (accept it on a terminal, or trust "
			       "it with --trust-fingerprint or --ca-file)", cert->reason);
	switch (f->cert_fn(f->cert_arg, hostport, cert)) {
	case FTP_CERT_ACCEPT_ALWAYS:
		tls_store_keep(f, host);
		break;
	case FTP_CERT_ACCEPT_ONCE:
		break;
	case FTP_CERT_REJECT:
	default:
		return tls_fail(f, "certificate rejected: %s", cert->reason);
	}
	ftp_trust_once(f, hostport, cert->fingerprint);
	return FTP_S_OK;
}

/* Words for the trace: how the certificate came to be trusted. */
static const char *const tls_trust_words[] = {
	[TLSC_TRUST_VERIFIED] = "verified",
	[TLSC_TRUST_PINNED] = "pinned by --trust-fingerprint",
	[TLSC_TRUST_KNOWN] = "known (known_certs)",
	[TLSC_TRUST_INSECURE] = "not checked (--insecure)",
	[TLSC_TRUST_ASK] = "accepted by the user",
	[TLSC_TRUST_CHANGED] = "changed",
	[TLSC_TRUST_PIN_MISMATCH] = "not the pinned one",
};

/* Decides about the server's certificate (in tls_info). */
static enum ftp_status tls_trust(struct ftp *f, const char *host, const char *hostport)
{
	struct ftp_tls_info *ti = &f->tls_info;
	const struct tlsc_cert *cert = &ti->cert;
	enum fp_match stored = FP_UNKNOWN;

	/* The store matters only for a certificate nothing else vouches for. */
	if (!cert->verified && !f->tls_opt.fingerprint[0] && !f->tls_opt.insecure &&
	    tls_store_check(f, host, &stored) < 0) {
		f->code = 0;
		ftp_close_control(f);
		return FTP_S_TLS;
	}
	ti->trust = tlsc_decide(&f->tls_opt, cert, stored);
	switch (ti->trust) {
	case TLSC_TRUST_VERIFIED:
	case TLSC_TRUST_PINNED:
	case TLSC_TRUST_KNOWN:
		return FTP_S_OK;
	case TLSC_TRUST_INSECURE:
		ftp_notice(f, FTP_NOTICE_WARNING,
			   "--insecure: the certificate of %s is not checked (%s); anyone in between "
			   "can read and change this session", hostport,
			   cert->verified ? "it would have verified" : cert->reason);
		return FTP_S_OK;
	case TLSC_TRUST_ASK:
		return tls_ask(f, host, hostport);
	case TLSC_TRUST_CHANGED:
		return tls_fail(f, "THE SERVER'S CERTIFICATE HAS CHANGED since it was accepted: "
			       "%s holds %s for %s. Someone may be intercepting the connection; if "
			       "the server's certificate was replaced, remove its line from that file",
			       ti->store, ti->stored, hostport);
	case TLSC_TRUST_PIN_MISMATCH:
		return tls_fail(f, "the server's certificate is not the one --trust-fingerprint "
			       "names (%s)", f->tls_opt.fingerprint);
	}
	return tls_fail(f, "certificate not trusted");
}

/* conn_handshake_wait's wait on the control connection: ftp_wait. */
static int tls_wait(void *arg, struct conn_pollfd *p, int n, int timeout_ms)
{
	return ftp_wait(arg, p, n, timeout_ms);
}

enum ftp_status ftp_tls_start(struct ftp *f)
{
	struct ftp_tls_info *ti = &f->tls_info;
	char host[FTP_PATH_MAX + 1], err[TLSC_PATH_MAX + 128];
	const char *hostport = ti->server;

	memset(ti, 0, sizeof *ti);
	tls_host(f, host, sizeof host);
	ftp_tls_server(f, ti->server, sizeof ti->server);
	ftp_tls_end(f);
	f->tls = tlsc_new(&f->tls_opt, host, err, sizeof err);
	if (f->tls == NULL)
		return tls_fail(f, "%s", err);
	if (!tlsc_start_control(f->tls, f->ctl, err, sizeof err))
		return tls_fail(f, "%s", err);
	ftp_trace(f, FTP_TRACE_INFO, "TLS handshake with %s", hostport);
	/* The time-out is for the whole handshake: a server sending it a
	 * byte at a time does not hold the client longer. Ctrl-C ends it. */
	errno = 0;
	enum conn_status cs = conn_handshake_wait(f->ctl, f->timeout_ms, tls_wait, f);
	if (cs == CONN_ERROR && errno == ECANCELED) {
		ftp_close_control(f);
		ftp_set_msg(f, "interrupted while waiting for the server");
		f->code = 0;
		return FTP_S_CANCELLED;
	}
	if (cs != CONN_OK) {
		const char *why = conn_error(f->ctl);
		return tls_fail(f, "%s%s", strncmp(why, "TLS", 3) == 0 ? "" : "TLS handshake: ", why);
	}
	if (!tlsc_peer(f->tls, &ti->cert, err, sizeof err))
		return tls_fail(f, "%s", err);
	ti->have_cert = true;
	enum ftp_status st = tls_trust(f, host, hostport);
	if (st != FTP_S_OK)
		return st;
	ti->on = true;
	conn_describe(f->ctl, ti->version, sizeof ti->version);
	ftp_trace(f, FTP_TRACE_INFO, "TLS: %s, certificate %s (%s)", ti->version,
		  tls_trust_words[ti->trust], ti->cert.fingerprint);
	return FTP_S_OK;
}

/* ---- Data connections ---- */

/* After a failed data handshake: the server may say why (vsftpd: "522
 * SSL connection failed: session reuse required"); waits a moment for
 * that reply. */
static void tls_data_why(struct ftp *f, bool *replied)
{
	long long end = sysio_now_ms() + FTP_ABOR_LINGER_MS * 2;
	while (!*replied && f->ctl != NULL) {
		bool done;
		if (ftp_poll_reply(f, &done) != FTP_S_OK)
			return;
		if (done && f->code / 100 != 1) {
			*replied = true;
			return;
		}
		long long left = end - sysio_now_ms();
		if (left <= 0)
			return;
		struct conn_pollfd p = { .c = f->ctl, .events = POLLIN };
		conn_poll(&p, 1, (int)left);
	}
}

/* Fails a data connection's TLS: message "what: why" (plus the server's
 * reply when one came), the connection reset. */
static enum ftp_status tls_data_fail(struct ftp *f, struct conn **dc, bool *replied,
				     enum ftp_status st, const char *what, const char *why)
{
	char reason[FTP_MSG_MAX];
	snprintf(reason, sizeof reason, "%s", why);
	ftp_data_reset_conn(f, dc);
	if (st == FTP_S_TLS)
		tls_data_why(f, replied);
	if (*replied) {
		ftp_msg_from_reply(f);
		char reply[FTP_MSG_MAX];
		snprintf(reply, sizeof reply, "%s", f->msg);
		ftp_set_msg(f, "%s: %s (the server: %s)", what, reason, reply);
	} else {
		ftp_set_msg(f, "%s: %s", what, reason);
	}
	return st;
}

enum ftp_status ftp_tls_data(struct ftp *f, int *fd, struct conn **out, bool *replied)
{
	static const char what[] = "TLS on the data connection";
	long long deadline = sysio_now_ms() + f->timeout_ms;

	*out = NULL;
	*replied = false;
	if (f->tls == NULL) {
		*out = conn_plain(*fd, *fd);
		*fd = -1;
		return FTP_S_OK;
	}
	/* TLS 1.3 tickets wait on the control connection until it is read:
	 * take them now, so the newest session is the one offered. */
	tlsc_read_tickets(f->tls);
	struct conn *dc = tlsc_data_start(f->tls, *fd);
	*fd = -1;
	if (dc == NULL)
		return ftp_fail(f, FTP_AT_DATA, ENOMEM, what);
	enum conn_status st;
	while ((st = conn_handshake(dc)) == CONN_WANT_READ || st == CONN_WANT_WRITE) {
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			return tls_data_fail(f, &dc, replied, FTP_S_BROKEN, what,
					     "the server did not finish the handshake in time");
		if (f->interrupt != NULL && f->interrupt(f->interrupt_arg))
			return tls_data_fail(f, &dc, replied, FTP_S_CANCELLED, what, "cancelled");
		/* The server may give up on the transfer meanwhile (a 4xx/5xx). */
		struct conn_pollfd p[2] = { { .c = dc, .events = conn_events(st) },
					    { .c = f->ctl, .events = POLLIN } };
		if (conn_poll(p, 2, (int)(left < FTP_PROGRESS_MS ? left : FTP_PROGRESS_MS)) <= 0 ||
		    p[1].revents == 0)
			continue;
		bool done;
		enum ftp_status fs = ftp_poll_reply(f, &done);
		if (fs != FTP_S_OK) {
			ftp_data_reset_conn(f, &dc);
			return fs;
		}
		if (done && f->code / 100 != 1) {
			*replied = true;
			return tls_data_fail(f, &dc, replied, FTP_S_TLS, what,
					     "the server ended the transfer during the handshake");
		}
	}
	if (st != CONN_OK)
		return tls_data_fail(f, &dc, replied, FTP_S_TLS, what, conn_error(dc));
	switch (tlsc_data_check(f->tls, dc)) {
	case TLSC_DATA_RESUMED:
	case TLSC_DATA_FULL:
		break;
	case TLSC_DATA_OTHER_CERT:
		return tls_data_fail(f, &dc, replied, FTP_S_TLS, what,
				     "answered with another certificate than the control connection's");
	case TLSC_DATA_FAILED:
	default:
		return tls_data_fail(f, &dc, replied, FTP_S_TLS, what, "no finished handshake");
	}
	char how[128];
	ftp_trace(f, FTP_TRACE_INFO, "data connection: %s", conn_describe(dc, how, sizeof how));
	*out = dc;
	return FTP_S_OK;
}
