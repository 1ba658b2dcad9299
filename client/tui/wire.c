/* wire: TUI <-> worker records (see wire.h). Big-endian integers; one
 * table says how each type's body is written and read; all length checks
 * happen before any byte is copied. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "sysio.h"
#include "wire.h"

/* Bytes of the length header. */
#define WIRE_HEADER 4
/* Bytes every record has after it: type and id. */
#define WIRE_KIND 5

/* A cursor over an output buffer. */
struct wire_out {
	uint8_t *p;    /* next byte */
	size_t left;   /* bytes left */
	bool ok;       /* false once something did not fit */
};

/* A cursor over an input buffer. */
struct wire_in {
	const uint8_t *p; /* next byte */
	size_t left;      /* bytes left */
	bool ok;          /* false once a read ran past the end */
};

/* Appends the low n bytes of v, big-endian. */
static void wire_put(struct wire_out *o, uint64_t v, size_t n)
{
	if (!o->ok || o->left < n) {
		o->ok = false;
		return;
	}
	for (size_t i = 0; i < n; i++)
		o->p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	o->p += n;
	o->left -= n;
}

/* Appends a string with its 2-byte length. */
static void wire_put_str(struct wire_out *o, const char *s)
{
	size_t n = strnlen(s, WIRE_STR_MAX + 1);
	if (n > WIRE_STR_MAX) {
		o->ok = false;
		return;
	}
	wire_put(o, n, 2);
	if (!o->ok || o->left < n) {
		o->ok = false;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
}

/* Reads n bytes as a big-endian number. */
static uint64_t wire_get(struct wire_in *in, size_t n)
{
	uint64_t v = 0;
	if (!in->ok || in->left < n) {
		in->ok = false;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | in->p[i];
	in->p += n;
	in->left -= n;
	return v;
}

/* Reads a string with its 2-byte length into field (size bytes, the NUL
 * included): a longer one is malformed. */
static void wire_get_strn(struct wire_in *in, char *field, size_t size)
{
	size_t n = (size_t)wire_get(in, 2);
	if (!in->ok || n >= size || n > in->left || memchr(in->p, '\0', n) != NULL) {
		in->ok = false;
		field[0] = '\0';
		return;
	}
	memcpy(field, in->p, n);
	field[n] = '\0';
	in->p += n;
	in->left -= n;
}

/* Reads a string into a field of WIRE_STR_MAX + 1 bytes. */
static void wire_get_str(struct wire_in *in, char *field)
{
	wire_get_strn(in, field, WIRE_STR_MAX + 1);
}

/* Reads a byte that must be 0 or 1. */
static bool wire_get_bool(struct wire_in *in)
{
	uint64_t v = wire_get(in, 1);
	if (v > 1)
		in->ok = false;
	return v == 1;
}

/* Writes a copy's fields. */
static void wire_put_copy(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->copy.dir, 1);
	wire_put(o, m->copy.mode, 1);
	wire_put(o, m->copy.tree, 1);
	wire_put(o, (uint64_t)m->copy.size, 8);
	wire_put(o, (uint64_t)m->copy.target_size, 8);
	wire_put(o, (uint64_t)m->copy.mtime, 8);
	wire_put(o, (uint64_t)m->copy.target_mtime, 8);
	wire_put_str(o, m->copy.local);
	wire_put_str(o, m->copy.remote);
}

/* Reads a copy's fields. */
static void wire_get_copy(struct wire_in *in, struct wire_msg *m)
{
	m->copy.dir = (uint8_t)wire_get(in, 1);
	m->copy.mode = (uint8_t)wire_get(in, 1);
	m->copy.tree = (uint8_t)wire_get(in, 1);
	m->copy.size = (int64_t)wire_get(in, 8);
	m->copy.target_size = (int64_t)wire_get(in, 8);
	m->copy.mtime = (int64_t)wire_get(in, 8);
	m->copy.target_mtime = (int64_t)wire_get(in, 8);
	wire_get_str(in, m->copy.local);
	wire_get_str(in, m->copy.remote);
}

/* Writes a left-out entry's fields. */
static void wire_put_left(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->left.dir, 1);
	wire_put(o, m->left.why, 1);
	wire_put(o, (uint64_t)m->left.to_len, 8);
	wire_put(o, (uint64_t)m->left.lines, 8);
	wire_put_str(o, m->left.line);
	wire_put_str(o, m->left.local);
	wire_put_str(o, m->left.remote);
}

