/*
 * The kernel's work queue: one worker thread ("kworker") draining a FIFO of
 * work items, queued from any CPU and any context. queue_lock (irq-saving)
 * guards the FIFO, every item's `pending` flag and `node`, and the two
 * counters; an item's `pending` flag is cleared before its function runs,
 * so the function may queue the item again.
 */
#include "kernel/workqueue.h"
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"

static LIST_HEAD(queue);
static struct spinlock queue_lock = SPINLOCK_INIT("workqueue");
static struct waitq worker_wq; /* the worker waits for items */
static struct waitq flush_wq;  /* flushers wait for progress */
static u64 queued_total, completed_total;

/* The next item, off the queue and no longer pending; NULL if none. */
static struct work *work_take(void)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	struct work *work = NULL;

	if (!list_empty(&queue)) {
		work = list_first_entry(&queue, struct work, node);
		list_del_init(&work->node);
		work->pending = false;
	}
	spin_unlock_irqrestore(&queue_lock, flags);
	return work;
}

static bool queue_nonempty(void)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	bool nonempty = !list_empty(&queue);

	spin_unlock_irqrestore(&queue_lock, flags);
	return nonempty;
}

static u64 completed(void) { return __atomic_load_n(&completed_total, __ATOMIC_ACQUIRE); }

static void worker(void *arg)
{
	for (;;) {
		struct work *work;

		wait_event(&worker_wq, queue_nonempty());
		while ((work = work_take())) {
			work->fn(work);
			__atomic_fetch_add(&completed_total, 1, __ATOMIC_RELEASE);
			wake_up(&flush_wq);
		}
	}
}

void workqueue_init(void)
{
	waitq_init(&worker_wq);
	waitq_init(&flush_wq);
	if (!thread_create("kworker", worker, NULL))
		panic("workqueue_init: cannot start the worker thread");
}

bool work_queue(struct work *work)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		list_add_tail(&work->node, &queue);
		queued_total++;
	}
	spin_unlock_irqrestore(&queue_lock, flags);
	if (queued)
		wake_up(&worker_wq);
	return queued;
}

bool work_cancel(struct work *work)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	bool was = work->pending;

	if (was) {
		list_del_init(&work->node);
		work->pending = false;
		queued_total--;
	}
	spin_unlock_irqrestore(&queue_lock, flags);
	return was;
}

void work_flush(void)
{
	unsigned long flags = spin_lock_irqsave(&queue_lock);
	u64 target = queued_total;

	spin_unlock_irqrestore(&queue_lock, flags);
	wait_event(&flush_wq, completed() >= target);
}

u64 work_completed(void) { return completed(); }
