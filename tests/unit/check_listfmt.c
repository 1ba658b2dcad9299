/* Unit tests for listfmt: LIST (`ls -l`) and MLSx lines, MLST fact lists. */
#include "config.h"

#include "listfmt.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "sbuf.h"

/* The "current time" for every listing: 2023-11-14 22:13:20 UTC. */
#define NOW ((time_t)1700000000)
#define DAY ((time_t)24 * 3600)

/* Returns a stat for an entry of the given mode, size and mtime. */
static struct stat make_stat(mode_t mode, off_t size, time_t mtime)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_mode = mode;
	st.st_nlink = 1;
	st.st_uid = 1000;
	st.st_gid = 1000;
	st.st_size = size;
	st.st_mtime = mtime;
	st.st_dev = 0x803;
	st.st_ino = 0x1234;
	return st;
}

/* Formats one ls line into a fresh buffer and compares it. */
static void expect_ls(const char *name, const struct stat *st, const char *target,
		      const char *want)
{
	struct sbuf b;
	sbuf_init(&b, 4096);
	ck_assert(listfmt_ls(&b, name, st, target, NOW));
	ck_assert_str_eq(sbuf_str(&b), want);
	sbuf_free(&b);
}

START_TEST(test_ls_file)
{
	struct stat st = make_stat(S_IFREG | 0644, 1234, NOW - 10 * DAY);
	st.st_gid = 100;
	expect_ls("notes.txt", &st, NULL,
		  "-rw-r--r--   1 1000     100              1234 Nov  4 22:13 notes.txt\r\n");
}
END_TEST

START_TEST(test_ls_dir)
{
	struct stat st = make_stat(S_IFDIR | 0755, 4096, 1500000000);
	st.st_nlink = 3;
	st.st_uid = 0;
	st.st_gid = 0;
	expect_ls("pub", &st, NULL,
		  "drwxr-xr-x   3 0        0                4096 Jul 14  2017 pub\r\n");
}
END_TEST

START_TEST(test_ls_symlink)
{
	struct stat st = make_stat(S_IFLNK | 0777, 9, NOW);
	expect_ls("latest", &st, "notes.txt",
		  "lrwxrwxrwx   1 1000     1000                9 Nov 14 22:13 latest -> notes.txt\r\n");
}
END_TEST

/* Names are written as they are: spaces, UTF-8, a leading space. */
START_TEST(test_ls_names)
{
	struct stat st = make_stat(S_IFREG | 0644, (off_t)5 << 30, NOW - 10 * DAY);
	expect_ls("my file with spaces.iso", &st, NULL,
		  "-rw-r--r--   1 1000     1000       5368709120 Nov  4 22:13 my file with spaces.iso\r\n");
	expect_ls("\xc3\xa9t\xc3\xa9.txt", &st, NULL,
		  "-rw-r--r--   1 1000     1000       5368709120 Nov  4 22:13 \xc3\xa9t\xc3\xa9.txt\r\n");
	expect_ls(" lead", &st, NULL,
		  "-rw-r--r--   1 1000     1000       5368709120 Nov  4 22:13  lead\r\n");
}
END_TEST

/* Wide numbers push the columns right instead of being cut. */
START_TEST(test_ls_wide_numbers)
{
	struct stat st = make_stat(S_IFREG | 0600, 0, 951782400);
	st.st_nlink = 12345;
	st.st_uid = 4294967294u;
	st.st_gid = 65534;
	expect_ls("x", &st, NULL,
		  "-rw------- 12345 4294967294 65534               0 Feb 29  2000 x\r\n");
}
END_TEST

/* Within about six months of now the time of day is shown, else the year. */
static const struct {
	time_t mtime;
	const char *when;
} date_cases[] = {
	{ NOW, "Nov 14 22:13" },
	{ NOW - 10 * DAY, "Nov  4 22:13" },
	{ NOW - 181 * DAY, "May 17 22:13" },
	{ NOW - 183 * DAY, "May 15  2023" },
	{ NOW - 400 * DAY, "Oct 10  2022" },
	{ NOW + 1800, "Nov 14 22:43" },
	{ NOW + 2 * DAY, "Nov 16  2023" },
	{ 1500000000, "Jul 14  2017" },
	{ 0, "Jan  1  1970" },
	{ 951782400, "Feb 29  2000" },
};

START_TEST(test_ls_dates)
{
	struct stat st = make_stat(S_IFREG | 0644, 1, date_cases[_i].mtime);
	char want[128];
	snprintf(want, sizeof want,
		 "-rw-r--r--   1 1000     1000                1 %s f\r\n", date_cases[_i].when);
	expect_ls("f", &st, NULL, want);
}
END_TEST

