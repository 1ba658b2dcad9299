/* Unit tests for cmdline: splitting command lines into commands and
 * words with shell-like quoting, and quoting words back. */
#include "config.h"

#include "cmdline.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Most commands or words a case lists. */
#define MAX_CMDS 4
#define MAX_WORDS 6

struct split_case {
	const char *text;
	/* Each command's words, NULL-terminated; commands end with a NULL row. */
	const char *want[MAX_CMDS][MAX_WORDS];
};

static const struct split_case split_cases[] = {
	{ "ls", { { "ls" } } },
	{ "  ls   -l\t/pub  ", { { "ls", "-l", "/pub" } } },
	{ "cd pub; ls; get a.txt", { { "cd", "pub" }, { "ls" }, { "get", "a.txt" } } },
	{ "cd pub;ls;;; ;get x", { { "cd", "pub" }, { "ls" }, { "get", "x" } } },
	{ "cd pub\nls\n\nget x\n", { { "cd", "pub" }, { "ls" }, { "get", "x" } } },
	/* Quotes. */
	{ "get 'my file.txt'", { { "get", "my file.txt" } } },
	{ "get \"my file.txt\" 'x y'", { { "get", "my file.txt", "x y" } } },
	{ "get my\\ file.txt", { { "get", "my file.txt" } } },
	{ "get 'a;b' \"c;d\" e\\;f", { { "get", "a;b", "c;d", "e;f" } } },
	{ "get 'it'\\''s'", { { "get", "it's" } } },
	{ "get \"say \\\"hi\\\"\"", { { "get", "say \"hi\"" } } },
	{ "get \"a\\b\\\\c\"", { { "get", "a\\b\\c" } } },
	{ "get 'a\\b'", { { "get", "a\\b" } } },
	{ "get ab'cd'\"ef\"", { { "get", "abcdef" } } },
	{ "rm ''", { { "rm", "" } } },
	{ "rm \"\" x", { { "rm", "", "x" } } },
	/* UTF-8 passes through. */
	{ "get \xc3\xbcn\xc3\xaf.txt '\xe6\x97\xa5 \xe6\x9c\xac'",
	  { { "get", "\xc3\xbcn\xc3\xaf.txt", "\xe6\x97\xa5 \xe6\x9c\xac" } } },
	/* Comments. */
	{ "# only a comment", { { NULL } } },
	{ "ls # list it; pwd", { { "ls" } } },
	{ "ls # c\npwd", { { "ls" }, { "pwd" } } },
	{ "get a#b", { { "get", "a#b" } } },
	{ "get '#x' \\#y", { { "get", "#x", "#y" } } },
	/* Windows line ends and a backslash at the end stay harmless. */
	{ "ls\r\npwd\r\n", { { "ls" }, { "pwd" } } },
	{ "get a\\", { { "get", "a\\" } } },
	{ "", { { NULL } } },
	{ " ; ;\n\t", { { NULL } } },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	const char *pos = c->text;
	struct cmdline_words w;
	char err[64];
	size_t k = 0;

	for (;;) {
		enum cmdline_result r = cmdline_next(&pos, &w, err, sizeof err);
		ck_assert_msg(r != CMDLINE_ERROR, "\"%s\": %s", c->text, err);
		if (r == CMDLINE_END)
			break;
		ck_assert_msg(k < MAX_CMDS && c->want[k][0] != NULL, "\"%s\": extra command %s",
			      c->text, w.v[0]);
		size_t n = 0;
		while (n < MAX_WORDS && c->want[k][n] != NULL)
			n++;
		ck_assert_msg(w.n == n, "\"%s\" command %zu: %zu words, want %zu", c->text, k,
			      w.n, n);
		for (size_t i = 0; i < n; i++)
			ck_assert_str_eq(w.v[i], c->want[k][i]);
		ck_assert_ptr_null(w.v[w.n]);
		cmdline_words_free(&w);
		k++;
	}
	ck_assert_msg(k == MAX_CMDS || c->want[k][0] == NULL, "\"%s\": missing command %zu",
		      c->text, k);
	ck_assert_int_eq(*pos, '\0');
}
END_TEST

/* Malformed commands are reported and skipped up to the next line. */
static const struct {
	const char *text;
	const char *msg;      /* part of the message */
	const char *after;    /* first word of the next command, or NULL */
} bad_cases[] = {
	{ "get 'abc", "unterminated", NULL },
	{ "get \"abc", "unterminated", NULL },
	{ "get 'abc\nls", "unterminated", NULL },
	{ "get \"a\\\"", "unterminated", NULL },
};

START_TEST(test_malformed)
{
	const char *pos = bad_cases[_i].text;
	struct cmdline_words w;
	char err[64] = "";

	ck_assert_int_eq(cmdline_next(&pos, &w, err, sizeof err), CMDLINE_ERROR);
	ck_assert_msg(strstr(err, bad_cases[_i].msg) != NULL, "message \"%s\"", err);
	ck_assert_uint_eq(w.n, 0);
	enum cmdline_result r = cmdline_next(&pos, &w, err, sizeof err);
	if (bad_cases[_i].after == NULL) {
		ck_assert_int_eq(r, CMDLINE_END);
	} else {
		ck_assert_int_eq(r, CMDLINE_COMMAND);
		ck_assert_str_eq(w.v[0], bad_cases[_i].after);
		cmdline_words_free(&w);
	}
}
END_TEST

