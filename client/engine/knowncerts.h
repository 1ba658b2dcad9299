/* knowncerts: the trust-on-first-use store, certificates a user accepted
 * "always" for a server that failed verification. One file,
 * $XDG_DATA_HOME/ferry/known_certs (~/.local/share/ferry/known_certs when
 * XDG_DATA_HOME is unset or not absolute), one entry a line:
 *
 *     # comment
 *     ftp.example.org:21 SHA256:AB:CD:...:EF
 *     [2001:db8::1]:990 SHA256:...
 *
 * Host names are kept in lower case; IPv6 addresses in brackets. A line
 * that is neither an entry, a comment nor blank is kept as it is when the
 * file is written again, and never matches anything. The file is always
 * replaced whole (a temporary file renamed over it) with mode 0600.
 *
 * Pure C and file I/O only: fingerprints are text (common/fingerprint.h).
 * Nothing here prints; errors come back as text. */
#ifndef FERRY_KNOWNCERTS_H
#define FERRY_KNOWNCERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "fingerprint.h"

/* Longest line read; a longer one is kept but counts as corrupt. */
#define KNOWNCERTS_LINE_MAX 1024
/* Largest file read, in bytes. */
#define KNOWNCERTS_FILE_MAX (4 * 1024 * 1024)
/* Longest "host:port" key, NUL included. */
#define KNOWNCERTS_KEY_SIZE 300

struct knowncerts;

/* Writes the store's path for the current environment into buf.
 * Returns 0, or -1 with err (no usable XDG_DATA_HOME and no HOME). */
int knowncerts_path(char *buf, size_t n, char *err, size_t errsz);
/* Reads the store at path; a missing file is an empty store. NULL with
 * err if the file exists but cannot be read (or is too large). */
struct knowncerts *knowncerts_load(const char *path, char *err, size_t errsz);
/* Frees kc (NULL is ignored). */
void knowncerts_free(struct knowncerts *kc);
/* How many lines were neither entries, comments nor blank. */
int knowncerts_bad_lines(const struct knowncerts *kc);

/* Compares fp (canonical text) with what is stored for host:port. On
 * FP_CHANGED, *stored (if not NULL) points at the stored fingerprint, a
 * static copy valid until the next call. */
enum fp_match knowncerts_check(const struct knowncerts *kc, const char *host, int port,
			       const char *fp, const char **stored);
/* Stores fp for host:port, replacing what was there. False (kc
 * unchanged) for a host with spaces or control bytes, a port outside
 * 1..65535, or a fingerprint that is not canonical. */
bool knowncerts_set(struct knowncerts *kc, const char *host, int port, const char *fp);
/* Writes kc back to its path atomically with mode 0600, creating the
 * folders (mode 0700). Returns 0, or -1 with err (the old file stays). */
int knowncerts_save(struct knowncerts *kc, char *err, size_t errsz);

/* The store key of host:port ("host:port", "[v6]:port", lower case).
 * False if host or port cannot be stored. */
bool knowncerts_key(const char *host, int port, char *out, size_t n);
/* Parses one line (without its newline): 1 for an entry (key and fp
 * filled), 0 for a comment or blank line, -1 for anything else. */
int knowncerts_parse_line(const char *line, char key[KNOWNCERTS_KEY_SIZE],
			  char fp[FP_TEXT_SIZE]);

#endif
