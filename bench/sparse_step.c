/*
 * bench/sparse_step.c: what a training step costs with the sparse first layer (kernel_sparse.c,
 * lazy Adam on the touched rows) against the dense network on the same rows scattered into dense
 * vectors, and against the dense Adam update alone, as the number of inputs grows with the words
 * per row fixed. make bench/build/sparse_step && bench/build/sparse_step
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/nn.h"
#include "nn/kernel_sparse.h"

#define B 32
#define PAIRS 256
#define WORDS 100
#define HIDDEN 32

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(void)
{
	int			widths[] = {2048, 8192, 32768, 65536};
	int			w;

	printf("%8s %14s %14s %16s\n", "inputs", "sparse_us", "dense_us", "dense_adam_us");
	for (w = 0; w < 4; w++)
	{
		int			n = widths[w],
					r,
					k,
					steps = 200;
		NnSpec		sp,
					dn;
		size_t		n_params,
					ws_s,
					ws_d;
		float	   *params,
				   *grads,
				   *state,
				   *ws,
				   *wsd,
				   *rows,
				   *dense,
				   y[B],
					dl[B];
		NnOptimizer opt;
		NnTrainConfig cfg;
		NnRng		rng;
		double		t0,
					t_sparse,
					t_dense,
					t_adam;

		memset(&sp, 0, sizeof(sp));
		sp.n_inputs = n;
		sp.n_hidden = 2;
		sp.hidden[0] = HIDDEN;
		sp.hidden[1] = HIDDEN / 2;
		sp.activation = NN_ACT_RELU;
		sp.head = NN_HEAD_SIGMOID_BCE;
		sp.n_outputs = 1;
		dn = sp;
		sp.sparse_from = 0;
		sp.sparse_pairs = PAIRS;
		nn_rng_seed(&rng, 1);
		nn_spec_param_count(&sp, &n_params);
		nn_workspace_floats(&sp, B, &ws_s);
		nn_workspace_floats(&dn, B, &ws_d);
		params = malloc(sizeof(float) * n_params);
		grads = calloc(n_params, sizeof(float));
		state = calloc(2 * n_params, sizeof(float));
		ws = calloc(ws_s, sizeof(float));
		wsd = calloc(ws_d, sizeof(float));
		rows = malloc(sizeof(float) * B * 2 * PAIRS);
		dense = malloc(sizeof(float) * (size_t) B * n);
		nn_init_params(&sp, params, &rng);
		for (r = 0; r < B; r++)
		{
			for (k = 0; k < PAIRS; k++)
			{
				rows[r * 2 * PAIRS + 2 * k] = k < WORDS ? (float) ((k * 7919 + r * 104729) % n) : -1.0f;
				rows[r * 2 * PAIRS + 2 * k + 1] = 0.1f;
			}
			nn_sparse_densify(rows + r * 2 * PAIRS, 0, PAIRS, n, dense + (size_t) r * n);
			y[r] = (float) (r % 2);
		}
		nn_optimizer_defaults(&opt, NN_OPT_ADAM);
		memset(&cfg, 0, sizeof(cfg));
		t0 = now();
		for (k = 0; k < steps; k++)
			nn_train_step_config(&sp, params, grads, &opt, state, rows, y, &cfg, B, ws, dl);
		t_sparse = (now() - t0) / steps * 1e6;
		t0 = now();
		for (k = 0; k < steps / 10; k++)
			nn_train_step_config(&dn, params, grads, &opt, state, dense, y, &cfg, B, wsd, dl);
		t_dense = (now() - t0) / (steps / 10) * 1e6;
		t0 = now();
		for (k = 0; k < steps / 10; k++)
			nn_optimizer_step(&opt, params, grads, state, n_params);
		t_adam = (now() - t0) / (steps / 10) * 1e6;
		printf("%8d %14.1f %14.1f %16.1f\n", n, t_sparse, t_dense, t_adam);
		free(params);
		free(grads);
		free(state);
		free(ws);
		free(wsd);
		free(rows);
		free(dense);
	}
	return 0;
}
