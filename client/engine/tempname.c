/* tempname: temporary names for downloads (see tempname.h). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tempname.h"

/* Suffix of temporary download names (mkstemp fills in the X's). */
static const char temp_suffix[] = ".ferry-XXXXXX";

bool tempname_for(const char *local, char *out, size_t outsz)
{
	const char *slash = strrchr(local, '/');
	const char *base = slash ? slash + 1 : local;
	int dirlen = slash ? (int)(slash + 1 - local) : 0;
	bool fits = strlen(base) + sizeof temp_suffix + 1 <= NAME_MAX;
	int n = snprintf(out, outsz, "%.*s.%s%s", dirlen, local, fits ? base : "",
			 fits ? temp_suffix : temp_suffix + 1);
	return n > 0 && (size_t)n < outsz;
}
