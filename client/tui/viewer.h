/* viewer: the built-in file viewer of F3 and the log: text a line at a
 * time, a file that is not text (a NUL byte or invalid UTF-8 in its
 * first 64 KiB, see sanitize_binary) as hex and ASCII, 16 bytes a row.
 * A line wider than the screen wraps by columns (whole characters); w or
 * F2 cuts lines at the edge instead, Left and Right then scrolling
 * sideways. Up/Down, PgUp/PgDn move by screen rows, Home/End go to the
 * first and last line, `/` searches forward (n: the next match), q, Esc,
 * F3 or F10 close. At most VIEWER_MAX bytes of a file are shown (the top
 * line says when it was cut). */
#ifndef FERRY_TUI_VIEWER_H
#define FERRY_TUI_VIEWER_H

#include "app.h"

/* Most bytes of a file the viewer reads. */
#define VIEWER_MAX (16 * 1024 * 1024)

/* Shows the file at path (titled title, sanitised) until closed; false
 * (status set) when it cannot be read. */
bool viewer_show(struct app *a, const char *path, const char *title);
/* Shows len bytes of text (the viewer takes them over: freed when it
 * closes), starting at the end when at_end. */
void viewer_show_text(struct app *a, char *text, size_t len, const char *title, bool at_end);

#endif
