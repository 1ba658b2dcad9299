/* Unit tests for the engine's TLS decisions in the login (ftp_login.c,
 * ftp_tls.c) against the scripted fake server: --tls=auto asks FEAT and
 * sends AUTH TLS only when it is offered, else logs in plain with a
 * notice; require sends AUTH TLS at once and a refusal ends the
 * connection before USER; bytes that follow the 234 reply are dropped,
 * never read as if they came inside TLS; the settings rows of the TLS
 * options. The handshakes themselves are check_tls's, the interop with
 * real servers test_cli_tls.py's. */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check_ftp_scripts.h"
#include "settings.h"

/* FEAT of a server offering TLS (vsftpd with ssl_enable). */
#define FEAT_TLS "211-Features:\r\n AUTH TLS\r\n EPSV\r\n PBSZ\r\n PROT\r\n SIZE\r\n211 End\r\n"

/* Notices received, one a line: "note: ..." or "warning: ...". */
static void notice_collect(void *arg, enum ftp_notice_kind kind, const char *text)
{
	sbuf_printf(arg, "%s: %s\n", kind == FTP_NOTICE_WARNING ? "warning" : "note", text);
}

/* One login against the fake: the handle, the fake, what they said. */
struct run {
	struct ftp *f;
	struct fake *fk;
	struct sbuf trace;  /* trace_collect's lines */
	struct sbuf notes;  /* notice_collect's lines */
};

/* Starts steps on TCP (ftp_connect: a host to check certificates
 * against) and logs in with TLS mode mode, expecting status want. */
static void run_start(struct run *r, const struct fake_step *steps, enum tlsc_mode mode,
		      enum ftp_status want)
{
	int port;
	sbuf_init(&r->trace, 1 << 16);
	sbuf_init(&r->notes, 4096);
	r->fk = fake_start_tcp(steps, false, &port);
	ck_assert_int_gt(port, 0);
	struct tlsc_options o;
	tlsc_options_init(&o);
	o.mode = mode;
	r->f = ftp_new();
	ftp_set_timeout(r->f, TEST_TIMEOUT_MS);
	ftp_set_tls(r->f, &o);
	ftp_set_trace(r->f, trace_collect, &r->trace);
	ftp_set_notice(r->f, notice_collect, &r->notes);
	ck_status(r->f, ftp_connect(r->f, "127.0.0.1", port, NULL, NULL), want);
}

/* Ends the run: QUIT when still connected, the script checked whole. */
static void run_end(struct run *r)
{
	if (ftp_connected(r->f))
		ck_status(r->f, ftp_quit(r->f), FTP_S_OK);
	fake_client_done(r->f, r->fk);
	sbuf_free(&r->trace);
	sbuf_free(&r->notes);
}

/* auto: FEAT before the login lists no AUTH TLS: plain, one note. */
START_TEST(test_auto_not_offered)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 (vsFTPd 3.0.3)\r\n" },
		STEP("FEAT", FEAT_VSFTPD),
		STEP("USER anonymous", "331 Please specify the password.\r\n"),
		STEP("PASS anonymous@", "230 Login successful.\r\n"),
		STEP("FEAT", FEAT_VSFTPD),
		STEP("TYPE I", "200 Switching to Binary mode.\r\n"),
		STEP("PWD", "257 \"/\" is the current directory\r\n"),
		QUIT_STEP,
		END,
	};
	struct run r;
	run_start(&r, steps, TLSC_AUTO, FTP_S_OK);
	const char *notes = sbuf_str(&r.notes);
	ck_assert_msg(strstr(notes, "note: 127.0.0.1:") && strstr(notes, "does not offer TLS"),
		      "%s", notes);
	ck_assert_ptr_null(strchr(strchr(notes, '\n') + 1, '\n'));   /* one line */
	ck_assert(!ftp_tls_info(r.f)->on);
	ck_assert_ptr_null(strstr(sbuf_str(&r.trace), "> AUTH"));
	run_end(&r);
}
END_TEST

/* auto: offered but refused: plain after all, with a note naming the reply. */
START_TEST(test_auto_refused)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Service ready.\r\n" },
		STEP("FEAT", FEAT_TLS),
		STEP("AUTH TLS", "534 Not available right now.\r\n"),
		STEP("USER anonymous", "331 Password.\r\n"),
		STEP("PASS anonymous@", "230 In.\r\n"),
		STEP("FEAT", FEAT_TLS),
		STEP("TYPE I", "200 Binary.\r\n"),
		STEP("PWD", "257 \"/\"\r\n"),
		QUIT_STEP,
		END,
	};
	struct run r;
	run_start(&r, steps, TLSC_AUTO, FTP_S_OK);
	ck_assert_msg(strstr(sbuf_str(&r.notes), "refused AUTH TLS (534 Not available"), "%s",
		      sbuf_str(&r.notes));
	run_end(&r);
}
END_TEST

/* require: AUTH TLS straight after the greeting (no FEAT); a refusal is
 * FTP_S_TLS and the client hangs up without sending its name. */
