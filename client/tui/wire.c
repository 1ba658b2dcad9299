/* wire: TUI <-> worker records (see wire.h). Big-endian integers; all
 * length checks happen before any byte is copied. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sysio.h"
#include "wire.h"

/* Bytes of the fixed part of a body: type, id, dir, mode, tree, state, a, b, c. */
#define WIRE_FIXED (1 + 4 + 4 + 3 * 8)
/* Bytes of the length header. */
#define WIRE_HEADER 4

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

/* Reads a string with its 2-byte length into field (WIRE_STR_MAX + 1 bytes). */
static void wire_get_str(struct wire_in *in, char *field)
{
	size_t n = (size_t)wire_get(in, 2);
	if (!in->ok || n > WIRE_STR_MAX || n > in->left || memchr(in->p, '\0', n) != NULL) {
		in->ok = false;
		field[0] = '\0';
		return;
	}
	memcpy(field, in->p, n);
	field[n] = '\0';
	in->p += n;
	in->left -= n;
}

size_t wire_encode(const struct wire_msg *m, uint8_t *out, size_t outsz)
{
	struct wire_out o = { .p = out, .left = outsz, .ok = true };
	wire_put(&o, 0, WIRE_HEADER);
	wire_put(&o, (uint64_t)m->type, 1);
	wire_put(&o, m->id, 4);
	wire_put(&o, m->dir, 1);
	wire_put(&o, m->mode, 1);
	wire_put(&o, m->tree, 1);
	wire_put(&o, m->state, 1);
	wire_put(&o, (uint64_t)m->a, 8);
	wire_put(&o, (uint64_t)m->b, 8);
	wire_put(&o, (uint64_t)m->c, 8);
	wire_put_str(&o, m->s1);
	wire_put_str(&o, m->s2);
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
	if (body < WIRE_FIXED + 4 || body > WIRE_MSG_MAX - WIRE_HEADER)
		return -1;
	if (in.left < body)
		return 0;
	in.left = (size_t)body;
	uint64_t type = wire_get(&in, 1);
	if (type == 0 || type >= WIRE_TYPE_MAX)
		return -1;
	m->type = (enum wire_type)type;
	m->id = (uint32_t)wire_get(&in, 4);
	m->dir = (uint8_t)wire_get(&in, 1);
	m->mode = (uint8_t)wire_get(&in, 1);
	m->tree = (uint8_t)wire_get(&in, 1);
	m->state = (uint8_t)wire_get(&in, 1);
	m->a = (int64_t)wire_get(&in, 8);
	m->b = (int64_t)wire_get(&in, 8);
	m->c = (int64_t)wire_get(&in, 8);
	wire_get_str(&in, m->s1);
	wire_get_str(&in, m->s2);
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
