/* test_model_average.c: the row-weighted model average and the exact merge of column moments, on hand-computed numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/model_average.h"
#include "nn/mlp.h"
#include "tap.h"

static void
test_weighted_mean(void)
{
	const float a[3] = {1.0f, 2.0f, 3.0f};
	const float b[3] = {4.0f, 6.0f, -3.0f};
	const float *arrays[2] = {a, b};
	const double rows[2] = {1.0, 3.0};
	const double zero_b[2] = {5.0, 0.0};
	float		out[3];
	float		inplace[3] = {1.0f, 2.0f, 3.0f};
	const float *inplace_arrays[2] = {inplace, b};

	/* (1*1 + 3*4)/4, (1*2 + 3*6)/4, (1*3 - 3*3)/4 */
	ok(nn_weighted_average(3, 2, arrays, rows, out) == NN_OK, "weighted average succeeds");
	is_close(out[0], 3.25, 0.0, "weighted mean of the first entry is 13/4");
	is_close(out[1], 5.0, 0.0, "weighted mean of the second entry is 20/4");
	is_close(out[2], -1.5, 0.0, "weighted mean of the third entry is -6/4");

	ok(nn_weighted_average(3, 2, arrays, zero_b, out) == NN_OK, "a model trained on 0 rows may be averaged in");
	ok(memcmp(out, a, sizeof(a)) == 0, "weight 0 leaves the other model's parameters bit for bit");

	ok(nn_weighted_average(3, 2, inplace_arrays, rows, inplace) == NN_OK, "out may be one of the inputs");
	is_close(inplace[0], 3.25, 0.0, "in place: same first entry");
	is_close(inplace[2], -1.5, 0.0, "in place: same third entry");
}

static void
test_refusals(void)
{
	const float a[2] = {1.0f, 2.0f};
	float		nan_b[2] = {1.0f, NAN};
	const float *arrays[2] = {a, nan_b};
	const double rows[2] = {1.0, 1.0};
	const double negative[2] = {1.0, -1.0};
	const double none[2] = {0.0, 0.0};
	const double inf[2] = {1.0, INFINITY};
	float		out[2] = {7.0f, 7.0f};

	ok(nn_weighted_average(2, 0, arrays, rows, out) == NN_ERR_ARGUMENT, "k = 0 is refused");
	ok(nn_weighted_average(2, 2, arrays, negative, out) == NN_ERR_ARGUMENT, "a negative row count is refused");
	ok(nn_weighted_average(2, 2, arrays, none, out) == NN_ERR_ARGUMENT, "no rows at all is refused");
	ok(nn_weighted_average(2, 2, arrays, inf, out) == NN_ERR_ARGUMENT, "an infinite row count is refused");
	ok(nn_weighted_average(2, 2, arrays, rows, out) == NN_ERR_NONFINITE, "a NaN parameter is refused");
	ok(out[0] == 7.0f && out[1] == 7.0f, "a refused average writes nothing");
}

/*
 * A network without hidden layers and a linear head is x.W + b: the average of two such models
 * scores the row-weighted average of their scores, for every input.
 */
static void
test_linear_models(void)
{
	NnSpec		spec;
	size_t		n_params;
	float		p1[4],
				p2[4],
				avg[4],
				scratch[64];
	const float *models[2] = {p1, p2};
	const double rows[2] = {3.0, 1.0};
	const float x[3] = {0.5f, -2.0f, 1.0f};
	float		s1,
				s2,
				sa;

	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = 3;
	spec.n_hidden = 0;
	spec.head = NN_HEAD_LINEAR_MSE;
	spec.n_outputs = 1;
	ok(nn_spec_param_count(&spec, &n_params) == NN_OK && n_params == 4, "a linear model of 3 inputs has 4 parameters");
	/* W then b */
	p1[0] = 1.0f; p1[1] = 0.0f; p1[2] = 2.0f; p1[3] = 1.0f;
	p2[0] = -3.0f; p2[1] = 4.0f; p2[2] = 2.0f; p2[3] = -3.0f;
	ok(nn_model_average(&spec, 2, models, rows, avg) == NN_OK, "two linear models average");
	/* (3*1 - 3)/4 = 0, (0 + 4)/4 = 1, 2, (3 - 3)/4 = 0 */
	ok(avg[0] == 0.0f && avg[1] == 1.0f && avg[2] == 2.0f && avg[3] == 0.0f,
	   "hand-computed average parameters 0, 1, 2, 0");
	nn_predict_row(&spec, p1, x, &s1, scratch);
	nn_predict_row(&spec, p2, x, &s2, scratch);
	nn_predict_row(&spec, avg, x, &sa, scratch);
	/* s1 = 0.5 + 2 + 1 = 3.5, s2 = -1.5 - 8 + 2 - 3 = -10.5, average (3*3.5 - 10.5)/4 = 0 */
	is_close(s1, 3.5, 1e-6, "first model scores 3.5");
	is_close(s2, -10.5, 1e-6, "second model scores -10.5");
	is_close(sa, 0.0, 1e-6, "the averaged model scores the row-weighted average of the scores");

	spec.n_inputs = 0;
	ok(nn_model_average(&spec, 2, models, rows, avg) != NN_OK, "an invalid spec is refused");
}

