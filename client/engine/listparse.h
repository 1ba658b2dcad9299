/* listparse: directory listings as servers send them, turned into entries.
 * MLSD lines (RFC 3659 section 7: "fact=value;...; name") and LIST lines in
 * the forms real servers use: Unix `ls -l` (vsftpd, pure-ftpd, proftpd,
 * ferryd, IIS in Unix mode, busybox) and DOS/Windows (IIS).
 * Pure functions: no I/O, no clock (callers pass "now"), nothing printed.
 * Every entry carries the raw name (for commands) and a sanitised copy
 * (for display); only the sanitised copy may reach a terminal. */
#ifndef FERRY_LISTPARSE_H
#define FERRY_LISTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* What an entry is. */
enum ftp_entry_type {
	FTP_ENTRY_FILE,   /* regular file */
	FTP_ENTRY_DIR,    /* directory */
	FTP_ENTRY_LINK,   /* symbolic link */
	FTP_ENTRY_OTHER,  /* device, socket, pipe, or a type the server did not say */
};

/* Longest permission string kept ("-rwxr-xr-x" plus an ACL mark). */
#define LISTPARSE_PERMS_MAX 12

/* One directory entry. */
struct ftp_entry {
	char *name;        /* name exactly as the server sent it: use it in commands, never show it */
	char *display;     /* name after sanitize_text: the one to show */
	enum ftp_entry_type type;
	off_t size;        /* bytes; -1 when unknown */
	time_t mtime;      /* modification time, seconds since the epoch (UTC); 0 when unknown */
	bool mtime_exact;  /* mtime is to the second (MLSx "modify"), not a LIST date */
	char perms[LISTPARSE_PERMS_MAX];  /* "drwxr-xr-x" form; "" when unknown */
	char *target;      /* symlink target, sanitised; NULL when none or unknown */
	char *unique;      /* MLSx "unique" fact, raw (compared, never shown); NULL when not given */
};

/* Bytes of a line not understood that a listing keeps to show. */
#define LISTPARSE_SHOWN_MAX 64

/* A parsed listing: n entries in v, in the server's order. */
struct ftp_listing {
	struct ftp_entry *v;  /* entries; owned by the listing */
	size_t n;             /* entries in v */
	size_t cap;           /* slots allocated in v */
	size_t skipped;       /* lines that were not understood (and left out) */
	bool self_seen;       /* a LIST line for the directory itself ("."), as ls -a
	                       * prints it, was read (and left out) */
	char first_skipped[LISTPARSE_SHOWN_MAX];  /* the first of them, sanitised and
	                                           * cut to its start and end; "" */
};

/* Parses one MLSD/MLST line (len bytes, no CRLF). Returns 1 and fills e
 * (free with listparse_entry_free), 0 for a line to leave out (the "cdir"
 * and "pdir" entries, "." and ".."), or -1 if it is not an MLSx line. */
int listparse_mlsx(const char *line, size_t len, struct ftp_entry *e);
/* Parses one LIST line in Unix or DOS form; now decides the year of dates
 * shown with a time of day. Returns 1 and fills e (free with
 * listparse_entry_free), 0 for a line to leave out ("total N", blank, "."
 * and ".."), or -1 if the line is in no known form. */
int listparse_list(const char *line, size_t len, time_t now, struct ftp_entry *e);
/* Splits a whole listing body (CRLF or LF lines) and appends its entries
 * to out (initialise it with listparse_init). mlsx picks the MLSD parser.
 * Lines not understood are counted in out->skipped; a LIST line for "."
 * sets out->self_seen. */
void listparse_buffer(const char *data, size_t len, bool mlsx, time_t now,
		      struct ftp_listing *out);
/* True if listparse_mlsx reads the MLSx fact named s (n bytes, any
 * case): type, size, modify, unique, UNIX.mode. */
bool listparse_reads_fact(const char *s, size_t n);
/* Parses an RFC 3659 time-val "YYYYMMDDHHMMSS[.sss]" (UTC, as in MLSx
 * "modify" and MDTM replies) of n bytes; returns 0 if it is malformed. */
time_t listparse_time_val(const char *s, size_t n);
/* Appends e to l, which takes over its strings. */
void listparse_add(struct ftp_listing *l, const struct ftp_entry *e);
/* Prepares an empty listing. */
void listparse_init(struct ftp_listing *l);
/* Adds the lines from not understood to l's count (the first one shown
 * when l has none yet). */
void listparse_add_skipped(struct ftp_listing *l, const struct ftp_listing *from);
/* Frees every entry and the array; the listing is empty afterwards. */
void listparse_free(struct ftp_listing *l);
/* Marks the links of l that certainly point at nothing: broken[i] (l->n
 * slots) becomes true for a link whose target is a plain name in the same
 * folder (no '/', not hidden, which LIST may leave out) that l does not
 * hold. A target elsewhere, or none given (MLSD names none), is not known
 * to be missing: false. */
void listparse_mark_broken(const struct ftp_listing *l, bool *broken);
/* Frees the strings of one entry (not the entry itself). */
void listparse_entry_free(struct ftp_entry *e);

#endif
