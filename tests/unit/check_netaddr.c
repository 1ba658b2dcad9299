/* Unit tests for netaddr: PORT/PASV, EPRT/EPSV and ADDR[:PORT] forms. */
#include "config.h"

#include "netaddr.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

/* Asserts that a holds family, address text and port. */
static void expect_addr(const struct netaddr *a, int family, const char *host, int port)
{
	char buf[NETADDR_STRLEN];

	ck_assert_int_eq(a->ss.ss_family, family);
	ck_assert_uint_eq(a->len, family == AF_INET ? sizeof(struct sockaddr_in)
						   : sizeof(struct sockaddr_in6));
	netaddr_ntop(a, false, buf, sizeof buf);
	ck_assert_str_eq(buf, host);
	ck_assert_int_eq(netaddr_port(a), port);
}

/* Builds an address that must parse. */
static struct netaddr addr(const char *ip, int port)
{
	struct netaddr a;
	ck_assert_ptr_null(netaddr_parse_ip(ip, port, &a));
	return a;
}

/* A decoder input and the result: host NULL means it must be refused. */
struct decode_case {
	const char *in;
	int family;
	const char *host;
	int port;
};

/* Checks one decoder result against a case. */
static void check_decoded(const struct decode_case *c, const char *err, const struct netaddr *a)
{
	if (c->host == NULL) {
		ck_assert_msg(err != NULL, "\"%s\" was accepted", c->in);
		ck_assert_uint_gt(strlen(err), 0);
	} else {
		ck_assert_msg(err == NULL, "\"%s\" refused: %s", c->in, err);
		expect_addr(a, c->family, c->host, c->port);
	}
}

