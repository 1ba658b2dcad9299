/* segments: ranges and resume state of a segmented download (see segments.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "segments.h"
#include "sysio.h"

/* First word of a state file, with its version. */
#define SEGMENTS_MAGIC "ferry-segments 1"
/* Longest state file, in bytes. */
#define SEGMENTS_TEXT_MAX 4096

void segments_split(struct segments *s, off_t size, time_t mtime, int want)
{
	memset(s, 0, sizeof *s);
	s->size = size;
	s->mtime = mtime;
	if (want < 1)
		want = 1;
	if (want > SEGMENTS_MAX)
		want = SEGMENTS_MAX;
	off_t most = size / SEGMENTS_MIN_SIZE;
	if (most < 1)
		most = 1;
	if (want > most)
		want = (int)most;
	s->n = want;
	off_t base = size / want, extra = size % want, at = 0;
	for (int i = 0; i < want; i++) {
		off_t len = base + (i < extra ? 1 : 0);
		s->v[i] = (struct segment){ .start = at, .end = at + len, .done = 0 };
		at += len;
	}
}

off_t segments_done(const struct segments *s)
{
	off_t sum = 0;
	for (int i = 0; i < s->n; i++)
		sum += s->v[i].done;
	return sum;
}

bool segments_complete(const struct segments *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].start + s->v[i].done < s->v[i].end)
			return false;
	return true;
}

bool segments_format(const struct segments *s, char *out, size_t outsz)
{
	size_t at = 0;
	int n = snprintf(out, outsz, "%s\nsize %jd mtime %jd ranges %d\n", SEGMENTS_MAGIC,
			 (intmax_t)s->size, (intmax_t)s->mtime, s->n);
	if (n < 0 || (size_t)n >= outsz)
		return false;
	at = (size_t)n;
	for (int i = 0; i < s->n; i++) {
		n = snprintf(out + at, outsz - at, "%jd %jd %jd\n", (intmax_t)s->v[i].start,
			     (intmax_t)s->v[i].end, (intmax_t)s->v[i].done);
		if (n < 0 || (size_t)n >= outsz - at)
			return false;
		at += (size_t)n;
	}
	return true;
}

bool segments_parse(const char *text, struct segments *s)
{
	intmax_t size, mtime, start, end, done;
	int n, used;

	memset(s, 0, sizeof *s);
	size_t m = strlen(SEGMENTS_MAGIC);
	if (strncmp(text, SEGMENTS_MAGIC, m) != 0 || text[m] != '\n')
		return false;
	text += m + 1;
	if (sscanf(text, "size %jd mtime %jd ranges %d\n%n", &size, &mtime, &n, &used) != 3 ||
	    size < 0 || n < 1 || n > SEGMENTS_MAX)
		return false;
	text += used;
	s->size = (off_t)size;
	s->mtime = (time_t)mtime;
	s->n = n;
	off_t at = 0;
	for (int i = 0; i < n; i++) {
		if (sscanf(text, "%jd %jd %jd\n%n", &start, &end, &done, &used) != 3)
			return false;
		text += used;
		if (start != at || end < start || done < 0 || done > end - start)
			return false;
		s->v[i] = (struct segment){ .start = (off_t)start, .end = (off_t)end,
					    .done = (off_t)done };
		at = (off_t)end;
	}
	return at == s->size && *text == '\0';
}

int segments_save(const struct segments *s, const char *path)
{
	char text[SEGMENTS_TEXT_MAX], tmp[PATH_LEN_MAX];

	if (!segments_format(s, text, sizeof text))
		return EOVERFLOW;
	if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
		return ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	int err = sysio_write_all(fd, text, strlen(text)) < 0 ? errno : 0;
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) < 0)
		err = errno;
	if (err != 0)
		unlink(tmp);
	return err;
}

bool segments_load(const char *path, struct segments *s)
{
	char text[SEGMENTS_TEXT_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	return segments_parse(text, s);
}
