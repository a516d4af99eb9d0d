/*
 * rng.c: xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/) seeded by splitmix64.
 * Small, fast, and its 32-byte state is stored with the model so runs can be replayed.
 */
#include <math.h>

#include "rng.h"

/* Rotate left; k is always in 1..63 here. */
static inline uint64_t
rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64 step: spreads any seed, 0 included, over a well-mixed 64-bit value. */
static uint64_t
splitmix64_next(uint64_t *x)
{
	uint64_t	z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Fill the state from splitmix64 as the xoshiro authors recommend; never all zero. */
void
nn_rng_seed(NnRng *rng, uint64_t seed)
{
	uint64_t	x = seed;
	int			i;

	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64_next(&x);
	/* xoshiro's only invalid state; practically unreachable, but cheap to rule out. */
	if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
		rng->s[0] = 1;
}

/* xoshiro256** step. */
uint64_t
nn_rng_next(NnRng *rng)
{
	uint64_t   *s = rng->s;
	uint64_t	result = rotl64(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Top 53 bits scaled into [0, 1): every double there is equally likely on the 2^-53 grid. */
double
nn_rng_uniform(NnRng *rng)
{
	return (double) (nn_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Box-Muller with u1 in (0, 1] so log never sees zero; one uniform pair per deviate. */
double
nn_rng_normal(NnRng *rng)
{
	double		u1 = 1.0 - nn_rng_uniform(rng);
	double		u2 = nn_rng_uniform(rng);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/*
 * Rejection sampling: discard the 2^64 mod bound lowest raw values so every residue
 * is equally likely (the arc4random_uniform method); expected draws < 2.
 */
uint64_t
nn_rng_below(NnRng *rng, uint64_t bound)
{
	uint64_t	threshold;
	uint64_t	r;

	if (bound <= 1)
		return 0;
	threshold = (UINT64_C(0) - bound) % bound;
	for (;;)
	{
		r = nn_rng_next(rng);
		if (r >= threshold)
			return r % bound;
	}
}

/* Fisher-Yates, from the end down, so a prefix of the stream defines the permutation. */
void
nn_rng_shuffle(NnRng *rng, uint32_t *idx, size_t n)
{
	size_t		i;

	if (n < 2)
		return;
	for (i = n - 1; i > 0; i--)
	{
		size_t		j = (size_t) nn_rng_below(rng, (uint64_t) i + 1);
		uint32_t	tmp = idx[i];

		idx[i] = idx[j];
		idx[j] = tmp;
	}
}
