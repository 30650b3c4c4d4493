/*
 * Tests of the split virtqueue against a simulated device that works on the
 * ring memory the way a device does (it reads avail and the descriptor
 * table, writes used), plus hostile variants that write bad used entries.
 * Buffers are never touched by the virtqueue, so their "physical addresses"
 * here are made-up numbers; the ring sits in a static array between
 * canaries, which prove the driver never wrote outside it.
 */
#include "drivers/virtio/virtqueue.h"
#include "include/assert.h"
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "lib/string.h"

#define SIM_NUM 16
#define CANARY 0xa5

static struct {
	u8 before[64];
	u8 ring[8192] __aligned(16);
	u8 after[64];
} mem __aligned(16);
static struct virtqueue test_vq;

/* The simulated device. */
struct sim_dev {
	struct virtqueue *vq; /* only for the ring pointers */
	u16 last_avail;       /* avail entries consumed */
	u16 used_idx;         /* our copy of used->idx */
	unsigned int notified;
};
static struct sim_dev sim;

static void sim_notify(struct virtqueue *vq) { sim.notified++; }
static const struct vq_transport_ops sim_ops = { .notify = sim_notify };

/* Device side: writable bytes of the chain at @head, by walking the
 * descriptor table (bounded, as a careful device would). */
static u32 sim_chain_in_len(u16 head)
{
	struct virtqueue *vq = sim.vq;
	u32 sum = 0;
	u16 i = head, n;

	for (n = 0; n < vq->num; n++) {
		const struct virtq_desc *desc = &vq->desc[i];

		if (desc->flags & VIRTQ_DESC_F_WRITE)
			sum += desc->len;
		if (!(desc->flags & VIRTQ_DESC_F_NEXT))
			break;
		i = desc->next;
	}
	return sum;
}

/* Device side: pop the next available head. Return: false when none. */
static bool sim_pop(u16 *head)
{
	struct virtqueue *vq = sim.vq;

	if (vq->avail->idx == sim.last_avail)
		return false;
	*head = vq->avail->ring[sim.last_avail & (vq->num - 1)];
	sim.last_avail++;
	return true;
}

/* Device side: publish a used entry (raw: hostile tests pass bad values). */
static void sim_push(u32 id, u32 len)
{
	struct virtqueue *vq = sim.vq;

	vq->used->ring[sim.used_idx & (vq->num - 1)].id = id;
	vq->used->ring[sim.used_idx & (vq->num - 1)].len = len;
	sim.used_idx++;
	vq->used->idx = sim.used_idx;
}

/* Device side: complete every available chain in order, writing it full. */
static unsigned int sim_complete_all(void)
{
	unsigned int n = 0;
	u16 head;

	while (sim_pop(&head)) {
		sim_push(head, sim_chain_in_len(head));
		n++;
	}
	return n;
}

static void setup(unsigned int num)
{
	memset(mem.before, CANARY, sizeof(mem.before));
	memset(mem.after, CANARY, sizeof(mem.after));
	memset(&sim, 0, sizeof(sim));
	sim.vq = &test_vq;
	BUG_ON(vq_init(&test_vq, "test", 0, num, mem.ring, 0x100000, &sim_ops, NULL));
}

static bool canaries_intact(void)
{
	size_t i;

	for (i = 0; i < sizeof(mem.before); i++)
		if (mem.before[i] != CANARY || mem.after[i] != CANARY)
			return false;
	return true;
}

static int tokens[VQ_MAX_SIZE];
#define TOKEN(i) ((void *)&tokens[i])

static int add_one(unsigned int i, u32 out_len, u32 in_len)
{
	struct vq_sg sg[2] = { { 0x10000000 + i * 0x1000ULL, out_len },
			       { 0x20000000 + i * 0x1000ULL, in_len } };

	if (!out_len)
		return vq_add(&test_vq, &sg[1], 0, 1, TOKEN(i));
	if (!in_len)
		return vq_add(&test_vq, sg, 1, 0, TOKEN(i));
	return vq_add(&test_vq, sg, 1, 1, TOKEN(i));
}

/* vq_init refuses sizes that are not powers of two up to VQ_MAX_SIZE. */
static void vq_init_rejects_bad_sizes(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, vq_init(&test_vq, "t", 0, 0, mem.ring, 0, &sim_ops, NULL), -EINVAL);
	KTEST_EXPECT_EQ(test, vq_init(&test_vq, "t", 0, 12, mem.ring, 0, &sim_ops, NULL), -EINVAL);
	KTEST_EXPECT_EQ(test, vq_init(&test_vq, "t", 0, 2 * VQ_MAX_SIZE, mem.ring, 0, &sim_ops, NULL),
			-EINVAL);
	KTEST_EXPECT_EQ(test, vq_init(&test_vq, "t", 0, 16, mem.ring + 8, 0, &sim_ops, NULL), -EINVAL);
	KTEST_EXPECT_EQ(test, vq_init(&test_vq, "t", 0, 16, mem.ring, 0, &sim_ops, NULL), 0);
	/* desc 16-aligned, avail right after, used 4-aligned after avail. */
	KTEST_EXPECT_EQ(test, test_vq.avail_pa - test_vq.desc_pa, 256);
	KTEST_EXPECT_EQ(test, test_vq.used_pa - test_vq.desc_pa, 256 + 40);
	KTEST_EXPECT_EQ(test, vq_ring_bytes(16), 256 + 40 + 6 + 128);
}

