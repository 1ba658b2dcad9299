/* prompt: talking to the person at the terminal. The command prompt with
 * line editing and history (libedit's readline interface), passwords read
 * from /dev/tty with echo off, and yes/no questions. Nothing else in the
 * command line reads the terminal. */
#ifndef FERRY_PROMPT_H
#define FERRY_PROMPT_H

#include <stdbool.h>

/* Longest password or answer read, in bytes. */
#define PROMPT_SECRET_MAX 1024

/* Shows prompt and reads one edited line, adding it to the history when
 * it is not blank. Returns the line (caller frees) or NULL at the end of
 * input or when Ctrl-C interrupted the reading. */
char *prompt_line(const char *prompt);
/* Shows prompt on /dev/tty and reads a line with echo off. Returns it
 * (caller clears and frees) or NULL when there is no terminal or the
 * reading was interrupted. */
char *prompt_secret(const char *prompt);
/* Writes question followed by " [y/N] " to stderr and reads an answer
 * from standard input (a terminal): true for "y" or "yes". */
bool prompt_confirm(const char *question);
/* Writes question to stderr and reads an answer from standard input (a
 * terminal). Returns the index in words (NULL-terminated) of the word
 * the answer is, or starts with (its first letter is enough); -1 for an
 * empty or other answer, the end of input or Ctrl-C. */
int prompt_choice(const char *question, const char *const *words);

#endif
