/* strset: a set of C strings (copied in), kept in a hash table (FNV-1a,
 * open addressing, at most half full): adding one and asking for one
 * take O(1) on average however many it holds, so a loop over 100,000
 * names that remembers them stays linear. */
#ifndef FERRY_STRSET_H
#define FERRY_STRSET_H

#include <stdbool.h>
#include <stddef.h>

/* A set; start it with strset_init, end it with strset_free. */
struct strset {
	char **slot;   /* size slots, each NULL (free) or a string owned by the set */
	size_t size;   /* slots: 0, or a power of two at least twice n */
	size_t n;      /* strings held */
};

/* Starts s empty (nothing allocated until the first strset_add). */
void strset_init(struct strset *s);
/* Adds a copy of str; true when it was not in s before. */
bool strset_add(struct strset *s, const char *str);
/* True when str is in s. */
bool strset_has(const struct strset *s, const char *str);
/* Frees what s holds; s is empty afterwards and may be used again. */
void strset_free(struct strset *s);
/* The FNV-1a hash of str (for other tables keyed by a name). */
size_t strset_hash(const char *str);

/* For other tables keyed by a name, probed as a set's table is: the slot
 * of a table of size slots (a power of two) whose key is str, or the free
 * slot where it would go; key(table, i) is slot i's key, NULL when free. */
size_t strset_probe(size_t size, const char *str,
		    const char *(*key)(const void *table, size_t i), const void *table);
/* The slots such a table needs (size or a larger power of two, at least
 * twice the n keys after one more): each rebuild doubles it, so adding
 * stays O(1) on average. */
size_t strset_table_size(size_t size, size_t n);

#endif
