/*
 * Kernel threads on every CPU. Each CPU has its own run queue; a thread is
 * placed on one CPU when it is created (the caller's, a given one, or the
 * least loaded) and stays there. Within a CPU scheduling is cooperative: a
 * thread runs until it yields, sleeps or exits; interrupts never preempt
 * it (they only make sleepers runnable). Across CPUs threads run truly in
 * parallel: everything they share is under a lock. The boot flow is the
 * first thread, "main", on CPU 0; each CPU also has an idle thread that
 * halts until an interrupt (a timer tick, a device, a reschedule IPI from
 * a CPU that woke one of its threads) makes a thread runnable.
 *
 * Why cooperative: the code that runs in threads (mm, the drivers) was
 * written for it, and SMP gives the parallelism that matters; preemption
 * would add interleavings within a CPU that every lock-free read and
 * every irq-off section would have to survive, for no throughput (see
 * docs/design.md).
 *
 * Wait queues: wait_event(wq, cond) sleeps until @cond holds; wake_up(wq)
 * (callable from interrupt context, on any CPU) makes every waiter
 * recheck. A waiter queues itself and marks itself sleeping before it
 * evaluates @cond, and a waker writes what @cond reads before it calls
 * wake_up(), which takes the queue's lock: either the waiter sees the
 * write or the waker sees the waiter, so no wake-up is lost. Wait
 * channels hash any address (a PFN, say) to a shared wait queue.
 *
 * Timers are per CPU: a timer fires in interrupt context on the CPU that
 * armed it (from that CPU's LAPIC tick) and may only do interrupt-safe
 * work such as wake_up(). Arm and cancel a timer on one CPU: timer_cancel
 * does not wait for a callback running on another.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "arch/x86_64/cpu.h"
#include "include/types.h"
#include "kernel/spinlock.h"
#include "lib/list.h"

#define THREAD_NAME_LEN 16

struct thread;

struct waitq {
	struct spinlock lock;
	struct list_head waiters; /* threads sleeping here (under lock) */
};

/* A static wait queue's initializer. waitq_init() is for a queue nobody
 * can be using yet: re-initializing one that a waker on another CPU may
 * still be inside wake_up() of breaks its lock. */
#define WAITQ_INIT(name) { SPINLOCK_INIT("waitq"), LIST_HEAD_INIT((name).waiters) }

/*
 * A completion counts events that threads on any CPU report (complete())
 * and one thread waits for (completion_wait: "every thread I started is
 * done"). Its wait queue is never re-initialized, since a complete() may
 * still be inside wake_up() when the count it raised let the waiter go on:
 * completion_reset() zeroes the count only.
 */
struct completion {
	struct waitq wq;
	unsigned int count; /* atomic */
};

#define COMPLETION_INIT(name) { WAITQ_INIT((name).wq), 0 }

static inline void completion_reset(struct completion *done)
{
	__atomic_store_n(&done->count, 0, __ATOMIC_RELAXED);
}

/* Count one event and wake the waiter. Context: any. */
void complete(struct completion *done);

/* Sleep until @n events were counted. Return: false after @timeout_us. */
bool completion_wait(struct completion *done, unsigned int n, u64 timeout_us);

struct timer {
	struct list_head node; /* on its CPU's pending list, by deadline */
	u64 deadline_ns;
	void (*fn)(struct timer *t); /* runs in interrupt context */
	bool pending;
	unsigned int cpu;      /* whose list it is on while pending */
};

/* thread_create_on(): any online CPU, the least loaded. */
#define THREAD_CPU_ANY (-1)

enum thread_state { THREAD_RUNNABLE, THREAD_SLEEPING, THREAD_DEAD };

void sched_init(void);

/*
 * thread_create_on - start a kernel thread running @fn(@arg) on CPU @cpu
 * (a cpus[] index, or THREAD_CPU_ANY), on a 16 KiB stack from the page
 * allocator with unmapped guard pages below it. The thread becomes
 * runnable at once; on another CPU that CPU is woken.
 * Return: the thread, or NULL when @cpu is not online, or no thread slot
 * or stack is free (reported).
 * Context: thread or boot context, after mm_boot_init().
 */
struct thread *thread_create_on(const char *name, void (*fn)(void *), void *arg, int cpu);

/* thread_create - the same on the calling CPU. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);

/* The boot CPU's idle thread (kmain, once the mm is up). */
void sched_start_idle(void);
/* An AP's last step of bring-up: its idle thread takes over this CPU.
 * Context: the AP, interrupts off, on its bring-up stack (left for good). */
__noreturn void sched_run_ap(void);

/* Threads that hold a slot: running, runnable, sleeping, or dead and not
 * yet reaped by their CPU (their stack not yet freed). */
unsigned int sched_nr_threads(void);

/*
 * sched_wait_nr_threads - sleep until at most @n threads hold a slot (the
 * threads a test started have exited and their stacks are back).
 * Return: true, or false after @timeout_us. Context: thread context.
 */
bool sched_wait_nr_threads(unsigned int n, u64 timeout_us);

