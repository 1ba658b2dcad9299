/* human: byte counts, rates, durations and times left as people read
 * them. Binary units throughout: KB = 1024 bytes, MB = 1048576 bytes,
 * GB = 1024 MB, as FTP tools have always printed them. Pure functions
 * writing into the caller's buffer; nothing is printed here. */
#ifndef FERRY_HUMAN_H
#define FERRY_HUMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A buffer size that holds any text these functions write. */
#define HUMAN_BUF 32
/* Bytes in one MB. */
#define HUMAN_MB 1048576.0

/* Writes bytes in MB with two decimals ("3.00 MB") into out; returns out. */
char *human_mb(off_t bytes, char *out, size_t outsz);
/* Writes bytes with a unit fitting its size ("512 B", "1.50 KB", "200 MB",
 * "12.3 GB"), three significant digits; returns out. */
char *human_size(off_t bytes, char *out, size_t outsz);
/* Writes a rate in bytes per second the same way ("200 MB/s"); returns out. */
char *human_rate(double bytes_per_sec, char *out, size_t outsz);
/* Writes a duration in seconds ("0.04 s", "12.50 s", "250 s"); returns out. */
char *human_seconds(double secs, char *out, size_t outsz);
/* Writes a time left as "M:SS" or "H:MM:SS", or "--:--" when it is
 * unknown (negative, not finite, or beyond 99 hours); returns out. */
char *human_eta(double secs, char *out, size_t outsz);

/* Reads a byte count as people write it: digits, an optional fraction,
 * then an optional K, M or G (binary units, any case, "KB" too), like
 * "512K" or "1.5M". Sets *out and returns true, or false for anything
 * else or more than 2^62 bytes. */
bool human_parse_size(const char *s, off_t *out);
/* Reads a whole number from lo to hi (lo >= 0) written in decimal digits
 * ("3"); returns it, or -1 for anything else. */
int human_parse_count(const char *s, int lo, int hi);
/* Writes bytes the way human_parse_size reads them, exactly: "512K",
 * "3M", "1000"; returns out. */
char *human_format_size(off_t bytes, char *out, size_t outsz);

#endif
