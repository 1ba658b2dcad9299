/* Unit tests for log: the line written to stderr (time stamp, name and
 * pid, message, newline), and where a long name or message is cut. */
#include "config.h"

#include "log.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What log_msg may keep of a message and of the part before it. */
#define MSG_KEPT 2047
#define HEAD_KEPT 150

/* Runs log_msg(level, "%s", msg) with stderr sent to a file; returns
 * what was written (malloc'd) and its length in *len. */
static char *logged(int level, const char *msg, size_t *len)
{
	char path[] = "/tmp/check_log.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_msg(level, "%s", msg);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	off_t end = lseek(fd, 0, SEEK_END);
	ck_assert_int_ge(end, 0);
	char *buf = malloc((size_t)end + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)end, 0), end);
	buf[end] = '\0';
	close(fd);
	*len = (size_t)end;
	return buf;
}

/* A string of n copies of c (malloc'd). */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_line)
{
	log_init("ferryd", LOG_TO_STDERR, false);
	size_t len;
	char *out = logged(LOG_INFO, "hello", &len);
	char want[64];
	snprintf(want, sizeof want, " ferryd[%ld]: hello\n", (long)getpid());
	/* "YYYY-MM-DDTHH:MM:SSZ", then the name, pid and message. */
	ck_assert_uint_eq(len, 20 + strlen(want));
	ck_assert_int_eq(out[4], '-');
	ck_assert_int_eq(out[10], 'T');
	ck_assert_int_eq(out[19], 'Z');
	ck_assert_str_eq(out + 20, want);
	free(out);
}
END_TEST

START_TEST(test_debug_only_when_verbose)
{
	size_t len;
	log_init("ferryd", LOG_TO_STDERR, false);
	char *out = logged(LOG_DEBUG, "trace", &len);
	ck_assert_uint_eq(len, 0);
	free(out);
	log_init("ferryd", LOG_TO_STDERR, true);
	out = logged(LOG_DEBUG, "trace", &len);
	ck_assert_ptr_nonnull(strstr(out, "]: trace\n"));
	free(out);
}
END_TEST

/* A message longer than the buffer keeps its first MSG_KEPT bytes; the
 * line still ends in a newline. */
START_TEST(test_long_message_cut)
{
	log_init("ferryd", LOG_TO_STDERR, false);
	static const size_t lens[] = { MSG_KEPT - 1, MSG_KEPT, MSG_KEPT + 1, 10000 };
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char *msg = repeat('m', lens[i]);
		size_t len;
		char *out = logged(LOG_INFO, msg, &len);
		const char *start = strstr(out, "]: ");
		ck_assert_ptr_nonnull(start);
		start += 3;
		size_t kept = lens[i] < MSG_KEPT ? lens[i] : MSG_KEPT;
		ck_assert_uint_eq(len, (size_t)(start - out) + kept + 1);
		ck_assert_int_eq(memcmp(start, msg, kept), 0);
		ck_assert_int_eq(out[len - 1], '\n');
		free(out);
		free(msg);
	}
}
END_TEST

/* A name too long for the part before the message is cut there; the
 * message follows whole. */
START_TEST(test_long_name_cut)
{
	char *name = repeat('n', 400);
	log_init(name, LOG_TO_STDERR, false);
	size_t len;
	char *out = logged(LOG_INFO, "after", &len);
	ck_assert_uint_eq(len, HEAD_KEPT + strlen("after") + 1);
	ck_assert_int_eq(out[20], ' ');
	ck_assert_int_eq(out[21], 'n');
	ck_assert_int_eq(out[HEAD_KEPT - 1], 'n');
	ck_assert_str_eq(out + HEAD_KEPT, "after\n");
	free(out);
	free(name);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");

	TCase *core = tcase_create("core");
	tcase_add_test(core, test_line);
	tcase_add_test(core, test_debug_only_when_verbose);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_long_message_cut);
	tcase_add_test(limits, test_long_name_cut);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
