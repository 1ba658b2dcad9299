/* Unit tests for linereader: FTP line splitting, Telnet IAC stripping and
 * the FTP_LINE_MAX bound. */
#include "config.h"

#include "linereader.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A byte string that may hold NUL bytes. */
struct bytes {
	const char *s;
	size_t len;
};
#define B(lit) { lit, sizeof(lit) - 1 }

/* What lr_next reported, in order. */
#define MAX_RESULTS 4096
struct results {
	size_t n;
	enum lr_status st[MAX_RESULTS];
	size_t len[MAX_RESULTS];
	char *text[MAX_RESULTS];  /* copy of the line for LR_LINE, else NULL */
};

static void results_free(struct results *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->text[i]);
	r->n = 0;
}

/* Calls lr_next until it wants more bytes, recording every result. */
static void drain(struct linereader *lr, struct results *r)
{
	const char *line;
	size_t len;
	enum lr_status st;

	while ((st = lr_next(lr, &line, &len)) != LR_NEED_MORE) {
		ck_assert_uint_lt(r->n, MAX_RESULTS);
		r->st[r->n] = st;
		r->len[r->n] = 0;
		r->text[r->n] = NULL;
		if (st == LR_LINE) {
			ck_assert_ptr_nonnull(line);
			ck_assert_int_eq(line[len], '\0');
			r->len[r->n] = len;
			r->text[r->n] = malloc(len + 1);
			ck_assert_ptr_nonnull(r->text[r->n]);
			memcpy(r->text[r->n], line, len + 1);
		}
		r->n++;
	}
}

/* Feeds n bytes in pieces of at most chunk bytes, draining after each. */
static void drive(struct linereader *lr, const void *data, size_t n, size_t chunk,
		  struct results *r)
{
	const unsigned char *p = data;
	size_t off = 0;

	while (off < n) {
		size_t want = n - off < chunk ? n - off : chunk;
		size_t took = lr_feed(lr, p + off, want);
		ck_assert_uint_gt(took, 0);
		off += took;
		drain(lr, r);
	}
}

/* Input and the lines expected from it. */
struct split_case {
	bool telnet;
	struct bytes in;
	size_t nlines;
	struct bytes out[4];
};

