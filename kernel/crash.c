/*
 * crash=KIND: pagefault (write to an unmapped address), null (read address
 * 0), ud (ud2), divide (integer division by zero), gp (non-canonical
 * address), panic, assert. Each kind has its own noinline function so the
 * backtrace names it.
 */
#include "kernel/crash.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "lib/string.h"

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

static const struct crash_kind kinds[] = {
	{ "pagefault", crash_pagefault }, { "null", crash_null }, { "ud", crash_ud },
	{ "divide", crash_divide },       { "gp", crash_gp },     { "panic", crash_panic },
	{ "assert", crash_assert },
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
CMDLINE_PARAM(crash, "crash", set_crash, "pagefault|null|ud|divide|gp|panic|assert: crash on purpose after boot");

void crash_if_requested(void)
{
	if (!requested)
		return;
	pr_info("crash: tripping '%s' on purpose\n", requested->name);
	requested->trip();
	pr_err("crash: '%s' did not crash\n", requested->name);
}
