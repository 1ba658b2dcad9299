/* Fuzz target: the users file (common/users.c). Input: a whole file,
 * loaded through a memory file. Properties: a file that loads gives
 * accounts with a non-empty name free of spaces, control characters and
 * ':', a non-empty hash, unique names that users_find finds; a file that
 * does not load gives a message naming the file; either way the parser
 * agrees line by line. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "users.h"

/* Checks one parsed account. */
static void check_entry(const struct user_entry *e)
{
	size_t n = strlen(e->name);
	fuzz_check(n > 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e->name[i];
		fuzz_check(c > ' ' && c != 0x7f && c != ':');
	}
	fuzz_check(e->hash[0] != '\0' && strchr(e->hash, ':') == NULL);
	fuzz_check(strchr(e->home, ':') == NULL);
	fuzz_check(strchr(e->hash, '\n') == NULL && strchr(e->home, '\n') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-users", MFD_CLOEXEC);
		fuzz_check(fd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	fuzz_check(ftruncate(fd, 0) == 0);
	fuzz_check(pwrite(fd, data, size, 0) == (ssize_t)size);

	struct users u;
	char err[512] = "";
	if (users_load(path, &u, err, sizeof err)) {
		for (size_t i = 0; i < u.n; i++) {
			check_entry(&u.v[i]);
			fuzz_check(users_find(&u, u.v[i].name) == &u.v[i]);
		}
		users_free(&u);
	} else {
		fuzz_check(strncmp(err, path, strlen(path)) == 0);
		fuzz_check(u.n == 0);
	}

	/* The first line on its own. */
	char line[16384];
	size_t n = size < sizeof line - 1 ? size : sizeof line - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	char *nl = strchr(line, '\n');
	if (nl != NULL)
		nl[1] = '\0';
	struct user_entry e;
	const char *why = NULL;
	int r = users_parse_line(line, &e, &why);
	fuzz_check(r >= -1 && r <= 1);
	if (r == 1) {
		check_entry(&e);
		users_entry_free(&e);
	} else if (r < 0) {
		fuzz_check(why != NULL && why[0] != '\0');
	}
	return 0;
}
