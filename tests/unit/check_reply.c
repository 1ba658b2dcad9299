/* Unit tests for reply: formatting FTP replies and assembling them from
 * the lines a server sends. */
#include "config.h"

#include "reply.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftp_limits.h"
#include "sbuf.h"

/* Formatting: code and text in, exact bytes on the wire out. */
struct format_case {
	int code;
	const char *text;
	const char *wire;
};

static const struct format_case format_cases[] = {
	{ 200, "Command okay.", "200 Command okay.\r\n" },
	{ 226, "Transfer complete", "226 Transfer complete\r\n" },
	{ 200, "", "200 \r\n" },
	/* Several lines: "code-" first, "code " last, plain lines between. */
	{ 211, "first\nlast", "211-first\r\n211 last\r\n" },
	{ 211, "Features:\n MDTM\n SIZE\nEnd", "211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n" },
	{ 214, "a\n\nb", "214-a\r\n\r\n214 b\r\n" },
	{ 211, "only\n", "211-only\r\n211 \r\n" },
	/* Inner lines that look like a final line are pushed right. */
	{ 211, "Status:\n123 not the end\nEnd", "211-Status:\r\n 123 not the end\r\n211 End\r\n" },
	{ 214, "Help:\n214 still help\nDone", "214-Help:\r\n 214 still help\r\n214 Done\r\n" },
	{ 211, "Status:\n211\nEnd", "211-Status:\r\n 211\r\n211 End\r\n" },
	/* Lines that do not look final are left alone. */
	{ 211, "Status:\n12 x\n1234\n999-dash\nabc \nEnd",
	  "211-Status:\r\n12 x\r\n1234\r\n999-dash\r\nabc \r\n211 End\r\n" },
	/* The first and last lines never need the space. */
	{ 211, "123 first\n123 last", "211-123 first\r\n211 123 last\r\n" },
	/* Control bytes become '?', so text can never inject a reply line. */
	{ 200, "bad\rchar", "200 bad?char\r\n" },
	{ 200, "tab\there\x01\x1f\x7f", "200 tab?here???\r\n" },
	{ 550, "evil\r\n230 Logged in", "550-evil?\r\n550 230 Logged in\r\n" },
	{ 550, "file\r", "550 file?\r\n" },
	/* Bytes from 0x80 up (UTF-8 names) pass through. */
	{ 257, "\"/d\xc3\xa9j\xc3\xa0\" created", "257 \"/d\xc3\xa9j\xc3\xa0\" created\r\n" },
	/* Codes outside 100..599 become 500. */
	{ 99, "x", "500 x\r\n" },
	{ 600, "x", "500 x\r\n" },
	{ 0, "x", "500 x\r\n" },
	{ -200, "x", "500 x\r\n" },
	{ 1000, "y\nz", "500-y\r\n500 z\r\n" },
	{ 100, "x", "100 x\r\n" },
	{ 599, "x", "599 x\r\n" },
};

START_TEST(test_format)
{
	const struct format_case *c = &format_cases[_i];
	struct sbuf b;

	sbuf_init(&b, 4096);
	ck_assert(reply_format(&b, c->code, c->text));
	ck_assert_str_eq(sbuf_str(&b), c->wire);
	ck_assert_uint_eq(b.len, strlen(c->wire));
	sbuf_free(&b);
}
END_TEST

/* Replies are appended after what the buffer already holds. */
START_TEST(test_format_appends)
{
	struct sbuf b;

	sbuf_init(&b, 4096);
	ck_assert(reply_format(&b, 150, "Opening"));
	ck_assert(reply_format(&b, 226, "Done\nBye"));
	ck_assert_str_eq(sbuf_str(&b), "150 Opening\r\n226-Done\r\n226 Bye\r\n");
	sbuf_free(&b);
}
END_TEST

/* A reply that does not fit returns false and leaves the buffer as it was. */
struct overflow_case {
	size_t max;
	int code;
	const char *text;
};

static const struct overflow_case overflow_cases[] = {
	{ 8, 200, "this text is far too long" },
	{ 20, 211, "first\nsecond line is too long\nlast" },
	{ 20, 211, "short\nlast line will not fit at all" },
	{ 16, 211, "a\nb\nc\nd" },   /* fits up to "211-a\r\nb\r\nc\r\n" */
	{ 7, 200, "ok" },            /* needs 8: one byte short */
};

