/*
 * test_kernel_dense_train.c: the training step's blocked kernels (kernel_dense_train.c) against the plain-loop
 * references of kernel_dense_blas.c, at every instruction set (kernel_isa.h) this CPU can run, on shapes that hit each
 * block size, the column and row tails, several W^T panels and the one-output special cases.
 *
 * Tolerance per element: 2e-5 times the sum of the absolute values of its terms, plus 1e-7;
 * float32 sums of at most a few hundred terms stay well inside it, a wrong index does not.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/kernel_dense_blas.h"
#include "nn/kernel_dense_train.h"
#include "nn/rng.h"
#include "tap.h"

typedef struct Shape
{
	int			B;
	int			in;
	int			out;
} Shape;

static const Shape shapes[] = {
	{32, 10, 128},				/* the default network's layers */
	{32, 128, 64},
	{32, 64, 1},
	{1, 1, 1},
	{3, 5, 7},					/* scalar tails only */
	{5, 17, 16},				/* one vector of columns, odd rows */
	{37, 130, 70},				/* row tails, a column tail, three W^T panels across in */
	{33, 64, 200},				/* four W^T panels across out, the last partial */
	{7, 3, 2},
	{2, 300, 1},				/* a long dot product */
};

#define N_SHAPES ((int) (sizeof(shapes) / sizeof(shapes[0])))

/* Values in [-1, 1), about a quarter of them exactly zero, as relu outputs and gradients have. */
static void
fill(NnRng *rng, float *x, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		u = nn_rng_uniform(rng);

		x[i] = u < 0.25 ? 0.0f : (float) (2.0 * nn_rng_uniform(rng) - 1.0);
	}
}

static void
abs_copy(float *dst, const float *src, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		dst[i] = fabsf(src[i]);
}

/* Largest |got - want| - tolerance over n elements; <= 0 passes. */
static double
worst_excess(const float *got, const float *want, const float *abs_terms, size_t n)
{
	double		worst = -1.0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		excess = fabs((double) got[i] - want[i]) - (2e-5 * abs_terms[i] + 1e-7);

		if (!(excess <= worst))
			worst = isnan(excess) ? INFINITY : excess;
	}
	return worst;
}

