/* segments: one file fetched over several connections (get --segments N):
 * how its bytes are split into ranges, and the state that lets a stopped
 * download go on where each range stopped. Pure, apart from reading and
 * writing the state file.
 *
 * The ranges are fetched into one temporary file beside the target
 * (".NAME.ferry-segments", named by tempname_segments) with REST and a
 * stop after each range's last byte; the state file beside it
 * (".NAME.ferry-segments.state") says, in
 * one text line per range, where each range starts, ends and how far it
 * got, under a first line with the file's size and time. The temporary
 * takes the real name only when every range is complete. A state that
 * does not match the server's file (another size or time) is not used:
 * the download starts over. */
#ifndef FERRY_SEGMENTS_H
#define FERRY_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* Most segments a download may use. */
#define SEGMENTS_MAX 16
/* Smallest segment worth its own connection, in bytes. */
#define SEGMENTS_MIN_SIZE (256 * 1024)

/* One range of the file. */
struct segment {
	off_t start;  /* first byte */
	off_t end;    /* one past the last byte */
	off_t done;   /* bytes of it already in the temporary, from start */
};

/* A segmented download's plan and progress. */
struct segments {
	off_t size;       /* the file's size */
	time_t mtime;     /* its modification time (0 unknown) */
	int n;            /* ranges in v */
	struct segment v[SEGMENTS_MAX];
};

/* Splits size bytes into at most want ranges (1 to SEGMENTS_MAX) of
 * nearly equal length, none smaller than SEGMENTS_MIN_SIZE unless the
 * file is (an empty file is one empty range). */
void segments_split(struct segments *s, off_t size, time_t mtime, int want);
/* Bytes of every range done. */
off_t segments_done(const struct segments *s);
/* True when every range is complete. */
bool segments_complete(const struct segments *s);

/* Writes the state as text into out (outsz bytes); false when it does not fit. */
bool segments_format(const struct segments *s, char *out, size_t outsz);
/* Reads a state written by segments_format; false for anything else
 * (then s is unusable): ranges out of order, overlapping, not covering
 * the file, or done beyond their end. */
bool segments_parse(const char *text, struct segments *s);

/* Writes the state file path atomically (a temporary renamed over it). 0, or an errno value. */
int segments_save(const struct segments *s, const char *path);
/* Reads the state file path; false when it is missing or not valid. */
bool segments_load(const char *path, struct segments *s);

#endif
