/* Unit tests for the TLS options of both programs and the client's pure
 * decisions: ferryd's --tls/--tls-cert/--tls-key/--implicit-tls/
 * --tls-session-reuse, ferry's --tls/--ca-file/--trust-fingerprint/
 * --insecure, URL schemes, the AUTH TLS upgrade, and which certificates
 * are trusted. */
#include "config.h"

#include "options.h"
#include "tls.h"
#include "tlsclient.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#define FP_A "SHA256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
	     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define FP_B "SHA256:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:" \
	     "FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00"

/* ---- ferryd ---- */

/* Up to four options (name, argument) and the outcome: the mode, the key
 * file, implicit, or an error containing err. */
struct srv_case {
	const char *opt[4][2];
	int rc;                 /* 0 ok, -1 error (from tls_option or finish) */
	enum tls_mode mode;
	const char *key;
	bool implicit;
	const char *err;
};

static const struct srv_case srv_cases[] = {
	/* Nothing: no TLS. */
	{ { { NULL } }, 0, TLS_OFF, NULL, false, NULL },
	/* A certificate turns TLS on; the key defaults to the same file. */
	{ { { "tls-cert", "c.pem" } }, 0, TLS_ON, "c.pem", false, NULL },
	{ { { "tls-cert", "c.pem" }, { "tls-key", "k.pem" } }, 0, TLS_ON, "k.pem", false, NULL },
	{ { { "tls", "required" }, { "tls-cert", "c.pem" } }, 0, TLS_REQUIRED, "c.pem", false, NULL },
	{ { { "tls-cert", "c.pem" }, { "tls", "off" } }, 0, TLS_OFF, "c.pem", false, NULL },
	{ { { "tls-cert", "a.pem" }, { "tls-cert", "c.pem" } }, 0, TLS_ON, "c.pem", false, NULL },
	{ { { "tls-cert", "c.pem" }, { "implicit-tls", NULL } }, 0, TLS_ON, "c.pem", true, NULL },
	{ { { "tls", "on" }, { "tls-cert", "c.pem" }, { "implicit-tls", NULL } }, 0, TLS_ON, "c.pem",
	  true, NULL },
	/* Errors. */
	{ { { "tls-session-reuse", "no" } }, -1, 0, NULL, false,
	  "--tls-session-reuse must be required or optional, not 'no'" },
	{ { { "tls-session-reuse", "" } }, -1, 0, NULL, false, "--tls-session-reuse must be" },
	{ { { "tls-session-reuse", "Optional" } }, -1, 0, NULL, false, "--tls-session-reuse must be" },
	{ { { "tls", "yes" } }, -1, 0, NULL, false, "--tls must be off, on or required, not 'yes'" },
	{ { { "tls", "" } }, -1, 0, NULL, false, "--tls must be" },
	{ { { "tls", "ON" } }, -1, 0, NULL, false, "--tls must be" },
	{ { { "tls", "on" } }, -1, 0, NULL, false, "--tls=on needs a certificate (--tls-cert)" },
	{ { { "tls", "required" } }, -1, 0, NULL, false, "--tls=required needs a certificate" },
	{ { { "tls-key", "k.pem" } }, -1, 0, NULL, false, "--tls-key needs --tls-cert" },
	{ { { "tls-cert", "" } }, -1, 0, NULL, false, "--tls-cert needs a file name" },
	{ { { "implicit-tls", NULL } }, -1, 0, NULL, false, "--implicit-tls needs TLS" },
	{ { { "tls-cert", "c.pem" }, { "tls", "off" }, { "implicit-tls", NULL } }, -1, 0, NULL, false,
	  "--implicit-tls needs TLS" },
};

START_TEST(server_options)
{
	const struct srv_case *c = &srv_cases[_i];
	struct tls_options o;
	tls_options_init(&o);
	char err[256] = "";
	int rc = 0;
	for (int k = 0; k < 4 && c->opt[k][0] && rc == 0; k++)
		rc = tls_option(&o, c->opt[k][0], c->opt[k][1], err, sizeof err);
	if (rc == 0)
		rc = tls_options_finish(&o, err, sizeof err);
	ck_assert_msg(rc == c->rc, "case %d: rc %d (%s)", _i, rc, err);
	if (rc == 0) {
		ck_assert_int_eq(o.mode, c->mode);
		if (c->key)
			ck_assert_str_eq(o.key_file, c->key);
		else
			ck_assert_ptr_null(o.key_file);
		ck_assert_int_eq(o.implicit, c->implicit);
		/* The policy floor holds whatever the command line. */
		ck_assert_int_eq(o.min_version, TLS1_2_VERSION);
	} else {
		ck_assert_msg(strstr(err, c->err), "case %d: '%s'", _i, err);
	}
	tls_options_free(&o);
}
END_TEST

