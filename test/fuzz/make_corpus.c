/* make_corpus.c: writes valid serialized models as the deserializer fuzzer's seed corpus. */
#include <stdio.h>
#include <stdlib.h>

#include "nn/nn.h"

static void
write_model(const char *dir, const char *name, NnSpec *spec)
{
	size_t		n_params,
				size;
	float	   *params;
	unsigned char *buf;
	NnRng		rng;
	char		path[512];
	FILE	   *f;

	nn_spec_param_count(spec, &n_params);
	nn_serialized_size(spec, &size);
	params = malloc(sizeof(float) * n_params);
	buf = malloc(size);
	nn_rng_seed(&rng, 1);
	nn_init_params(spec, params, &rng);
	nn_serialize(spec, params, &rng, buf, size);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	fwrite(buf, 1, size, f);
	fclose(f);
	free(params);
	free(buf);
}

int
main(int argc, char **argv)
{
	NnSpec		a = {.n_inputs = 3, .n_hidden = 1, .hidden = {4}, .activation = NN_ACT_RELU, .head = NN_HEAD_SIGMOID_BCE, .n_outputs = 1};
	NnSpec		b = {.n_inputs = 2, .n_hidden = 2, .hidden = {3, 2}, .activation = NN_ACT_TANH, .head = NN_HEAD_SOFTMAX_CE, .n_outputs = 3};
	NnSpec		c = {.n_inputs = 5, .n_hidden = 0, .activation = NN_ACT_LINEAR, .head = NN_HEAD_LINEAR_MSE, .n_outputs = 1};

	if (argc != 2)
		return 2;
	write_model(argv[1], "binary.bin", &a);
	write_model(argv[1], "multiclass.bin", &b);
	write_model(argv[1], "regression.bin", &c);
	return 0;
}
