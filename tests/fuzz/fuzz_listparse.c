/* Fuzz target: the client's listing parser (client/engine/listparse.c),
 * reading whatever a server sends. Input: a mode byte (bit 0: MLSD, else
 * LIST), then the listing body. Properties: every entry has a name and a
 * display name, the display name holds no control character (it goes to
 * a terminal), sizes are -1 or more, permissions fit their field, and the
 * entries plus the skipped lines never outnumber the lines. The one-line
 * parsers and the time-val parser run on the body too. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "listparse.h"

/* A fixed "now", so LIST dates without a year parse the same every run. */
#define FUZZ_NOW ((time_t)1764000000)

static void check_entry(const struct ftp_entry *e)
{
	fuzz_check(e->name != NULL && e->display != NULL);
	for (const unsigned char *p = (const unsigned char *)e->display; *p; p++)
		fuzz_check(*p >= 0x20 && *p != 0x7f);
	if (e->target != NULL)
		for (const unsigned char *p = (const unsigned char *)e->target; *p; p++)
			fuzz_check(*p >= 0x20 && *p != 0x7f);
	fuzz_check(e->size >= -1);
	fuzz_check(memchr(e->perms, '\0', sizeof e->perms) != NULL);
	fuzz_check(e->type >= FTP_ENTRY_FILE && e->type <= FTP_ENTRY_OTHER);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool mlsx = data[0] & 1;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;

	struct ftp_listing l;
	listparse_init(&l);
	listparse_buffer(body, len, mlsx, FUZZ_NOW, &l);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += body[i] == '\n';
	fuzz_check(l.n + l.skipped <= lines + 1);
	for (size_t i = 0; i < l.n; i++)
		check_entry(&l.v[i]);
	listparse_free(&l);
	fuzz_check(l.n == 0);

	/* The whole body as one line, both ways. */
	struct ftp_entry e;
	if (listparse_mlsx(body, len, &e) == 1) {
		check_entry(&e);
		listparse_entry_free(&e);
	}
	if (listparse_list(body, len, FUZZ_NOW, &e) == 1) {
		check_entry(&e);
		listparse_entry_free(&e);
	}
	listparse_time_val(body, len);
	return 0;
}
