/*
 * The kernel's work queue: one worker thread ("kworker") draining a FIFO of
 * work items. The queue is protected by disabling interrupts (one CPU);
 * an item's `pending` flag is cleared before its function runs, so the
 * function may queue the item again.
 */
#include "kernel/workqueue.h"
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "kernel/sched.h"

static LIST_HEAD(queue);
static struct waitq worker_wq; /* the worker waits for items */
static struct waitq flush_wq;  /* flushers wait for progress */
static u64 queued_total, completed_total;

static void worker(void *arg)
{
	for (;;) {
		unsigned long flags = irq_save();
		struct work *work;

		while (list_empty(&queue))
			waitq_sleep_irqoff(&worker_wq);
		work = list_first_entry(&queue, struct work, node);
		list_del_init(&work->node);
		work->pending = false;
		irq_restore(flags);

		work->fn(work);
		completed_total++;
		wake_up(&flush_wq);
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
	unsigned long flags = irq_save();
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		list_add_tail(&work->node, &queue);
		queued_total++;
	}
	irq_restore(flags);
	if (queued)
		wake_up(&worker_wq);
	return queued;
}

bool work_cancel(struct work *work)
{
	unsigned long flags = irq_save();
	bool was = work->pending;

	if (was) {
		list_del_init(&work->node);
		work->pending = false;
		queued_total--;
	}
	irq_restore(flags);
	return was;
}

void work_flush(void)
{
	u64 target = queued_total;

	wait_event(&flush_wq, completed_total >= target);
}

u64 work_completed(void) { return completed_total; }
