/*
 * Page faults the mm resolves: an access to a mapped page that is being
 * migrated hits its migration entry; mapped_fault() sleeps until the move is
 * done and the instruction is retried. Every other fault falls through to
 * the report-and-panic path. The handler runs on the faulting thread's own
 * stack, so sleeping here is sleeping in that thread.
 */
#include "kernel/mm/mm_fault.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "mm/mapped.h"

static bool mm_page_fault(struct trap_frame *frame)
{
	/* Interrupts were off at the fault (handler, irq-save section): it
	 * must not sleep. */
	bool atomic = in_interrupt() || !(frame->rflags & RFLAGS_IF);

	return mapped_fault(read_cr2(), atomic);
}

void mm_fault_init(void)
{
	trap_set_handler(VEC_PAGE_FAULT, mm_page_fault);
}
