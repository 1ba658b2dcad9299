/* Unit tests for a worker's line to the screen while its engine needs the
 * user (worker_conn.c), over real pipes as the screen uses them: the
 * certificate question goes up with the certificate and an id; the
 * worker waits for the answer with that id, dropping a late answer to
 * an earlier question and keeping every other message, in order, for
 * later; a message the worker names (a cancel) ends the wait as a
 * refusal, and so does the screen closing its pipe; a handle made from
 * a login takes its scheme and the command line's settings. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "settings.h"
#include "sysio.h"
#include "worker_conn.h"

/* The pipes of one test: the screen writes to down[1], reads up[0]. */
static int down[2], up[2];
static struct wire_reader in_reader, screen_reader;
static struct wire_writer out;
static struct worker_conn k;

static void setup(void)
{
	ck_assert_int_eq(pipe(down), 0);
	ck_assert_int_eq(pipe(up), 0);
	memset(&in_reader, 0, sizeof in_reader);
	memset(&screen_reader, 0, sizeof screen_reader);
	memset(&out, 0, sizeof out);
	out.fd = up[1];
	worker_conn_init(&k, down[0], &in_reader, &out);
}

static void teardown(void)
{
	worker_conn_close(&k);
	close(down[0]);
	if (down[1] >= 0)
		close(down[1]);
	close(up[0]);
	close(up[1]);
}

/* The screen sends a message of type and id (an answer when type is WIRE_ANSWER). */
static void screen_send(enum wire_type type, uint32_t id, enum ftp_cert_answer answer)
{
	struct wire_msg m;
	wire_init(&m, type, id);
	if (type == WIRE_ANSWER)
		m.answer.answer = (uint8_t)answer;
	if (type == WIRE_LIST)
		wire_set_str(m.request.path, "/pub");
	ck_assert_int_eq(wire_send(down[1], &m), 0);
}

/* The next message the worker sent to the screen. */
static const struct wire_msg *screen_take(void)
{
	static struct wire_msg m;
	int rc;
	while ((rc = wire_take(&screen_reader, &m)) == 0)
		ck_assert_int_gt(wire_fill(up[0], &screen_reader), 0);
	ck_assert_int_eq(rc, 1);
	return &m;
}

/* A certificate as the engine describes it. */
static const struct tlsc_cert cert = {
	.subject = "CN=localhost, O=ferry tests",
	.issuer = "CN=localhost, O=ferry tests",
	.not_before = "2026-01-01 00:00:00 UTC",
	.not_after = "2027-01-01 00:00:00 UTC",
	.fingerprint = "SHA256:AB:CD",
	.reason = "the certificate is self-signed",
};

START_TEST(test_answer_and_kept_messages)
{
	struct wire_msg m;
	/* What the screen sent before the answer came. */
	screen_send(WIRE_LIST, 5, 0);
	screen_send(WIRE_ANSWER, 9, FTP_CERT_ACCEPT_ONCE);   /* late: another question's */
	screen_send(WIRE_CANCEL, 7, 0);
	screen_send(WIRE_ANSWER, 1, FTP_CERT_ACCEPT_ALWAYS);
	screen_send(WIRE_MKDIR, 6, 0);
	ck_assert_int_eq(worker_conn_ask(&k, "127.0.0.1:2121", &cert), FTP_CERT_ACCEPT_ALWAYS);
	const struct wire_msg *q = screen_take();
	ck_assert_int_eq(q->type, WIRE_CERT);
	ck_assert_uint_eq(q->id, 1);
	ck_assert_str_eq(q->tls.server, "127.0.0.1:2121");
	ck_assert_str_eq(q->tls.cert.fingerprint, "SHA256:AB:CD");
	ck_assert_str_eq(q->tls.cert.reason, "the certificate is self-signed");
	ck_assert(q->tls.have_cert && !q->tls.on);
	/* Kept in order; the late answer is gone; what followed the answer waits in the pipe. */
	ck_assert_int_eq(worker_conn_next(&k, &m), 1);
	ck_assert_int_eq(m.type, WIRE_LIST);
	ck_assert_str_eq(m.request.path, "/pub");
	ck_assert_int_eq(worker_conn_next(&k, &m), 1);
	ck_assert_int_eq(m.type, WIRE_CANCEL);
	ck_assert_uint_eq(m.id, 7);
	ck_assert_int_eq(worker_conn_next(&k, &m), 1);
	ck_assert_int_eq(m.type, WIRE_MKDIR);
	ck_assert_int_eq(worker_conn_next(&k, &m), 0);
	/* The next question has the next id; an answer to the first does not count. */
	screen_send(WIRE_ANSWER, 1, FTP_CERT_ACCEPT_ALWAYS);
	screen_send(WIRE_ANSWER, 2, FTP_CERT_REJECT);
	ck_assert_int_eq(worker_conn_ask(&k, "127.0.0.1:2121", &cert), FTP_CERT_REJECT);
	ck_assert_uint_eq(screen_take()->id, 2);
}
END_TEST

