/*
 * Split virtqueue, driver side (see virtqueue.h for the contract).
 *
 * Invariants (owner-serialized):
 *  - the free list is a chain of st[].next links from free_head, num_free
 *    long; each posted chain occupies st[head].nr descriptors linked by the
 *    same st[].next links (a chain is a prefix cut off the free list);
 *  - st[i].token != NULL exactly when i heads an in-flight chain, and
 *    in_flight counts them: the device can have completed at most that
 *    many, so more pending used entries than in_flight is a lie (a
 *    duplicate entry would otherwise complete a chain posted later at the
 *    same head before the device has read it);
 *  - we never read back the descriptor table or the available ring: what
 *    the device could corrupt there never steers a write of ours. The only
 *    device-written memory we read is the used ring, each field once.
 *
 * Memory ordering. The device is another agent (a QEMU thread, or TCG
 * running device code between our instructions, which hides missing
 * barriers, so the reasoning below is the only proof). x86 keeps stores in
 * order with stores and loads with loads, so the release/acquire fences
 * below compile to compiler barriers; the one reordering x86 does, a later
 * load passing an earlier store, needs a real fence (mfence or a locked
 * instruction), which __atomic_thread_fence(SEQ_CST) emits:
 *  - vq_add: descriptors and the ring slot are written before avail->idx
 *    (spec 2.7.13: "a suitable memory barrier before the idx update"): wmb.
 *  - vq_kick: the avail->idx store must be visible before we read
 *    used->flags, or we may read a stale NO_NOTIFY, skip the kick, and the
 *    device, which re-checked avail->idx before our store landed, sleeps on
 *    a buffer it never sees: mb.
 *  - vq_get_used: used->idx is read before the ring entry it covers
 *    (spec 2.7.14: otherwise we could read an entry the device has not
 *    written yet): rmb.
 *  - vq_enable_cb: clearing NO_INTERRUPT must be visible before we re-read
 *    used->idx, or an entry added in between gets neither an interrupt nor
 *    our notice: mb.
 */
#include "drivers/virtio/virtqueue.h"
#include "include/errno.h"
#include "lib/string.h"
#include "mm/platform.h"

#define vq_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define vq_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define vq_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static const char *const fault_names[] = {
	[VQ_FAULT_NONE] = "none",
	[VQ_FAULT_IDX_JUMP] = "used index jumped",
	[VQ_FAULT_ID_RANGE] = "used id out of range",
	[VQ_FAULT_ID_UNUSED] = "used id not in flight",
	[VQ_FAULT_LEN] = "used length above the buffer",
};

static size_t avail_offset(unsigned int num) { return 16UL * num; }

static size_t used_offset(unsigned int num)
{
	return ALIGN_UP(avail_offset(num) + 6 + 2UL * num, 4);
}

size_t vq_ring_bytes(unsigned int num)
{
	return used_offset(num) + 6 + 8UL * num;
}

int vq_init(struct virtqueue *vq, const char *name, unsigned int index, unsigned int num,
	    void *ring, u64 ring_pa, const struct vq_transport_ops *ops, void *priv)
{
	unsigned int i;

	if (!num || num > VQ_MAX_SIZE || (num & (num - 1)) || ((uintptr_t)ring & 15) ||
	    (ring_pa & 15) || !ops || !ops->notify)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	memset(ring, 0, vq_ring_bytes(num));
	vq->ops = ops;
	vq->priv = priv;
	vq->name = name;
	vq->index = index;
	vq->num = (u16)num;
	vq->desc = ring;
	vq->avail = (struct virtq_avail *)((char *)ring + avail_offset(num));
	vq->used = (struct virtq_used *)((char *)ring + used_offset(num));
	vq->desc_pa = ring_pa;
	vq->avail_pa = ring_pa + avail_offset(num);
	vq->used_pa = ring_pa + used_offset(num);
	for (i = 0; i < num; i++)
		vq->st[i].next = (u16)((i + 1) & (num - 1));
	vq->free_head = 0;
	vq->num_free = (u16)num;
	vq->in_flight = 0;
	vq->state = VQ_OK;
	return 0;
}

void vq_set_broken(struct virtqueue *vq, enum vq_fault fault)
{
	if (vq->state == VQ_BROKEN)
		return;
	vq->state = VQ_BROKEN;
	vq->fault = fault;
	mm_err("virtio: %s: queue %u broken: %s; no longer used\n", vq->name, vq->index,
	       fault_names[fault]);
}

/* Check @sg before anything is written. Return: 0 or -EINVAL; the
 * device-writable total in *@in_len. */
