/* Unit tests for scratch: the space is at least what was asked for,
 * zeroed, keeps its contents when it grows (also when it moves), a large
 * one starts on a 2 MiB boundary (where a huge page can back it), and
 * closing unmaps it. */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scratch.h"

/* True while some page of [p, p + n) is mapped (mincore fails with
 * ENOMEM on unmapped memory). */
static bool mapped(const void *p, size_t n)
{
	unsigned char vec[8];
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(page - 1);
	size_t len = n < 8 * (size_t)page ? n : 8 * (size_t)page;
	return mincore((void *)a, len, vec) == 0;
}

static void fill(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 4093)
		p[i] = (char)(seed + i / 4093);
}

static void check_fill(const char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 4093)
		ck_assert_int_eq(p[i], (char)(seed + i / 4093));
}

START_TEST(test_small)
{
	struct scratch sc;
	scratch_open(&sc, 0);
	ck_assert_uint_ge(sc.size, 256u << 10);
	for (size_t i = 0; i < sc.size; i += 4096)
		ck_assert_int_eq(sc.base[i], 0);
	fill(sc.base, sc.size, 7);
	size_t old = sc.size;
	/* Growth, more than once over, keeps what was written. */
	scratch_room(&sc, 5 * old + 123);
	ck_assert_uint_ge(sc.size, 5 * old + 123);
	check_fill(sc.base, old, 7);
	sc.base[sc.size - 1] = 'z';
	/* A need it already meets changes nothing. */
	char *b = sc.base;
	size_t size = sc.size;
	scratch_room(&sc, 10);
	ck_assert_ptr_eq(sc.base, b);
	ck_assert_uint_eq(sc.size, size);
	scratch_close(&sc);
	ck_assert(!mapped(b, size));
}
END_TEST

START_TEST(test_large_aligned)
{
	struct scratch sc;
	scratch_open(&sc, (3u << 20) + 5);
	ck_assert_uint_eq((uintptr_t)sc.base % (2u << 20), 0);
	ck_assert_uint_ge(sc.size, (3u << 20) + 5);
	ck_assert(sc.base >= sc.map && sc.base + sc.size == sc.map + sc.map_size);
	fill(sc.base, sc.size, 3);
	size_t old = sc.size, lead = (size_t)(sc.base - sc.map);
	scratch_room(&sc, 3 * old);
	ck_assert_uint_ge(sc.size, 3 * old);
	ck_assert_uint_eq((size_t)(sc.base - sc.map), lead);
	check_fill(sc.base, old, 3);
	char *b = sc.base;
	size_t size = sc.size;
	scratch_close(&sc);
	ck_assert(!mapped(b, size));
}
END_TEST

/* A hint past the first mapping's limit (64 MiB) maps the limit; more
 * comes on demand. */
START_TEST(test_hint_capped)
{
	struct scratch sc;
	scratch_open(&sc, SIZE_MAX);
	ck_assert_uint_ge(sc.size, 64u << 20);
	ck_assert_uint_le(sc.size, 66u << 20);
	size_t old = sc.size;
	sc.base[old - 1] = 1;
	scratch_room(&sc, old + 1);
	ck_assert_uint_gt(sc.size, old);
	ck_assert_int_eq(sc.base[old - 1], 1);
	ck_assert_int_eq(sc.base[old], 0);
	scratch_close(&sc);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("scratch");
	TCase *tc = tcase_create("scratch");
	tcase_add_test(tc, test_small);
	tcase_add_test(tc, test_large_aligned);
	tcase_add_test(tc, test_hint_capped);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
