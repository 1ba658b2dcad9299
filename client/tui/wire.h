/* wire: the messages between the TUI and its workers (the transfer
 * worker and the two browsing workers, wire_type says which speaks), as small
 * length-prefixed records on a pipe: a 4-byte big-endian length, then
 * the type (1 byte), the job id (4 bytes) and the type's own fields
 * (numbers big-endian, strings with 2-byte lengths). Encoding and
 * decoding are pure; the send/receive helpers only read and write whole
 * records. Decoding checks every length against the buffer and the
 * limits. */
#ifndef FERRY_TUI_WIRE_H
#define FERRY_TUI_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ftp.h"

/* Longest string field, in bytes (a path). */
#define WIRE_STR_MAX 4096
/* Longest listing line a left-out entry quotes, with its NUL (the
 * engine keeps the first line of a listing it did not understand so). */
#define WIRE_LINE_MAX LISTPARSE_SHOWN_MAX
/* Bytes of the fixed fields of the largest body (an entry left out: two
 * bytes, two numbers of 8 bytes and a listing line with its length). */
#define WIRE_FIXED_MAX (2 + 2 * 8 + 2 + WIRE_LINE_MAX - 1)
/* Largest encoded record: header, type, id, and the largest body (fixed
 * fields and two strings with their lengths). */
#define WIRE_MSG_MAX (4 + 1 + 4 + WIRE_FIXED_MAX + 2 * (2 + WIRE_STR_MAX))

/* What a message says; each type has its own body (struct wire_msg). */
enum wire_type {
	WIRE_JOB = 1,   /* UI -> transfer worker: run job id (copy) */
	WIRE_CANCEL,    /* UI -> worker: stop job id (no body) */
	WIRE_PROGRESS,  /* worker -> UI: job id moved bytes, or removed entries (progress) */
	WIRE_FILE,      /* transfer worker -> UI: directory job id holds a file to copy (copy) */
	WIRE_END,       /* worker -> UI: job id ended (end) */
	WIRE_NOTE,      /* worker -> UI: a note on running job id, e.g. a retry (end: message) */
	WIRE_LIST,      /* UI -> browser: list directory path (request) */
	WIRE_MKDIR,     /* UI -> browser: make directory path (request) */
	WIRE_RENAME,    /* UI -> browser: rename path to path2 (request; flags: WIRE_REPLACE) */
	WIRE_REMOVE,    /* UI -> browser: run delete job id on path (request; flags: WIRE_TREE) */
	WIRE_ENTRY,     /* browser -> UI: one entry of listing id (entry) */
	WIRE_REPLY,     /* browser -> UI: request id answered; id 0 answers the login (reply) */
	WIRE_NOTICE,    /* worker -> UI: a line the user must read, as the engine gave it (notice) */
	WIRE_TLS,       /* worker -> UI: TLS on the connection it opened, also after a failure (tls) */
	WIRE_CERT,      /* worker -> UI: question id: may the certificate be trusted? (tls) */
	WIRE_ANSWER,    /* UI -> worker: the answer to question id (answer) */
	WIRE_INFO,      /* UI -> browser: what is known of path (request); the reply's
			 * message holds it, a fact a line */
	WIRE_TRACE,     /* worker -> UI: a line of the protocol trace (notice: kind is
			 * enum ftp_trace_kind) */
	WIRE_IDLE,      /* UI -> transfer worker: no job follows for now: what the last
			 * one left to go out with the next command (an upload's MFMT)
			 * goes now (no body) */
	WIRE_SETTLED,   /* transfer worker -> UI: the time of upload id, which ended
			 * done, went out after its end (end: state done when it was set
			 * or cannot be, failed with the reason when it was not) */
	WIRE_LEFT,      /* transfer worker -> UI: directory job id left out the entry
			 * left.local (left.remote on the server), for left.why (left) */
	WIRE_TYPE_MAX,  /* one past the last type */
};

/* Flags of a request. */
enum wire_request_flag {
	WIRE_REPLACE = 1 << 0,  /* rename: replacing an existing target was agreed */
	WIRE_TREE = 1 << 1,     /* remove: a directory with everything in it */
	WIRE_FIND = 1 << 2,     /* list: the names below path matching the pattern path2 */
	WIRE_SCAN = 1 << 3,     /* list: every entry below path, named by its path below it */
};