/* The mode column, including setuid, setgid and sticky bits. */
static const struct {
	mode_t mode;
	const char *text;
} mode_cases[] = {
	{ S_IFREG | 0644, "-rw-r--r--" },
	{ S_IFREG | 0, "----------" },
	{ S_IFREG | 0777, "-rwxrwxrwx" },
	{ S_IFREG | 0421, "-r---w---x" },
	{ S_IFREG | 04755, "-rwsr-xr-x" },
	{ S_IFREG | 04644, "-rwSr--r--" },
	{ S_IFREG | 02755, "-rwxr-sr-x" },
	{ S_IFREG | 02745, "-rwxr-Sr-x" },
	{ S_IFREG | 06755, "-rwsr-sr-x" },
	{ S_IFREG | 07777, "-rwsrwsrwt" },
	{ S_IFREG | 07000, "---S--S--T" },
	{ S_IFDIR | 01777, "drwxrwxrwt" },
	{ S_IFDIR | 01770, "drwxrwx--T" },
	{ S_IFDIR | 0700, "drwx------" },
	{ S_IFLNK | 0777, "lrwxrwxrwx" },
	{ S_IFCHR | 0620, "crw--w----" },
	{ S_IFBLK | 0660, "brw-rw----" },
	{ S_IFIFO | 0600, "prw-------" },
	{ S_IFSOCK | 0755, "srwxr-xr-x" },
};

START_TEST(test_ls_modes)
{
	struct stat st = make_stat(mode_cases[_i].mode, 0, NOW);
	struct sbuf b;
	sbuf_init(&b, 4096);
	ck_assert(listfmt_ls(&b, "x", &st, NULL, NOW));
	const char *line = sbuf_str(&b);
	ck_assert_uint_gt(b.len, 10);
	ck_assert_msg(strncmp(line, mode_cases[_i].text, 10) == 0 && line[10] == ' ',
		      "mode %o: \"%.11s\", expected \"%s \"", (unsigned)mode_cases[_i].mode,
		      line, mode_cases[_i].text);
	sbuf_free(&b);
}
END_TEST

/* Lines are appended, so a listing is one buffer of lines. */
START_TEST(test_ls_appends)
{
	struct stat f = make_stat(S_IFREG | 0644, 1, NOW);
	struct stat d = make_stat(S_IFDIR | 0755, 2, NOW);
	struct sbuf b;
	sbuf_init(&b, 4096);
	ck_assert(listfmt_ls(&b, "a", &f, NULL, NOW));
	ck_assert(listfmt_ls(&b, "b", &d, NULL, NOW));
	ck_assert_str_eq(sbuf_str(&b),
			 "-rw-r--r--   1 1000     1000                1 Nov 14 22:13 a\r\n"
			 "drwxr-xr-x   1 1000     1000                2 Nov 14 22:13 b\r\n");
	sbuf_free(&b);
}
END_TEST

/* MLSx: facts, type, perm and the name. */
struct mlsx_case {
	mode_t mode;
	off_t size;
	unsigned facts;
	const char *name;
	const char *type;
	const char *perm;
	const char *want;
};

