/* ftp_login: opening the control connection and logging in.
 * Name lookup and connecting (every address of the name, both within
 * the one timeout), then the login sequence as an explicit state machine: one enum
 * of "waiting for the reply to X" states with a name table, one function
 * that changes state (tracing old -> new and sending the state's command),
 * and one switch that dispatches each complete reply. Reconnecting runs
 * the same machine, ending with CWD back into the remembered directory.
 *
 * TLS (RFC 4217) comes first: implicit TLS before the greeting; explicit
 * TLS after it, by AUTH TLS (sent when FEAT lists it, or always when TLS
 * is required), before the user name and password leave. PBSZ 0 and
 * PROT P follow the login, as curl and lftp send them.
 *
 * MLSD lists the facts a server has switched on; FEAT's MLST line marks
 * those with '*'. A server that offers UNIX.mode without switching it
 * on (pyftpdlib) is asked for it with OPTS MLST (RFC 3659 7.9), so that
 * listings show permissions. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds.h"
#include "ftp_private.h"
#include "listparse.h"
#include "lookup.h"
#include "sanitize.h"
#include "sbuf.h"
#include "sysio.h"
#include "xalloc.h"

/* Login states: each waits for the reply to the command it sent. */
enum login_state {
	LOGIN_GREETING,  /* the 220 greeting */
	LOGIN_FEAT_TLS,  /* FEAT before the login: is AUTH TLS offered? */
	LOGIN_AUTH,      /* AUTH TLS */
	LOGIN_USER,      /* USER */
	LOGIN_PASS,      /* PASS */
	LOGIN_PBSZ,      /* PBSZ 0 */
	LOGIN_PROT,      /* PROT P */
	LOGIN_FEAT,      /* FEAT */
	LOGIN_UTF8,      /* OPTS UTF8 ON */
	LOGIN_MLST,      /* OPTS MLST: the facts on, and UNIX.mode */
	LOGIN_TYPE,      /* TYPE I */
	LOGIN_CWD,       /* CWD back into the remembered directory */
	LOGIN_PWD,       /* PWD */
	LOGIN_DONE,      /* logged in */
};

static const char *const login_state_names[] = {
	[LOGIN_GREETING] = "greeting",
	[LOGIN_FEAT_TLS] = "FEAT (TLS?)",
	[LOGIN_AUTH] = "AUTH TLS",
	[LOGIN_USER] = "USER",
	[LOGIN_PASS] = "PASS",
	[LOGIN_PBSZ] = "PBSZ",
	[LOGIN_PROT] = "PROT",
	[LOGIN_FEAT] = "FEAT",
	[LOGIN_UTF8] = "OPTS UTF8",
	[LOGIN_MLST] = "OPTS MLST",
	[LOGIN_TYPE] = "TYPE",
	[LOGIN_CWD] = "CWD",
	[LOGIN_PWD] = "PWD",
	[LOGIN_DONE] = "done",
};

/* The machine's state. */
struct login {
	enum login_state state;   /* what the next reply answers */
	enum ftp_tls_use tls;     /* what this connection does about TLS */
	bool reconnect;           /* going back into f->cwd */
	bool cwd_failed;          /* CWD back failed: the call must not run */
	char cwd_msg[FTP_MSG_MAX];/* why it failed */
};

/* FEAT lines the engine acts on. */
static const struct {
	const char *name;  /* the feature's first word */
	unsigned bit;      /* FTP_FEAT_* */
} feat_table[] = {
	{ "MLST", FTP_FEAT_MLST },
	{ "MLSD", FTP_FEAT_MLST },
	{ "SIZE", FTP_FEAT_SIZE },
	{ "MDTM", FTP_FEAT_MDTM },
	{ "REST", FTP_FEAT_REST },
	{ "UTF8", FTP_FEAT_UTF8 },
	{ "EPSV", FTP_FEAT_EPSV },
	{ "MFMT", FTP_FEAT_MFMT },
	{ "HASH", FTP_FEAT_HASH },
};

