/*
 * The local APIC (xAPIC, memory-mapped): enabled at boot with a spurious
 * vector, and its timer programmed periodic at HZ, calibrated against the
 * TSC. Each tick calls the registered tick handler (kernel/sched.c).
 */
#ifndef ARCH_X86_64_LAPIC_H
#define ARCH_X86_64_LAPIC_H

#include "include/types.h"

void lapic_init(phys_addr_t base);
void lapic_timer_start(unsigned int hz, void (*tick)(void));
void lapic_eoi(void);
u32 lapic_id(void);

#endif
