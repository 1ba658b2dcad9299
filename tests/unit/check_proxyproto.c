/* Unit tests for proxyproto (PROXY protocol v1/v2 headers, address
 * prefixes) and proxywait (the listener's connections waiting for a
 * header, with their deadlines). */
#include "config.h"

#include "proxyproto.h"
#include "proxywait.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The version 2 signature. */
static const char SIG[] = "\r\n\r\n\0\r\nQUIT\n";

/* Builds a version 2 header: command, family byte, then body. */
static size_t v2(unsigned char *out, int cmd, int fam, const void *body, size_t blen)
{
	memcpy(out, SIG, 12);
	out[12] = (unsigned char)(0x20 | cmd);
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(blen >> 8);
	out[15] = (unsigned char)blen;
	if (blen > 0)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* A TCP4 body: 192.0.2.7:40000 -> 198.51.100.1:21, then extra bytes. */
static size_t tcp4_body(unsigned char *b, const void *extra, size_t elen)
{
	inet_pton(AF_INET, "192.0.2.7", b);
	inet_pton(AF_INET, "198.51.100.1", b + 4);
	b[8] = 40000 >> 8; b[9] = 40000 & 0xFF;
	b[10] = 0; b[11] = 21;
	if (elen > 0)
		memcpy(b + 12, extra, elen);
	return 12 + elen;
}

static void assert_addr(const struct netaddr *a, const char *ip, int port)
{
	char s[NETADDR_STRLEN];
	netaddr_ntop(a, false, s, sizeof s);
	ck_assert_str_eq(s, ip);
	ck_assert_int_eq(netaddr_port(a), port);
}

static enum proxy_status parse(const void *buf, size_t n, struct proxy_header *h, const char **why)
{
	return proxy_parse(buf, n, h, why);
}

START_TEST(test_v1_tcp4)
{
	const char *t = "PROXY TCP4 192.0.2.7 198.51.100.1 40000 21\r\nUSER x\r\n";
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	ck_assert_int_eq(h.version, 1);
	ck_assert(!h.local);
	ck_assert_uint_eq(h.len, strlen("PROXY TCP4 192.0.2.7 198.51.100.1 40000 21\r\n"));
	assert_addr(&h.src, "192.0.2.7", 40000);
	assert_addr(&h.dst, "198.51.100.1", 21);
}
END_TEST

START_TEST(test_v1_tcp6_and_unknown)
{
	const char *t = "PROXY TCP6 2001:db8::7 2001:db8::1 65535 0\r\n";
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	assert_addr(&h.src, "2001:db8::7", 65535);
	assert_addr(&h.dst, "2001:db8::1", 0);
	/* An IPv4-mapped source is the IPv4 client. */
	t = "PROXY TCP6 ::ffff:192.0.2.9 2001:db8::1 1 2\r\n";
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	assert_addr(&h.src, "192.0.2.9", 1);
	t = "PROXY UNKNOWN\r\n";
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	ck_assert(h.local);
	ck_assert_uint_eq(h.len, 15);
	t = "PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n";
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	ck_assert(h.local);
}
END_TEST

START_TEST(test_v1_longest)
{
	/* The specification's worst case is exactly 107 bytes. */
	const char *t = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	ck_assert_uint_eq(strlen(t), PROXY_V1_MAX);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_OK);
	ck_assert_uint_eq(h.len, PROXY_V1_MAX);
}
END_TEST

START_TEST(test_v2_tcp4_with_tlvs)
{
	/* ALPN "ftp", a NOOP of 0 bytes, an authority of 5: all skipped. */
	static const unsigned char tlvs[] = { 0x01, 0, 3, 'f', 't', 'p', 0x04, 0, 0,
					      0x02, 0, 5, 'h', 'o', 's', 't', 's' };
	unsigned char body[64], buf[128];
	size_t bl = tcp4_body(body, tlvs, sizeof tlvs);
	size_t n = v2(buf, 1, 0x11, body, bl);
	memcpy(buf + n, "USER", 4);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(parse(buf, n + 4, &h, &why), PROXY_OK);
	ck_assert_int_eq(h.version, 2);
	ck_assert(!h.local);
	ck_assert_uint_eq(h.len, n);
	assert_addr(&h.src, "192.0.2.7", 40000);
	assert_addr(&h.dst, "198.51.100.1", 21);
}
END_TEST

