/*
 * test_sparse_input.c: the sparse first layer (kernel_sparse.c) against the dense network on the
 * same inputs scattered into a dense vector: forward, gradients (also against central finite
 * differences), scoring a row, and the lazy training step.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "nn/kernel_sparse.h"
#include "tap.h"

#define N_DENSE 3
#define N_SLOTS 40
#define N_PAIRS 5
#define B 4

static NnSpec
make_spec(bool sparse, NnActivation act)
{
	NnSpec		s;

	memset(&s, 0, sizeof(s));
	s.n_inputs = N_DENSE + N_SLOTS;
	s.n_hidden = 2;
	s.hidden[0] = 6;
	s.hidden[1] = 4;
	s.activation = act;
	s.head = NN_HEAD_SIGMOID_BCE;
	s.n_outputs = 1;
	if (sparse)
	{
		s.sparse_from = N_DENSE;
		s.sparse_pairs = N_PAIRS;
	}
	return s;
}

/* B rows of N_DENSE values then pairs: row r has r + 1 pairs (the last row all N_PAIRS), the rest ended by -1. */
static void
make_rows(NnRng *rng, float *rows)
{
	int			w = N_DENSE + 2 * N_PAIRS,
				r,
				k;

	for (r = 0; r < B; r++)
	{
		float	   *x = rows + r * w;
		int			np = r == B - 1 ? N_PAIRS : r + 1;

		for (k = 0; k < N_DENSE; k++)
			x[k] = k == 1 && r == 0 ? 0.0f : (float) (2.0 * nn_rng_uniform(rng) - 1.0);
		for (k = 0; k < N_PAIRS; k++)
		{
			/* rows 1 and 2 share slot 7: one weight row gets two rows' gradients */
			int			slot = (k == 0 && (r == 1 || r == 2)) ? 7 : (int) (nn_rng_uniform(rng) * N_SLOTS);

			x[N_DENSE + 2 * k] = k < np ? (float) (N_DENSE + slot + 0 * k) : -1.0f;
			x[N_DENSE + 2 * k + 1] = k < np ? (float) (0.2 + nn_rng_uniform(rng)) : 0.0f;
		}
		/* no slot twice in a row, as the text encoder guarantees */
		for (k = 1; k < np; k++)
			for (int j = 0; j < k; j++)
				if (x[N_DENSE + 2 * k] == x[N_DENSE + 2 * j])
					x[N_DENSE + 2 * k] = (float) (N_DENSE + ((int) x[N_DENSE + 2 * k] - N_DENSE + 1 + k) % N_SLOTS);
	}
}

static void
densify_all(const float *rows, float *dense)
{
	int			r;

	for (r = 0; r < B; r++)
		nn_sparse_densify(rows + r * (N_DENSE + 2 * N_PAIRS), N_DENSE, N_PAIRS, N_DENSE + N_SLOTS,
						  dense + r * (N_DENSE + N_SLOTS));
}

static double
max_abs_diff(const float *a, const float *b, size_t n)
{
	double		worst = 0.0;
	size_t		i;

	for (i = 0; i < n; i++)
		worst = fmax(worst, fabs((double) a[i] - b[i]));
	return worst;
}

typedef struct LossCtx
{
	const NnSpec *spec;
	float	   *params;
	const float *rows;
	const float *y;
	float	   *ws;
} LossCtx;

static double
batch_loss(LossCtx *c)
{
	float	   *logits = nn_forward(c->spec, c->params, c->rows, B, c->ws);

	return nn_head_loss(c->spec->head, logits, c->y, NULL, B, 1, NULL);
}

