/* Unit tests for the TUI <-> worker wire format: round trips of each
 * message type (a connection's TLS state and a certificate question with
 * every field at its longest, notices, answers), partial records,
 * malformed records, limits, and the reader over a real pipe. */
#include "config.h"

#include "wire.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	enum wire_type type;
	uint32_t id;
	int64_t n1, n2, n3;   /* copy: size, target size; progress: done, total, rate;
			       * left: the length of the folder it leads to, lines */
	const char *s1, *s2;  /* copy: local, remote; end: the message */
} trip_cases[] = {
	{ WIRE_JOB, 1, 4096, -1, 0, "local/a.txt", "/pub/a.txt" },
	{ WIRE_CANCEL, 42, 0, 0, 0, "", "" },
	{ WIRE_PROGRESS, 7, 123456789012LL, -1, 1048576, "", "" },
	{ WIRE_FILE, 3, 99, 0, 0, "d/x", "/d/\xc3\xa9t\xc3\xa9" },
	{ WIRE_END, 0xffffffffu, 0, 0, 0, "550 no such file", "" },
	{ WIRE_IDLE, 0, 0, 0, 0, "", "" },
	{ WIRE_SETTLED, 9, 0, 0, 0, "550 MFMT refused", "" },
	{ WIRE_LEFT, 5, 4, -1, 0, "d/loop", "/d/e/loop" },
	{ WIRE_LEFT, 6, -1, 3, 0, "d/e", "/d/e" },
};

/* Fills m's body for its type from case i. */
static void trip_fill(struct wire_msg *m, int i)
{
	switch (m->type) {
	case WIRE_LEFT:
		m->left.dir = 1;
		m->left.why = trip_cases[i].n2 > 0 ? WIRE_LEFT_LISTING : WIRE_LEFT_LOOP;
		m->left.to_len = trip_cases[i].n1;
		m->left.lines = trip_cases[i].n2;
		wire_set_str(m->left.line, trip_cases[i].n2 > 0 ? "garbage" : "");
		wire_set_str(m->left.local, trip_cases[i].s1);
		wire_set_str(m->left.remote, trip_cases[i].s2);
		break;
	case WIRE_JOB:
	case WIRE_FILE:
		m->copy.dir = 1;
		m->copy.mode = 1;
		m->copy.tree = 1;
		m->copy.size = trip_cases[i].n1;
		m->copy.target_size = trip_cases[i].n2;
		wire_set_str(m->copy.local, trip_cases[i].s1);
		wire_set_str(m->copy.remote, trip_cases[i].s2);
		break;
	case WIRE_PROGRESS:
		m->progress.done = trip_cases[i].n1;
		m->progress.total = trip_cases[i].n2;
		m->progress.rate = trip_cases[i].n3;
		break;
	case WIRE_END:
	case WIRE_SETTLED:
		m->end.state = 4;
		wire_set_str(m->end.message, trip_cases[i].s1);
		break;
	default:
		break;
	}
}

START_TEST(test_round_trip)
{
	uint8_t buf[WIRE_MSG_MAX];
	struct wire_msg m, out;
	size_t used = 0;
	wire_init(&m, trip_cases[_i].type, trip_cases[_i].id);
	trip_fill(&m, _i);
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_uint_gt(n, 0);
	/* Every prefix asks for more. */
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(wire_decode(buf, k, &out, &used), 0);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_uint_eq(used, n);
	ck_assert_int_eq(out.type, m.type);
	ck_assert_uint_eq(out.id, m.id);
	switch (m.type) {
	case WIRE_LEFT:
		ck_assert_uint_eq(out.left.dir, 1);
		ck_assert_uint_eq(out.left.why, m.left.why);
		ck_assert(out.left.to_len == m.left.to_len && out.left.lines == m.left.lines);
		ck_assert_str_eq(out.left.line, m.left.line);
		ck_assert_str_eq(out.left.local, m.left.local);
		ck_assert_str_eq(out.left.remote, m.left.remote);
		break;
	case WIRE_JOB:
	case WIRE_FILE:
		ck_assert_uint_eq(out.copy.dir, 1);
		ck_assert_uint_eq(out.copy.mode, 1);
		ck_assert_uint_eq(out.copy.tree, 1);
		ck_assert(out.copy.size == m.copy.size && out.copy.target_size == m.copy.target_size);
		ck_assert_str_eq(out.copy.local, m.copy.local);
		ck_assert_str_eq(out.copy.remote, m.copy.remote);
		break;
	case WIRE_PROGRESS:
		ck_assert(out.progress.done == m.progress.done &&
			  out.progress.total == m.progress.total &&
			  out.progress.rate == m.progress.rate);
		break;
	case WIRE_END:
	case WIRE_SETTLED:
		ck_assert_uint_eq(out.end.state, 4);
		ck_assert_str_eq(out.end.message, m.end.message);
		break;
	default:
		ck_assert_uint_eq(n, 4 + 1 + 4);   /* a cancel is its type and id */
		break;
	}
}
END_TEST

