/*
 * Threads on every CPU: per-CPU run queues, wait queues and timers (see
 * sched.h).
 *
 * Threads live in a fixed table; a slot is in use from thread_create_on()
 * until its CPU reaps it after it died. slot_used[] says which, under
 * threads_lock, and only slot_reserve() and slot_release() write it: the
 * thread's own fields are rebuilt outside the lock, and a slot that looked
 * free for an instant there was taken by a creator on another CPU. A
 * thread never leaves its CPU, and only that CPU picks threads from its
 * run queue, so a thread's context is always saved before it can run
 * again: a waker on another CPU may queue a thread whose CPU is still
 * switching away from it.
 *
 * Each thread's `run_node` is on its CPU's run queue exactly when it is
 * RUNNABLE and neither running nor idle, on its CPU's dead list from its
 * exit until its CPU reaps it, else on nothing; its `wait_node` is on at most one
 * wait queue, between waitq_prepare_irqoff() and a wake_up() or
 * waitq_finish_irqoff(). A thread's state, its run_node and its run
 * queue's `current` change only under that run queue's lock. Lock order:
 * a wait queue's lock, then a run queue's; timers drop their CPU's timer
 * lock before calling a timer's function.
 *
 * Stacks: thread slot i (i > 0) owns the window [KSTACK_BASE + i *
 * KSTACK_SLOT_SIZE, + KSTACK_SLOT_SIZE) of the vmap area. Its stack is an
 * order-2 buddy block (MEMDESC_STACK) mapped RW+NX at the top of the window;
 * the rest of the window stays unmapped, so an overflow faults on a guard
 * page (and, with no stack left to push the fault frame on, becomes a
 * double fault on its own IST stack; trap.c names the thread through
 * sched_stack_guard_owner()). "main" runs on the boot stack, whose guard
 * area is [boot_stack_guard, boot_stack_bottom) (boot.S: the early page
 * tables, dead by then). Every other thread, the APs' idle threads too,
 * runs on such a guarded stack. A dead thread's stack is unmapped and
 * freed when its CPU reaps its slot.
 */
#include "kernel/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/lockdep.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/printf.h"
#include "lib/string.h"

extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[]; /* boot.S */

#define THREAD_MAX 64
#define THREAD_STACK_ORDER 2
#define THREAD_STACK_SIZE (PAGE_SIZE << THREAD_STACK_ORDER)
#define WAIT_CHANNELS 64

static_assert(THREAD_STACK_SIZE + PAGE_SIZE <= KSTACK_SLOT_SIZE, "no room for a guard page");
static_assert(THREAD_MAX * KSTACK_SLOT_SIZE <= KSTACK_AREA_SIZE, "stack area too small");

struct thread {
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	unsigned int cpu;           /* fixed at creation */
	u64 rsp;                    /* saved stack pointer while switched out */
	struct list_head run_node;  /* on the run queue while queued */
	struct list_head wait_node; /* on a wait queue while waiting */
	void (*fn)(void *);
	void *arg;
	u8 *stack;               /* lowest stack address; NULL for "main" (boot stack) */
	struct page *stack_page; /* the stack's buddy block; NULL for "main" */
	struct waitq sleep_wq;   /* thread_sleep_us() waits here */
	struct timer sleep_timer;
	u64 switches_in;
	unsigned int console;    /* serial port kprintf() writes to; 0 = COM1 */
};

/* One CPU's scheduler. */
struct runqueue {
	struct spinlock lock;
	struct list_head queue;   /* RUNNABLE threads waiting for the CPU */
	struct list_head dead;    /* exited threads to reap (by run_node) */
	struct thread *current;   /* never NULL once the CPU schedules */
	struct thread *idle;      /* runs when the queue is empty */
	unsigned int nr_threads;  /* live threads placed here (threads_lock) */
	u64 switches;
	u64 wakeups_remote;
	u64 resched_ipis;
	u64 idle_ns;
	u64 ticks;
	struct spinlock timer_lock;
	struct list_head timers;  /* pending, by deadline */
};

static struct thread threads[THREAD_MAX];
static bool slot_used[THREAD_MAX]; /* under threads_lock; racy reads for display */
static struct spinlock threads_lock = SPINLOCK_INIT("threads");
static struct runqueue runqueues[SMP_MAX_CPUS];
static struct waitq channels[WAIT_CHANNELS];

