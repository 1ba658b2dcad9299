/* Unit tests for ferry_exit: every engine status becomes the exit status
 * ferry(1) documents for it, the same for both front ends. */
#include "config.h"

#include "ferry_exit.h"

#include <check.h>
#include <stdlib.h>

/* Engine status, and the exit status ferry(1) promises for it. */
static const struct { enum ftp_status st; int code; } cases[] = {
	{ FTP_S_OK, 0 },
	{ FTP_S_CANCELLED, 1 },   /* interrupted */
	{ FTP_S_USAGE, 2 },
	{ FTP_S_CONNECT, 3 },
	{ FTP_S_LOGIN, 4 },
	{ FTP_S_REFUSED, 5 },
	{ FTP_S_LOCAL, 6 },
	{ FTP_S_BROKEN, 7 },
	{ FTP_S_TLS, 8 },         /* TLS not usable as asked */
	{ (enum ftp_status)99, 7 },  /* a status the table does not know: broken off */
};

START_TEST(test_from_status)
{
	ck_assert_int_eq((int)ferry_exit_from_status(cases[_i].st), cases[_i].code);
}
END_TEST

static Suite *ferry_exit_suite(void)
{
	Suite *s = suite_create("ferry_exit");
	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_from_status, 0, (int)(sizeof cases / sizeof cases[0]));
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ferry_exit_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
