/* optword: one-of-a-few-words option arguments (see optword.h). */
#include "config.h"

#include <string.h>

#include "optword.h"

bool optword_lookup(const struct optword *t, size_t n, const char *arg, int *value)
{
	for (size_t i = 0; arg && i < n; i++) {
		if (strcmp(arg, t[i].word) == 0) {
			*value = t[i].value;
			return true;
		}
	}
	return false;
}
