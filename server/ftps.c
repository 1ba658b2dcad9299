/* ftps: FTPS in a session (see ftps.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "ftps.h"
#include "log.h"
#include "sysio.h"
#include "tally.h"
#include "tls.h"

/* The certificate every session of this process serves (NULL: TLS off).
 * Sessions are forked children, each with its own copy. */
static struct tls_server *server;
static const struct ferryd_config *server_cfg;
/* This process's session came in on an implicit-TLS listener. */
static bool implicit_listener;

bool ftps_server_init(const struct ferryd_config *cfg)
{
	server_cfg = cfg;
	if (cfg->tls.mode == TLS_OFF)
		return true;
	char err[512];
	server = tls_server_new(&cfg->tls, err, sizeof err);
	if (!server) {
		log_msg(LOG_ERR, "%s", err);
		return false;
	}
	char fp[FP_TEXT_SIZE];
	tls_server_fingerprint(server, fp);
	log_msg(LOG_INFO, "TLS %s%s: certificate %s, fingerprint %s",
		cfg->tls.mode == TLS_REQUIRED ? "required" : "offered",
		cfg->tls.implicit ? " (implicit on every listener)" : "", cfg->tls.cert_file, fp);
	return true;
}

void ftps_set_implicit_listener(bool implicit)
{
	implicit_listener = implicit;
}

bool ftps_server_reload(const struct ferryd_config *cfg, char *err, size_t errsz)
{
	struct tls_server *next = NULL;
	if (cfg->tls.mode != TLS_OFF && (next = tls_server_new(&cfg->tls, err, errsz)) == NULL)
		return false;
	tls_server_free(server);
	server = next;
	server_cfg = cfg;
	if (server) {
		char fp[FP_TEXT_SIZE];
		tls_server_fingerprint(server, fp);
		log_msg(LOG_INFO, "TLS certificate reloaded: %s, fingerprint %s",
			cfg->tls.cert_file, fp);
	}
	return true;
}

void ftps_server_free(void)
{
	tls_server_free(server);
	server = NULL;
}

bool ftps_offered(void)
{
	return server != NULL;
}

/* ---- Control connection ---- */

/* Milliseconds the whole control handshake may take: the idle time, and
 * before login no more than the login time left. */
static int handshake_timeout(const struct session *s)
{
	long long ms = (long long)s->cfg->idle_timeout * 1000;
	if (!s->logged_in) {
		long long left = s->login_deadline_ms - sysio_now_ms();
		if (left < ms)
			ms = left > 1 ? left : 1;
	}
	return (int)ms;
}

bool ftps_control_start(struct session *s)
{
	lr_init(&s->lr, true);
	for (unsigned i = 0; i < s->ndeferred; i++)
		free(s->deferred[i].line);
	s->ndeferred = 0;
	/* TLS reads are waited for with poll (a record may already sit
	 * decrypted in user space), never with a blocking read. */
	sysio_set_nonblock(s->ctl_in, true);
	if (s->ctl_out != s->ctl_in)
		sysio_set_nonblock(s->ctl_out, true);
	s->ctl_timed_read = false;
	char err[512];
	s->tls = tls_control_start(server, s->ctl, err, sizeof err);
	if (!s->tls) {
		log_msg(LOG_ERR, "session %s: %s", s->peer_str, err);
		return false;
	}
	/* One deadline for the whole handshake: a client sending its
	 * ClientHello a byte at a time does not outlast the login timeout. */
	bool ok = conn_handshake_wait(s->ctl, handshake_timeout(s), NULL, NULL) == CONN_OK;
	tally_tls_handshake(ok);
	if (!ok) {
		log_msg(LOG_NOTICE, "session %s: %s", s->peer_str, conn_error(s->ctl));
		return false;
	}
	char how[128];
	log_msg(LOG_INFO, "session %s: TLS %s", s->peer_str, conn_describe(s->ctl, how, sizeof how));
	s->prot_pbsz = false;
	s->prot_private = false;
	return true;
}

bool ftps_session_begin(struct session *s)
{
	if (!server || !(s->cfg->tls.implicit || implicit_listener))
		return true;
	return ftps_control_start(s);
}

void ftps_session_end(struct session *s)
{
	/* A clean end of TLS on the control connection, if it can go out at
	 * once (nothing is sent after a fatal TLS error). */
	if (s->ctl && conn_is_tls(s->ctl))
		conn_shutdown(s->ctl);
	tls_control_free(s->tls);
	s->tls = NULL;
	conn_release(s->ctl);
	s->ctl = NULL;
}

ssize_t ftps_control_fill(struct session *s)
{
	if (!conn_is_tls(s->ctl))
		return lr_fill(&s->lr, s->ctl_in);
	char buf[sizeof s->lr.raw];
	size_t room = lr_room(&s->lr);
	if (room == 0)
		return (errno = EAGAIN, -1);
	size_t got;
	switch (conn_read(s->ctl, buf, room < sizeof buf ? room : sizeof buf, &got)) {
	case CONN_OK:
		lr_feed(&s->lr, buf, got);
		return (ssize_t)got;
	case CONN_WANT_READ:
	case CONN_WANT_WRITE:
		return (errno = EAGAIN, -1);
	case CONN_EOF:
		return 0;
	default:
		if (log_verbose())
			log_msg(LOG_DEBUG, "%s: control connection: %s", s->peer_str, conn_error(s->ctl));
		return (errno = ECONNRESET, -1);
	}
}