/* How a browser answered a request. */
enum wire_result {
	WIRE_OK = 0,      /* done (a listing: its entries came before) */
	WIRE_FAILED,      /* not done; the message says why */
	WIRE_EXISTS,      /* rename: the target exists (its size and date are in the reply) */
};

/* Flags of an entry. */
enum wire_entry_flag {
	WIRE_LINK = 1 << 0,    /* a symbolic link (type says what it leads to, when known) */
	WIRE_BROKEN = 1 << 1,  /* a link that leads nowhere */
};

/* Flags of a reply. */
enum wire_reply_flag {
	WIRE_FELL_BACK = 1 << 0, /* listing: MLSD was refused and LIST stood in (message says so) */
	WIRE_INCOMPLETE = 1 << 1, /* scan: a listing below was not whole (message names its folder) */
};

/* The tree values of a WIRE_JOB. */
#define WIRE_TREE_DIR 1
#define WIRE_TREE_LINK 2

/* A copy: the job WIRE_JOB hands over, or a file WIRE_FILE reports. */
struct wire_copy {
	uint8_t dir;                    /* enum queue_dir */
	uint8_t mode;                   /* enum queue_mode */
	uint8_t tree;                   /* WIRE_JOB: WIRE_TREE_DIR for a directory to expand,
					 * WIRE_TREE_LINK for a remote link to expand when it
					 * leads to a directory; 0 for a file */
	int64_t size;                   /* the source's size in bytes; -1 unknown */
	int64_t target_size;            /* WIRE_FILE: the target's size; -1 when there is none */
	int64_t mtime;                  /* WIRE_FILE: the source's modification time; 0 unknown */
	int64_t target_mtime;           /* WIRE_FILE: the target's modification time; 0 unknown */
	char local[WIRE_STR_MAX + 1];   /* local path (NUL-terminated) */
	char remote[WIRE_STR_MAX + 1];  /* remote path (NUL-terminated) */
};

/* Why a directory job left an entry out (the walk's enum tree_skip, and
 * its partial listings). */
enum wire_left_why {
	WIRE_LEFT_LOOP,     /* a folder leading back up to one above it */
	WIRE_LEFT_LINK,     /* a symbolic link */
	WIRE_LEFT_SPECIAL,  /* neither a file, a folder nor a link */
	WIRE_LEFT_NAME,     /* a name that is not a plain file name */
	WIRE_LEFT_LISTING,  /* lines of a folder's listing that were not understood */
	WIRE_LEFT_UNLISTED, /* a folder the server refused to list (line: its reply) */
	WIRE_LEFT_TEMP,     /* a file named as a download's temporary (the last: wire.c) */
};

/* An entry a directory job left out. */
struct wire_left {
	uint8_t dir;                    /* enum queue_dir */
	uint8_t why;                    /* enum wire_left_why */
	int64_t to_len;                 /* WIRE_LEFT_LOOP: bytes of remote naming the folder
					 * it leads back to; -1 when not known */
	int64_t lines;                  /* WIRE_LEFT_LISTING: lines not understood */
	char line[WIRE_LINE_MAX];       /* WIRE_LEFT_LISTING: the first of them, sanitised;
					 * WIRE_LEFT_UNLISTED: the server's refusal */
	char local[WIRE_STR_MAX + 1];   /* local path (WIRE_LEFT_LISTING, _UNLISTED: of the folder;
					 * WIRE_LEFT_NAME: the name as listed, sanitised) */
	char remote[WIRE_STR_MAX + 1];  /* remote path (as local) */
};

/* How far a running job is. */
struct wire_progress {
	int64_t done;   /* bytes done, counting a resume offset */
	int64_t total;  /* bytes in all; -1 unknown */
	int64_t rate;   /* bytes per second so far */
};

/* How a job ended. */
struct wire_end {
	uint8_t state;                   /* enum queue_state: done, failed or cancelled */
	char message[WIRE_STR_MAX + 1];  /* why, "" when done (NUL-terminated) */
};

/* A browsing request. */
struct wire_request {
	uint8_t flags;                  /* enum wire_request_flag bits */
	char path[WIRE_STR_MAX + 1];    /* the path it is about (raw) */
	char path2[WIRE_STR_MAX + 1];   /* WIRE_RENAME: the new path; else "" */
};

/* One directory entry of a listing. */
struct wire_entry {
	uint8_t type;                   /* enum ftp_entry_type */
	uint8_t flags;                  /* enum wire_entry_flag bits */
	int64_t size;                   /* bytes; -1 unknown */
	int64_t mtime;                  /* modification time; 0 unknown */
	char name[WIRE_STR_MAX + 1];    /* raw name */
	char target[WIRE_STR_MAX + 1];  /* a link's target, sanitised; "" unknown */
};

