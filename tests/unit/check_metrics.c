/* Unit tests for metrics (counting reports, the exposition text, the
 * endpoint's handling of scrapers) and xferlog (the line format). */
#include "config.h"

#include "metrics.h"
#include "xferlog.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct report_msg transfer_msg(int cmd, int result, uint64_t bytes)
{
	struct report_msg m = { .kind = REPORT_TRANSFER, .len = sizeof(struct report_transfer) };
	struct report_transfer t = { .cmd = (uint8_t)cmd, .result = (uint8_t)result, .bytes = bytes };
	memcpy(m.payload, &t, sizeof t);
	return m;
}

/* The value of one sample line "name{labels} value" in text, or -1. */
static long long sample(const char *text, const char *series)
{
	char key[256];
	snprintf(key, sizeof key, "\n%s ", series);
	const char *p = strstr(text, key);
	return p ? atoll(p + strlen(key)) : -1;
}

START_TEST(test_counts_and_renders)
{
	struct metrics_counters c = { .sessions_total = 7, .logins_ok = 5, .logins_failed = 2 };
	c.refused[REFUSED_PROXY] = 3;
	struct report_msg m = transfer_msg(RX_STOR, RX_OK, 1000);
	metrics_count_report(&c, &m);
	m = transfer_msg(RX_RETR, RX_ABORTED, 300);
	metrics_count_report(&c, &m);
	m = transfer_msg(RX_MLSD, RX_OK, 44);
	metrics_count_report(&c, &m);
	m = transfer_msg(RX_APPE, RX_DISCARDED, 5);
	metrics_count_report(&c, &m);
	struct report_msg dc = { .kind = REPORT_DATACONN_FAIL, .len = 1, .payload = { RD_WRONG_PEER } };
	metrics_count_report(&c, &dc);
	struct report_msg tls = { .kind = REPORT_TLS, .len = 1, .payload = { 1 } };
	metrics_count_report(&c, &tls);
	/* Malformed reports change nothing. */
	m = transfer_msg(RX_CMDS, RX_OK, 1);
	metrics_count_report(&c, &m);
	m = transfer_msg(RX_RETR, RX_RESULTS, 1);
	metrics_count_report(&c, &m);
	m.len = 3;
	metrics_count_report(&c, &m);
	struct report_msg baddc = { .kind = REPORT_DATACONN_FAIL, .len = 1, .payload = { RD_REASONS } };
	metrics_count_report(&c, &baddc);

	struct metrics_now now = { .sessions = 2, .banned = 1 };
	struct sbuf out;
	sbuf_init(&out, 1 << 16);
	sbuf_puts(&out, "\n");
	metrics_render(&c, &now, &out);
	const char *t = sbuf_str(&out);
	ck_assert_int_eq(sample(t, "ferryd_sessions"), 2);
	ck_assert_int_eq(sample(t, "ferryd_sessions_total"), 7);
	ck_assert_int_eq(sample(t, "ferryd_banned_addresses"), 1);
	ck_assert_int_eq(sample(t, "ferryd_logins_total{result=\"ok\"}"), 5);
	ck_assert_int_eq(sample(t, "ferryd_logins_total{result=\"failed\"}"), 2);
	ck_assert_int_eq(sample(t, "ferryd_refused_total{reason=\"proxy\"}"), 3);
	ck_assert_int_eq(sample(t, "ferryd_transfer_bytes_total{direction=\"in\"}"), 1005);
	ck_assert_int_eq(sample(t, "ferryd_transfer_bytes_total{direction=\"out\"}"), 344);
	ck_assert_int_eq(sample(t, "ferryd_transfers_total{command=\"STOR\",result=\"ok\"}"), 1);
	ck_assert_int_eq(sample(t, "ferryd_transfers_total{command=\"RETR\",result=\"aborted\"}"), 1);
	ck_assert_int_eq(sample(t, "ferryd_transfers_total{command=\"RETR\",result=\"ok\"}"), 0);
	ck_assert_int_eq(sample(t, "ferryd_transfers_total{command=\"APPE\",result=\"discarded\"}"), 1);
	ck_assert_int_eq(sample(t, "ferryd_data_connection_failures_total{reason=\"wrong_peer\"}"), 1);
	ck_assert_int_eq(sample(t, "ferryd_tls_handshakes_total{result=\"ok\"}"), 1);
	ck_assert_int_eq(sample(t, "ferryd_tls_handshakes_total{result=\"failed\"}"), 0);
	ck_assert_int_eq(sample(t, "ferryd_reloads_total{result=\"ok\"}"), 0);
	ck_assert_int_eq(sample(t, "ferryd_reloads_total{result=\"failed\"}"), 0);
	/* Every sample's metric has its TYPE line before it. */
	for (const char *line = t + 1; *line; line = strchr(line, '\n') + 1) {
		if (line[0] != '#') {
			char name[128];
			size_t k = strcspn(line, "{ ");
			snprintf(name, sizeof name, "# TYPE %.*s ", (int)k, line);
			ck_assert_msg(strstr(t, name) && strstr(t, name) < line, "no TYPE for %.*s",
				      (int)k, line);
		}
		if (strchr(line, '\n') == NULL)
			break;
	}
	sbuf_free(&out);
}
END_TEST

/* The endpoint, driven by hand: poll results faked as "ready". */
struct endpoint {
	struct metrics_http *m;
	int port;
	int renders;
};

static void render(void *ctx, struct sbuf *out)
{
	struct endpoint *e = ctx;
	e->renders++;
	sbuf_puts(out, "ferryd_sessions 0\n");
}

