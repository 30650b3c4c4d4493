/*
 * Deferred work: a work item is a function run later in thread context (so
 * it may sleep) by the kernel's worker thread. Queueing is interrupt-safe, from any CPU,
 * and idempotent: a pending item is not queued twice. An item may re-queue
 * itself from its own function.
 */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include "include/types.h"
#include "lib/list.h"

struct work {
	struct list_head node; /* on the queue while pending (queue_lock) */
	void (*fn)(struct work *w);
	bool pending;
};

static inline void work_init(struct work *work, void (*fn)(struct work *work))
{
	list_init(&work->node);
	work->fn = fn;
	work->pending = false;
}

/* Start the worker thread. */
void workqueue_init(void);

/*
 * work_queue - run @work->fn(@work) soon on the worker thread.
 * Return: true if queued, false if it was already pending.
 * Context: any, including interrupt handlers.
 */
bool work_queue(struct work *work);

/* Remove @work if still pending. Return: true when it was removed. */
bool work_cancel(struct work *work);

/* Wait until every item queued before this call has run. Thread context. */
void work_flush(void);

/* Items run since boot. */
u64 work_completed(void);

#endif
