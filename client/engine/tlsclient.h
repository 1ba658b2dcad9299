/* tlsclient: ferry's TLS policy as an FTPS client. Which server to trust
 * (system CA store or --ca-file, plus the host name or IP address in the
 * certificate; or an exact --trust-fingerprint; or the trust-on-first-use
 * store), and how data connections resume the control connection's TLS
 * session so servers that bind them (vsftpd's require_ssl_reuse, ferryd)
 * accept them.
 *
 * Every control connection gets its own struct tlsc: its own SSL_CTX and
 * so its own session cache, holding only the newest session the control
 * connection received (TLS 1.3 tickets arrive after the handshake and
 * again whenever the server sends fresh ones). Data connections offer it.
 *
 * Certificate checks never fail the handshake itself: the handshake
 * completes, nothing is sent, and tlsc_decide says whether to go on, ask
 * the user, or stop, with the certificate described for the prompt.
 *
 * Depends on common/ only; never prints, never reads the terminal or the
 * trust store (the caller passes what the store said). */
#ifndef FERRY_TLSCLIENT_H
#define FERRY_TLSCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "fingerprint.h"

/* --tls: what to do on an ftp:// URL. */
enum tlsc_mode {
	TLSC_AUTO,    /* AUTH TLS when FEAT lists it, else plain with a notice */
	TLSC_REQUIRE, /* AUTH TLS or fail */
	TLSC_OFF,     /* never TLS */
};

/* Longest --ca-file path kept, NUL included. */
#define TLSC_PATH_MAX 4096

/* The TLS part of ferry's settings. Plain values only, so the struct can
 * be copied (each engine handle keeps its own copy). */
struct tlsc_options {
	enum tlsc_mode mode;              /* --tls (ftps:// and ftpes:// require) */
	char ca_file[TLSC_PATH_MAX];      /* --ca-file: trust these CAs only; "" system store */
	char fingerprint[FP_TEXT_SIZE];   /* --trust-fingerprint, "" if none */
	bool insecure;                    /* --insecure: no certificate check */
	int min_version, max_version;     /* protocol bounds, 0 = defaults (--tls-max) */
};

/* Fills o with the defaults (auto, system CAs, any version from 1.2). */
void tlsc_options_init(struct tlsc_options *o);
/* Applies the option name ("tls", "ca-file", "trust-fingerprint",
 * "tls-max"; "insecure" takes no argument) with arg: 0, -1 with a
 * one-line message in err (o unchanged), or 1 if name is not one of them. */
int tlsc_option(struct tlsc_options *o, const char *name, const char *arg, char *err,
		size_t errsz);
/* Writes the value of option name as tlsc_option takes it ("auto",
 * "system" for no --ca-file, "none" for no fingerprint, "any" for no
 * version bound) into buf; false if name is not an option. */
bool tlsc_option_show(const struct tlsc_options *o, const char *name, char *buf, size_t n);

/* How a URL scheme connects. */
struct tlsc_scheme {
	bool tls;            /* TLS at all */
	bool implicit;       /* TLS from the first byte (ftps://) */
	enum tlsc_mode mode; /* what to do about AUTH TLS (explicit TLS) */
	int port;            /* default port */
};
/* Looks up "ftp", "ftps" (implicit TLS, port 990) or "ftpes" (explicit,
 * required), in any case; ftp follows mode. False for another scheme. */
bool tlsc_scheme_lookup(const char *scheme, enum tlsc_mode mode, struct tlsc_scheme *out);

/* What to do after FEAT on an explicit connection. */
enum tlsc_upgrade {
	TLSC_UPGRADE,       /* send AUTH TLS */
	TLSC_STAY_PLAIN,    /* go on without TLS (tell the user once, in auto) */
	TLSC_UPGRADE_FAIL,  /* TLS required but the server does not offer it */
};
/* Decides from the mode and whether FEAT listed AUTH TLS. */
enum tlsc_upgrade tlsc_upgrade_decide(enum tlsc_mode mode, bool feat_auth_tls);