/* An error in one line leaves the next lines readable. */
START_TEST(test_error_skips_line)
{
	const char *pos;
	struct cmdline_words w;
	char err[64];
	char text[CMDLINE_WORD_MAX + 64];

	memset(text, 'a', sizeof text);
	memcpy(text, "get ", 4);
	memcpy(text + CMDLINE_WORD_MAX + 10, "\npwd", 5);
	pos = text;
	ck_assert_int_eq(cmdline_next(&pos, &w, err, sizeof err), CMDLINE_ERROR);
	ck_assert_str_eq(err, "word too long");
	ck_assert_int_eq(cmdline_next(&pos, &w, err, sizeof err), CMDLINE_COMMAND);
	ck_assert_str_eq(w.v[0], "pwd");
	cmdline_words_free(&w);
}
END_TEST

/* Exactly CMDLINE_MAX_WORDS words fit; one more is refused. */
START_TEST(test_word_count)
{
	char text[CMDLINE_MAX_WORDS * 2 + 8];
	struct cmdline_words w;
	char err[64];
	const char *pos;

	for (int extra = 0; extra <= 1; extra++) {
		size_t n = 0;
		for (int i = 0; i < CMDLINE_MAX_WORDS + extra; i++) {
			text[n++] = 'w';
			text[n++] = ' ';
		}
		text[n] = '\0';
		pos = text;
		enum cmdline_result r = cmdline_next(&pos, &w, err, sizeof err);
		if (extra == 0) {
			ck_assert_int_eq(r, CMDLINE_COMMAND);
			ck_assert_uint_eq(w.n, CMDLINE_MAX_WORDS);
			cmdline_words_free(&w);
		} else {
			ck_assert_int_eq(r, CMDLINE_ERROR);
			ck_assert_str_eq(err, "too many words");
		}
	}
}
END_TEST

/* A word of exactly CMDLINE_WORD_MAX bytes fits. */
START_TEST(test_word_length)
{
	char *text = malloc(CMDLINE_WORD_MAX + 8);
	struct cmdline_words w;
	char err[64];

	memcpy(text, "x ", 2);
	memset(text + 2, 'b', CMDLINE_WORD_MAX);
	text[CMDLINE_WORD_MAX + 2] = '\0';
	const char *pos = text;
	ck_assert_int_eq(cmdline_next(&pos, &w, err, sizeof err), CMDLINE_COMMAND);
	ck_assert_uint_eq(strlen(w.v[1]), CMDLINE_WORD_MAX);
	cmdline_words_free(&w);
	free(text);
}
END_TEST

/* Quoting: plain words stay, others read back as the same single word. */
static const struct {
	const char *word;
	const char *quoted;
} quote_cases[] = {
	{ "a.txt", "a.txt" },
	{ "/pub/dir-1/x_y+z=1,2:3@h%20", "/pub/dir-1/x_y+z=1,2:3@h%20" },
	{ "\xc3\xbcn\xc3\xaf.txt", "\xc3\xbcn\xc3\xaf.txt" },
	{ "my file.txt", "'my file.txt'" },
	{ "", "''" },
	{ "it's", "'it'\\''s'" },
	{ "a;b", "'a;b'" },
	{ "#x", "'#x'" },
	{ "a\"b", "'a\"b'" },
	{ "a\\b", "'a\\b'" },
	{ "$HOME", "'$HOME'" },
};

START_TEST(test_quote)
{
	struct sbuf b;
	struct cmdline_words w;
	char err[64];

	sbuf_init(&b, 1024);
	ck_assert(sbuf_puts(&b, "get "));
	ck_assert(cmdline_quote(quote_cases[_i].word, &b));
	ck_assert_str_eq(sbuf_str(&b) + 4, quote_cases[_i].quoted);
	const char *pos = sbuf_str(&b);
	ck_assert_int_eq(cmdline_next(&pos, &w, err, sizeof err), CMDLINE_COMMAND);
	ck_assert_uint_eq(w.n, 2);
	ck_assert_str_eq(w.v[1], quote_cases[_i].word);
	cmdline_words_free(&w);
	sbuf_free(&b);
}
END_TEST

/* Quoting into a full buffer fails and leaves it as it was. */
START_TEST(test_quote_full)
{
	struct sbuf b;

	sbuf_init(&b, 8);
	ck_assert(sbuf_puts(&b, "get "));
	ck_assert(!cmdline_quote("a b c", &b));
	ck_assert_str_eq(sbuf_str(&b), "get ");
	ck_assert(cmdline_quote("abcd", &b));
	ck_assert_str_eq(sbuf_str(&b), "get abcd");
	sbuf_free(&b);
}
END_TEST

static Suite *cmdline_suite(void)
{
	Suite *s = suite_create("cmdline");

	TCase *core = tcase_create("core");
	tcase_add_loop_test(core, test_split, 0,
			    (int)(sizeof split_cases / sizeof split_cases[0]));
	tcase_add_loop_test(core, test_malformed, 0,
			    (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_loop_test(core, test_quote, 0,
			    (int)(sizeof quote_cases / sizeof quote_cases[0]));
	suite_add_tcase(s, core);

	TCase *limits = tcase_create("limits");
	tcase_add_test(limits, test_error_skips_line);
	tcase_add_test(limits, test_word_count);
	tcase_add_test(limits, test_word_length);
	tcase_add_test(limits, test_quote_full);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmdline_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
