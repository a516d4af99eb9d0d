/* fuzz_deserialize.c: libFuzzer target: any bytes given to the model deserializer are rejected or decoded, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	NnSpec		spec;
	NnRng		rng;
	size_t		n_params;

	if (nn_deserialize_header(data, size, &spec, &rng, &n_params) == NN_OK)
	{
		/* accepted bytes must decode and score without touching memory outside their sizes */
		float	   *params = malloc(sizeof(float) * n_params);
		float	   *x = calloc(spec.n_inputs, sizeof(float));
		float	   *out = malloc(sizeof(float) * spec.n_outputs);
		float	   *scratch = malloc(sizeof(float) * nn_predict_scratch_floats(&spec));

		nn_deserialize_params(data, size, params);
		nn_predict_row(&spec, params, x, out, scratch);
		free(params);
		free(x);
		free(out);
		free(scratch);
	}
	return 0;
}