void context_switch(u64 *save_rsp, u64 new_rsp);
void thread_entry(void);
void thread_start(void);

static struct runqueue *this_rq(void) { return &runqueues[this_cpu()->index]; }

struct thread *thread_current(void) { return this_rq()->current; }
const char *thread_name(const struct thread *thread) { return thread ? thread->name : "?"; }
unsigned int thread_cpu(const struct thread *thread) { return thread->cpu; }

u64 sched_switches(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < smp_nr_online(); i++)
		sum += READ_ONCE(runqueues[i].switches);
	return sum;
}

unsigned int thread_console(void)
{
	struct thread *self = thread_current();

	return self ? self->console : 0;
}

void thread_set_console(unsigned int port)
{
	struct thread *self = thread_current();

	if (self)
		self->console = port;
}

void waitq_init(struct waitq *wq)
{
	spin_lock_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
}

static void thread_setup(struct thread *thread, const char *name, unsigned int cpu)
{
	memset(thread, 0, sizeof(*thread));
	strlcpy(thread->name, name, sizeof(thread->name));
	thread->state = THREAD_RUNNABLE;
	thread->cpu = cpu;
	list_init(&thread->run_node);
	list_init(&thread->wait_node);
	waitq_init(&thread->sleep_wq);
}

static void runqueue_init(struct runqueue *rq)
{
	spin_lock_init(&rq->lock, "runqueue");
	list_init(&rq->queue);
	list_init(&rq->dead);
	spin_lock_init(&rq->timer_lock, "timers");
	list_init(&rq->timers);
}

void sched_init(void)
{
	unsigned int i;

	for (i = 0; i < WAIT_CHANNELS; i++)
		waitq_init(&channels[i]);
	for (i = 0; i < SMP_MAX_CPUS; i++)
		runqueue_init(&runqueues[i]);
	slot_used[0] = true;
	thread_setup(&threads[0], "main", 0);
	runqueues[0].current = &threads[0];
	runqueues[0].nr_threads = 1;
}

static unsigned long slot_stack_top(unsigned int slot)
{
	return KSTACK_BASE + (slot + 1) * KSTACK_SLOT_SIZE;
}

/* One shootdown for the whole stack. */
static void stack_unmap(unsigned int slot)
{
	paging_unmap_range(slot_stack_top(slot) - THREAD_STACK_SIZE, THREAD_STACK_SIZE / PAGE_SIZE);
}

/* Map @stack at the top of @slot's window. Return: 0 or -ENOMEM. */
static int stack_map(unsigned int slot, struct page *stack)
{
	unsigned long bottom = slot_stack_top(slot) - THREAD_STACK_SIZE, off;
	phys_addr_t pa = (phys_addr_t)page_to_pfn(stack) << PAGE_SHIFT;

	for (off = 0; off < THREAD_STACK_SIZE; off += PAGE_SIZE) {
		if (paging_map_page(bottom + off, pa + off, PTE_W | PTE_NX)) {
			stack_unmap(slot);
			return -ENOMEM;
		}
	}
	return 0;
}

static void slot_release(unsigned int slot, unsigned int cpu);

/* Free the slots (and stacks) of this CPU's dead threads but the running
 * one: a thread that exited is on its CPU's dead list, and once it is not
 * current its stack is out of use. */
static void reap_dead(void)
{
	struct runqueue *rq = this_rq();
	struct thread *thread, *tmp;
	LIST_HEAD(reap);

	if (READ_ONCE(rq->dead.next) == &rq->dead)
		return;
	spin_lock(&rq->lock);
	list_for_each_entry_safe(thread, tmp, &rq->dead, run_node)
		if (thread != rq->current)
			list_move(&thread->run_node, &reap);
	spin_unlock(&rq->lock);
	list_for_each_entry_safe(thread, tmp, &reap, run_node) {
		unsigned int slot = (unsigned int)(thread - threads);

		list_del_init(&thread->run_node);
		stack_unmap(slot);
		free_pages(thread->stack_page, THREAD_STACK_ORDER);
		thread->stack_page = NULL;
		slot_release(slot, thread->cpu);
	}
}

