/*
 * The simulated virtio-balloon device (see balloon_sim.h). Device side of
 * the rings: read avail and the descriptor table, write used; everything
 * the driver wrote is treated as untrusted too (bounded chain walks,
 * buffers checked against guest RAM).
 */
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/platform.h"

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

static struct balloon_sim *to_sim(struct virtio_device *vd)
{
	return container_of(vd, struct balloon_sim, vdev);
}

static void violation(struct balloon_sim *sim, const char *what, unsigned long v)
{
	sim->violations++;
	mm_err("balloon-sim: driver error: %s (%#lx)\n", what, v);
}

/* Guest-physical [pa, pa + len) as a pointer, or NULL outside guest RAM. */
static void *guest_ptr(struct balloon_sim *sim, u64 pa, u32 len)
{
	unsigned long first = (unsigned long)(pa >> PAGE_SHIFT);
	unsigned long last = (unsigned long)((pa + (len ? len - 1 : 0)) >> PAGE_SHIFT);

	if (!mm_pfn_valid(sim->mm, first) || !mm_pfn_valid(sim->mm, last))
		return NULL;
	return (u8 *)mm_pfn_to_virt(first) + (pa & (PAGE_SIZE - 1));
}

static void push_used(struct balloon_sim_queue *queue, u32 id, u32 len)
{
	struct virtq_used_elem *elem = &queue->vq.used->ring[queue->used_idx & (queue->vq.num - 1)];

	WRITE_ONCE(elem->id, id);
	WRITE_ONCE(elem->len, len);
	queue->used_idx++;
	WRITE_ONCE(queue->vq.used->idx, queue->used_idx);
}

/* Return a served chain, applying the configured fault from fault_after on. */
static void complete(struct balloon_sim *sim, struct balloon_sim_queue *queue, u16 head)
{
	enum balloon_sim_fault f = sim->buffers > sim->fault_after ? sim->fault : SIM_FAULT_NONE;
	struct balloon_sim_used used = { head, 0, 1, 0 };

	switch (f) {
	case SIM_FAULT_SCRIPT:
		sim->script(sim, head, &used);
		while (used.copies--)
			push_used(queue, used.id, used.len);
		queue->used_idx += used.jump;
		WRITE_ONCE(queue->vq.used->idx, queue->used_idx);
		return;
	case SIM_FAULT_SILENT:
		return;
	case SIM_FAULT_ID_RANGE:
		push_used(queue, queue->vq.num + 5u, 0);
		return;
	case SIM_FAULT_HUGE_LEN:
		push_used(queue, head, 0xffffffffu);
		return;
	case SIM_FAULT_IDX_JUMP:
		push_used(queue, head, 0);
		queue->used_idx += 1000;
		WRITE_ONCE(queue->vq.used->idx, queue->used_idx);
		return;
	case SIM_FAULT_ID_DUP:
		push_used(queue, head, 0);
		push_used(queue, head, 0);
		return;
	case SIM_FAULT_NONE:
		push_used(queue, head, 0);
		return;
	}
}

/* The host takes (@inflate) or gives back one PFN. */
static void host_pfn(struct balloon_sim *sim, u32 pfn, bool inflate)
{
	struct mm *mm = sim->mm;
	unsigned long rel = pfn - mm->base_pfn;

	if (!mm_pfn_valid(mm, pfn)) {
		violation(sim, "PFN outside guest RAM", pfn);
		return;
	}
	if (inflate) {
		if (page_type(mm_pfn_to_page(mm, pfn)) != MEMDESC_BALLOON)
			violation(sim, "inflated PFN not of type BALLOON", pfn);
		if (bitmap_test_and_set_bit(sim->inflated, rel))
			violation(sim, "PFN inflated twice", pfn);
		else
			sim->host_pages++;
	} else {
		if ((sim->vdev.features & VIRTIO_BALLOON_F_MUST_TELL_HOST) &&
		    page_type(mm_pfn_to_page(mm, pfn)) != MEMDESC_BALLOON)
			violation(sim, "page reused before the host was told", pfn);
		if (!bitmap_test_and_clear_bit(sim->inflated, rel))
			violation(sim, "deflated PFN was not inflated", pfn);
		else
			sim->host_pages--;
	}
}

/* Walk the chain at @head (bounded), handing each readable buffer to @fn. */
static void read_chain(struct balloon_sim *sim, struct balloon_sim_queue *queue, u16 head,
		       void (*fn)(struct balloon_sim *, void *, u32, bool), bool arg)
{
	u16 i = head, n;

	for (n = 0; n < queue->vq.num && i < queue->vq.num; n++) {
		struct virtq_desc desc = queue->vq.desc[i];
		void *p = guest_ptr(sim, desc.addr, desc.len);

		if (!p) {
			violation(sim, "buffer outside guest RAM", (unsigned long)desc.addr);
			return;
		}
		if (!(desc.flags & VIRTQ_DESC_F_WRITE))
			fn(sim, p, desc.len, arg);
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			return;
		i = desc.next;
	}
	violation(sim, "descriptor chain loops or leaves the table", head);
}

