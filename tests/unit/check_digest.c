/* Unit tests for digest: known vectors of every algorithm, pieces fed
 * in any split, names, and hashing a file range through digest_fd. */
#include "config.h"

#include "digest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vector {
	enum digest_alg alg;
	const char *input;
	const char *hex;
};

/* Published test vectors (FIPS 180, RFC 1321, the CRC32 check value). */
static const struct vector vectors[] = {
	{ DIGEST_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ DIGEST_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ DIGEST_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ DIGEST_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ DIGEST_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ DIGEST_MD5, "", "d41d8cd98f00b204e9800998ecf8427e" },
	{ DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72" },
	{ DIGEST_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
	{ DIGEST_CRC32, "", "00000000" },
	{ DIGEST_CRC32, "123456789", "cbf43926" },
	{ DIGEST_CRC32, "The quick brown fox jumps over the lazy dog", "414fa339" },
};

START_TEST(test_vector)
{
	const struct vector *v = &vectors[_i];
	struct digest d;
	char hex[DIGEST_HEX_MAX];
	ck_assert_int_eq(digest_init(&d, v->alg), 0);
	digest_update(&d, v->input, strlen(v->input));
	digest_final_hex(&d, hex);
	ck_assert_str_eq(hex, v->hex);
	ck_assert_uint_eq(strlen(hex), digest_hex_len(v->alg));
}
END_TEST

/* Fed one byte at a time, or in two pieces split anywhere, the result is
 * the same as in one piece. */
START_TEST(test_pieces)
{
	const struct vector *v = &vectors[_i];
	size_t n = strlen(v->input);
	for (size_t cut = 0; cut <= n; cut++) {
		struct digest d;
		char hex[DIGEST_HEX_MAX];
		ck_assert_int_eq(digest_init(&d, v->alg), 0);
		digest_update(&d, v->input, cut);
		for (size_t i = cut; i < n; i++)
			digest_update(&d, v->input + i, 1);
		digest_final_hex(&d, hex);
		ck_assert_str_eq(hex, v->hex);
	}
}
END_TEST

START_TEST(test_crc32_continues)
{
	uint32_t a = digest_crc32(0, "12345", 5);
	ck_assert_uint_eq(digest_crc32(a, "6789", 4), 0xcbf43926u);
}
END_TEST

START_TEST(test_names)
{
	enum digest_alg a;
	ck_assert(digest_parse("SHA-256", &a) && a == DIGEST_SHA256);
	ck_assert(digest_parse("sha256", &a) && a == DIGEST_SHA256);
	ck_assert(digest_parse("sha-1", &a) && a == DIGEST_SHA1);
	ck_assert(digest_parse("Md5", &a) && a == DIGEST_MD5);
	ck_assert(digest_parse("crc32", &a) && a == DIGEST_CRC32);
	ck_assert(!digest_parse("SHA-512", &a));
	ck_assert(!digest_parse("", &a));
	ck_assert(!digest_parse("SHA-2567", &a));
	ck_assert_str_eq(digest_name(DIGEST_SHA256), "SHA-256");
	ck_assert_str_eq(digest_name(DIGEST_SHA1), "SHA-1");
	ck_assert_str_eq(digest_name(DIGEST_MD5), "MD5");
	ck_assert_str_eq(digest_name(DIGEST_CRC32), "CRC32");
}
END_TEST

/* digest_fd hashes exactly the range asked for, whole or in part, and a
 * range past the end of the file is an error. */
START_TEST(test_fd_range)
{
	char path[] = "/tmp/check_digest_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	/* Longer than digest_fd's buffer, so the range spans reads. */
	size_t n = 200000;
	char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 251);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);

	char want[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];
	struct digest d;
	digest_init(&d, DIGEST_SHA1);
	digest_update(&d, data, n);
	digest_final_hex(&d, want);
	ck_assert_int_eq(digest_fd(DIGEST_SHA1, fd, 0, -1, got), 0);
	ck_assert_str_eq(got, want);

	digest_init(&d, DIGEST_SHA1);
	digest_update(&d, data + 1000, 150000);
	digest_final_hex(&d, want);
	ck_assert_int_eq(digest_fd(DIGEST_SHA1, fd, 1000, 150000, got), 0);
	ck_assert_str_eq(got, want);

	ck_assert_int_eq(digest_fd(DIGEST_CRC32, fd, 10, 0, got), 0);
	ck_assert_str_eq(got, "00000000");
	ck_assert_int_eq(digest_fd(DIGEST_MD5, fd, (off_t)n - 10, 11, got), -1);
	free(data);
	close(fd);
}
END_TEST

static Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *core = tcase_create("core");
	int nv = (int)(sizeof vectors / sizeof vectors[0]);
	tcase_add_loop_test(core, test_vector, 0, nv);
	tcase_add_loop_test(core, test_pieces, 0, nv);
	tcase_add_test(core, test_crc32_continues);
	tcase_add_test(core, test_names);
	suite_add_tcase(s, core);
	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_fd_range);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(digest_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
