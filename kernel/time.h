/*
 * Time since boot, from the TSC calibrated against the PIT (arch/tsc.c).
 * time_ns()/time_us() return 0 until calibration is done. "ticks" count the
 * LAPIC timer's periodic interrupts (HZ per second).
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include "include/types.h"

#define HZ 1000

extern u64 tsc_khz;      /* TSC frequency, 0 before calibration */
extern volatile u64 ticks;

u64 time_ns(void);
u64 time_us(void);
u64 tsc_to_ns(u64 cycles);
u64 ns_to_tsc(u64 ns);

/* Busy-wait @us microseconds (uses the TSC; before calibration, the PIT). */
void udelay(u64 us);

#endif
