/*
 * Cross-CPU calls (see smp_call.h for the rules a call lives by).
 *
 * State, one struct call_cpu per cpus[] index (cache-line aligned):
 *   queue          requests for this CPU: pushed by any CPU (CAS, release),
 *                  taken whole by this CPU only (exchange, acquire)
 *   ready          (C after set) this CPU takes calls: the boot CPU from
 *                  the start, an AP from smp_call_init_this_cpu()
 *   ipis_sent, ipis_received
 *                  (S) written by this CPU with interrupts off
 *   async[t]       this CPU's request slot for wait=false calls to CPU t,
 *   async_pending[t]  1 from queueing until it has run (then free again)
 *
 * A request names a pending counter; its target decrements it (release)
 * after @fn returned and never touches the request again, so a waiting
 * caller may keep its requests and counter on its stack. A wait=true call
 * to several CPUs shares one counter.
 */
#include "arch/x86_64/smp_call.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "include/errno.h"
#include "kernel/lockdep.h"
#include "kernel/time.h"

struct smp_call_req {
	struct smp_call_req *next; /* on the target's queue */
	void (*fn)(void *arg);
	void *arg;
	unsigned int *pending;     /* decremented once @fn returned */
};

struct call_cpu {
	struct smp_call_req *queue;
	bool ready;
	u64 ipis_sent, ipis_received;
	struct smp_call_req async[SMP_MAX_CPUS];
	unsigned int async_pending[SMP_MAX_CPUS];
} __aligned(64);

static struct call_cpu call_cpus[SMP_MAX_CPUS] = { [0] = { .ready = true } };

void smp_call_init_this_cpu(void) { WRITE_ONCE(call_cpus[this_cpu()->index].ready, true); }

/* Set bits of @mask (no POPCNT: the kernel targets any x86-64). */
static unsigned int nr_cpus_in(u32 mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static bool takes_calls(unsigned int cpu)
{
	return cpu < smp_nr_online() && __atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE) &&
	       READ_ONCE(call_cpus[cpu].ready);
}

u64 smp_ipis_sent(unsigned int cpu)
{
	return cpu < SMP_MAX_CPUS ? READ_ONCE(call_cpus[cpu].ipis_sent) : 0;
}

u64 smp_ipis_received(unsigned int cpu)
{
	return cpu < SMP_MAX_CPUS ? READ_ONCE(call_cpus[cpu].ipis_received) : 0;
}

/* Push @req on @target's queue. Return: true when the queue was empty (the
 * target needs an IPI: nothing else will make it look). */
