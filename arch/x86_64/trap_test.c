/*
 * KTAP tests of exception handling: traps caught by an installed handler
 * resume where they should, and the IDT/IST setup is what the design says.
 * Kernel only (needs the real IDT).
 */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "kernel/backtrace.h"
#include "lib/ktest.h"

static volatile int breakpoints_seen;
static volatile u64 breakpoint_rip;

static bool count_breakpoint(struct trap_frame *frame)
{
	breakpoints_seen++;
	breakpoint_rip = frame->rip;
	return true; /* int3 is a trap: RIP already points past it */
}

/* int3 reaches the installed handler once and execution resumes after it. */
static void trap_int3_caught_and_resumed(struct ktest *test)
{
	trap_handler_t old = trap_set_handler(VEC_BREAKPOINT, count_breakpoint);
	volatile int after = 0;

	breakpoints_seen = 0;
	__asm__ volatile("int3");
	after = 1;
	trap_set_handler(VEC_BREAKPOINT, old);
	KTEST_EXPECT_EQ(test, breakpoints_seen, 1);
	KTEST_EXPECT_EQ(test, after, 1);
	KTEST_EXPECT_TRUE(test, breakpoint_rip >= (u64)trap_int3_caught_and_resumed);
}

static bool skip_ud2(struct trap_frame *frame)
{
	const u8 *insn = (const u8 *)frame->rip;

	if (insn[0] != 0x0f || insn[1] != 0x0b)
		return false;
	frame->rip += 2; /* a fault: RIP points at the instruction; step over it */
	breakpoints_seen++;
	return true;
}

/* A fault handler can change RIP to step over the faulting instruction. */
static void trap_fault_handler_can_skip_instruction(struct ktest *test)
{
	trap_handler_t old = trap_set_handler(VEC_INVALID_OPCODE, skip_ud2);

	breakpoints_seen = 0;
	__asm__ volatile("ud2");
	trap_set_handler(VEC_INVALID_OPCODE, old);
	KTEST_EXPECT_EQ(test, breakpoints_seen, 1);
}

/* Interrupts are on in thread context after boot, off inside irq_save(). */
static void trap_irq_save_restores_flag(struct ktest *test)
{
	unsigned long flags;

	KTEST_ASSERT_TRUE(test, irqs_enabled());
	flags = irq_save();
	KTEST_EXPECT_FALSE(test, irqs_enabled());
	irq_restore(flags);
	KTEST_EXPECT_TRUE(test, irqs_enabled());
	KTEST_EXPECT_FALSE(test, in_interrupt());
}

/* Device vectors are handed out once and can be returned. */
static void trap_vector_allocation(struct ktest *test)
{
	int a = irq_alloc_vector((irq_handler_t)0x1, NULL, "test-a");
	int b = irq_alloc_vector((irq_handler_t)0x1, NULL, "test-b");

	KTEST_ASSERT_GE(test, a, VEC_DEVICE_FIRST);
	KTEST_ASSERT_GE(test, b, VEC_DEVICE_FIRST);
	KTEST_EXPECT_NE(test, a, b);
	KTEST_EXPECT_STREQ(test, irq_name((unsigned int)a), "test-a");
	irq_free_vector((unsigned int)a);
	irq_free_vector((unsigned int)b);
}

/* The symbol table resolves a known function with offset and size. */
static void trap_symbol_lookup(struct ktest *test)
{
	unsigned long off = 0, size = 0;
	const char *name = ksym_lookup((unsigned long)trap_symbol_lookup + 3, &off, &size);

	KTEST_ASSERT_NOT_NULL(test, name);
	KTEST_EXPECT_STREQ(test, name, "trap_symbol_lookup");
	KTEST_EXPECT_EQ(test, off, 3);
	KTEST_EXPECT_GT(test, size, 3);
	KTEST_EXPECT_EQ(test, ksym_address("kmain") != 0, 1);
	KTEST_EXPECT_NULL(test, ksym_lookup(0x1000, &off, &size));
}

static const struct ktest_case trap_cases[] = {
	KTEST_CASE(trap_int3_caught_and_resumed),
	KTEST_CASE(trap_fault_handler_can_skip_instruction),
	KTEST_CASE(trap_irq_save_restores_flag),
	KTEST_CASE(trap_vector_allocation),
	KTEST_CASE(trap_symbol_lookup),
	KTEST_END,
};
KTEST_SUITE(trap, trap_cases);
