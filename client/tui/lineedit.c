/* lineedit: a one-line text field's model (see lineedit.h). Works on
 * bytes with UTF-8 character boundaries: a continuation byte (10xxxxxx)
 * never starts a character. No curses, no I/O. */
#include "config.h"

#include <string.h>

#include "lineedit.h"

/* True for a byte that continues a UTF-8 character. */
static bool le_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* The start of the character before offset i. */
static size_t le_prev(const struct lineedit *le, size_t i)
{
	while (i > 0) {
		i--;
		if (!le_cont(le->buf[i]))
			break;
	}
	return i;
}

/* The offset after the character at i. */
static size_t le_next(const struct lineedit *le, size_t i)
{
	if (i < le->len)
		i++;
	while (i < le->len && le_cont(le->buf[i]))
		i++;
	return i;
}

/* Removes bytes [from, to) and puts the cursor at from. */
static void le_cut(struct lineedit *le, size_t from, size_t to)
{
	memmove(le->buf + from, le->buf + to, le->len - to + 1);
	le->len -= to - from;
	le->cur = from;
}

void lineedit_init(struct lineedit *le, char *buf, size_t cap, bool select)
{
	le->buf = buf;
	le->cap = cap;
	le->len = strnlen(buf, cap > 0 ? cap - 1 : 0);
	buf[le->len] = '\0';
	le->cur = le->len;
	le->selected = select && le->len > 0;
}

bool lineedit_insert(struct lineedit *le, const char *text)
{
	size_t n = strlen(text);
	if (le->selected && n > 0) {
		le->buf[0] = '\0';
		le->len = le->cur = 0;
		le->selected = false;
	}
	if (le->len + n + 1 > le->cap)
		return false;
	memmove(le->buf + le->cur + n, le->buf + le->cur, le->len - le->cur + 1);
	memcpy(le->buf + le->cur, text, n);
	le->len += n;
	le->cur += n;
	return true;
}

/* The start of the word before the cursor: blanks, then non-blanks. */
static size_t le_word_start(const struct lineedit *le)
{
	size_t i = le->cur;
	while (i > 0 && le->buf[i - 1] == ' ')
		i--;
	while (i > 0 && le->buf[i - 1] != ' ')
		i--;
	return i;
}

void lineedit_apply(struct lineedit *le, enum lineedit_op op)
{
	if (le->selected) {
		le->selected = false;
		/* Deleting anything deletes the selection; moving only ends it. */
		if (op == LE_BACKSPACE || op == LE_DELETE || op == LE_KILL_WORD ||
		    op == LE_KILL_START || op == LE_KILL_END) {
			le_cut(le, 0, le->len);
			return;
		}
	}
	switch (op) {
	case LE_LEFT:
		le->cur = le_prev(le, le->cur);
		break;
	case LE_RIGHT:
		le->cur = le_next(le, le->cur);
		break;
	case LE_HOME:
		le->cur = 0;
		break;
	case LE_END:
		le->cur = le->len;
		break;
	case LE_BACKSPACE:
		if (le->cur > 0)
			le_cut(le, le_prev(le, le->cur), le->cur);
		break;
	case LE_DELETE:
		if (le->cur < le->len)
			le_cut(le, le->cur, le_next(le, le->cur));
		break;
	case LE_KILL_WORD:
		le_cut(le, le_word_start(le), le->cur);
		break;
	case LE_KILL_START:
		le_cut(le, 0, le->cur);
		break;
	case LE_KILL_END:
		le->buf[le->cur] = '\0';
		le->len = le->cur;
		break;
	case LE_OPS:
		break;
	}
}
