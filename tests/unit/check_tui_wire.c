/* Unit tests for the TUI <-> worker wire format: round trips of each
 * message type, partial records, malformed records, limits, and the
 * reader over a real pipe. */
#include "config.h"

#include "wire.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	enum wire_type type;
	uint32_t id;
	int64_t a, b, c;
	const char *s1, *s2;
} trip_cases[] = {
	{ WIRE_JOB, 1, 0, 0, 0, "local/a.txt", "/pub/a.txt" },
	{ WIRE_CANCEL, 42, 0, 0, 0, "", "" },
	{ WIRE_PROGRESS, 7, 123456789012LL, -1, 1048576, "", "" },
	{ WIRE_FILE, 3, 99, 0, 0, "d/x", "/d/\xc3\xa9t\xc3\xa9" },
	{ WIRE_END, 0xffffffffu, 0, 0, 0, "550 no such file", "" },
};

START_TEST(test_round_trip)
{
	uint8_t buf[WIRE_MSG_MAX];
	struct wire_msg m, out;
	size_t used = 0;
	wire_init(&m, trip_cases[_i].type, trip_cases[_i].id);
	m.dir = 1;
	m.mode = 1;
	m.tree = 1;
	m.state = 4;
	m.a = trip_cases[_i].a;
	m.b = trip_cases[_i].b;
	m.c = trip_cases[_i].c;
	wire_set_str(m.s1, trip_cases[_i].s1);
	wire_set_str(m.s2, trip_cases[_i].s2);
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_uint_gt(n, 0);
	/* Every prefix asks for more. */
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(wire_decode(buf, k, &out, &used), 0);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_uint_eq(used, n);
	ck_assert_int_eq(out.type, m.type);
	ck_assert_uint_eq(out.id, m.id);
	ck_assert_uint_eq(out.dir, 1);
	ck_assert_uint_eq(out.mode, 1);
	ck_assert_uint_eq(out.tree, 1);
	ck_assert_uint_eq(out.state, 4);
	ck_assert(out.a == m.a && out.b == m.b && out.c == m.c);
	ck_assert_str_eq(out.s1, m.s1);
	ck_assert_str_eq(out.s2, m.s2);
}
END_TEST

/* Byte offsets to spoil in a record, and the value put there. */
static const struct {
	size_t at;
	uint8_t value;
} bad_cases[] = {
	{ 0, 0xff },   /* length far too large */
	{ 3, 2 },      /* length too small for the fixed part */
	{ 4, 0 },      /* type 0 */
	{ 4, 99 },     /* unknown type */
	{ 37, 0xff },  /* first string length past the record */
};

START_TEST(test_malformed)
{
	uint8_t buf[WIRE_MSG_MAX];
	struct wire_msg m, out;
	size_t used;
	wire_init(&m, WIRE_END, 1);
	wire_set_str(m.s1, "abc");
	size_t n = wire_encode(&m, buf, sizeof buf);
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
	memset(m.s1, 'x', WIRE_STR_MAX);
	m.s1[WIRE_STR_MAX] = '\0';
	memset(m.s2, 'y', WIRE_STR_MAX);
	m.s2[WIRE_STR_MAX] = '\0';
	size_t n = wire_encode(&m, buf, sizeof buf);
	ck_assert_uint_eq(n, WIRE_MSG_MAX);
	ck_assert_int_eq(wire_decode(buf, n, &out, &used), 1);
	ck_assert_uint_eq(strlen(out.s2), WIRE_STR_MAX);
	/* A NUL inside a string is refused. */
	wire_init(&m, WIRE_END, 1);
	wire_set_str(m.s1, "ab");
	n = wire_encode(&m, buf, sizeof buf);
	buf[39] = 0;  /* header 4 + fixed part 33 + string length 2: the first string byte */
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
		m.a = id * 100;
		ck_assert_int_eq(wire_send(fds[1], &m), 0);
	}
	close(fds[1]);
	uint32_t want = 1;
	for (;;) {
		int rc;
		while ((rc = wire_take(&r, &out)) == 1) {
			ck_assert_uint_eq(out.id, want);
			ck_assert_int_eq(out.a, want * 100);
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

static Suite *wire_suite(void)
{
	Suite *s = suite_create("tui_wire");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_round_trip, 0,
			    (int)(sizeof trip_cases / sizeof trip_cases[0]));
	tcase_add_test(core, test_pipe);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_loop_test(limits, test_malformed, 0,
			    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(limits, test_limits);
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