void ftp_set_cwd(struct ftp *f, const char *path)
{
	free(f->cwd);
	free(f->cwd_display);
	f->cwd = f->cwd_display = NULL;
	if (path == NULL)
		return;
	size_t n = strlen(path);
	f->cwd = xstrdup(path);
	f->cwd_display = xmalloc(n + 1);
	sanitize_text(path, n, f->cwd_display, n + 1);
}

char *ftp_parse_257(const char *text)
{
	const char *open = strchr(text, '"');
	const char *end = text + strcspn(text, "\n");
	const char *close = NULL;
	struct sbuf out;

	if (open == NULL || open >= end)
		return NULL;
	/* The name ends at the last quote of the line that a blank or the
	 * line's end follows: servers that do not double quotes inside the
	 * name (pure-ftpd) send them alone. */
	for (const char *q = open + 1; q < end; q++)
		if (*q == '"' && (q + 1 == end || q[1] == ' '))
			close = q;
	if (close == NULL || close == open + 1)
		return NULL;
	/* Quotes all doubled, as RFC 959 has them: each pair is one quote. */
	bool doubled = true;
	for (const char *q = open + 1; q < close && doubled; q++)
		if (*q == '"')
			doubled = *++q == '"' && q < close;
	sbuf_init(&out, FTP_PATH_MAX);
	for (const char *q = open + 1; q < close; q++) {
		if (!sbuf_append(&out, q, 1)) {
			sbuf_free(&out);
			return NULL;
		}
		if (doubled && *q == '"')
			q++;
	}
	char *path = xstrdup(sbuf_str(&out));
	sbuf_free(&out);
	return path;
}

/* True if a FEAT reply's lines offer AUTH TLS ("AUTH TLS", "AUTH SSL;TLS",
 * "AUTH TLS-C", as servers list it). */
static bool login_feat_auth_tls(const char *text)
{
	while (*text != '\0') {
		size_t n = strcspn(text, "\n");
		const char *w = text + strspn(text, " ");
		if (strncasecmp(w, "AUTH ", 5) == 0) {
			for (const char *m = w + 5; m < text + n; m++) {
				size_t wn = strcspn(m, " ;,\n");
				if ((wn == 3 || (wn == 5 && strncasecmp(m + 3, "-C", 2) == 0)) &&
				    strncasecmp(m, "TLS", 3) == 0)
					return true;
				m += wn;
			}
		}
		text += n;
		if (*text == '\n')
			text++;
	}
	return false;
}

/* From the facts of FEAT's MLST line (s, n bytes: "type*;size*;unix.mode;"):
 * when UNIX.mode is offered but not on, the argument of an OPTS MLST that
 * keeps the facts that are on, adds those listings read, UNIX.mode among
 * them, into f->mlst_opts; else "". */
static void login_mlst_facts(struct ftp *f, const char *s, size_t n)
{
	struct sbuf out;
	bool ask = false;

	f->mlst_opts[0] = '\0';
	sbuf_init(&out, sizeof f->mlst_opts - 1);
	while (n > 0) {
		size_t fn = strcspn(s, "; ");
		if (fn > n)
			fn = n;
		bool on = fn > 0 && s[fn - 1] == '*';
		size_t name = on ? fn - 1 : fn;
		ask |= !on && name == 9 && strncasecmp(s, "UNIX.mode", 9) == 0;
		if (name > 0 && (on || listparse_reads_fact(s, name)) &&
		    !(sbuf_append(&out, s, name) && sbuf_append(&out, ";", 1))) {
			sbuf_free(&out);
			return;   /* too many facts to ask for: leave them as they are */
		}
		s += fn;
		n -= fn;
		for (; n > 0 && (*s == ';' || *s == ' '); n--)
			s++;
	}
	if (ask)
		snprintf(f->mlst_opts, sizeof f->mlst_opts, "%s", sbuf_str(&out));
	sbuf_free(&out);
}

