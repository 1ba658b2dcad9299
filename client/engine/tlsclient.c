/* tlsclient: ferry's TLS policy as an FTPS client (see tlsclient.h). */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "optword.h"
#include "sanitize.h"
#include "tlsclient.h"
#include "tlserr.h"
#include "xalloc.h"

struct tlsc {
	const struct tlsc_options *opt; /* the command line */
	SSL_CTX *ctx;                   /* this control connection's own */
	char *host;                     /* name or IP the certificate must show */
	bool host_is_ip;                /* host is an IP literal */
	struct conn *ctl;               /* the control connection, once started */
	SSL_SESSION *session;           /* newest session it received */
	int first_error;                /* first verification error, X509_V_OK if none */
	int first_error_depth;          /* where in the chain it was found */
};

/* ---- Options ---- */

/* --tls words. */
static const struct optword mode_words[] = {
	{ "auto", TLSC_AUTO },
	{ "require", TLSC_REQUIRE },
	{ "off", TLSC_OFF },
};

/* --tls-max words: the highest protocol version offered. */
static const struct optword version_words[] = {
	{ "any", 0 },
	{ "1.2", TLS1_2_VERSION },
	{ "1.3", TLS1_3_VERSION },
};

#define NWORDS(t) (sizeof (t) / sizeof (t)[0])

/* The word of table t standing for value, or NULL. */
static const char *word_of(const struct optword *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].word;
	return NULL;
}

void tlsc_options_init(struct tlsc_options *o)
{
	memset(o, 0, sizeof *o);
	o->mode = TLSC_AUTO;
}

int tlsc_option(struct tlsc_options *o, const char *name, const char *arg, char *err,
		size_t errsz)
{
	if (strcmp(name, "tls") == 0) {
		int mode;
		if (!optword_lookup(mode_words, NWORDS(mode_words), arg, &mode)) {
			snprintf(err, errsz, "--tls must be auto, require or off, not '%s'",
				 arg ? arg : "");
			return -1;
		}
		o->mode = (enum tlsc_mode)mode;
		return 0;
	}
	if (strcmp(name, "ca-file") == 0) {
		if (!arg || !*arg) {
			snprintf(err, errsz, "--ca-file needs a file name");
			return -1;
		}
		if (strlen(arg) >= sizeof o->ca_file) {
			snprintf(err, errsz, "--ca-file: the file name is too long");
			return -1;
		}
		snprintf(o->ca_file, sizeof o->ca_file, "%s", arg);
		return 0;
	}
	if (strcmp(name, "trust-fingerprint") == 0) {
		if (!arg || !fp_canonical(arg, o->fingerprint)) {
			snprintf(err, errsz,
				 "--trust-fingerprint takes SHA256: and 64 hex digits, as "
				 "'openssl x509 -noout -fingerprint -sha256' prints them");
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "tls-max") == 0) {
		int v;
		if (!optword_lookup(version_words, NWORDS(version_words), arg, &v)) {
			snprintf(err, errsz, "--tls-max must be 1.2, 1.3 or any, not '%s'",
				 arg ? arg : "");
			return -1;
		}
		o->max_version = v;
		return 0;
	}
	if (strcmp(name, "insecure") == 0) {
		o->insecure = true;
		return 0;
	}
	return 1;
}

bool tlsc_option_show(const struct tlsc_options *o, const char *name, char *buf, size_t n)
{
	const char *w = NULL;
	if (strcmp(name, "tls") == 0)
		w = word_of(mode_words, NWORDS(mode_words), (int)o->mode);
	else if (strcmp(name, "ca-file") == 0)
		w = o->ca_file[0] ? o->ca_file : "system";
	else if (strcmp(name, "trust-fingerprint") == 0)
		w = o->fingerprint[0] ? o->fingerprint : "none";
	else if (strcmp(name, "tls-max") == 0)
		w = word_of(version_words, NWORDS(version_words), o->max_version);
	else if (strcmp(name, "insecure") == 0)
		w = o->insecure ? "on" : "off";
	else
		return false;
	snprintf(buf, n, "%s", w ? w : "?");
	return true;
}