static const struct split_case split_cases[] = {
	/* Line endings. */
	{ false, B("USER anonymous\r\n"), 1, { B("USER anonymous") } },
	{ false, B("USER anonymous\n"), 1, { B("USER anonymous") } },
	{ false, B("PWD\r\nCWD pub\nQUIT\r\n"), 3, { B("PWD"), B("CWD pub"), B("QUIT") } },
	{ false, B("\r\n"), 1, { B("") } },
	{ false, B("\n\n"), 2, { B(""), B("") } },
	{ false, B("a\rb\r\n"), 1, { B("a\rb") } },
	{ false, B("a\r\r\n"), 1, { B("a\r") } },
	{ false, B("no line end yet"), 0, { B("") } },
	{ false, B("NOOP\r\npartial"), 1, { B("NOOP") } },
	/* NUL bytes stay in the line and count in its length. */
	{ false, B("a\0b\r\n"), 1, { B("a\0b") } },
	{ false, B("\0\0\n"), 1, { B("\0\0") } },
	/* Telnet: IAC IP, IAC DM before ABOR (RFC 959 section 4.1.3). */
	{ true, B("\xff\xf4\xff\xf2" "ABOR\r\n"), 1, { B("ABOR") } },
	/* IAC WILL / WONT / DO / DONT take an option byte. */
	{ true, B("\xff\xfb\x01" "CD\r\n"), 1, { B("CD") } },
	{ true, B("\xff\xfc\x03" "CD\r\n"), 1, { B("CD") } },
	{ true, B("\xff\xfd\x18\xff\xfe\x1f" "CD\r\n"), 1, { B("CD") } },
	/* The option byte is never data, whatever its value. */
	{ true, B("\xff\xfd\xff" "B\r\n"), 1, { B("B") } },
	{ true, B("\xff\xfb\n" "B\r\n"), 1, { B("B") } },
	/* IAC IAC is one literal 0xFF. */
	{ true, B("RETR a\xff\xff" "b\r\n"), 1, { B("RETR a\xff" "b") } },
	{ true, B("\xff\xff\xff\xff\r\n"), 1, { B("\xff\xff") } },
	{ true, B("RETR a\xff\xff\xf4\r\n"), 1, { B("RETR a\xff\xf4") } },
	/* Other two-byte commands (NOP, AYT) vanish. */
	{ true, B("\xff\xf1\xff\xf6STAT\r\n"), 1, { B("STAT") } },
	{ true, B("\xff\xf0" "B\r\n"), 1, { B("B") } },
	/* Inside a line no command is read but IAC IAC: a 0xFF is the byte
	 * of a name its client did not double, as is the byte after it, even
	 * one from 0xF0 up (Latin-1 "\xff\xf4" is "\xffô"). */
	{ true, B("AB\xff\xfb\x01" "CD\r\n"), 1, { B("AB\xff\xfb\x01" "CD") } },
	{ true, B("A\xff\xfd\xff" "B\r\n"), 1, { B("A\xff\xfd\xff" "B") } },
	{ true, B("A\xff\xfb\n" "B\r\n"), 2, { B("A\xff\xfb"), B("B") } },
	{ true, B("NO\xff\xf1OP\r\n"), 1, { B("NO\xff\xf1OP") } },
	{ true, B("A\xff\xf0" "B\r\n"), 1, { B("A\xff\xf0" "B") } },
	{ true, B("DELE caf\xe9\xff\xf4\r\n"), 1, { B("DELE caf\xe9\xff\xf4") } },
	{ true, B("A\xff\xf4\r\nB\r\n"), 2, { B("A\xff\xf4"), B("B") } },
	/* IAC before a byte that is no Telnet command (below SE, 0xF0): a
	 * client that does not double 0xFF sent it; both bytes are data. */
	{ true, B("RETR \xffname\r\n"), 1, { B("RETR \xffname") } },
	{ true, B("RETR a\xff\r\n"), 1, { B("RETR a\xff") } },
	{ true, B("RETR a\xff\n" "B\r\n"), 2, { B("RETR a\xff"), B("B") } },
	{ true, B("\xff\xef\xff\x00\r\n"), 1, { B("\xff\xef\xff\0") } },
	/* Without telnet every byte is data. */
	{ false, B("a\xff\xf4" "b\r\n"), 1, { B("a\xff\xf4" "b") } },
	{ false, B("\xff\xff\r\n"), 1, { B("\xff\xff") } },
	{ false, B("\xff\xfb\x01\n"), 1, { B("\xff\xfb\x01") } },
};

/* Chunk sizes each case is fed with: byte by byte up to all at once. */
static const size_t chunks[] = { 1, 2, 3, 5, 7, 64 };

/* Each case gives the same lines however the bytes are split across feeds. */
START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];

	for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
		struct linereader lr;
		struct results r = { 0 };

		lr_init(&lr, c->telnet);
		drive(&lr, c->in.s, c->in.len, chunks[k], &r);
		ck_assert_msg(r.n == c->nlines, "case %d chunk %zu: %zu lines, expected %zu",
			      _i, chunks[k], r.n, c->nlines);
		for (size_t j = 0; j < r.n; j++) {
			ck_assert_int_eq(r.st[j], LR_LINE);
			ck_assert_msg(r.len[j] == c->out[j].len,
				      "case %d chunk %zu line %zu: length %zu, expected %zu",
				      _i, chunks[k], j, r.len[j], c->out[j].len);
			ck_assert_mem_eq(r.text[j], c->out[j].s, c->out[j].len);
		}
		results_free(&r);
	}
}
END_TEST