static const struct mlsx_case mlsx_cases[] = {
	{ S_IFREG | 0644, 1234, MLST_ALL, "notes.txt", NULL, "adfrw",
	  "type=file;size=1234;modify=20231114221320;perm=adfrw;unique=803g1234; notes.txt\r\n" },
	{ S_IFDIR | 0755, 4096, MLST_ALL, "pub", NULL, "flcdmpe",
	  "type=dir;size=4096;modify=20231114221320;perm=flcdmpe;unique=803g1234; pub\r\n" },
	/* The type fact can be overridden for the directory itself. */
	{ S_IFDIR | 0755, 4096, MLST_ALL, "/pub", "cdir", "el",
	  "type=cdir;size=4096;modify=20231114221320;perm=el;unique=803g1234; /pub\r\n" },
	{ S_IFDIR | 0755, 4096, MLST_TYPE, "..", "pdir", NULL, "type=pdir; ..\r\n" },
	/* A subset of the facts, always in the same order. */
	{ S_IFREG | 0644, 1234, MLST_TYPE | MLST_SIZE, "notes.txt", NULL, "r",
	  "type=file;size=1234; notes.txt\r\n" },
	{ S_IFREG | 0644, 1234, MLST_MODIFY, "notes.txt", NULL, "r",
	  "modify=20231114221320; notes.txt\r\n" },
	{ S_IFREG | 0644, 1234, MLST_UNIQUE | MLST_TYPE, "notes.txt", NULL, "r",
	  "type=file;unique=803g1234; notes.txt\r\n" },
	{ S_IFREG | 0644, 1234, MLST_PERM | MLST_SIZE, "notes.txt", NULL, "r",
	  "size=1234;perm=r; notes.txt\r\n" },
	/* No facts: just the space and the name. */
	{ S_IFREG | 0644, 1234, 0, "notes.txt", NULL, "r", " notes.txt\r\n" },
	/* No perm value: the fact is left out. */
	{ S_IFREG | 0644, 1234, MLST_TYPE | MLST_PERM, "notes.txt", NULL, NULL,
	  "type=file; notes.txt\r\n" },
	/* Other file types. */
	{ S_IFLNK | 0777, 9, MLST_TYPE, "latest", NULL, NULL, "type=OS.unix=symlink; latest\r\n" },
	{ S_IFIFO | 0600, 0, MLST_TYPE, "fifo", NULL, NULL, "type=OS.unix=special; fifo\r\n" },
	/* Sizes past 4 GiB, names with spaces, full paths for MLST. */
	{ S_IFREG | 0644, (off_t)5 << 30, MLST_SIZE, "big file.iso", NULL, NULL,
	  "size=5368709120; big file.iso\r\n" },
	{ S_IFREG | 0644, 0, MLST_TYPE | MLST_SIZE, "/docs/a b/c.txt", NULL, NULL,
	  "type=file;size=0; /docs/a b/c.txt\r\n" },
};

START_TEST(test_mlsx)
{
	const struct mlsx_case *c = &mlsx_cases[_i];
	struct stat st = make_stat(c->mode, c->size, NOW);
	struct sbuf b;

	sbuf_init(&b, 4096);
	ck_assert(listfmt_mlsx(&b, c->facts, c->name, &st, c->type, c->perm));
	ck_assert_str_eq(sbuf_str(&b), c->want);
	sbuf_free(&b);
}
END_TEST

static const struct {
	time_t t;
	const char *text;
} time_cases[] = {
	{ 0, "19700101000000" },
	{ NOW, "20231114221320" },
	{ 951782400, "20000229000000" },
	{ 1500000000, "20170714024000" },
	{ 4102444799, "20991231235959" },
};

START_TEST(test_time)
{
	char out[15];

	memset(out, 'Z', sizeof out);
	listfmt_time(time_cases[_i].t, out, sizeof out);
	ck_assert_str_eq(out, time_cases[_i].text);
}
END_TEST

static const struct {
	const char *s;
	unsigned mask;
} facts_cases[] = {
	{ "type;size;", MLST_TYPE | MLST_SIZE },
	{ "type;size", MLST_TYPE | MLST_SIZE },
	{ "TYPE;Size;MODIFY;", MLST_TYPE | MLST_SIZE | MLST_MODIFY },
	{ "type;size;modify;perm;unique;", MLST_ALL },
	{ "unique", MLST_UNIQUE },
	{ "perm;", MLST_PERM },
	{ "", 0 },
	{ ";", 0 },
	{ ";;type;;", MLST_TYPE },
	/* Unknown facts are ignored; near-misses are unknown. */
	{ "type;media-type;charset;perm;", MLST_TYPE | MLST_PERM },
	{ "typo;sizes;siz;", 0 },
	{ "UNIX.mode;modify;", MLST_MODIFY },
	{ "type;type;", MLST_TYPE },
};

START_TEST(test_parse_facts)
{
	ck_assert_uint_eq(listfmt_parse_facts(facts_cases[_i].s), facts_cases[_i].mask);
}
END_TEST

static const struct {
	unsigned enabled;
	bool stars;
	const char *text;
} facts_string_cases[] = {
	{ MLST_ALL, true, "type*;size*;modify*;perm*;unique*;" },
	{ MLST_TYPE | MLST_MODIFY, true, "type*;size;modify*;perm;unique;" },
	{ 0, true, "type;size;modify;perm;unique;" },
	{ MLST_ALL, false, "type;size;modify;perm;unique;" },
	{ MLST_TYPE | MLST_MODIFY, false, "type;modify;" },
	{ MLST_UNIQUE, false, "unique;" },
	{ 0, false, "" },
};

START_TEST(test_facts_string)
{
	struct sbuf b;

	sbuf_init(&b, 256);
	ck_assert(listfmt_facts_string(&b, facts_string_cases[_i].enabled,
				       facts_string_cases[_i].stars));
	ck_assert_str_eq(sbuf_str(&b), facts_string_cases[_i].text);
	sbuf_free(&b);
}
END_TEST

