/* Unit tests for json: escapes, bytes that are not UTF-8, members of
 * every kind, arrays of objects, and a line that does not fit. */
#include "config.h"

#include "json.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in, *want;
} quote_cases[] = {
	{ "plain.txt", "\"plain.txt\"" },
	{ "Grüße.txt", "\"Grüße.txt\"" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
	{ "tab\there\nnl", "\"tab\\u0009here\\u000anl\"" },
	{ "\x1b[31mred", "\"\\u001b[31mred\"" },
	{ "caf\xe9 \xff", "\"caf\\ufffd \\ufffd\"" },
	{ "c1 \xc2\x85", "\"c1 \\u0085\"" },
	{ "", "\"\"" },
};

START_TEST(test_quote)
{
	struct sbuf b;
	sbuf_init(&b, 1024);
	ck_assert(json_quote(&b, quote_cases[_i].in));
	ck_assert_str_eq(sbuf_str(&b), quote_cases[_i].want);
	sbuf_free(&b);
}
END_TEST

START_TEST(test_object)
{
	struct sbuf b;
	struct json j;
	sbuf_init(&b, 1024);
	json_begin(&j, &b);
	json_string(&j, "path", "d");
	json_array_begin(&j, "entries");
	json_item_begin(&j);
	json_string(&j, "name", "a");
	json_int(&j, "size", 10);
	json_time(&j, "modified", 1614859200);
	json_item_end(&j);
	json_item_begin(&j);
	json_string(&j, "name", "b");
	json_string(&j, "target", NULL);
	json_time(&j, "modified", 0);
	json_item_end(&j);
	json_array_end(&j);
	json_real(&j, "seconds", 0.25);
	json_bool(&j, "ok", true);
	ck_assert(json_end(&j));
	ck_assert_str_eq(sbuf_str(&b), "{\"path\":\"d\",\"entries\":[{\"name\":\"a\",\"size\":10,"
			 "\"modified\":\"2021-03-04T12:00:00Z\"},{\"name\":\"b\",\"target\":null,"
			 "\"modified\":null}],\"seconds\":0.250,\"ok\":true}");
	sbuf_free(&b);
}
END_TEST

START_TEST(test_too_long)
{
	struct sbuf b;
	struct json j;
	sbuf_init(&b, 16);
	json_begin(&j, &b);
	json_string(&j, "name", "a name far longer than sixteen bytes");
	ck_assert(!json_end(&j));
	sbuf_free(&b);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_quote, 0, (int)(sizeof quote_cases / sizeof quote_cases[0]));
	tcase_add_test(core, test_object);
	tcase_add_test(core, test_too_long);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
