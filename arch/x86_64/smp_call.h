/*
 * Cross-CPU calls: run a function on one CPU, on every other CPU, or on
 * every online CPU, and optionally wait until it has run everywhere. The
 * TLB shootdown (arch/x86_64/paging.c) and the panic's stop are built on
 * the IPIs beneath (VEC_IPI_CALL, lapic_send_ipi()).
 *
 * The rules a call's @fn lives by:
 *  - it runs in interrupt context on the target (interrupts off,
 *    in_interrupt() true): from the VEC_IPI_CALL handler, or from the
 *    target's own wait loop when the target is itself waiting for a call
 *    (see below), or on the caller for SMP_CALL_ALL;
 *  - it must not sleep, and must not take a lock its caller may hold while
 *    it waits (the caller spins until @fn returns: a lock it holds is never
 *    released); the same goes for locks another CPU may hold while it waits
 *    in smp_call() with interrupts off;
 *  - it may call smp_call() itself (a call from inside a call is served).
 *
 * Waiting without deadlock: a CPU that waits for its calls (wait=true, or
 * for a free request slot) keeps running the calls queued for it while it
 * spins, interrupts on or off. So two CPUs calling each other at the same
 * time, or a CPU waiting with interrupts off (the scheduler freeing a
 * stack), both make progress. What still deadlocks: waiting while holding
 * a spinlock that the target spins on with interrupts off (the lock
 * checker reports any waiting call made with a spinlock held:
 * held-while-waiting), and any other wait for another CPU with interrupts
 * off that does not serve this CPU's calls — a barrier, a flag poll: that
 * CPU may be about to shoot a mapping down (freeing a thread stack does).
 * Spin with interrupts on; the scheduler is cooperative, so nothing
 * switches the spinner away.
 *
 * Queues are per target CPU and lock-free (a LIFO pushed with
 * compare-and-swap, taken whole with an exchange and run oldest first):
 * no spinlock is taken on the call path, so no lock order ties it to
 * whatever its callers hold. An IPI goes out only when the target's queue
 * was empty (otherwise one is already on its way or being served).
 */
#ifndef ARCH_X86_64_SMP_CALL_H
#define ARCH_X86_64_SMP_CALL_H

#include "include/types.h"

#define SMP_CALL_ALL (-1)    /* every online CPU, the caller included */
#define SMP_CALL_OTHERS (-2) /* every online CPU but the caller */

/* A CPU that has not run a call this long after it was queued is taken
 * for dead: the caller panics (a hang becomes a report). */
#define SMP_CALL_TIMEOUT_MS 10000

/*
 * smp_call - run @fn(@arg) on @cpu (a cpus[] index, SMP_CALL_ALL or
 * SMP_CALL_OTHERS). The caller's own share (SMP_CALL_ALL, or @cpu is the
 * caller) runs at once with interrupts off. With @wait, return after @fn
 * has returned on every target; without, after the requests are queued
 * (@arg must then live until @fn ran: the caller finds out itself).
 * Without @wait, one call per (caller, target) pair is in flight at a
 * time: a second one waits for the first to have run.
 * Return: 0; -EINVAL for a NULL @fn or a @cpu that is no index and no
 * SMP_CALL_*; -ENODEV when @cpu is not online (or does not take calls
 * yet). SMP_CALL_OTHERS with no other CPU online is 0 and runs nothing.
 * Context: any but NMI, interrupts on or off, no spinlock held that a
 * target may spin on with interrupts off.
 */
int smp_call(int cpu, void (*fn)(void *), void *arg, bool wait);

/* Per-CPU setup on an AP, in ap_entry before it takes interrupts: from now
 * on it accepts calls. (The boot CPU accepts them from the start.) */
void smp_call_init_this_cpu(void);

/* The VEC_IPI_CALL handler (trap.c attaches it statically). */
void smp_call_interrupt(void *arg);

/* IPIs this CPU sent (cross-calls, shootdowns) and received on
 * VEC_IPI_CALL, for the monitor; 0 for an index that is no CPU.
 * Context: any (racy reads of counters each CPU writes for itself). */
u64 smp_ipis_sent(unsigned int cpu);
u64 smp_ipis_received(unsigned int cpu);

#endif