/* Byte offsets to spoil in a record, and the value put there. */
static const struct {
	size_t at;
	uint8_t value;
} bad_cases[] = {
	{ 0, 0xff },   /* length far too large */
	{ 3, 2 },      /* length too small for a type and an id */
	{ 3, 8 },      /* length too small for the ending's fields */
	{ 4, 0 },      /* type 0 */
	{ 4, 99 },     /* unknown type */
	{ 10, 0xff },  /* the message's length past the record (header 4, type 1, id 4, state 1) */
	{ 11, 2 },     /* the message's length short of the record: a byte left over */
};

START_TEST(test_malformed)
{
	uint8_t buf[WIRE_MSG_MAX];
	struct wire_msg m, out;
	size_t used;
	wire_init(&m, WIRE_END, 1);
	wire_set_str(m.end.message, "abc");
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_uint_eq(n, 4 + 1 + 4 + 1 + 2 + 3);
	ck_assert_uint_gt(n, bad_cases[_i].at);
	buf[bad_cases[_i].at] = bad_cases[_i].value;
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
}
END_TEST

START_TEST(test_limits)
{
	uint8_t small[16];
	static struct wire_msg m, out;
	static uint8_t buf[WIRE_MSG_MAX];
	size_t used;
	wire_init(&m, WIRE_JOB, 1);
	ck_assert_uint_eq(wire_encode(&m, small, sizeof small), 0);
	memset(m.copy.local, 'x', WIRE_STR_MAX);
	m.copy.local[WIRE_STR_MAX] = '\0';
	memset(m.copy.remote, 'y', WIRE_STR_MAX);
	m.copy.remote[WIRE_STR_MAX] = '\0';
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_uint_le(n, WIRE_MSG_MAX);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_uint_eq(strlen(out.copy.remote), WIRE_STR_MAX);
	/* The largest record: an entry left out with everything at its longest. */
	static struct wire_msg left;
	wire_init(&left, WIRE_LEFT, 1);
	left.left.why = WIRE_LEFT_LISTING;
	memset(left.left.line, 'z', WIRE_LINE_MAX - 1);
	memcpy(left.left.local, m.copy.local, sizeof left.left.local);
	memcpy(left.left.remote, m.copy.remote, sizeof left.left.remote);
	ck_assert_uint_eq(wire_encode(&left, buf, sizeof buf), WIRE_MSG_MAX);
	ck_assert_int_eq(wire_decode(buf, WIRE_MSG_MAX, &out, &used), 1);
	ck_assert_uint_eq(strlen(out.left.line), WIRE_LINE_MAX - 1);
	/* A string one byte too long is not encoded. */
	m.copy.remote[WIRE_STR_MAX] = 'y';
	ck_assert_uint_eq(wire_encode(&m, buf, sizeof buf), 0);
	/* A NUL inside a string is refused. */
	wire_init(&m, WIRE_END, 1);
	wire_set_str(m.end.message, "ab");
	n = wire_encode(&m, buf, sizeof buf);
	buf[12] = 0;  /* header 4 + type 1 + id 4 + state 1 + length 2: the first string byte */
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
}
END_TEST