/* The server certificate, described for a prompt or an error. Text from
 * the certificate is sanitised (no control bytes). */
struct tlsc_cert {
	char subject[256];              /* one line, "CN=..., O=..." */
	char issuer[256];               /* the same for the issuer */
	char not_before[32];            /* "2026-01-31 12:00:00 UTC" */
	char not_after[32];
	char fingerprint[FP_TEXT_SIZE]; /* SHA-256, "SHA256:AB:..." */
	bool verified;                  /* chain and name both check out */
	char reason[192];               /* why not verified ("" if it is) */
};

/* The decision about a server certificate. */
enum tlsc_trust {
	TLSC_TRUST_VERIFIED,      /* CA chain and host name verified */
	TLSC_TRUST_PINNED,        /* equals --trust-fingerprint */
	TLSC_TRUST_KNOWN,         /* accepted before, in the trust store */
	TLSC_TRUST_INSECURE,      /* --insecure: warn, every time */
	TLSC_TRUST_ASK,           /* unverified and unknown: ask, or fail in scripts */
	TLSC_TRUST_CHANGED,       /* differs from the stored one: loud error */
	TLSC_TRUST_PIN_MISMATCH,  /* differs from --trust-fingerprint: error */
};
/* Decides from the options, the certificate and what the trust store
 * holds for this host:port (stored: FP_UNKNOWN, FP_MATCH, FP_CHANGED). */
enum tlsc_trust tlsc_decide(const struct tlsc_options *o, const struct tlsc_cert *cert,
			    enum fp_match stored);
/* True if the decision lets the session go on without asking. */
bool tlsc_trust_ok(enum tlsc_trust t);
/* Writes the prompt/error text for cert at host:port: the reason line,
 * subject, issuer, validity and fingerprint, one per line. Returns buf. */
char *tlsc_cert_describe(const struct tlsc_cert *cert, const char *hostport, char *buf,
			 size_t n);

/* The TLS state of one control connection and its data connections. */
struct tlsc;

/* Prepares TLS for a control connection to host (a name or an IP
 * literal, checked against the certificate). Loads the CA store now.
 * NULL with a message in err if the options cannot be used. o must
 * outlive the result. */
struct tlsc *tlsc_new(const struct tlsc_options *o, const char *host, char *err,
		      size_t errsz);
/* Frees t (NULL is ignored); connections stay the caller's. */
void tlsc_free(struct tlsc *t);
/* Starts TLS on control connection ctl (after 234, or at once for
 * implicit TLS); the handshake runs in conn_handshake. ctl must outlive t.
 * False with err if ctl is already TLS. */
bool tlsc_start_control(struct tlsc *t, struct conn *ctl, char *err, size_t errsz);
/* After the control handshake: describes the server certificate and
 * whether it verified. False with err if there is no certificate. */
bool tlsc_peer(struct tlsc *t, struct tlsc_cert *out, char *err, size_t errsz);
/* Before opening a data connection: reads TLS 1.3 tickets already on the
 * control connection (without consuming replies), so the newest session
 * is offered. Never blocks. */
void tlsc_read_tickets(struct tlsc *t);
/* True once the control connection has given a session to resume. */
bool tlsc_have_session(const struct tlsc *t);

/* Wraps data socket fd (taking ownership) as the TLS client side of a
 * data connection, offering the control connection's newest session.
 * The handshake runs in conn_handshake. NULL only when out of memory. */
struct conn *tlsc_data_start(struct tlsc *t, int fd);
/* How a data connection's handshake went. */
enum tlsc_data_verdict {
	TLSC_DATA_RESUMED,     /* resumed the control connection's session */
	TLSC_DATA_FULL,        /* new session, same certificate (some servers) */
	TLSC_DATA_OTHER_CERT,  /* another certificate: do not use it */
	TLSC_DATA_FAILED,      /* no finished handshake */
};
/* After the data handshake: may the connection be used? */
enum tlsc_data_verdict tlsc_data_check(struct tlsc *t, const struct conn *data);

#endif