/* Sets the feature bits from a 211 FEAT reply's lines. */
static void login_parse_feat(struct ftp *f, const char *text)
{
	f->feat = 0;
	f->mlst_opts[0] = '\0';
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		const char *w = text;
		while (w < text + n && *w == ' ')
			w++;
		size_t wn = 0;
		while (w + wn < text + n && w[wn] != ' ')
			wn++;
		for (size_t i = 0; i < sizeof feat_table / sizeof feat_table[0]; i++)
			if (strlen(feat_table[i].name) == wn &&
			    strncasecmp(w, feat_table[i].name, wn) == 0)
				f->feat |= feat_table[i].bit;
		if (wn == 4 && strncasecmp(w, "MLST", 4) == 0 && w + wn < text + n)
			login_mlst_facts(f, w + wn + 1, (size_t)(text + n - (w + wn + 1)));
		text += n;
		if (*text == '\n')
			text++;
	}
}

/* Keeps the greeting, sanitised line by line. */
static void login_keep_welcome(struct ftp *f)
{
	const char *t = ftp_reply_text(f);
	size_t n = strlen(t);
	char *out = xmalloc(n + 1);
	size_t o = 0;

	while (*t != '\0') {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		sanitize_text(t, len, out + o, len + 1);
		o += strlen(out + o);
		t += len;
		if (*t == '\n') {
			out[o++] = '\n';
			t++;
		}
	}
	out[o] = '\0';
	free(f->welcome);
	f->welcome = out;
}

/* Names the wait of state in f->reading, for the messages of a read
 * that fails: "waiting for the greeting", "waiting for the reply to USER". */
static void login_name_wait(struct ftp *f, enum login_state state)
{
	if (state == LOGIN_GREETING)
		snprintf(f->reading, sizeof f->reading, "waiting for the greeting");
	else
		snprintf(f->reading, sizeof f->reading, "waiting for the reply to %s",
			 state == LOGIN_FEAT_TLS ? "FEAT" : login_state_names[state]);
}

/* Moves the machine to state to, noting it in the trace, and sends the
 * command whose reply that state waits for. */
static enum ftp_status login_goto(struct ftp *f, struct login *l, enum login_state to)
{
	ftp_trace(f, FTP_TRACE_INFO, "login: %s -> %s", login_state_names[l->state],
		  login_state_names[to]);
	l->state = to;
	login_name_wait(f, to);
	switch (to) {
	case LOGIN_FEAT_TLS:
		return ftp_send(f, "FEAT", NULL);
	case LOGIN_AUTH:
		return ftp_send(f, "AUTH", "TLS");
	case LOGIN_PBSZ:
		return ftp_send(f, "PBSZ", "0");
	case LOGIN_PROT:
		return ftp_send(f, "PROT", "P");
	case LOGIN_USER:
		return ftp_send(f, "USER", f->user ? f->user : CREDS_ANON_USER);
	case LOGIN_PASS:
		return ftp_send(f, "PASS", f->pass ? f->pass : f->user ? "" : CREDS_ANON_PASS);
	case LOGIN_FEAT:
		return ftp_send(f, "FEAT", NULL);
	case LOGIN_UTF8:
		return ftp_send(f, "OPTS", "UTF8 ON");
	case LOGIN_MLST: {
		char arg[FTP_MLST_OPTS_MAX + 8];
		snprintf(arg, sizeof arg, "MLST %s", f->mlst_opts);
		return ftp_send(f, "OPTS", arg);
	}
	case LOGIN_TYPE:
		return ftp_send(f, "TYPE", f->ascii ? "A" : "I");
	case LOGIN_CWD:
		return ftp_send(f, "CWD", f->cwd);
	case LOGIN_PWD:
		return ftp_send(f, "PWD", NULL);
	case LOGIN_GREETING:
	case LOGIN_DONE:
		break;
	}
	return FTP_S_OK;
}

