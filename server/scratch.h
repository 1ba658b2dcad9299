/* scratch: memory for one piece of work (a listing), mapped for it and
 * unmapped after it, so none of its pages stays with the session (heap
 * pages touched once would, for as long as the session lasts).
 *
 * Every page a process touches for the first time costs it a fault, and
 * a session is a new process: on a paravirtualised guest a fault costs
 * about 10 us, as much as reading 70 directory entries. So a large piece
 * of work asks for transparent huge pages: its space starts on a 2 MiB
 * boundary and is marked MADV_HUGEPAGE, and a huge page comes zeroed in
 * one fault (64 us for 512 KiB of scratch where 128 small pages took
 * 1.2 ms, measured on such a guest). A small one keeps small pages: a
 * huge page is 2 MiB to zero for a few KiB. Where the kernel has no
 * transparent huge pages (or they are switched off) it gets small pages
 * either way. */
#ifndef FERRYD_SCRATCH_H
#define FERRYD_SCRATCH_H

#include <stddef.h>

struct scratch {
	char *base;             /* the space: size bytes, zeroed when mapped */
	size_t size;
	char *map;              /* the mapping base lies in */
	size_t map_size;
};

/* From this many bytes expected (scratch_open's hint), huge pages. */
#define SCRATCH_HUGE_FROM (256u << 10)

/* Maps space for the work: at least 256 KiB, and at least hint bytes
 * (up to 64 MiB; more comes from scratch_room). Out of memory ends the
 * process (exit status 70, logged), as the heap's allocator does. */
void scratch_open(struct scratch *sc, size_t hint);
/* Makes the space at least need bytes long, keeping its contents;
 * base may move (keep offsets into it, not pointers, across a call). */
void scratch_room(struct scratch *sc, size_t need);
void scratch_close(struct scratch *sc);

#endif
