/* complete: Tab completion from a pane's listing (see complete.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "complete.h"

/* The length of the part of text that names the folder of its last part
 * ("" or ending in '/'), when that folder is p's; else SIZE_MAX. */
static size_t complete_dir(const struct pane *p, const char *text)
{
	const char *slash = strrchr(text, '/');
	if (slash == NULL)
		return 0;
	size_t dn = (size_t)(slash - text), pn = strlen(pane_path(p));
	const char *path = pane_path(p);
	while (pn > 1 && path[pn - 1] == '/')
		pn--;
	if ((dn == pn && strncmp(text, path, dn) == 0) || (dn == 0 && strcmp(path, "/") == 0))
		return dn + 1;
	return SIZE_MAX;
}

size_t complete_path(const struct pane *p, char *text, size_t bufsz, char *list, size_t listsz)
{
	size_t at = complete_dir(p, text), matched = 0, common = 0, used = 0;
	const struct pane_entry *only = NULL;
	if (list != NULL && listsz > 0)
		list[0] = '\0';
	if (at == SIZE_MAX)
		return 0;
	const char *part = text + at;
	size_t plen = strlen(part);
	for (size_t i = 0; i < pane_rows(p); i++) {
		const struct pane_entry *e = pane_row(p, i);
		if (strcmp(e->name, PANE_PARENT) == 0 || strncmp(e->name, part, plen) != 0)
			continue;
		if (matched == 0) {
			common = strlen(e->name);
			only = e;
		} else {
			size_t k = plen;
			while (k < common && e->name[k] == only->name[k])
				k++;
			common = k;
		}
		matched++;
		size_t dn = strlen(e->display);
		if (list != NULL && used + dn + 2 < listsz) {
			memcpy(list + used, e->display, dn);
			used += dn;
			list[used++] = ' ';
			list[used] = '\0';
		}
	}
	if (matched == 0)
		return 0;
	bool dir = matched == 1 && only->type == FTP_ENTRY_DIR;
	if (at + common + (dir ? 1 : 0) < bufsz) {
		memcpy(text + at, only->name, common);
		text[at + common] = '\0';
		if (dir) {
			text[at + common] = '/';
			text[at + common + 1] = '\0';
		}
	}
	return matched;
}