static const struct decode_case port_cases[] = {
	{ "127,0,0,1,4,1", AF_INET, "127.0.0.1", 1025 },
	{ "192,168,1,2,0,21", AF_INET, "192.168.1.2", 21 },
	{ "10,0,0,5,195,80", AF_INET, "10.0.0.5", 50000 },
	{ "255,255,255,255,255,255", AF_INET, "255.255.255.255", 65535 },
	{ "0,0,0,0,0,0", AF_INET, "0.0.0.0", 0 },
	/* Spaces around the numbers are tolerated. */
	{ " 127, 0, 0, 1, 4, 1", AF_INET, "127.0.0.1", 1025 },
	{ "127 ,0 ,0 ,1 ,4 ,1 ", AF_INET, "127.0.0.1", 1025 },
	{ "007,000,000,001,004,001", AF_INET, "7.0.0.1", 1025 },
	/* Out of range. */
	{ "256,0,0,1,4,1", 0, NULL, 0 },
	{ "127,0,0,1,4,256", 0, NULL, 0 },
	{ "127,0,0,1,999,1", 0, NULL, 0 },
	{ "1270,0,0,1,4,1", 0, NULL, 0 },
	{ "127,0,0,1,4,0001", 0, NULL, 0 },
	/* Wrong count. */
	{ "127,0,0,1,4", 0, NULL, 0 },
	{ "127,0,0,1", 0, NULL, 0 },
	{ "127,0,0,1,4,1,7", 0, NULL, 0 },
	{ "127,0,0,1,4,", 0, NULL, 0 },
	{ "127,,0,1,4,1", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	/* Not numbers, or junk after them. */
	{ "a,b,c,d,e,f", 0, NULL, 0 },
	{ "-1,0,0,1,4,1", 0, NULL, 0 },
	{ "127,0,0,1,4,1x", 0, NULL, 0 },
	{ "127,0,0,1,4,1)", 0, NULL, 0 },
	{ "127.0.0.1,4,1", 0, NULL, 0 },
	{ "127,0,0,1,4,1\r", 0, NULL, 0 },
};

START_TEST(test_decode_port)
{
	struct netaddr a;
	const char *err = netaddr_decode_port(port_cases[_i].in, &a);
	check_decoded(&port_cases[_i], err, &a);
}
END_TEST

START_TEST(test_encode_port)
{
	struct sbuf b;
	sbuf_init(&b, 256);

	struct netaddr a = addr("127.0.0.1", 1025);
	ck_assert(netaddr_encode_port(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "127,0,0,1,4,1");

	sbuf_reset(&b);
	a = addr("10.1.2.3", 65535);
	ck_assert(netaddr_encode_port(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "10,1,2,3,255,255");

	/* An IPv4-mapped IPv6 address is encoded as its IPv4 form. */
	sbuf_reset(&b);
	a = addr("::ffff:192.168.0.9", 21);
	ck_assert(netaddr_encode_port(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "192,168,0,9,0,21");

	/* Real IPv6 cannot be said with PORT: refused, buffer unchanged. */
	sbuf_reset(&b);
	a = addr("::1", 21);
	ck_assert(!netaddr_encode_port(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "");

	/* What is encoded decodes back to the same address. */
	sbuf_reset(&b);
	a = addr("172.16.254.1", 40001);
	ck_assert(netaddr_encode_port(&a, &b));
	struct netaddr back;
	ck_assert_ptr_null(netaddr_decode_port(sbuf_str(&b), &back));
	expect_addr(&back, AF_INET, "172.16.254.1", 40001);
	sbuf_free(&b);
}
END_TEST

static const struct decode_case eprt_cases[] = {
	{ "|1|127.0.0.1|2000|", AF_INET, "127.0.0.1", 2000 },
	{ "|2|::1|2000|", AF_INET6, "::1", 2000 },
	{ "|2|fe80::1:2|65535|", AF_INET6, "fe80::1:2", 65535 },
	{ "|1|10.0.0.1|1|", AF_INET, "10.0.0.1", 1 },
	/* Any delimiter from 33 to 126. */
	{ "!1!10.0.0.1!21!", AF_INET, "10.0.0.1", 21 },
	{ "#2#2001:db8::7#8080#", AF_INET6, "2001:db8::7", 8080 },
	{ "x1x1.2.3.4x99x", AF_INET, "1.2.3.4", 99 },
	/* Unknown protocol numbers. */
	{ "|3|127.0.0.1|2000|", 0, NULL, 0 },
	{ "|0|127.0.0.1|2000|", 0, NULL, 0 },
	{ "||127.0.0.1|2000|", 0, NULL, 0 },
	{ "|12|127.0.0.1|2000|", 0, NULL, 0 },
	/* Protocol and address disagree. */
	{ "|1|::1|2000|", 0, NULL, 0 },
	{ "|2|127.0.0.1|2000|", 0, NULL, 0 },
	/* Port out of range or not a number. */
	{ "|1|127.0.0.1|0|", 0, NULL, 0 },
	{ "|1|127.0.0.1|70000|", 0, NULL, 0 },
	{ "|1|127.0.0.1|65536|", 0, NULL, 0 },
	{ "|1|127.0.0.1||", 0, NULL, 0 },
	{ "|1|127.0.0.1|abc|", 0, NULL, 0 },
	{ "|1|127.0.0.1|-5|", 0, NULL, 0 },
	{ "|1|127.0.0.1| 21|", 0, NULL, 0 },
	/* Bad addresses. */
	{ "|1|localhost|21|", 0, NULL, 0 },
	{ "|1|127.0.0|21|", 0, NULL, 0 },
	{ "|1||21|", 0, NULL, 0 },
	/* Broken framing. */
	{ "|1|127.0.0.1|2000", 0, NULL, 0 },
	{ "|1|127.0.0.1|2000|x", 0, NULL, 0 },
	{ "|1|127.0.0.1|2000||", 0, NULL, 0 },
	{ "|1|127.0.0.1!2000!", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ " 1 127.0.0.1 21 ", 0, NULL, 0 },
	{ "\x7f" "1\x7f" "127.0.0.1\x7f" "21\x7f", 0, NULL, 0 },
	{ "|", 0, NULL, 0 },
};

START_TEST(test_decode_eprt)
{
	struct netaddr a;
	const char *err = netaddr_decode_eprt(eprt_cases[_i].in, &a);
	check_decoded(&eprt_cases[_i], err, &a);
}
END_TEST

START_TEST(test_encode_eprt)
{
	struct sbuf b;
	struct netaddr a, back;
	sbuf_init(&b, 256);

	a = addr("127.0.0.1", 2000);
	ck_assert(netaddr_encode_eprt(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "|1|127.0.0.1|2000|");
	ck_assert_ptr_null(netaddr_decode_eprt(sbuf_str(&b), &back));
	ck_assert(netaddr_same_host(&a, &back));
	ck_assert_int_eq(netaddr_port(&back), 2000);

	sbuf_reset(&b);
	a = addr("::1", 2000);
	ck_assert(netaddr_encode_eprt(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "|2|::1|2000|");
	ck_assert_ptr_null(netaddr_decode_eprt(sbuf_str(&b), &back));
	expect_addr(&back, AF_INET6, "::1", 2000);

	sbuf_reset(&b);
	a = addr("2001:db8::1", 65535);
	ck_assert(netaddr_encode_eprt(&a, &b));
	ck_assert_str_eq(sbuf_str(&b), "|2|2001:db8::1|65535|");
	sbuf_free(&b);
}
END_TEST

static const struct decode_case pasv_cases[] = {
	{ "Entering Passive Mode (127,0,0,1,4,1)", AF_INET, "127.0.0.1", 1025 },
	{ "Entering Passive Mode (127,0,0,1,4,1).", AF_INET, "127.0.0.1", 1025 },
	{ "=127,0,0,1,4,1", AF_INET, "127.0.0.1", 1025 },
	{ "Entering Passive Mode 127,0,0,1,4,1", AF_INET, "127.0.0.1", 1025 },
	{ "127,0,0,1,4,1", AF_INET, "127.0.0.1", 1025 },
	{ "Entering Passive Mode (10,0,0,5,195,80) timeout 30s", AF_INET, "10.0.0.5", 50000 },
	{ "(127, 0, 0, 1, 4, 1)", AF_INET, "127.0.0.1", 1025 },
	{ "227 Entering Passive Mode (192,168,0,1,200,9)", AF_INET, "192.168.0.1", 51209 },
	{ "Mode 1,2 then (127,0,0,1,4,1)", AF_INET, "127.0.0.1", 1025 },
	{ "Entering Passive Mode", 0, NULL, 0 },
	{ "Entering Passive Mode (127,0,0,1,4)", 0, NULL, 0 },
	{ "Entering Passive Mode (127,0,0,1,4,256)", 0, NULL, 0 },
	{ "Entering Passive Mode (300,0,0,1,4,1)", 0, NULL, 0 },
	{ "(a,b,c,d,e,f)", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
};

START_TEST(test_decode_pasv_reply)
{
	struct netaddr a;
	const char *err = netaddr_decode_pasv_reply(pasv_cases[_i].in, &a);
	check_decoded(&pasv_cases[_i], err, &a);
}
END_TEST

static const struct {
	const char *in;
	int port;   /* 0: must be refused */
} epsv_cases[] = {
	{ "Entering Extended Passive Mode (|||6446|)", 6446 },
	{ "(|||6446|)", 6446 },
	{ "Entering Extended Passive Mode (!!!6446!)", 6446 },
	{ "(###1#) ok", 1 },
	{ "(|||65535|)", 65535 },
	{ "no parentheses |||6446|", 0 },
	{ "(||6446|)", 0 },
	{ "(|!|6446|)", 0 },
	{ "(|||0|)", 0 },
	{ "(|||65536|)", 0 },
	{ "(|||1234567|)", 0 },
	{ "(|||6446)", 0 },
	{ "(|||6446!)", 0 },
	{ "(|||6446|", 0 },
	{ "(||||)", 0 },
	{ "(|||abc|)", 0 },
	{ "(|||-1|)", 0 },
	{ "(", 0 },
	{ "(|", 0 },
	{ "(||", 0 },
	{ "(   6446 )", 0 },
	{ "", 0 },
};

START_TEST(test_decode_epsv_reply)
{
	int port = -7;
	const char *err = netaddr_decode_epsv_reply(epsv_cases[_i].in, &port);
	if (epsv_cases[_i].port == 0) {
		ck_assert_msg(err != NULL, "\"%s\" was accepted", epsv_cases[_i].in);
		ck_assert_int_eq(port, -7);
	} else {
		ck_assert_msg(err == NULL, "\"%s\" refused: %s", epsv_cases[_i].in, err);
		ck_assert_int_eq(port, epsv_cases[_i].port);
	}
}
END_TEST

static const struct decode_case hostport_cases[] = {
	{ "127.0.0.1", AF_INET, "127.0.0.1", 21 },
	{ "127.0.0.1:2121", AF_INET, "127.0.0.1", 2121 },
	{ "0.0.0.0:0", AF_INET, "0.0.0.0", 0 },
	{ "10.0.0.1:65535", AF_INET, "10.0.0.1", 65535 },
	{ "[::1]:21", AF_INET6, "::1", 21 },
	{ "[::1]:2121", AF_INET6, "::1", 2121 },
	{ "[::1]", AF_INET6, "::1", 21 },
	{ "::1", AF_INET6, "::1", 21 },
	{ "::", AF_INET6, "::", 21 },
	{ "fe80::1:2:3", AF_INET6, "fe80::1:2:3", 21 },
	{ "[2001:db8::5]:990", AF_INET6, "2001:db8::5", 990 },
	{ "127.0.0.1:70000", 0, NULL, 0 },
	{ "127.0.0.1:65536", 0, NULL, 0 },
	{ "127.0.0.1:123456", 0, NULL, 0 },
	{ "127.0.0.1:", 0, NULL, 0 },
	{ "127.0.0.1:x", 0, NULL, 0 },
	{ "127.0.0.1:-1", 0, NULL, 0 },
	{ "127.0.0.1:21 ", 0, NULL, 0 },
	{ "[::1", 0, NULL, 0 },
	{ "[::1]x", 0, NULL, 0 },
	{ "[::1]:", 0, NULL, 0 },
	{ "[::1]:99999", 0, NULL, 0 },
	{ "[]:21", 0, NULL, 0 },
	{ "", 0, NULL, 0 },
	{ ":21", 0, NULL, 0 },
	{ "localhost:21", 0, NULL, 0 },
	{ "localhost", 0, NULL, 0 },
	{ "1.2.3:21", 0, NULL, 0 },
	{ "256.0.0.1", 0, NULL, 0 },
};

START_TEST(test_parse_hostport)
{
	struct netaddr a;
	const char *err = netaddr_parse_hostport(hostport_cases[_i].in, 21, &a);
	check_decoded(&hostport_cases[_i], err, &a);
}
END_TEST

START_TEST(test_parse_ip)
{
	struct netaddr a;

	ck_assert_ptr_null(netaddr_parse_ip("192.0.2.1", 8021, &a));
	expect_addr(&a, AF_INET, "192.0.2.1", 8021);
	ck_assert_ptr_null(netaddr_parse_ip("2001:db8::1", 0, &a));
	expect_addr(&a, AF_INET6, "2001:db8::1", 0);
	ck_assert_ptr_nonnull(netaddr_parse_ip("192.0.2.1", 65536, &a));
	ck_assert_ptr_nonnull(netaddr_parse_ip("192.0.2.1", -1, &a));
	ck_assert_ptr_nonnull(netaddr_parse_ip("example.com", 21, &a));
	ck_assert_ptr_nonnull(netaddr_parse_ip("", 21, &a));
	ck_assert_ptr_nonnull(netaddr_parse_ip("[::1]", 21, &a));
}
END_TEST

static const struct {
	const char *a;
	const char *b;
	bool same;
} same_cases[] = {
	{ "127.0.0.1", "127.0.0.1", true },
	{ "127.0.0.1", "127.0.0.2", false },
	{ "::ffff:127.0.0.1", "127.0.0.1", true },
	{ "127.0.0.1", "::ffff:127.0.0.1", true },
	{ "::ffff:10.0.0.1", "::ffff:10.0.0.1", true },
	{ "::ffff:10.0.0.1", "10.0.0.2", false },
	{ "::1", "::1", true },
	{ "::1", "::2", false },
	{ "::1", "127.0.0.1", false },
	{ "::", "0.0.0.0", false },
	{ "2001:db8::1", "2001:db8:0:0:0:0:0:1", true },
};

/* Ports never matter to same_host. */
START_TEST(test_same_host)
{
	struct netaddr a = addr(same_cases[_i].a, 1000);
	struct netaddr b = addr(same_cases[_i].b, 2000);
	ck_assert_int_eq(netaddr_same_host(&a, &b), same_cases[_i].same);
	ck_assert_int_eq(netaddr_same_host(&b, &a), same_cases[_i].same);
}
END_TEST

START_TEST(test_ntop)
{
	char buf[NETADDR_STRLEN];
	struct netaddr a = addr("127.0.0.1", 1025);

	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_str_eq(buf, "127.0.0.1:1025");
	netaddr_ntop(&a, false, buf, sizeof buf);
	ck_assert_str_eq(buf, "127.0.0.1");

	a = addr("::1", 21);
	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_str_eq(buf, "[::1]:21");
	netaddr_ntop(&a, false, buf, sizeof buf);
	ck_assert_str_eq(buf, "::1");

	a = addr("2001:DB8:0:0:0:0:0:1", 990);
	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_str_eq(buf, "[2001:db8::1]:990");

	a = addr("::ffff:192.0.2.7", 80);
	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_str_eq(buf, "[::ffff:192.0.2.7]:80");

	/* ntop output parses back with parse_hostport. */
	struct netaddr back;
	a = addr("fe80::abcd", 4242);
	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_ptr_null(netaddr_parse_hostport(buf, 21, &back));
	expect_addr(&back, AF_INET6, "fe80::abcd", 4242);
}
END_TEST

START_TEST(test_unmap_and_port)
{
	struct netaddr a = addr("::ffff:10.1.2.3", 2121);

	ck_assert(netaddr_is_v4(&a));
	ck_assert_int_eq(a.ss.ss_family, AF_INET6);   /* is_v4 does not change a */
	netaddr_unmap(&a);
	expect_addr(&a, AF_INET, "10.1.2.3", 2121);

	struct netaddr b = addr("::1", 21);
	ck_assert(!netaddr_is_v4(&b));
	netaddr_unmap(&b);
	expect_addr(&b, AF_INET6, "::1", 21);

	netaddr_set_port(&a, 65535);
	ck_assert_int_eq(netaddr_port(&a), 65535);
	netaddr_set_port(&b, 1);
	ck_assert_int_eq(netaddr_port(&b), 1);
	expect_addr(&b, AF_INET6, "::1", 1);
}
END_TEST

/* Long or hostile inputs are refused without overrunning anything. */
START_TEST(test_long_inputs)
{
	struct netaddr a;
	int port = 0;
	char *s = malloc(4097);
	ck_assert_ptr_nonnull(s);

	/* An EPRT argument far longer than any address. */
	s[0] = '|';
	s[1] = '2';
	s[2] = '|';
	memset(s + 3, ':', 4000);
	memcpy(s + 4003, "|21|", 5);
	ck_assert_ptr_nonnull(netaddr_decode_eprt(s, &a));

	/* A host longer than any IPv6 address. */
	memset(s, '1', 4096);
	s[4096] = '\0';
	ck_assert_ptr_nonnull(netaddr_parse_hostport(s, 21, &a));
	s[0] = '[';
	memcpy(s + 4000, "]:21", 5);
	ck_assert_ptr_nonnull(netaddr_parse_hostport(s, 21, &a));
	memset(s, ':', 4096);
	s[4096] = '\0';
	ck_assert_ptr_nonnull(netaddr_parse_hostport(s, 21, &a));

	/* Long runs of digits are not numbers in range. */
	memset(s, '9', 4096);
	s[4096] = '\0';
	ck_assert_ptr_nonnull(netaddr_decode_port(s, &a));
	ck_assert_ptr_nonnull(netaddr_decode_pasv_reply(s, &a));
	s[0] = '(';
	s[1] = s[2] = s[3] = '|';
	ck_assert_ptr_nonnull(netaddr_decode_epsv_reply(s, &port));

	/* Many commas. */
	memset(s, ',', 4096);
	ck_assert_ptr_nonnull(netaddr_decode_port(s, &a));
	ck_assert_ptr_nonnull(netaddr_decode_pasv_reply(s, &a));
	free(s);
}
END_TEST

/* A small output buffer gets a truncated, terminated string. */
START_TEST(test_ntop_small_buffer)
{
	char buf[8];
	struct netaddr a = addr("2001:db8::1", 21);

	memset(buf, 'Z', sizeof buf);
	netaddr_ntop(&a, true, buf, 6);
	ck_assert_str_eq(buf, "[2001");
	ck_assert_int_eq(buf[6], 'Z');
}
END_TEST

/* The longest IPv6 text with brackets and port fits NETADDR_STRLEN. */
START_TEST(test_ntop_longest)
{
	char buf[NETADDR_STRLEN];
	struct netaddr a = addr("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);

	netaddr_ntop(&a, true, buf, sizeof buf);
	ck_assert_str_eq(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}
END_TEST

static Suite *netaddr_suite(void)
{
	Suite *s = suite_create("netaddr");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_decode_port, 0,
			    (int)(sizeof port_cases / sizeof port_cases[0]));
	tcase_add_test(core, test_encode_port);
	tcase_add_loop_test(core, test_decode_eprt, 0,
			    (int)(sizeof eprt_cases / sizeof eprt_cases[0]));
	tcase_add_test(core, test_encode_eprt);
	tcase_add_loop_test(core, test_decode_pasv_reply, 0,
			    (int)(sizeof pasv_cases / sizeof pasv_cases[0]));
	tcase_add_loop_test(core, test_decode_epsv_reply, 0,
			    (int)(sizeof epsv_cases / sizeof epsv_cases[0]));
	tcase_add_loop_test(core, test_parse_hostport, 0,
			    (int)(sizeof hostport_cases / sizeof hostport_cases[0]));
	tcase_add_test(core, test_parse_ip);
	tcase_add_loop_test(core, test_same_host, 0,
			    (int)(sizeof same_cases / sizeof same_cases[0]));
	tcase_add_test(core, test_ntop);
	tcase_add_test(core, test_unmap_and_port);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_long_inputs);
	tcase_add_test(limits, test_ntop_small_buffer);
	tcase_add_test(limits, test_ntop_longest);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(netaddr_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