START_TEST(test_format_overflow_unchanged)
{
	const struct overflow_case *c = &overflow_cases[_i];
	struct sbuf b;

	/* Empty buffer. */
	sbuf_init(&b, c->max);
	ck_assert(!reply_format(&b, c->code, c->text));
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(sbuf_str(&b), "");
	sbuf_free(&b);

	/* A buffer already holding a queued reply keeps exactly that. */
	sbuf_init(&b, c->max + 6);
	ck_assert(sbuf_puts(&b, "kept\r\n"));
	ck_assert(!reply_format(&b, c->code, c->text));
	ck_assert_uint_eq(b.len, 6);
	ck_assert_str_eq(sbuf_str(&b), "kept\r\n");
	sbuf_free(&b);
}
END_TEST

/* A reply that exactly fills the maximum is accepted. */
START_TEST(test_format_exact_fit)
{
	struct sbuf b;

	sbuf_init(&b, strlen("200 ok\r\n"));
	ck_assert(reply_format(&b, 200, "ok"));
	ck_assert_str_eq(sbuf_str(&b), "200 ok\r\n");
	sbuf_free(&b);

	sbuf_init(&b, strlen("211-a\r\nb\r\n211 c\r\n"));
	ck_assert(reply_format(&b, 211, "a\nb\nc"));
	ck_assert_str_eq(sbuf_str(&b), "211-a\r\nb\r\n211 c\r\n");
	sbuf_free(&b);
}
END_TEST

/* Parsing: a sequence of lines and what each feed returns. */
#define MAX_LINES 6
struct parse_case {
	const char *lines[MAX_LINES];      /* NULL-terminated */
	enum reply_status st[MAX_LINES];   /* result of each feed */
	int code;                          /* code after the last feed */
	const char *text;                  /* text after the last feed */
};

static const struct parse_case parse_cases[] = {
	{ { "200 Command okay.", NULL }, { REPLY_DONE }, 200, "Command okay." },
	{ { "220 ", NULL }, { REPLY_DONE }, 220, "" },
	{ { "226", NULL }, { REPLY_DONE }, 226, "" },
	{ { "530 Login incorrect", NULL }, { REPLY_DONE }, 530, "Login incorrect" },
	/* Multi-line, inner lines indented as RFC 2389 FEAT does. */
	{ { "211-Features:", " MDTM", " SIZE", "211 End", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_MORE, REPLY_DONE }, 211, "Features:\nMDTM\nSIZE\nEnd" },
	/* Inner lines repeating "code-" lose the prefix. */
	{ { "230-Welcome", "230-to ferry", "230 Logged in", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_DONE }, 230, "Welcome\nto ferry\nLogged in" },
	/* Plain inner lines, including ones that start with another code. */
	{ { "211-Status", "200 is not the end", "Connected", "211 End", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_MORE, REPLY_DONE }, 211,
	  "Status\n200 is not the end\nConnected\nEnd" },
	/* "code-" with the right code is not the end either. */
	{ { "211-a", "211-b", "211 c", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_DONE }, 211, "a\nb\nc" },
	/* The last line is the code and a space (RFC 959 4.2): a bare code
	 * is an inner line, and the reply goes on to its real end. */
	{ { "226-Transfer", "complete", "226", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_MORE }, 226, "Transfer\ncomplete\n226" },
	{ { "230-Hello", "230", "230 Logged in", "200 Type set to I", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_DONE, REPLY_DONE }, 200, "Type set to I" },
	{ { "230-Hello", "230", "230 Logged in", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_DONE }, 230, "Hello\n230\nLogged in" },
	/* Empty inner lines are kept. */
	{ { "214-Help", "", "214 Bye", NULL },
	  { REPLY_MORE, REPLY_MORE, REPLY_DONE }, 214, "Help\n\nBye" },
	/* Two replies in a row: the second replaces the first. */
	{ { "150 Opening data connection", "226 Transfer complete", NULL },
	  { REPLY_DONE, REPLY_DONE }, 226, "Transfer complete" },
	{ { "230-Hello", "230 Logged in", "200 Type set to I", NULL },
	  { REPLY_MORE, REPLY_DONE, REPLY_DONE }, 200, "Type set to I" },
	{ { "200 OK", "211-Status", "x", "211 End", NULL },
	  { REPLY_DONE, REPLY_MORE, REPLY_MORE, REPLY_DONE }, 211, "Status\nx\nEnd" },
};

START_TEST(test_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	struct reply_parser p;

	reply_parser_init(&p);
	for (int i = 0; c->lines[i] != NULL; i++) {
		enum reply_status st = reply_parser_feed(&p, c->lines[i], strlen(c->lines[i]));
		ck_assert_msg(st == c->st[i], "line %d \"%s\": status %d, expected %d", i,
			      c->lines[i], (int)st, (int)c->st[i]);
		if (st == REPLY_DONE)
			ck_assert(!p.multi);
	}
	ck_assert_int_eq(p.code, c->code);
	ck_assert_str_eq(sbuf_str(&p.text), c->text);
	reply_parser_free(&p);
}
END_TEST

