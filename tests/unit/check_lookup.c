/* Unit tests for lookup: numeric addresses read at once (no child),
 * names from /etc/hosts through the child, ports carried over. The
 * resolver that never answers is tested against the real program in
 * tests/integration/test_cli_client.py. */
#include "config.h"

#include "lookup.h"

#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *host;   /* what is looked up */
	int family;         /* the first address's family */
	const char *text;   /* and its text */
} found_cases[] = {
	{ "127.0.0.1", AF_INET, "127.0.0.1:2121" },
	{ "::1", AF_INET6, "[::1]:2121" },
	{ "localhost", 0, NULL },
};

START_TEST(test_found)
{
	struct lookup_result r;
	char text[NETADDR_STRLEN];
	ck_assert_int_eq(lookup_host(found_cases[_i].host, 2121, 5000, &r), 0);
	ck_assert_uint_ge(r.n, 1);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_int_eq(netaddr_port(&r.addr[i]), 2121);
	if (found_cases[_i].text == NULL)
		return;
	ck_assert_int_eq(r.addr[0].ss.ss_family, found_cases[_i].family);
	netaddr_ntop(&r.addr[0], true, text, sizeof text);
	ck_assert_str_eq(text, found_cases[_i].text);
}
END_TEST

/* An empty name is no name: an error with a message, never an address. */
START_TEST(test_not_found)
{
	struct lookup_result r;
	ck_assert_int_eq(lookup_host("", 21, 5000, &r), -1);
	ck_assert_uint_eq(r.n, 0);
	ck_assert_str_ne(r.msg, "");
}
END_TEST

static Suite *lookup_suite(void)
{
	Suite *s = suite_create("lookup");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_found, 0, (int)(sizeof found_cases / sizeof found_cases[0]));
	tcase_add_test(core, test_not_found);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lookup_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
