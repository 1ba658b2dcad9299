/* tls: ferryd's TLS policy and data-connection binding (see tls.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "fingerprint.h"
#include "optword.h"
#include "sysio.h"
#include "tls.h"
#include "tlserr.h"
#include "xalloc.h"

/* Bytes of the random token binding sessions to a control connection;
 * the session id context holds at most SSL_MAX_SID_CTX_LENGTH (32). */
#define TLS_TOKEN_LEN 32

/* A session lives a day by default: long enough for any FTP session under
 * TLS 1.2 (which gets no fresh tickets), still bounded. */
#define TLS_SESSION_TIMEOUT_DEFAULT 86400L

/* TLS 1.2 suites: forward secrecy and AEAD only, in the server's order.
 * TLS 1.3 suites are all AEAD; OpenSSL's default order is kept. */
#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20"

struct tls_server {
	const struct tls_options *opt; /* the command line */
	X509 *cert;                    /* leaf certificate */
	STACK_OF(X509) *chain;         /* intermediates after it in the file */
	EVP_PKEY *key;                 /* its private key */
};

struct tls_control {
	SSL_CTX *ctx;                       /* this control connection's own */
	struct conn *ctl;                   /* the control connection */
	unsigned char token[TLS_TOKEN_LEN]; /* random, in the control sessions */
	bool ktls;                          /* kernel TLS on data connections */
	bool reuse_optional;                /* --tls-session-reuse=optional */
	bool unbound_seen;                  /* an unbound data connection was taken */
};

static SSL_CTX *control_ctx(struct tls_server *srv, struct tls_control *t, char *err,
			    size_t errsz);

/* ---- Options ---- */

const struct tls_optdef tls_optdefs[] = {
	{ "tls", true },
	{ "tls-cert", true },
	{ "tls-key", true },
	{ "implicit-tls", false },
	{ "tls-session-reuse", true },
	{ NULL, false },
};

const char tls_usage[] =
	"  --tls=off|on|required  offer AUTH TLS; required refuses plain logins and\n"
	"                         unprotected transfers (default: on with a certificate)\n"
	"  --tls-cert FILE        PEM certificate, chain after it (may hold the key)\n"
	"  --tls-key FILE         PEM private key (default: the certificate file)\n"
	"  --implicit-tls         every listener (and -i) starts in TLS (ftps://, port\n"
	"                         990); one listener: -l ADDR:990,implicit-tls\n"
	"  --tls-session-reuse=required|optional\n"
	"                         required (default): a protected data connection must\n"
	"                         resume its control connection's TLS session;\n"
	"                         optional also takes clients that do not (ftplib,\n"
	"                         rclone < 1.64), bound then only by their address\n";

/* --tls words. */
static const struct optword tls_mode_words[] = {
	{ "off", TLS_OFF },
	{ "on", TLS_ON },
	{ "required", TLS_REQUIRED },
};

void tls_options_init(struct tls_options *o)
{
	memset(o, 0, sizeof *o);
	o->mode = TLS_OFF;
	o->min_version = TLS1_2_VERSION;
	o->session_timeout = TLS_SESSION_TIMEOUT_DEFAULT;
	o->ktls = true;
}

/* --tls-session-reuse words: whether it is optional. */
static const struct optword reuse_words[] = {
	{ "required", 0 },
	{ "optional", 1 },
};

/* Replaces *slot with a copy of arg; refuses an empty file name. */
static int set_file(char **slot, const char *name, const char *arg, char *err, size_t errsz)
{
	if (!arg || !*arg) {
		snprintf(err, errsz, "--%s needs a file name", name);
		return -1;
	}
	free(*slot);
	*slot = xstrdup(arg);
	return 0;
}