static void pfn_buffer(struct balloon_sim *sim, void *p, u32 len, bool inflate)
{
	u32 i, pfn;

	for (i = 0; i + sizeof(u32) <= len; i += sizeof(u32)) {
		memcpy(&pfn, (u8 *)p + i, sizeof(pfn));
		host_pfn(sim, pfn, inflate);
	}
}

/* Walk the device-writable entries of the chain at @head (bounded): each
 * must be a block taken out for reporting, of exactly its size. */
static void report_chain(struct balloon_sim *sim, struct balloon_sim_queue *queue, u16 head)
{
	struct mm *mm = sim->mm;
	u16 i = head, n;

	for (n = 0; n < queue->vq.num && i < queue->vq.num; n++) {
		struct virtq_desc desc = queue->vq.desc[i];
		unsigned long pfn = (unsigned long)(desc.addr >> PAGE_SHIFT);
		struct page *page;

		if (!guest_ptr(sim, desc.addr, desc.len) || !(desc.flags & VIRTQ_DESC_F_WRITE)) {
			violation(sim, "report entry outside RAM or not writable", (unsigned long)desc.addr);
			return;
		}
		page = mm_pfn_to_page(mm, pfn);
		if ((desc.addr & (PAGE_SIZE - 1)) || !page_is_head(page) ||
		    page_type(page) != MEMDESC_REPORTING ||
		    (u64)PAGE_SIZE << page_order(page) != desc.len)
			violation(sim, "reported block is not a whole block taken for reporting", pfn);
		else {
			sim->reported_blocks++;
			sim->reported_pages += desc.len / PAGE_SIZE;
			memset(mm_pfn_to_virt(pfn), 0, desc.len); /* the host discards it */
		}
		if (!(desc.flags & VIRTQ_DESC_F_NEXT))
			return;
		i = desc.next;
	}
	violation(sim, "descriptor chain loops or leaves the table", head);
}

static void stats_buffer(struct balloon_sim *sim, void *p, u32 len, bool unused)
{
	memset(sim->stats, 0, sizeof(sim->stats));
	memcpy(sim->stats, p, MIN(len, (u32)sizeof(sim->stats)));
	sim->stats_reads++;
}

static void maybe_flip(struct balloon_sim *sim)
{
	if (!sim->flip_every || sim->buffers % sim->flip_every)
		return;
	sim->num_pages = sim->flip_to[sim->num_pages == sim->flip_to[0]];
	if (sim->config_changed)
		sim->config_changed(sim->arg);
}

