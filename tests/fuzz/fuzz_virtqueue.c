/*
 * Fuzz the split virtqueue's used-ring processing (drivers/virtio/
 * virtqueue.h) against a device the input controls: the driver posts
 * chains of fuzz-chosen shapes (vq_add), and the "device" completes them
 * honestly (a head it was given, a length within the writable bytes, used
 * index + 1) or writes anything at all into the used ring: ids out of
 * range or never posted or already used, huge lengths, index jumps in
 * either direction. Invariants: vq_get_used() returns only tokens in
 * flight, each once, with a length within what the chain offered; the
 * descriptors in use are exactly those of the chains in flight; a queue
 * that never saw a lie never breaks; a broken queue stays broken, returns
 * nothing and refuses buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "include/errno.h"
#include "drivers/virtio/virtqueue.h"
#include "tests/fuzz/fuzz_common.h"

#define TOKENS 512

struct chain {
	int in_flight;
	u16 head;
	u16 nr;
	u32 in_len;
};

static struct chain chains[TOKENS]; /* token i is &chains[i] */
static struct virtqueue vq;
static unsigned char ring[65536] __attribute__((aligned(4096)));
static u16 dev_avail, dev_used;     /* the device's own indices */
static unsigned int descs_in_flight;
static int lied;                    /* the device broke the rules */

static void notify(struct virtqueue *queue) { }
static const struct vq_transport_ops ops = { .notify = notify };

static void op_add(struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	unsigned int nr_out = a & 3, nr_in = (a >> 2) & 3, i;
	struct vq_sg sg[6];
	struct chain *chain = NULL;
	u32 in_len = 0;
	int err;

	for (i = 0; i < TOKENS && !chain; i++)
		if (!chains[i].in_flight)
			chain = &chains[i];
	if (!chain)
		return;
	for (i = 0; i < nr_out + nr_in; i++) {
		sg[i].addr = 0x100000 + i * 0x1000;
		sg[i].len = (a & 0x80) ? fuzz_u32(in) : 1 + fuzz_u8(in) * 16u;
		if (i >= nr_out)
			in_len += sg[i].len; /* wraps only when vq_add must refuse it */
	}
	err = vq_add(&vq, sg, nr_out, nr_in, chain);
	if (vq_broken(&vq)) {
		FUZZ_CHECK(err == -EIO, "add on a broken queue: %d", err);
		return;
	}
	if (err) {
		FUZZ_CHECK(err == -ENOSPC || err == -EINVAL, "add: %d", err);
		FUZZ_CHECK(err != -ENOSPC || vq.num_free < nr_out + nr_in, "-ENOSPC with %u free",
			   vq.num_free);
		return;
	}
	FUZZ_CHECK(nr_out + nr_in > 0, "empty chain accepted");
	chain->in_flight = 1;
	chain->nr = (u16)(nr_out + nr_in);
	chain->in_len = in_len;
	chain->head = vq.avail->ring[(u16)(vq.avail_idx - 1) & (vq.num - 1)];
	descs_in_flight += chain->nr;
}

static void push(u32 id, u32 len, u16 step)
{
	struct virtq_used_elem *elem = &vq.used->ring[dev_used & (vq.num - 1)];

	elem->id = id;
	elem->len = len;
	dev_used = (u16)(dev_used + step);
	vq.used->idx = dev_used;
}

/* Complete the next available chain correctly. */
static void op_honest(struct fuzz_in *in)
{
	unsigned int i;
	u16 head;

	if (dev_avail == vq.avail->idx)
		return;
	head = vq.avail->ring[dev_avail++ & (vq.num - 1)];
	for (i = 0; i < TOKENS; i++)
		if (chains[i].in_flight && chains[i].head == head)
			break;
	if (i == TOKENS) {
		/* Only a lie can have completed it already. */
		FUZZ_CHECK(lied, "available head %u belongs to no chain", head);
		return;
	}
	push(head, (u32)(fuzz_u32(in) % ((u64)chains[i].in_len + 1)), 1);
}

static void op_lie(struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	u32 id = (a & 1) ? fuzz_u16(in) : fuzz_u8(in) % (vq.num + 2u);
	u32 len = (a & 2) ? fuzz_u32(in) : fuzz_u8(in);
	u16 step = (a & 4) ? fuzz_u16(in) : 1;

	push(id, len, step);
}

static void op_get(void)
{
	int was_broken = vq_broken(&vq);
	u32 len = 0;
	struct chain *chain = vq_get_used(&vq, &len);

	if (!chain)
		return;
	FUZZ_CHECK(!was_broken, "a broken queue returned a token");
	FUZZ_CHECK(chain >= chains && chain < chains + TOKENS, "foreign token %p", (void *)chain);
	FUZZ_CHECK(chain->in_flight, "token %ld returned twice", (long)(chain - chains));
	FUZZ_CHECK(len <= chain->in_len, "len %u above the %u offered", len, chain->in_len);
	chain->in_flight = 0;
	descs_in_flight -= chain->nr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int num = 1u << (fuzz_u8(&in) % 9), ops_done = 0;

	FUZZ_CHECK(vq_ring_bytes(num) <= sizeof(ring), "ring too small");
	FUZZ_CHECK(vq_init(&vq, "fuzz", 0, num, ring, 0x200000, &ops, NULL) == 0, "init %u", num);
	memset(chains, 0, sizeof(chains));
	dev_avail = dev_used = 0;
	descs_in_flight = 0;
	lied = 0;
	while (fuzz_more(&in) && ops_done++ < 1024) {
		int was_broken = vq_broken(&vq);

		switch (fuzz_u8(&in) % 8) {
		case 0: case 1:
			op_add(&in);
			vq_kick(&vq);
			break;
		case 2: case 3:
			op_honest(&in);
			break;
		case 4:
			op_lie(&in);
			lied = 1;
			break;
		default:
			op_get();
			break;
		}
		FUZZ_CHECK(!was_broken || vq_broken(&vq), "a broken queue came back");
		FUZZ_CHECK(lied || !vq_broken(&vq), "broke (fault %d) with an honest device",
			   vq.fault);
		FUZZ_CHECK(vq_descs_in_use(&vq) == descs_in_flight || vq_broken(&vq),
			   "%u descriptors in use, %u in flight", vq_descs_in_use(&vq),
			   descs_in_flight);
	}
	return 0;
}
