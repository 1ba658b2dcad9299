/* Unit tests for listparse: a corpus of listing lines as real servers send
 * them (vsftpd 3.0.3, pure-ftpd 1.0.50 and ferryd lines captured from the
 * servers; proftpd, IIS and busybox lines in their documented forms), each
 * with the entry it must give. */
#include "config.h"

#include "listparse.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "Now" for every case: 2026-11-21 10:10:00 UTC. Dates shown with a time
 * of day are this year's unless that lies more than two days ahead. */
#define NOW ((time_t)1795255800)

/* One line and what it must parse to. */
struct lp_case {
	const char *src;      /* where the line comes from */
	const char *line;
	int rc;               /* 1 entry, 0 left out, -1 not understood */
	const char *name;     /* raw name */
	const char *display;  /* sanitised name (NULL: same as name) */
	enum ftp_entry_type type;
	long long size;       /* -1 unknown */
	const char *when;     /* "YYYY-MM-DD HH:MM:SS" UTC, or NULL for unknown */
	const char *perms;
	const char *target;   /* NULL: none */
};

static const struct lp_case list_cases[] = {
	/* vsftpd 3.0.3 */
	{ "vsftpd", "-rw-r--r--    1 0        0               5 Nov 21 10:03 a b.txt",
	  1, "a b.txt", NULL, FTP_ENTRY_FILE, 5, "2026-11-21 10:03:00", "-rw-r--r--", NULL },
	{ "vsftpd", "drwxr-xr-x    2 0        0            4096 Jan 01  2020 dir",
	  1, "dir", NULL, FTP_ENTRY_DIR, 4096, "2020-01-01 00:00:00", "drwxr-xr-x", NULL },
	{ "vsftpd", "lrwxrwxrwx    1 0        0               4 Nov 21 10:03 link -> /etc",
	  1, "link", NULL, FTP_ENTRY_LINK, 4, "2026-11-21 10:03:00", "lrwxrwxrwx", "/etc" },
	{ "vsftpd", "drwxr-xr-x    2 0        0            4096 Nov 21 10:03 sp ace dir",
	  1, "sp ace dir", NULL, FTP_ENTRY_DIR, 4096, "2026-11-21 10:03:00", "drwxr-xr-x", NULL },
	{ "vsftpd", "-rw-r--r--    1 0        0               0 Jan 01  2020 old.txt",
	  1, "old.txt", NULL, FTP_ENTRY_FILE, 0, "2020-01-01 00:00:00", "-rw-r--r--", NULL },
	/* pure-ftpd 1.0.50 */
	{ "pure-ftpd", "-rw-r--r--    1 0          0                1024 Nov 21 10:03 data.bin",
	  1, "data.bin", NULL, FTP_ENTRY_FILE, 1024, "2026-11-21 10:03:00", "-rw-r--r--", NULL },
	{ "pure-ftpd", "drwxr-xr-x    2 0          0                4096 Jan  1  2020 dir",
	  1, "dir", NULL, FTP_ENTRY_DIR, 4096, "2020-01-01 00:00:00", "drwxr-xr-x", NULL },
	{ "pure-ftpd", "lrwxrwxrwx    1 0          0                   8 Nov 21 10:03 rel -> data.bin",
	  1, "rel", NULL, FTP_ENTRY_LINK, 8, "2026-11-21 10:03:00", "lrwxrwxrwx", "data.bin" },
	{ "pure-ftpd", "-rw-r--r--    1 alice      users            2048 Mar  3 14:20 report 2026.pdf",
	  1, "report 2026.pdf", NULL, FTP_ENTRY_FILE, 2048, "2026-03-03 14:20:00", "-rw-r--r--", NULL },
	/* ferryd */
	{ "ferryd", "-rw-r--r--   1 0        0                   5 Nov 21 10:03 a b.txt",
	  1, "a b.txt", NULL, FTP_ENTRY_FILE, 5, "2026-11-21 10:03:00", "-rw-r--r--", NULL },
	{ "ferryd", "drwxr-xr-x   2 65534    0                4096 Nov 21 10:03 upload",
	  1, "upload", NULL, FTP_ENTRY_DIR, 4096, "2026-11-21 10:03:00", "drwxr-xr-x", NULL },
	/* proftpd */
	{ "proftpd", "-rw-r--r-- 1 owner group 213 Aug 26 16:31 README",
	  1, "README", NULL, FTP_ENTRY_FILE, 213, "2026-08-26 16:31:00", "-rw-r--r--", NULL },
	{ "proftpd", "lrwxrwxrwx 1 ftp ftp 4 Nov 21 09:57 link -> /etc",
	  1, "link", NULL, FTP_ENTRY_LINK, 4, "2026-11-21 09:57:00", "lrwxrwxrwx", "/etc" },
	{ "proftpd", "-rw-r--r--   1 ftp      ftp        104857600 Jul 13  2019 100MB.bin",
	  1, "100MB.bin", NULL, FTP_ENTRY_FILE, 104857600, "2019-07-13 00:00:00", "-rw-r--r--", NULL },
	{ "proftpd", "drwxrwsr-t   2 ftp      ftp             4096 Feb 29  2024 drop box",
	  1, "drop box", NULL, FTP_ENTRY_DIR, 4096, "2024-02-29 00:00:00", "drwxrwsr-t", NULL },
	/* IIS in Unix mode */
	{ "IIS unix", "-rwxrwxrwx   1 owner    group          1024 Jan 15 10:30 file.txt",
	  1, "file.txt", NULL, FTP_ENTRY_FILE, 1024, "2026-01-15 10:30:00", "-rwxrwxrwx", NULL },
	{ "IIS unix", "d---------   1 owner    group             0 Feb  2  2019 folder",
	  1, "folder", NULL, FTP_ENTRY_DIR, 0, "2019-02-02 00:00:00", "d---------", NULL },
	/* busybox ftpd: a time of day for a date ahead of now is last year */
	{ "busybox", "-rw-r--r--    1 0        0             123 Dec 25 10:00 xmas.txt",
	  1, "xmas.txt", NULL, FTP_ENTRY_FILE, 123, "2025-12-25 10:00:00", "-rw-r--r--", NULL },
	{ "busybox", "-rw-r--r--    1 0        0             123 Nov 22 23:00 tomorrow.txt",
	  1, "tomorrow.txt", NULL, FTP_ENTRY_FILE, 123, "2026-11-22 23:00:00", "-rw-r--r--", NULL },
	/* IIS / DOS */
	{ "IIS", "12-25-20  10:30AM       <DIR>          Program Files",
	  1, "Program Files", NULL, FTP_ENTRY_DIR, -1, "2020-12-25 10:30:00", "", NULL },
	{ "IIS", "01-02-2021  09:15PM             1234 notes.txt",
	  1, "notes.txt", NULL, FTP_ENTRY_FILE, 1234, "2021-01-02 21:15:00", "", NULL },
	{ "IIS", "06-01-21  12:05AM                    0 empty.log",
	  1, "empty.log", NULL, FTP_ENTRY_FILE, 0, "2021-06-01 00:05:00", "", NULL },
	{ "IIS", "06-01-21  12:05PM                    7 noon.log",
	  1, "noon.log", NULL, FTP_ENTRY_FILE, 7, "2021-06-01 12:05:00", "", NULL },
	{ "IIS", "03-04-99  08:00AM                   10 old  two spaces.txt",
	  1, "old  two spaces.txt", NULL, FTP_ENTRY_FILE, 10, "1999-03-04 08:00:00", "", NULL },
	{ "IIS 24h", "12-25-20  22:30       <DIR>          late",
	  1, "late", NULL, FTP_ENTRY_DIR, -1, "2020-12-25 22:30:00", "", NULL },
	{ "IIS grouped", "11-04-19  01:45PM            2,048,000 big.iso",
	  1, "big.iso", NULL, FTP_ENTRY_FILE, 2048000, "2019-11-04 13:45:00", "", NULL },
	/* Other shapes of `ls -l` */
	{ "device", "crw-rw-rw-    1 0        0          1,   3 Nov 21 09:57 null",
	  1, "null", NULL, FTP_ENTRY_OTHER, -1, "2026-11-21 09:57:00", "crw-rw-rw-", NULL },
	{ "ACL mark", "-rw-r--r--+   1 user     group          12 Nov 21 09:57 acl.txt",
	  1, "acl.txt", NULL, FTP_ENTRY_FILE, 12, "2026-11-21 09:57:00", "-rw-r--r--+", NULL },
	{ "no group", "-rw-r--r--   1 user  12 Nov 21 09:57 nogroup.txt",
	  1, "nogroup.txt", NULL, FTP_ENTRY_FILE, 12, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	{ "long-iso", "-rw-r--r--   1 user group 42 2020-05-06 07:08 iso.txt",
	  1, "iso.txt", NULL, FTP_ENTRY_FILE, 42, "2020-05-06 07:08:00", "-rw-r--r--", NULL },
	{ "leading space", "-rw-r--r--    1 0        0               3 Nov 21 09:57  lead",
	  1, " lead", NULL, FTP_ENTRY_FILE, 3, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	{ "date-like name", "-rw-r--r--    1 0        0               3 Nov 21 09:57 Jan 1 2020",
	  1, "Jan 1 2020", NULL, FTP_ENTRY_FILE, 3, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	{ "owner named like a month", "-rw-r--r--    1 may      jan             3 Nov 21 09:57 m",
	  1, "m", NULL, FTP_ENTRY_FILE, 3, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	{ "escape in name", "-rw-r--r--    1 0        0               3 Nov 21 09:57 evil\x1b[31mred",
	  1, "evil\x1b[31mred", "evil?[31mred", FTP_ENTRY_FILE, 3, "2026-11-21 09:57:00",
	  "-rw-r--r--", NULL },
	{ "arrow in target", "lrwxrwxrwx    1 0        0               4 Nov 21 09:57 a -> b -> c",
	  1, "a", NULL, FTP_ENTRY_LINK, 4, "2026-11-21 09:57:00", "lrwxrwxrwx", "b -> c" },
	{ "arrow in a file name", "-rw-r--r--    1 0        0               4 Nov 21 09:57 x -> y",
	  1, "x -> y", NULL, FTP_ENTRY_FILE, 4, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	{ "tab separated", "-rw-r--r--\t1 0\t0\t9 Nov 21 09:57 tabbed",
	  1, "tabbed", NULL, FTP_ENTRY_FILE, 9, "2026-11-21 09:57:00", "-rw-r--r--", NULL },
	/* Lines left out */
	{ "total", "total 24", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "blank", "", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "dot", "drwxr-xr-x    4 0        0            4096 Nov 21 10:03 .",
	  0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "dotdot", "drwxr-xr-x    3 0        0            4096 Nov 21 10:03 ..",
	  0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "DOS dot", "12-25-20  10:30AM       <DIR>          .", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	/* Lines not understood */
	{ "garbage", "garbage line", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "size not a number", "-rw-r--r-- 1 0 0 x Nov 21 09:57 nosize",
	  -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "no name", "drwxr-xr-x 2 0 0 4096 Nov 21 09:57", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "no name, trailing space", "drwxr-xr-x 2 0 0 4096 Nov 21 09:57 ",
	  -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "bad month", "-rw-r--r-- 1 0 0 5 Foo 21 09:57 x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "bad hour", "-rw-r--r-- 1 0 0 5 Nov 21 29:57 x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "bad mode", "-rw-r--r-Q 1 0 0 5 Nov 21 09:57 x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "DOS bad date", "13/25/20  10:30AM  <DIR>  x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "DOS bad size", "12-25-20  10:30AM  12a  x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "DOS no name", "12-25-20  10:30AM  12", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "DOS 13PM", "12-25-20  13:30PM  12  x", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "huge size", "-rw-r--r-- 1 0 0 99999999999999999999 Nov 21 09:57 x",
	  -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
};

static const struct lp_case mlsx_cases[] = {
	/* pure-ftpd 1.0.50 */
	{ "pure-ftpd", "type=file;size=1024;modify=20261121100313;UNIX.mode=0644;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72ff2; data.bin",
	  1, "data.bin", NULL, FTP_ENTRY_FILE, 1024, "2026-11-21 10:03:13", "-rw-r--r--", NULL },
	{ "pure-ftpd", "type=dir;sizd=4096;modify=20200101120000;UNIX.mode=0755;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72fef; dir",
	  1, "dir", NULL, FTP_ENTRY_DIR, -1, "2020-01-01 12:00:00", "drwxr-xr-x", NULL },
	{ "pure-ftpd", "type=OS.unix=slink:;size=8;modify=20261121100313;UNIX.mode=0777;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72a31; rel",
	  1, "rel", NULL, FTP_ENTRY_LINK, 8, "2026-11-21 10:03:13", "lrwxrwxrwx", NULL },
	{ "pure-ftpd", "type=dir;sizd=4096;modify=20261121100313;UNIX.mode=0755;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72ff0; sp ace dir",
	  1, "sp ace dir", NULL, FTP_ENTRY_DIR, -1, "2026-11-21 10:03:13", "drwxr-xr-x", NULL },
	{ "pure-ftpd", "type=cdir;sizd=4096;modify=20261121100318;UNIX.mode=0755;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72fee; .", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "pure-ftpd", "type=pdir;sizd=4096;modify=20261121100318;UNIX.mode=0755;UNIX.uid=0;"
	  "UNIX.gid=0;unique=fe00ga72fee; ..", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	/* ferryd */
	{ "ferryd", "type=file;size=5;modify=20261121100313;perm=rdf;unique=fe00ga72ff1; a b.txt",
	  1, "a b.txt", NULL, FTP_ENTRY_FILE, 5, "2026-11-21 10:03:13", "", NULL },
	{ "ferryd", "type=OS.unix=symlink;size=4;modify=20261121100313;perm=rwadf;"
	  "unique=fe00ga72ff4; link",
	  1, "link", NULL, FTP_ENTRY_LINK, 4, "2026-11-21 10:03:13", "", NULL },
	{ "ferryd", "type=dir;size=4096;modify=20200101120000;perm=eldf;unique=fe00ga72fef; dir",
	  1, "dir", NULL, FTP_ENTRY_DIR, 4096, "2020-01-01 12:00:00", "", NULL },
	/* proftpd: the type fact after UNIX.mode, link targets in the type */
	{ "proftpd", "modify=20190713101010;perm=flcdmpe;type=dir;unique=803U2;UNIX.group=0;"
	  "UNIX.mode=0755;UNIX.owner=0; pub",
	  1, "pub", NULL, FTP_ENTRY_DIR, -1, "2019-07-13 10:10:10", "drwxr-xr-x", NULL },
	{ "proftpd", "modify=20200101000000;perm=adfr;size=4;type=OS.unix=slink:/etc;"
	  "unique=803U5;UNIX.mode=0777; link",
	  1, "link", NULL, FTP_ENTRY_LINK, 4, "2020-01-01 00:00:00", "lrwxrwxrwx", "/etc" },
	{ "proftpd", "modify=20200101000000;perm=adfr;size=10;type=file;UNIX.mode=04755; suid",
	  1, "suid", NULL, FTP_ENTRY_FILE, 10, "2020-01-01 00:00:00", "-rwsr-xr-x", NULL },
	/* pyftpdlib 1.5.7 (after OPTS MLST ...;unix.mode;): Python's octal form */
	{ "pyftpdlib", "modify=20261202023223;perm=radfwMT;size=2;type=file;unique=fe00gaeebd1;"
	  "unix.mode=0o644; x.txt",
	  1, "x.txt", NULL, FTP_ENTRY_FILE, 2, "2026-12-02 02:32:23", "-rw-r--r--", NULL },
	{ "pyftpdlib", "type=dir;unix.mode=0o755; d", 1, "d", NULL, FTP_ENTRY_DIR, -1, NULL,
	  "drwxr-xr-x", NULL },
	{ "bad mode", "type=file;UNIX.mode=0o; x", 1, "x", NULL, FTP_ENTRY_FILE, -1, NULL, "", NULL },
	/* Variants RFC 3659 allows */
	{ "fraction", "type=file;size=0;modify=20200101120000.123; frac",
	  1, "frac", NULL, FTP_ENTRY_FILE, 0, "2020-01-01 12:00:00", "", NULL },
	{ "fact case", "Type=File;Size=7;Modify=20200101120000; upper",
	  1, "upper", NULL, FTP_ENTRY_FILE, 7, "2020-01-01 12:00:00", "", NULL },
	{ "no facts", " bare", 1, "bare", NULL, FTP_ENTRY_OTHER, -1, NULL, "", NULL },
	{ "'; ' in name", "type=file;size=1; odd; name",
	  1, "odd; name", NULL, FTP_ENTRY_FILE, 1, NULL, "", NULL },
	{ "unknown type", "type=OS.unix=chr-1/3;size=0; null",
	  1, "null", NULL, FTP_ENTRY_OTHER, 0, NULL, "", NULL },
	{ "bad modify", "type=file;modify=2020; x", 1, "x", NULL, FTP_ENTRY_FILE, -1, NULL, "", NULL },
	{ "bad month", "type=file;modify=20201301000000; x", 1, "x", NULL, FTP_ENTRY_FILE, -1, NULL, "", NULL },
	{ "huge size", "type=file;size=99999999999999999999; big",
	  1, "big", NULL, FTP_ENTRY_FILE, -1, NULL, "", NULL },
	{ "escape in name", "type=file;size=1; \x1b]0;title\x07",
	  1, "\x1b]0;title\x07", "?]0;title?", FTP_ENTRY_FILE, 1, NULL, "", NULL },
	{ "dot as dir", "type=dir;size=1; .", 0, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "no separator", "no facts here", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "no name", "type=file;size=1; ", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
	{ "empty", "", -1, NULL, NULL, 0, 0, NULL, NULL, NULL },
};

/* Formats t as the cases write times, or "unknown" for 0. */
static void fmt_time(time_t t, char *out, size_t n)
{
	struct tm tm;
	if (t == 0) {
		snprintf(out, n, "unknown");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Checks one parsed entry against its case. */
static void check_entry(const struct lp_case *c, int rc, const struct ftp_entry *e)
{
	char got[64];

	ck_assert_msg(rc == c->rc, "%s: \"%s\": rc %d, want %d", c->src, c->line, rc, c->rc);
	if (rc != 1)
		return;
	ck_assert_str_eq(e->name, c->name);
	ck_assert_str_eq(e->display, c->display ? c->display : c->name);
	ck_assert_msg(e->type == c->type, "%s: type %d, want %d", c->src, e->type, c->type);
	ck_assert_msg((long long)e->size == c->size, "%s: size %lld, want %lld", c->src,
		      (long long)e->size, c->size);
	fmt_time(e->mtime, got, sizeof got);
	ck_assert_str_eq(got, c->when ? c->when : "unknown");
	ck_assert_str_eq(e->perms, c->perms);
	if (c->target == NULL)
		ck_assert_ptr_null(e->target);
	else
		ck_assert_str_eq(e->target ? e->target : "(none)", c->target);
}

START_TEST(test_list_line)
{
	const struct lp_case *c = &list_cases[_i];
	struct ftp_entry e;
	int rc = listparse_list(c->line, strlen(c->line), NOW, &e);
	check_entry(c, rc, &e);
	if (rc == 1)
		listparse_entry_free(&e);
}
END_TEST

START_TEST(test_mlsx_line)
{
	const struct lp_case *c = &mlsx_cases[_i];
	struct ftp_entry e;
	int rc = listparse_mlsx(c->line, strlen(c->line), &e);
	check_entry(c, rc, &e);
	if (rc == 1)
		listparse_entry_free(&e);
}
END_TEST

/* The unique fact is kept as sent (a directory listed under two names,
 * such as a link to it, has one); a line without it has none. */
START_TEST(test_mlsx_unique)
{
	static const char dir[] = "type=dir;size=4096;unique=803U2;perm=el; pub";
	static const char link[] = "type=OS.unix=slink:.;Unique=fe00gb3e104; loop";
	static const char none[] = "type=dir;size=4096; other";
	struct ftp_entry e;
	ck_assert_int_eq(listparse_mlsx(dir, strlen(dir), &e), 1);
	ck_assert_str_eq(e.unique, "803U2");
	listparse_entry_free(&e);
	ck_assert_ptr_null(e.unique);
	ck_assert_int_eq(listparse_mlsx(link, strlen(link), &e), 1);
	ck_assert_int_eq(e.type, FTP_ENTRY_LINK);
	ck_assert_str_eq(e.unique, "fe00gb3e104");
	listparse_entry_free(&e);
	ck_assert_int_eq(listparse_mlsx(none, strlen(none), &e), 1);
	ck_assert_ptr_null(e.unique);
	listparse_entry_free(&e);
	ck_assert(listparse_reads_fact("UNIQUE", 6));
}
END_TEST

/* The line length given is what counts, not a NUL further on. */
START_TEST(test_list_uses_len)
{
	const char *line = "-rw-r--r-- 1 0 0 5 Nov 21 09:57 name.txtTRAILING";
	struct ftp_entry e;
	ck_assert_int_eq(listparse_list(line, strlen(line) - 8, NOW, &e), 1);
	ck_assert_str_eq(e.name, "name.txt");
	listparse_entry_free(&e);
	/* A NUL inside the line is refused, not cut at. */
	const char nul[] = "-rw-r--r-- 1 0 0 5 Nov 21 09:57 a\0b";
	ck_assert_int_eq(listparse_list(nul, sizeof nul - 1, NOW, &e), -1);
	const char mnul[] = "type=file; a\0b";
	ck_assert_int_eq(listparse_mlsx(mnul, sizeof mnul - 1, &e), -1);
}
END_TEST

/* A whole body: CRLF and LF lines, the total line, a line not understood,
 * and a last line without an end. */
START_TEST(test_buffer_list)
{
	static const char body[] =
		"total 12\r\n"
		"drwxr-xr-x    2 0        0            4096 Jan 01  2020 dir\r\n"
		"this is not a listing line\r\n"
		"-rw-r--r--    1 0        0               5 Nov 21 10:03 a b.txt\n"
		"\r\n"
		"12-25-20  10:30AM       <DIR>          Program Files";
	struct ftp_listing l;
	listparse_init(&l);
	listparse_buffer(body, sizeof body - 1, false, NOW, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.skipped, 1);
	ck_assert_str_eq(l.first_skipped, "this is not a listing line");
	ck_assert_str_eq(l.v[0].name, "dir");
	ck_assert_int_eq(l.v[0].type, FTP_ENTRY_DIR);
	ck_assert_str_eq(l.v[1].name, "a b.txt");
	ck_assert_int_eq(l.v[1].size, 5);
	ck_assert_str_eq(l.v[2].name, "Program Files");
	/* Appending adds to what is there. */
	listparse_buffer("-rw-r--r-- 1 0 0 1 Nov 21 09:57 more\r\n", 38, false, NOW, &l);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[3].name, "more");
	listparse_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

/* ls -a's line for the directory itself is left out and noted
 * (self_seen); "..", a file called "." in another form, or MLSD's
 * cdir are not that line. */
START_TEST(test_buffer_self)
{
	static const struct {
		const char *body;
		bool mlsx, self;
	} cases[] = {
		{ "drwxr-xr-x    3 0        0            4096 Nov 21 10:03 .\r\n", false, true },
		{ "drwxr-xr-x    9 0        0            4096 Nov 21 10:03 ..\r\n", false, false },
		{ "-rw-r--r--    1 0        0               5 Nov 21 10:03 .hid\r\n", false, false },
		{ "type=cdir;modify=20241121100300; .\r\n", true, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ftp_listing l;
		listparse_init(&l);
		listparse_buffer(cases[i].body, strlen(cases[i].body), cases[i].mlsx, NOW, &l);
		ck_assert_msg(l.self_seen == cases[i].self, "%s", cases[i].body);
		listparse_free(&l);
	}
}
END_TEST

START_TEST(test_buffer_mlsx)
{
	static const char body[] =
		"type=cdir;modify=20200101000000; /pub\r\n"
		"type=pdir;modify=20200101000000; /\r\n"
		"type=file;size=3;modify=20200101000000; one\r\n"
		"type=dir;modify=20200101000000; two\r\n"
		"broken\r\n";
	struct ftp_listing l;
	listparse_init(&l);
	listparse_buffer(body, sizeof body - 1, true, NOW, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.skipped, 1);
	ck_assert_str_eq(l.v[0].name, "one");
	ck_assert_str_eq(l.v[1].name, "two");
	listparse_free(&l);
}
END_TEST

/* The first line not understood is kept to show: sanitised, cut to its
 * start and end (a LIST line's name is at its end), and not replaced by later ones; listparse_add_skipped
 * adds counts and keeps the first listing's line. */
START_TEST(test_buffer_first_skipped)
{
	static const char body[] =
		"\x1b[2Jodd\tline\r\n"
		"-rw-r--r-- 1 0 0 1 Nov 21 09:57 fine\r\n"
		"second odd line\r\n";
	struct ftp_listing l, more;
	char longline[300];

	listparse_init(&l);
	listparse_buffer(body, sizeof body - 1, false, NOW, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.skipped, 2);
	ck_assert_str_eq(l.first_skipped, "?[2Jodd?line");

	listparse_init(&more);
	memset(longline, 'x', sizeof longline);
	memcpy(longline, "start", 5);
	memcpy(longline + sizeof longline - 3, "end", 3);
	listparse_buffer(longline, sizeof longline, false, NOW, &more);
	ck_assert_uint_eq(more.skipped, 1);
	ck_assert_uint_lt(strlen(more.first_skipped), LISTPARSE_SHOWN_MAX);
	ck_assert(strncmp(more.first_skipped, "start", 5) == 0);
	ck_assert_ptr_nonnull(strstr(more.first_skipped, "..."));
	size_t shown = strlen(more.first_skipped);
	ck_assert_str_eq(more.first_skipped + shown - 3, "end");

	listparse_add_skipped(&l, &more);
	ck_assert_uint_eq(l.skipped, 3);
	ck_assert_str_eq(l.first_skipped, "?[2Jodd?line");
	struct ftp_listing none;
	listparse_init(&none);
	listparse_add_skipped(&none, &more);
	ck_assert_uint_eq(none.skipped, 1);
	ck_assert_str_eq(none.first_skipped, more.first_skipped);
	listparse_free(&l);
	listparse_free(&more);
}
END_TEST

/* Many entries: the array grows past its first allocation. */
START_TEST(test_buffer_many)
{
	char line[128];
	struct ftp_listing l;
	listparse_init(&l);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(line, sizeof line, "type=file;size=%d; f%04d\r\n", i, i);
		listparse_buffer(line, (size_t)n, true, NOW, &l);
	}
	ck_assert_uint_eq(l.n, 1000);
	ck_assert_str_eq(l.v[999].name, "f0999");
	ck_assert_int_eq(l.v[999].size, 999);
	listparse_free(&l);
}
END_TEST

/* RFC 3659 time-vals, as MDTM replies carry them. */
static const struct {
	const char *s;
	const char *when;  /* NULL: refused */
} time_cases[] = {
	{ "20261121100313", "2026-11-21 10:03:13" },
	{ "19700101000001", "1970-01-01 00:00:01" },
	{ "20200229235959.999", "2020-02-29 23:59:59" },
	{ "2026112110031", NULL },
	{ "20261121100313x", NULL },
	{ "2026112110031a", NULL },
	{ "20261321100313", NULL },
	{ "20261121250313", NULL },
	{ "", NULL },
};

START_TEST(test_time_val)
{
	char got[64];
	time_t t = listparse_time_val(time_cases[_i].s, strlen(time_cases[_i].s));
	fmt_time(t, got, sizeof got);
	ck_assert_str_eq(got, time_cases[_i].when ? time_cases[_i].when : "unknown");
}
END_TEST

/* Every time-val of 1970 to 9999 gives the time timegm gives for its
 * fields, including the days and second past a month's or minute's end
 * that the range checks let through (they carry over, as timegm
 * normalises them): one day of every month of every fourth year, plus
 * the turns of the centuries. */
START_TEST(test_time_val_matches_timegm)
{
	static const int days[] = { 1, 28, 29, 30, 31 };
	char s[32];
	for (int year = 1970; year <= 9999; year += (year >= 2096 && year <= 2104) ? 1 : 4) {
		for (int mon = 1; mon <= 12; mon++) {
			for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
				struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1,
						 .tm_mday = days[d], .tm_hour = 23,
						 .tm_min = 59, .tm_sec = 60 };
				time_t want = timegm(&tm);
				snprintf(s, sizeof s, "%04d%02d%02d235960", year, mon, days[d]);
				ck_assert_msg(listparse_time_val(s, 14) == want, "%s: %lld, timegm %lld",
					      s, (long long)listparse_time_val(s, 14), (long long)want);
			}
		}
	}
	ck_assert_int_eq(listparse_time_val("99991231235960", 14), 253402300800);
}
END_TEST

/* Links whose target is a plain name the folder does not hold are broken;
 * targets elsewhere, hidden ones and links without a target are not known
 * to be. */
START_TEST(test_mark_broken)
{
	static const char body[] =
		"lrwxrwxrwx 1 u g 10 Jan 01 2020 good -> target.txt\r\n"
		"lrwxrwxrwx 1 u g 11 Jan 01 2020 dead -> missing.txt\r\n"
		"lrwxrwxrwx 1 u g 11 Jan 01 2020 far -> ../missing.txt\r\n"
		"lrwxrwxrwx 1 u g 11 Jan 01 2020 hid -> .hidden\r\n"
		"lrwxrwxrwx 1 u g 4 Jan 01 2020 chain -> dead\r\n"
		"-rw-r--r-- 1 u g 2 Jan 01 2020 target.txt\r\n";
	struct ftp_listing l;
	bool broken[6];
	listparse_init(&l);
	listparse_buffer(body, sizeof body - 1, false, NOW, &l);
	ck_assert_uint_eq(l.n, 6);
	listparse_mark_broken(&l, broken);
	static const bool want[6] = { false, true, false, false, false, false };
	for (size_t i = 0; i < 6; i++)
		ck_assert_msg(broken[i] == want[i], "%s: broken %d", l.v[i].name, broken[i]);
	listparse_free(&l);
	listparse_mark_broken(&l, broken);   /* an empty listing */
}
END_TEST

static Suite *listparse_suite(void)
{
	Suite *s = suite_create("listparse");

	TCase *list = tcase_create("list");
	tcase_add_loop_test(list, test_list_line, 0,
			    (int)(sizeof list_cases / sizeof list_cases[0]));
	tcase_add_test(list, test_list_uses_len);
	suite_add_tcase(s, list);

	TCase *mlsx = tcase_create("mlsx");
	tcase_add_loop_test(mlsx, test_mlsx_line, 0,
			    (int)(sizeof mlsx_cases / sizeof mlsx_cases[0]));
	tcase_add_loop_test(mlsx, test_time_val, 0,
			    (int)(sizeof time_cases / sizeof time_cases[0]));
	tcase_add_test(mlsx, test_time_val_matches_timegm);
	tcase_add_test(mlsx, test_mlsx_unique);
	suite_add_tcase(s, mlsx);

	TCase *buffer = tcase_create("buffer");
	tcase_add_test(buffer, test_buffer_list);
	tcase_add_test(buffer, test_buffer_self);
	tcase_add_test(buffer, test_buffer_mlsx);
	tcase_add_test(buffer, test_buffer_first_skipped);
	tcase_add_test(buffer, test_buffer_many);
	tcase_add_test(buffer, test_mark_broken);
	suite_add_tcase(s, buffer);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(listparse_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
