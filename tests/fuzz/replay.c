/* replay: a main for fuzz targets without libFuzzer. It runs the target
 * once on every file named on the command line (directories: every file
 * in them, in name order). Without arguments, replay_NAME reads the
 * corpus FUZZ_CORPUS_ROOT/NAME, which is how `make check` replays every
 * seed and every input that once found a bug. An empty corpus is an
 * error, so a test cannot pass by reading nothing. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Largest input replayed. */
#define REPLAY_MAX (1 << 20)

static unsigned char buf[REPLAY_MAX];

/* Runs the target on one file; returns 0, or -1 if it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	/* A copy of exactly n bytes, so ASan sees reads past the input. */
	unsigned char *copy = malloc(n ? n : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, buf, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs the target on a file or every file of a directory; returns the
 * number of inputs run, or -1. */
static int replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	int done = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(full) < 0)
				done = -1;
			else if (done >= 0)
				done++;
		}
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	char dflt[4096];
	const char *one[] = { dflt };
	const char **paths = (const char **)argv + 1;
	int npaths = argc - 1;
	if (npaths == 0) {
		const char *me = strrchr(argv[0], '/');
		me = me ? me + 1 : argv[0];
		if (strncmp(me, "replay_", 7) == 0)
			me += 7;
		snprintf(dflt, sizeof dflt, "%s/%s", FUZZ_CORPUS_ROOT, me);
		paths = one;
		npaths = 1;
	}
	int total = 0;
	for (int i = 0; i < npaths; i++) {
		int n = replay_path(paths[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	printf("replayed %d inputs\n", total);
	return total > 0 ? 0 : 1;
}