/* Byte by byte: nothing is reported until the LF arrives. */
START_TEST(test_byte_by_byte_waits_for_lf)
{
	static const char cmd[] = "RETR some file.txt\r\n";
	struct linereader lr;
	const char *line = NULL;
	size_t len = 0;

	lr_init(&lr, true);
	for (size_t i = 0; i + 1 < sizeof cmd - 1; i++) {
		ck_assert_uint_eq(lr_feed(&lr, cmd + i, 1), 1);
		ck_assert_int_eq(lr_next(&lr, &line, &len), LR_NEED_MORE);
	}
	ck_assert_uint_eq(lr_feed(&lr, "\n", 1), 1);
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_LINE);
	ck_assert_str_eq(line, "RETR some file.txt");
	ck_assert_uint_eq(len, strlen("RETR some file.txt"));
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_NEED_MORE);
}
END_TEST

/* Several lines in one feed come out one per call; lr_pending tells
 * whether bytes are left to scan. */
START_TEST(test_pending)
{
	struct linereader lr;
	const char *line;
	size_t len;

	lr_init(&lr, false);
	ck_assert(!lr_pending(&lr));
	lr_feed(&lr, "TYPE I\r\nPASV\r\n", 14);
	ck_assert(lr_pending(&lr));
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_LINE);
	ck_assert_str_eq(line, "TYPE I");
	ck_assert(lr_pending(&lr));
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_LINE);
	ck_assert_str_eq(line, "PASV");
	ck_assert(!lr_pending(&lr));
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_NEED_MORE);
}
END_TEST

/* lr_fill reads from a file descriptor; a line may span two reads. */
START_TEST(test_fill_from_pipe)
{
	int fds[2];
	struct linereader lr;
	const char *line;
	size_t len;

	ck_assert_int_eq(pipe(fds), 0);
	lr_init(&lr, true);

	ck_assert_int_eq(write(fds[1], "USER ftp\r\nPA", 12), 12);
	ck_assert_int_eq(lr_fill(&lr, fds[0]), 12);
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_LINE);
	ck_assert_str_eq(line, "USER ftp");
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_NEED_MORE);

	ck_assert_int_eq(write(fds[1], "SS x\xff\xff\r\n", 8), 8);
	ck_assert_int_eq(lr_fill(&lr, fds[0]), 8);
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_LINE);
	ck_assert_uint_eq(len, 7);
	ck_assert_mem_eq(line, "PASS x\xff", 7);

	/* Nothing to read on a non-blocking descriptor: EAGAIN. */
	ck_assert_int_ne(fcntl(fds[0], F_SETFL, O_NONBLOCK), -1);
	errno = 0;
	ck_assert_int_eq(lr_fill(&lr, fds[0]), -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);

	/* End of stream. */
	close(fds[1]);
	ck_assert_int_eq(lr_fill(&lr, fds[0]), 0);
	ck_assert_int_eq(lr_next(&lr, &line, &len), LR_NEED_MORE);
	close(fds[0]);
}
END_TEST

/* Line lengths around FTP_LINE_MAX, with and without CR. */
struct limit_case {
	size_t len;        /* data bytes before the line end */
	bool crlf;         /* "\r\n" or a bare "\n" */
	bool accepted;     /* LR_LINE rather than LR_TOO_LONG */
};

static const struct limit_case limit_cases[] = {
	{ FTP_LINE_MAX - 1, false, true },
	{ FTP_LINE_MAX - 1, true, true },
	{ FTP_LINE_MAX, false, true },
	{ FTP_LINE_MAX, true, true },
	{ FTP_LINE_MAX + 1, false, false },
	{ FTP_LINE_MAX + 1, true, false },
	{ FTP_LINE_MAX + 2, false, false },
	{ FTP_LINE_MAX + 2, true, false },
};

/* A line at the limit is accepted whole; one byte more is reported once as
 * too long, and the next line is read normally. */
