/*
 * test_serialize.c: model bytes round-trip exactly, and every kind of damage is rejected
 * (never accepted, never read out of bounds: the sanitizer build checks the latter).
 * Also the spec's size checks and the status messages.
 */
#include <string.h>

#include "nn/nn.h"
#include "tap.h"

#define HEADER 104				/* 3 u32 + 13 i32 + 4 u64 + u64 */
#define MAX_BYTES 512

/* Offsets of header fields, from the layout in serialize.h. */
enum
{
	OFF_MAGIC = 0, OFF_VERSION = 4, OFF_HEADER_BYTES = 8, OFF_N_INPUTS = 12, OFF_N_HIDDEN = 16,
	OFF_HIDDEN = 20, OFF_ACTIVATION = 52, OFF_HEAD = 56, OFF_N_OUTPUTS = 60, OFF_RNG = 64,
	OFF_N_PARAMS = 96, OFF_PARAMS = HEADER
};

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
	p[2] = (unsigned char) (v >> 16);
	p[3] = (unsigned char) (v >> 24);
}

/* Recompute the trailing CRC so only the field under test is wrong. */
static void
fix_crc(unsigned char *buf, size_t size)
{
	put_u32(buf + size - 4, nn_crc32c(buf, size - 4));
}

/* Status of deserializing a copy of buf with one u32 field replaced and the CRC fixed. */
static NnStatus
with_field(const unsigned char *buf, size_t size, size_t offset, uint32_t value)
{
	unsigned char copy[MAX_BYTES];
	NnSpec		spec;
	NnRng		rng;
	size_t		n_params;

	memcpy(copy, buf, size);
	put_u32(copy + offset, value);
	fix_crc(copy, size);
	return nn_deserialize_header(copy, size, &spec, &rng, &n_params);
}

/* The spec's range and size checks. */
static void
test_spec_checks(void)
{
	NnSpec		base;
	NnSpec		s;
	NnStatus	status;
	size_t		n;

	memset(&base, 0, sizeof(base));
	base.n_inputs = 10;
	base.n_hidden = 2;
	base.hidden[0] = 128;
	base.hidden[1] = 64;
	base.activation = NN_ACT_RELU;
	base.head = NN_HEAD_SIGMOID_BCE;
	base.n_outputs = 1;
	is_int(nn_spec_validate(&base), NN_OK, "10-128-64-1 is valid");
	n = 0;
	status = nn_spec_param_count(&base, &n);
	ok(status == NN_OK && n == 10 * 128 + 128 + 128 * 64 + 64 + 64 + 1,
	   "10-128-64-1 has 9729 parameters (%zu)", n);
	ok(nn_workspace_floats(&base, 32, &n) == NN_OK && n == 32 * (128 + 64 + 1 + 2 * 128),
	   "workspace: outputs plus two widest buffers per row");
	is_int(nn_predict_scratch_floats(&base), 256, "predict scratch is twice the widest layer");
	is_int(nn_spec_layers(&base), 3, "three weighted layers");
	{
		NnLayerView v = nn_spec_layer(&base, 1);

		ok(v.in == 128 && v.out == 64 && v.w_offset == 10 * 128 + 128 &&
		   v.b_offset == v.w_offset + 128 * 64, "layer 1 view");
	}
	is_int(nn_workspace_floats(&base, 0, &n), NN_ERR_ARGUMENT, "workspace for 0 rows rejected");

	s = base;
	s.n_inputs = 0;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "0 inputs rejected");
	s.n_inputs = NN_MAX_WIDTH + 1;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "too many inputs rejected");
	s = base;
	s.n_hidden = NN_MAX_HIDDEN_LAYERS + 1;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "9 hidden layers rejected");
	s.n_hidden = -1;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "negative hidden count rejected");
	s = base;
	s.hidden[1] = 0;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "hidden width 0 rejected");
	s = base;
	s.activation = NN_ACT_COUNT_;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "bad activation rejected");
	s = base;
	s.head = NN_HEAD_COUNT_;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "bad head rejected");
	s = base;
	s.n_outputs = 2;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "binary head with 2 outputs rejected");
	s.head = NN_HEAD_SOFTMAX_CE;
	is_int(nn_spec_validate(&s), NN_OK, "softmax with 2 outputs accepted");
	s.n_outputs = 1;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "softmax with 1 output rejected");
	s.n_outputs = NN_MAX_OUTPUTS + 1;
	is_int(nn_spec_validate(&s), NN_ERR_ARGUMENT, "softmax with too many outputs rejected");
	s = base;
	s.n_inputs = NN_MAX_WIDTH;
	s.hidden[0] = NN_MAX_WIDTH;
	is_int(nn_spec_validate(&s), NN_ERR_TOO_LARGE, "65536 x 65536 weights: too large");
	is_int(nn_spec_param_count(&s, &n), NN_ERR_TOO_LARGE, "param count refuses a too-large spec");
	s.n_hidden = 8;
	for (n = 0; n < 8; n++)
		s.hidden[n] = NN_MAX_WIDTH;
	is_int(nn_spec_validate(&s), NN_ERR_TOO_LARGE, "widest, deepest spec: too large, no overflow");
}