START_TEST(test_v2_tcp6_local_unspec)
{
	unsigned char body[36], buf[128];
	inet_pton(AF_INET6, "2001:db8::7", body);
	inet_pton(AF_INET6, "2001:db8::1", body + 16);
	body[32] = 0x12; body[33] = 0x34; body[34] = 0; body[35] = 21;
	size_t n = v2(buf, 1, 0x21, body, sizeof body);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_OK);
	assert_addr(&h.src, "2001:db8::7", 0x1234);
	/* LOCAL (a health check), whatever family it names. */
	n = v2(buf, 0, 0x21, body, sizeof body);
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_OK);
	ck_assert(h.local);
	ck_assert_uint_eq(h.len, n);
	n = v2(buf, 0, 0x00, body, 0);
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_OK);
	ck_assert(h.local);
	/* PROXY with UNSPEC: the proxy could not tell; use the connection. */
	n = v2(buf, 1, 0x00, body, 0);
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_OK);
	ck_assert(h.local);
}
END_TEST

/* Every good header, for the prefix test. */
static size_t good_header(int i, unsigned char *buf)
{
	static const unsigned char tlv[] = { 0xEE, 0, 2, 'x', 'y' };
	unsigned char body[64];
	switch (i) {
	case 0: strcpy((char *)buf, "PROXY TCP4 192.0.2.7 198.51.100.1 40000 21\r\n"); break;
	case 1: strcpy((char *)buf, "PROXY TCP6 2001:db8::7 2001:db8::1 1 2\r\n"); break;
	case 2: strcpy((char *)buf, "PROXY UNKNOWN\r\n"); break;
	case 3: return v2(buf, 1, 0x11, body, tcp4_body(body, tlv, sizeof tlv));
	default: return v2(buf, 0, 0x00, body, 0);
	}
	return strlen((char *)buf);
}
#define GOOD_HEADERS 5

/* A header cut anywhere is "need more", never accepted or refused. */
START_TEST(test_truncated_needs_more)
{
	unsigned char buf[256];
	size_t n = good_header(_i, buf);
	struct proxy_header h;
	const char *why;
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(parse(buf, k, &h, &why) == PROXY_NEED_MORE, "header %d cut at %zu", _i, k);
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_OK);
}
END_TEST

