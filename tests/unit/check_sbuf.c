/* Unit tests for sbuf: appending up to the maximum and not past it, the
 * NUL after the contents, and sbuf_extend's room filled in place, over a
 * growing buffer and over the caller's fixed one, and cutting it short. */
#include "config.h"

#include "sbuf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_append_to_max)
{
	struct sbuf b;
	sbuf_init(&b, 10);
	ck_assert(sbuf_append(&b, "0123456", 7));
	ck_assert(!sbuf_append(&b, "abcd", 4));   /* 11 > 10: refused whole */
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(sbuf_str(&b), "0123456");
	ck_assert(sbuf_append(&b, "abc", 3));     /* exactly 10 */
	ck_assert_str_eq(sbuf_str(&b), "0123456abc");
	ck_assert(!sbuf_append(&b, "x", 1));
	ck_assert(sbuf_append(&b, "", 0));
	ck_assert_uint_eq(b.len, 10);
	sbuf_free(&b);
}
END_TEST

START_TEST(test_extend_fills_in_place)
{
	struct sbuf b;
	sbuf_init(&b, 1000);
	ck_assert(sbuf_puts(&b, "ab"));
	char *p = sbuf_extend(&b, 4);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(p, b.data + 2);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(b.data[6], '\0');   /* terminated before it is filled */
	memcpy(p, "cd\r\n", 4);
	ck_assert_str_eq(sbuf_str(&b), "abcd\r\n");
	/* Growing past the first allocation (256 bytes) keeps the contents. */
	for (int i = 0; i < 100; i++) {
		p = sbuf_extend(&b, 3);
		ck_assert_ptr_nonnull(p);
		memcpy(p, "xyz", 3);
	}
	ck_assert_uint_eq(b.len, 306);
	ck_assert_uint_eq(strlen(sbuf_str(&b)), 306);
	ck_assert_int_eq(memcmp(b.data, "abcd\r\nxyzxyz", 12), 0);
	ck_assert_int_eq(memcmp(b.data + 303, "xyz", 4), 0);   /* with its NUL */
	sbuf_free(&b);
}
END_TEST

START_TEST(test_extend_refuses_past_max)
{
	struct sbuf b;
	sbuf_init(&b, 8);
	ck_assert_ptr_nonnull(sbuf_extend(&b, 0));
	char *p = sbuf_extend(&b, 5);
	ck_assert_ptr_nonnull(p);
	memcpy(p, "hello", 5);
	ck_assert_ptr_null(sbuf_extend(&b, 4));   /* 9 > 8 */
	ck_assert_ptr_null(sbuf_extend(&b, (size_t)-1));
	ck_assert_uint_eq(b.len, 5);
	ck_assert_str_eq(sbuf_str(&b), "hello");
	p = sbuf_extend(&b, 3);                   /* exactly 8 */
	ck_assert_ptr_nonnull(p);
	memcpy(p, "!!!", 3);
	ck_assert_str_eq(sbuf_str(&b), "hello!!!");
	sbuf_free(&b);
}
END_TEST

START_TEST(test_extend_over_callers_buffer)
{
	char room[8];
	memset(room, '#', sizeof room);
	struct sbuf b;
	sbuf_init_over(&b, room, sizeof room);   /* 7 bytes and the NUL */
	char *p = sbuf_extend(&b, 7);
	ck_assert_ptr_eq(p, room);
	memcpy(p, "1234567", 7);
	ck_assert_int_eq(room[7], '\0');
	ck_assert_ptr_null(sbuf_extend(&b, 1));
	sbuf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	p = sbuf_extend(&b, 2);
	ck_assert_ptr_eq(p, room);
	ck_assert_int_eq(room[2], '\0');
}
END_TEST

/* sbuf_truncate keeps the first bytes, terminated; a length at or past
 * the contents' leaves them as they are, an empty buffer too. */
START_TEST(test_truncate)
{
	struct sbuf b;
	sbuf_init(&b, 16);
	sbuf_truncate(&b, 0);
	ck_assert_str_eq(sbuf_str(&b), "");
	ck_assert(sbuf_puts(&b, "/a/bc"));
	sbuf_truncate(&b, 9);
	ck_assert_str_eq(sbuf_str(&b), "/a/bc");
	sbuf_truncate(&b, 5);
	ck_assert_str_eq(sbuf_str(&b), "/a/bc");
	sbuf_truncate(&b, 2);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_str_eq(sbuf_str(&b), "/a");
	ck_assert(sbuf_puts(&b, "xyz"));
	ck_assert_str_eq(sbuf_str(&b), "/axyz");
	sbuf_truncate(&b, 0);
	ck_assert_str_eq(sbuf_str(&b), "");
	sbuf_free(&b);
}
END_TEST

static Suite *sbuf_suite(void)
{
	Suite *s = suite_create("sbuf");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_append_to_max);
	tcase_add_test(core, test_extend_fills_in_place);
	tcase_add_test(core, test_extend_refuses_past_max);
	tcase_add_test(core, test_extend_over_callers_buffer);
	tcase_add_test(core, test_truncate);
	suite_add_tcase(s, core);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sbuf_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