const char *sched_stack_guard_owner(unsigned long addr, unsigned long *guard)
{
	unsigned long slot, bottom;

	if (addr >= (unsigned long)boot_stack_guard && addr < (unsigned long)boot_stack_bottom) {
		*guard = ALIGN_DOWN(addr, PAGE_SIZE);
		return threads[0].name;
	}
	if (addr < KSTACK_BASE || addr - KSTACK_BASE >= THREAD_MAX * KSTACK_SLOT_SIZE)
		return NULL;
	slot = (addr - KSTACK_BASE) / KSTACK_SLOT_SIZE;
	bottom = slot_stack_top((unsigned int)slot) - THREAD_STACK_SIZE;
	if (slot == 0 || addr >= bottom || !READ_ONCE(slot_used[slot]))
		return NULL;
	*guard = ALIGN_DOWN(addr, PAGE_SIZE);
	return threads[slot].name;
}

void thread_stack_range(const struct thread *thread, unsigned long *bottom, unsigned long *top)
{
	if (thread == &threads[0]) {
		*bottom = (unsigned long)boot_stack_bottom;
		*top = (unsigned long)boot_stack_top;
	} else {
		*bottom = (unsigned long)thread->stack;
		*top = *bottom + THREAD_STACK_SIZE;
	}
}

/* The next thread for @rq's CPU: the first queued, else the idle thread,
 * else (before the CPU has one) the previous thread if it can still run.
 * Caller holds rq->lock. NULL: nothing can run. */
static struct thread *pick_next_locked(struct runqueue *rq, struct thread *prev)
{
	struct thread *next;

	ASSERT_MSG(spin_held(&rq->lock), "runqueue lock not held");
	if (!list_empty(&rq->queue)) {
		next = list_first_entry(&rq->queue, struct thread, run_node);
		list_del_init(&next->run_node);
		return next;
	}
	if (rq->idle)
		return rq->idle;
	return prev->state == THREAD_RUNNABLE ? prev : NULL;
}

/* Switch to the next thread of this CPU. Called with interrupts off;
 * returns with interrupts off, when the caller is chosen again. */
static void schedule_irqoff(void)
{
	struct runqueue *rq = this_rq();
	struct thread *prev = rq->current, *next;

	BUG_ON(irqs_enabled());
	lockdep_assert_none_held(prev->name);
	spin_lock(&rq->lock);
	if (prev->state == THREAD_RUNNABLE && prev != rq->idle && list_empty(&prev->run_node))
		list_add_tail(&prev->run_node, &rq->queue);
	while (!(next = pick_next_locked(rq, prev))) {
		/* No idle thread yet (early boot on CPU 0): wait here. */
		spin_unlock(&rq->lock);
		irq_enable_and_halt();
		irq_disable();
		spin_lock(&rq->lock);
	}
	rq->current = next;
	if (next != prev) {
		next->switches_in++;
		rq->switches++;
	}
	spin_unlock(&rq->lock);
	if (next != prev)
		context_switch(&prev->rsp, next->rsp);
	reap_dead();
}

void thread_start(void)
{
	struct thread *self = thread_current();

	reap_dead();
	irq_enable();
	self->fn(self->arg);
	thread_exit();
}

/* The online CPU with the fewest live threads. Caller holds threads_lock. */
static unsigned int least_loaded_cpu_locked(void)
{
	unsigned int cpu, best = 0;

	ASSERT_MSG(spin_held(&threads_lock), "threads_lock not held");
	for (cpu = 1; cpu < smp_nr_online(); cpu++)
		if (runqueues[cpu].nr_threads < runqueues[best].nr_threads)
			best = cpu;
	return best;
}

/* Reserve a slot on @cpu (or the least loaded). Return: its index, 0 if none. */
static unsigned int slot_reserve(int cpu, unsigned int *placed)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);
	unsigned int i;

	for (i = 1; i < THREAD_MAX; i++) {
		if (!slot_used[i]) {
			*placed = cpu == THREAD_CPU_ANY ? least_loaded_cpu_locked() : (unsigned int)cpu;
			slot_used[i] = true;
			runqueues[*placed].nr_threads++;
			break;
		}
	}
	spin_unlock_irqrestore(&threads_lock, flags);
	return i < THREAD_MAX ? i : 0;
}

static void slot_release(unsigned int slot, unsigned int cpu)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);

	slot_used[slot] = false;
	runqueues[cpu].nr_threads--;
	spin_unlock_irqrestore(&threads_lock, flags);
}

/* Build @name's thread in @slot on @cpu with its stack mapped, not queued.
 * Return: the thread, or NULL (reported, nothing kept). */