int tls_option(struct tls_options *o, const char *name, const char *arg, char *err,
	       size_t errsz)
{
	if (strcmp(name, "tls") == 0) {
		int mode;
		if (!optword_lookup(tls_mode_words, sizeof tls_mode_words / sizeof tls_mode_words[0],
				    arg, &mode)) {
			snprintf(err, errsz, "--tls must be off, on or required, not '%s'",
				 arg ? arg : "");
			return -1;
		}
		o->mode = (enum tls_mode)mode;
		o->mode_given = true;
		return 0;
	}
	if (strcmp(name, "tls-cert") == 0)
		return set_file(&o->cert_file, name, arg, err, errsz);
	if (strcmp(name, "tls-key") == 0)
		return set_file(&o->key_file, name, arg, err, errsz);
	if (strcmp(name, "implicit-tls") == 0) {
		o->implicit = true;
		return 0;
	}
	if (strcmp(name, "tls-session-reuse") == 0) {
		int optional;
		if (!optword_lookup(reuse_words, sizeof reuse_words / sizeof reuse_words[0], arg,
				    &optional)) {
			snprintf(err, errsz,
				 "--tls-session-reuse must be required or optional, not '%s'",
				 arg ? arg : "");
			return -1;
		}
		o->reuse_optional = optional != 0;
		return 0;
	}
	return 1;
}

bool tls_option_text(const struct tls_options *o, const char *name, char *out, size_t n)
{
	const char *v = NULL;
	if (strcmp(name, "tls") == 0)
		v = o->mode == TLS_REQUIRED ? "required" : o->mode == TLS_ON ? "on" : "off";
	else if (strcmp(name, "tls-cert") == 0)
		v = o->cert_file;
	else if (strcmp(name, "tls-key") == 0)
		v = o->key_file;
	else if (strcmp(name, "implicit-tls") == 0)
		v = o->implicit ? "yes" : "no";
	else if (strcmp(name, "tls-session-reuse") == 0)
		v = o->reuse_optional ? "optional" : "required";
	if (v == NULL)
		return false;
	snprintf(out, n, "%s", v);
	return true;
}

int tls_options_finish(struct tls_options *o, char *err, size_t errsz)
{
	if (!o->mode_given)
		o->mode = o->cert_file ? TLS_ON : TLS_OFF;
	if (o->key_file && !o->cert_file) {
		snprintf(err, errsz, "--tls-key needs --tls-cert");
		return -1;
	}
	if (o->mode != TLS_OFF && !o->cert_file) {
		snprintf(err, errsz, "--tls=%s needs a certificate (--tls-cert)",
			 o->mode == TLS_ON ? "on" : "required");
		return -1;
	}
	if (o->implicit && o->mode == TLS_OFF) {
		snprintf(err, errsz, "--implicit-tls needs TLS (--tls-cert, and not --tls=off)");
		return -1;
	}
	if (o->cert_file && !o->key_file)
		o->key_file = xstrdup(o->cert_file);
	return 0;
}

void tls_options_free(struct tls_options *o)
{
	free(o->cert_file);
	free(o->key_file);
	o->cert_file = o->key_file = NULL;
}

/* ---- Certificate ---- */

/* What one load produced; swapped into the server as a whole. */
struct keypair {
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
};

static void keypair_free(struct keypair *k)
{
	X509_free(k->cert);
	sk_X509_pop_free(k->chain, X509_free);
	EVP_PKEY_free(k->key);
	memset(k, 0, sizeof *k);
}

/* Opens path for reading if it is a regular file (a FIFO must not stop
 * the start or a reload), with the reason in err on failure. */
static FILE *open_pem(const char *path, const char *what, char *err, size_t errsz)
{
	const char *why = NULL;
	FILE *f = sysio_fopen_regular(path, &why);
	if (!f)
		snprintf(err, errsz, "cannot read %s %s: %s", what, path, why);
	return f;
}