START_TEST(test_line_limit)
{
	const struct limit_case *c = &limit_cases[_i];
	size_t n = c->len + 2 + strlen("NOOP\r\n");
	char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < c->len; i++)
		buf[i] = (char)('a' + i % 26);
	size_t off = c->len;
	if (c->crlf)
		buf[off++] = '\r';
	buf[off++] = '\n';
	memcpy(buf + off, "NOOP\r\n", 6);
	off += 6;

	for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
		struct linereader lr;
		struct results r = { 0 };
		size_t chunk = chunks[k] == 64 ? off : chunks[k];

		lr_init(&lr, true);
		drive(&lr, buf, off, chunk, &r);
		ck_assert_uint_eq(r.n, 2);
		if (c->accepted) {
			ck_assert_int_eq(r.st[0], LR_LINE);
			ck_assert_uint_eq(r.len[0], c->len);
			ck_assert_mem_eq(r.text[0], buf, c->len);
		} else {
			ck_assert_int_eq(r.st[0], LR_TOO_LONG);
		}
		ck_assert_int_eq(r.st[1], LR_LINE);
		ck_assert_str_eq(r.text[1], "NOOP");
		results_free(&r);
	}
	free(buf);
}
END_TEST

/* 100 KB without a line end, then LF: one LR_TOO_LONG, only at the LF, and
 * the following command is intact. */
START_TEST(test_huge_line_reported_once)
{
	const size_t big = 100 * 1024;
	size_t n = big + 1 + strlen("QUIT\r\n");
	char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', big);
	buf[big] = '\n';
	memcpy(buf + big + 1, "QUIT\r\n", 6);

	struct linereader lr;
	struct results r = { 0 };
	lr_init(&lr, true);
	drive(&lr, buf, big, 4096, &r);
	ck_assert_uint_eq(r.n, 0);          /* nothing until the LF */
	drive(&lr, buf + big, n - big, 4096, &r);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.st[0], LR_TOO_LONG);
	ck_assert_int_eq(r.st[1], LR_LINE);
	ck_assert_str_eq(r.text[1], "QUIT");
	results_free(&r);
	free(buf);
}
END_TEST

/* Telnet sequences are not data: they do not count toward the limit, and
 * IAC IAC counts as the one byte it stands for. */
START_TEST(test_limit_counts_data_bytes_only)
{
	/* FTP_LINE_MAX data bytes after 64 IAC NOP. */
	size_t cap = FTP_LINE_MAX * 2 + 16;
	unsigned char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t off = 0;
	for (size_t i = 0; i < 64; i++) {
		buf[off++] = 0xff;
		buf[off++] = 0xf1;
	}
	for (size_t i = 0; i < FTP_LINE_MAX; i++)
		buf[off++] = 'z';
	buf[off++] = '\r';
	buf[off++] = '\n';

	struct linereader lr;
	struct results r = { 0 };
	lr_init(&lr, true);
	drive(&lr, buf, off, 1000, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.st[0], LR_LINE);
	ck_assert_uint_eq(r.len[0], FTP_LINE_MAX);
	results_free(&r);

	/* FTP_LINE_MAX literal 0xFF bytes sent doubled: 8192 bytes on the wire. */
	off = 0;
	for (size_t i = 0; i < FTP_LINE_MAX; i++) {
		buf[off++] = 0xff;
		buf[off++] = 0xff;
	}
	buf[off++] = '\n';
	lr_init(&lr, true);
	drive(&lr, buf, off, 3000, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.st[0], LR_LINE);
	ck_assert_uint_eq(r.len[0], FTP_LINE_MAX);
	for (size_t i = 0; i < FTP_LINE_MAX; i++)
		ck_assert_int_eq((unsigned char)r.text[0][i], 0xff);
	results_free(&r);
	free(buf);
}
END_TEST

/* Two over-long lines in a row are each reported once; a line at the limit
 * right after one is accepted. */
