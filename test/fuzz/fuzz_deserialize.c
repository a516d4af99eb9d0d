/*
 * fuzz_deserialize.c: libFuzzer target: any bytes given to the model deserializer are rejected or
 * decoded, never a crash.
 *
 * Each input is tried twice: as it is, and with its last four bytes replaced by the CRC-32C of
 * the bytes before them. Without the second try nearly every mutation stops at the checksum and
 * the spec, size and finiteness checks behind it are never reached.
 *
 * Invariants on accepted bytes (a violation aborts, so libFuzzer reports it):
 *   - the spec is one the serializer accepts, and its size is exactly the input's size;
 *   - the parameters decode, are finite, and serialize back to the very same bytes;
 *   - a row of zeros scores without touching memory outside the sizes the spec gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
try_bytes(const unsigned char *data, size_t size)
{
	NnSpec		spec;
	NnRng		rng;
	size_t		n_params,
				again_size;
	float	   *params,
			   *x,
			   *out,
			   *scratch;
	unsigned char *again;

	if (nn_deserialize_header(data, size, &spec, &rng, &n_params) != NN_OK)
		return;
	if (nn_serialized_size(&spec, &again_size) != NN_OK || again_size != size)
		__builtin_trap();
	params = malloc(sizeof(float) * (n_params ? n_params : 1));
	nn_deserialize_params(data, size, params);
	if (nn_check_finite(params, n_params) != NN_OK)
		__builtin_trap();
	again = malloc(size);
	if (nn_serialize(&spec, params, &rng, again, size) != NN_OK || memcmp(again, data, size) != 0)
		__builtin_trap();
	x = calloc(spec.n_inputs, sizeof(float));
	out = malloc(sizeof(float) * spec.n_outputs);
	scratch = malloc(sizeof(float) * nn_predict_scratch_floats(&spec));
	nn_predict_row(&spec, params, x, out, scratch);
	free(params);
	free(again);
	free(x);
	free(out);
	free(scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_bytes(data, size);
	if (size >= 8)
	{
		unsigned char *fixed = malloc(size);
		uint32_t	crc = nn_crc32c(data, size - 4);

		memcpy(fixed, data, size - 4);
		fixed[size - 4] = (unsigned char) crc;
		fixed[size - 3] = (unsigned char) (crc >> 8);
		fixed[size - 2] = (unsigned char) (crc >> 16);
		fixed[size - 1] = (unsigned char) (crc >> 24);
		try_bytes(fixed, size);
		free(fixed);
	}
	return 0;
}
