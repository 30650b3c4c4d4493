/*
 * xAPIC driver. The register page is ioremapped uncached. The timer's
 * frequency (after the divide-by-16) is measured against the TSC over 2 ms,
 * then the timer runs periodic at the requested rate.
 *
 * IPIs: one ICR send is two register writes (destination, then the low
 * word that sends), so every send runs with interrupts off on its CPU: an
 * interrupt handler sending in between would send to the wrong CPU. Each
 * send waits (bounded) for the delivery status to go idle, so the ICR is
 * idle again before the next one.
 */
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/time.h"

#define LAPIC_ID 0x020
#define LAPIC_VERSION 0x030
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ESR 0x280
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define SVR_ENABLE (1u << 8)
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_TIMEOUT_NS 100000000 /* 100 ms */

static volatile u32 *lapic;
static void (*tick_handler)(void);
static u32 timer_per_tick; /* the boot CPU's calibration, for every CPU */

static u32 lapic_read(u32 reg) { return lapic[reg / 4]; }
static void lapic_write(u32 reg, u32 v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* wait for the write to land */
}

void lapic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

u32 lapic_id(void) { return lapic ? lapic_read(LAPIC_ID) >> 24 : 0; }

static void lapic_error(void *arg)
{
	lapic_write(LAPIC_ESR, 0);
	pr_err("lapic: error interrupt, ESR %#x\n", lapic_read(LAPIC_ESR));
}

void lapic_enable_this_cpu(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11)); /* global enable */
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

/* Write the ICR (destination first: the low write sends) and wait for the
 * delivery to finish, with interrupts off throughout. A shorthand in @low
 * makes the destination ignored. Return: 0, or -ETIMEDOUT after
 * ICR_TIMEOUT_NS pending; -ENODEV before lapic_init(). */
static int send_ipi(u32 apic_id, u32 low)
{
	unsigned long flags;
	u64 start;
	int err = 0;

	if (!lapic)
		return -ENODEV;
	flags = irq_save();
	start = rdtsc();
	lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_PENDING) {
		if (tsc_to_ns(rdtsc() - start) > ICR_TIMEOUT_NS) {
			err = -ETIMEDOUT;
			break;
		}
		cpu_relax();
	}
	irq_restore(flags);
	return err;
}

int lapic_send_init(u32 apic_id) { return send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL); }

int lapic_send_startup(u32 apic_id, u8 vector) { return send_ipi(apic_id, ICR_STARTUP | vector); }

int lapic_send_ipi(u32 apic_id, u8 vector)
{
	BUG_ON(vector < 32);
	return send_ipi(apic_id, ICR_FIXED | ICR_ASSERT | vector);
}

int lapic_send_ipi_all_but_self(u8 vector)
{
	BUG_ON(vector < 32);
	return send_ipi(0, ICR_ALL_BUT_SELF | ICR_FIXED | ICR_ASSERT | vector);
}

int lapic_send_nmi_all_but_self(void)
{
	return send_ipi(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}

void lapic_init(phys_addr_t base)
{
	u64 msr = rdmsr(MSR_APIC_BASE);

	if (!cpu_features.apic)
		panic("lapic_init: this CPU has no local APIC");
	if ((msr & ~0xfffUL) != base)
		pr_warn("lapic: MADT says %#lx, MSR says %#lx; using the MSR\n", base,
			msr & ~0xfffUL);
	wrmsr(MSR_APIC_BASE, msr | (1u << 11)); /* global enable */
	lapic = ioremap(msr & 0xffffff000UL, PAGE_SIZE);
	BUG_ON(!lapic);
	irq_set_fixed(VEC_LAPIC_ERROR, lapic_error, NULL, "lapic-error");
	lapic_enable_this_cpu();
	pr_info("lapic: id %u version %#x\n", lapic_id(), lapic_read(LAPIC_VERSION) & 0xff);
}

static void lapic_timer_irq(void *arg)
{
	if (tick_handler)
		tick_handler();
}

void lapic_timer_start(unsigned int hz, void (*tick)(void))
{
	u64 start, elapsed_ns;
	u32 counted, per_tick;

	/* Count down from the maximum for ~2 ms of TSC time. */
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	start = rdtsc();
	while (tsc_to_ns(rdtsc() - start) < 2000000)
		cpu_relax();
	counted = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
	elapsed_ns = tsc_to_ns(rdtsc() - start);
	per_tick = (u32)((u64)counted * 1000000000ULL / elapsed_ns / hz);
	if (!per_tick)
		per_tick = 1;

	tick_handler = tick;
	timer_per_tick = per_tick;
	irq_set_fixed(VEC_LAPIC_TIMER, lapic_timer_irq, NULL, "lapic-timer");
	lapic_timer_start_this_cpu();
	pr_info("lapic: timer %u Hz (%u counts per tick, bus/16 %lu kHz)\n", hz, per_tick,
		(unsigned long)((u64)counted * 1000000ULL / elapsed_ns));
}

void lapic_timer_start_this_cpu(void)
{
	BUG_ON(!timer_per_tick);
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, VEC_LAPIC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, timer_per_tick);
}