/* Bad input, each refused with a reason as soon as it is known. */
static const struct {
	const char *text;       /* version 1 or garbage (NUL-terminated) */
	const char *reason;     /* part of the message */
} bad_text[] = {
	{ "USER anonymous\r\n", "not a PROXY" },
	{ "GET / HTTP/1.0\r\n\r\n", "not a PROXY" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "control" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "CR without LF" },
	{ "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "empty field" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "SRC DST" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "SRC DST" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3 4\r\n", "too many" },
	{ "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6" },
	{ "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n", "family" },
	{ "PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n", "family" },
	{ "PROXY TCP4 example.org 5.6.7.8 1 2\r\n", "numeric" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "port" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "port" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "port" },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\xc3\xa9\r\n", "non-ASCII" },
	{ "PROXY UNKNOWN " "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "\r\n", "longer than 107" },
};

START_TEST(test_bad_text)
{
	struct proxy_header h;
	const char *why = NULL;
	const char *t = bad_text[_i].text;
	ck_assert_int_eq(parse(t, strlen(t), &h, &why), PROXY_BAD);
	ck_assert_msg(why && strstr(why, bad_text[_i].reason), "%s: got '%s'", t, why ? why : "");
}
END_TEST

START_TEST(test_bad_v2)
{
	static const unsigned char trunc_tlv[] = { 0x01, 0 };
	static const unsigned char over_tlv[] = { 0x01, 0, 9, 'a' };
	unsigned char body[64], buf[2048];
	struct proxy_header h;
	const char *why;
	size_t n;

	n = v2(buf, 1, 0x11, body, tcp4_body(body, NULL, 0));
	buf[12] = 0x11;   /* version 1 in a version 2 signature */
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "version"));
	n = v2(buf, 2, 0x11, body, tcp4_body(body, NULL, 0));
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "command"));
	n = v2(buf, 1, 0x12, body, tcp4_body(body, NULL, 0));   /* UDP */
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "family"));
	n = v2(buf, 1, 0x31, body, 0);                          /* AF_UNIX */
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	n = v2(buf, 1, 0x11, body, 8);                          /* addresses cut */
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "truncated"));
	n = v2(buf, 1, 0x21, body, 12);
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	n = v2(buf, 1, 0x11, body, tcp4_body(body, trunc_tlv, sizeof trunc_tlv));
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "TLV truncated"));
	n = v2(buf, 1, 0x11, body, tcp4_body(body, over_tlv, sizeof over_tlv));
	ck_assert_int_eq(parse(buf, n, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "past the header"));
	/* Longer than 1024 bytes: refused from the length field alone. */
	memset(body, 0, sizeof body);
	v2(buf, 1, 0x11, body, 0);
	buf[14] = 0x04; buf[15] = 0x00;
	ck_assert_int_eq(parse(buf, 16, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "1024"));
	/* A broken signature is refused at its first wrong byte. */
	memcpy(buf, SIG, 12);
	buf[5] = 'X';
	ck_assert_int_eq(parse(buf, 6, &h, &why), PROXY_BAD);
	ck_assert_int_eq(parse(buf, 5, &h, &why), PROXY_NEED_MORE);
}
END_TEST

/* A connected stream pair: [0] for the reader, [1] for the sender. */
static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* Whatever is left to read on fd (non-blocking). */
static size_t rest(int fd, char *out, size_t outsz)
{
	ssize_t n = recv(fd, out, outsz - 1, MSG_DONTWAIT);
	n = n < 0 ? 0 : n;
	out[n] = '\0';
	return (size_t)n;
}

