/* test_ensemble.c: a packed ensemble scores the mean of its members' outputs before the head. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ensemble.h"
#include "nn/mlp.h"
#include "tap.h"

#define K 4

static void
check_shape(int n_hidden, const int *hidden, NnHead head, int n_outputs, const char *name)
{
	NnSpec		member,
				packed;
	NnRng		rng;
	size_t		n_member,
				n_packed;
	float	   *members[K],
			   *pp,
				x[7],
				out[16],
				mean[16],
			   *scratch;
	double		worst = 0.0;
	int			m,
				r,
				o,
				i;

	memset(&member, 0, sizeof(member));
	member.n_inputs = 7;
	member.n_hidden = n_hidden;
	for (i = 0; i < n_hidden; i++)
		member.hidden[i] = hidden[i];
	member.activation = NN_ACT_RELU;
	member.head = NN_HEAD_LINEAR_MSE;
	member.n_outputs = n_outputs;
	(void) head;
	ok(nn_ensemble_spec(&member, K, &packed) == NN_OK, "%s: packed spec is valid", name);
	ok(packed.hidden[0] == K * hidden[0] && packed.n_inputs == 7 && packed.n_outputs == n_outputs,
	   "%s: widths times %d, inputs and outputs kept", name, K);
	nn_spec_param_count(&member, &n_member);
	nn_spec_param_count(&packed, &n_packed);
	nn_rng_seed(&rng, 3);
	for (m = 0; m < K; m++)
	{
		members[m] = malloc(sizeof(float) * n_member);
		nn_init_params(&member, members[m], &rng);
		/* biases too, so their mean is tested */
		for (i = 0; i < (int) n_member; i++)
			members[m][i] += 0.01f * (float) nn_rng_normal(&rng);
	}
	pp = malloc(sizeof(float) * n_packed);
	nn_ensemble_pack(&member, K, (const float *const *) members, pp);
	scratch = malloc(sizeof(float) * (nn_predict_scratch_floats(&packed) + nn_predict_scratch_floats(&member)));
	for (r = 0; r < 50; r++)
	{
		for (i = 0; i < 7; i++)
			x[i] = (float) nn_rng_normal(&rng);
		memset(mean, 0, sizeof(mean));
		for (m = 0; m < K; m++)
		{
			nn_predict_row(&member, members[m], x, out, scratch);
			for (o = 0; o < n_outputs; o++)
				mean[o] += out[o] / K;
		}
		nn_predict_row(&packed, pp, x, out, scratch);
		for (o = 0; o < n_outputs; o++)
			worst = fmax(worst, fabs(out[o] - mean[o]) / (1.0 + fabs(mean[o])));
	}
	ok(worst < 1e-5, "%s: packed output is the members' mean (worst relative error %g)", name, worst);
	for (m = 0; m < K; m++)
		free(members[m]);
	free(pp);
	free(scratch);
}

int
main(void)
{
	NnSpec		linear,
				packed;
	int			one[1] = {5},
				two[2] = {6, 3},
				three[3] = {4, 5, 2};

	check_shape(1, one, NN_HEAD_LINEAR_MSE, 1, "one hidden layer");
	check_shape(2, two, NN_HEAD_LINEAR_MSE, 1, "two hidden layers");
	check_shape(3, three, NN_HEAD_LINEAR_MSE, 1, "three hidden layers");
	memset(&linear, 0, sizeof(linear));
	linear.n_inputs = 3;
	linear.head = NN_HEAD_LINEAR_MSE;
	linear.n_outputs = 1;
	ok(nn_ensemble_spec(&linear, 2, &packed) == NN_ERR_ARGUMENT, "no hidden layer: nothing to pack");
	ok(nn_ensemble_spec(&linear, 1, &packed) == NN_OK, "one member is the network itself");
	return done_testing();
}
