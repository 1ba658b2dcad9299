/* Fuzz target: ferryd's configuration file (server/conffile.c, applied by
 * server/options.c). Input: a whole file. Properties: every setting
 * conffile_parse hands over has a non-empty key without '=' or blanks at
 * its ends, a value without blanks at its ends, neither with a line end
 * or a control byte, and line numbers that only grow; a refused file
 * gives "f.conf:N: why" with N the last line seen or later. A file that
 * ferryd accepts prints (--check-config) as a file that is accepted
 * again and prints the same. */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conffile.h"
#include "fuzz.h"
#include "options.h"

/* What the callback saw. */
struct seen {
	unsigned last_line;  /* line of the last setting */
	unsigned count;      /* settings */
};

static bool clean(const char *s, bool may_be_empty)
{
	size_t n = strlen(s);
	if (n == 0)
		return may_be_empty;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static bool check_setting(void *arg, const char *key, const char *value, unsigned lineno,
			  char *err, size_t errsz)
{
	struct seen *seen = arg;
	fuzz_check(clean(key, false));
	fuzz_check(strchr(key, '=') == NULL);
	fuzz_check(key[0] != '#');
	fuzz_check(clean(value, true));
	fuzz_check(lineno > seen->last_line);
	seen->last_line = lineno;
	seen->count++;
	/* Refuse some, to exercise the prefix. */
	if (strcmp(key, "no") == 0) {
		snprintf(err, errsz, "refused");
		return false;
	}
	return true;
}

/* A memory file holding data, named by its /proc path in path. */
static int memfile(const char *name, const void *data, size_t size, char *path, size_t pathsz)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	fuzz_check(fd >= 0);
	fuzz_check(write(fd, data, size) == (ssize_t)size);
	snprintf(path, pathsz, "/proc/self/fd/%d", fd);
	return fd;
}

/* config_parse on "-f path -r /"; prints the result into *out when it
 * loads. Returns config_parse's status. */
static int load_and_print(const char *path, char **out, size_t *outsz)
{
	char *argv[] = { (char *)"ferryd", (char *)"-f", (char *)path, (char *)"-r",
			 (char *)"/", NULL };
	struct ferryd_config cfg;
	char err[1024] = "";
	int r = config_parse(&cfg, 5, argv, err, sizeof err);
	fuzz_check(r >= 0 && r <= 2);
	if (r != 0) {
		fuzz_check(err[0] != '\0');
	} else {
		FILE *f = open_memstream(out, outsz);
		config_print(&cfg, f);
		fclose(f);
	}
	config_free(&cfg);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen seen = { 0, 0 };
	char err[1024] = "";
	enum conffile_status st = conffile_parse("f.conf", (const char *)data, size, check_setting,
						 &seen, err, sizeof err);
	if (st == CONFFILE_OK) {
		fuzz_check(err[0] == '\0');
	} else {
		fuzz_check(st == CONFFILE_BAD);
		unsigned line = 0;
		fuzz_check(sscanf(err, "f.conf:%u: ", &line) == 1);
		fuzz_check(line >= seen.last_line && line > 0);
	}

	/* As ferryd applies it. Files naming other files are skipped: the
	 * fuzzer must not read whatever a path points at. */
	if (st != CONFFILE_OK || memmem(data, size, "users", 5) || memmem(data, size, "tls", 3))
		return 0;
	char path[64];
	int fd = memfile("fuzz-conf", data, size, path, sizeof path);
	char *first = NULL, *second = NULL;
	size_t n1 = 0, n2 = 0;
	if (load_and_print(path, &first, &n1) == 0) {
		char path2[64];
		int fd2 = memfile("fuzz-conf-printed", first, n1, path2, sizeof path2);
		fuzz_check(load_and_print(path2, &second, &n2) == 0);
		/* The same, after the first line (which names the file). */
		fuzz_check(strcmp(strchr(first, '\n'), strchr(second, '\n')) == 0);
		close(fd2);
	}
	free(first);
	free(second);
	close(fd);
	return 0;
}