/* ---- Schemes and the upgrade ---- */

bool tlsc_scheme_lookup(const char *scheme, enum tlsc_mode mode, struct tlsc_scheme *out)
{
	static const struct {
		const char *name;
		struct tlsc_scheme s;
	} schemes[] = {
		{ "ftps", { .tls = true, .implicit = true, .mode = TLSC_REQUIRE, .port = 990 } },
		{ "ftpes", { .tls = true, .implicit = false, .mode = TLSC_REQUIRE, .port = 21 } },
		{ "ftp", { .tls = false, .implicit = false, .mode = TLSC_OFF, .port = 21 } },
	};
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		if (strcasecmp(scheme, schemes[i].name) == 0) {
			*out = schemes[i].s;
			if (!out->tls) {
				out->mode = mode;
				out->tls = mode != TLSC_OFF;
			}
			return true;
		}
	}
	return false;
}

enum tlsc_upgrade tlsc_upgrade_decide(enum tlsc_mode mode, bool feat_auth_tls)
{
	if (mode == TLSC_OFF)
		return TLSC_STAY_PLAIN;
	if (feat_auth_tls)
		return TLSC_UPGRADE;
	return mode == TLSC_REQUIRE ? TLSC_UPGRADE_FAIL : TLSC_STAY_PLAIN;
}

/* ---- Trust decisions ---- */

enum tlsc_trust tlsc_decide(const struct tlsc_options *o, const struct tlsc_cert *cert,
			    enum fp_match stored)
{
	/* An explicit fingerprint is the strictest statement: it alone
	 * decides. */
	if (o->fingerprint[0])
		return strcmp(o->fingerprint, cert->fingerprint) == 0 ? TLSC_TRUST_PINNED
								      : TLSC_TRUST_PIN_MISMATCH;
	if (o->insecure)
		return TLSC_TRUST_INSECURE;
	if (cert->verified)
		return TLSC_TRUST_VERIFIED;
	static const enum tlsc_trust by_store[] = {
		[FP_UNKNOWN] = TLSC_TRUST_ASK,
		[FP_MATCH] = TLSC_TRUST_KNOWN,
		[FP_CHANGED] = TLSC_TRUST_CHANGED,
	};
	return (unsigned)stored < sizeof by_store / sizeof by_store[0] ? by_store[stored]
								      : TLSC_TRUST_ASK;
}

bool tlsc_trust_ok(enum tlsc_trust t)
{
	return t == TLSC_TRUST_VERIFIED || t == TLSC_TRUST_PINNED || t == TLSC_TRUST_KNOWN ||
	       t == TLSC_TRUST_INSECURE;
}

char *tlsc_cert_describe(const struct tlsc_cert *cert, const char *hostport, char *buf,
			 size_t n)
{
	snprintf(buf, n,
		 "%s: %s\n"
		 "  subject:     %s\n"
		 "  issuer:      %s\n"
		 "  valid:       %s to %s\n"
		 "  fingerprint: %s\n",
		 hostport, cert->verified ? "certificate verified" : cert->reason, cert->subject,
		 cert->issuer, cert->not_before, cert->not_after, cert->fingerprint);
	return buf;
}

/* ---- Certificates ---- */

/* Writes a one-line, sanitised form of name ("CN=x, O=y"). */
static void name_text(const X509_NAME *name, char *out, size_t n)
{
	char raw[512] = "";
	BIO *b = BIO_new(BIO_s_mem());
	if (b) {
		unsigned long flags = (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK & ~ASN1_STRFLGS_ESC_MSB) |
				      XN_FLAG_SEP_CPLUS_SPC;
		X509_NAME_print_ex(b, name, 0, flags);
		int len = BIO_read(b, raw, sizeof raw - 1);
		raw[len > 0 ? len : 0] = '\0';
		BIO_free(b);
	}
	sanitize_text(raw, strlen(raw), out, n);
}

/* Writes t as "2026-01-31 12:00:00 UTC". */
static void time_text(const ASN1_TIME *t, char *out, size_t n)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, n, "unknown");
}

