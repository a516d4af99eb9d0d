/* test_rng.c: the generator is deterministic, its uniform and normal draws have the right moments. */
#include <string.h>

#include "nn/rng.h"
#include "tap.h"

#define DRAWS 100000

int
main(void)
{
	NnRng		a;
	NnRng		b;
	NnRng		zero;
	bool		same = true;
	bool		differs = false;
	bool		in_range = true;
	double		sum = 0.0;
	double		sum_sq = 0.0;
	double		mean;
	double		var;
	size_t		counts[7] = {0};
	uint32_t	idx[1000];
	uint32_t	seen[1000];
	bool		permutation = true;
	bool		moved = false;
	int			i;

	/* same seed, same stream; another seed, another stream */
	nn_rng_seed(&a, 42);
	nn_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		if (nn_rng_next(&a) != nn_rng_next(&b))
			same = false;
	ok(same, "same seed gives the same 1000 values");
	nn_rng_seed(&a, 42);
	nn_rng_seed(&b, 43);
	for (i = 0; i < 10; i++)
		if (nn_rng_next(&a) != nn_rng_next(&b))
			differs = true;
	ok(differs, "different seeds give different values");
	nn_rng_seed(&zero, 0);
	ok((zero.s[0] | zero.s[1] | zero.s[2] | zero.s[3]) != 0, "seed 0 gives a non-zero state");
	ok(nn_rng_next(&zero) != nn_rng_next(&zero), "seed 0 stream is not stuck");

	/* reference value: xoshiro256** state {1,2,3,4} gives 11520 then 0 then 1509978240 */
	a.s[0] = 1;
	a.s[1] = 2;
	a.s[2] = 3;
	a.s[3] = 4;
	ok(nn_rng_next(&a) == 11520u, "xoshiro256** first output matches the reference");
	ok(nn_rng_next(&a) == 0u, "xoshiro256** second output matches the reference");
	ok(nn_rng_next(&a) == 1509978240u, "xoshiro256** third output matches the reference");

	/* uniform: in [0,1), mean 1/2, variance 1/12 */
	nn_rng_seed(&a, 7);
	for (i = 0; i < DRAWS; i++)
	{
		double		u = nn_rng_uniform(&a);

		if (!(u >= 0.0 && u < 1.0))
			in_range = false;
		sum += u;
		sum_sq += u * u;
	}
	mean = sum / DRAWS;
	var = sum_sq / DRAWS - mean * mean;
	ok(in_range, "uniform draws lie in [0, 1)");
	is_close(mean, 0.5, 0.005, "uniform mean ~ 0.5");
	is_close(var, 1.0 / 12.0, 0.002, "uniform variance ~ 1/12");

	/* normal: mean 0, variance 1 (standard error of the mean ~0.003) */
	sum = sum_sq = 0.0;
	in_range = true;
	for (i = 0; i < DRAWS; i++)
	{
		double		z = nn_rng_normal(&a);

		if (!isfinite(z))
			in_range = false;
		sum += z;
		sum_sq += z * z;
	}
	mean = sum / DRAWS;
	var = sum_sq / DRAWS - mean * mean;
	ok(in_range, "normal draws are finite");
	is_close(mean, 0.0, 0.015, "normal mean ~ 0");
	is_close(var, 1.0, 0.02, "normal variance ~ 1");

	/* below: in range, every value about equally often */
	in_range = true;
	for (i = 0; i < 70000; i++)
	{
		uint64_t	v = nn_rng_below(&a, 7);

		if (v >= 7)
			in_range = false;
		else
			counts[v]++;
	}
	ok(in_range, "below(7) stays in [0, 7)");
	{
		bool		balanced = true;

		for (i = 0; i < 7; i++)
			if (counts[i] < 9500 || counts[i] > 10500)
				balanced = false;
		ok(balanced, "below(7) hits every value about 10000 times of 70000");
	}
	ok(nn_rng_below(&a, 1) == 0, "below(1) is 0");
	in_range = true;
	for (i = 0; i < 1000; i++)
	{
		uint64_t	big = (UINT64_C(1) << 63) + 12345;

		if (nn_rng_below(&a, big) >= big)
			in_range = false;
	}
	ok(in_range, "below(2^63 + 12345) stays in range");

	/* shuffle: a permutation, and not the identity */
	for (i = 0; i < 1000; i++)
		idx[i] = (uint32_t) i;
	nn_rng_shuffle(&a, idx, 1000);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 1000; i++)
	{
		if (idx[i] >= 1000 || seen[idx[i]]++)
			permutation = false;
		if (idx[i] != (uint32_t) i)
			moved = true;
	}
	ok(permutation, "shuffle of 1000 is a permutation");
	ok(moved, "shuffle moved something");
	nn_rng_shuffle(&a, idx, 0);
	nn_rng_shuffle(&a, idx, 1);
	ok(true, "shuffle of 0 and 1 elements is harmless");

	return done_testing();
}
