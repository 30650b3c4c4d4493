/*
 * Poison on free (see poison.h). Fill and check go a word at a time over the
 * direct map; the check reports the first bad byte of a block only, since
 * one stale write usually spans several.
 */
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/page.h"
#include "mm/poison.h"

#define POISON_WORD (0x0101010101010101UL * MM_POISON_BYTE)

void mm_poison_fill(struct mm *mm, unsigned long pfn, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		memset(mm_pfn_to_virt(pfn + i), MM_POISON_BYTE, PAGE_SIZE);
}

/* Offset of the first byte of @page that is not poison, or PAGE_SIZE. */
static size_t first_bad_byte(const void *page)
{
	const unsigned long *w = page;
	size_t i;

	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++) {
		if (w[i] != POISON_WORD) {
			const u8 *b = (const u8 *)&w[i];
			size_t j = 0;

			while (b[j] == MM_POISON_BYTE)
				j++;
			return i * sizeof(*w) + j;
		}
	}
	return PAGE_SIZE;
}

bool mm_poison_check(struct mm *mm, unsigned long pfn, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++) {
		const u8 *va = mm_pfn_to_virt(pfn + i);
		size_t off = first_bad_byte(va);

		if (off < PAGE_SIZE) {
			mm_stat_inc(mm, poison_bad);
			mm_stat_inc(mm, bugs);
			mm_bug("%s: pfn %#lx written after free: byte %#zx is %#x, not the poison "
			       "%#x\n", mm->name, pfn + i, off, va[off], MM_POISON_BYTE);
			return false;
		}
	}
	return true;
}