/* Computes the SHA-256 fingerprint text of x. */
static bool cert_fingerprint(X509 *x, char out[FP_TEXT_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!x || X509_digest(x, EVP_sha256(), md, &len) != 1 || len != FP_SHA256_LEN) {
		ERR_clear_error();
		return false;
	}
	fp_format(md, out);
	return true;
}

/* Our words for the verification failures users meet most. */
static void reason_text(const struct tlsc *t, const struct tlsc_cert *c, int code, int depth,
			char *out, size_t n)
{
	switch (code) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(out, n, "the certificate is not valid for %s", t->host);
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		if (depth == 0) {
			snprintf(out, n, "the certificate expired on %s", c->not_after);
			return;
		}
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (depth == 0) {
			snprintf(out, n, "the certificate is not valid before %s", c->not_before);
			return;
		}
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		snprintf(out, n, "the certificate is self-signed");
		return;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		snprintf(out, n, "the certificate is not signed by a trusted authority");
		return;
	default:
		break;
	}
	snprintf(out, n, "%s%s", tlserr_verify_text(code), depth > 0 ? " (in the chain)" : "");
}

/* ---- Connections ---- */

/* Records the first verification error and lets the handshake go on:
 * tlsc_decide makes the decision afterwards, before anything is sent. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tlsc *t = ssl ? SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)) : NULL;
	if (!ok && t && t->ctl && ssl == conn_ssl(t->ctl) && t->first_error == X509_V_OK) {
		t->first_error = X509_STORE_CTX_get_error(x);
		t->first_error_depth = X509_STORE_CTX_get_error_depth(x);
	}
	return 1;
}

/* A session arrived (after a handshake, or a TLS 1.3 ticket later): keep
 * the newest of the control connection. */
static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tlsc *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (!t || !t->ctl || ssl != conn_ssl(t->ctl))
		return 0;
	SSL_SESSION_free(t->session);
	t->session = sess;
	return 1;
}

