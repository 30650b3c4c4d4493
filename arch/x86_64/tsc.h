/* TSC calibration against the 8254 PIT. */
#ifndef ARCH_X86_64_TSC_H
#define ARCH_X86_64_TSC_H

#include "include/types.h"

/* Measure the TSC frequency; sets tsc_khz. Panics if the PIT never counts. */
void tsc_calibrate(void);

/* Wait @us (< 50 ms) on PIT channel 2; usable before the TSC is calibrated. */
void pit_wait_us(u32 us);

#endif
