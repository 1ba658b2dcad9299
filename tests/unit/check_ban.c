/* Unit tests for ban (failed logins per address) and report (the channel
 * sessions use to tell the listener about them). */
#include "config.h"

#include "ban.h"
#include "report.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Seconds as the table's milliseconds. */
#define S(x) ((long long)(x) * 1000)

static struct netaddr addr(const char *ip, int port)
{
	struct netaddr a;
	ck_assert_ptr_null(netaddr_parse_ip(ip, port, &a));
	return a;
}

/* Records n failures from ip at time t (s); returns whether the last banned. */
static bool fail_n(struct ban_table *t, const char *ip, int n, long long t_ms)
{
	struct netaddr a = addr(ip, 1000);
	bool banned = false;
	int recent;
	for (int i = 0; i < n; i++)
		banned = ban_failure(t, &a, t_ms, &recent);
	return banned;
}

START_TEST(test_ban_after_n)
{
	struct ban_table *t = ban_new(10, 600, 60);
	struct netaddr a = addr("192.0.2.7", 4000);
	int recent = 0;
	for (int i = 1; i < 10; i++) {
		ck_assert(!ban_failure(t, &a, S(i), &recent));
		ck_assert_int_eq(recent, i);
		ck_assert_int_eq(ban_remaining(t, &a, S(i)), 0);
	}
	ck_assert(ban_failure(t, &a, S(10), &recent));
	ck_assert_int_eq(recent, 10);
	ck_assert_int_eq(ban_remaining(t, &a, S(10)), S(60));
	ck_assert_int_eq(ban_remaining(t, &a, S(69)), S(1));
	ck_assert_int_eq(ban_remaining(t, &a, S(70)), 0);
	ban_free(t);
}
END_TEST

START_TEST(test_port_does_not_matter)
{
	struct ban_table *t = ban_new(2, 600, 60);
	struct netaddr a1 = addr("192.0.2.7", 1), a2 = addr("192.0.2.7", 2);
	struct netaddr mapped = addr("::ffff:192.0.2.7", 3);
	int recent;
	ck_assert(!ban_failure(t, &a1, 0, &recent));
	ck_assert(ban_failure(t, &a2, 0, &recent));
	ck_assert_int_gt(ban_remaining(t, &mapped, 1), 0);
	ck_assert_int_eq(ban_count(t), 1);
	ban_free(t);
}
END_TEST

START_TEST(test_other_addresses_unaffected)
{
	struct ban_table *t = ban_new(3, 600, 60);
	ck_assert(fail_n(t, "192.0.2.7", 3, 0));
	struct netaddr b = addr("192.0.2.8", 1), v6 = addr("2001:db8::7", 1);
	ck_assert_int_eq(ban_remaining(t, &b, 1), 0);
	ck_assert_int_eq(ban_remaining(t, &v6, 1), 0);
	ck_assert(!fail_n(t, "192.0.2.8", 2, 0));
	ck_assert(!fail_n(t, "2001:db8:0:1::8", 2, 0));
	ck_assert(fail_n(t, "2001:db8:0:1::8", 1, 0));
	ck_assert_int_eq(ban_remaining(t, &v6, 1), 0);
	ban_free(t);
}
END_TEST

/* One host on IPv6 usually has a whole /64 to pick addresses from (privacy
 * addresses change by themselves), so failures count per /64 prefix. */
START_TEST(test_ipv6_counts_per_64)
{
	struct ban_table *t = ban_new(3, 600, 60);
	ck_assert(!fail_n(t, "2001:db8:1:2::7", 1, 0));
	ck_assert(!fail_n(t, "2001:db8:1:2:ffff:ffff:ffff:fffe", 1, 0));
	ck_assert(fail_n(t, "2001:db8:1:2:1234::1", 1, 0));
	ck_assert_int_eq(ban_count(t), 1);
	struct netaddr same = addr("2001:db8:1:2:aaaa::5", 21);
	struct netaddr next = addr("2001:db8:1:3::7", 21), prev = addr("2001:db8:1:1::7", 21);
	ck_assert_int_gt(ban_remaining(t, &same, 1), 0);
	ck_assert_int_eq(ban_remaining(t, &next, 1), 0);
	ck_assert_int_eq(ban_remaining(t, &prev, 1), 0);
	/* IPv4 keeps whole addresses, mapped or not. */
	ck_assert(!fail_n(t, "::ffff:192.0.2.7", 2, 0));
	struct netaddr v4 = addr("192.0.2.8", 21);
	ck_assert_int_eq(ban_remaining(t, &v4, 1), 0);
	ban_free(t);
}
END_TEST