static int check_sg(const struct virtqueue *vq, const struct vq_sg *sg, unsigned int total,
		    unsigned int nr_out, u32 *in_len)
{
	u64 sum = 0;
	unsigned int k;

	if (!total || total > vq->num)
		return -EINVAL;
	for (k = 0; k < total; k++) {
		if (!sg[k].len)
			return -EINVAL;
		if (k >= nr_out)
			sum += sg[k].len;
	}
	if (sum > 0xffffffffULL)
		return -EINVAL;
	*in_len = (u32)sum;
	return 0;
}

int vq_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned int nr_out,
	   unsigned int nr_in, void *token)
{
	unsigned int total = nr_out + nr_in, k;
	u16 head, i, mask = vq->num - 1;
	u32 in_len;
	int err;

	if (vq->state == VQ_BROKEN)
		return -EIO;
	if (!token || nr_out > VQ_MAX_SIZE || nr_in > VQ_MAX_SIZE)
		return -EINVAL;
	err = check_sg(vq, sg, total, nr_out, &in_len);
	if (err)
		return err;
	if (total > vq->num_free)
		return -ENOSPC;

	head = i = vq->free_head;
	for (k = 0; k < total; k++) {
		struct virtq_desc *desc = &vq->desc[i];
		bool last = k + 1 == total;

		desc->addr = sg[k].addr;
		desc->len = sg[k].len;
		desc->flags = (u16)((k >= nr_out ? VIRTQ_DESC_F_WRITE : 0) |
				 (last ? 0 : VIRTQ_DESC_F_NEXT));
		desc->next = last ? 0 : vq->st[i].next;
		i = vq->st[i].next;
	}
	vq->free_head = i;
	vq->num_free -= (u16)total;
	vq->in_flight++;
	vq->st[head].token = token;
	vq->st[head].nr = (u16)total;
	vq->st[head].in_len = in_len;

	WRITE_ONCE(vq->avail->ring[vq->avail_idx & mask], head);
	vq_wmb(); /* descriptors and slot before the index (see top) */
	vq->avail_idx++;
	WRITE_ONCE(vq->avail->idx, vq->avail_idx);
	vq->added_since_kick++;
	return 0;
}

bool vq_kick(struct virtqueue *vq)
{
	u16 flags;

	if (vq->state == VQ_BROKEN || !vq->added_since_kick)
		return false;
	vq->added_since_kick = 0;
	vq_mb(); /* our avail->idx store before the flags load (see top) */
	flags = READ_ONCE(vq->used->flags);
	if (flags & VIRTQ_USED_F_NO_NOTIFY) {
		vq->kicks_suppressed++;
		return false;
	}
	vq->ops->notify(vq);
	vq->kicks++;
	return true;
}

/* Return the chain at @head to the free list (shadow links only). */
static void free_chain(struct virtqueue *vq, u16 head)
{
	u16 i = head, n = vq->st[head].nr, k;

	for (k = 1; k < n; k++)
		i = vq->st[i].next;
	vq->st[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
	vq->in_flight--;
	vq->st[head].token = NULL;
	vq->st[head].nr = 0;
	vq->st[head].in_len = 0;
}

void *vq_get_used(struct virtqueue *vq, u32 *len)
{
	u16 idx, pending, slot;
	u32 id, used_len;
	void *token;

	if (vq->state == VQ_BROKEN)
		return NULL;
	idx = READ_ONCE(vq->used->idx);
	pending = (u16)(idx - vq->last_used);
	if (!pending)
		return NULL;
	if (pending > vq->num) {
		vq_set_broken(vq, VQ_FAULT_IDX_JUMP);
		return NULL;
	}
	vq_rmb(); /* the index before the entry it covers (see top) */
	slot = vq->last_used & (vq->num - 1);
	id = READ_ONCE(vq->used->ring[slot].id);
	used_len = READ_ONCE(vq->used->ring[slot].len);
	if (id >= vq->num) {
		vq_set_broken(vq, VQ_FAULT_ID_RANGE);
		return NULL;
	}
	token = vq->st[id].token;
	if (!token) {
		vq_set_broken(vq, VQ_FAULT_ID_UNUSED);
		return NULL;
	}
	if (used_len > vq->st[id].in_len) {
		vq_set_broken(vq, VQ_FAULT_LEN);
		return NULL;
	}
	if (pending > vq->in_flight) { /* more completions than chains (see top) */
		vq_set_broken(vq, VQ_FAULT_IDX_JUMP);
		return NULL;
	}
	free_chain(vq, (u16)id);
	vq->last_used++;
	if (len)
		*len = used_len;
	return token;
}

void vq_disable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool vq_enable_cb(struct virtqueue *vq)
{
	WRITE_ONCE(vq->avail->flags, 0);
	vq_mb(); /* the flags store before the used->idx load (see top) */
	return READ_ONCE(vq->used->idx) == vq->last_used;
}