/* A chain with a readable and a writable part goes out and comes back with
 * the device's length; its descriptors return to the free list. */
static void vq_add_get_used_roundtrip(struct ktest *test)
{
	u32 len = 0;

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(3, 64, 512), 0);
	KTEST_EXPECT_EQ(test, vq_descs_in_use(&test_vq), 2);
	KTEST_EXPECT_EQ(test, test_vq.desc[0].flags, VIRTQ_DESC_F_NEXT);
	KTEST_EXPECT_EQ(test, test_vq.desc[1].flags, VIRTQ_DESC_F_WRITE);
	KTEST_EXPECT_EQ(test, test_vq.desc[1].addr, 0x20003000);
	KTEST_EXPECT_NULL(test, vq_get_used(&test_vq, &len));
	KTEST_EXPECT_TRUE(test, vq_kick(&test_vq));
	KTEST_EXPECT_EQ(test, sim.notified, 1);
	KTEST_EXPECT_FALSE(test, vq_kick(&test_vq)); /* nothing new */
	KTEST_EXPECT_EQ(test, sim_complete_all(), 1);
	KTEST_EXPECT_PTR_EQ(test, vq_get_used(&test_vq, &len), TOKEN(3));
	KTEST_EXPECT_EQ(test, len, 512);
	KTEST_EXPECT_NULL(test, vq_get_used(&test_vq, &len));
	KTEST_EXPECT_EQ(test, vq_descs_in_use(&test_vq), 0);
	KTEST_EXPECT_FALSE(test, vq_broken(&test_vq));
	KTEST_EXPECT_TRUE(test, canaries_intact());
}

/* Bad requests are refused before anything is written. */
static void vq_add_rejects_bad_chains(struct ktest *test)
{
	struct vq_sg sg[2] = { { 0x1000, 0 }, { 0x2000, 8 } };

	setup(SIM_NUM);
	KTEST_EXPECT_EQ(test, vq_add(&test_vq, sg, 1, 1, TOKEN(0)), -EINVAL); /* zero length */
	KTEST_EXPECT_EQ(test, vq_add(&test_vq, &sg[1], 1, 0, NULL), -EINVAL);  /* no token */
	KTEST_EXPECT_EQ(test, vq_add(&test_vq, sg, 0, 0, TOKEN(0)), -EINVAL);  /* empty */
	KTEST_EXPECT_EQ(test, test_vq.avail->idx, 0);
	KTEST_EXPECT_EQ(test, vq_descs_in_use(&test_vq), 0);
}

/* A full ring says -ENOSPC; completing one chain makes room again. */
static void vq_full_ring_is_enospc(struct ktest *test)
{
	unsigned int i;
	u32 len;

	setup(SIM_NUM);
	for (i = 0; i < SIM_NUM / 2; i++)
		KTEST_ASSERT_EQ(test, add_one(i, 8, 8), 0);
	KTEST_EXPECT_EQ(test, add_one(9, 0, 8), -ENOSPC);
	vq_kick(&test_vq);
	sim_complete_all();
	KTEST_EXPECT_PTR_EQ(test, vq_get_used(&test_vq, &len), TOKEN(0));
	KTEST_EXPECT_EQ(test, add_one(9, 8, 8), 0);
	KTEST_EXPECT_EQ(test, add_one(10, 8, 0), -ENOSPC);
}

/* NO_NOTIFY from the device suppresses the kick; its absence restores it. */
static void vq_kick_honours_no_notify(struct ktest *test)
{
	setup(SIM_NUM);
	test_vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0);
	KTEST_EXPECT_FALSE(test, vq_kick(&test_vq));
	KTEST_EXPECT_EQ(test, test_vq.kicks_suppressed, 1);
	test_vq.used->flags = 0;
	KTEST_ASSERT_EQ(test, add_one(1, 8, 8), 0);
	KTEST_EXPECT_TRUE(test, vq_kick(&test_vq));
	KTEST_EXPECT_EQ(test, sim.notified, 1);
}

/* disable_cb sets NO_INTERRUPT; enable_cb clears it and reports entries
 * that arrived while interrupts were off. */