bool ftps_control_send(struct session *s, const char *buf, size_t len, int timeout_ms)
{
	if (!conn_is_tls(s->ctl))
		return sysio_write_all_timeout(s->ctl_out, buf, len, timeout_ms) == 0;
	return conn_write_all(s->ctl, buf, len, timeout_ms) == CONN_OK;
}

bool ftps_login_allowed(struct session *s)
{
	if (s->tls || s->cfg->tls.mode != TLS_REQUIRED)
		return true;
	session_reply(s, FTP_POLICY_DENIED,
		      "Policy requires TLS: use AUTH TLS before USER (no password in clear).");
	return false;
}

bool ftps_transfer_allowed(struct session *s)
{
	if (s->prot_private || s->cfg->tls.mode != TLS_REQUIRED)
		return true;
	session_reply(s, FTP_PROT_REQUIRED, "Data connections must be protected: use PROT P.");
	return false;
}

void ftps_before_data_reply(struct session *s)
{
	if (s->tls && s->prot_private && !tls_control_fresh_ticket(s->tls))
		log_msg(LOG_WARNING, "session %s: no fresh TLS ticket before a transfer", s->peer_str);
}

/* ---- Data connections ---- */

/* True if the transfer the data connection is for (xfer_begin ran
 * before) brings a file in: STOR, STOU, APPE. */
static bool xfer_is_upload(const struct session *s)
{
	static const char *const verbs[] = { "STOR", "STOU", "APPE" };
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(s->xfer.verb, verbs[i]) == 0)
			return true;
	return false;
}

enum ftps_data_status ftps_data_open(struct session *s, int fd, struct conn **out, char *why,
				     size_t whysz)
{
	*out = NULL;
	if (!s->tls || !s->prot_private) {
		*out = conn_plain(fd, fd);
		return FTPS_DATA_OK;
	}
	struct conn *c = tls_data_start(s->tls, fd);
	if (!c) {
		snprintf(why, whysz, "TLS setup failed");
		return FTPS_DATA_REFUSED;
	}
	if (xfer_is_upload(s))
		tls_data_for_upload(c);
	/* The handshake, with the control connection served meanwhile. */
	long long deadline = sysio_now_ms() + (long long)s->cfg->idle_timeout * 1000;
	enum conn_status st;
	while ((st = conn_handshake(c)) == CONN_WANT_READ || st == CONN_WANT_WRITE) {
		struct conn_pollfd p = { .c = c, .events = conn_events(st) };
		long long left = deadline - sysio_now_ms();
		enum xfer_result stop = XFER_OK;
		int r = left > 0 ? session_transfer_poll(s, &p, (int)left, &stop) : 0;
		if (stop != XFER_OK) {
			conn_free(c);
			return stop == XFER_CONTROL_LOST ? FTPS_DATA_QUIT : FTPS_DATA_ABORTED;
		}
		if (r <= 0) {
			snprintf(why, whysz, "TLS handshake on the data connection: %s",
				 r == 0 ? "timed out" : strerror(errno));
			conn_free(c);
			return FTPS_DATA_REFUSED;
		}
	}
	enum tls_data_verdict v = st == CONN_OK ? tls_data_check(s->tls, c) : TLS_DATA_FAILED;
	bool first_unbound;
	bool accepted = tls_data_accepted(s->tls, v, &first_unbound);
	tally_tls_handshake(accepted);
	if (!accepted) {
		snprintf(why, whysz, "%s", v == TLS_DATA_FAILED ? conn_error(c)
								  : tls_data_verdict_text(v));
		log_msg(LOG_WARNING, "session %s: data connection refused: %s", s->peer_str, why);
		conn_free(c);
		return FTPS_DATA_REFUSED;
	}
	if (first_unbound)
		log_msg(LOG_INFO, "session %s: data connection accepted without resuming the "
			"control connection's TLS session (--tls-session-reuse=optional): %s; "
			"noted once per session", s->peer_str, tls_data_verdict_text(v));
	if (log_verbose()) {
		char how[128];
		log_msg(LOG_DEBUG, "%s: data connection %s", s->peer_str,
			conn_describe(c, how, sizeof how));
	}
	*out = c;
	return FTPS_DATA_OK;
}

void ftps_data_close(struct session *s, struct conn *data, enum xfer_result *r)
{
	if (!data)
		return;
	/* close_notify, then FIN; it may wait for room behind the last bytes
	 * of a download, with the control connection served meanwhile. The
	 * client's own close_notify is not waited for: some clients send it
	 * only after the 226, and it comes after they have read everything,
	 * so closing before it arrives loses nothing. */
	long long deadline = sysio_now_ms() + (long long)s->cfg->idle_timeout * 1000;
	bool clean = r && *r == XFER_OK;
	enum conn_status st;
	while (clean && conn_is_tls(data) &&
	       ((st = conn_shutdown(data)) == CONN_WANT_READ || st == CONN_WANT_WRITE)) {
		struct conn_pollfd p = { .c = data, .events = conn_events(st) };
		long long left = deadline - sysio_now_ms();
		enum xfer_result stop = XFER_OK;
		int n = left > 0 ? session_transfer_poll(s, &p, (int)left, &stop) : 0;
		if (stop != XFER_OK) {
			*r = stop;
			break;
		}
		if (n == 0) {
			*r = XFER_TIMEOUT;
			break;
		}
		if (n < 0)
			break;
	}
	conn_free(data);
}