/* Reads the leaf, the chain after it, and the key. */
static int keypair_load(const struct tls_options *o, struct keypair *k, char *err, size_t errsz)
{
	memset(k, 0, sizeof *k);
	ERR_clear_error();
	FILE *f = open_pem(o->cert_file, "certificate", err, errsz);
	if (!f)
		return -1;
	k->cert = PEM_read_X509(f, NULL, NULL, NULL);
	k->chain = sk_X509_new_null();
	X509 *x;
	while (k->cert && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(k->chain, x);
	fclose(f);
	/* The loop ends at the end of the file, which OpenSSL reports as an
	 * error to clear. */
	ERR_clear_error();
	if (!k->cert) {
		snprintf(err, errsz, "%s: no PEM certificate found", o->cert_file);
		keypair_free(k);
		return -1;
	}
	f = open_pem(o->key_file, "private key", err, errsz);
	if (!f) {
		keypair_free(k);
		return -1;
	}
	k->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k->key) {
		ERR_clear_error();
		snprintf(err, errsz, "%s: no PEM private key found (or it needs a passphrase)",
			 o->key_file);
		keypair_free(k);
		return -1;
	}
	if (X509_check_private_key(k->cert, k->key) != 1) {
		ERR_clear_error();
		snprintf(err, errsz, "%s: the private key does not belong to the certificate in %s",
			 o->key_file, o->cert_file);
		keypair_free(k);
		return -1;
	}
	return 0;
}

struct tls_server *tls_server_new(const struct tls_options *o, char *err, size_t errsz)
{
	struct keypair k;
	if (!o->cert_file) {
		snprintf(err, errsz, "no certificate (--tls-cert)");
		return NULL;
	}
	if (keypair_load(o, &k, err, errsz) < 0)
		return NULL;
	struct tls_server *srv = xcalloc(1, sizeof *srv);
	srv->opt = o;
	srv->cert = k.cert;
	srv->chain = k.chain;
	srv->key = k.key;
	/* Build a context once, so a certificate OpenSSL refuses (a key too
	 * weak for its security level) fails at startup, not at AUTH TLS. */
	struct tls_control probe = { 0 };
	SSL_CTX *ctx = control_ctx(srv, &probe, err, errsz);
	if (!ctx) {
		tls_server_free(srv);
		return NULL;
	}
	SSL_CTX_free(ctx);
	return srv;
}

int tls_server_reload(struct tls_server *srv, char *err, size_t errsz)
{
	struct keypair k;
	if (keypair_load(srv->opt, &k, err, errsz) < 0)
		return -1;
	struct keypair old = { srv->cert, srv->chain, srv->key };
	srv->cert = k.cert;
	srv->chain = k.chain;
	srv->key = k.key;
	keypair_free(&old);
	return 0;
}

void tls_server_fingerprint(const struct tls_server *srv, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (X509_digest(srv->cert, EVP_sha256(), md, &len) != 1 || len != FP_SHA256_LEN) {
		ERR_clear_error();
		snprintf(out, FP_TEXT_SIZE, "SHA256:unknown");
		return;
	}
	fp_format(md, out);
}

void tls_server_free(struct tls_server *srv)
{
	if (!srv)
		return;
	struct keypair k = { srv->cert, srv->chain, srv->key };
	keypair_free(&k);
	free(srv);
}

/* ---- Session binding ---- */

/* True if session ss carries t's token. */
static bool session_is_ours(const struct tls_control *t, SSL_SESSION *ss)
{
	void *data = NULL;
	size_t len = 0;
	if (!ss || SSL_SESSION_get0_ticket_appdata(ss, &data, &len) != 1)
		return false;
	return len == TLS_TOKEN_LEN && CRYPTO_memcmp(data, t->token, len) == 0;
}

/* True if s is t's control connection. Only its sessions get the token:
 * a session born on a data connection (a full handshake, refused unless
 * --tls-session-reuse=optional) must not come back as a bound one, as it
 * would through the TLS 1.2 ticket its handshake hands out. */
static bool is_control(const struct tls_control *t, const SSL *s)
{
	return t->ctl && conn_ssl(t->ctl) == s;
}

/* A ticket is about to be made: store the token in it if the session is
 * the control connection's. A data connection that resumed renews its
 * ticket with the appdata the old one brought. */
