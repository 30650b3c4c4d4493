/*
 * Cooperative kernel threads. A thread runs until it yields, sleeps on a wait
 * queue or exits; interrupts never preempt it (they only make sleepers
 * runnable). The boot flow becomes the first thread, "main". With nothing
 * runnable the CPU halts until an interrupt makes a thread runnable.
 *
 * Wait queues: wait_event(wq, cond) sleeps until @cond holds; wake_up(wq)
 * (callable from interrupt context) makes every waiter recheck. Checking the
 * condition and going to sleep happen with interrupts off, so a wake-up from
 * an interrupt handler cannot be lost. Wait channels hash any address (a PFN,
 * say) to a shared wait queue for code that has no queue of its own.
 *
 * Timers fire in interrupt context (from the LAPIC tick) and may only do
 * interrupt-safe work such as wake_up().
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "arch/x86_64/cpu.h"
#include "include/types.h"
#include "lib/list.h"

#define THREAD_NAME_LEN 16

struct thread;

struct waitq {
	struct list_head waiters; /* threads sleeping here (irq-off) */
};

struct timer {
	struct list_head node; /* on the pending list, sorted by deadline */
	u64 deadline_ns;
	void (*fn)(struct timer *t); /* runs in interrupt context */
	bool pending;
};

enum thread_state { THREAD_RUNNABLE, THREAD_SLEEPING, THREAD_DEAD };

void sched_init(void);

/*
 * thread_create - start a kernel thread running @fn(@arg) on a 16 KiB stack
 * from the page allocator, with unmapped guard pages below it.
 * Return: the thread, or NULL when no thread slot or stack is free.
 * Context: thread or boot context, after mm_boot_init().
 */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);

/* Give the CPU to the next runnable thread (returns at once if none). */
void thread_yield(void);

/* End the calling thread. Its slot is reclaimed by the next switch. */
__attribute__((noreturn)) void thread_exit(void);

/* Sleep for at least @us microseconds. */
void thread_sleep_us(u64 us);

struct thread *thread_current(void);
const char *thread_name(const struct thread *thread);
u64 sched_switches(void);

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

/* Sleep once on @wq (interrupts must be off; they are off again on return). */
void waitq_sleep_irqoff(struct waitq *wq);

/*
 * wait_event - sleep on @wq until @cond is true. @cond is evaluated with
 * interrupts off, so it may read state an interrupt handler writes.
 * Context: thread context, no spinlock held.
 */
#define wait_event(wq, cond)                                  \
	do {                                                  \
		unsigned long __flags = irq_save();           \
		while (!(cond))                               \
			waitq_sleep_irqoff(wq);               \
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
		while (!(__ok = (cond)) && !__to.expired)                   \
			waitq_sleep_irqoff(wq);                             \
		sched_timeout_stop(&__to);                                  \
		irq_restore(__flags);                                       \
		__ok;                                                       \
	})

/* Implementation detail of wait_event_timeout. */
struct sched_timeout {
	struct timer timer;
	struct waitq *wq;
	volatile bool expired;
};
void sched_timeout_start(struct sched_timeout *to, struct waitq *wq, u64 us);
void sched_timeout_stop(struct sched_timeout *to);

/* The shared wait queue for an arbitrary address or number. */
struct waitq *wait_channel(unsigned long key);

/* Arm @timer to call t->fn at @deadline_ns (time_ns() clock); re-arming moves it. */
void timer_arm(struct timer *timer, u64 deadline_ns);
void timer_cancel(struct timer *timer);

/* Called from the LAPIC tick: fire due timers. */
void sched_tick(void);

#endif
