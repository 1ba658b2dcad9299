/* optword: command-line option arguments that must be one of a few
 * words ("--tls=off|on|required"), looked up in a table. */
#ifndef FERRY_OPTWORD_H
#define FERRY_OPTWORD_H

#include <stdbool.h>
#include <stddef.h>

/* One accepted word and the value it stands for. */
struct optword {
	const char *word;
	int value;
};

/* Sets *value from the entry of t (n entries) whose word is arg (exact,
 * case-sensitive). False, *value untouched, if arg is NULL or unknown. */
bool optword_lookup(const struct optword *t, size_t n, const char *arg, int *value);

#endif