/* Lines that are not a reply's first line. */
static const char *const bad_first_lines[] = {
	"", "hello", "2", "20", "2x0 OK", "200x", "200:OK", "099 too small",
	"000 zero", "-200 minus", " 200 leading space", "abc def",
	/* RFC 959 4.2: the first digit is 1 to 5; others are no reply. */
	"600 six", "699", "700 seven", "999 nine", "999-nine", "600-six",
};

START_TEST(test_parse_bad)
{
	struct reply_parser p;
	const char *line = bad_first_lines[_i];

	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, line, strlen(line)), REPLY_BAD);
	/* The parser is still usable. */
	ck_assert_int_eq(reply_parser_feed(&p, "200 OK", 6), REPLY_DONE);
	ck_assert_int_eq(p.code, 200);
	ck_assert_str_eq(sbuf_str(&p.text), "OK");
	reply_parser_free(&p);
}
END_TEST

/* Only len bytes of the line are read. */
START_TEST(test_parse_uses_len)
{
	struct reply_parser p;

	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, "200 OK and junk", 6), REPLY_DONE);
	ck_assert_str_eq(sbuf_str(&p.text), "OK");
	ck_assert_int_eq(reply_parser_feed(&p, "211-abc", 7), REPLY_MORE);
	ck_assert_int_eq(reply_parser_feed(&p, "211 end and junk", 7), REPLY_DONE);
	ck_assert_str_eq(sbuf_str(&p.text), "abc\nend");
	reply_parser_free(&p);
}
END_TEST

/* What reply_format writes, the parser reads back as the same code and
 * text (inner lines not starting with a space or "code-"). */
struct roundtrip_case {
	int code;
	const char *text;
};

static const struct roundtrip_case roundtrip_cases[] = {
	{ 200, "OK" },
	{ 211, "Features:\nMDTM\nSIZE\nEnd" },
	{ 211, "Status\n123 inner line\nEnd" },
	{ 211, "Status\n211 inner line\nEnd" },
	{ 211, "Status\n211\nEnd" },
	{ 226, "Status\n226\n226 \n226 x\nEnd" },
	{ 214, "a\n\nb" },
};

START_TEST(test_roundtrip)
{
	const struct roundtrip_case *c = &roundtrip_cases[_i];
	struct sbuf b;
	struct reply_parser p;
	enum reply_status st = REPLY_BAD;

	sbuf_init(&b, 4096);
	ck_assert(reply_format(&b, c->code, c->text));
	reply_parser_init(&p);
	const char *s = sbuf_str(&b);
	int lines = 0;
	while (*s) {
		const char *crlf = strstr(s, "\r\n");
		ck_assert_ptr_nonnull(crlf);
		ck_assert_msg(lines == 0 || st == REPLY_MORE,
			      "reply ended early, before \"%.*s\"", (int)(crlf - s), s);
		st = reply_parser_feed(&p, s, (size_t)(crlf - s));
		lines++;
		s = crlf + 2;
	}
	ck_assert_int_eq(st, REPLY_DONE);
	ck_assert_int_eq(p.code, c->code);
	ck_assert_str_eq(sbuf_str(&p.text), c->text);
	reply_parser_free(&p);
	sbuf_free(&b);
}
END_TEST

/* A multi-line reply that grows past FTP_REPLY_MAX is refused at the line
 * that crosses the limit. */
START_TEST(test_parse_too_long_multi)
{
	struct reply_parser p;
	char *line = malloc(FTP_LINE_MAX + 1);
	ck_assert_ptr_nonnull(line);
	memset(line, 'x', FTP_LINE_MAX);
	line[FTP_LINE_MAX] = '\0';

	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, "211-start", 9), REPLY_MORE);
	/* Text so far is "start"; each line adds "\n" and FTP_LINE_MAX bytes. */
	size_t text = 5, fed = 0;
	enum reply_status st;
	do {
		st = reply_parser_feed(&p, line, FTP_LINE_MAX);
		fed++;
		if (st == REPLY_MORE) {
			text += 1 + FTP_LINE_MAX;
			ck_assert_uint_le(text, FTP_REPLY_MAX);
		}
	} while (st == REPLY_MORE && fed < 1000);
	ck_assert_int_eq(st, REPLY_TOO_LONG);
	ck_assert_uint_gt(text + 1 + FTP_LINE_MAX, FTP_REPLY_MAX);
	ck_assert_uint_le(p.text.len, FTP_REPLY_MAX);
	reply_parser_free(&p);
	free(line);
}
END_TEST

/* A first line whose text is exactly FTP_REPLY_MAX bytes fits; one more
 * byte does not. */