START_TEST(test_require_refused)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Service ready.\r\n" },
		STEP("AUTH TLS", "500 AUTH not understood.\r\n"),
		END,
	};
	struct run r;
	run_start(&r, steps, TLSC_REQUIRE, FTP_S_TLS);
	ck_assert_msg(strstr(ftp_message(r.f), "TLS is required, but the server refused AUTH TLS"),
		      "%s", ftp_message(r.f));
	ck_assert(!ftp_connected(r.f));
	ck_assert_str_eq(sbuf_str(&r.notes), "");
	run_end(&r);   /* nothing after AUTH TLS reached the fake */
}
END_TEST

/* A reply smuggled in after 234 (sent before TLS) is dropped, not read
 * as the server's answer inside TLS; the handshake then fails against a
 * server that speaks none, with FTP_S_TLS. */
START_TEST(test_bytes_after_234_dropped)
{
	static const struct fake_step steps[] = {
		{ .reply = "220 Service ready.\r\n" },
		{ .expect = "AUTH TLS", .reply = "234 Go ahead.\r\n230 Logged in, no password.\r\n",
		  .act = FAKE_HANGUP },
		END,
	};
	struct run r;
	run_start(&r, steps, TLSC_REQUIRE, FTP_S_TLS);
	ck_assert_msg(strstr(sbuf_str(&r.trace), "# dropped bytes sent after the 234 reply"), "%s",
		      sbuf_str(&r.trace));
	ck_assert_ptr_null(strstr(sbuf_str(&r.trace), "< 230"));
	ck_assert_msg(strstr(ftp_message(r.f), "TLS handshake"), "%s", ftp_message(r.f));
	ck_assert(!ftp_tls_info(r.f)->on);
	run_end(&r);
}
END_TEST

/* Schemes: ftp, ftps and ftpes in any case; nothing else. */
START_TEST(test_schemes)
{
	struct ftp *f = ftp_new();
	ck_assert(ftp_set_scheme(f, "FTPS"));
	ck_assert(ftp_set_scheme(f, "ftpes"));
	ck_assert(ftp_set_scheme(f, "ftp"));
	ck_assert(!ftp_set_scheme(f, "sftp"));
	ck_assert(!ftp_set_scheme(f, "ftpsftpsftps"));
	ck_assert(!ftp_set_scheme(f, NULL));
	ftp_free(f);
}
END_TEST

/* The TLS options are rows of the settings table: set and shown in the
 * words the options take; defaults auto, system CAs, no pin, checked. */
START_TEST(test_settings_rows)
{
	struct ftp_settings s;
	char v[SETTINGS_VALUE_MAX];
	settings_init(&s);
	static const struct { const char *name, *shown; } defaults[] = {
		{ "tls", "auto" }, { "ca-file", "system" }, { "trust-fingerprint", "none" },
		{ "insecure", "off" }, { "tls-max", "any" },
	};
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		ck_assert(settings_show(&s, defaults[i].name, v, sizeof v));
		ck_assert_str_eq(v, defaults[i].shown);
	}
	ck_assert_ptr_null(settings_set(&s, "tls", "require"));
	ck_assert_int_eq(s.tls.mode, TLSC_REQUIRE);
	ck_assert_ptr_null(settings_set(&s, "insecure", "on"));
	ck_assert(s.tls.insecure);
	ck_assert_ptr_null(settings_set(&s, "ca-file", "/etc/ca.pem"));
	ck_assert(settings_show(&s, "ca-file", v, sizeof v));
	ck_assert_str_eq(v, "/etc/ca.pem");
	ck_assert_ptr_null(settings_set(&s, "tls-max", "1.2"));
	ck_assert(settings_show(&s, "tls-max", v, sizeof v));
	ck_assert_str_eq(v, "1.2");
	const char *err = settings_set(&s, "tls", "maybe");
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "--tls must be auto, require or off"), "%s", err);
	ck_assert_int_eq(s.tls.mode, TLSC_REQUIRE);
	ck_assert_ptr_nonnull(settings_set(&s, "trust-fingerprint", "SHA256:00"));
	ck_assert_str_eq(s.tls.fingerprint, "");
	size_t n;
	const struct settings_row *rows = settings_rows(&n);
	size_t tls_rows = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < sizeof defaults / sizeof defaults[0]; j++)
			tls_rows += strcmp(rows[i].name, defaults[j].name) == 0;
	ck_assert_uint_eq(tls_rows, sizeof defaults / sizeof defaults[0]);
}
END_TEST

static Suite *ftp_tls_suite(void)
{
	Suite *s = suite_create("ftp_tls");
	TCase *login = tcase_create("login");
	tcase_set_timeout(login, 20);
	tcase_add_test(login, test_auto_not_offered);
	tcase_add_test(login, test_auto_refused);
	tcase_add_test(login, test_require_refused);
	tcase_add_test(login, test_bytes_after_234_dropped);
	suite_add_tcase(s, login);
	TCase *opts = tcase_create("options");
	tcase_add_test(opts, test_schemes);
	tcase_add_test(opts, test_settings_rows);
	suite_add_tcase(s, opts);
	return s;
}

int main(void)
{
	/* As ferry does: TLS writes with write(2) (see ftp.h). */
	signal(SIGPIPE, SIG_IGN);
	SRunner *sr = srunner_create(ftp_tls_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