/* --tls-session-reuse: required by default, the last word wins, and
 * --check-config's text says which. */
START_TEST(server_session_reuse)
{
	static const struct {
		const char *args[2];
		bool optional;
	} cases[] = {
		{ { NULL }, false },
		{ { "required" }, false },
		{ { "optional" }, true },
		{ { "optional", "required" }, false },
		{ { "required", "optional" }, true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tls_options o;
		tls_options_init(&o);
		char err[256] = "";
		ck_assert_int_eq(tls_option(&o, "tls-cert", "c.pem", err, sizeof err), 0);
		for (int k = 0; k < 2 && cases[i].args[k]; k++)
			ck_assert_msg(tls_option(&o, "tls-session-reuse", cases[i].args[k], err,
						 sizeof err) == 0, "case %zu: %s", i, err);
		ck_assert_int_eq(tls_options_finish(&o, err, sizeof err), 0);
		ck_assert_msg(o.reuse_optional == cases[i].optional, "case %zu", i);
		char v[32];
		ck_assert(tls_option_text(&o, "tls-session-reuse", v, sizeof v));
		ck_assert_str_eq(v, cases[i].optional ? "optional" : "required");
		tls_options_free(&o);
	}
}
END_TEST

/* Every option in the getopt table is one tls_option knows, with the
 * argument rule the table states; others are passed over. */
START_TEST(server_option_table)
{
	struct tls_options o;
	tls_options_init(&o);
	char err[256];
	int n = 0;
	for (const struct tls_optdef *d = tls_optdefs; d->name; d++, n++) {
		const char *arg = NULL;
		if (d->has_arg && strcmp(d->name, "tls") == 0)
			arg = "on";
		else if (d->has_arg && strcmp(d->name, "tls-session-reuse") == 0)
			arg = "optional";
		else if (d->has_arg)
			arg = "f.pem";
		ck_assert_msg(tls_option(&o, d->name, arg, err, sizeof err) == 0, "%s: %s", d->name, err);
		ck_assert_msg(strstr(tls_usage, d->name), "--help lacks %s", d->name);
	}
	ck_assert_int_eq(n, 5);
	char v[32];
	ck_assert(tls_option_text(&o, "tls-session-reuse", v, sizeof v));
	ck_assert_str_eq(v, "optional");
	ck_assert_int_eq(tls_option(&o, "max-clients", "3", err, sizeof err), 1);
	tls_options_free(&o);
}
END_TEST

/* ferryd's command lines with per-listener implicit TLS (-l ADDR,implicit-tls,
 * through the option parser): exit status, listeners, which are implicit,
 * an error containing err. */
struct listen_case {
	const char *argv[10];
	int rc;                 /* config_parse's result */
	int nlisten;
	bool implicit[2];       /* listen_implicit of the first two */
	bool pasv[2];           /* listen_pasv[i].have_v4 */
	const char *err;
};

#define CERT "--tls-cert", "c.pem"
static const struct listen_case listen_cases[] = {
	{ { "-l", "127.0.0.1:21", "-l", "127.0.0.1:990,implicit-tls", CERT }, 0, 2,
	  { false, true }, { false, false }, NULL },
	{ { "-l", "0.0.0.0:990,pasv-address=192.0.2.7,implicit-tls", CERT }, 0, 1,
	  { true, false }, { true, false }, NULL },
	{ { "-l", "[::]:990,implicit-tls,pasv-address=192.0.2.7", "--tls=required", CERT }, 0, 1,
	  { true, false }, { true, false }, NULL },
	{ { "-l", "127.0.0.1:21", CERT }, 0, 1, { false, false }, { false, false }, NULL },
	/* --implicit-tls alone marks no listener: it applies to every one. */
	{ { "-l", "127.0.0.1:990", "--implicit-tls", CERT }, 0, 1, { false, false }, { false, false },
	  NULL },
	/* Errors. */
	{ { "-l", "127.0.0.1:990,implicit-tls" }, 2, 0, { false }, { false },
	  "-l ...,implicit-tls needs TLS" },
	{ { "-l", "127.0.0.1:990,implicit-tls", CERT, "--tls=off" }, 2, 0, { false }, { false },
	  "-l ...,implicit-tls needs TLS" },
	{ { "-l", "127.0.0.1:990,implicit", CERT }, 2, 0, { false }, { false },
	  "unknown listener setting 'implicit' (known: pasv-address=IP, implicit-tls)" },
	{ { "-l", "127.0.0.1:990,implicit-tls=yes", CERT }, 2, 0, { false }, { false },
	  "unknown listener setting" },
	{ { "-l", "127.0.0.1:990,,implicit-tls", CERT }, 2, 0, { false }, { false },
	  "unknown listener setting ''" },
	{ { "-i", "-l", "127.0.0.1:990,implicit-tls", CERT }, 2, 0, { false }, { false },
	  "cannot be used with -i" },
};
#undef CERT

START_TEST(listener_options)
{
	const struct listen_case *c = &listen_cases[_i];
	char prog[] = "ferryd";
	char *argv[12] = { prog };
	int argc = 1;
	for (int k = 0; k < 10 && c->argv[k]; k++)
		argv[argc++] = (char *)c->argv[k];   /* getopt_long does not write to them */
	struct ferryd_config cfg;
	char err[256] = "";
	int rc = config_parse(&cfg, argc, argv, err, sizeof err);
	ck_assert_msg(rc == c->rc, "case %d: rc %d (%s)", _i, rc, err);
	if (rc == 0) {
		ck_assert_int_eq(cfg.nlisten, c->nlisten);
		for (int i = 0; i < c->nlisten; i++) {
			ck_assert_msg(cfg.listen_implicit[i] == c->implicit[i], "case %d: listener %d", _i, i);
			ck_assert_int_eq(cfg.listen_pasv[i].have_v4, c->pasv[i]);
		}
	} else {
		ck_assert_msg(strstr(err, c->err), "case %d: '%s'", _i, err);
	}
	config_free(&cfg);
}
END_TEST

/* ---- ferry ---- */

struct cli_case {
	const char *name, *arg;
	int rc;
	const char *err;
};

static const struct cli_case cli_cases[] = {
	{ "tls", "auto", 0, NULL },
	{ "tls", "require", 0, NULL },
	{ "tls", "off", 0, NULL },
	{ "ca-file", "/etc/ca.pem", 0, NULL },
	{ "insecure", NULL, 0, NULL },
	{ "trust-fingerprint", FP_A, 0, NULL },
	{ "trust-fingerprint",
	  "sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 0, NULL },
	{ "tls", "on", -1, "--tls must be auto, require or off, not 'on'" },
	{ "tls", "required", -1, "--tls must be auto" },
	{ "tls", NULL, -1, "--tls must be auto" },
	{ "ca-file", "", -1, "--ca-file needs a file name" },
	{ "trust-fingerprint", "SHA1:00:11", -1, "--trust-fingerprint takes SHA256:" },
	{ "trust-fingerprint", "AA:BB", -1, "--trust-fingerprint takes SHA256:" },
	{ "trust-fingerprint", NULL, -1, "--trust-fingerprint takes SHA256:" },
	{ "tls-max", "1.2", 0, NULL },
	{ "tls-max", "1.3", 0, NULL },
	{ "tls-max", "any", 0, NULL },
	{ "tls-max", "1.1", -1, "--tls-max must be 1.2, 1.3 or any, not '1.1'" },
	{ "tls-max", NULL, -1, "--tls-max must be" },
	{ "verbose", NULL, 1, NULL },
};

START_TEST(client_options)
{
	const struct cli_case *c = &cli_cases[_i];
	struct tlsc_options o;
	tlsc_options_init(&o);
	ck_assert_int_eq(o.mode, TLSC_AUTO);
	char err[256] = "";
	int rc = tlsc_option(&o, c->name, c->arg, err, sizeof err);
	ck_assert_msg(rc == c->rc, "%s=%s: %d (%s)", c->name, c->arg, rc, err);
	if (rc < 0)
		ck_assert_msg(strstr(err, c->err), "'%s'", err);
	if (rc == 0 && strcmp(c->name, "tls") == 0)
		ck_assert_int_eq(o.mode, strcmp(c->arg, "auto") == 0      ? TLSC_AUTO
					 : strcmp(c->arg, "require") == 0 ? TLSC_REQUIRE
									  : TLSC_OFF);
	if (rc == 0 && strcmp(c->name, "trust-fingerprint") == 0)
		ck_assert_str_eq(o.fingerprint, FP_A);
	if (rc == 0 && strcmp(c->name, "ca-file") == 0)
		ck_assert_str_eq(o.ca_file, c->arg);
	if (rc == 0 && strcmp(c->name, "insecure") == 0)
		ck_assert(o.insecure);
	if (rc == 0 && strcmp(c->name, "tls-max") == 0)
		ck_assert_int_eq(o.max_version, strcmp(c->arg, "1.2") == 0   ? TLS1_2_VERSION
						: strcmp(c->arg, "1.3") == 0 ? TLS1_3_VERSION
									     : 0);
	if (rc != 0)
		ck_assert_str_eq(o.fingerprint, "");
}
END_TEST

/* Each option shows the value it was given, in the words it takes;
 * defaults have words of their own. */
START_TEST(client_option_show)
{
	static const struct {
		const char *name, *arg, *shown_default;
	} rows[] = {
		{ "tls", "require", "auto" },
		{ "ca-file", "/etc/ca.pem", "system" },
		{ "trust-fingerprint", FP_B, "none" },
		{ "tls-max", "1.2", "any" },
		{ "insecure", NULL, "off" },
	};
	struct tlsc_options o;
	tlsc_options_init(&o);
	char err[256], buf[TLSC_PATH_MAX];
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ck_assert(tlsc_option_show(&o, rows[i].name, buf, sizeof buf));
		ck_assert_str_eq(buf, rows[i].shown_default);
		ck_assert_msg(tlsc_option(&o, rows[i].name, rows[i].arg, err, sizeof err) == 0,
			      "%s: %s", rows[i].name, err);
		ck_assert(tlsc_option_show(&o, rows[i].name, buf, sizeof buf));
		ck_assert_str_eq(buf, rows[i].arg ? rows[i].arg : "on");
	}
	ck_assert(!tlsc_option_show(&o, "verbose", buf, sizeof buf));
}
END_TEST

/* Scheme, --tls, and the connection it makes. */
static const struct {
	const char *scheme;
	enum tlsc_mode mode;
	bool ok, tls, implicit;
	int port;
	enum tlsc_mode used;
} scheme_cases[] = {
	{ "ftp", TLSC_AUTO, true, true, false, 21, TLSC_AUTO },
	{ "ftp", TLSC_REQUIRE, true, true, false, 21, TLSC_REQUIRE },
	{ "ftp", TLSC_OFF, true, false, false, 21, TLSC_OFF },
	{ "FTP", TLSC_OFF, true, false, false, 21, TLSC_OFF },
	{ "ftps", TLSC_OFF, true, true, true, 990, TLSC_REQUIRE },
	{ "ftps", TLSC_AUTO, true, true, true, 990, TLSC_REQUIRE },
	{ "ftpes", TLSC_OFF, true, true, false, 21, TLSC_REQUIRE },
	{ "FTPES", TLSC_AUTO, true, true, false, 21, TLSC_REQUIRE },
	{ "sftp", TLSC_AUTO, false, false, false, 0, TLSC_OFF },
	{ "http", TLSC_AUTO, false, false, false, 0, TLSC_OFF },
	{ "", TLSC_AUTO, false, false, false, 0, TLSC_OFF },
};

START_TEST(client_schemes)
{
	struct tlsc_scheme s = { 0 };
	bool ok = tlsc_scheme_lookup(scheme_cases[_i].scheme, scheme_cases[_i].mode, &s);
	ck_assert_int_eq(ok, scheme_cases[_i].ok);
	if (!ok)
		return;
	ck_assert_int_eq(s.tls, scheme_cases[_i].tls);
	ck_assert_int_eq(s.implicit, scheme_cases[_i].implicit);
	ck_assert_int_eq(s.port, scheme_cases[_i].port);
	ck_assert_int_eq(s.mode, scheme_cases[_i].used);
}
END_TEST

START_TEST(client_upgrade)
{
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_AUTO, true), TLSC_UPGRADE);
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_AUTO, false), TLSC_STAY_PLAIN);
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_REQUIRE, true), TLSC_UPGRADE);
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_REQUIRE, false), TLSC_UPGRADE_FAIL);
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_OFF, true), TLSC_STAY_PLAIN);
	ck_assert_int_eq(tlsc_upgrade_decide(TLSC_OFF, false), TLSC_STAY_PLAIN);
}
END_TEST

