/*
 * The local APIC (xAPIC, memory-mapped): enabled at boot with a spurious
 * vector, and its timer programmed periodic at HZ, calibrated against the
 * TSC. Each tick calls the registered tick handler (kernel/sched.c). IPIs
 * go through the ICR: INIT/STARTUP for bring-up, fixed vectors to one CPU
 * or to all others (arch/x86_64/smp_call.c), NMI to all others (panic).
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

/*
 * lapic_send_ipi - send fixed interrupt @vector (32..255) to the CPU with
 * xAPIC id @apic_id; lapic_send_ipi_all_but_self() sends it to every other
 * CPU (the ICR's shorthand, one write), lapic_send_nmi_all_but_self() an
 * NMI to every other CPU. Each waits until the ICR has delivered.
 * Return: 0; -ETIMEDOUT when the ICR stayed busy for 100 ms; -ENODEV
 * before lapic_init().
 * Context: any (interrupts are off during the send).
 */
int lapic_send_ipi(u32 apic_id, u8 vector);
int lapic_send_ipi_all_but_self(u8 vector);
int lapic_send_nmi_all_but_self(void);
/* Calibrate the timer on the boot CPU and start it periodic at @hz, each
 * tick calling @tick (on every CPU whose timer runs). */
void lapic_timer_start(unsigned int hz, void (*tick)(void));
/* Start this CPU's timer with the boot CPU's calibration (an AP). */
void lapic_timer_start_this_cpu(void);
void lapic_eoi(void);
u32 lapic_id(void);

#endif