static bool queue_push(struct call_cpu *target, struct smp_call_req *req)
{
	struct smp_call_req *head = __atomic_load_n(&target->queue, __ATOMIC_RELAXED);

	do {
		req->next = head;
	} while (!__atomic_compare_exchange_n(&target->queue, &head, req, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return !head;
}

/* Run every request queued for this CPU, oldest first. Interrupts off,
 * counted as interrupt context by the caller. */
static void run_queue(struct call_cpu *self)
{
	struct smp_call_req *req = __atomic_exchange_n(&self->queue, NULL, __ATOMIC_ACQUIRE);
	struct smp_call_req *oldest = NULL;

	while (req) { /* the LIFO reversed */
		struct smp_call_req *next = req->next;

		req->next = oldest;
		oldest = req;
		req = next;
	}
	while (oldest) {
		struct smp_call_req *next = oldest->next;
		unsigned int *pending = oldest->pending;

		oldest->fn(oldest->arg);
		/* The last touch: the caller may free the request now. */
		__atomic_fetch_sub(pending, 1, __ATOMIC_RELEASE);
		oldest = next;
	}
}

void smp_call_interrupt(void *arg)
{
	struct call_cpu *self = &call_cpus[this_cpu()->index];

	self->ipis_received++;
	run_queue(self);
}

/* Run this CPU's queued requests from outside the IPI handler (a waiter). */
static void serve_own_queue(struct call_cpu *self)
{
	unsigned long flags;

	if (!READ_ONCE(self->queue))
		return;
	flags = irq_save();
	irq_enter();
	run_queue(self);
	irq_exit();
	irq_restore(flags);
}

/* Spin until *@pending is 0, serving this CPU's own calls meanwhile; a
 * target silent for SMP_CALL_TIMEOUT_MS is a panic. */
static void wait_pending(struct call_cpu *self, unsigned int *pending, int target)
{
	u64 start = time_ns();

	while (__atomic_load_n(pending, __ATOMIC_ACQUIRE)) {
		serve_own_queue(self);
		if (time_ns() - start > SMP_CALL_TIMEOUT_MS * 1000000ULL)
			panic("smp_call: %u call(s) to cpu %d not run after %u ms", READ_ONCE(*pending),
			      target, SMP_CALL_TIMEOUT_MS);
		cpu_relax();
	}
}

/* Which CPUs @cpu names, the caller (@self) included or not. Return: 0 or
 * -EINVAL / -ENODEV (see smp_call). */
static int targets_of(int cpu, unsigned int self, u32 *mask)
{
	unsigned int i, n = smp_nr_online();

	*mask = 0;
	if (cpu == SMP_CALL_ALL || cpu == SMP_CALL_OTHERS) {
		for (i = 0; i < n; i++)
			if (takes_calls(i) && (cpu == SMP_CALL_ALL || i != self))
				*mask |= 1u << i;
		*mask |= cpu == SMP_CALL_ALL ? 1u << self : 0;
		return 0;
	}
	if (cpu < 0 || cpu >= SMP_MAX_CPUS)
		return -EINVAL;
	if ((unsigned int)cpu != self && !takes_calls((unsigned int)cpu))
		return -ENODEV;
	*mask = 1u << cpu;
	return 0;
}

/* Send the IPIs of @need (CPUs whose queue was empty): one shorthand write
 * when that is every other CPU that takes calls, else one per CPU. */
static void send_ipis(struct call_cpu *self, unsigned int me, u32 need)
{
	unsigned int i, n = smp_nr_online(), others = 0, count = 0;
	int err = 0;

	for (i = 0; i < n; i++)
		if (i != me && takes_calls(i))
			others |= 1u << i;
	count = nr_cpus_in(need);
	if (count > 1 && need == others && n == nr_cpus_in(others) + 1) {
		err = lapic_send_ipi_all_but_self(VEC_IPI_CALL);
	} else {
		for (i = 0; i < n && !err; i++)
			if (need & (1u << i))
				err = lapic_send_ipi(cpus[i].apic_id, VEC_IPI_CALL);
	}
	if (err)
		panic("smp_call: IPI from cpu %u: %d", me, err);
	self->ipis_sent += count;
}

/* Wait until every slot of @self for @targets is free, in one pass that
 * did not wait: serving our own queue meanwhile may run a call that takes
 * a slot again, so an earlier check is stale once we waited. */
static void wait_async_slots(struct call_cpu *self, unsigned int me, u32 targets)
{
	unsigned int i;

again:
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		if (i == me || !(targets & (1u << i)))
			continue;
		if (__atomic_load_n(&self->async_pending[i], __ATOMIC_ACQUIRE)) {
			wait_pending(self, &self->async_pending[i], (int)i);
			goto again;
		}
	}
}

/* Point @req[t] at the request for each target t but the caller: the
 * stack's @sync[t] for a waiting call, else the caller's slot for t. Every
 * slot is taken before anything is queued: a CPU that found a queue empty
 * owes it an IPI and must not wait before sending it. */
static void take_requests(struct call_cpu *self, unsigned int me, u32 targets,
			  struct smp_call_req *sync, unsigned int *sync_pending,
			  struct smp_call_req **req)
{
	unsigned int i;

	if (!sync)
		wait_async_slots(self, me, targets);
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		if (i == me || !(targets & (1u << i)))
			continue;
		if (sync) {
			req[i] = &sync[i];
			req[i]->pending = sync_pending;
			continue;
		}
		self->async_pending[i] = 1;
		req[i] = &self->async[i];
		req[i]->pending = &self->async_pending[i];
	}
}

int smp_call(int cpu, void (*fn)(void *), void *arg, bool wait)
{
	struct smp_call_req sync[SMP_MAX_CPUS], *req[SMP_MAX_CPUS];
	unsigned int me, i, pending;
	struct call_cpu *self;
	unsigned long flags;
	u32 targets, need = 0;
	int err;

	if (!fn)
		return -EINVAL;
	flags = irq_save();
	me = trap_cpu_index();
	self = &call_cpus[me];
	err = targets_of(cpu, me, &targets);
	if (err) {
		irq_restore(flags);
		return err;
	}
	pending = nr_cpus_in(targets & ~(1u << me));
	if (wait && pending)
		lockdep_assert_can_wait_for_cpus();
	take_requests(self, me, targets, wait ? sync : NULL, &pending, req);
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		if (i == me || !(targets & (1u << i)))
			continue;
		req[i]->fn = fn;
		req[i]->arg = arg;
		if (queue_push(&call_cpus[i], req[i]))
			need |= 1u << i;
	}
	if (need)
		send_ipis(self, me, need);
	if (targets & (1u << me)) {
		irq_enter();
		fn(arg);
		irq_exit();
	}
	irq_restore(flags);
	if (wait)
		wait_pending(self, &pending, cpu);
	return 0;
}