/* Reads a left-out entry's fields. */
static void wire_get_left(struct wire_in *in, struct wire_msg *m)
{
	m->left.dir = (uint8_t)wire_get(in, 1);
	m->left.why = (uint8_t)wire_get(in, 1);
	if (m->left.why > WIRE_LEFT_TEMP)
		in->ok = false;
	m->left.to_len = (int64_t)wire_get(in, 8);
	m->left.lines = (int64_t)wire_get(in, 8);
	wire_get_strn(in, m->left.line, sizeof m->left.line);
	wire_get_str(in, m->left.local);
	wire_get_str(in, m->left.remote);
}

/* Writes a progress report's fields. */
static void wire_put_progress(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, (uint64_t)m->progress.done, 8);
	wire_put(o, (uint64_t)m->progress.total, 8);
	wire_put(o, (uint64_t)m->progress.rate, 8);
}

/* Reads a progress report's fields. */
static void wire_get_progress(struct wire_in *in, struct wire_msg *m)
{
	m->progress.done = (int64_t)wire_get(in, 8);
	m->progress.total = (int64_t)wire_get(in, 8);
	m->progress.rate = (int64_t)wire_get(in, 8);
}

/* Writes an ending's fields. */
static void wire_put_end(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->end.state, 1);
	wire_put_str(o, m->end.message);
}

/* Reads an ending's fields. */
static void wire_get_end(struct wire_in *in, struct wire_msg *m)
{
	m->end.state = (uint8_t)wire_get(in, 1);
	wire_get_str(in, m->end.message);
}

/* Writes a request's fields. */
static void wire_put_request(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->request.flags, 1);
	wire_put_str(o, m->request.path);
	wire_put_str(o, m->request.path2);
}

/* Reads a request's fields. */
static void wire_get_request(struct wire_in *in, struct wire_msg *m)
{
	m->request.flags = (uint8_t)wire_get(in, 1);
	wire_get_str(in, m->request.path);
	wire_get_str(in, m->request.path2);
}

/* Writes an entry's fields. */
static void wire_put_entry(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->entry.type, 1);
	wire_put(o, m->entry.flags, 1);
	wire_put(o, (uint64_t)m->entry.size, 8);
	wire_put(o, (uint64_t)m->entry.mtime, 8);
	wire_put_str(o, m->entry.name);
	wire_put_str(o, m->entry.target);
}

/* Reads an entry's fields. */
static void wire_get_entry(struct wire_in *in, struct wire_msg *m)
{
	m->entry.type = (uint8_t)wire_get(in, 1);
	m->entry.flags = (uint8_t)wire_get(in, 1);
	m->entry.size = (int64_t)wire_get(in, 8);
	m->entry.mtime = (int64_t)wire_get(in, 8);
	wire_get_str(in, m->entry.name);
	wire_get_str(in, m->entry.target);
}

/* Writes a reply's fields. */
static void wire_put_reply(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->reply.result, 1);
	wire_put(o, m->reply.flags, 1);
	wire_put(o, (uint64_t)m->reply.size, 8);
	wire_put(o, (uint64_t)m->reply.mtime, 8);
	wire_put_str(o, m->reply.message);
	wire_put_str(o, m->reply.path);
}

/* Reads a reply's fields. */
static void wire_get_reply(struct wire_in *in, struct wire_msg *m)
{
	m->reply.result = (uint8_t)wire_get(in, 1);
	m->reply.flags = (uint8_t)wire_get(in, 1);
	m->reply.size = (int64_t)wire_get(in, 8);
	m->reply.mtime = (int64_t)wire_get(in, 8);
	wire_get_str(in, m->reply.message);
	wire_get_str(in, m->reply.path);
}

/* Writes a notice's fields. */
static void wire_put_notice(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->notice.kind, 1);
	wire_put_str(o, m->notice.text);
}

/* Reads a notice's fields. */
static void wire_get_notice(struct wire_in *in, struct wire_msg *m)
{
	m->notice.kind = (uint8_t)wire_get(in, 1);
	wire_get_str(in, m->notice.text);
}

