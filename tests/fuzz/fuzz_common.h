/*
 * Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c). Each target
 * decodes its input as a sequence of operations: fuzz_in hands out bytes
 * (zero once the input is exhausted, so every input is a valid program) and
 * FUZZ_CHECK() aborts with the offending values when an invariant breaks,
 * which libFuzzer reports as a crash and saves the input.
 */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline int fuzz_more(const struct fuzz_in *in) { return in->n != 0; }

#define FUZZ_CHECK(cond, fmt, ...)                                              \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz: %s:%d: %s: " fmt "\n", __FILE__, \
				__LINE__, #cond, ##__VA_ARGS__);                \
			abort();                                                \
		}                                                               \
	} while (0)

/*
 * Sampled full checks. A full invariant check (mm_check, mslab_check, a
 * sweep of every PFN) costs more than the operations between two of them,
 * so inside an input a check runs only when at least @every operations
 * passed since the last one that ran (the input asks; fuzz_check_due
 * decides), and every target checks in full once more at the end of each
 * input. Decided by operation count alone: deterministic from the input, so
 * a crash replays.
 */
struct fuzz_sampler {
	unsigned int every; /* operations between two full checks, at least */
	unsigned int last;  /* operation count at the last full check */
};

static inline int fuzz_check_due(struct fuzz_sampler *sampler, unsigned int ops)
{
	if (ops - sampler->last < sampler->every)
		return 0;
	sampler->last = ops;
	return 1;
}

/* Silence the mm and printk logs (they cost most of the time per input). */
void fuzz_quiet(void);

struct mm_test_env;
struct pfn_range;

/*
 * fuzz_env - a fresh mm over @env for one input, like mm_test_env_init(),
 * but the second time on (same @span) it only zeroes the descriptor storage
 * and runs mm_init again: mapping and unmapping the storage and the arena
 * for every input would cost more than most inputs. @env is never
 * destroyed. Return: as mm_test_env_init().
 */
int fuzz_env(struct mm_test_env *env, unsigned long span, const struct pfn_range *usable,
	     size_t nr_usable, const struct pfn_range *reserved, size_t nr_reserved);

struct mm;

/*
 * fuzz_expect_all_freed - how an mm target ends an input once it has given
 * back all it held: per-cpu caches drained, mm_check() clean (@when names
 * the moment in its message), the free count back at @start_free and no
 * mm_bug() report.
 */
void fuzz_expect_all_freed(struct mm *mm, unsigned long start_free, const char *when);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
