/*
 * A small deterministic pseudo-random generator for tests, fuzz-like
 * scenarios and benchmarks: xoshiro256** (Blackman & Vigna), seeded by
 * expanding one u64 through splitmix64. The same seed gives the same sequence
 * in the kernel and on the host. Not cryptographic. State lives in a struct
 * prng owned by the caller; nothing is shared.
 */
#ifndef LIB_PRNG_H
#define LIB_PRNG_H

#include "include/types.h"

struct prng {
	u64 s[4]; /* xoshiro256 state; never all zero after prng_seed() */
};

/* prng_splitmix64 - advance @state by one step. Return: the next output. */
static inline u64 prng_splitmix64(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* prng_seed - initialise @rng from @seed (any value, 0 included). */
static inline void prng_seed(struct prng *rng, u64 seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng->s[i] = prng_splitmix64(&seed);
}

static inline u64 prng_rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* prng_next - Return: the next 64 uniformly distributed bits. */
static inline u64 prng_next(struct prng *rng)
{
	u64 *s = rng->s;
	u64 result = prng_rotl(s[1] * 5, 7) * 9;
	u64 t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = prng_rotl(s[3], 45);
	return result;
}

/*
 * prng_below - a uniform value in [0, @n), without modulo bias (Lemire's
 * multiply-and-reject). @n == 0 is treated as 2^64 (any u64).
 * Return: the value.
 */
static inline u64 prng_below(struct prng *rng, u64 n)
{
	unsigned __int128 m;
	u64 low, threshold;

	if (n == 0)
		return prng_next(rng);
	m = (unsigned __int128)prng_next(rng) * n;
	low = (u64)m;
	if (low < n) {
		threshold = (0 - n) % n; /* 2^64 mod n */
		while (low < threshold) {
			m = (unsigned __int128)prng_next(rng) * n;
			low = (u64)m;
		}
	}
	return (u64)(m >> 64);
}

/* prng_range - Return: a uniform value in the closed range [@lo, @hi]. */
static inline u64 prng_range(struct prng *rng, u64 lo, u64 hi)
{
	return lo + prng_below(rng, hi - lo + 1);
}

/* prng_chance - Return: true with probability @num / @den (@num <= @den). */
static inline bool prng_chance(struct prng *rng, u64 num, u64 den)
{
	return prng_below(rng, den) < num;
}

#endif