static void
test_optimizer_state(void)
{
	/* Adam: 2 parameters, m then v */
	const float s1[4] = {0.1f, 0.2f, 0.01f, 0.04f};
	const float s2[4] = {0.3f, -0.2f, 0.03f, 0.0f};
	const float *states[2] = {s1, s2};
	const double rows[2] = {1.0, 1.0};
	float		out[4];

	ok(nn_optimizer_state_average(NN_OPT_ADAM, 2, 2, states, rows, out) == NN_OK, "Adam states average");
	is_close(out[0], 0.2, 1e-7, "first moment averaged");
	is_close(out[1], 0.0, 1e-7, "first moment of opposite signs cancels");
	is_close(out[2], 0.02, 1e-7, "second moment averaged");
	is_close(out[3], 0.02, 1e-7, "second moment stays positive");
	ok(nn_optimizer_state_average(NN_OPT_SGD, 2, 2, states, rows, out) == NN_OK, "SGD has no state to average");
}

static void
test_moments(void)
{
	const double a_rows[3] = {1, 2, 3};
	const double b_rows[2] = {10, 20};
	NnMoments	a = {0, 0, 0},
				b = {0, 0, 0},
				all = {0, 0, 0},
				merged,
				empty = {0, 0, 0};
	int			i;

	for (i = 0; i < 3; i++)
	{
		nn_moments_add(&a, a_rows[i], 1.0);
		nn_moments_add(&all, a_rows[i], 1.0);
	}
	for (i = 0; i < 2; i++)
	{
		nn_moments_add(&b, b_rows[i], 1.0);
		nn_moments_add(&all, b_rows[i], 1.0);
	}
	is_close(a.mean, 2.0, 1e-12, "shard A: mean 2");
	is_close(a.m2, 2.0, 1e-12, "shard A: m2 2");
	is_close(b.mean, 15.0, 1e-12, "shard B: mean 15");
	is_close(b.m2, 50.0, 1e-12, "shard B: m2 50");
	merged = nn_moments_merge(a, b);
	/* union {1,2,3,10,20}: mean 36/5, m2 = 2 + 50 + 13^2 * 3 * 2 / 5 = 254.8 */
	is_close(merged.count, 5.0, 0.0, "merged count 5");
	is_close(merged.mean, 7.2, 1e-12, "merged mean 7.2");
	is_close(merged.m2, 254.8, 1e-9, "merged m2 254.8 (parallel variance formula)");
	is_close(nn_moments_variance(&merged), 50.96, 1e-10, "merged population variance 50.96");
	is_close(merged.m2, all.m2, 1e-9, "merging equals accumulating the union in one pass");
	merged = nn_moments_merge(empty, b);
	ok(merged.count == b.count && merged.mean == b.mean && merged.m2 == b.m2, "merging with no rows keeps the other side");

	/* weights as counts: value 4 with weight 3 is the rows 4, 4, 4 */
	memset(&a, 0, sizeof(a));
	nn_moments_add(&a, 4.0, 3.0);
	nn_moments_add(&a, 0.0, 1.0);
	nn_moments_add(&a, 9.0, 0.0);
	/* {4,4,4,0}: mean 3, m2 = 1+1+1+9 = 12 */
	is_close(a.count, 4.0, 0.0, "weighted count 4 (weight 0 ignored)");
	is_close(a.mean, 3.0, 1e-12, "weighted mean 3");
	is_close(a.m2, 12.0, 1e-12, "weighted m2 12");
}

int
main(void)
{
	test_weighted_mean();
	test_refusals();
	test_linear_models();
	test_optimizer_state();
	test_moments();
	return done_testing();
}
