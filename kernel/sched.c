/*
 * Cooperative scheduler, wait queues and timers (see sched.h).
 *
 * Threads live in a fixed table; a slot is free when its state is DEAD and it
 * is not the running thread. Each thread's `node` is on exactly one list: the
 * run queue (RUNNABLE, not running), a wait queue (SLEEPING), or none (the
 * running thread, or DEAD). Every list here is touched only with interrupts
 * off; on one CPU that is the lock.
 *
 * Stacks: thread slot i (i > 0) owns the window [KSTACK_BASE + i *
 * KSTACK_SLOT_SIZE, + KSTACK_SLOT_SIZE) of the vmap area. Its stack is an
 * order-2 buddy block (MEMDESC_STACK) mapped RW+NX at the top of the window;
 * the rest of the window stays unmapped, so an overflow faults on a guard
 * page (and, with no stack left to push the fault frame on, becomes a
 * double fault on its own IST stack; trap.c names the thread through
 * sched_stack_guard_owner()). "main" runs on the boot stack, whose guard
 * area is [boot_stack_guard, boot_stack_bottom) (boot.S: the early page
 * tables, dead by then). A dead thread's stack is unmapped and freed
 * when its slot is reaped.
 */
#include "kernel/sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/lockdep.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/string.h"

extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[]; /* boot.S */

#define THREAD_MAX 32
#define THREAD_STACK_ORDER 2
#define THREAD_STACK_SIZE (PAGE_SIZE << THREAD_STACK_ORDER)
#define WAIT_CHANNELS 64

static_assert(THREAD_STACK_SIZE + PAGE_SIZE <= KSTACK_SLOT_SIZE, "no room for a guard page");
static_assert(THREAD_MAX * KSTACK_SLOT_SIZE <= KSTACK_AREA_SIZE, "stack area too small");

struct thread {
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	u64 rsp;                 /* saved stack pointer while switched out */
	struct list_head node;   /* run queue or a wait queue */
	void (*fn)(void *);
	void *arg;
	u8 *stack;               /* lowest stack address; NULL for "main" (boot stack) */
	struct page *stack_page; /* the stack's buddy block; NULL for "main" */
	struct waitq sleep_wq;   /* thread_sleep_us() waits here */
	struct timer sleep_timer;
	u64 switches_in;
	unsigned int console;    /* serial port kprintf() writes to; 0 = COM1 */
	bool in_use;
};

static struct thread threads[THREAD_MAX];
static struct thread *current;
static LIST_HEAD(run_queue);
static LIST_HEAD(timers);
static struct waitq channels[WAIT_CHANNELS];
static u64 nr_switches;

void context_switch(u64 *save_rsp, u64 new_rsp);
void thread_entry(void);
void thread_start(void);

struct thread *thread_current(void) { return current; }
const char *thread_name(const struct thread *thread) { return thread ? thread->name : "?"; }
u64 sched_switches(void) { return nr_switches; }

unsigned int thread_console(void) { return current ? current->console : 0; }

void thread_set_console(unsigned int port)
{
	if (current)
		current->console = port;
}

void waitq_init(struct waitq *wq) { list_init(&wq->waiters); }

static void thread_setup(struct thread *thread, const char *name)
{
	memset(thread, 0, sizeof(*thread));
	strlcpy(thread->name, name, sizeof(thread->name));
	thread->in_use = true;
	thread->state = THREAD_RUNNABLE;
	list_init(&thread->node);
	waitq_init(&thread->sleep_wq);
}

void sched_init(void)
{
	unsigned int i;

	for (i = 0; i < WAIT_CHANNELS; i++)
		waitq_init(&channels[i]);
	thread_setup(&threads[0], "main");
	current = &threads[0];
}

static unsigned long slot_stack_top(unsigned int slot)
{
	return KSTACK_BASE + (slot + 1) * KSTACK_SLOT_SIZE;
}