/* The text fields of struct ftp_tls_info, in the order they travel. */
#define WIRE_TLS_STR(f) { offsetof(struct ftp_tls_info, f), sizeof ((struct ftp_tls_info *)0)->f }
static const struct {
	size_t offset;  /* where the field is */
	size_t size;    /* its size, the NUL included */
} wire_tls_strs[] = {
	WIRE_TLS_STR(server), WIRE_TLS_STR(version), WIRE_TLS_STR(cert.subject),
	WIRE_TLS_STR(cert.issuer), WIRE_TLS_STR(cert.not_before), WIRE_TLS_STR(cert.not_after),
	WIRE_TLS_STR(cert.fingerprint), WIRE_TLS_STR(cert.reason), WIRE_TLS_STR(stored),
	WIRE_TLS_STR(store),
};
#define WIRE_TLS_NSTRS (sizeof wire_tls_strs / sizeof wire_tls_strs[0])
/* Four bytes, then each text with its length: the whole of it fits in a record. */
_Static_assert(4 + 2 * WIRE_TLS_NSTRS + sizeof(struct ftp_tls_info) <= WIRE_MSG_MAX - 9,
	       "a TLS description does not fit in a record");
_Static_assert(sizeof ((struct ftp_tls_info *)0)->store <= WIRE_STR_MAX + 1,
	       "the trust store's path is longer than a wire string");

/* Writes a connection's TLS state. */
static void wire_put_tls(struct wire_out *o, const struct wire_msg *m)
{
	const struct ftp_tls_info *t = &m->tls;
	wire_put(o, t->on, 1);
	wire_put(o, t->have_cert, 1);
	wire_put(o, t->cert.verified, 1);
	wire_put(o, (uint64_t)t->trust, 1);
	for (size_t i = 0; i < WIRE_TLS_NSTRS; i++)
		wire_put_str(o, (const char *)t + wire_tls_strs[i].offset);
}

/* Reads a connection's TLS state. */
static void wire_get_tls(struct wire_in *in, struct wire_msg *m)
{
	struct ftp_tls_info *t = &m->tls;
	t->on = wire_get_bool(in);
	t->have_cert = wire_get_bool(in);
	t->cert.verified = wire_get_bool(in);
	uint64_t trust = wire_get(in, 1);
	if (trust > TLSC_TRUST_PIN_MISMATCH)
		in->ok = false;
	t->trust = (enum tlsc_trust)trust;
	for (size_t i = 0; i < WIRE_TLS_NSTRS; i++)
		wire_get_strn(in, (char *)t + wire_tls_strs[i].offset, wire_tls_strs[i].size);
}

/* Writes an answer. */
static void wire_put_answer(struct wire_out *o, const struct wire_msg *m)
{
	wire_put(o, m->answer.answer, 1);
}

/* Reads an answer: one of the three. */
static void wire_get_answer(struct wire_in *in, struct wire_msg *m)
{
	uint64_t v = wire_get(in, 1);
	if (v > FTP_CERT_ACCEPT_ALWAYS)
		in->ok = false;
	m->answer.answer = (uint8_t)v;
}

/* The body of each type: how it is written and read (NULL: no body). */
static const struct {
	void (*put)(struct wire_out *o, const struct wire_msg *m);
	void (*get)(struct wire_in *in, struct wire_msg *m);
} wire_bodies[WIRE_TYPE_MAX] = {
	[WIRE_JOB] = { wire_put_copy, wire_get_copy },
	[WIRE_CANCEL] = { NULL, NULL },
	[WIRE_PROGRESS] = { wire_put_progress, wire_get_progress },
	[WIRE_FILE] = { wire_put_copy, wire_get_copy },
	[WIRE_END] = { wire_put_end, wire_get_end },
	[WIRE_NOTE] = { wire_put_end, wire_get_end },
	[WIRE_LIST] = { wire_put_request, wire_get_request },
	[WIRE_MKDIR] = { wire_put_request, wire_get_request },
	[WIRE_INFO] = { wire_put_request, wire_get_request },
	[WIRE_RENAME] = { wire_put_request, wire_get_request },
	[WIRE_REMOVE] = { wire_put_request, wire_get_request },
	[WIRE_ENTRY] = { wire_put_entry, wire_get_entry },
	[WIRE_REPLY] = { wire_put_reply, wire_get_reply },
	[WIRE_NOTICE] = { wire_put_notice, wire_get_notice },
	[WIRE_TRACE] = { wire_put_notice, wire_get_notice },
	[WIRE_TLS] = { wire_put_tls, wire_get_tls },
	[WIRE_CERT] = { wire_put_tls, wire_get_tls },
	[WIRE_ANSWER] = { wire_put_answer, wire_get_answer },
	[WIRE_IDLE] = { NULL, NULL },
	[WIRE_SETTLED] = { wire_put_end, wire_get_end },
	[WIRE_LEFT] = { wire_put_left, wire_get_left },
};

