/* Fuzz target: PROXY protocol headers (server/proxyproto.c). Input: the
 * first bytes a proxy's connection sends. Properties: an accepted header
 * lies within the input and the limits (107 bytes for version 1, 1024 for
 * version 2), parses the same when cut to its own length, is "need more"
 * when cut shorter, and names a TCP client unless it is LOCAL; the
 * socket reader, fed the input in pieces, reaches the parser's verdict
 * and consumes exactly the header, never a byte of what follows. */
#include "config.h"

#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "proxyproto.h"

/* Same verdict and fields. */
static void same(const struct proxy_header *a, const struct proxy_header *b)
{
	fuzz_check(a->version == b->version && a->local == b->local && a->len == b->len);
	if (!a->local) {
		fuzz_check(netaddr_same_host(&a->src, &b->src));
		fuzz_check(netaddr_port(&a->src) == netaddr_port(&b->src));
	}
}

/* Feeds data through a socket pair in pieces of `piece` bytes, reading
 * after each; checks the reader against the parser's verdict st/h. */
static void through_socket(const uint8_t *data, size_t size, size_t piece,
			   enum proxy_status st, const struct proxy_header *h)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	struct proxy_reader r;
	proxy_reader_init(&r);
	struct proxy_header got;
	const char *why;
	enum proxy_status rs = PROXY_NEED_MORE;
	size_t sent = 0;
	while (rs == PROXY_NEED_MORE && sent < size) {
		size_t k = size - sent < piece ? size - sent : piece;
		if (write(sv[1], data + sent, k) != (ssize_t)k)
			break;
		sent += k;
		rs = proxy_read(sv[0], &r, &got, &why);
	}
	if (sent == size && rs == PROXY_NEED_MORE) {
		close(sv[1]);
		sv[1] = -1;
		rs = proxy_read(sv[0], &r, &got, &why);
		/* The end of the input ends an unfinished header: at the next
		 * read, or (as ferryd reads, after a poll) at one of the next
		 * few once the end has reached the reader. */
		for (int i = 0; i < 10 && rs == PROXY_NEED_MORE; i++) {
			struct pollfd p = { .fd = sv[0], .events = POLLIN };
			(void)poll(&p, 1, 100);
			rs = proxy_read(sv[0], &r, &got, &why);
		}
		fuzz_check(rs == PROXY_BAD || st != PROXY_NEED_MORE);
		if (st == PROXY_NEED_MORE)
			goto out;
	}
	fuzz_check(rs == st);
	if (rs == PROXY_OK) {
		same(&got, h);
		/* What is left unread is exactly what followed the header. */
		size_t left = 0;
		char c;
		while (recv(sv[0], &c, 1, MSG_DONTWAIT) == 1) {
			fuzz_check(h->len + left < size && data[h->len + left] == (uint8_t)c);
			left++;
		}
		fuzz_check(h->len + left == sent);
	}
out:
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2 * PROXY_HEADER_MAX)
		return 0;
	struct proxy_header h, h2;
	const char *why = NULL;
	enum proxy_status st = proxy_parse(data, size, &h, &why);
	switch (st) {
	case PROXY_BAD:
		fuzz_check(why != NULL && why[0] != '\0');
		break;
	case PROXY_NEED_MORE:
		fuzz_check(size < PROXY_HEADER_MAX);
		break;
	case PROXY_OK:
		fuzz_check(h.len > 0 && h.len <= size && h.len <= PROXY_HEADER_MAX);
		fuzz_check(h.version == 1 || h.version == 2);
		if (h.version == 1)
			fuzz_check(h.len <= PROXY_V1_MAX && data[h.len - 2] == '\r' &&
				   data[h.len - 1] == '\n');
		if (!h.local)
			fuzz_check(h.src.ss.ss_family == AF_INET || h.src.ss.ss_family == AF_INET6);
		fuzz_check(proxy_parse(data, h.len, &h2, &why) == PROXY_OK);
		same(&h, &h2);
		fuzz_check(proxy_parse(data, h.len - 1, &h2, &why) == PROXY_NEED_MORE);
		fuzz_check(proxy_parse(data, h.len / 2, &h2, &why) == PROXY_NEED_MORE);
		break;
	}
	through_socket(data, size, size ? (size_t)data[0] % 7 + 1 : 1, st, &h);
	return 0;
}