/* The reader takes the header in pieces and leaves the session's bytes. */
START_TEST(test_reader_stops_at_header)
{
	unsigned char hdr[256];
	size_t n = good_header(_i, hdr);
	int sv[2];
	pair(sv);
	struct proxy_reader r;
	proxy_reader_init(&r);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_NEED_MORE);
	/* Three pieces, the last with the first command right behind. */
	size_t a = n / 3, b = 2 * n / 3;
	ck_assert_int_eq(write(sv[1], hdr, a), (ssize_t)a);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_NEED_MORE);
	ck_assert_int_eq(write(sv[1], hdr + a, b - a), (ssize_t)(b - a));
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_NEED_MORE);
	ck_assert_int_eq(write(sv[1], hdr + b, n - b), (ssize_t)(n - b));
	ck_assert_int_eq(write(sv[1], "USER x\r\n", 8), 8);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_OK);
	ck_assert_uint_eq(h.len, n);
	char left[64];
	ck_assert_uint_eq(rest(sv[0], left, sizeof left), 8);
	ck_assert_str_eq(left, "USER x\r\n");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_reader_eof_and_garbage)
{
	int sv[2];
	pair(sv);
	struct proxy_reader r;
	proxy_reader_init(&r);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(write(sv[1], "PROXY TCP4 1.2", 14), 14);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_NEED_MORE);
	close(sv[1]);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "closed"));
	close(sv[0]);

	pair(sv);
	proxy_reader_init(&r);
	ck_assert_int_eq(write(sv[1], "SYST\r\n", 6), 6);
	ck_assert_int_eq(proxy_read(sv[0], &r, &h, &why), PROXY_BAD);
	ck_assert_ptr_nonnull(strstr(why, "not a PROXY"));
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_read_wait_times_out)
{
	int sv[2];
	pair(sv);
	struct proxy_header h;
	const char *why;
	ck_assert_int_eq(write(sv[1], "PROXY ", 6), 6);
	ck_assert_int_eq(proxy_read_wait(sv[0], 50, &h, &why), PROXY_NEED_MORE);
	ck_assert_ptr_nonnull(why);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* proxywait's callback records what it got. */
struct got {
	int calls;
	int fd;
	struct netaddr client, via;
};

static void on_ready(void *ctx, int fd, const struct netaddr *client, const struct netaddr *via)
{
	struct got *g = ctx;
	g->calls++;
	g->fd = fd;
	g->client = *client;
	g->via = *via;
}

static struct netaddr ip(const char *s, int port)
{
	struct netaddr a;
	ck_assert_ptr_null(netaddr_parse_ip(s, port, &a));
	return a;
}

/* True once the peer of fd has closed it. */
static bool closed(int fd)
{
	char c;
	return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

/* One step of the table as the listener runs it, every fd "readable". */
static void step(struct proxywait *w, long long now, struct got *g)
{
	struct pollfd p[8];
	int n = proxywait_pollfds(w, p);
	for (int i = 0; i < n; i++)
		p[i].revents = POLLIN;
	proxywait_step(w, p, n, now, on_ready, g);
}

START_TEST(test_wait_header_then_ready)
{
	struct proxywait *w = proxywait_new(4);
	struct netaddr via = ip("10.0.0.10", 5000);
	int a[2], b[2];
	pair(a);
	pair(b);
	ck_assert(proxywait_add(w, a[0], &via, 1000));
	ck_assert(proxywait_add(w, b[0], &via, 1000));
	ck_assert_int_eq(proxywait_count(w), 2);
	ck_assert_int_eq(proxywait_deadline(w), 1000 + PROXY_HEADER_TIMEOUT * 1000);
	struct got g = { 0 };
	const char *h = "PROXY TCP4 192.0.2.7 10.0.0.11 40000 21\r\n";
	ck_assert_int_eq(write(a[1], h, 20), 20);
	step(w, 1100, &g);
	ck_assert_int_eq(g.calls, 0);
	ck_assert_int_eq(proxywait_count(w), 2);
	ck_assert_int_eq(write(a[1], h + 20, strlen(h) - 20), (ssize_t)(strlen(h) - 20));
	step(w, 1200, &g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.fd, a[0]);
	assert_addr(&g.client, "192.0.2.7", 40000);
	assert_addr(&g.via, "10.0.0.10", 5000);
	ck_assert_int_eq(proxywait_count(w), 1);
	/* A LOCAL header (health check): the client is the proxy. */
	unsigned char buf[64];
	size_t n = v2(buf, 0, 0, NULL, 0);
	ck_assert_int_eq(write(b[1], buf, n), (ssize_t)n);
	step(w, 1300, &g);
	ck_assert_int_eq(g.calls, 2);
	assert_addr(&g.client, "10.0.0.10", 5000);
	ck_assert_int_eq(proxywait_count(w), 0);
	ck_assert_int_eq(proxywait_deadline(w), -1);
	proxywait_free(w);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
}
END_TEST

START_TEST(test_wait_deadline_and_garbage)
{
	struct proxywait *w = proxywait_new(2);
	struct netaddr via = ip("10.0.0.10", 5000);
	int a[2], b[2], c[2];
	pair(a);
	pair(b);
	pair(c);
	ck_assert(proxywait_add(w, a[0], &via, 0));
	ck_assert(proxywait_add(w, b[0], &via, 2000));
	ck_assert(!proxywait_add(w, c[0], &via, 2000));   /* full */
	struct got g = { 0 };
	/* Half a header, then silence: kept until the deadline, not after. */
	ck_assert_int_eq(write(a[1], "PROXY TCP4 ", 11), 11);
	step(w, PROXY_HEADER_TIMEOUT * 1000 - 1, &g);
	ck_assert_int_eq(proxywait_count(w), 2);
	ck_assert(!closed(a[1]));
	step(w, PROXY_HEADER_TIMEOUT * 1000, &g);
	ck_assert_int_eq(proxywait_count(w), 1);
	ck_assert(closed(a[1]));
	/* Garbage ends the other at once, long before its deadline. */
	ck_assert_int_eq(write(b[1], "USER x\r\n", 8), 8);
	step(w, PROXY_HEADER_TIMEOUT * 1000 + 1, &g);
	ck_assert_int_eq(proxywait_count(w), 0);
	ck_assert(closed(b[1]));
	ck_assert_int_eq(g.calls, 0);
	proxywait_free(w);
	close(a[1]); close(b[1]); close(c[0]); close(c[1]);
}
END_TEST

START_TEST(test_cidr)
{
	struct cidr c[3];
	ck_assert_ptr_null(cidr_parse("10.0.0.0/8", &c[0]));
	ck_assert_ptr_null(cidr_parse("2001:db8::/33", &c[1]));
	ck_assert_ptr_null(cidr_parse("127.0.0.9", &c[2]));
	struct netaddr a = ip("10.200.3.4", 1);
	ck_assert(cidr_match(&c[0], &a));
	a = ip("11.0.0.1", 1);
	ck_assert(!cidr_match(&c[0], &a));
	a = ip("::ffff:10.1.2.3", 1);     /* mapped: matches the IPv4 prefix */
	ck_assert(cidr_match(&c[0], &a));
	a = ip("2001:db8:7fff::1", 1);
	ck_assert(cidr_match(&c[1], &a));
	a = ip("2001:db8:8000::1", 1);
	ck_assert(!cidr_match(&c[1], &a));
	a = ip("127.0.0.9", 1);
	ck_assert(cidr_match_any(c, 3, &a));
	a = ip("127.0.0.10", 1);
	ck_assert(!cidr_match_any(c, 3, &a));
	ck_assert_ptr_null(cidr_parse("0.0.0.0/0", &c[0]));
	ck_assert(cidr_match(&c[0], &a));
	static const char *const bad[] = { "", "/8", "10.0.0.0/33", "::/129", "10.0.0.0/",
					   "10.0.0.0/x", "host.example", "10.0.0.0/-1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(cidr_parse(bad[i], &c[0]) != NULL, "accepted '%s'", bad[i]);
}
END_TEST

static Suite *proxyproto_suite(void)
{
	Suite *s = suite_create("proxyproto");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_v1_tcp4);
	tcase_add_test(core, test_v1_tcp6_and_unknown);
	tcase_add_test(core, test_v2_tcp4_with_tlvs);
	tcase_add_test(core, test_v2_tcp6_local_unspec);
	tcase_add_test(core, test_cidr);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_v1_longest);
	tcase_add_loop_test(limits, test_truncated_needs_more, 0, GOOD_HEADERS);
	tcase_add_loop_test(limits, test_bad_text, 0, (int)(sizeof bad_text / sizeof bad_text[0]));
	tcase_add_test(limits, test_bad_v2);
	suite_add_tcase(s, limits);

	TCase *reader = tcase_create("reader");
	tcase_add_loop_test(reader, test_reader_stops_at_header, 0, GOOD_HEADERS);
	tcase_add_test(reader, test_reader_eof_and_garbage);
	tcase_add_test(reader, test_read_wait_times_out);
	tcase_add_test(reader, test_wait_header_then_ready);
	tcase_add_test(reader, test_wait_deadline_and_garbage);
	suite_add_tcase(s, reader);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proxyproto_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