static int ticket_gen(SSL *s, void *arg)
{
	struct tls_control *t = arg;
	if (!is_control(t, s))
		return 1;
	return SSL_SESSION_set1_ticket_appdata(SSL_get_session(s), t->token, TLS_TOKEN_LEN);
}

/* A ticket came back: use it only if it carries the token. Anything
 * else gets a full handshake, which tls_data_check then refuses. */
static SSL_TICKET_RETURN ticket_dec(SSL *s, SSL_SESSION *ss, const unsigned char *keyname,
				    size_t keyname_len, SSL_TICKET_STATUS status, void *arg)
{
	(void)s, (void)keyname, (void)keyname_len;
	struct tls_control *t = arg;
	switch (status) {
	case SSL_TICKET_SUCCESS:
		return session_is_ours(t, ss) ? SSL_TICKET_RETURN_USE : SSL_TICKET_RETURN_IGNORE;
	case SSL_TICKET_SUCCESS_RENEW:
		return session_is_ours(t, ss) ? SSL_TICKET_RETURN_USE_RENEW
					      : SSL_TICKET_RETURN_IGNORE;
	case SSL_TICKET_FATAL_ERR_MALLOC:
	case SSL_TICKET_FATAL_ERR_OTHER:
		return SSL_TICKET_RETURN_ABORT;
	default:
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	}
}

/* A handshake finished: the control connection's session that came
 * without a ticket (TLS 1.2 by session id) gets the token too, so every
 * check is the same. */
static void info_cb(const SSL *s, int where, int ret)
{
	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE))
		return;
	struct tls_control *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(s));
	SSL_SESSION *ss = SSL_get_session(s);
	if (t && ss && is_control(t, s) && !SSL_session_reused(s) && !session_is_ours(t, ss))
		SSL_SESSION_set1_ticket_appdata(ss, t->token, TLS_TOKEN_LEN);
}

/* Builds the control connection's own context: policy, certificate,
 * session cache, ticket binding. */
static SSL_CTX *control_ctx(struct tls_server *srv, struct tls_control *t, char *err,
			    size_t errsz)
{
	const struct tls_options *o = srv->opt;
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		tlserr_text(err, errsz, "TLS setup failed");
		return NULL;
	}
	int min = o->min_version > TLS1_2_VERSION ? o->min_version : TLS1_2_VERSION;
	bool ok = SSL_CTX_set_min_proto_version(ctx, min) == 1 &&
		  (o->max_version == 0 || SSL_CTX_set_max_proto_version(ctx, o->max_version) == 1) &&
		  SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) == 1 &&
		  SSL_CTX_use_cert_and_key(ctx, srv->cert, srv->key, srv->chain, 1) == 1 &&
		  SSL_CTX_set_session_id_context(ctx, t->token, TLS_TOKEN_LEN) == 1 &&
		  SSL_CTX_set_session_ticket_cb(ctx, ticket_gen, ticket_dec, t) == 1;
	if (!ok) {
		tlserr_text(err, errsz, "TLS setup failed");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
					 SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_timeout(ctx, o->session_timeout);
	SSL_CTX_set_app_data(ctx, t);
	SSL_CTX_set_info_callback(ctx, info_cb);
	return ctx;
}

