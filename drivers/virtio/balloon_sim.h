/*
 * A simulated virtio-balloon device for tests (hosted and in the kernel):
 * a struct virtio_device whose queues are real split virtqueues in the
 * guest's memory (pages of the test's mm), processed the way QEMU's
 * device does (hw/virtio/virtio-balloon.c): it walks each available
 * chain, reads the PFNs of the device-readable part and returns the chain
 * with length 0. Behind it sits the "host": a bitmap of the PFNs it holds.
 *
 * Free page reports (REPORTING offered; queue 3, or 4 when FREE_PAGE_HINT
 * is offered too): each device-writable entry must be a whole free block
 * taken out for reporting (type REPORTING, PAGE_SIZE << order bytes).
 *
 * It checks the driver: a PFN inflated twice, deflated without being
 * inflated, outside the guest's RAM, or not of type BALLOON when inflated
 * (or, with MUST_TELL_HOST, when deflated: the guest reused it first), and
 * a buffer outside guest memory, each count as a violation.
 *
 * It can be hostile on purpose (fault, from the fault_after-th buffer on):
 * never answer, used ids out of range or duplicated, huge used lengths,
 * used-index jumps, or whatever a script (the fuzzers) says per buffer; refuse FEATURES_OK or DRIVER_OK; offer fewer queues;
 * flip num_pages every few buffers (calling config_changed, as the config
 * interrupt would).
 *
 * Queues complete synchronously on notify, or (async) only when
 * balloon_sim_run() is called, e.g. from the driver's wait hook.
 */
#ifndef DRIVERS_VIRTIO_BALLOON_SIM_H
#define DRIVERS_VIRTIO_BALLOON_SIM_H

#include "drivers/virtio/balloon.h"
#include "drivers/virtio/virtio.h"
#include "lib/bitmap.h"
#include "mm/mm.h"

#define BALLOON_SIM_QUEUES 5 /* inflate, deflate, stats, hint, reporting */
#define BALLOON_SIM_QSIZE 64
#define BALLOON_SIM_MAX_PFNS (1UL << 16) /* guest RAM the host bitmap covers */

enum balloon_sim_fault {
	SIM_FAULT_NONE,
	SIM_FAULT_SILENT,    /* take buffers, never return them */
	SIM_FAULT_ID_RANGE,  /* used id >= queue size */
	SIM_FAULT_ID_DUP,    /* every used id twice */
	SIM_FAULT_HUGE_LEN,  /* used length 0xffffffff */
	SIM_FAULT_IDX_JUMP,  /* used index leaps 1000 ahead */
	SIM_FAULT_SCRIPT,    /* each completion as sim->script says */
};

/* One completion under SIM_FAULT_SCRIPT: @copies used elements {id, len}
 * (0: none, the buffer is kept), then the used index moves @jump further. */
struct balloon_sim_used {
	u32 id, len;
	unsigned int copies;
	u16 jump;
};

struct balloon_sim_queue {
	struct virtqueue vq;
	struct page *ring;
	unsigned int ring_order;
	bool live;
	u16 last_avail;      /* available entries consumed */
	u16 used_idx;        /* our used->idx */
	bool kicked;         /* notified since the last run */
};

struct balloon_sim {
	struct virtio_device vdev;
	struct mm *mm;                 /* guest memory */
	/* Behaviour, set by the test (balloon_sim_init gives QEMU's). */
	u64 offered;                   /* VERSION_1 | STATS_VQ */
	unsigned int nr_queues;        /* 3; + hint and/or reporting when offered */
	bool refuse_features_ok, refuse_driver_ok, async;
	enum balloon_sim_fault fault;
	unsigned long fault_after;     /* buffers served before the fault */
	unsigned long flip_every;      /* 0: never; else flip num_pages ... */
	u32 flip_to[2];                /* ... between these two values */
	/* SIM_FAULT_SCRIPT: called with {head, 0, 1, 0} to rewrite (it may
	 * also change num_pages and call config_changed). */
	void (*script)(struct balloon_sim *sim, u16 head, struct balloon_sim_used *u);
	void (*config_changed)(void *arg);
	void *arg;
	/* Device state. */
	u8 status;
	unsigned long failed;          /* times FAILED was set (reset clears status) */
	u32 num_pages, actual;         /* config */
	u32 poison_val;               /* config, written with PAGE_POISON */
	struct balloon_sim_queue q[BALLOON_SIM_QUEUES];
	/* The host's view. */
	unsigned long inflated[BALLOON_SIM_MAX_PFNS / BITS_PER_LONG]; /* by PFN - base_pfn */
	unsigned long host_pages;      /* PFNs the host holds */
	unsigned long buffers;         /* inflate/deflate buffers served */
	unsigned long violations;      /* driver misbehaviour seen (logged) */
	bool stats_held;               /* the stats buffer is with the "host" */
	u16 stats_head;
	struct balloon_stat stats[BALLOON_S_NR]; /* as last read */
	unsigned long stats_reads;
	unsigned long reported_blocks, reported_pages; /* free page reports served */
};

/* Set @sim up as QEMU's balloon over @mm's memory. Return: 0 or -E2BIG
 * when @mm spans more than BALLOON_SIM_MAX_PFNS. */
int balloon_sim_init(struct balloon_sim *sim, struct mm *mm);

/* Serve every kicked queue now (the async mode's device step). */
void balloon_sim_run(struct balloon_sim *sim);

/* The host asks for fresh stats: hand the held stats buffer back (used).
 * Return: false when the driver has not posted one. */
bool balloon_sim_request_stats(struct balloon_sim *sim);

/* Does the host hold @pfn? */
bool balloon_sim_holds(const struct balloon_sim *sim, unsigned long pfn);

/* A wait hook for struct balloon_config (cfg.priv = the sim): runs it. */
void balloon_sim_wait(struct balloon *balloon, u64 us);

#endif
