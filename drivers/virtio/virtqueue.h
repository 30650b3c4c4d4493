/*
 * Split virtqueues (virtio 1.x, section 2.7): the driver side of the
 * descriptor table, the available ring and the used ring, over memory the
 * caller supplies by virtual and physical address. Buffers are handed to the
 * device as physical scatter-gather entries; the virtqueue never touches
 * their contents, so it builds hosted unchanged against a simulated device.
 *
 * The device is untrusted. Everything it writes (the used ring) is read once
 * into locals and checked: a used index more than the ring size ahead, an id
 * out of range or not at the head of an in-flight chain, a length above what
 * the chain offered as device-writable → one log line, the queue is marked
 * broken, and every later call fails with -EIO. Free-list links and chain
 * lengths live in a shadow array the device cannot see, so a device that
 * scribbles over the descriptor table cannot steer our writes.
 *
 * VIRTIO_F_EVENT_IDX is not negotiated: notification suppression reads the
 * used ring's flags, interrupt suppression writes the available ring's.
 *
 * Locking: none inside. The owner serializes every call on one queue (its
 * own lock, or a single thread plus interrupts off around get_used).
 */
#ifndef DRIVERS_VIRTIO_VIRTQUEUE_H
#define DRIVERS_VIRTIO_VIRTQUEUE_H

#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"

/* Largest queue this driver sets up (the device may offer more; the
 * transport then writes this smaller size, which the spec allows). */
#define VQ_MAX_SIZE 256

/* Descriptor flags (virtq_desc.flags). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
/* virtq_avail.flags: please do not interrupt me. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
/* virtq_used.flags: please do not kick me. */
#define VIRTQ_USED_F_NO_NOTIFY 1

/* The shared structures, little endian (x86 is, so plain integers). */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct virtq_avail {
	u16 flags;
	u16 idx;
	u16 ring[]; /* num entries, then used_event (EVENT_IDX only) */
};

struct virtq_used_elem {
	u32 id;  /* head descriptor index of the chain */
	u32 len; /* bytes the device wrote into the chain's writable part */
};

struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[]; /* num entries, then avail_event */
};

static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc layout");
static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem layout");

/* One scatter-gather entry: @len bytes at physical address @addr. */
struct vq_sg {
	u64 addr;
	u32 len;
};

struct virtqueue;

/* What the virtqueue needs from its transport. */
struct vq_transport_ops {
	/* Tell the device queue @vq has new buffers. Called from vq_kick()
	 * only, never with the ring in an inconsistent state. */
	void (*notify)(struct virtqueue *vq);
};

/* Shadow of one descriptor, invisible to the device. */
struct vq_desc_state {
	void *token;  /* head of an in-flight chain: the caller's token; else NULL */
	u16 next;     /* free list link, or the chain's next descriptor */
	u16 nr;       /* head only: descriptors in the chain */
	u32 in_len;   /* head only: device-writable bytes offered */
};

enum vq_state { VQ_OK, VQ_BROKEN };

/* Why a queue broke (for tests and the log). */
enum vq_fault {
	VQ_FAULT_NONE,
	VQ_FAULT_IDX_JUMP,   /* used->idx ahead of what we consumed by more
			      * than the chains in flight */
	VQ_FAULT_ID_RANGE,   /* used id >= num */
	VQ_FAULT_ID_UNUSED,  /* used id not the head of an in-flight chain */
	VQ_FAULT_LEN,        /* used len above the chain's writable bytes */
};

/*
 * Fields are written by the owner only (see Locking above); (C) constant
 * after vq_init, (D) device-shared memory: read with READ_ONCE, checked.
 */
struct virtqueue {
	const struct vq_transport_ops *ops; /* (C) */
	void *priv;                 /* (C) the transport's per-queue data */
	const char *name;           /* (C) for the log */
	unsigned int index;         /* (C) queue number on the device */
	u16 num;                    /* (C) ring size, a power of two <= VQ_MAX_SIZE */
	struct virtq_desc *desc;    /* (C) pointer; contents ours, device reads */
	struct virtq_avail *avail;  /* (C) pointer; contents ours, device reads */
	struct virtq_used *used;    /* (C,D) device writes, we only read */
	u64 desc_pa, avail_pa, used_pa; /* (C) physical addresses for the device */
	u16 free_head;              /* first free descriptor (shadow list) */
	u16 num_free;               /* descriptors on the free list */
	u16 in_flight;              /* chains posted and not yet returned */
	u16 avail_idx;              /* our copy of avail->idx (never read back) */
	u16 last_used;              /* used entries consumed so far (mod 2^16) */
	u16 added_since_kick;       /* buffers published since the last kick */
	enum vq_state state;
	enum vq_fault fault;        /* the first fault, when broken */
	unsigned long kicks;        /* notifications sent */
	unsigned long kicks_suppressed; /* skipped because of NO_NOTIFY */
	struct vq_desc_state st[VQ_MAX_SIZE];
};

/* Bytes of ring memory for a queue of @num entries (desc, avail, used laid
 * out in that order, each at its required alignment: 16, 2, 4). */
size_t vq_ring_bytes(unsigned int num);

/*
 * vq_init - set up @vq over @ring (@ring_pa its physical address; at least
 * vq_ring_bytes(@num) bytes, 16-byte aligned; zeroed here).
 * Return: 0, or -EINVAL when @num is not a power of two in 1..VQ_MAX_SIZE
 * or @ring is misaligned.
 * Context: any; the device must not use the queue yet.
 */
int vq_init(struct virtqueue *vq, const char *name, unsigned int index, unsigned int num,
	    void *ring, u64 ring_pa, const struct vq_transport_ops *ops, void *priv);

/*
 * vq_add - post one buffer chain: @nr_out device-readable entries then
 * @nr_in device-writable ones from @sg, identified by @token (non-NULL;
 * vq_get_used returns it). Published at once (avail->idx); vq_kick() tells
 * the device.
 * Return: 0; -EINVAL (no entries, NULL token, a zero length, more entries
 * than the ring, device-writable total above 4 GiB); -ENOSPC (not enough
 * free descriptors now: retry after vq_get_used); -EIO when broken.
 */
int vq_add(struct virtqueue *vq, const struct vq_sg *sg, unsigned int nr_out,
	   unsigned int nr_in, void *token);

/*
 * vq_kick - notify the device if it wants to be (VIRTQ_USED_F_NO_NOTIFY
 * clear) and something was added since the last kick.
 * Return: true when the device was notified.
 */
bool vq_kick(struct virtqueue *vq);

/*
 * vq_get_used - take the next completed chain, checking what the device
 * wrote. @len receives the bytes it wrote (<= what the chain offered).
 * Return: the chain's token, or NULL when nothing is pending or the queue
 * is (or just became) broken; vq_broken() tells which.
 */
void *vq_get_used(struct virtqueue *vq, u32 *len);

/* Ask the device not to interrupt for this queue (a hint it may ignore). */
void vq_disable_cb(struct virtqueue *vq);

/*
 * vq_enable_cb - ask for interrupts again. Return: false when used entries
 * are already pending (the caller must process them: the interrupt for them
 * may have been suppressed), true otherwise.
 */
bool vq_enable_cb(struct virtqueue *vq);

static inline bool vq_broken(const struct virtqueue *vq) { return vq->state == VQ_BROKEN; }

/* Mark @vq broken (the transport does it when the device needs a reset). */
void vq_set_broken(struct virtqueue *vq, enum vq_fault fault);

/* Descriptors in use by posted chains. */
static inline unsigned int vq_descs_in_use(const struct virtqueue *vq)
{
	return vq->num - vq->num_free;
}

#endif
