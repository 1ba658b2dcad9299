/* tempname: the temporary name a download is written under before it is
 * renamed into place, shared by the command line and the TUI's worker. */
#ifndef FERRY_TEMPNAME_H
#define FERRY_TEMPNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Writes a mkstemp(3) template for local into out: ".NAME.ferry-XXXXXX" in
 * the same directory (".ferry-XXXXXX" when NAME is too long for that).
 * Returns false if out is too small. */
bool tempname_for(const char *local, char *out, size_t outsz);

#endif