/* Goes on without TLS where plain FTP is allowed: with a notice when
 * TLS was wanted but the server does not do it (why), or fails. */
static enum ftp_status login_plain(struct ftp *f, struct login *l, const char *why)
{
	if (l->tls == FTP_TLS_REQUIRE) {
		ftp_set_msg(f, "TLS is required, but %s", why);
		f->code = 0;
		return FTP_S_TLS;
	}
	char server[FTP_TLS_KEY_MAX];
	ftp_tls_server(f, server, sizeof server);
	ftp_notice(f, FTP_NOTICE_NOTE, "%s: %s; logging in without encryption "
		   "(--tls=require refuses such servers)", server, why);
	l->tls = FTP_TLS_OFF;
	return login_goto(f, l, LOGIN_USER);
}

/* After the greeting: TLS first when it is wanted. */
static enum ftp_status login_greeted(struct ftp *f, struct login *l)
{
	switch (l->tls) {
	case FTP_TLS_AUTO:
		return login_goto(f, l, LOGIN_FEAT_TLS);
	case FTP_TLS_REQUIRE:
		return login_goto(f, l, LOGIN_AUTH);
	case FTP_TLS_OFF:
	case FTP_TLS_IMPLICIT:
		break;
	}
	return login_goto(f, l, LOGIN_USER);
}

/* After 234: bytes that came after the reply were sent before TLS and
 * must not be read as if they came inside it; then the handshake. */
static enum ftp_status login_auth_done(struct ftp *f, struct login *l)
{
	if (lr_pending(&f->lr))
		ftp_trace(f, FTP_TRACE_INFO, "dropped bytes sent after the 234 reply");
	lr_init(&f->lr, false);
	enum ftp_status st = ftp_tls_start(f);
	return st == FTP_S_OK ? login_goto(f, l, LOGIN_USER) : st;
}

/* Logged in: protected data connections under TLS, then FEAT. */
static enum ftp_status login_in(struct ftp *f, struct login *l)
{
	return login_goto(f, l, f->tls != NULL ? LOGIN_PBSZ : LOGIN_FEAT);
}

/* Handles one complete reply in the current state. */
static enum ftp_status login_step(struct ftp *f, struct login *l)
{
	int c = f->code;

