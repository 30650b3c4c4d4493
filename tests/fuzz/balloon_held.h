/*
 * The balloon target's sweep of the host's view: every PFN the simulated
 * host holds must be ballooned in the guest (in the driver's xarray, its
 * page of type BALLOON). tests/fuzz/balloon_held.c is built without
 * coverage; it walks the host's bitmap a word at a time, so its cost is
 * the PFNs held, not the span.
 */
#ifndef TESTS_FUZZ_BALLOON_HELD_H
#define TESTS_FUZZ_BALLOON_HELD_H

#include <stdbool.h>

struct balloon;
struct balloon_sim;

/* Return: true when the rule holds; else false with the first PFN that
 * breaks it in *@bad_pfn. */
bool fuzz_balloon_held_ok(const struct balloon_sim *sim, const struct balloon *balloon,
			  unsigned long *bad_pfn);

#endif