struct tls_control *tls_control_start(struct tls_server *srv, struct conn *ctl, char *err,
				      size_t errsz)
{
	if (conn_is_tls(ctl)) {
		snprintf(err, errsz, "TLS is already on");
		return NULL;
	}
	struct tls_control *t = xcalloc(1, sizeof *t);
	if (RAND_bytes(t->token, sizeof t->token) != 1) {
		tlserr_text(err, errsz, "TLS setup failed");
		free(t);
		return NULL;
	}
	t->ctx = control_ctx(srv, t, err, errsz);
	SSL *ssl = t->ctx ? SSL_new(t->ctx) : NULL;
	if (!ssl) {
		if (t->ctx)
			tlserr_text(err, errsz, "TLS setup failed");
		tls_control_free(t);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	conn_start_tls(ctl, ssl);
	t->ctl = ctl;
	t->ktls = srv->opt->ktls;
	t->reuse_optional = srv->opt->reuse_optional;
	return t;
}

void tls_control_free(struct tls_control *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

bool tls_control_fresh_ticket(struct tls_control *t)
{
	SSL *ssl = conn_ssl(t->ctl);
	if (!ssl || SSL_version(ssl) < TLS1_3_VERSION)
		return true; /* TLS 1.2 resumes by the cached session */
	return SSL_new_session_ticket(ssl) == 1;
}

struct conn *tls_data_start(struct tls_control *t, int fd)
{
	ERR_clear_error();
	SSL *ssl = SSL_new(t->ctx);
	if (!ssl) {
		ERR_clear_error();
		close(fd);
		return NULL;
	}
	SSL_set_accept_state(ssl);
	/* The client resumes with the control connection's tickets: data
	 * connections need not hand out more. */
	SSL_set_num_tickets(ssl, 0);
	if (t->ktls)
		SSL_set_options(ssl, SSL_OP_ENABLE_KTLS);
	return conn_tls(fd, fd, ssl);
}

void tls_data_for_upload(struct conn *c)
{
	/* Uploads arrive as a stream of full records: read them in batches
	 * (two system calls per 16 KiB record otherwise). */
	SSL_clear_options(conn_ssl(c), SSL_OP_ENABLE_KTLS);
	conn_set_read_buffer(c, CONN_TLS_READ_BUFFER);
}

enum tls_data_verdict tls_data_check(struct tls_control *t, const struct conn *data)
{
	SSL *ssl = conn_ssl(data);
	if (!ssl || !SSL_is_init_finished(ssl))
		return TLS_DATA_FAILED;
	if (!SSL_session_reused(ssl))
		return TLS_DATA_NOT_RESUMED;
	return session_is_ours(t, SSL_get_session(ssl)) ? TLS_DATA_OK : TLS_DATA_FOREIGN;
}

bool tls_data_accepted(struct tls_control *t, enum tls_data_verdict v, bool *first_unbound)
{
	if (first_unbound)
		*first_unbound = false;
	if (v == TLS_DATA_OK)
		return true;
	if (!t->reuse_optional || (v != TLS_DATA_NOT_RESUMED && v != TLS_DATA_FOREIGN))
		return false;
	if (first_unbound)
		*first_unbound = !t->unbound_seen;
	t->unbound_seen = true;
	return true;
}

enum tls_data_verdict tls_data_accept(struct tls_control *t, int fd, int timeout_ms,
				      struct conn **out, char *err, size_t errsz)
{
	*out = NULL;
	struct conn *c = tls_data_start(t, fd);
	if (!c) {
		snprintf(err, errsz, "TLS setup failed: out of memory");
		return TLS_DATA_FAILED;
	}
	enum tls_data_verdict v = TLS_DATA_FAILED;
	if (conn_handshake_wait(c, timeout_ms, NULL, NULL) == CONN_OK)
		v = tls_data_check(t, c);
	if (tls_data_accepted(t, v, NULL)) {
		*out = c;
		return v;
	}
	snprintf(err, errsz, "%s", v == TLS_DATA_FAILED ? conn_error(c) : tls_data_verdict_text(v));
	conn_free(c);
	return v;
}

const char *tls_data_verdict_text(enum tls_data_verdict v)
{
	static const char *const text[] = {
		[TLS_DATA_OK] = "TLS session resumed",
		[TLS_DATA_NOT_RESUMED] = "TLS session of the data connection not resumed from the "
					 "control connection",
		[TLS_DATA_FOREIGN] = "TLS session of the data connection belongs to another "
				     "control connection",
		[TLS_DATA_FAILED] = "TLS handshake on the data connection failed",
	};
	return (unsigned)v < sizeof text / sizeof text[0] ? text[v] : "unknown";
}
