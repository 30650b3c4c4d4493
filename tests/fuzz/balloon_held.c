/* The host holds only ballooned pages (see balloon_held.h). */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "mm/mm.h"
#include "tests/fuzz/balloon_held.h"

static bool ballooned(const struct balloon *balloon, struct mm *mm, unsigned long pfn)
{
	return xa_load(&balloon->pfns, pfn) && page_type(mm_pfn_to_page(mm, pfn)) == MEMDESC_BALLOON;
}

bool fuzz_balloon_held_ok(const struct balloon_sim *sim, const struct balloon *balloon,
			  unsigned long *bad_pfn)
{
	struct mm *mm = sim->mm;
	unsigned long span = mm->end_pfn - mm->base_pfn, w;

	for (w = 0; w < BITS_TO_LONGS(span); w++) {
		unsigned long bits = sim->inflated[w];

		while (bits) {
			unsigned long rel = w * BITS_PER_LONG + (unsigned long)__builtin_ctzl(bits);

			bits &= bits - 1;
			if (rel < span && !ballooned(balloon, mm, mm->base_pfn + rel)) {
				*bad_pfn = mm->base_pfn + rel;
				return false;
			}
		}
	}
	return true;
}
