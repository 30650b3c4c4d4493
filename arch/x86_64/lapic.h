/*
 * The local APIC (xAPIC, memory-mapped): enabled at boot with a spurious
 * vector, and its timer programmed periodic at HZ, calibrated against the
 * TSC. Each tick calls the registered tick handler (kernel/sched.c).
 */
#ifndef ARCH_X86_64_LAPIC_H
#define ARCH_X86_64_LAPIC_H

#include "include/types.h"

void lapic_init(phys_addr_t base);
/* The per-CPU part of lapic_init: enable this CPU's LAPIC (an AP's too). */
void lapic_enable_this_cpu(void);
/* INIT (assert) and STARTUP IPIs to @apic_id for bringing an AP up.
 * Return: 0, or -ETIMEDOUT when the ICR stayed busy. */
int lapic_send_init(u32 apic_id);
int lapic_send_startup(u32 apic_id, u8 vector);
/* Fixed-vector IPI to @apic_id. Return: 0, or -ETIMEDOUT. Context: any. */
int lapic_send_fixed(u32 apic_id, u8 vector);
/* Calibrate the timer on the boot CPU and start it periodic at @hz, each
 * tick calling @tick (on every CPU whose timer runs). */
void lapic_timer_start(unsigned int hz, void (*tick)(void));
/* Start this CPU's timer with the boot CPU's calibration (an AP). */
void lapic_timer_start_this_cpu(void);
void lapic_eoi(void);
u32 lapic_id(void);

#endif
