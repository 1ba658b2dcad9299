/* scratch: per-task memory mappings (see scratch.h). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "scratch.h"

#define SCRATCH_MIN (256u << 10)
#define SCRATCH_HINT_MAX (64u << 20)
#define HUGE_PAGE (2u << 20)

static __attribute__((noreturn, cold)) void scratch_fail(size_t size)
{
	log_msg(LOG_ERR, "fatal: out of memory (%zu bytes of scratch space)", size);
	_exit(70);
}

void scratch_open(struct scratch *sc, size_t hint)
{
	if (hint > SCRATCH_HINT_MAX)
		hint = SCRATCH_HINT_MAX;
	bool huge = hint >= SCRATCH_HUGE_FROM;
	size_t want = hint < SCRATCH_MIN ? SCRATCH_MIN : hint;
	if (huge)
		want = (want + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	/* A huge page needs its 2 MiB all inside the mapping: one more
	 * lets the space start on a boundary. */
	sc->map_size = want + (huge ? HUGE_PAGE : 0);
	sc->map = mmap(NULL, sc->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (sc->map == MAP_FAILED)
		scratch_fail(sc->map_size);
	sc->base = sc->map;
	if (huge) {
		uintptr_t p = ((uintptr_t)sc->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		sc->base = (char *)p;
		/* The whole mapping, not only the space: one mapping with
		 * two sets of flags would be two, and mremap takes one. */
		(void)madvise(sc->map, sc->map_size, MADV_HUGEPAGE);
	}
	sc->size = sc->map_size - (size_t)(sc->base - sc->map);
}

void scratch_room(struct scratch *sc, size_t need)
{
	if (need <= sc->size)
		return;
	size_t lead = (size_t)(sc->base - sc->map), size = sc->map_size;
	while (size - lead < need) {
		if (size > SIZE_MAX / 2)
			scratch_fail(need);
		size *= 2;
	}
	void *q = mremap(sc->map, sc->map_size, size, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		scratch_fail(size);
	sc->map = q;
	sc->map_size = size;
	sc->base = sc->map + lead;
	sc->size = size - lead;
}

void scratch_close(struct scratch *sc)
{
	munmap(sc->map, sc->map_size);
	sc->map = sc->base = NULL;
	sc->map_size = sc->size = 0;
}