/* A browser's answer to a request. */
struct wire_reply {
	uint8_t result;                 /* enum wire_result */
	uint8_t flags;                  /* enum wire_reply_flag bits */
	int64_t size;                   /* WIRE_EXISTS: the target's size; -1 unknown */
	int64_t mtime;                  /* WIRE_EXISTS: the target's date; 0 unknown */
	char message[WIRE_STR_MAX + 1]; /* what happened (sanitised), "" when nothing to say */
	char path[WIRE_STR_MAX + 1];    /* a listing or login: the directory as the side names it */
};

/* A notice of the engine (ftp_set_notice). */
struct wire_notice {
	uint8_t kind;                   /* enum ftp_notice_kind */
	char text[WIRE_STR_MAX + 1];    /* the line, sanitised */
};

/* The answer to a certificate question. */
struct wire_answer {
	uint8_t answer;                 /* enum ftp_cert_answer */
};

/* One message: its type, the job it is about, and the body of its type. */
struct wire_msg {
	enum wire_type type;               /* what it says */
	uint32_t id;                       /* the job or request it is about */
	union {
		struct wire_copy copy;         /* WIRE_JOB, WIRE_FILE */
		struct wire_left left;         /* WIRE_LEFT */
		struct wire_progress progress; /* WIRE_PROGRESS */
		struct wire_end end;           /* WIRE_END, WIRE_NOTE, WIRE_SETTLED */
		struct wire_request request;   /* WIRE_LIST, WIRE_MKDIR, WIRE_RENAME, WIRE_REMOVE,
						* WIRE_INFO */
		struct wire_entry entry;       /* WIRE_ENTRY */
		struct wire_reply reply;       /* WIRE_REPLY */
		struct wire_notice notice;     /* WIRE_NOTICE, WIRE_TRACE */
		struct ftp_tls_info tls;       /* WIRE_TLS, WIRE_CERT (the certificate asked about) */
		struct wire_answer answer;     /* WIRE_ANSWER */
	};
};

/* Bytes buffered by a reader: room for two records. */
#define WIRE_READER_BUF (2 * WIRE_MSG_MAX)

/* Accumulates bytes from a pipe until whole records are in. */
struct wire_reader {
	uint8_t buf[WIRE_READER_BUF]; /* bytes read, not yet decoded */
	size_t len;                   /* bytes in buf */
};

/* Bytes a writer gathers before it writes them (many small records, one write). */
#define WIRE_WRITER_BUF (8 * WIRE_MSG_MAX)

/* Gathers records for one fd, so a listing of many entries costs few writes. */
struct wire_writer {
	int fd;                        /* where they go (blocking) */
	uint8_t buf[WIRE_WRITER_BUF];  /* records not written yet */
	size_t len;                    /* bytes in buf */
};

/* Encodes m into out (outsz bytes); returns the record length, or 0 if a
 * string is too long or out too small. */
size_t wire_encode(const struct wire_msg *m, uint8_t *out, size_t outsz);
/* Decodes the first record of buf (len bytes) into m. Returns 1 and sets
 * *used, 0 when more bytes are needed, -1 when the record is malformed. */
int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m, size_t *used);
/* Writes one record to fd (blocking); returns 0 or -1 with errno. */
int wire_send(int fd, const struct wire_msg *m);
/* Reads what fd has (one read(2)) into r; returns bytes read, 0 at end of
 * file, -1 with errno (EAGAIN when a non-blocking fd has nothing). */
long wire_fill(int fd, struct wire_reader *r);
/* Takes the next whole record out of r into m: 1, 0 when none is whole, -1 malformed. */
int wire_take(struct wire_reader *r, struct wire_msg *m);
/* Adds m to w, writing what w holds first when m does not fit; returns 0
 * or -1 with errno. Call wire_flush before waiting for an answer. */
int wire_put_msg(struct wire_writer *w, const struct wire_msg *m);
/* Writes what w holds; returns 0 or -1 with errno. */
int wire_flush(struct wire_writer *w);
/* Clears m and sets its type and id. */
void wire_init(struct wire_msg *m, enum wire_type type, uint32_t id);
/* Copies s (truncated to WIRE_STR_MAX bytes) into a string field of size WIRE_STR_MAX + 1. */
void wire_set_str(char *field, const char *s);

#endif