static struct thread *thread_build(unsigned int slot, unsigned int cpu, const char *name,
				   void (*fn)(void *), void *arg)
{
	struct thread *thread = &threads[slot];
	struct page *stack = alloc_pages(THREAD_STACK_ORDER, GFP_KERNEL);
	u64 *sp;
	unsigned int i;

	if (!stack || stack_map(slot, stack)) {
		if (stack)
			free_pages(stack, THREAD_STACK_ORDER);
		pr_err("thread_create: no memory for the stack of '%s'\n", name);
		return NULL;
	}
	page_set_memdesc(stack, MEMDESC_STACK, NULL);
	thread_setup(thread, name, cpu);
	thread->fn = fn;
	thread->arg = arg;
	thread->stack_page = stack;
	thread->stack = (u8 *)(slot_stack_top(slot) - THREAD_STACK_SIZE);
	/* Frame popped by context_switch: r15 r14 r13 r12 rbx rbp, then ret. */
	sp = (u64 *)(thread->stack + THREAD_STACK_SIZE) - 2; /* 16-aligned after ret */
	*--sp = (u64)thread_entry;
	for (i = 0; i < 6; i++)
		*--sp = 0;
	thread->rsp = (u64)sp;
	return thread;
}

/* Make @thread (RUNNABLE, on no queue, not running) run on its CPU. */
static void thread_enqueue(struct thread *thread);

struct thread *thread_create_on(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct thread *thread;
	unsigned int slot, placed;

	BUG_ON(!mm_ready());
	if (cpu != THREAD_CPU_ANY && (cpu < 0 || (unsigned int)cpu >= smp_nr_online())) {
		pr_err("thread_create: cpu %d is not online (for '%s')\n", cpu, name);
		return NULL;
	}
	slot = slot_reserve(cpu, &placed);
	if (!slot) {
		pr_err("thread_create: no free thread slot for '%s'\n", name);
		return NULL;
	}
	thread = thread_build(slot, placed, name, fn, arg);
	if (!thread) {
		slot_release(slot, placed);
		return NULL;
	}
	thread_enqueue(thread);
	return thread;
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	return thread_create_on(name, fn, arg, (int)this_cpu()->index);
}

/* A racy look at @rq's queue: whoever queues a thread here sends an IPI
 * (or is this CPU's own interrupt), which ends the halt. */
static bool runqueue_idle(const struct runqueue *rq)
{
	return READ_ONCE(rq->queue.next) == &rq->queue;
}

static void idle_loop(void *arg)
{
	struct runqueue *rq = this_rq();

	for (;;) {
		irq_disable();
		while (runqueue_idle(rq)) {
			u64 start = rdtsc();

			irq_enable_and_halt();
			irq_disable();
			rq->idle_ns += tsc_to_ns(rdtsc() - start);
		}
		schedule_irqoff();
		irq_enable();
	}
}

/* This CPU's idle thread, built but never queued. */
static struct thread *idle_create(void)
{
	unsigned int cpu = this_cpu()->index, slot, placed;
	char name[THREAD_NAME_LEN];
	struct thread *idle;

	snprintf(name, sizeof(name), "idle/%u", cpu);
	slot = slot_reserve((int)cpu, &placed);
	idle = slot ? thread_build(slot, cpu, name, idle_loop, NULL) : NULL;
	if (!idle)
		panic("sched: no idle thread for cpu %u", cpu);
	return idle;
}

static void resched_ipi(void *arg);

void sched_start_idle(void)
{
	struct thread *idle = idle_create();
	unsigned long flags = spin_lock_irqsave(&this_rq()->lock);

	this_rq()->idle = idle;
	spin_unlock_irqrestore(&this_rq()->lock, flags);
	irq_set_fixed(VEC_IPI_RESCHED, resched_ipi, NULL, "resched-ipi");
}

void sched_run_ap(void)
{
	struct runqueue *rq = this_rq();
	struct thread *idle = idle_create();
	u64 bringup_rsp;

	BUG_ON(irqs_enabled());
	spin_lock(&rq->lock);
	rq->idle = idle;
	rq->current = idle;
	spin_unlock(&rq->lock);
	context_switch(&bringup_rsp, idle->rsp);
	panic("sched_run_ap: the bring-up context was resumed");
}

void thread_yield(void)
{
	unsigned long flags = irq_save();

	schedule_irqoff();
	irq_restore(flags);
}