/* ban_same_key: what the listener uses to end the sessions of a banned
 * address. */
START_TEST(test_same_key)
{
	struct netaddr a = addr("2001:db8:1:2::7", 1), b = addr("2001:db8:1:2:9::9", 2);
	struct netaddr c = addr("2001:db8:1:3::7", 1), l1 = addr("::1", 1), l2 = addr("::2", 1);
	struct netaddr v4 = addr("192.0.2.7", 1), v4b = addr("192.0.2.8", 1);
	struct netaddr mapped = addr("::ffff:192.0.2.7", 9);
	ck_assert(ban_same_key(&a, &b));
	ck_assert(!ban_same_key(&a, &c));
	ck_assert(ban_same_key(&l1, &l2));
	ck_assert(ban_same_key(&v4, &mapped));
	ck_assert(!ban_same_key(&v4, &v4b));
	ck_assert(!ban_same_key(&l1, &v4));
}
END_TEST

START_TEST(test_window_slides)
{
	struct ban_table *t = ban_new(3, 10, 60);
	struct netaddr a = addr("192.0.2.7", 1);
	int recent;
	ck_assert(!ban_failure(t, &a, S(0), &recent));
	ck_assert(!ban_failure(t, &a, S(5), &recent));
	/* At 10 s the first failure has left the window. */
	ck_assert(!ban_failure(t, &a, S(10), &recent));
	ck_assert_int_eq(recent, 2);
	ck_assert(ban_failure(t, &a, S(14), &recent));
	ck_assert_int_eq(recent, 3);
	ban_free(t);
}
END_TEST

START_TEST(test_count_restarts_after_ban)
{
	struct ban_table *t = ban_new(3, 600, 60);
	struct netaddr a = addr("192.0.2.7", 1);
	int recent;
	ck_assert(fail_n(t, "192.0.2.7", 3, S(0)));
	ck_assert_int_eq(ban_remaining(t, &a, S(61)), 0);
	ck_assert(!ban_failure(t, &a, S(61), &recent));
	ck_assert_int_eq(recent, 1);
	ck_assert(!ban_failure(t, &a, S(62), &recent));
	ck_assert(ban_failure(t, &a, S(63), &recent));
	ban_free(t);
}
END_TEST

START_TEST(test_failures_during_ban_do_not_extend_it)
{
	struct ban_table *t = ban_new(2, 600, 60);
	struct netaddr a = addr("192.0.2.7", 1);
	int recent;
	ck_assert(fail_n(t, "192.0.2.7", 2, S(0)));
	ck_assert(!ban_failure(t, &a, S(30), &recent));
	ck_assert(!ban_failure(t, &a, S(31), &recent));
	ck_assert_int_eq(ban_remaining(t, &a, S(31)), S(29));
	ban_free(t);
}
END_TEST

START_TEST(test_after_one)
{
	struct ban_table *t = ban_new(1, 600, 5);
	ck_assert(fail_n(t, "192.0.2.7", 1, 0));
	ban_free(t);
}
END_TEST

/* The table stays bounded, and making room never forgets a ban while an
 * address without one can go. */
START_TEST(test_table_bounded)
{
	struct ban_table *t = ban_new(2, 600, 600);
	ck_assert(fail_n(t, "10.9.9.9", 2, S(0)));
	char ip[32];
	for (int i = 0; i < BAN_TABLE_MAX + 500; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		fail_n(t, ip, 1, S(1) + i);
		ck_assert_int_le(ban_count(t), BAN_TABLE_MAX);
	}
	struct netaddr banned = addr("10.9.9.9", 1);
	ck_assert_int_gt(ban_remaining(t, &banned, S(10)), 0);
	/* The most recent addresses are still counted. */
	ck_assert(fail_n(t, ip, 1, S(20)));
	ban_free(t);
}
END_TEST

