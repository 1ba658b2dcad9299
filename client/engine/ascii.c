/* ascii: ASCII-type line ends (see ascii.h). */
#include "config.h"

#include "ascii.h"

size_t ascii_from_wire(struct ascii_in *st, const char *in, size_t n, char *out)
{
	size_t o = 0;

	if (st->cr && n > 0 && in[0] != '\n')
		out[o++] = '\r';   /* the held CR was no line end */
	if (n > 0)
		st->cr = false;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\r') {
			if (i + 1 == n) {
				st->cr = true;   /* a line end may be cut between buffers */
				continue;
			}
			if (in[i + 1] == '\n')
				continue;
		}
		out[o++] = in[i];
	}
	return o;
}

size_t ascii_from_wire_end(struct ascii_in *st, char *out)
{
	if (!st->cr)
		return 0;
	st->cr = false;
	out[0] = '\r';
	return 1;
}

size_t ascii_to_wire(const char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n')
			out[o++] = '\r';
		out[o++] = in[i];
	}
	return o;
}
