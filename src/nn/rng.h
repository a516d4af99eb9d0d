/* rng.h: xoshiro256** seeded by splitmix64; its state is part of the model so runs are reproducible. */
#ifndef UBEHAV_NN_RNG_H
#define UBEHAV_NN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct NnRng
{
	uint64_t	s[4];
} NnRng;

/* Seed the generator; any seed, including 0, gives a valid non-zero state. */
void		nn_rng_seed(NnRng *rng, uint64_t seed);
/* Next raw 64-bit value. */
uint64_t	nn_rng_next(NnRng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double		nn_rng_uniform(NnRng *rng);
/* Standard normal deviate (Box-Muller, no cached second value, so the stream is simple to replay). */
double		nn_rng_normal(NnRng *rng);
/* Unbiased integer in [0, bound); bound must be > 0. */
uint64_t	nn_rng_below(NnRng *rng, uint64_t bound);
/* Fisher-Yates shuffle of idx[0..n). */
void		nn_rng_shuffle(NnRng *rng, uint32_t *idx, size_t n);

#endif