struct tlsc *tlsc_new(const struct tlsc_options *o, const char *host, char *err, size_t errsz)
{
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		tlserr_text(err, errsz, "TLS setup failed");
		return NULL;
	}
	int min = o->min_version > TLS1_2_VERSION ? o->min_version : TLS1_2_VERSION;
	if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
	    (o->max_version && SSL_CTX_set_max_proto_version(ctx, o->max_version) != 1)) {
		tlserr_text(err, errsz, "TLS setup failed");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (o->ca_file[0]) {
		if (SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL) != 1) {
			char what[TLSC_PATH_MAX + 32];
			snprintf(what, sizeof what, "cannot use --ca-file %s", o->ca_file);
			tlserr_text(err, errsz, what);
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		tlserr_text(err, errsz, "cannot load the system CA store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, new_session_cb);

	struct tlsc *t = xcalloc(1, sizeof *t);
	t->opt = o;
	t->ctx = ctx;
	t->host = xstrdup(host);
	unsigned char ip[16];
	t->host_is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
	t->first_error = X509_V_OK;
	SSL_CTX_set_app_data(ctx, t);
	return t;
}

void tlsc_free(struct tlsc *t)
{
	if (!t)
		return;
	SSL_SESSION_free(t->session);
	SSL_CTX_free(t->ctx);
	free(t->host);
	free(t);
}

/* A client SSL for t's host: server name (names only) and the name or
 * address the certificate must show. */
static SSL *new_ssl(struct tlsc *t)
{
	ERR_clear_error();
	SSL *ssl = SSL_new(t->ctx);
	if (!ssl)
		return NULL;
	SSL_set_connect_state(ssl);
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	bool ok;
	if (t->host_is_ip) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, t->host) == 1;
	} else {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = X509_VERIFY_PARAM_set1_host(param, t->host, 0) == 1 &&
		     SSL_set_tlsext_host_name(ssl, t->host) == 1;
	}
	if (!ok) {
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

bool tlsc_start_control(struct tlsc *t, struct conn *ctl, char *err, size_t errsz)
{
	if (conn_is_tls(ctl) || t->ctl) {
		snprintf(err, errsz, "TLS is already on");
		return false;
	}
	SSL *ssl = new_ssl(t);
	if (!ssl) {
		tlserr_text(err, errsz, "TLS setup failed");
		return false;
	}
	conn_start_tls(ctl, ssl);
	t->ctl = ctl;
	return true;
}

bool tlsc_peer(struct tlsc *t, struct tlsc_cert *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof *out);
	SSL *ssl = t->ctl ? conn_ssl(t->ctl) : NULL;
	X509 *x = ssl && SSL_is_init_finished(ssl) ? SSL_get0_peer_certificate(ssl) : NULL;
	if (!x) {
		snprintf(err, errsz, "the server sent no certificate");
		return false;
	}
	name_text(X509_get_subject_name(x), out->subject, sizeof out->subject);
	name_text(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
	time_text(X509_get0_notBefore(x), out->not_before, sizeof out->not_before);
	time_text(X509_get0_notAfter(x), out->not_after, sizeof out->not_after);
	if (!cert_fingerprint(x, out->fingerprint)) {
		snprintf(err, errsz, "cannot compute the certificate's fingerprint");
		return false;
	}
	long result = SSL_get_verify_result(ssl);
	int code = t->first_error != X509_V_OK ? t->first_error : (int)result;
	out->verified = code == X509_V_OK;
	if (!out->verified)
		reason_text(t, out, code, t->first_error != X509_V_OK ? t->first_error_depth : 0,
			    out->reason, sizeof out->reason);
	return true;
}

void tlsc_read_tickets(struct tlsc *t)
{
	SSL *ssl = t->ctl ? conn_ssl(t->ctl) : NULL;
	if (!ssl || !SSL_is_init_finished(ssl) || SSL_version(ssl) < TLS1_3_VERSION)
		return;
	/* SSL_peek processes the ticket records ahead of any reply without
	 * taking the reply; the descriptor is non-blocking meanwhile. */
	int fd = conn_rfd(t->ctl);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return;
	if (!(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	char byte;
	ERR_clear_error();
	SSL_peek(ssl, &byte, 1);
	ERR_clear_error();
	if (!(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl);
}

bool tlsc_have_session(const struct tlsc *t)
{
	return t->session != NULL;
}

struct conn *tlsc_data_start(struct tlsc *t, int fd)
{
	SSL *ssl = new_ssl(t);
	if (!ssl) {
		ERR_clear_error();
		close(fd);
		return NULL;
	}
	/* A copy: OpenSSL makes a TLS 1.3 session it resumed unresumable
	 * (tickets are meant for one use), yet every data connection must
	 * resume the control connection's session, and most servers send
	 * tickets only once, after the control handshake. */
	SSL_SESSION *copy = t->session ? SSL_SESSION_dup(t->session) : NULL;
	if (copy) {
		SSL_set_session(ssl, copy);
		SSL_SESSION_free(copy);
	}
	ERR_clear_error();
	/* Downloads arrive as a stream of full records: read them in batches
	 * (two system calls per 16 KiB record otherwise). */
	struct conn *c = conn_tls(fd, fd, ssl);
	conn_set_read_buffer(c, CONN_TLS_READ_BUFFER);
	return c;
}

enum tlsc_data_verdict tlsc_data_check(struct tlsc *t, const struct conn *data)
{
	SSL *ssl = conn_ssl(data);
	if (!ssl || !SSL_is_init_finished(ssl))
		return TLSC_DATA_FAILED;
	if (SSL_session_reused(ssl))
		return TLSC_DATA_RESUMED;
	/* A server that does not resume must at least be the same server. */
	char a[FP_TEXT_SIZE], b[FP_TEXT_SIZE];
	SSL *cs = t->ctl ? conn_ssl(t->ctl) : NULL;
	if (cs && cert_fingerprint(SSL_get0_peer_certificate(ssl), a) &&
	    cert_fingerprint(SSL_get0_peer_certificate(cs), b) && strcmp(a, b) == 0)
		return TLSC_DATA_FULL;
	return TLSC_DATA_OTHER_CERT;
}
