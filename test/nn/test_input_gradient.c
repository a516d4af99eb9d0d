/* test_input_gradient.c: d(output)/d(input) against central finite differences, for every head. */
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

static void
check(NnHead head, int K, int output, NnActivation act, const char *name)
{
	NnSpec		spec = {0};
	size_t		n_params,
				ws;
	float	   *params,
			   *workspace,
			   *grads,
			   dlogits[8],
				dinp[4],
				out[1],
				x[4] = {0.3f, -0.7f, 1.1f, 0.05f},
				scratch[64],
				y[8];
	NnRng		rng;
	double		worst = 0.0;
	int			i;

	spec.n_inputs = 4;
	spec.n_hidden = 2;
	spec.hidden[0] = 7;
	spec.hidden[1] = 5;
	spec.activation = act;
	spec.head = head;
	spec.n_outputs = K;
	nn_spec_param_count(&spec, &n_params);
	nn_workspace_floats(&spec, 1, &ws);
	params = malloc(sizeof(float) * n_params);
	workspace = malloc(sizeof(float) * ws);
	grads = malloc(sizeof(float) * n_params);
	nn_rng_seed(&rng, 4);
	nn_init_params(&spec, params, &rng);
	nn_input_gradient(&spec, params, x, 1, output, workspace, grads, dlogits, dinp, out);
	nn_predict_row(&spec, params, x, y, scratch);
	is_close(out[0], y[head == NN_HEAD_SOFTMAX_CE ? output : 0], 1e-6, "output equals nn_predict_row's");
	for (i = 0; i < 4; i++)
	{
		float		saved = x[i];
		double		plus,
					minus,
					numeric;

		x[i] = saved + 1e-3f;
		nn_predict_row(&spec, params, x, y, scratch);
		plus = y[head == NN_HEAD_SOFTMAX_CE ? output : 0];
		x[i] = saved - 1e-3f;
		nn_predict_row(&spec, params, x, y, scratch);
		minus = y[head == NN_HEAD_SOFTMAX_CE ? output : 0];
		x[i] = saved;
		numeric = (plus - minus) / ((double) (saved + 1e-3f) - (double) (saved - 1e-3f));
		worst = fmax(worst, fabs(numeric - dinp[i]) - (1e-2 * fabs(numeric) + 1e-4));
	}
	ok(worst <= 0.0, "%s: input gradient matches finite differences (worst excess %.3g)", name, worst);
	free(params);
	free(workspace);
	free(grads);
}

int
main(void)
{
	check(NN_HEAD_SIGMOID_BCE, 1, 0, NN_ACT_TANH, "sigmoid head, tanh");
	check(NN_HEAD_SIGMOID_BCE, 1, 0, NN_ACT_RELU, "sigmoid head, relu");
	check(NN_HEAD_SOFTMAX_CE, 3, 2, NN_ACT_SIGMOID, "softmax head, class 2");
	check(NN_HEAD_SOFTMAX_CE, 3, 0, NN_ACT_LEAKY_RELU, "softmax head, class 0");
	check(NN_HEAD_LINEAR_MSE, 1, 0, NN_ACT_TANH, "linear head");
	return done_testing();
}