int
main(void)
{
	NnSpec		sp = make_spec(true, NN_ACT_TANH),
				dn = make_spec(false, NN_ACT_TANH);
	size_t		n_params,
				ws_s,
				ws_d,
				i;
	float	   *params,
			   *grads_s,
			   *grads_d,
			   *ws_sparse,
			   *ws_dense,
			   dl_s[B],
			   dl_d[B];
	float		rows[B * (N_DENSE + 2 * N_PAIRS)],
				dense[B * (N_DENSE + N_SLOTS)],
				y[B] = {1, 0, 1, 0};
	NnRng		rng;
	bool		touched[N_DENSE + N_SLOTS] = {false};
	int			r,
				k;

	nn_rng_seed(&rng, 42);
	ok(nn_spec_validate(&sp) == NN_OK, "a sparse spec validates");
	is_int(nn_row_width(&sp), N_DENSE + 2 * N_PAIRS, "a sparse row is the dense inputs and the pairs");
	is_int(nn_row_width(&dn), N_DENSE + N_SLOTS, "a dense row is n_inputs");
	nn_spec_param_count(&sp, &n_params);
	nn_workspace_floats(&sp, B, &ws_s);
	nn_workspace_floats(&dn, B, &ws_d);
	params = calloc(n_params, sizeof(float));
	grads_s = calloc(n_params, sizeof(float));
	grads_d = calloc(n_params, sizeof(float));
	ws_sparse = calloc(ws_s, sizeof(float));
	ws_dense = calloc(ws_d, sizeof(float));
	nn_init_params(&sp, params, &rng);
	make_rows(&rng, rows);
	densify_all(rows, dense);
	for (r = 0; r < B; r++)
		for (k = 0; k < nn_sparse_row_pairs(rows + r * (N_DENSE + 2 * N_PAIRS) + N_DENSE, N_PAIRS); k++)
			touched[(int) rows[r * (N_DENSE + 2 * N_PAIRS) + N_DENSE + 2 * k]] = true;

	/* forward: sparse == dense on the densified rows */
	{
		float	   *ls = nn_forward(&sp, params, rows, B, ws_sparse);
		float	   *ld = nn_forward(&dn, params, dense, B, ws_dense);

		ok(max_abs_diff(ls, ld, B) < 1e-5, "sparse forward equals dense forward (max diff %.2g)",
		   max_abs_diff(ls, ld, B));
	}
	/* scoring one row */
	{
		float		out_s,
					out_d[B],
					scratch[64];

		nn_predict_batch(&dn, params, dense, B, out_d, ws_dense);
		nn_predict_row(&sp, params, rows + 3 * (N_DENSE + 2 * N_PAIRS), &out_s, scratch);
		is_close(out_s, out_d[3], 1e-6, "sparse nn_predict_row equals dense batch scoring");
	}
	/* gradients: sparse backward == dense backward on touched rows and dense rows, untouched left alone */
	{
		float	   *ls = nn_forward(&sp, params, rows, B, ws_sparse);
		float	   *ld;
		bool		untouched_zero = true;
		double		diff = 0.0;
		NnLayerView v0 = nn_spec_layer(&sp, 0);

		nn_head_loss(sp.head, ls, y, NULL, B, 1, dl_s);
		memset(grads_s, 0, sizeof(float) * n_params);
		nn_backward(&sp, params, rows, B, ws_sparse, dl_s, grads_s);
		ld = nn_forward(&dn, params, dense, B, ws_dense);
		nn_head_loss(dn.head, ld, y, NULL, B, 1, dl_d);
		memset(grads_d, 0, sizeof(float) * n_params);
		nn_backward(&dn, params, dense, B, ws_dense, dl_d, grads_d);
		for (i = 0; i < n_params; i++)
		{
			bool		in_sparse_rows = i < (size_t) v0.in * v0.out && (int) (i / v0.out) >= N_DENSE;

			if (in_sparse_rows && !touched[i / v0.out])
				untouched_zero &= grads_s[i] == 0.0f && grads_d[i] == 0.0f;
			else
				diff = fmax(diff, fabs((double) grads_s[i] - grads_d[i]));
		}
		ok(diff < 1e-5, "sparse gradients equal dense gradients (max diff %.2g)", diff);
		ok(untouched_zero, "rows of absent sparse inputs get no gradient");
	}
	/* central finite differences of the loss in every parameter of the first layer that matters */
	{
		LossCtx		c = {&sp, params, rows, y, ws_sparse};
		NnLayerView v0 = nn_spec_layer(&sp, 0);
		double		worst = 0.0;
		size_t		checked = 0;

		for (i = 0; i < v0.b_offset + v0.out; i++)
		{
			size_t		row = i / v0.out;
			float		saved = params[i];
			float		plus = saved + 1e-2f,
						minus = saved - 1e-2f;
			double		lp,
						lm,
						num,
						excess;

			if (i < v0.b_offset && row >= N_DENSE && !touched[row])
				continue;
			params[i] = plus;
			lp = batch_loss(&c);
			params[i] = minus;
			lm = batch_loss(&c);
			params[i] = saved;
			num = (lp - lm) / ((double) plus - minus);
			excess = fabs(num - grads_s[i]) - (1e-2 * fmax(fabs(num), fabs(grads_s[i])) + 5e-4);
			worst = fmax(worst, excess);
			checked++;
		}
		ok(worst <= 0.0 && checked > 50, "sparse first-layer gradient matches finite differences (%zu weights)",
		   checked);
	}
	/* one Adam step: lazy on the sparse net equals dense Adam (absent rows: zero gradient, no move) */
	{
		NnSpec		sp_relu = make_spec(true, NN_ACT_RELU),
					dn_relu = make_spec(false, NN_ACT_RELU);
		float	   *p_s = malloc(sizeof(float) * n_params),
				   *p_d = malloc(sizeof(float) * n_params),
				   *st_s = calloc(2 * n_params, sizeof(float)),
				   *st_d = calloc(2 * n_params, sizeof(float)),
				   *before = malloc(sizeof(float) * n_params);
		NnOptimizer o_s,
					o_d;
		NnTrainConfig cfg;
		NnLayerView v0 = nn_spec_layer(&sp, 0);
		bool		untouched_kept = true;
		int			step;

		memcpy(p_s, params, sizeof(float) * n_params);
		memcpy(p_d, params, sizeof(float) * n_params);
		nn_optimizer_defaults(&o_s, NN_OPT_ADAM);
		o_d = o_s;
		memset(&cfg, 0, sizeof(cfg));
		cfg.l2 = 1e-3f;
		cfg.clipnorm = 5.0f;
		nn_train_step_config(&sp_relu, p_s, grads_s, &o_s, st_s, rows, y, &cfg, B, ws_sparse, dl_s);
		/* the dense twin without l2 on absent rows' weights: compare only where both penalise */
		cfg.l2 = 0.0f;
		cfg.clipnorm = 0.0f;
		memcpy(before, params, sizeof(float) * n_params);
		{
			float	   *p2 = malloc(sizeof(float) * n_params),
					   *st2 = calloc(2 * n_params, sizeof(float));
			NnOptimizer o2 = o_d;

			memcpy(p2, params, sizeof(float) * n_params);
			nn_train_step_config(&sp_relu, p2, grads_s, &o2, st2, rows, y, &cfg, B, ws_sparse, dl_s);
			nn_train_step_config(&dn_relu, p_d, grads_d, &o_d, st_d, dense, y, &cfg, B, ws_dense, dl_d);
			ok(max_abs_diff(p2, p_d, n_params) < 1e-6,
			   "one lazy Adam step on the sparse net equals a dense Adam step (max diff %.2g)",
			   max_abs_diff(p2, p_d, n_params));
			is_int(o2.step, 1, "the sparse step counts one update");
			free(p2);
			free(st2);
		}
		for (step = 0; step < 5; step++)
			nn_train_step_config(&sp_relu, p_s, grads_s, &o_s, st_s, rows, y, &cfg, B, ws_sparse, dl_s);
		for (i = N_DENSE * (size_t) v0.out; i < v0.b_offset; i++)
			if (!touched[i / v0.out])
				untouched_kept &= p_s[i] == before[i];
		ok(untouched_kept, "weights of sparse inputs absent from every batch never move (lazy update)");
		free(p_s);
		free(p_d);
		free(st_s);
		free(st_d);
		free(before);
	}
	/* an index outside the sparse inputs is skipped, never read */
	{
		float		row[N_DENSE + 2 * N_PAIRS],
					x[N_DENSE + N_SLOTS];

		memset(row, 0, sizeof(row));
		row[N_DENSE] = (float) (N_DENSE + N_SLOTS + 5);
		row[N_DENSE + 1] = 1.0f;
		row[N_DENSE + 2] = -1.0f;
		nn_sparse_densify(row, N_DENSE, N_PAIRS, N_DENSE + N_SLOTS, x);
		ok(max_abs_diff(x, (float[N_DENSE + N_SLOTS]) {0}, N_DENSE + N_SLOTS) == 0.0,
		   "an out-of-range pair index is ignored");
	}
	free(params);
	free(grads_s);
	free(grads_d);
	free(ws_sparse);
	free(ws_dense);
	return done_testing();
}