static void
check_shape(NnIsa isa, const Shape *s, NnRng *rng)
{
	int			B = s->B,
				in = s->in,
				out = s->out;
	size_t		n_inp = (size_t) B * in,
				n_w = (size_t) in * out,
				n_out = (size_t) B * out;
	float	   *inp = malloc(sizeof(float) * n_inp),
			   *W = malloc(sizeof(float) * n_w),
			   *b = malloc(sizeof(float) * out),
			   *dout = malloc(sizeof(float) * n_out),
			   *ainp = malloc(sizeof(float) * n_inp),
			   *aW = malloc(sizeof(float) * n_w),
			   *ab = malloc(sizeof(float) * out),
			   *adout = malloc(sizeof(float) * n_out),
			   *got = malloc(sizeof(float) * n_out),
			   *want = malloc(sizeof(float) * n_out),
			   *terms = malloc(sizeof(float) * n_out),
			   *dW = malloc(sizeof(float) * n_w),
			   *dW_ref = malloc(sizeof(float) * n_w),
			   *dW_terms = malloc(sizeof(float) * n_w),
			   *db = malloc(sizeof(float) * out),
			   *db_ref = malloc(sizeof(float) * out),
			   *db_terms = malloc(sizeof(float) * out),
			   *dinp = malloc(sizeof(float) * n_inp),
			   *dinp_ref = malloc(sizeof(float) * n_inp),
			   *dinp_terms = malloc(sizeof(float) * n_inp);
	size_t		i;
	int			relu;

	fill(rng, inp, n_inp);
	fill(rng, W, n_w);
	fill(rng, b, out);
	fill(rng, dout, n_out);
	abs_copy(ainp, inp, n_inp);
	abs_copy(aW, W, n_w);
	abs_copy(ab, b, out);
	abs_copy(adout, dout, n_out);

	/* forward, with and without relu */
	dense_forward_reference(want, inp, W, b, B, in, out);
	dense_forward_reference(terms, ainp, aW, ab, B, in, out);
	for (relu = 0; relu <= 1; relu++)
	{
		float	   *expect = malloc(sizeof(float) * n_out);

		for (i = 0; i < n_out; i++)
			expect[i] = relu && !(want[i] > 0.0f) ? 0.0f : want[i];
		for (i = 0; i < n_out; i++)
			got[i] = 1e30f;
		dense_train_forward(got, inp, W, b, B, in, out, relu != 0);
		ok(worst_excess(got, expect, terms, n_out) <= 0.0,
		   "%s forward%s matches the reference, B %d in %d out %d", nn_isa_name(isa),
		   relu ? " + relu" : "", B, in, out);
		free(expect);
	}

	/* backward: dW, db overwritten; dinp with and without relu's derivative, and NULL */
	memset(dW_ref, 0, sizeof(float) * n_w);
	memset(db_ref, 0, sizeof(float) * out);
	dense_backward_reference(dinp_ref, dW_ref, db_ref, dout, inp, W, B, in, out);
	memset(dW_terms, 0, sizeof(float) * n_w);
	memset(db_terms, 0, sizeof(float) * out);
	dense_backward_reference(dinp_terms, dW_terms, db_terms, adout, ainp, aW, B, in, out);
	for (relu = 0; relu <= 2; relu++)
	{
		for (i = 0; i < n_w; i++)
			dW[i] = 1e30f;		/* garbage that must be overwritten, not accumulated into */
		for (i = 0; i < (size_t) out; i++)
			db[i] = 1e30f;
		for (i = 0; i < n_inp; i++)
			dinp[i] = 1e30f;
		dense_train_backward(relu == 2 ? NULL : dinp, dW, db, dout, inp, W, B, in, out, relu == 1);
		ok(worst_excess(dW, dW_ref, dW_terms, n_w) <= 0.0 &&
		   worst_excess(db, db_ref, db_terms, out) <= 0.0,
		   "%s backward dW and db match the reference (%s), B %d in %d out %d", nn_isa_name(isa),
		   relu == 2 ? "no dinp" : relu ? "relu mask" : "no mask", B, in, out);
		if (relu == 2)
		{
			bool		untouched = true;

			for (i = 0; i < n_inp; i++)
				untouched &= dinp[i] == 1e30f;
			ok(untouched, "%s backward without dinp writes none, B %d in %d out %d",
			   nn_isa_name(isa), B, in, out);
		}
		else
		{
			float	   *expect = malloc(sizeof(float) * n_inp);

			for (i = 0; i < n_inp; i++)
				expect[i] = relu && !(inp[i] > 0.0f) ? 0.0f : dinp_ref[i];
			ok(worst_excess(dinp, expect, dinp_terms, n_inp) <= 0.0,
			   "%s backward dinp%s matches the reference, B %d in %d out %d", nn_isa_name(isa),
			   relu ? " * relu'" : "", B, in, out);
			free(expect);
		}
	}
	free(inp);
	free(W);
	free(b);
	free(dout);
	free(ainp);
	free(aW);
	free(ab);
	free(adout);
	free(got);
	free(want);
	free(terms);
	free(dW);
	free(dW_ref);
	free(dW_terms);
	free(db);
	free(db_ref);
	free(db_terms);
	free(dinp);
	free(dinp_ref);
	free(dinp_terms);
}

int
main(void)
{
	NnRng		rng;
	NnIsa		best;
	static const NnIsa isas[] = {NN_ISA_BASELINE, NN_ISA_AVX2, NN_ISA_AVX512};
	size_t		v;
	int			k;

	nn_rng_seed(&rng, 7);
	best = dense_train_isa();
	ok(best != NN_ISA_AUTO, "a variant is chosen on first use (%s)", nn_isa_name(best));
	ok(!dense_train_use_isa((NnIsa) 99) && dense_train_isa() == best,
	   "an unknown variant is refused and changes nothing");
	for (v = 0; v < sizeof(isas) / sizeof(isas[0]); v++)
	{
		if (!dense_train_use_isa(isas[v]))
		{
			ok(true, "# SKIP %s: not available on this CPU or build", nn_isa_name(isas[v]));
			continue;
		}
		ok(dense_train_isa() == isas[v], "%s forced", nn_isa_name(isas[v]));
		for (k = 0; k < N_SHAPES; k++)
			check_shape(isas[v], &shapes[k], &rng);
	}
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}