static void serve_queue(struct balloon_sim *sim, unsigned int index)
{
	struct balloon_sim_queue *queue = &sim->q[index];
	u16 head;

	queue->kicked = false;
	while (queue->live && READ_ONCE(queue->vq.avail->idx) != queue->last_avail) {
		head = READ_ONCE(queue->vq.avail->ring[queue->last_avail & (queue->vq.num - 1)]);
		queue->last_avail++;
		if (head >= queue->vq.num) {
			violation(sim, "available head out of range", head);
			continue;
		}
		if (index == 3u + !!(sim->offered & VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
			report_chain(sim, queue, head);
			push_used(queue, head, 0);
			continue;
		}
		if (index == BALLOON_VQ_STATS) {
			read_chain(sim, queue, head, stats_buffer, false);
			sim->stats_held = true; /* kept until the host polls */
			sim->stats_head = head;
			continue;
		}
		sim->buffers++;
		read_chain(sim, queue, head, pfn_buffer, index == BALLOON_VQ_INFLATE);
		complete(sim, queue, head);
		maybe_flip(sim);
	}
}

void balloon_sim_run(struct balloon_sim *sim)
{
	unsigned int i;

	for (i = 0; i < BALLOON_SIM_QUEUES; i++)
		if (sim->q[i].kicked)
			serve_queue(sim, i);
}

static void sim_notify(struct virtqueue *vq)
{
	struct balloon_sim *sim = vq->priv;

	sim->q[vq->index].kicked = true;
	if (!sim->async)
		serve_queue(sim, vq->index);
}

static const struct vq_transport_ops sim_vq_ops = { .notify = sim_notify };

bool balloon_sim_request_stats(struct balloon_sim *sim)
{
	if (!sim->stats_held)
		return false;
	sim->stats_held = false;
	push_used(&sim->q[BALLOON_VQ_STATS], sim->stats_head, 0);
	return true;
}

bool balloon_sim_holds(const struct balloon_sim *sim, unsigned long pfn)
{
	return mm_pfn_valid(sim->mm, pfn) &&
	       bitmap_test_bit(sim->inflated, pfn - sim->mm->base_pfn);
}

void balloon_sim_wait(struct balloon *balloon, u64 us)
{
	balloon_sim_run(balloon->cfg.priv);
}

/* Transport side. */
static void free_queues(struct balloon_sim *sim)
{
	unsigned int i;

	for (i = 0; i < BALLOON_SIM_QUEUES; i++) {
		struct balloon_sim_queue *queue = &sim->q[i];

		if (queue->ring)
			mm_free_pages(sim->mm, queue->ring, queue->ring_order);
		memset(queue, 0, sizeof(*queue));
	}
	sim->stats_held = false;
}

static int sim_reset(struct virtio_device *vd)
{
	struct balloon_sim *sim = to_sim(vd);

	free_queues(sim);
	sim->status = 0;
	return 0;
}

static void sim_fail(struct virtio_device *vd)
{
	struct balloon_sim *sim = to_sim(vd);

	sim->status |= VIRTIO_STATUS_FAILED;
	sim->failed++;
}

static int sim_negotiate(struct virtio_device *vd, u64 wanted)
{
	struct balloon_sim *sim = to_sim(vd);

	sim_reset(vd);
	sim->status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	if (!(sim->offered & VIRTIO_F_VERSION_1) || sim->refuse_features_ok) {
		mm_err("balloon-sim: features %#lx refused\n", (unsigned long)wanted);
		sim_fail(vd);
		return -ENODEV;
	}
	vd->offered = sim->offered;
	vd->features = (wanted | VIRTIO_F_VERSION_1) & sim->offered;
	sim->status |= VIRTIO_STATUS_FEATURES_OK;
	return 0;
}

static struct virtqueue *sim_setup_queue(struct virtio_device *vd, unsigned int index,
					 const char *name)
{
	struct balloon_sim *sim = to_sim(vd);
	struct balloon_sim_queue *queue;
	unsigned int order = mm_order_for_bytes(vq_ring_bytes(BALLOON_SIM_QSIZE));

	if (index >= sim->nr_queues || index >= BALLOON_SIM_QUEUES || sim->q[index].live)
		return NULL;
	queue = &sim->q[index];
	queue->ring = mm_alloc_pages(sim->mm, order, GFP_KERNEL | GFP_ZERO);
	if (!queue->ring)
		return NULL;
	queue->ring_order = order;
	if (vq_init(&queue->vq, name, index, BALLOON_SIM_QSIZE, mm_page_address(sim->mm, queue->ring),
		    (u64)mm_page_to_pfn(sim->mm, queue->ring) << PAGE_SHIFT, &sim_vq_ops, sim)) {
		mm_free_pages(sim->mm, queue->ring, order);
		memset(queue, 0, sizeof(*queue));
		return NULL;
	}
	queue->live = true;
	return &queue->vq;
}

static int sim_driver_ok(struct virtio_device *vd)
{
	struct balloon_sim *sim = to_sim(vd);

	sim->status |= VIRTIO_STATUS_DRIVER_OK;
	return sim->refuse_driver_ok ? -EIO : 0;
}

static int sim_config_read(struct virtio_device *vd, u32 off, void *buf, u32 len)
{
	struct balloon_sim *sim = to_sim(vd);
	u32 cfg[2] = { sim->num_pages, sim->actual };

	if (off > sizeof(cfg) || len > sizeof(cfg) - off)
		return -EINVAL;
	memcpy(buf, (u8 *)cfg + off, len);
	return 0;
}

static int sim_config_write32(struct virtio_device *vd, u32 off, u32 v)
{
	struct balloon_sim *sim = to_sim(vd);

	if (off == BALLOON_CFG_POISON_VAL && (vd->features & VIRTIO_BALLOON_F_PAGE_POISON)) {
		sim->poison_val = v;
		return 0;
	}
	if (off != BALLOON_CFG_ACTUAL)
		return -EINVAL;
	sim->actual = v;
	return 0;
}

static const struct virtio_device_ops sim_device_ops = {
	.negotiate = sim_negotiate,
	.setup_queue = sim_setup_queue,
	.driver_ok = sim_driver_ok,
	.fail = sim_fail,
	.reset = sim_reset,
	.config_read = sim_config_read,
	.config_write32 = sim_config_write32,
};

int balloon_sim_init(struct balloon_sim *sim, struct mm *mm)
{
	if (mm->end_pfn - mm->base_pfn > BALLOON_SIM_MAX_PFNS)
		return -E2BIG;
	memset(sim, 0, sizeof(*sim));
	sim->vdev.ops = &sim_device_ops;
	sim->mm = mm;
	sim->offered = VIRTIO_F_VERSION_1 | VIRTIO_BALLOON_F_STATS_VQ;
	sim->nr_queues = BALLOON_SIM_QUEUES;
	return 0;
}
