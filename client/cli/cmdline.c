/* cmdline: splitting command lines into words (see cmdline.h). The
 * scanner is one loop over the characters with the quoting state in
 * three flags; every word is built in an sbuf bounded by
 * CMDLINE_WORD_MAX, so no input can grow it without limit. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "xalloc.h"

/* Characters that never need quoting in a word. */
static const char cmdline_plain[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	"_-+=.,/:@%^~";
/* Characters a backslash escapes inside double quotes. */
static const char cmdline_dq_escapes[] = "\"\\$`";

/* True for the blanks that separate words. */
static bool cmdline_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* True for the characters that end a command outside quotes. */
static bool cmdline_end(char ch)
{
	return ch == '\0' || ch == ';' || ch == '\n';
}

/* Moves p to the start of the next line (or the end of the text). */
static const char *cmdline_skip_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

/* Writes a message into err. */
static void cmdline_error(char *err, size_t errsz, const char *msg)
{
	if (errsz > 0)
		snprintf(err, errsz, "%s", msg);
}

void cmdline_words_free(struct cmdline_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	w->n = 0;
	w->v[0] = NULL;
}

/* Adds the finished word in b to w; false when w is full. */
static bool cmdline_push(struct cmdline_words *w, struct sbuf *b)
{
	if (w->n >= CMDLINE_MAX_WORDS)
		return false;
	w->v[w->n++] = xstrndup(sbuf_str(b), b->len);
	w->v[w->n] = NULL;
	sbuf_reset(b);
	return true;
}

/* Parses one command (possibly empty) starting at *pos. Returns NULL and
 * advances *pos past the command's terminator, or returns a message with
 * *pos where the scan stopped. */
static const char *cmdline_one(const char **pos, struct cmdline_words *w, struct sbuf *b)
{
	const char *p = *pos;
	const char *msg = NULL;
	bool in_word = false, sq = false, dq = false;

	for (;; p++) {
		char ch = *p;
		if (sq || dq) {
			if (ch == '\0') {
				msg = sq ? "unterminated quote '" : "unterminated quote \"";
				break;
			}
			if ((sq && ch == '\'') || (dq && ch == '"')) {
				sq = dq = false;
				continue;
			}
			if (dq && ch == '\\' && p[1] != '\0' && strchr(cmdline_dq_escapes, p[1]))
				ch = *++p;
			if (!sbuf_append(b, &ch, 1)) {
				msg = "word too long";
				break;
			}
			continue;
		}
		if (cmdline_end(ch) || cmdline_blank(ch)) {
			if (in_word && !cmdline_push(w, b)) {
				msg = "too many words";
				break;
			}
			in_word = false;
			if (cmdline_end(ch)) {
				*pos = ch == '\0' ? p : p + 1;
				return NULL;
			}
			continue;
		}
		if (ch == '#' && !in_word) {
			p += strcspn(p, "\n") - 1;   /* the loop steps onto the '\n' */
			continue;
		}
		in_word = true;
		if (ch == '\'') {
			sq = true;
			continue;
		}
		if (ch == '"') {
			dq = true;
			continue;
		}
		if (ch == '\\' && p[1] != '\0' && p[1] != '\n')
			ch = *++p;
		if (!sbuf_append(b, &ch, 1)) {
			msg = "word too long";
			break;
		}
	}
	*pos = p;
	return msg;
}

enum cmdline_result cmdline_next(const char **pos, struct cmdline_words *w,
				 char *err, size_t errsz)
{
	struct sbuf b;

	w->n = 0;
	w->v[0] = NULL;
	sbuf_init(&b, CMDLINE_WORD_MAX);
	while (**pos != '\0') {
		const char *msg = cmdline_one(pos, w, &b);
		if (msg != NULL) {
			cmdline_words_free(w);
			cmdline_error(err, errsz, msg);
			*pos = cmdline_skip_line(*pos);
			sbuf_free(&b);
			return CMDLINE_ERROR;
		}
		if (w->n > 0) {
			sbuf_free(&b);
			return CMDLINE_COMMAND;
		}
	}
	sbuf_free(&b);
	return CMDLINE_END;
}

/* True if word reads back as itself without quotes. */
static bool cmdline_is_plain(const char *word)
{
	if (word[0] == '\0' || word[0] == '#')
		return false;
	for (const unsigned char *s = (const unsigned char *)word; *s != '\0'; s++)
		if (*s < 0x80 && strchr(cmdline_plain, *s) == NULL)
			return false;
	return true;
}

bool cmdline_quote(const char *word, struct sbuf *out)
{
	if (cmdline_is_plain(word))
		return sbuf_puts(out, word);
	struct sbuf q;
	sbuf_init(&q, out->max);
	bool ok = sbuf_puts(&q, "'");
	for (const char *s = word; ok && *s != '\0'; s++)
		ok = *s == '\'' ? sbuf_puts(&q, "'\\''") : sbuf_append(&q, s, 1);
	ok = ok && sbuf_puts(&q, "'") && sbuf_append(out, sbuf_str(&q), q.len);
	sbuf_free(&q);
	return ok;
}