static void endpoint_start(struct endpoint *e)
{
	struct netaddr a;
	ck_assert_ptr_null(netaddr_parse_ip("127.0.0.1", 0, &a));
	int fd = metrics_listen(&a);
	ck_assert_int_ge(fd, 0);
	struct netaddr bound;
	bound.len = sizeof bound.ss;
	getsockname(fd, (struct sockaddr *)&bound.ss, &bound.len);
	e->port = netaddr_port(&bound);
	e->m = metrics_http_new(fd);
	e->renders = 0;
}

/* One pass of the loop at now_ms, with a real poll (no waiting). */
static void endpoint_step(struct endpoint *e, long long now_ms)
{
	struct pollfd p[1 + METRICS_CLIENTS];
	int n = metrics_http_pollfds(e->m, p);
	poll(p, (nfds_t)n, 50);
	metrics_http_step(e->m, p, n, now_ms, render, e);
}

static int scraper(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(0x7F000001);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

/* Reads what the endpoint sent until it closed (bounded by steps). */
static void response(struct endpoint *e, int fd, long long now, char *out, size_t outsz)
{
	size_t n = 0;
	for (int i = 0; i < 40; i++) {
		endpoint_step(e, now);
		ssize_t k = recv(fd, out + n, outsz - 1 - n, MSG_DONTWAIT);
		if (k == 0)
			break;
		if (k > 0)
			n += (size_t)k;
	}
	out[n] = '\0';
}

START_TEST(test_endpoint_answers_and_refuses)
{
	struct endpoint e;
	endpoint_start(&e);
	char buf[4096];
	/* A silent scraper holds a slot; others are served meanwhile. */
	int silent = scraper(e.port);
	endpoint_step(&e, 0);
	int fd = scraper(e.port);
	ck_assert_int_eq(send(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 35, 0), 35);
	response(&e, fd, 100, buf, sizeof buf);
	ck_assert_msg(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17) == 0, "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n\r\nferryd_sessions 0\n"));
	close(fd);
	fd = scraper(e.port);
	ck_assert_int_eq(send(fd, "GET /other HTTP/1.0\r\n\r\n", 23, 0), 23);
	response(&e, fd, 200, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "404"));
	close(fd);
	fd = scraper(e.port);
	ck_assert_int_eq(send(fd, "POST /metrics HTTP/1.0\r\n\r\n", 26, 0), 26);
	response(&e, fd, 300, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "400"));
	close(fd);
	/* A head longer than 4 KiB is refused without waiting for its end. */
	fd = scraper(e.port);
	char big[METRICS_REQUEST_MAX + 100];
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
	ck_assert_int_eq(send(fd, big, sizeof big, 0), (ssize_t)sizeof big);
	response(&e, fd, 400, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "400"));
	close(fd);
	ck_assert_int_eq(e.renders, 1);
	/* The silent one is dropped at its deadline, not before. */
	char c;
	endpoint_step(&e, METRICS_TIMEOUT_MS - 1);
	ck_assert_int_eq(recv(silent, &c, 1, MSG_DONTWAIT), -1);
	endpoint_step(&e, METRICS_TIMEOUT_MS);
	ck_assert_int_eq(recv(silent, &c, 1, MSG_DONTWAIT), 0);
	ck_assert_int_eq(metrics_http_deadline(e.m), -1);
	close(silent);
	metrics_http_free(e.m);
}
END_TEST

START_TEST(test_xferlog_line)
{
	setenv("TZ", "UTC", 1);
	tzset();
	struct xferlog_entry e = {
		.when = 1796057112,    /* 2026-11-30 16:45:12 UTC */
		.seconds = 0, .host = "192.0.2.7", .bytes = 1048576,
		.path = "/pub/r\xc3\xa9sum\xc3\xa9 2026.txt", .ascii = false, .direction = 'i',
		.anonymous = false, .user = "alice", .complete = true,
	};
	char line[XFERLOG_LINE_MAX];
	size_t n = xferlog_format(&e, line, sizeof line);
	ck_assert_str_eq(line, "Mon Nov 30 16:45:12 2026 1 192.0.2.7 1048576 "
			       "/pub/r\xc3\xa9sum\xc3\xa9_2026.txt b _ i r alice ftp 0 * c\n");
	ck_assert_uint_eq(n, strlen(line));
	/* A day below 10 is padded with a space, as ctime does; control bytes
	 * and spaces in the name and the anonymous password become '_'. */
	e.when = 1775192400;   /* 2026-04-03 05:00:00 UTC */
	e.seconds = 3;
	e.path = "/a\tb\r\nc d";
	e.anonymous = true;
	e.user = "me @home";
	e.ascii = true;
	e.direction = 'o';
	e.complete = false;
	xferlog_format(&e, line, sizeof line);
	ck_assert_str_eq(line, "Fri Apr  3 05:00:00 2026 3 192.0.2.7 1048576 /a_b__c_d a _ o a "
			       "me_@home ftp 0 * i\n");
	/* An empty anonymous password still leaves 18 fields. */
	e.user = "";
	xferlog_format(&e, line, sizeof line);
	int fields = 0;
	for (char *p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
		fields++;
	ck_assert_int_eq(fields, 18);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_counts_and_renders);
	tcase_add_test(core, test_xferlog_line);
	suite_add_tcase(s, core);
	TCase *http = tcase_create("endpoint");
	tcase_add_test(http, test_endpoint_answers_and_refuses);
	suite_add_tcase(s, http);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
