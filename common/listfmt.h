/* listfmt: one directory entry as a line of a listing.
 * LIST lines follow `ls -l` (what every client parses); MLSx lines follow
 * RFC 3659 section 7 with the facts type, size, modify, perm and unique.
 * Times are UTC. Lines end in CRLF. */
#ifndef FERRY_LISTFMT_H
#define FERRY_LISTFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "sbuf.h"

/* MLSx facts, as bits for OPTS MLST. */
enum mlst_fact {
	MLST_TYPE = 1 << 0,
	MLST_SIZE = 1 << 1,
	MLST_MODIFY = 1 << 2,
	MLST_PERM = 1 << 3,
	MLST_UNIQUE = 1 << 4,
	MLST_ALL = (1 << 5) - 1,
};

/* Writes the `ls -l` type and permission letters for m into mode
 * ("drwxr-xr-x", with s/S/t/T for setuid, setgid and sticky). */
void listfmt_mode_string(mode_t m, char mode[11]);
/* Appends an `ls -l` line for name. link_target is shown as "name -> target"
 * for symlinks (NULL otherwise); now decides between "HH:MM" and year. */
bool listfmt_ls(struct sbuf *out, const char *name, const struct stat *st,
		const char *link_target, time_t now);
/* Appends an MLSx line: enabled facts (a mask of mlst_fact), one space,
 * then name (a path for MLST, a bare name for MLSD). type overrides the
 * type fact ("cdir", "pdir") when not NULL. perm is the perm fact's value. */
bool listfmt_mlsx(struct sbuf *out, unsigned facts, const char *name,
		  const struct stat *st, const char *type, const char *perm);
/* Writes t as YYYYMMDDHHMMSS (UTC) into out (at least 15 bytes). */
void listfmt_time(time_t t, char *out, size_t outsz);
/* Parses "type;size;..." (OPTS MLST's argument) into a mask; unknown facts
 * are ignored. */
unsigned listfmt_parse_facts(const char *s);
/* Appends the enabled facts as "type*;size*;..." (star: enabled), or
 * "type;size;" (stars false). */
bool listfmt_facts_string(struct sbuf *out, unsigned enabled, bool stars);

#endif