START_TEST(test_pipe)
{
	int fds[2];
	static struct wire_reader r;
	struct wire_msg m, out;
	ck_assert_int_eq(pipe(fds), 0);
	for (uint32_t id = 1; id <= 3; id++) {
		wire_init(&m, WIRE_PROGRESS, id);
		m.progress.done = id * 100;
		ck_assert_int_eq(wire_send(fds[1], &m), 0);
	}
	close(fds[1]);
	uint32_t want = 1;
	for (;;) {
		int rc;
		while ((rc = wire_take(&r, &out)) == 1) {
			ck_assert_uint_eq(out.id, want);
			ck_assert_int_eq(out.progress.done, want * 100);
			want++;
		}
		ck_assert_int_eq(rc, 0);
		if (wire_fill(fds[0], &r) <= 0)
			break;
	}
	ck_assert_uint_eq(want, 4);
	close(fds[0]);
}
END_TEST

/* Fills every text field of t to its full length with letter. */
static void tls_fill(struct ftp_tls_info *t, char letter)
{
	char *fields[] = { t->server, t->version, t->cert.subject, t->cert.issuer,
			   t->cert.not_before, t->cert.not_after, t->cert.fingerprint,
			   t->cert.reason, t->stored, t->store };
	size_t sizes[] = { sizeof t->server, sizeof t->version, sizeof t->cert.subject,
			   sizeof t->cert.issuer, sizeof t->cert.not_before, sizeof t->cert.not_after,
			   sizeof t->cert.fingerprint, sizeof t->cert.reason, sizeof t->stored,
			   sizeof t->store };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		memset(fields[i], letter + (int)i, sizes[i] - 1);
		fields[i][sizes[i] - 1] = '\0';
	}
}

/* A connection's TLS state and a certificate question travel whole, every
 * field at its longest. */
START_TEST(test_tls_round_trip)
{
	static struct wire_msg m, out;
	static uint8_t buf[WIRE_MSG_MAX];
	size_t used = 0;
	enum wire_type types[] = { WIRE_TLS, WIRE_CERT };
	for (size_t k = 0; k < 2; k++) {
		wire_init(&m, types[k], 77);
		tls_fill(&m.tls, 'a');
		m.tls.on = true;
		m.tls.have_cert = true;
		m.tls.cert.verified = k == 0;
		m.tls.trust = k == 0 ? TLSC_TRUST_PIN_MISMATCH : TLSC_TRUST_ASK;
		size_t n = wire_encode(&m, buf, sizeof buf);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_le(n, WIRE_MSG_MAX);
		memset(&out, 0, sizeof out);
		ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
		ck_assert_uint_eq(used, n);
		ck_assert_int_eq(out.type, types[k]);
		ck_assert_uint_eq(out.id, 77);
		ck_assert(out.tls.on && out.tls.have_cert && out.tls.cert.verified == (k == 0));
		ck_assert_int_eq(out.tls.trust, m.tls.trust);
		ck_assert_str_eq(out.tls.server, m.tls.server);
		ck_assert_str_eq(out.tls.version, m.tls.version);
		ck_assert_str_eq(out.tls.cert.subject, m.tls.cert.subject);
		ck_assert_str_eq(out.tls.cert.issuer, m.tls.cert.issuer);
		ck_assert_str_eq(out.tls.cert.not_before, m.tls.cert.not_before);
		ck_assert_str_eq(out.tls.cert.not_after, m.tls.cert.not_after);
		ck_assert_str_eq(out.tls.cert.fingerprint, m.tls.cert.fingerprint);
		ck_assert_str_eq(out.tls.cert.reason, m.tls.cert.reason);
		ck_assert_str_eq(out.tls.stored, m.tls.stored);
		ck_assert_str_eq(out.tls.store, m.tls.store);
	}
}
END_TEST