/* Stops the wait for a cancel of job 7. */
static bool stops_on_cancel(void *arg, const struct wire_msg *m)
{
	*(int *)arg += 1;
	return m->type == WIRE_CANCEL && m->id == 7;
}

START_TEST(test_cancel_ends_the_wait)
{
	struct wire_msg m;
	int seen = 0;
	k.stops = stops_on_cancel;
	k.arg = &seen;
	screen_send(WIRE_LIST, 5, 0);
	screen_send(WIRE_CANCEL, 7, 0);
	ck_assert_int_eq(worker_conn_ask(&k, "h:21", &cert), FTP_CERT_REJECT);
	ck_assert_int_eq(seen, 2);
	ck_assert_int_eq(worker_conn_next(&k, &m), 1);
	ck_assert_int_eq(m.type, WIRE_LIST);
	ck_assert_int_eq(worker_conn_next(&k, &m), 0);
	ck_assert(!k.closed);
}
END_TEST

START_TEST(test_screen_gone)
{
	close(down[1]);
	down[1] = -1;
	ck_assert_int_eq(worker_conn_ask(&k, "h:21", &cert), FTP_CERT_REJECT);
	ck_assert(k.closed);
	/* Asked again: refused at once, nothing sent. */
	ck_assert_int_eq(worker_conn_ask(&k, "h:21", &cert), FTP_CERT_REJECT);
	ck_assert_uint_eq(k.asked, 1);
}
END_TEST

/* A handle made from a login takes its scheme and the command line's
 * settings: ftps:// opens with a TLS ClientHello, and --timeout 1 ends a
 * connection the server never answers after a second, not thirty. */
START_TEST(test_open_applies_the_login)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	struct ftp_settings s;
	settings_init(&s);
	ck_assert_ptr_null(settings_set(&s, "timeout", "1"));
	struct worker_login l = { .host = "127.0.0.1", .port = ntohs(sa.sin_port), .scheme = "ftps",
				  .settings = &s, .tls = TLSC_AUTO };
	worker_conn_open(&k, &l);
	ck_assert_ptr_nonnull(k.ftp);
	long long t0 = sysio_now_ms();
	enum ftp_status st = ftp_connect(k.ftp, l.host, l.port, NULL, NULL);
	long long took = sysio_now_ms() - t0;
	ck_assert_int_ne(st, FTP_S_OK);
	ck_assert_msg(took < 10000, "the connect took %lld ms: not --timeout 1", took);
	int cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	unsigned char first = 0;
	ck_assert_int_eq(read(cfd, &first, 1), 1);
	ck_assert_uint_eq(first, 0x16);   /* a TLS handshake record: implicit TLS */
	close(cfd);
	close(lfd);
	/* What the engine knows of TLS goes up as WIRE_TLS, after the lines
	 * of the protocol trace (WIRE_TRACE, for the log view) sent so far. */
	worker_conn_tell_tls(&k);
	const struct wire_msg *t;
	while ((t = screen_take())->type == WIRE_TRACE)
		ck_assert(t->notice.kind <= FTP_TRACE_INFO);
	ck_assert_int_eq(t->type, WIRE_TLS);
	ck_assert(!t->tls.on);
}
END_TEST

static Suite *conn_suite(void)
{
	Suite *s = suite_create("tui_conn");
	TCase *core = tcase_create("core");
	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, test_answer_and_kept_messages);
	tcase_add_test(core, test_cancel_ends_the_wait);
	tcase_add_test(core, test_screen_gone);
	tcase_add_test(core, test_open_applies_the_login);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conn_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
