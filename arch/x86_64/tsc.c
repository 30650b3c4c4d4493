/*
 * The TSC is the kernel's clock. Its frequency is measured at boot by timing
 * a known PIT channel-2 countdown (the PIT runs at 1.193182 MHz): three 5 ms
 * windows, median taken. The result is exported as tsc_khz plus a
 * multiply/shift pair for cycles -> ns without 128-bit division.
 */
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "kernel/printk.h"
#include "kernel/time.h"

#define PIT_HZ 1193182
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61

u64 tsc_khz;
static u64 tsc_boot;
static u64 ns_mult; /* ns = (cycles * ns_mult) >> 32 */
static u64 tsc_mult; /* cycles = (ns * tsc_mult) >> 32 */

/* Start a one-shot countdown of @count PIT ticks on channel 2. */
static void pit_start(u16 count)
{
	u8 gate = inb(PIT_GATE);

	outb(PIT_GATE, (gate & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                    /* ch2, lo/hi, mode 0, binary */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
}

static bool pit_done(void) { return inb(PIT_GATE) & 0x20; }

void pit_wait_us(u32 us)
{
	u32 count = (u32)((u64)us * PIT_HZ / 1000000);
	u64 spins = 0;

	if (count > 0xffff)
		count = 0xffff;
	pit_start((u16)(count ? count : 1));
	while (!pit_done())
		if (++spins > 100000000)
			panic("pit_wait_us: the PIT does not count");
}

static u64 measure_window(u32 us)
{
	u64 start, spins = 0;
	u32 count = (u32)((u64)us * PIT_HZ / 1000000);

	pit_start((u16)count);
	start = rdtsc();
	while (!pit_done())
		if (++spins > 100000000)
			panic("tsc_calibrate: the PIT does not count");
	return (rdtsc() - start) * 1000 / us; /* kHz */
}

void tsc_calibrate(void)
{
	u64 k[3], t;
	int i, j;

	for (i = 0; i < 3; i++)
		k[i] = measure_window(5000);
	for (i = 0; i < 3; i++) /* sort three values */
		for (j = i + 1; j < 3; j++)
			if (k[j] < k[i]) {
				t = k[i];
				k[i] = k[j];
				k[j] = t;
			}
	BUG_ON(k[1] == 0);
	tsc_mult = (k[1] << 32) / 1000000;
	ns_mult = (1000000ULL << 32) / k[1];
	tsc_boot = 0;
	tsc_khz = k[1];
	pr_info("tsc: %lu.%03lu MHz (PIT-calibrated, spread %lu kHz)\n", tsc_khz / 1000,
		tsc_khz % 1000, k[2] - k[0]);
}

u64 tsc_to_ns(u64 cycles) { return (u64)(((unsigned __int128)cycles * ns_mult) >> 32); }
u64 ns_to_tsc(u64 ns) { return (u64)(((unsigned __int128)ns * tsc_mult) >> 32); }

u64 time_ns(void) { return tsc_khz ? tsc_to_ns(rdtsc() - tsc_boot) : 0; }
u64 time_us(void) { return time_ns() / 1000; }

void udelay(u64 us)
{
	u64 end;

	if (!tsc_khz) {
		while (us > 40000) {
			pit_wait_us(40000);
			us -= 40000;
		}
		pit_wait_us((u32)us);
		return;
	}
	end = rdtsc() + ns_to_tsc(us * 1000);
	while (rdtsc() < end)
		cpu_relax();
}
