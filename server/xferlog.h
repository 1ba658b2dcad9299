/* xferlog: one line per finished file transfer in the xferlog format of
 * wu-ftpd, which vsftpd (xferlog_std_format), proftpd and pure-ftpd also
 * write and log analysers read. The listener opens the file before it
 * drops root; sessions inherit the descriptor and each writes a whole
 * line with one write(2) on an O_APPEND file, so lines from concurrent
 * sessions never interleave. */
#ifndef FERRYD_XFERLOG_H
#define FERRYD_XFERLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Longest line written (a longer file name is cut). */
#define XFERLOG_LINE_MAX 8192

/* One transfer, as the line records it. */
struct xferlog_entry {
	time_t when;           /* end of the transfer */
	long long seconds;     /* how long it took (rounded up, at least 1) */
	const char *host;      /* the client's address, no port */
	long long bytes;       /* bytes moved by this transfer */
	const char *path;      /* the file as the client sees it */
	bool ascii;            /* TYPE A (else binary) */
	char direction;        /* 'o' download, 'i' upload */
	bool anonymous;        /* an anonymous login (else an account) */
	const char *user;      /* the account, or the anonymous password */
	bool complete;         /* all bytes moved */
};

/* Formats e as one line ending in '\n' into out; returns its length.
 * Spaces and control bytes in the name and user become '_' (the format
 * separates fields by spaces). */
size_t xferlog_format(const struct xferlog_entry *e, char *out, size_t outsz);
/* Opens (creating, mode 0640) the file to append to; false with errno. */
bool xferlog_open(const char *path);
/* True when a file is open. */
bool xferlog_enabled(void);
/* Appends e's line; errors are ignored (a full log disk must not stop
 * transfers). */
void xferlog_write(const struct xferlog_entry *e);

#endif