static void stack_unmap(unsigned int slot)
{
	unsigned long top = slot_stack_top(slot), va;

	for (va = top - THREAD_STACK_SIZE; va < top; va += PAGE_SIZE)
		paging_unmap_page(va);
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

/* Free the slots (and stacks) of dead threads other than the running one. */
static void reap_dead(void)
{
	unsigned int i;

	for (i = 0; i < THREAD_MAX; i++) {
		struct thread *thread = &threads[i];

		if (!thread->in_use || thread->state != THREAD_DEAD || thread == current)
			continue;
		stack_unmap(i);
		free_pages(thread->stack_page, THREAD_STACK_ORDER);
		thread->stack_page = NULL;
		thread->in_use = false;
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
	if (slot == 0 || addr >= bottom || !threads[slot].in_use)
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

/* Switch to the next runnable thread; with none, halt until there is one.
 * Called with interrupts off; returns with interrupts off. */
static void schedule_irqoff(void)
{
	struct thread *prev = current, *next;

	BUG_ON(irqs_enabled());
	lockdep_assert_none_held(prev->name);
	if (prev->state == THREAD_RUNNABLE)
		list_add_tail(&prev->node, &run_queue);
	while (list_empty(&run_queue)) {
		irq_enable_and_halt();
		irq_disable();
	}
	next = list_first_entry(&run_queue, struct thread, node);
	list_del_init(&next->node);
	if (next != prev) {
		current = next;
		next->switches_in++;
		nr_switches++;
		context_switch(&prev->rsp, next->rsp);
	}
	reap_dead();
}

void thread_start(void)
{
	struct thread *self = current;

	reap_dead();
	irq_enable();
	self->fn(self->arg);
	thread_exit();
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct page *stack;
	unsigned long flags;
	struct thread *thread = NULL;
	u64 *sp;
	unsigned int i;

	BUG_ON(!mm_ready());
	stack = alloc_pages(THREAD_STACK_ORDER, GFP_KERNEL);
	if (!stack) {
		pr_err("thread_create: no memory for the stack of '%s'\n", name);
		return NULL;
	}
	page_set_memdesc(stack, MEMDESC_STACK, NULL);
	flags = irq_save();
	for (i = 1; i < THREAD_MAX; i++) {
		if (!threads[i].in_use) {
			thread = &threads[i];
			break;
		}
	}
	if (!thread || stack_map(i, stack)) {
		irq_restore(flags);
		free_pages(stack, THREAD_STACK_ORDER);
		pr_err("thread_create: no free thread slot%s for '%s'\n",
		       thread ? " (no page tables to map its stack)" : "", name);
		return NULL;
	}
	thread_setup(thread, name);
	thread->fn = fn;
	thread->arg = arg;
	thread->stack_page = stack;
	thread->stack = (u8 *)(slot_stack_top(i) - THREAD_STACK_SIZE);
	/* Frame popped by context_switch: r15 r14 r13 r12 rbx rbp, then ret. */
	sp = (u64 *)(thread->stack + THREAD_STACK_SIZE) - 2; /* 16-aligned after ret */
	*--sp = (u64)thread_entry;
	for (i = 0; i < 6; i++)
		*--sp = 0;
	thread->rsp = (u64)sp;
	list_add_tail(&thread->node, &run_queue);
	irq_restore(flags);
	return thread;
}

void thread_yield(void)
{
	unsigned long flags = irq_save();

	schedule_irqoff();
	irq_restore(flags);
}

void thread_exit(void)
{
	irq_disable();
	BUG_ON(current == &threads[0]);
	current->state = THREAD_DEAD;
	schedule_irqoff();
	panic("thread_exit: a dead thread was scheduled");
}

void waitq_sleep_irqoff(struct waitq *wq)
{
	BUG_ON(irqs_enabled());
	current->state = THREAD_SLEEPING;
	list_add_tail(&current->node, &wq->waiters);
	schedule_irqoff();
}

void wake_up(struct waitq *wq)
{
	unsigned long flags = irq_save();

	while (!list_empty(&wq->waiters)) {
		struct thread *thread = list_first_entry(&wq->waiters, struct thread, node);

		list_del_init(&thread->node);
		thread->state = THREAD_RUNNABLE;
		list_add_tail(&thread->node, &run_queue);
	}
	irq_restore(flags);
}

struct waitq *wait_channel(unsigned long key)
{
	key ^= key >> 17;
	key *= 0x9e3779b97f4a7c15UL;
	return &channels[(key >> 32) % WAIT_CHANNELS];
}

void timer_arm(struct timer *timer, u64 deadline_ns)
{
	unsigned long flags = irq_save();
	struct timer *pos;

	if (timer->pending)
		list_del(&timer->node);
	timer->deadline_ns = deadline_ns;
	timer->pending = true;
	list_for_each_entry(pos, &timers, node)
		if (pos->deadline_ns > deadline_ns)
			break;
	list_add_tail(&timer->node, &pos->node); /* before pos, or at the end */
	irq_restore(flags);
}

void timer_cancel(struct timer *timer)
{
	unsigned long flags = irq_save();

	if (timer->pending) {
		list_del(&timer->node);
		timer->pending = false;
	}
	irq_restore(flags);
}

void sched_tick(void)
{
	u64 now = time_ns();

	while (!list_empty(&timers)) {
		struct timer *timer = list_first_entry(&timers, struct timer, node);

		if (timer->deadline_ns > now)
			break;
		list_del(&timer->node);
		timer->pending = false;
		timer->fn(timer);
	}
}

static void sleep_timer_fired(struct timer *timer)
{
	wake_up(&container_of(timer, struct thread, sleep_timer)->sleep_wq);
}

void thread_sleep_us(u64 us)
{
	struct thread *self = current;
	u64 deadline = time_ns() + us * 1000;

	self->sleep_timer.fn = sleep_timer_fired;
	timer_arm(&self->sleep_timer, deadline);
	wait_event(&self->sleep_wq, time_ns() >= deadline);
	timer_cancel(&self->sleep_timer);
}

static void timeout_fired(struct timer *t)
{
	struct sched_timeout *to = container_of(t, struct sched_timeout, timer);

	to->expired = true;
	wake_up(to->wq);
}

void sched_timeout_start(struct sched_timeout *to, struct waitq *wq, u64 us)
{
	to->wq = wq;
	to->expired = false;
	to->timer.pending = false;
	to->timer.fn = timeout_fired;
	timer_arm(&to->timer, time_ns() + us * 1000);
}

void sched_timeout_stop(struct sched_timeout *to) { timer_cancel(&to->timer); }

void sched_dump(void)
{
	static const char *const state_names[] = { "runnable", "sleeping", "dead" };
	unsigned int i;

	for (i = 0; i < THREAD_MAX; i++) {
		const struct thread *thread = &threads[i];

		if (!thread->in_use)
			continue;
		kprintf("%3u %-16s %-9s%s switches-in %lu\n", i, thread->name, state_names[thread->state],
			thread == current ? " (running)" : "", thread->switches_in);
	}
}