/* Old, quiet addresses are forgotten first when the table is full. */
START_TEST(test_table_forgets_expired_first)
{
	struct ban_table *t = ban_new(2, 10, 600);
	char ip[32];
	for (int i = 0; i < BAN_TABLE_MAX; i++) {
		snprintf(ip, sizeof ip, "10.0.%d.%d", (i >> 8) & 255, i & 255);
		fail_n(t, ip, 1, S(0));
	}
	ck_assert_int_eq(ban_count(t), BAN_TABLE_MAX);
	/* All those failures have left the window by now. */
	ck_assert(!fail_n(t, "192.0.2.1", 1, S(100)));
	ck_assert_int_eq(ban_count(t), 1);
	ban_free(t);
}
END_TEST

/* A message from a child arrives whole, with the child's pid. */
START_TEST(test_report_carries_sender_pid)
{
	int fds[2];
	ck_assert_int_eq(report_open(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		report_attach(fds[1]);
		bool ok = report_send(REPORT_LOGIN_FAILED, NULL, 0) &&
			  report_send(REPORT_LOGIN_OK, "payload", 7);
		_exit(ok ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct report_msg m;
	pid_t from = 0;
	ck_assert_int_eq(report_recv(fds[0], &m, &from), 1);
	ck_assert_int_eq(from, pid);
	ck_assert_int_eq(m.kind, REPORT_LOGIN_FAILED);
	ck_assert_int_eq(m.len, 0);
	ck_assert_int_eq(report_recv(fds[0], &m, &from), 1);
	ck_assert_int_eq(m.kind, REPORT_LOGIN_OK);
	ck_assert_int_eq(m.len, 7);
	ck_assert_mem_eq(m.payload, "payload", 7);
	ck_assert_int_eq(report_recv(fds[0], &m, &from), 0);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* Datagrams that are not whole messages are skipped; a process that is
 * not attached sends nothing. */
START_TEST(test_report_skips_malformed)
{
	int fds[2];
	ck_assert_int_eq(report_open(fds), 0);
	ck_assert(!report_send(REPORT_LOGIN_FAILED, NULL, 0));   /* not attached */
	static const unsigned char shorty[] = { 1 };
	static const unsigned char wrong_len[] = { 1, 0, 9, 0, 'x' };
	ck_assert_int_eq(send(fds[1], shorty, sizeof shorty, 0), (ssize_t)sizeof shorty);
	ck_assert_int_eq(send(fds[1], wrong_len, sizeof wrong_len, 0), (ssize_t)sizeof wrong_len);
	report_attach(fds[1]);
	ck_assert(report_send(REPORT_LOGIN_OK, NULL, 0));
	ck_assert(!report_send(REPORT_LOGIN_OK, "x", REPORT_PAYLOAD_MAX + 1));
	report_attach(-1);
	struct report_msg m;
	pid_t from;
	ck_assert_int_eq(report_recv(fds[0], &m, &from), 1);
	ck_assert_int_eq(m.kind, REPORT_LOGIN_OK);
	ck_assert_int_eq(from, getpid());
	ck_assert_int_eq(report_recv(fds[0], &m, &from), 0);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

static Suite *ban_suite(void)
{
	Suite *s = suite_create("ban");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_ban_after_n);
	tcase_add_test(core, test_port_does_not_matter);
	tcase_add_test(core, test_other_addresses_unaffected);
	tcase_add_test(core, test_ipv6_counts_per_64);
	tcase_add_test(core, test_same_key);
	tcase_add_test(core, test_window_slides);
	tcase_add_test(core, test_count_restarts_after_ban);
	tcase_add_test(core, test_failures_during_ban_do_not_extend_it);
	tcase_add_test(core, test_after_one);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_table_bounded);
	tcase_add_test(limits, test_table_forgets_expired_first);
	tcase_set_timeout(limits, 60);
	suite_add_tcase(s, limits);

	TCase *report = tcase_create("report");
	tcase_add_test(report, test_report_carries_sender_pid);
	tcase_add_test(report, test_report_skips_malformed);
	suite_add_tcase(s, report);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ban_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