size_t wire_encode(const struct wire_msg *m, uint8_t *out, size_t outsz)
{
	struct wire_out o = { .p = out, .left = outsz, .ok = true };
	if (m->type < WIRE_JOB || m->type >= WIRE_TYPE_MAX)
		return 0;
	wire_put(&o, 0, WIRE_HEADER);
	wire_put(&o, (uint64_t)m->type, 1);
	wire_put(&o, m->id, 4);
	if (wire_bodies[m->type].put != NULL)
		wire_bodies[m->type].put(&o, m);
	if (!o.ok)
		return 0;
	size_t total = outsz - o.left;
	struct wire_out h = { .p = out, .left = WIRE_HEADER, .ok = true };
	wire_put(&h, total - WIRE_HEADER, WIRE_HEADER);
	return total;
}

int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m, size_t *used)
{
	struct wire_in in = { .p = buf, .left = len, .ok = true };
	if (len < WIRE_HEADER)
		return 0;
	uint64_t body = wire_get(&in, WIRE_HEADER);
	if (body < WIRE_KIND || body > WIRE_MSG_MAX - WIRE_HEADER)
		return -1;
	if (in.left < body)
		return 0;
	in.left = (size_t)body;
	uint64_t type = wire_get(&in, 1);
	if (type == 0 || type >= WIRE_TYPE_MAX)
		return -1;
	m->type = (enum wire_type)type;
	m->id = (uint32_t)wire_get(&in, 4);
	if (wire_bodies[type].get != NULL)
		wire_bodies[type].get(&in, m);
	if (!in.ok || in.left != 0)
		return -1;
	*used = WIRE_HEADER + (size_t)body;
	return 1;
}

int wire_send(int fd, const struct wire_msg *m)
{
	uint8_t buf[WIRE_MSG_MAX];
	size_t n = wire_encode(m, buf, sizeof buf);
	if (n == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return sysio_write_all(fd, buf, n);
}

int wire_flush(struct wire_writer *w)
{
	if (w->len == 0)
		return 0;
	int rc = sysio_write_all(w->fd, w->buf, w->len);
	w->len = 0;
	return rc;
}

int wire_put_msg(struct wire_writer *w, const struct wire_msg *m)
{
	if (sizeof w->buf - w->len < WIRE_MSG_MAX && wire_flush(w) < 0)
		return -1;
	size_t n = wire_encode(m, w->buf + w->len, sizeof w->buf - w->len);
	if (n == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	w->len += n;
	return 0;
}

long wire_fill(int fd, struct wire_reader *r)
{
	if (r->len == sizeof r->buf) {
		errno = ENOBUFS;
		return -1;
	}
	ssize_t n = sysio_read(fd, r->buf + r->len, sizeof r->buf - r->len);
	if (n > 0)
		r->len += (size_t)n;
	return (long)n;
}

int wire_take(struct wire_reader *r, struct wire_msg *m)
{
	size_t used = 0;
	int rc = wire_decode(r->buf, r->len, m, &used);
	if (rc == 1) {
		memmove(r->buf, r->buf + used, r->len - used);
		r->len -= used;
	}
	return rc;
}

void wire_init(struct wire_msg *m, enum wire_type type, uint32_t id)
{
	memset(m, 0, sizeof *m);
	m->type = type;
	m->id = id;
}

void wire_set_str(char *field, const char *s)
{
	size_t n = strnlen(s, WIRE_STR_MAX);
	memcpy(field, s, n);
	field[n] = '\0';
}