	switch (l->state) {
	case LOGIN_GREETING:
		if (c / 100 == 1)
			return FTP_S_OK;   /* 120: ready in a while; wait on */
		if (c != FTP_READY) {
			ftp_msg_from_reply(f);
			return FTP_S_CONNECT;
		}
		login_keep_welcome(f);
		return login_greeted(f, l);
	case LOGIN_FEAT_TLS: {
		bool offered = c == FTP_SYSTEM_STATUS && login_feat_auth_tls(ftp_reply_text(f));
		if (tlsc_upgrade_decide(TLSC_AUTO, offered) == TLSC_UPGRADE)
			return login_goto(f, l, LOGIN_AUTH);
		return login_plain(f, l, "the server does not offer TLS (no AUTH TLS in FEAT)");
	}
	case LOGIN_AUTH: {
		if (c == FTP_AUTH_OK)
			return login_auth_done(f, l);
		char why[FTP_MSG_MAX];
		ftp_msg_from_reply(f);
		snprintf(why, sizeof why, "the server refused AUTH TLS (%s)", ftp_message(f));
		return login_plain(f, l, why);
	}
	case LOGIN_USER:
		if (c == FTP_LOGGED_IN) {
			ftp_msg_from_reply(f);
			return login_in(f, l);
		}
		if (c == FTP_NEED_PASSWORD)
			return login_goto(f, l, LOGIN_PASS);
		ftp_msg_from_reply(f);
		return FTP_S_LOGIN;
	case LOGIN_PASS:
		ftp_msg_from_reply(f);   /* the call's message: "230 Login successful." */
		if (c == FTP_LOGGED_IN || c == FTP_NOT_IMPLEMENTED_SUPERFLUOUS)
			return login_in(f, l);
		return FTP_S_LOGIN;   /* 332 (ACCT) is not supported either */
	case LOGIN_PBSZ:
		/* PROT is what matters; a server that refuses PBSZ says so there. */
		return login_goto(f, l, LOGIN_PROT);
	case LOGIN_PROT:
		if (c / 100 != 2) {
			ftp_msg_from_reply(f);
			ftp_set_msg(f, "the server refused PROT P, so files would travel unencrypted: %s",
				    ftp_message(f));
			return FTP_S_TLS;
		}
		return login_goto(f, l, LOGIN_FEAT);
	case LOGIN_FEAT:
		if (c == FTP_SYSTEM_STATUS)
			login_parse_feat(f, ftp_reply_text(f));
		return login_goto(f, l, (f->feat & FTP_FEAT_UTF8) ? LOGIN_UTF8 :
					f->mlst_opts[0] ? LOGIN_MLST : LOGIN_TYPE);
	case LOGIN_UTF8:
		/* Refusals are harmless: pure-ftpd lists UTF8 and answers 504. */
		return login_goto(f, l, f->mlst_opts[0] ? LOGIN_MLST : LOGIN_TYPE);
	case LOGIN_MLST:
		/* A refusal leaves the facts as they were: no permissions. */
		return login_goto(f, l, LOGIN_TYPE);
	case LOGIN_TYPE:
		if (c / 100 != 2) {
			ftp_msg_from_reply(f);
			/* 530: not logged in after all. */
			return c == FTP_NOT_LOGGED_IN ? FTP_S_LOGIN : FTP_S_REFUSED;
		}
		return login_goto(f, l, l->reconnect && f->cwd ? LOGIN_CWD : LOGIN_PWD);
	case LOGIN_CWD:
		if (c / 100 == 2)
			return login_goto(f, l, LOGIN_DONE);
		/* Not back where the caller thinks: learn where we are, and
		 * do not run the caller's command in the wrong directory. */
		ftp_msg_from_reply(f);
		snprintf(l->cwd_msg, sizeof l->cwd_msg, "reconnected, but could not return to %s: %s",
			 ftp_dir_display(f), ftp_message(f));
		l->cwd_failed = true;
		return login_goto(f, l, LOGIN_PWD);
	case LOGIN_PWD: {
		char *path = c == FTP_PATH_CREATED ? ftp_parse_257(ftp_reply_text(f)) : NULL;
		ftp_set_cwd(f, path);
		free(path);
		return login_goto(f, l, LOGIN_DONE);
	}
	case LOGIN_DONE:
		break;
	}
	return FTP_S_OK;
}

enum ftp_status ftp_login_run(struct ftp *f, bool reconnect)
{
	struct login l = { .state = LOGIN_GREETING, .reconnect = reconnect,
			   .tls = ftp_tls_use(f) };
	enum ftp_status st = FTP_S_OK;
	bool was_stalled = f->stalled;

	f->stalled = false;
	f->feat = 0;
	f->mlst_opts[0] = '\0';
	f->no_epsv = false;
	f->no_mlsd = false;
	f->list_a = FTP_LIST_A_UNKNOWN;
	f->no_allo = false;
	f->logging_in = true;
	f->not_reply = false;
	f->junk[0] = '\0';
	login_name_wait(f, LOGIN_GREETING);
	if (l.tls == FTP_TLS_IMPLICIT)
		st = ftp_tls_start(f);
	while (st == FTP_S_OK && l.state != LOGIN_DONE) {
		st = ftp_read_reply(f);
		if (st != FTP_S_OK)
			break;
		if (f->code == FTP_SERVICE_CLOSING) {
			ftp_msg_from_reply(f);
			st = FTP_S_CONNECT;   /* turned away (too many users, shutting down) */
			break;
		}
		st = login_step(f, &l);
	}
	f->logging_in = false;
	if (st == FTP_S_BROKEN) {
		/* Failed reads are named by the wait (f->reading). */
		if (f->stalled)
			ftp_set_msg(f, "%s: timed out", f->reading);
		else if (l.state == LOGIN_GREETING && f->junk[0] != '\0')
			ftp_set_msg(f, "not an FTP server: it sent \"%s\"", f->junk);
		/* No greeting, the server silent or gone: as a connect that
		 * failed. After it, or a greeting that is no reply, the way
		 * in broke off. */
		if (l.state == LOGIN_GREETING && !f->not_reply)
			st = FTP_S_CONNECT;
	}
	f->reading[0] = '\0';
	f->login_broke = st == FTP_S_BROKEN;
	f->stalled |= was_stalled;
	if (st != FTP_S_OK) {
		ftp_close_control(f);
		return st;
	}
	f->logged_in = true;
	if (l.cwd_failed) {
		ftp_set_msg(f, "%s", l.cwd_msg);
		return FTP_S_REFUSED;
	}
	return FTP_S_OK;
}

