/* lineedit: the model of a one-line text field, edited as in readline:
 * a cursor that moves by character (UTF-8 aware), Home/End, deleting
 * before and under the cursor, Ctrl-W (the word before), Ctrl-U (all
 * before), Ctrl-K (all after). A field can start with its text selected:
 * then typing replaces it, Backspace or Delete clears it, and a movement
 * only ends the selection. Plain C: no curses; the dialogs map keys to
 * these operations and draw the text, the cursor and the selection. */
#ifndef FERRY_TUI_LINEEDIT_H
#define FERRY_TUI_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

/* What a key does to a field. */
enum lineedit_op {
	LE_LEFT,         /* cursor one character left */
	LE_RIGHT,        /* cursor one character right */
	LE_HOME,         /* cursor to the start (Home, Ctrl-A) */
	LE_END,          /* cursor to the end (End, Ctrl-E) */
	LE_BACKSPACE,    /* delete the character before the cursor */
	LE_DELETE,       /* delete the character under the cursor (Delete, Ctrl-D) */
	LE_KILL_WORD,    /* delete the word before the cursor (Ctrl-W) */
	LE_KILL_START,   /* delete everything before the cursor (Ctrl-U) */
	LE_KILL_END,     /* delete everything from the cursor on (Ctrl-K) */
	LE_OPS,
};

/* A field over a caller's buffer. */
struct lineedit {
	char *buf;       /* the text, NUL-terminated (the caller's) */
	size_t cap;      /* bytes in buf, NUL included */
	size_t len;      /* bytes of text */
	size_t cur;      /* cursor: byte offset, on a character boundary */
	bool selected;   /* the whole text is selected */
};

/* Starts editing buf (cap bytes; its text is the starting value) with
 * the cursor at the end; select selects the whole text (when not empty). */
void lineedit_init(struct lineedit *le, char *buf, size_t cap, bool select);
/* Types text (one character or more, UTF-8) at the cursor, or in place of
 * the selection; false (changing nothing) when it does not fit. */
bool lineedit_insert(struct lineedit *le, const char *text);
/* Applies op. */
void lineedit_apply(struct lineedit *le, enum lineedit_op op);

#endif
