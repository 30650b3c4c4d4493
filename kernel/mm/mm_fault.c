/*
 * Page faults the mm resolves: an access to a mapped page that is being
 * migrated hits its migration entry; mapped_fault() sleeps until the move is
 * done and the instruction is retried. A not-present fault in the mapped
 * range whose entry is present by the time the handler looks lost a race
 * with the end of a move on another CPU (the mover installed the new entry
 * between the access and the look): it is retried too. Every other fault
 * falls through to the report-and-panic path. The handler runs on the
 * faulting thread's own stack, so sleeping here is sleeping in that thread.
 */
#include "kernel/mm/mm_fault.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "kernel/mm/vrange.h"
#include "mm/mapped.h"

#define PF_PRESENT (1UL << 0) /* error code: a protection fault, not a missing entry */

/* A not-present fault at @va in the mapped range that is mapped now. */
static bool move_ended_meanwhile(const struct trap_frame *frame, unsigned long va)
{
	unsigned long pfn;

	return !(frame->error_code & PF_PRESENT) && va >= VRANGE_BASE && va < VRANGE_END &&
	       mm_lookup_page(va, &pfn);
}

static bool mm_page_fault(struct trap_frame *frame)
{
	/* Interrupts were off at the fault (handler, irq-save section): it
	 * must not sleep. */
	bool atomic = in_interrupt() || !(frame->rflags & RFLAGS_IF);
	unsigned long va = read_cr2();

	return mapped_fault(va, atomic) || move_ended_meanwhile(frame, va);
}

void mm_fault_init(void)
{
	trap_set_handler(VEC_PAGE_FAULT, mm_page_fault);
}