/* Remembers the connection's peer as the host data connections go to. */
static void login_take_peer(struct ftp *f)
{
	f->have_data_addr = sysio_peername(conn_rfd(f->ctl), &f->data_addr) == 0 &&
			    (f->data_addr.ss.ss_family == AF_INET ||
			     f->data_addr.ss.ss_family == AF_INET6);
	if (f->have_data_addr)
		netaddr_unmap(&f->data_addr);
}

/* Waits for the name lookup's answer on fd as for the server: Ctrl-C
 * ends the wait (ECANCELED). */
static int login_lookup_wait(void *arg, int fd, int timeout_ms)
{
	struct conn *c = conn_plain(fd, fd);
	struct conn_pollfd p = { .c = c, .events = POLLIN };
	int r = ftp_wait(arg, &p, 1, timeout_ms);
	int err = errno;
	conn_release(c);
	errno = err;
	return r;
}

enum ftp_status ftp_login_connect(struct ftp *f)
{
	struct lookup_result found;
	char host[FTP_PATH_MAX + 1];
	const char *h = f->host;
	size_t hn = strlen(h);

	/* "[v6]" as in URLs: the brackets are not part of the address. */
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (hn == 0 || hn >= sizeof host) {
		ftp_set_msg(f, "bad host name");
		return FTP_S_USAGE;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	ftp_close_control(f);
	/* One deadline for the name lookup and the connects together. */
	long long deadline = sysio_now_ms() + f->timeout_ms;
	if (lookup_host_wait(host, f->port, f->timeout_ms, login_lookup_wait, f, &found) < 0) {
		if (found.interrupted) {
			ftp_set_msg(f, "%s", found.msg);
			f->code = 0;
			return FTP_S_CANCELLED;
		}
		ftp_set_msg(f, "could not resolve %s: %s", host, found.msg);
		f->code = 0;
		return FTP_S_CONNECT;
	}
	int err = ETIMEDOUT, fd = -1;
	char where[NETADDR_STRLEN] = "";
	for (size_t i = 0; i < found.n && fd < 0; i++) {
		long long left = deadline - sysio_now_ms();
		if (left <= 0)
			break;
		/* Each address gets a fair share of the time left, the last all of it. */
		int share = (int)(left / (long long)(found.n - i));
		const char *what = "connect";
		netaddr_ntop(&found.addr[i], true, where, sizeof where);
		ftp_trace(f, FTP_TRACE_INFO, "connecting to %s", where);
		fd = ftp_connect_addr(f, &found.addr[i], share > 0 ? share : 1, &what);
		if (fd < 0)
			err = errno;
		if (fd < 0 && err == ECANCELED) {
			ftp_set_msg(f, "interrupted while waiting for the server");
			f->code = 0;
			return FTP_S_CANCELLED;
		}
	}
	if (fd < 0) {
		char what[FTP_PATH_MAX + NETADDR_STRLEN + 32];
		snprintf(what, sizeof what, "could not connect to %s (%s)", host, where);
		return ftp_fail(f, FTP_AT_CONNECT, err, what);
	}
	f->ctl = conn_plain(fd, fd);
	login_take_peer(f);
	return FTP_S_OK;
}

/* Connects and logs in (back into the remembered directory when
 * reconnecting), trying again with growing waits while the server cannot
 * be reached, turns the client away or breaks the login off (no answer
 * in time, a connection closed, something that is no reply), as often as
 * f->retries says; a refused login or TLS not possible is not tried
 * again. */
static enum ftp_status login_open(struct ftp *f, bool reconnect)
{
	f->login_broke = false;
	for (int attempt = 0;; attempt++) {
		enum ftp_status st = ftp_login_connect(f);
		if (st == FTP_S_OK)
			st = ftp_login_run(f, reconnect);
		bool again = st == FTP_S_CONNECT || st == FTP_S_BROKEN;
		if (!again || attempt >= f->retries)
			return st;
		char why[FTP_MSG_MAX];
		snprintf(why, sizeof why, "%s", f->msg);
		if (!ftp_backoff(f, attempt, why, NULL, NULL, 0, 0))
			return FTP_S_CANCELLED;
		ftp_set_msg(f, "%s", why);
	}
}

enum ftp_status ftp_reconnect(struct ftp *f)
{
	ftp_close_control(f);
	ftp_trace(f, FTP_TRACE_INFO, "reconnecting to %s port %d", f->host, f->port);
	return login_open(f, true);
}

/* Replaces a remembered string with a copy of s (NULL allowed). */
static void login_remember(char **slot, const char *s)
{
	if (*slot != NULL)
		memset(*slot, 0, strlen(*slot));
	free(*slot);
	*slot = s ? xstrdup(s) : NULL;
}

/* Remembers the login for reconnecting; an empty user means anonymous. */
static void login_remember_user(struct ftp *f, const char *user, const char *pass)
{
	bool anon = user == NULL || user[0] == '\0';
	login_remember(&f->user, anon ? NULL : user);
	login_remember(&f->pass, pass);
}

enum ftp_status ftp_connect(struct ftp *f, const char *host, int port,
			    const char *user, const char *pass)
{
	if (host == NULL || host[0] == '\0' || port < 0 || port > 65535) {
		ftp_set_msg(f, "a host (and a port from 1 to 65535) is required");
		return FTP_S_USAGE;
	}
	enum ftp_status st;
	if (!ftp_arg_ok(f, user, false, &st) || !ftp_arg_ok(f, pass, false, &st))
		return st;
	ftp_hang_up(f);
	login_remember(&f->host, host);
	f->port = port ? port : ftp_tls_default_port(f);
	login_remember_user(f, user, pass);
	ftp_set_cwd(f, NULL);
	return login_open(f, false);
}

enum ftp_status ftp_connect_fd(struct ftp *f, int fd, const char *data_host,
			       const char *user, const char *pass)
{
	enum ftp_status st;

	ftp_hang_up(f);
	if (sysio_set_nonblock(fd, true) < 0) {
		int err = errno;
		sysio_close(&fd);
		return ftp_fail(f, FTP_AT_CONNECT, err, "fcntl");
	}
	f->ctl = conn_plain(fd, fd);
	login_remember(&f->host, NULL);
	if (!ftp_arg_ok(f, user, false, &st) || !ftp_arg_ok(f, pass, false, &st)) {
		ftp_close_control(f);
		return st;
	}
	login_remember_user(f, user, pass);
	ftp_set_cwd(f, NULL);
	if (data_host != NULL) {
		const char *err = netaddr_parse_ip(data_host, 0, &f->data_addr);
		if (err != NULL) {
			ftp_close_control(f);
			ftp_set_msg(f, "data host %s: %s", data_host, err);
			return FTP_S_USAGE;
		}
		f->have_data_addr = true;
	} else {
		login_take_peer(f);
	}
	return ftp_login_run(f, false);
}
