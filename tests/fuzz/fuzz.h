/* fuzz: what every fuzz target shares. A target is one file defining
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (fuzz_NAME,
 * --enable-fuzzing) or with replay.c (replay_NAME, every build, run by
 * `make check` over the target's corpus). A target checks properties, not
 * only the absence of crashes: a broken one calls fuzz_fail, which aborts
 * so both drivers report the input. */
#ifndef FERRY_FUZZ_H
#define FERRY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The entry point each target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a broken property and aborts. */
#define fuzz_fail(...) \
	do { \
		fprintf(stderr, "%s:%d: property failed: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} while (0)
/* Aborts unless cond holds. */
#define fuzz_check(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail("%s", #cond); \
	} while (0)

#endif
