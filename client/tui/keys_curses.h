/* keys_curses: the curses function-key codes the binding table uses, as
 * key codes (keys.h). Includes the curses header only for the KEY_*
 * values; the table itself stays data. */
#ifndef FERRY_TUI_KEYS_CURSES_H
#define FERRY_TUI_KEYS_CURSES_H

#include <curses.h>

#include "keys.h"

#define KC_UP (KEYS_FN + KEY_UP)
#define KC_DOWN (KEYS_FN + KEY_DOWN)
#define KC_PPAGE (KEYS_FN + KEY_PPAGE)
#define KC_NPAGE (KEYS_FN + KEY_NPAGE)
#define KC_HOME (KEYS_FN + KEY_HOME)
#define KC_END (KEYS_FN + KEY_END)
#define KC_ENTER (KEYS_FN + KEY_ENTER)
#define KC_BACKSPACE (KEYS_FN + KEY_BACKSPACE)
#define KC_IC (KEYS_FN + KEY_IC)
#define KC_DC (KEYS_FN + KEY_DC)
#define KC_RESIZE (KEYS_FN + KEY_RESIZE)
#define KC_F(n) (KEYS_FN + KEY_F(n))
#define KC_MOUSE (KEYS_FN + KEY_MOUSE)
#define KC_LEFT (KEYS_FN + KEY_LEFT)
#define KC_RIGHT (KEYS_FN + KEY_RIGHT)

#endif