/* Options, certificate, store: the decision. */
static const struct {
	const char *pin;
	bool insecure;
	bool verified;
	const char *fp;
	enum fp_match stored;
	enum tlsc_trust trust;
} trust_cases[] = {
	{ NULL, false, true, FP_A, FP_UNKNOWN, TLSC_TRUST_VERIFIED },
	/* A CA-verified certificate is trusted even if the store remembers
	 * an older self-signed one: renewals must not alarm. */
	{ NULL, false, true, FP_A, FP_CHANGED, TLSC_TRUST_VERIFIED },
	{ NULL, false, false, FP_A, FP_UNKNOWN, TLSC_TRUST_ASK },
	{ NULL, false, false, FP_A, FP_MATCH, TLSC_TRUST_KNOWN },
	{ NULL, false, false, FP_A, FP_CHANGED, TLSC_TRUST_CHANGED },
	{ NULL, true, false, FP_A, FP_UNKNOWN, TLSC_TRUST_INSECURE },
	{ NULL, true, false, FP_A, FP_CHANGED, TLSC_TRUST_INSECURE },
	{ NULL, true, true, FP_A, FP_UNKNOWN, TLSC_TRUST_INSECURE },
	/* A pinned fingerprint alone decides, both ways. */
	{ FP_A, false, false, FP_A, FP_UNKNOWN, TLSC_TRUST_PINNED },
	{ FP_A, false, false, FP_A, FP_CHANGED, TLSC_TRUST_PINNED },
	{ FP_A, false, true, FP_B, FP_UNKNOWN, TLSC_TRUST_PIN_MISMATCH },
	{ FP_A, true, false, FP_B, FP_MATCH, TLSC_TRUST_PIN_MISMATCH },
};