static void vq_enable_cb_reports_pending(struct ktest *test)
{
	u32 len;

	setup(SIM_NUM);
	vq_disable_cb(&test_vq);
	KTEST_EXPECT_EQ(test, test_vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0);
	vq_kick(&test_vq);
	sim_complete_all();
	KTEST_EXPECT_FALSE(test, vq_enable_cb(&test_vq));
	KTEST_EXPECT_EQ(test, test_vq.avail->flags, 0);
	KTEST_EXPECT_NOT_NULL(test, vq_get_used(&test_vq, &len));
	KTEST_EXPECT_TRUE(test, vq_enable_cb(&test_vq));
}

/* 70000 chains of random shape, completed out of order in random batches:
 * the 16-bit indexes wrap, every token comes back once with its length,
 * and the free list ends whole. */
static void vq_wraparound_out_of_order(struct ktest *test)
{
	struct prng rng;
	u16 heads[SIM_NUM];
	unsigned int posted = 0, done = 0, outstanding = 0;
	u32 want_len[VQ_MAX_SIZE];
	bool out[VQ_MAX_SIZE] = { false };

	setup(SIM_NUM);
	prng_seed(&rng, 8);
	while (done < 70000) {
		unsigned int n = 0, i;
		u16 head;
		void *tok;
		u32 len;

		/* Post until full or a random stop. */
		while (posted - done < SIM_NUM && prng_next(&rng) % 4) {
			unsigned int slot = posted % VQ_MAX_SIZE;
			u32 in = (u32)(prng_next(&rng) % 3) * 100;
			u32 outl = prng_next(&rng) % 2 || !in ? 16 : 0;
			int err;

			if (out[slot])
				break;
			err = add_one(slot, outl, in);
			if (err == -ENOSPC)
				break;
			KTEST_ASSERT_EQ(test, err, 0);
			want_len[slot] = in;
			out[slot] = true;
			posted++;
			outstanding++;
		}
		vq_kick(&test_vq);
		/* The device takes some and completes them in reverse order. */
		while (n < SIM_NUM && prng_next(&rng) % 3 && sim_pop(&head))
			heads[n++] = head;
		for (i = n; i-- > 0;)
			sim_push(heads[i], sim_chain_in_len(heads[i]));
		while ((tok = vq_get_used(&test_vq, &len))) {
			unsigned int slot = (unsigned int)((int *)tok - tokens);

			KTEST_ASSERT_TRUE(test, out[slot]);
			KTEST_ASSERT_EQ(test, len, want_len[slot]);
			out[slot] = false;
			done++;
			outstanding--;
		}
		KTEST_ASSERT_FALSE(test, vq_broken(&test_vq));
	}
	/* Drain what is left. */
	sim_complete_all();
	while (vq_get_used(&test_vq, NULL))
		outstanding--;
	KTEST_EXPECT_EQ(test, outstanding, 0);
	KTEST_EXPECT_EQ(test, vq_descs_in_use(&test_vq), 0);
	KTEST_EXPECT_GT(test, posted, 65536); /* the 16-bit indexes wrapped */
	KTEST_EXPECT_TRUE(test, canaries_intact());
}

/* After a hostile entry: the vq_get_used() that meets it returns nothing,
 * the queue is broken with @fault, later calls fail, no write outside. */
static void expect_get_used_breaks(struct ktest *test, enum vq_fault fault)
{
	u32 len = 0xdead;

	KTEST_EXPECT_NULL(test, vq_get_used(&test_vq, NULL));
	KTEST_EXPECT_TRUE(test, vq_broken(&test_vq));
	KTEST_EXPECT_EQ(test, test_vq.fault, fault);
	KTEST_EXPECT_NULL(test, vq_get_used(&test_vq, &len));
	KTEST_EXPECT_EQ(test, len, 0xdead);
	KTEST_EXPECT_EQ(test, add_one(7, 8, 8), -EIO);
	KTEST_EXPECT_FALSE(test, vq_kick(&test_vq));
	KTEST_EXPECT_TRUE(test, canaries_intact());
}

/* A used id beyond the ring breaks the queue. */
static void vq_hostile_id_out_of_range(struct ktest *test)
{
	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0);
	vq_kick(&test_vq);
	sim_push(SIM_NUM + 5, 8);
	expect_get_used_breaks(test, VQ_FAULT_ID_RANGE);
	setup(SIM_NUM);
	sim_push(0xffffffff, 0);
	expect_get_used_breaks(test, VQ_FAULT_ID_RANGE);
}

/* The same id returned twice for one chain in flight claims more
 * completions than chains: broken at once (taking the first would let the
 * second complete a chain posted later at the same head, before the device
 * read it). An id returned after its
 * chain was taken, or inside a chain rather than its head, is not in
 * flight: broken. */