/* The CPU @thread runs on. */
unsigned int thread_cpu(const struct thread *thread);

/* Give the CPU to the next runnable thread (returns at once if none). */
void thread_yield(void);

/* End the calling thread. Its slot is reclaimed by the next switch. */
__attribute__((noreturn)) void thread_exit(void);

/* Sleep for at least @us microseconds. */
void thread_sleep_us(u64 us);

struct thread *thread_current(void);
const char *thread_name(const struct thread *thread);
u64 sched_switches(void);

/* What `cpus` shows of one CPU's scheduler. */
struct sched_cpu_stats {
	const char *current;   /* the running thread's name */
	unsigned int nr_threads;
	u64 switches;
	u64 wakeups_remote;    /* threads of other CPUs woken from this one */
	u64 resched_ipis;      /* reschedule IPIs received */
	u64 idle_ns;           /* time halted in the idle thread */
	u64 ticks;             /* this CPU's timer ticks */
};
void sched_cpu_stats(unsigned int cpu, struct sched_cpu_stats *stats);

/*
 * thread_console - the serial port (enum serial_port) that unprefixed
 * console output (kprintf, console_write) of the calling thread goes to.
 * Return: the port; 0 (COM1) for new threads and before sched_init().
 * Context: any.
 */
unsigned int thread_console(void);

/*
 * thread_set_console - send the calling thread's kprintf output to @port,
 * so a monitor on COM2 answers on COM2 even while the other one runs.
 * Context: thread context.
 */
void thread_set_console(unsigned int port);

/*
 * sched_stack_guard_owner - does @addr lie in the guard area under a
 * thread's stack (the boot stack's guard page for "main")?
 * Return: that thread's name, with the guard page hit in *@guard; or NULL.
 * Context: any, including the double-fault handler (no locks taken).
 */
const char *sched_stack_guard_owner(unsigned long addr, unsigned long *guard);

/* The stack of @thread: [*@bottom, *@top). */
void thread_stack_range(const struct thread *thread, unsigned long *bottom, unsigned long *top);

/* Print every thread with its state (monitor `threads`). */
void sched_dump(void);

void waitq_init(struct waitq *wq);
void wake_up(struct waitq *wq);

/*
 * The steps of wait_event, for waits it cannot express (interrupts off
 * throughout): waitq_prepare_irqoff() queues the caller on @wq and marks it
 * sleeping; then the caller checks its condition, and either stops or calls
 * sched_sleep_irqoff() (which returns at once if a wake-up came since the
 * prepare) and prepares again; waitq_finish_irqoff() dequeues it.
 */
void waitq_prepare_irqoff(struct waitq *wq);
void sched_sleep_irqoff(void);
void waitq_finish_irqoff(struct waitq *wq);

/*
 * wait_event - sleep on @wq until @cond is true. @cond is evaluated with
 * interrupts off (so it may read state this CPU's interrupt handlers
 * write) and with the caller queued, so a wake_up() after the write it
 * reads cannot be missed.
 * Context: thread context, no spinlock held.
 */
#define wait_event(wq, cond)                                  \
	do {                                                  \
		unsigned long __flags = irq_save();           \
		for (;;) {                                    \
			waitq_prepare_irqoff(wq);             \
			if (cond)                             \
				break;                        \
			sched_sleep_irqoff();                 \
		}                                             \
		waitq_finish_irqoff(wq);                      \
		irq_restore(__flags);                         \
	} while (0)

/*
 * wait_event_timeout - like wait_event, giving up after @us microseconds.
 * Evaluates to true when @cond became true, false on timeout.
 */
#define wait_event_timeout(wq, cond, us)                                    \
	({                                                                  \
		struct sched_timeout __to;                                  \
		bool __ok;                                                  \
		unsigned long __flags = irq_save();                         \
		sched_timeout_start(&__to, (wq), (us));                     \
		for (;;) {                                                  \
			waitq_prepare_irqoff(wq);                           \
			if ((__ok = (cond)) || READ_ONCE(__to.expired))     \
				break;                                      \
			sched_sleep_irqoff();                               \
		}                                                           \
		waitq_finish_irqoff(wq);                                    \
		sched_timeout_stop(&__to);                                  \
		irq_restore(__flags);                                       \
		__ok;                                                       \
	})

/* Implementation detail of wait_event_timeout. */
struct sched_timeout {
	struct timer timer;
	struct waitq *wq;
	bool expired;          /* READ_ONCE/WRITE_ONCE: the timer sets it */
};
void sched_timeout_start(struct sched_timeout *to, struct waitq *wq, u64 us);
void sched_timeout_stop(struct sched_timeout *to);

/* The shared wait queue for an arbitrary address or number. */
struct waitq *wait_channel(unsigned long key);

/* Arm @timer to call t->fn at @deadline_ns (time_ns() clock); re-arming moves it. */
void timer_arm(struct timer *timer, u64 deadline_ns);
void timer_cancel(struct timer *timer);

/* Called from every CPU's LAPIC tick: fire this CPU's due timers. */
void sched_tick(void);

#endif
