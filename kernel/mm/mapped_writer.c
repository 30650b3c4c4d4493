/*
 * The mapped-page writer (see mapped_writer.h). The value of pass k in page
 * i of region r encodes all three (mapped_writer_value), so a word that kept
 * an older pass's value or got another page's is told apart from zero or
 * garbage in the report.
 */
#include "kernel/mm/mapped_writer.h"
#include "arch/x86_64/smp.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/string.h"

#define STOP_WAIT_US 30000000

/* One pass over every backed page: check that its word holds pass
 * @expect's value (0: no check), then write pass @write's (0: no write). */
static void writer_pass(struct mapped_writer *w, u64 expect, u64 write)
{
	unsigned int r;
	unsigned long i;

	for (r = 0; r < w->nr_regions; r++) {
		struct mapped_region *region = &w->regions[r];

		for (i = 0; i < region->nr_pages; i++) {
			volatile u64 *word;

			if (!mapped_backed(region, i))
				continue;
			word = (volatile u64 *)mapped_va(region, i) + w->word;
			if (expect && *word != mapped_writer_value(expect, r, i)) {
				if (!w->lost)
					pr_err("mapped writer: region %u page %lu holds %#lx, pass %lu "
					       "wrote %#lx\n", r, i, (unsigned long)*word,
					       (unsigned long)expect,
					       (unsigned long)mapped_writer_value(expect, r, i));
				w->lost++;
			}
			if (write) {
				*word = mapped_writer_value(write, r, i);
				w->writes++;
			}
		}
	}
}

static void writer_thread(void *arg)
{
	struct mapped_writer *w = arg;
	u64 pass = 0;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		writer_pass(w, pass, pass + 1);
		w->passes = ++pass;
		thread_yield(); /* cooperative: let this CPU's other threads run */
	}
	writer_pass(w, pass, 0); /* the last pass's values, nothing moving now */
	complete(&w->done);
}

int mapped_writer_start(struct mapped_writer *w, struct mapped_region *regions,
			unsigned int nr_regions, unsigned int word, unsigned int cpu)
{
	if (!nr_regions || word >= PAGE_SIZE / sizeof(u64) || cpu >= smp_nr_online())
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->regions = regions;
	w->nr_regions = nr_regions;
	w->word = word;
	w->cpu = cpu;
	waitq_init(&w->done.wq);
	w->waits_at_start = mapped_fault_waits();
	w->start_ns = time_ns();
	if (!thread_create_on("mapped-writer", writer_thread, w, (int)cpu))
		return -ENOMEM;
	w->running = true;
	return 0;
}

int mapped_writer_stop(struct mapped_writer *w)
{
	if (!w->running)
		return 0;
	__atomic_store_n(&w->stop, true, __ATOMIC_RELEASE);
	if (!completion_wait(&w->done, 1, STOP_WAIT_US)) {
		pr_err("mapped writer: cpu %u did not stop in %u s\n", w->cpu, STOP_WAIT_US / 1000000);
		return -ETIMEDOUT;
	}
	w->running = false;
	w->ns = time_ns() - w->start_ns;
	w->fault_waits = mapped_fault_waits() - w->waits_at_start;
	return w->lost ? -EIO : 0;
}