static void vq_hostile_duplicate_and_non_head_ids(struct ktest *test)
{
	u16 head;

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0);
	vq_kick(&test_vq);
	KTEST_ASSERT_TRUE(test, sim_pop(&head));
	sim_push(head, 8);
	sim_push(head, 8);
	expect_get_used_breaks(test, VQ_FAULT_IDX_JUMP);

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0);
	KTEST_ASSERT_EQ(test, add_one(1, 8, 8), 0);
	vq_kick(&test_vq);
	KTEST_ASSERT_TRUE(test, sim_pop(&head));
	sim_push(head, 8);
	KTEST_EXPECT_PTR_EQ(test, vq_get_used(&test_vq, NULL), TOKEN(0));
	sim_push(head, 8); /* again, while the other chain is in flight */
	expect_get_used_breaks(test, VQ_FAULT_ID_UNUSED);

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 8), 0); /* descriptors 0 -> 1 */
	sim_push(1, 8);
	expect_get_used_breaks(test, VQ_FAULT_ID_UNUSED);
}

/* A length above the chain's writable bytes (or any length on a chain with
 * none) breaks the queue; the exact size is fine. */
static void vq_hostile_huge_length(struct ktest *test)
{
	u32 len;

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 100), 0);
	KTEST_ASSERT_EQ(test, add_one(1, 8, 100), 0);
	sim_push(0, 100);
	KTEST_EXPECT_PTR_EQ(test, vq_get_used(&test_vq, &len), TOKEN(0));
	sim_push(2, 101);
	expect_get_used_breaks(test, VQ_FAULT_LEN);

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 8, 0), 0);
	sim_push(0, 0xffffffff);
	expect_get_used_breaks(test, VQ_FAULT_LEN);
}

/* used->idx more than the ring size ahead breaks the queue; exactly the
 * ring size ahead (a full ring of completions) does not. */
static void vq_hostile_index_jump(struct ktest *test)
{
	unsigned int i;

	setup(SIM_NUM);
	for (i = 0; i < SIM_NUM; i++)
		KTEST_ASSERT_EQ(test, add_one(i, 0, 8), 0);
	KTEST_EXPECT_EQ(test, sim_complete_all(), SIM_NUM);
	for (i = 0; i < SIM_NUM; i++)
		KTEST_EXPECT_NOT_NULL(test, vq_get_used(&test_vq, NULL));
	KTEST_EXPECT_FALSE(test, vq_broken(&test_vq));

	setup(SIM_NUM);
	KTEST_ASSERT_EQ(test, add_one(0, 0, 8), 0);
	test_vq.used->idx = SIM_NUM + 1;
	expect_get_used_breaks(test, VQ_FAULT_IDX_JUMP);

	setup(SIM_NUM);
	test_vq.used->idx = 0x8000; /* "negative": behind us */
	expect_get_used_breaks(test, VQ_FAULT_IDX_JUMP);
}

/* A device that scribbles over the descriptor table cannot corrupt the
 * driver's free list: links are kept in the shadow. */
static void vq_hostile_scribbled_descriptors(struct ktest *test)
{
	unsigned int i, round;
	u16 head;

	setup(SIM_NUM);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < SIM_NUM / 2; i++)
			KTEST_ASSERT_EQ(test, add_one(i, 8, 8), 0);
		vq_kick(&test_vq);
		while (sim_pop(&head))
			sim_push(head, 8);
		memset(test_vq.desc, 0xff, SIM_NUM * sizeof(struct virtq_desc));
		for (i = 0; i < SIM_NUM / 2; i++)
			KTEST_ASSERT_NOT_NULL(test, vq_get_used(&test_vq, NULL));
		KTEST_EXPECT_EQ(test, vq_descs_in_use(&test_vq), 0);
	}
	KTEST_EXPECT_FALSE(test, vq_broken(&test_vq));
	KTEST_EXPECT_TRUE(test, canaries_intact());
}

static const struct ktest_case vq_cases[] = {
	KTEST_CASE(vq_init_rejects_bad_sizes),
	KTEST_CASE(vq_add_get_used_roundtrip),
	KTEST_CASE(vq_add_rejects_bad_chains),
	KTEST_CASE(vq_full_ring_is_enospc),
	KTEST_CASE(vq_kick_honours_no_notify),
	KTEST_CASE(vq_enable_cb_reports_pending),
	KTEST_CASE(vq_wraparound_out_of_order),
	KTEST_CASE(vq_hostile_id_out_of_range),
	KTEST_CASE(vq_hostile_duplicate_and_non_head_ids),
	KTEST_CASE(vq_hostile_huge_length),
	KTEST_CASE(vq_hostile_index_jump),
	KTEST_CASE(vq_hostile_scribbled_descriptors),
	KTEST_END,
};
KTEST_SUITE(virtqueue, vq_cases);
