/*
 * crash=KIND: pagefault (write to an unmapped address), null (read address
 * 0), ud (ud2), divide (integer division by zero), gp (non-canonical
 * address), panic, assert, stack (unbounded recursion in a thread: its
 * guard page), mainstack (the same on the boot stack), wx (write to kernel
 * text), rodata (write to read-only data), nx (execute data), mappedirq (a
 * timer interrupt touches a mapped page while it migrates: the fault path
 * must refuse to sleep there), canary (a local array overrun: the stack
 * protector's check on return), poison (a write after free, with
 * mm.poison=1: caught when the page is allocated again), lockorder (two
 * locks taken in both orders), lockrecursion (a lock taken twice),
 * locksleep (a yield with a spinlock held): the lock checker's reports,
 * LOCK_CHECKS builds only; apfault (a cross-call makes CPU 1 write to an
 * unmapped address: the report names the AP, CPU 0 is stopped), panic2
 * (CPU 0 and CPU 1 panic at the same moment: one report, the other CPU
 * stopped). Each kind has its own noinline function so the backtrace
 * names it.
 */
#include "kernel/crash.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/lockdep.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

struct crash_kind {
	const char *name;
	void (*trip)(void);
};

static volatile unsigned long sink;

static __noinline void crash_pagefault(void) { *(volatile unsigned long *)0xffffc9ffdead0000UL = 1; }
static __noinline void crash_null(void) { sink = *(volatile unsigned long *)0; }
static __noinline void crash_ud(void) { __asm__ volatile("ud2"); }
static __noinline void crash_divide(void)
{
	unsigned long quotient, zero = 0;

	/* In asm: the compiler may fold a C division by a variable known to be
	 * zero (1 / x is x == 1 for unsigned x). */
	__asm__ volatile("xorl %%edx, %%edx; divq %2" : "=a"(quotient) : "a"(1UL), "r"(zero) : "rdx");
	sink = quotient;
}
static __noinline void crash_gp(void) { sink = *(volatile unsigned long *)0x8000000000000000UL; }
static __noinline void crash_panic(void) { panic("crash_panic: deliberate panic (crash=panic)"); }
static __noinline void crash_assert(void)
{
	volatile int one = 1;

	assert(one == 2);
}

/* Recurse until the stack runs out. frame[0] is the lowest byte of the
 * frame, so by the time a store to it faults in the guard page RSP is there
 * too and the fault escalates to a double fault on its own stack. The asm
 * statements keep the whole array and keep the call from becoming a loop. */
static __noinline unsigned long recurse(unsigned long depth)
{
	volatile unsigned char frame[1024]; /* ~15 frames fill a stack: a backtrace reaches the caller */
	unsigned long r;

	if (depth == ~0UL)
		return 0;
	frame[0] = (unsigned char)depth;
	__asm__ volatile("" ::"r"(frame) : "memory"); /* clang would shrink an unused array */
	r = recurse(depth + 1);
	__asm__ volatile("" : "+r"(r)::"memory");
	return r + frame[0];
}

static void stack_thread(void *arg)
{
	sink = recurse(0);
}

static __noinline void crash_stack(void)
{
	if (!thread_create("crash-stack", stack_thread, NULL))
		panic("crash_stack: cannot start the thread");
	for (;;)
		thread_sleep_us(1000000);
}

static __noinline void crash_mainstack(void) { sink = recurse(0); }

static __noinline void crash_wx(void)
{
	*(volatile unsigned char *)(unsigned long)crash_wx = 0xc3;
}

static const unsigned long read_only_word[1] = { 1 };
static __noinline void crash_rodata(void)
{
	*(volatile unsigned long *)(unsigned long)read_only_word = 2;
}

static unsigned char data_code[16] = { 0xc3 }; /* ret, in .data */
static __noinline void crash_nx(void)
{
	((void (*)(void))(unsigned long)data_code)();
}

/* Overwrite everything from a local array up to the saved frame pointer
 * (kept, so the backtrace still walks): the canary lies in between. */
static __noinline void crash_canary(void)
{
	char buf[16];
	volatile char *p, *end = __builtin_frame_address(0);

	for (p = buf; p < end; p++)
		*p = (char)0xa5;
	__asm__ volatile("" ::"r"(buf) : "memory");
}

/* Free a page, write to it, take it back: the poison check must report it. */
static __noinline void crash_poison(void)
{
	struct page *page = mm_alloc_pages(&kernel_mm, 0, GFP_KERNEL);
	unsigned long pfn;
	u8 *stale;

	if (!kernel_mm.poison) {
		pr_err("crash: 'poison' needs mm.poison=1\n");
		return;
	}
	if (!page)
		return;
	pfn = mm_page_to_pfn(&kernel_mm, page);
	stale = mm_page_address(&kernel_mm, page);
	mm_free_pages(&kernel_mm, page, 0);
	mm_drain_pcp(&kernel_mm);
	stale[42] = 0x42;
	if (mm_alloc_pfn(&kernel_mm, pfn)) /* not a tail call: the backtrace names us */
		pr_err("crash: the write after free went unnoticed\n");
}

