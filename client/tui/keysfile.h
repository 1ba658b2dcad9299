/* keysfile: the user's key bindings, $XDG_CONFIG_HOME/ferry/keys
 * (~/.config/ferry/keys), read at start. One binding a line, "KEY ACTION"
 * (ACTION "none" unbinds the key), or "preset vi" for the vi keys (h, l,
 * G, 0, Ctrl-F, Ctrl-B, Ctrl-D, Ctrl-U, :); '#' comments. Keys are named
 * as the help screen names them: a character, F1-F12, Ctrl-X, Alt-x,
 * Up, Down, Left, Right, PgUp, PgDn, Home, End, Insert, Delete, Enter,
 * Tab, Esc, Backspace, Space. The bindings of the file take precedence
 * over the built-in ones (keys.h). */
#ifndef FERRY_TUI_KEYSFILE_H
#define FERRY_TUI_KEYSFILE_H

#include <stddef.h>

/* Reads the keys file (a missing one binds nothing). Returns NULL, or an
 * error ("keys line N: ...") after which the lines before it hold. */
const char *keysfile_load(char *err, size_t errsz);
/* Parses one key name; returns its key code, or 0. */
int keysfile_key(const char *name);

#endif