START_TEST(test_too_long_then_limit_line)
{
	size_t n = 5000 + 1 + 6000 + 2 + FTP_LINE_MAX + 2;
	char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	size_t off = 0;
	memset(buf + off, 'a', 5000);
	off += 5000;
	buf[off++] = '\n';
	memset(buf + off, 'b', 6000);
	off += 6000;
	buf[off++] = '\r';
	buf[off++] = '\n';
	memset(buf + off, 'c', FTP_LINE_MAX);
	off += FTP_LINE_MAX;
	buf[off++] = '\r';
	buf[off++] = '\n';

	struct linereader lr;
	struct results r = { 0 };
	lr_init(&lr, false);
	drive(&lr, buf, off, 8192, &r);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_int_eq(r.st[0], LR_TOO_LONG);
	ck_assert_int_eq(r.st[1], LR_TOO_LONG);
	ck_assert_int_eq(r.st[2], LR_LINE);
	ck_assert_uint_eq(r.len[2], FTP_LINE_MAX);
	ck_assert_mem_eq(r.text[2], buf + 5000 + 1 + 6000 + 2, FTP_LINE_MAX);
	results_free(&r);
	free(buf);
}
END_TEST

/* lr_feed takes only what fits and says so; scanning frees the room. */
START_TEST(test_feed_when_full)
{
	static char data[10000];
	struct linereader lr;
	const char *line;
	size_t len;

	memset(data, 'q', sizeof data);
	for (size_t i = 99; i < sizeof data; i += 100)
		data[i] = '\n';
	lr_init(&lr, false);
	size_t took = lr_feed(&lr, data, sizeof data);
	ck_assert_uint_gt(took, 0);
	ck_assert_uint_lt(took, sizeof data);
	ck_assert_uint_eq(lr_feed(&lr, data + took, sizeof data - took), 0);

	/* Reading lines makes room for the rest; every line is intact. */
	size_t lines = 0, off = took;
	for (;;) {
		enum lr_status st = lr_next(&lr, &line, &len);
		if (st == LR_LINE) {
			ck_assert_uint_eq(len, 99);
			lines++;
			continue;
		}
		ck_assert_int_eq(st, LR_NEED_MORE);
		if (off == sizeof data)
			break;
		off += lr_feed(&lr, data + off, sizeof data - off);
	}
	ck_assert_uint_eq(lines, sizeof data / 100);
}
END_TEST

/* Many short commands in one stream. */
START_TEST(test_many_lines)
{
	const size_t count = 2000;
	char *buf = malloc(count * 16);
	ck_assert_ptr_nonnull(buf);
	size_t off = 0;
	for (size_t i = 0; i < count; i++)
		off += (size_t)sprintf(buf + off, "NOOP %zu\r\n", i);

	struct linereader lr;
	struct results r = { 0 };
	lr_init(&lr, true);
	drive(&lr, buf, off, 8192, &r);
	ck_assert_uint_eq(r.n, count);
	for (size_t i = 0; i < count; i++) {
		char want[32];
		snprintf(want, sizeof want, "NOOP %zu", i);
		ck_assert_int_eq(r.st[i], LR_LINE);
		ck_assert_str_eq(r.text[i], want);
	}
	results_free(&r);
	free(buf);
}
END_TEST

static Suite *linereader_suite(void)
{
	Suite *s = suite_create("linereader");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_split, 0,
			    (int)(sizeof split_cases / sizeof split_cases[0]));
	tcase_add_test(core, test_byte_by_byte_waits_for_lf);
	tcase_add_test(core, test_pending);
	tcase_add_test(core, test_fill_from_pipe);
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_loop_test(limits, test_line_limit, 0,
			    (int)(sizeof limit_cases / sizeof limit_cases[0]));
	tcase_add_test(limits, test_huge_line_reported_once);
	tcase_add_test(limits, test_limit_counts_data_bytes_only);
	tcase_add_test(limits, test_too_long_then_limit_line);
	tcase_add_test(limits, test_feed_when_full);
	tcase_add_test(limits, test_many_lines);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(linereader_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