/* The SMP kinds need a second CPU; without one they say so and return. */
static bool have_second_cpu(const char *kind)
{
	if (smp_nr_online() >= 2)
		return true;
	pr_err("crash: '%s' needs 2 CPUs\n", kind);
	return false;
}

static __noinline void ap_pagefault(void *arg)
{
	crash_pagefault();
	barrier(); /* no tail call: the backtrace names us */
}

static __noinline void crash_apfault(void)
{
	if (have_second_cpu("apfault") && smp_call(1, ap_pagefault, NULL, true) == 0)
		pr_err("crash: cpu 1 did not fault\n");
}

static unsigned int panic2_arrived;

/* Both CPUs meet here, then panic together. */
static __noinline void panic_together(void *arg)
{
	__atomic_fetch_add(&panic2_arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&panic2_arrived, __ATOMIC_ACQUIRE) < 2)
		cpu_relax();
	panic("crash_panic2: cpu %u panics at the same time as another", this_cpu()->index);
}

static __noinline void crash_panic2(void)
{
	if (have_second_cpu("panic2") && !smp_call(1, panic_together, NULL, false))
		panic_together(NULL);
}

static struct mapped_region irq_region;
static struct timer irq_timer;

static void touch_in_irq(struct timer *timer)
{
	sink = *(volatile unsigned long *)mapped_va(&irq_region, 0);
}

/* Mid-move: let a timer interrupt touch the page, then keep the move
 * stalled until it has. */
static void stall_for_irq(struct mapped_region *region, unsigned long index)
{
	irq_timer.fn = touch_in_irq;
	timer_arm(&irq_timer, time_ns() + 1000000);
	thread_sleep_us(20000);
}

static __noinline void crash_mappedirq(void)
{
	struct migrate_result res;
	unsigned long pfn;

	if (mapped_region_create(&irq_region, &kernel_mm, 1, GFP_ZERO))
		return;
	pfn = mapped_pfn(&irq_region, 0);
	irq_region.migrate_hook = stall_for_irq;
	migrate_pages(&kernel_mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC, &res);
}

static struct spinlock crash_lock_a = SPINLOCK_INIT("crash-a");
static struct spinlock crash_lock_b = SPINLOCK_INIT("crash-b");

static bool lock_checks_built(void)
{
	if (!LOCK_CHECKS)
		pr_err("crash: the lock checks are not built in (LOCK_CHECKS=0)\n");
	return LOCK_CHECKS;
}

static __noinline void crash_lockorder(void)
{
	if (!lock_checks_built())
		return;
	spin_lock(&crash_lock_a);
	spin_lock(&crash_lock_b);
	spin_unlock(&crash_lock_b);
	spin_unlock(&crash_lock_a);
	spin_lock(&crash_lock_b);
	spin_lock(&crash_lock_a); /* reported here, before it could deadlock */
	spin_unlock(&crash_lock_a);
	spin_unlock(&crash_lock_b);
}

static __noinline void crash_lockrecursion(void)
{
	if (!lock_checks_built())
		return;
	spin_lock(&crash_lock_a);
	spin_lock(&crash_lock_a); /* would spin forever: reported instead */
	spin_unlock(&crash_lock_a);
}

static __noinline void crash_locksleep(void)
{
	if (!lock_checks_built())
		return;
	spin_lock(&crash_lock_a);
	thread_yield();
	spin_unlock(&crash_lock_a);
}

static const struct crash_kind kinds[] = {
	{ "pagefault", crash_pagefault }, { "null", crash_null },
	{ "ud", crash_ud },               { "divide", crash_divide },
	{ "gp", crash_gp },               { "panic", crash_panic },
	{ "assert", crash_assert },       { "stack", crash_stack },
	{ "mainstack", crash_mainstack }, { "wx", crash_wx },
	{ "rodata", crash_rodata },       { "nx", crash_nx },
	{ "canary", crash_canary },       { "poison", crash_poison },
	{ "mappedirq", crash_mappedirq }, { "lockorder", crash_lockorder },
	{ "lockrecursion", crash_lockrecursion }, { "locksleep", crash_locksleep },
	{ "apfault", crash_apfault },     { "panic2", crash_panic2 },
};

static const struct crash_kind *requested;

static int set_crash(const char *value)
{
	size_t i;

	for (i = 0; value && i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(value, kinds[i].name) == 0) {
			requested = &kinds[i];
			return 0;
		}
	}
	return -EINVAL;
}
CMDLINE_PARAM(crash, "crash", set_crash,
	      "pagefault|null|ud|divide|gp|panic|assert|stack|mainstack|wx|rodata|nx|canary|poison|"
	      "mappedirq|lockorder|lockrecursion|locksleep|apfault|panic2: "
	      "crash on purpose after boot");

void crash_if_requested(void)
{
	if (!requested)
		return;
	pr_info("crash: tripping '%s' on purpose\n", requested->name);
	requested->trip();
	pr_err("crash: '%s' did not crash\n", requested->name);
}