void thread_exit(void)
{
	struct runqueue *rq;

	irq_disable();
	rq = this_rq();
	BUG_ON(rq->current == &threads[0] || rq->current == rq->idle);
	spin_lock(&rq->lock);
	rq->current->state = THREAD_DEAD;
	list_add_tail(&rq->current->run_node, &rq->dead);
	spin_unlock(&rq->lock);
	schedule_irqoff();
	panic("thread_exit: a dead thread was scheduled");
}

/* Tell @cpu's idle thread to look at its queue again. */
static void resched_cpu(unsigned int cpu)
{
	int err = lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_RESCHED);

	if (err)
		pr_err("sched: reschedule IPI to cpu %u failed (%d)\n", cpu, err);
}

/*
 * Make @thread RUNNABLE if @from_sleep says it sleeps (or unconditionally
 * for a new thread), queueing it unless its CPU is still running it (it
 * is between waitq_prepare_irqoff and sched_sleep_irqoff, which will see
 * the state). An idle CPU other than ours gets a reschedule IPI.
 */
static void thread_make_runnable(struct thread *thread, bool from_sleep)
{
	struct runqueue *rq = &runqueues[thread->cpu];
	unsigned int me = this_cpu()->index;
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	bool kick = false;

	if (!from_sleep || thread->state == THREAD_SLEEPING) {
		thread->state = THREAD_RUNNABLE;
		if (thread != rq->current && list_empty(&thread->run_node)) {
			list_add_tail(&thread->run_node, &rq->queue);
			kick = thread->cpu != me && rq->current == rq->idle;
		}
		if (thread->cpu != me)
			runqueues[me].wakeups_remote++;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (kick)
		resched_cpu(thread->cpu);
}

static void thread_enqueue(struct thread *thread) { thread_make_runnable(thread, false); }

static void resched_ipi(void *arg)
{
	this_rq()->resched_ipis++; /* the idle loop sees the queue on return */
}

void waitq_prepare_irqoff(struct waitq *wq)
{
	struct runqueue *rq = this_rq();
	struct thread *self = rq->current;

	BUG_ON(irqs_enabled());
	spin_lock(&wq->lock);
	if (list_empty(&self->wait_node))
		list_add_tail(&self->wait_node, &wq->waiters);
	spin_unlock(&wq->lock);
	spin_lock(&rq->lock);
	self->state = THREAD_SLEEPING;
	spin_unlock(&rq->lock);
}

void sched_sleep_irqoff(void) { schedule_irqoff(); }

void waitq_finish_irqoff(struct waitq *wq)
{
	struct runqueue *rq = this_rq();
	struct thread *self = rq->current;

	BUG_ON(irqs_enabled());
	spin_lock(&rq->lock);
	self->state = THREAD_RUNNABLE;
	spin_unlock(&rq->lock);
	spin_lock(&wq->lock);
	list_del_init(&self->wait_node);
	spin_unlock(&wq->lock);
}

void wake_up(struct waitq *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	while (!list_empty(&wq->waiters)) {
		struct thread *thread = list_first_entry(&wq->waiters, struct thread, wait_node);

		list_del_init(&thread->wait_node);
		thread_make_runnable(thread, true);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

struct waitq *wait_channel(unsigned long key)
{
	key ^= key >> 17;
	key *= 0x9e3779b97f4a7c15UL;
	return &channels[(key >> 32) % WAIT_CHANNELS];
}

/* Take @timer off its CPU's list if pending. Caller holds that lock. */
static void timer_unlink_locked(struct runqueue *rq, struct timer *timer)
{
	ASSERT_MSG(spin_held(&rq->timer_lock), "timer lock not held");
	if (timer->pending) {
		list_del(&timer->node);
		timer->pending = false;
	}
}

void timer_cancel(struct timer *timer)
{
	struct runqueue *rq = &runqueues[READ_ONCE(timer->cpu)];
	unsigned long flags = spin_lock_irqsave(&rq->timer_lock);

	timer_unlink_locked(rq, timer);
	spin_unlock_irqrestore(&rq->timer_lock, flags);
}

void timer_arm(struct timer *timer, u64 deadline_ns)
{
	struct runqueue *rq;
	unsigned long flags;
	struct timer *pos;

	timer_cancel(timer);
	flags = irq_save();
	rq = this_rq();
	spin_lock(&rq->timer_lock);
	timer->cpu = this_cpu()->index;
	timer->deadline_ns = deadline_ns;
	timer->pending = true;
	list_for_each_entry(pos, &rq->timers, node)
		if (pos->deadline_ns > deadline_ns)
			break;
	list_add_tail(&timer->node, &pos->node); /* before pos, or at the end */
	spin_unlock(&rq->timer_lock);
	irq_restore(flags);
}

/* Take this CPU's first timer due at @now off its list. NULL: none due. */
static struct timer *timer_take_due(struct runqueue *rq, u64 now)
{
	struct timer *timer = NULL;

	spin_lock(&rq->timer_lock);
	if (!list_empty(&rq->timers)) {
		timer = list_first_entry(&rq->timers, struct timer, node);
		if (timer->deadline_ns <= now)
			timer_unlink_locked(rq, timer);
		else
			timer = NULL;
	}
	spin_unlock(&rq->timer_lock);
	return timer;
}

void sched_tick(void)
{
	struct runqueue *rq = this_rq();
	u64 now = time_ns();
	struct timer *timer;

	rq->ticks++;
	while ((timer = timer_take_due(rq, now)))
		timer->fn(timer);
}

static void sleep_timer_fired(struct timer *timer)
{
	wake_up(&container_of(timer, struct thread, sleep_timer)->sleep_wq);
}

void thread_sleep_us(u64 us)
{
	struct thread *self = thread_current();
	u64 deadline = time_ns() + us * 1000;

	self->sleep_timer.fn = sleep_timer_fired;
	timer_arm(&self->sleep_timer, deadline);
	wait_event(&self->sleep_wq, time_ns() >= deadline);
	timer_cancel(&self->sleep_timer);
}

static void timeout_fired(struct timer *t)
{
	struct sched_timeout *to = container_of(t, struct sched_timeout, timer);

	WRITE_ONCE(to->expired, true);
	wake_up(to->wq);
}

void sched_timeout_start(struct sched_timeout *to, struct waitq *wq, u64 us)
{
	to->wq = wq;
	to->expired = false;
	to->timer.pending = false;
	to->timer.cpu = this_cpu()->index;
	to->timer.fn = timeout_fired;
	timer_arm(&to->timer, time_ns() + us * 1000);
}

void sched_timeout_stop(struct sched_timeout *to) { timer_cancel(&to->timer); }

void complete(struct completion *done)
{
	__atomic_fetch_add(&done->count, 1, __ATOMIC_RELEASE);
	wake_up(&done->wq);
}

bool completion_wait(struct completion *done, unsigned int n, u64 timeout_us)
{
	return wait_event_timeout(&done->wq, __atomic_load_n(&done->count, __ATOMIC_ACQUIRE) >= n,
				  timeout_us);
}

unsigned int sched_nr_threads(void)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		n += READ_ONCE(runqueues[cpu].nr_threads);
	return n;
}

bool sched_wait_nr_threads(unsigned int n, u64 timeout_us)
{
	u64 start = time_us();

	while (sched_nr_threads() > n) {
		if (time_us() - start >= timeout_us)
			return false;
		thread_sleep_us(1000);
	}
	return true;
}

void sched_cpu_stats(unsigned int cpu, struct sched_cpu_stats *stats)
{
	struct runqueue *rq = &runqueues[cpu];
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	stats->current = rq->current ? rq->current->name : "-";
	stats->switches = rq->switches;
	stats->wakeups_remote = rq->wakeups_remote;
	stats->resched_ipis = READ_ONCE(rq->resched_ipis);
	stats->idle_ns = READ_ONCE(rq->idle_ns);
	stats->ticks = READ_ONCE(rq->ticks);
	stats->nr_threads = READ_ONCE(rq->nr_threads);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void sched_dump(void)
{
	static const char *const state_names[] = { "runnable", "sleeping", "dead" };
	unsigned int i;

	kprintf("  # cpu name             state     switches-in\n");
	for (i = 0; i < THREAD_MAX; i++) {
		const struct thread *thread = &threads[i];

		if (!READ_ONCE(slot_used[i]) || !thread->name[0])
			continue;
		kprintf("%3u %3u %-16s %-9s%s %lu\n", i, thread->cpu, thread->name,
			state_names[thread->state],
			runqueues[thread->cpu].current == thread ? " (running)" : "",
			thread->switches_in);
	}
}