/* The list OPTS MLST reports is the list it was given: every mask. */
START_TEST(test_facts_roundtrip)
{
	unsigned mask = (unsigned)_i;
	struct sbuf b;

	sbuf_init(&b, 256);
	ck_assert(listfmt_facts_string(&b, mask, false));
	ck_assert_uint_eq(listfmt_parse_facts(sbuf_str(&b)), mask);
	sbuf_free(&b);
}
END_TEST

/* A line that exactly fills the buffer's maximum fits; a byte less fails. */
/* The LIST line as `ls -l` lays it out, through gmtime_r and printf:
 * what listfmt_ls must write, byte for byte, for any entry. */
static void ls_reference(char *out, size_t outsz, const char *name, const struct stat *st,
			 const char *link_target, time_t now)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char mode[11], when[32];
	struct tm tm;
	time_t mt = st->st_mtime;
	listfmt_mode_string(st->st_mode, mode);
	gmtime_r(&mt, &tm);
	if (mt > now - 182 * DAY && mt < now + 3600)
		snprintf(when, sizeof when, "%s %2d %02d:%02d", months[tm.tm_mon], tm.tm_mday,
			 tm.tm_hour, tm.tm_min);
	else
		snprintf(when, sizeof when, "%s %2d  %4d", months[tm.tm_mon], tm.tm_mday,
			 tm.tm_year + 1900);
	int n = snprintf(out, outsz, "%s %3ju %-8ju %-8ju %12jd %s %s", mode,
			 (uintmax_t)st->st_nlink, (uintmax_t)st->st_uid, (uintmax_t)st->st_gid,
			 (intmax_t)st->st_size, when, name);
	if (link_target)
		n += snprintf(out + n, outsz - (size_t)n, " -> %s", link_target);
	snprintf(out + n, outsz - (size_t)n, "\r\n");
}

/* Every seventh day from 1970 to 9999 at a changing time of day, shown
 * with the time or the year, and widths that numbers fill or overflow. */
START_TEST(test_ls_matches_ls_layout)
{
	char want[512];
	struct sbuf b;
	sbuf_init(&b, 4096);
	const long long last_day = 2932896;   /* 9999-12-31 */
	for (long long day = 0; day <= last_day; day += 7) {
		struct stat st = make_stat((day & 1) ? S_IFDIR | 0755 : S_IFREG | 0640,
					   (off_t)(day * 977), (time_t)(day * 86400 + (day * 7919) % 86400));
		st.st_nlink = (nlink_t)(day % 5000);
		st.st_uid = (uid_t)(day * 31);
		st.st_gid = (gid_t)(day % 3 == 0 ? 4294967295u : day % 100);
		if (day % 11 == 0)
			st.st_size = (off_t)999999999999 + day;   /* 13 digits */
		time_t now = st.st_mtime + ((day % 4 == 0) ? 0 : (day % 4 == 1) ? 200 * DAY : -1800);
		const char *target = day % 13 == 0 ? "elsewhere" : NULL;
		ls_reference(want, sizeof want, "name", &st, target, now);
		sbuf_reset(&b);
		ck_assert(listfmt_ls(&b, "name", &st, target, now));
		ck_assert_str_eq(sbuf_str(&b), want);
	}
	/* Before 1970 and past 9999 too. */
	static const time_t edges[] = { -1, -86400 * 365, (time_t)253402300799,
					(time_t)253402300800, (time_t)1LL << 40 };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		struct stat st = make_stat(S_IFREG | 0644, 5, edges[i]);
		ls_reference(want, sizeof want, "e", &st, NULL, NOW);
		sbuf_reset(&b);
		ck_assert(listfmt_ls(&b, "e", &st, NULL, NOW));
		ck_assert_str_eq(sbuf_str(&b), want);
	}
	sbuf_free(&b);
}
END_TEST

START_TEST(test_ls_max)
{
	static const char want[] =
		"lrwxrwxrwx   1 1000     1000                9 Nov 14 22:13 latest -> notes.txt\r\n";
	struct stat st = make_stat(S_IFLNK | 0777, 9, NOW);
	struct sbuf b;

	sbuf_init(&b, sizeof want - 1);
	ck_assert(listfmt_ls(&b, "latest", &st, "notes.txt", NOW));
	ck_assert_str_eq(sbuf_str(&b), want);
	sbuf_free(&b);

	for (size_t max = 0; max < sizeof want - 1; max += 7) {
		sbuf_init(&b, max);
		ck_assert(!listfmt_ls(&b, "latest", &st, "notes.txt", NOW));
		ck_assert_uint_le(b.len, max);
		sbuf_free(&b);
	}
	sbuf_init(&b, sizeof want - 2);
	ck_assert(!listfmt_ls(&b, "latest", &st, "notes.txt", NOW));
	sbuf_free(&b);
}
END_TEST

