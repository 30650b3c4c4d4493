/*
 * Stack protector runtime. The kernel is built with -fstack-protector-strong
 * -mstack-protector-guard=global: every function with a local array or an
 * address-taken local stores __stack_chk_guard below its return address on
 * entry and calls __stack_chk_fail when the copy differs on return.
 *
 * Invariants: the canary changes once, in stack_protector_init, while only
 * kmain's frame is live; its low byte is 0, so an overrun by a C string copy
 * stops at the canary instead of reproducing it.
 */
#include "kernel/stackprotector.h"
#include "arch/x86_64/cpu.h"
#include "include/compiler.h"
#include "kernel/backtrace.h"
#include "include/assert.h"
#include "kernel/printk.h"

/* Until stack_protector_init: a fixed value, so early frames are checked too. */
unsigned long __stack_chk_guard = 0x5a17c0de2f3e4d00UL;

/* Unprotected itself: its own frame (bits is address-taken) would hold the
 * old value when it returns. */
__attribute__((no_stack_protector)) void stack_protector_init(void)
{
	u64 bits;
	bool hw = cpu_random(&bits);

	__stack_chk_guard = (unsigned long)bits & ~0xffUL;
	pr_info("stack protector: canary from %s\n", hw ? "RDRAND" : "the TSC");
}

void __stack_chk_fail(void);
__noreturn void __stack_chk_fail(void)
{
	unsigned long ret = (unsigned long)__builtin_return_address(0), off = 0, size = 0;
	const char *fn = ksym_lookup(ret, &off, &size);

	panic("stack protector: canary overwritten in the frame of %s+0x%lx", fn ? fn : "?", off);
}
