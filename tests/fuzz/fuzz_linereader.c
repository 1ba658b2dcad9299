/* Fuzz target: the control-line reader (common/linereader.c).
 * Input: one flag byte (bit 0: Telnet mode; bits 1-7: chunk size - 1),
 * then the byte stream. Properties: every line is at most FTP_LINE_MAX
 * bytes, NUL-terminated, without LF; the reader always makes progress; and
 * feeding the stream in chunks gives exactly the lines feeding it whole
 * gives (a split between reads must never change what a client said). */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "linereader.h"
#include "sbuf.h"

/* Runs the reader over data in pieces of chunk bytes and records every
 * result as "L<len>:<bytes>" or "T" (too long) in out. */
static void read_all(const uint8_t *data, size_t size, bool telnet, size_t chunk,
		     struct sbuf *out)
{
	static struct linereader lr;
	lr_init(&lr, telnet);
	size_t off = 0;
	for (;;) {
		const char *line;
		size_t len;
		enum lr_status st;
		while ((st = lr_next(&lr, &line, &len)) != LR_NEED_MORE) {
			if (st == LR_TOO_LONG) {
				fuzz_check(sbuf_puts(out, "T"));
				continue;
			}
			fuzz_check(len <= FTP_LINE_MAX);
			fuzz_check(line[len] == '\0');
			fuzz_check(memchr(line, '\n', len) == NULL);
			fuzz_check(sbuf_printf(out, "L%zu:", len) && sbuf_append(out, line, len));
		}
		if (off == size)
			break;
		size_t n = size - off < chunk ? size - off : chunk;
		size_t took = lr_feed(&lr, data + off, n);
		if (took == 0)
			fuzz_fail("the reader took no bytes with nothing left to scan");
		off += took;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool telnet = data[0] & 1;
	size_t chunk = (size_t)(data[0] >> 1) + 1;
	data++;
	size--;
	struct sbuf whole, pieces;
	sbuf_init(&whole, 1 << 24);
	sbuf_init(&pieces, 1 << 24);
	read_all(data, size, telnet, size ? size : 1, &whole);
	read_all(data, size, telnet, chunk, &pieces);
	if (whole.len != pieces.len || memcmp(sbuf_str(&whole), sbuf_str(&pieces), whole.len) != 0)
		fuzz_fail("chunks of %zu bytes give other lines than the whole stream", chunk);
	sbuf_free(&whole);
	sbuf_free(&pieces);
	return 0;
}