START_TEST(test_mlsx_max)
{
	static const char want[] =
		"type=file;size=1234;modify=20231114221320;perm=adfrw;unique=803g1234; notes.txt\r\n";
	struct stat st = make_stat(S_IFREG | 0644, 1234, NOW);
	struct sbuf b;

	sbuf_init(&b, sizeof want - 1);
	ck_assert(listfmt_mlsx(&b, MLST_ALL, "notes.txt", &st, NULL, "adfrw"));
	ck_assert_str_eq(sbuf_str(&b), want);
	sbuf_free(&b);

	for (size_t max = 0; max < sizeof want - 1; max += 5) {
		sbuf_init(&b, max);
		ck_assert(!listfmt_mlsx(&b, MLST_ALL, "notes.txt", &st, NULL, "adfrw"));
		ck_assert_uint_le(b.len, max);
		sbuf_free(&b);
	}
	sbuf_init(&b, sizeof want - 2);
	ck_assert(!listfmt_mlsx(&b, MLST_ALL, "notes.txt", &st, NULL, "adfrw"));
	sbuf_free(&b);
}
END_TEST

/* Names far longer than the internal format buffers come out whole. */
START_TEST(test_long_names)
{
	size_t n = 4000;
	char *name = malloc(n + 1);
	ck_assert_ptr_nonnull(name);
	memset(name, 'n', n);
	name[n] = '\0';
	struct stat st = make_stat(S_IFREG | 0644, 1, NOW);
	struct sbuf b;

	sbuf_init(&b, 65536);
	ck_assert(listfmt_ls(&b, name, &st, name, NOW));
	const char *line = sbuf_str(&b);
	ck_assert_uint_eq(b.len, strlen("-rw-r--r--   1 1000     1000                1 Nov 14 22:13 ") +
				 n + 4 + n + 2);
	ck_assert(strncmp(line + b.len - n - 2, name, n) == 0);
	sbuf_reset(&b);
	ck_assert(listfmt_mlsx(&b, MLST_TYPE, name, &st, NULL, NULL));
	ck_assert_uint_eq(b.len, strlen("type=file; ") + n + 2);
	sbuf_free(&b);
	free(name);
}
END_TEST

/* The time always fits a 15-byte buffer, even for times past 9999. */
START_TEST(test_time_far_future)
{
	char out[15];
	memset(out, 'Z', sizeof out);
	listfmt_time((time_t)253402300799, out, sizeof out);   /* 9999-12-31 23:59:59 */
	ck_assert_str_eq(out, "99991231235959");
	listfmt_time((time_t)253402300800, out, sizeof out);   /* 10000-01-01 */
	ck_assert_uint_eq(strlen(out), 14);
}
END_TEST

static Suite *listfmt_suite(void)
{
	Suite *s = suite_create("listfmt");

	TCase *core = tcase_create("core");
	/* test_ls_matches_ls_layout formats 419,000 dates: about a second
	 * alone, several under the sanitizers on a busy machine. */
	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_ls_file);
	tcase_add_test(core, test_ls_dir);
	tcase_add_test(core, test_ls_symlink);
	tcase_add_test(core, test_ls_names);
	tcase_add_test(core, test_ls_wide_numbers);
	tcase_add_loop_test(core, test_ls_dates, 0,
			    (int)(sizeof date_cases / sizeof date_cases[0]));
	tcase_add_loop_test(core, test_ls_modes, 0,
			    (int)(sizeof mode_cases / sizeof mode_cases[0]));
	tcase_add_test(core, test_ls_appends);
	tcase_add_test(core, test_ls_matches_ls_layout);
	tcase_add_loop_test(core, test_mlsx, 0,
			    (int)(sizeof mlsx_cases / sizeof mlsx_cases[0]));
	tcase_add_loop_test(core, test_time, 0,
			    (int)(sizeof time_cases / sizeof time_cases[0]));
	tcase_add_loop_test(core, test_parse_facts, 0,
			    (int)(sizeof facts_cases / sizeof facts_cases[0]));
	tcase_add_loop_test(core, test_facts_string, 0,
			    (int)(sizeof facts_string_cases / sizeof facts_string_cases[0]));
	tcase_add_loop_test(core, test_facts_roundtrip, 0, MLST_ALL + 1);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_ls_max);
	tcase_add_test(limits, test_mlsx_max);
	tcase_add_test(limits, test_long_names);
	tcase_add_test(limits, test_time_far_future);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(listfmt_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
