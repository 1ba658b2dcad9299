/* Unit tests for ascii: CR LF to LF on the way in, across every split of
 * the input into two buffers; LF to CR LF on the way out. */
#include "config.h"

#include "ascii.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *wire, *disk;
} in_cases[] = {
	{ "one\r\ntwo\r\n", "one\ntwo\n" },
	{ "lone\rcr\r\n", "lone\rcr\n" },
	{ "cr at end\r", "cr at end\r" },
	{ "\r\r\n", "\r\n" },
	{ "lf only\n", "lf only\n" },
	{ "", "" },
};

/* Every split point gives the same result as one buffer. */
START_TEST(test_from_wire)
{
	const char *wire = in_cases[_i].wire;
	size_t n = strlen(wire);
	for (size_t cut = 0; cut <= n; cut++) {
		char out[64];
		struct ascii_in st = { 0 };
		size_t o = ascii_from_wire(&st, wire, cut, out);
		o += ascii_from_wire(&st, wire + cut, n - cut, out + o);
		o += ascii_from_wire_end(&st, out + o);
		out[o] = '\0';
		ck_assert_msg(strcmp(out, in_cases[_i].disk) == 0, "cut at %zu: got \"%s\"", cut, out);
	}
}
END_TEST

START_TEST(test_to_wire)
{
	char out[64];
	size_t o = ascii_to_wire("a\nb\n\nc", 6, out);
	out[o] = '\0';
	ck_assert_str_eq(out, "a\r\nb\r\n\r\nc");
}
END_TEST

static Suite *ascii_suite(void)
{
	Suite *s = suite_create("ascii");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_from_wire, 0, (int)(sizeof in_cases / sizeof in_cases[0]));
	tcase_add_test(core, test_to_wire);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ascii_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