START_TEST(test_parse_too_long_single)
{
	size_t n = 4 + FTP_REPLY_MAX + 1;
	char *line = malloc(n);
	ck_assert_ptr_nonnull(line);
	memcpy(line, "200 ", 4);
	memset(line + 4, 'y', FTP_REPLY_MAX + 1);

	struct reply_parser p;
	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, line, n - 1), REPLY_DONE);
	ck_assert_uint_eq(p.text.len, FTP_REPLY_MAX);
	ck_assert_int_eq(reply_parser_feed(&p, line, n), REPLY_TOO_LONG);
	reply_parser_free(&p);

	/* The final line of a multi-line reply counts too. */
	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, "200-a", 5), REPLY_MORE);
	ck_assert_int_eq(reply_parser_feed(&p, line, n), REPLY_TOO_LONG);
	reply_parser_free(&p);
	free(line);
}
END_TEST

/* A long multi-line reply (a big STAT listing) well under the limit. */
START_TEST(test_parse_long_reply_ok)
{
	struct reply_parser p;
	char line[128];

	reply_parser_init(&p);
	ck_assert_int_eq(reply_parser_feed(&p, "213-Status of /", 15), REPLY_MORE);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(line, sizeof line, "-rw-r--r-- 1 0 0 %d Jan 1 2020 f%d", i, i);
		ck_assert_int_eq(reply_parser_feed(&p, line, (size_t)n), REPLY_MORE);
	}
	ck_assert_int_eq(reply_parser_feed(&p, "213 End of status", 17), REPLY_DONE);
	ck_assert_int_eq(p.code, 213);
	const char *t = sbuf_str(&p.text);
	const char *head = "Status of /\n-rw-r--r-- 1 0 0 0 Jan 1 2020 f0\n";
	ck_assert(strncmp(t, head, strlen(head)) == 0);
	ck_assert_ptr_nonnull(strstr(t, "\n-rw-r--r-- 1 0 0 999 Jan 1 2020 f999\nEnd of status"));
	reply_parser_free(&p);
}
END_TEST

/* A reply of FTP_REPLY_LINES_MAX lines, short ones, is whole; one line
 * more is too many, the final line too, well under the bytes' limit. */
START_TEST(test_parse_too_many_lines)
{
	struct reply_parser p;

	for (int extra = 0; extra < 2; extra++) {
		reply_parser_init(&p);
		ck_assert_int_eq(reply_parser_feed(&p, "211-Features:", 13), REPLY_MORE);
		for (int i = 2; i < FTP_REPLY_LINES_MAX + extra; i++)
			ck_assert_int_eq(reply_parser_feed(&p, " X", 2), REPLY_MORE);
		ck_assert_int_eq(reply_parser_feed(&p, "211 End", 7),
				 extra ? REPLY_TOO_MANY : REPLY_DONE);
		ck_assert_uint_lt(p.text.len, FTP_REPLY_MAX / 8);
		reply_parser_free(&p);
	}
	/* The count starts again with the next reply. */
	reply_parser_init(&p);
	for (int r = 0; r < 3; r++) {
		ck_assert_int_eq(reply_parser_feed(&p, "211-a", 5), REPLY_MORE);
		for (int i = 2; i < FTP_REPLY_LINES_MAX; i++)
			ck_assert_int_eq(reply_parser_feed(&p, " X", 2), REPLY_MORE);
		ck_assert_int_eq(reply_parser_feed(&p, "211 End", 7), REPLY_DONE);
	}
	reply_parser_free(&p);
}
END_TEST

static Suite *reply_suite(void)
{
	Suite *s = suite_create("reply");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_format, 0,
			    (int)(sizeof format_cases / sizeof format_cases[0]));
	tcase_add_test(core, test_format_appends);
	tcase_add_loop_test(core, test_parse, 0,
			    (int)(sizeof parse_cases / sizeof parse_cases[0]));
	tcase_add_loop_test(core, test_parse_bad, 0,
			    (int)(sizeof bad_first_lines / sizeof bad_first_lines[0]));
	tcase_add_test(core, test_parse_uses_len);
	tcase_add_loop_test(core, test_roundtrip, 0,
			    (int)(sizeof roundtrip_cases / sizeof roundtrip_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_loop_test(limits, test_format_overflow_unchanged, 0,
			    (int)(sizeof overflow_cases / sizeof overflow_cases[0]));
	tcase_add_test(limits, test_format_exact_fit);
	tcase_add_test(limits, test_parse_too_long_multi);
	tcase_add_test(limits, test_parse_too_long_single);
	tcase_add_test(limits, test_parse_long_reply_ok);
	tcase_add_test(limits, test_parse_too_many_lines);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reply_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
