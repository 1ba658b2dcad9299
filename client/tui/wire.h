/* wire: the messages between the TUI and its transfer worker, as small
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

/* Longest string field, in bytes (a path). */
#define WIRE_STR_MAX 4096
/* Largest encoded record: header, type, id, and the largest body (a copy:
 * dir, mode, tree, two sizes, two strings with their lengths). */
#define WIRE_MSG_MAX (4 + 1 + 4 + 3 + 2 * 8 + 2 * (2 + WIRE_STR_MAX))

/* What a message says; each type has its own body (struct wire_msg). */
enum wire_type {
	WIRE_JOB = 1,   /* UI -> worker: run job id (copy) */
	WIRE_CANCEL,    /* UI -> worker: stop job id (no body) */
	WIRE_PROGRESS,  /* worker -> UI: job id moved bytes (progress) */
	WIRE_FILE,      /* worker -> UI: directory job id holds a file to copy (copy) */
	WIRE_END,       /* worker -> UI: job id ended (end) */
	WIRE_TYPE_MAX,  /* one past the last type */
};

/* A copy: the job WIRE_JOB hands over, or a file WIRE_FILE reports. */
struct wire_copy {
	uint8_t dir;                    /* enum queue_dir */
	uint8_t mode;                   /* enum queue_mode */
	uint8_t tree;                   /* WIRE_JOB: 1 for a directory to expand */
	int64_t size;                   /* the source's size in bytes; -1 unknown */
	int64_t target_size;            /* WIRE_FILE: the target's size; -1 when there is none */
	char local[WIRE_STR_MAX + 1];   /* local path (NUL-terminated) */
	char remote[WIRE_STR_MAX + 1];  /* remote path (NUL-terminated) */
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

/* One message: its type, the job it is about, and the body of its type. */
struct wire_msg {
	enum wire_type type;               /* what it says */
	uint32_t id;                       /* the job it is about */
	union {
		struct wire_copy copy;         /* WIRE_JOB, WIRE_FILE */
		struct wire_progress progress; /* WIRE_PROGRESS */
		struct wire_end end;           /* WIRE_END */
	};
};

/* Bytes buffered by a reader: room for two records. */
#define WIRE_READER_BUF (2 * WIRE_MSG_MAX)

/* Accumulates bytes from a pipe until whole records are in. */
struct wire_reader {
	uint8_t buf[WIRE_READER_BUF]; /* bytes read, not yet decoded */
	size_t len;                   /* bytes in buf */
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
/* Clears m and sets its type and id. */
void wire_init(struct wire_msg *m, enum wire_type type, uint32_t id);
/* Copies s (truncated to WIRE_STR_MAX bytes) into a string field of size WIRE_STR_MAX + 1. */
void wire_set_str(char *field, const char *s);

#endif
