/* strset: a hashed set of strings (see strset.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"
#include "xalloc.h"

/* Slots of a set's first table. */
#define STRSET_INITIAL_SIZE 64

void strset_init(struct strset *s)
{
	memset(s, 0, sizeof *s);
}

size_t strset_hash(const char *str)
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)str; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)h;
}

size_t strset_probe(size_t size, const char *str,
		    const char *(*key)(const void *table, size_t i), const void *table)
{
	size_t mask = size - 1;
	size_t i = strset_hash(str) & mask;
	const char *k;
	while ((k = key(table, i)) != NULL && strcmp(k, str) != 0)
		i = (i + 1) & mask;
	return i;
}

size_t strset_table_size(size_t size, size_t n)
{
	if (size >= 2 * (n + 1))
		return size;
	if (size == 0)
		size = STRSET_INITIAL_SIZE;
	while (size < 2 * (n + 1))
		size *= 2;   /* n is bounded by memory: xcalloc refuses an overflow */
	return size;
}

static const char *strset_key(const void *table, size_t i)
{
	return ((char *const *)table)[i];
}

/* The slot of table slot (size slots, a power of two) that holds str,
 * or the free slot where it would go. */
static size_t strset_slot(char *const *slot, size_t size, const char *str)
{
	return strset_probe(size, str, strset_key, slot);
}

/* Makes the table at least twice as large as the strings after one more
 * (each rebuild doubles it, so adding stays O(1) on average). */
static void strset_grow(struct strset *s)
{
	size_t size = strset_table_size(s->size, s->n);
	if (size == s->size)
		return;
	char **slot = xcalloc(size, sizeof *slot);
	for (size_t i = 0; i < s->size; i++)
		if (s->slot[i] != NULL)
			slot[strset_slot(slot, size, s->slot[i])] = s->slot[i];
	free(s->slot);
	s->slot = slot;
	s->size = size;
}

bool strset_add(struct strset *s, const char *str)
{
	strset_grow(s);
	size_t i = strset_slot(s->slot, s->size, str);
	if (s->slot[i] != NULL)
		return false;
	s->slot[i] = xstrdup(str);
	s->n++;
	return true;
}

bool strset_has(const struct strset *s, const char *str)
{
	return s->size > 0 && s->slot[strset_slot(s->slot, s->size, str)] != NULL;
}

void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->size; i++)
		free(s->slot[i]);
	free(s->slot);
	strset_init(s);
}
