/* Fuzz target: the address forms of PORT, EPRT, PASV and EPSV and of the
 * -l option (common/netaddr.c). Input: one text (up to the first NUL).
 * Every decoder runs on it; whatever one accepts must survive encoding and
 * decoding again unchanged, and ports stay in range. */
#include "config.h"

#include <string.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "netaddr.h"
#include "sbuf.h"

/* True if both are the same host and port. */
static bool same(const struct netaddr *a, const struct netaddr *b)
{
	return netaddr_same_host(a, b) && netaddr_port(a) == netaddr_port(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	struct netaddr a, b;
	struct sbuf enc;
	sbuf_init(&enc, 256);

	/* PORT h1,h2,h3,h4,p1,p2 */
	if (netaddr_decode_port(text, &a) == NULL) {
		fuzz_check(netaddr_is_v4(&a));
		fuzz_check(netaddr_encode_port(&a, &enc));
		fuzz_check(netaddr_decode_port(sbuf_str(&enc), &b) == NULL);
		fuzz_check(same(&a, &b));
	}
	/* EPRT |af|addr|port| */
	sbuf_reset(&enc);
	if (netaddr_decode_eprt(text, &a) == NULL) {
		fuzz_check(a.ss.ss_family == AF_INET || a.ss.ss_family == AF_INET6);
		fuzz_check(netaddr_port(&a) >= 1 && netaddr_port(&a) <= 65535);
		fuzz_check(netaddr_encode_eprt(&a, &enc));
		fuzz_check(netaddr_decode_eprt(sbuf_str(&enc), &b) == NULL);
		fuzz_check(same(&a, &b));
	}
	/* A 227 reply's text, as a client reads it. */
	sbuf_reset(&enc);
	if (netaddr_decode_pasv_reply(text, &a) == NULL) {
		fuzz_check(netaddr_encode_port(&a, &enc));
		fuzz_check(netaddr_decode_pasv_reply(sbuf_str(&enc), &b) == NULL);
		fuzz_check(same(&a, &b));
	}
	/* A 229 reply's text. */
	int port = 0;
	if (netaddr_decode_epsv_reply(text, &port) == NULL)
		fuzz_check(port >= 1 && port <= 65535);
	/* ADDR[:PORT] as -l takes it; ntop's form parses back to the same. */
	if (netaddr_parse_hostport(text, 2121, &a) == NULL) {
		char shown[NETADDR_STRLEN];
		netaddr_ntop(&a, true, shown, sizeof shown);
		fuzz_check(netaddr_parse_hostport(shown, 1, &b) == NULL);
		fuzz_check(same(&a, &b));
		netaddr_ntop(&a, false, shown, sizeof shown);
		fuzz_check(netaddr_parse_ip(shown, netaddr_port(&a), &b) == NULL);
		fuzz_check(same(&a, &b));
	}
	sbuf_free(&enc);
	return 0;
}