START_TEST(client_trust)
{
	struct tlsc_options o;
	tlsc_options_init(&o);
	char err[256];
	if (trust_cases[_i].pin)
		ck_assert_int_eq(tlsc_option(&o, "trust-fingerprint", trust_cases[_i].pin, err, sizeof err), 0);
	o.insecure = trust_cases[_i].insecure;
	struct tlsc_cert c = { .verified = trust_cases[_i].verified };
	snprintf(c.fingerprint, sizeof c.fingerprint, "%s", trust_cases[_i].fp);
	enum tlsc_trust t = tlsc_decide(&o, &c, trust_cases[_i].stored);
	ck_assert_msg(t == trust_cases[_i].trust, "case %d: %d", _i, t);
	bool ok = t == TLSC_TRUST_VERIFIED || t == TLSC_TRUST_PINNED || t == TLSC_TRUST_KNOWN ||
		  t == TLSC_TRUST_INSECURE;
	ck_assert_int_eq(tlsc_trust_ok(t), ok);
}
END_TEST

START_TEST(client_describe)
{
	struct tlsc_cert c = {
		.subject = "CN=localhost, O=ferry tests",
		.issuer = "CN=ferry test root CA, O=ferry tests",
		.not_before = "2026-01-01 00:00:00 UTC",
		.not_after = "2027-01-01 00:00:00 UTC",
		.fingerprint = FP_A,
		.verified = false,
		.reason = "the certificate is self-signed",
	};
	char buf[1024];
	tlsc_cert_describe(&c, "127.0.0.1:2121", buf, sizeof buf);
	ck_assert_str_eq(buf, "127.0.0.1:2121: the certificate is self-signed\n"
			      "  subject:     CN=localhost, O=ferry tests\n"
			      "  issuer:      CN=ferry test root CA, O=ferry tests\n"
			      "  valid:       2026-01-01 00:00:00 UTC to 2027-01-01 00:00:00 UTC\n"
			      "  fingerprint: " FP_A "\n");
}
END_TEST

static Suite *tlsopts_suite(void)
{
	Suite *s = suite_create("tlsopts");
	TCase *tc = tcase_create("ferryd");
	tcase_add_loop_test(tc, server_options, 0, sizeof srv_cases / sizeof srv_cases[0]);
	tcase_add_test(tc, server_option_table);
	tcase_add_test(tc, server_session_reuse);
	tcase_add_loop_test(tc, listener_options, 0, sizeof listen_cases / sizeof listen_cases[0]);
	suite_add_tcase(s, tc);
	tc = tcase_create("ferry");
	tcase_add_loop_test(tc, client_options, 0, sizeof cli_cases / sizeof cli_cases[0]);
	tcase_add_test(tc, client_option_show);
	tcase_add_loop_test(tc, client_schemes, 0, sizeof scheme_cases / sizeof scheme_cases[0]);
	tcase_add_test(tc, client_upgrade);
	tcase_add_loop_test(tc, client_trust, 0, sizeof trust_cases / sizeof trust_cases[0]);
	tcase_add_test(tc, client_describe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tlsopts_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