/* A notice and an answer. */
START_TEST(test_notice_and_answer)
{
	uint8_t buf[256];
	struct wire_msg m, out;
	size_t used;
	wire_init(&m, WIRE_NOTICE, 0);
	m.notice.kind = FTP_NOTICE_WARNING;
	wire_set_str(m.notice.text, "--insecure: the certificate is not checked");
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_int_eq(out.notice.kind, FTP_NOTICE_WARNING);
	ck_assert_str_eq(out.notice.text, m.notice.text);
	for (int a = FTP_CERT_REJECT; a <= FTP_CERT_ACCEPT_ALWAYS; a++) {
		wire_init(&m, WIRE_ANSWER, 5);
		m.answer.answer = (uint8_t)a;
		n = wire_encode(&m, buf, sizeof buf);
		ck_assert_uint_eq(n, 4 + 1 + 4 + 1);
		ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
		ck_assert_int_eq(out.answer.answer, a);
	}
	/* An answer that is none of the three is refused. */
	buf[9] = FTP_CERT_ACCEPT_ALWAYS + 1;
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
}
END_TEST

/* The file info request, a find (a listing with WIRE_FIND and its
 * pattern), the free space in a listing's reply, and a trace line. */
START_TEST(test_info_find_trace)
{
	static struct wire_msg m, out;
	static uint8_t buf[WIRE_MSG_MAX];
	size_t used;
	wire_init(&m, WIRE_INFO, 7);
	wire_set_str(m.request.path, "/pub/a file.txt");
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_int_eq(out.type, WIRE_INFO);
	ck_assert_str_eq(out.request.path, "/pub/a file.txt");
	wire_init(&m, WIRE_LIST, 8);
	m.request.flags = WIRE_FIND;
	wire_set_str(m.request.path, "/pub");
	wire_set_str(m.request.path2, "*.t[xa]t");
	n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_int_eq(out.request.flags, WIRE_FIND);
	ck_assert_str_eq(out.request.path2, "*.t[xa]t");
	wire_init(&m, WIRE_REPLY, 8);
	m.reply.size = (int64_t)5 << 40;
	n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert(out.reply.size == (int64_t)5 << 40);
	wire_init(&m, WIRE_TRACE, 0);
	m.notice.kind = FTP_TRACE_SENT;
	wire_set_str(m.notice.text, "PASS ****");
	n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_int_eq(out.type, WIRE_TRACE);
	ck_assert_int_eq(out.notice.kind, FTP_TRACE_SENT);
	ck_assert_str_eq(out.notice.text, "PASS ****");
}
END_TEST

/* A TLS state whose flags, trust or texts cannot be is refused: a flag
 * other than 0 or 1, an unknown decision, a text longer than its field
 * (a server name of 300 bytes where 299 fit). */
START_TEST(test_tls_malformed)
{
	static struct wire_msg m, out;
	static uint8_t buf[WIRE_MSG_MAX];
	size_t used;
	wire_init(&m, WIRE_TLS, 1);
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	/* Header 4, type 1, id 4, then on, have_cert, verified, trust. */
	for (size_t at = 9; at < 12; at++) {
		buf[at] = 2;
		ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
		buf[at] = 0;
	}
	buf[12] = TLSC_TRUST_PIN_MISMATCH + 1;
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
	buf[12] = 0;
	/* The same record with a server name as long as its field. */
	size_t room = sizeof out.tls.server;
	uint8_t *p = buf + 13;
	memmove(p + 2 + room, p + 2, n - 15);
	p[0] = (uint8_t)(room >> 8);
	p[1] = (uint8_t)(room & 0xff);
	memset(p + 2, 'x', room);
	n += room;
	buf[0] = (uint8_t)((n - 4) >> 24);
	buf[1] = (uint8_t)((n - 4) >> 16);
	buf[2] = (uint8_t)((n - 4) >> 8);
	buf[3] = (uint8_t)(n - 4);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), -1);
	/* One byte shorter fits. */
	room--;
	memmove(p + 2 + room, p + 3 + room, n - 15 - room - 1);
	p[1] = (uint8_t)(room & 0xff);
	n--;
	buf[3] = (uint8_t)(n - 4);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_uint_eq(strlen(out.tls.server), room);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("tui_wire");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_round_trip, 0,
			    (int)(sizeof trip_cases / sizeof trip_cases[0]));
	tcase_add_test(core, test_pipe);
	tcase_add_test(core, test_tls_round_trip);
	tcase_add_test(core, test_notice_and_answer);
	tcase_add_test(core, test_info_find_trace);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_loop_test(limits, test_malformed, 0,
			    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(limits, test_limits);
	tcase_add_test(limits, test_tls_malformed);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wire_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