int
main(void)
{
	unsigned char buf[MAX_BYTES];
	unsigned char copy[MAX_BYTES];
	float		params[64];
	float		back[64];
	NnSpec		spec;
	NnSpec		read_spec;
	NnRng		rng;
	NnRng		read_rng;
	size_t		size = 0;
	size_t		n_params = 0;
	size_t		read_params = 0;
	NnStatus	status;
	size_t		i;

	/* CRC-32C check value from RFC 3720 / the usual test vector */
	is_int(nn_crc32c((const unsigned char *) "123456789", 9), 0xE3069283u, "crc32c(\"123456789\")");
	is_int(nn_crc32c(NULL, 0), 0, "crc32c of nothing is 0");

	test_spec_checks();

	/* a small model: 3 -> 4 -> 2 -> 3 tanh softmax: 16 + 10 + 9 = 35 parameters */
	memset(&spec, 0, sizeof(spec));
	spec.n_inputs = 3;
	spec.n_hidden = 2;
	spec.hidden[0] = 4;
	spec.hidden[1] = 2;
	spec.activation = NN_ACT_TANH;
	spec.head = NN_HEAD_SOFTMAX_CE;
	spec.n_outputs = 3;
	ok(nn_spec_param_count(&spec, &n_params) == NN_OK && n_params == 35, "35 parameters");
	status = nn_serialized_size(&spec, &size);
	ok(status == NN_OK && size == HEADER + 35 * 4 + 4,
	   "serialized size %zu = header + params + crc", size);
	nn_rng_seed(&rng, 99);
	nn_init_params(&spec, params, &rng);
	for (i = 0; i < n_params; i++)
		if (params[i] == 0.0f)
			params[i] = (float) i * 0.01f - 0.1f;	/* biases: something to round-trip */
	params[3] = -0.0f;
	nn_rng_next(&rng);

	is_int(nn_serialize(&spec, params, &rng, buf, size), NN_OK, "serialize succeeds");
	ok(memcmp(buf, "UBHV", 4) == 0, "bytes start with \"UBHV\"");
	ok(buf[4] == 1 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0, "version 1, little-endian");
	ok(buf[OFF_HEADER_BYTES] == HEADER && buf[OFF_N_INPUTS] == 3 && buf[OFF_N_HIDDEN] == 2 &&
	   buf[OFF_HIDDEN] == 4 && buf[OFF_HIDDEN + 4] == 2 && buf[OFF_HIDDEN + 8] == 0 &&
	   buf[OFF_ACTIVATION] == NN_ACT_TANH && buf[OFF_HEAD] == NN_HEAD_SOFTMAX_CE &&
	   buf[OFF_N_OUTPUTS] == 3 && buf[OFF_N_PARAMS] == 35, "header fields at their documented offsets");

	/* round trip */
	memset(&read_spec, 0x7f, sizeof(read_spec));
	status = nn_deserialize_header(buf, size, &read_spec, &read_rng, &read_params);
	is_int(status, NN_OK, "deserialize accepts its own bytes");
	ok(read_spec.n_inputs == 3 && read_spec.n_hidden == 2 && read_spec.hidden[0] == 4 &&
	   read_spec.hidden[1] == 2 && read_spec.hidden[2] == 0 && read_spec.hidden[7] == 0 &&
	   read_spec.activation == NN_ACT_TANH && read_spec.head == NN_HEAD_SOFTMAX_CE &&
	   read_spec.n_outputs == 3, "spec round-trips");
	ok(memcmp(&read_rng, &rng, sizeof(rng)) == 0, "rng state round-trips");
	is_int(read_params, 35, "parameter count round-trips");
	nn_deserialize_params(buf, size, back);
	ok(memcmp(back, params, 35 * sizeof(float)) == 0, "parameters round-trip bit for bit (-0.0 too)");

	/* serialize's own checks */
	is_int(nn_serialize(&spec, params, &rng, buf, size - 1), NN_ERR_ARGUMENT, "wrong buffer size refused");
	memcpy(copy, buf, size);
	params[7] = NAN;
	is_int(nn_serialize(&spec, params, &rng, copy, size), NN_ERR_NONFINITE, "NaN parameter refused");
	params[7] = INFINITY;
	is_int(nn_serialize(&spec, params, &rng, copy, size), NN_ERR_NONFINITE, "infinite parameter refused");
	params[7] = back[7];

	/* every single-byte change, to every other value, is rejected */
	{
		size_t		accepted = 0;
		size_t		tries = 0;
		int			delta;

		for (i = 0; i < size; i++)
			for (delta = 1; delta < 256; delta++)
			{
				memcpy(copy, buf, size);
				copy[i] ^= (unsigned char) delta;
				tries++;
				if (nn_deserialize_header(copy, size, &read_spec, &read_rng, &read_params) == NN_OK)
					accepted++;
			}
		ok(accepted == 0, "all %zu single-byte corruptions rejected (%zu accepted)", tries, accepted);
	}
	{
		size_t		flips_checksum = 0;

		for (i = 12; i < size; i++)
		{
			memcpy(copy, buf, size);
			copy[i] ^= 0x01;
			if (nn_deserialize_header(copy, size, &read_spec, &read_rng, &read_params) == NN_ERR_CHECKSUM)
				flips_checksum++;
		}
		is_int(flips_checksum, size - 12, "bit flips past the fixed fields are checksum errors");
	}

	/* every truncation, and trailing garbage */
	{
		size_t		accepted = 0;
		size_t		len;

		for (len = 0; len < size; len++)
		{
			/* a copy of exactly len bytes on the stack region, so over-reads are visible to ASan */
			unsigned char *exact = copy + (MAX_BYTES - len);

			memmove(exact, buf, len);
			if (nn_deserialize_header(len ? exact : NULL, len, &read_spec, &read_rng, &read_params) == NN_OK)
				accepted++;
		}
		ok(accepted == 0, "every truncation 0..%zu rejected", size - 1);
		memcpy(copy, buf, size);
		copy[size] = 0;
		is_int(nn_deserialize_header(copy, size + 1, &read_spec, &read_rng, &read_params), NN_ERR_FORMAT,
			   "one trailing byte rejected");
		memcpy(copy, buf, size);
		memset(copy + size, 0, 4);
		fix_crc(copy, size + 4);
		is_int(nn_deserialize_header(copy, size + 4, &read_spec, &read_rng, &read_params), NN_ERR_FORMAT,
			   "an extra parameter with a valid crc rejected (size disagrees with n_params)");
	}

	/* each check on its own, with the checksum made valid again */
	is_int(with_field(buf, size, OFF_VERSION, 2), NN_ERR_VERSION, "version 2 rejected as a version error");
	is_int(with_field(buf, size, OFF_VERSION, 0), NN_ERR_VERSION, "version 0 rejected as a version error");
	is_int(with_field(buf, size, OFF_MAGIC, 0x56484256u), NN_ERR_FORMAT, "wrong magic rejected");
	is_int(with_field(buf, size, OFF_HEADER_BYTES, HEADER + 4), NN_ERR_FORMAT, "wrong header size rejected");
	is_int(with_field(buf, size, OFF_N_PARAMS, 34), NN_ERR_FORMAT, "n_params 34 for a 35-parameter spec rejected");
	is_int(with_field(buf, size, OFF_N_PARAMS + 4, 1), NN_ERR_FORMAT, "n_params high word rejected");
	is_int(with_field(buf, size, OFF_HIDDEN, 5), NN_ERR_FORMAT, "hidden width disagreeing with n_params rejected");
	is_int(with_field(buf, size, OFF_HIDDEN + 8, 7), NN_ERR_FORMAT, "hidden entry past n_hidden must be 0");
	is_int(with_field(buf, size, OFF_N_HIDDEN, 9), NN_ERR_FORMAT, "9 hidden layers rejected");
	is_int(with_field(buf, size, OFF_N_HIDDEN, 0xffffffffu), NN_ERR_FORMAT, "n_hidden -1 rejected");
	is_int(with_field(buf, size, OFF_N_INPUTS, 0), NN_ERR_FORMAT, "0 inputs rejected");
	is_int(with_field(buf, size, OFF_N_INPUTS, 0x80000000u), NN_ERR_FORMAT, "negative inputs rejected");
	is_int(with_field(buf, size, OFF_ACTIVATION, 99), NN_ERR_FORMAT, "unknown activation rejected");
	is_int(with_field(buf, size, OFF_HEAD, 3), NN_ERR_FORMAT, "unknown head rejected");
	is_int(with_field(buf, size, OFF_N_OUTPUTS, 1), NN_ERR_FORMAT, "softmax with one output rejected");
	{
		float		nan_value = NAN;
		float		inf_value = -INFINITY;
		uint32_t	bits;

		memcpy(&bits, &nan_value, 4);
		is_int(with_field(buf, size, OFF_PARAMS + 4 * 5, bits), NN_ERR_NONFINITE,
			   "NaN parameter with a valid crc rejected");
		memcpy(&bits, &inf_value, 4);
		is_int(with_field(buf, size, OFF_PARAMS + 4 * 34, bits), NN_ERR_NONFINITE,
			   "-Inf last parameter with a valid crc rejected");
	}
	memcpy(copy, buf, size);
	memset(copy + OFF_RNG, 0, 32);
	fix_crc(copy, size);
	is_int(nn_deserialize_header(copy, size, &read_spec, &read_rng, &read_params), NN_ERR_FORMAT,
		   "all-zero rng state rejected");
	memcpy(copy, buf, size);
	copy[size - 1] ^= 0x80;
	is_int(nn_deserialize_header(copy, size, &read_spec, &read_rng, &read_params), NN_ERR_CHECKSUM,
		   "damaged checksum is a checksum error");

	/* a model with no hidden layer round-trips too */
	{
		NnSpec		tiny;

		memset(&tiny, 0, sizeof(tiny));
		tiny.n_inputs = 1;
		tiny.activation = NN_ACT_LINEAR;
		tiny.head = NN_HEAD_LINEAR_MSE;
		tiny.n_outputs = 1;
		params[0] = 2.0f;
		params[1] = 1.0f;
		ok(nn_serialized_size(&tiny, &size) == NN_OK && size == HEADER + 8 + 4, "tiny model size");
		ok(nn_serialize(&tiny, params, &rng, buf, size) == NN_OK &&
		   nn_deserialize_header(buf, size, &read_spec, &read_rng, &read_params) == NN_OK &&
		   read_params == 2 && read_spec.n_hidden == 0, "tiny model round-trips");
	}

	/* status messages */
	{
		bool		distinct = true;
		int			a;
		int			b;

		for (a = NN_OK; a <= NN_ERR_NONFINITE; a++)
			for (b = a + 1; b <= NN_ERR_NONFINITE; b++)
				if (strcmp(nn_status_message((NnStatus) a), nn_status_message((NnStatus) b)) == 0)
					distinct = false;
		ok(distinct, "status messages are distinct");
		ok(strcmp(nn_status_message(NN_ERR_CHECKSUM), "checksum mismatch") == 0, "checksum message");
		ok(nn_status_message((NnStatus) 99) != NULL, "unknown status still has a message");
	}

	return done_testing();
}
