/* serialize.c: the model's bytes, written and read field by field in little-endian order. */
#include <math.h>
#include <string.h>

#include "byte_order.h"
#include "serialize.h"

/* magic, version, header_bytes; spec (2 + hidden + 3 int32); rng (4 u64); n_params (u64) */
#define HEADER_BYTES (3 * 4 + (2 + NN_MAX_HIDDEN_LAYERS + 3) * 4 + 4 * 8 + 8)
#define CRC_BYTES 4

/* CRC-32C lookup table (reflected polynomial 0x82F63B78), generated once and pasted here. */
static const uint32_t crc32c_table[256] = {
	0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u, 0xc79a971fu, 0x35f1141cu,
	0x26a1e7e8u, 0xd4ca64ebu, 0x8ad958cfu, 0x78b2dbccu, 0x6be22838u, 0x9989ab3bu,
	0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u, 0x5e133c24u, 0x105ec76fu, 0xe235446cu,
	0xf165b798u, 0x030e349bu, 0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u,
	0x9a879fa0u, 0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u, 0x5d1d08bfu, 0xaf768bbcu,
	0xbc267848u, 0x4e4dfb4bu, 0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u, 0x33ed7d2au,
	0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u, 0xaa64d611u, 0x580f5512u,
	0x4b5fa6e6u, 0xb93425e5u, 0x6dfe410eu, 0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau,
	0x30e349b1u, 0xc288cab2u, 0xd1d83946u, 0x23b3ba45u, 0xf779deaeu, 0x05125dadu,
	0x1642ae59u, 0xe4292d5au, 0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
	0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u, 0x417b1dbcu, 0xb3109ebfu,
	0xa0406d4bu, 0x522bee48u, 0x86e18aa3u, 0x748a09a0u, 0x67dafa54u, 0x95b17957u,
	0xcba24573u, 0x39c9c670u, 0x2a993584u, 0xd8f2b687u, 0x0c38d26cu, 0xfe53516fu,
	0xed03a29bu, 0x1f682198u, 0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u,
	0x96bf4dccu, 0x64d4cecfu, 0x77843d3bu, 0x85efbe38u, 0xdbfc821cu, 0x2997011fu,
	0x3ac7f2ebu, 0xc8ac71e8u, 0x1c661503u, 0xee0d9600u, 0xfd5d65f4u, 0x0f36e6f7u,
	0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u, 0xa65c047du, 0x5437877eu,
	0x4767748au, 0xb50cf789u, 0xeb1fcbadu, 0x197448aeu, 0x0a24bb5au, 0xf84f3859u,
	0x2c855cb2u, 0xdeeedfb1u, 0xcdbe2c45u, 0x3fd5af46u, 0x7198540du, 0x83f3d70eu,
	0x90a324fau, 0x62c8a7f9u, 0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
	0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u, 0x3cdb9bddu, 0xceb018deu,
	0xdde0eb2au, 0x2f8b6829u, 0x82f63b78u, 0x709db87bu, 0x63cd4b8fu, 0x91a6c88cu,
	0x456cac67u, 0xb7072f64u, 0xa457dc90u, 0x563c5f93u, 0x082f63b7u, 0xfa44e0b4u,
	0xe9141340u, 0x1b7f9043u, 0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu,
	0x92a8fc17u, 0x60c37f14u, 0x73938ce0u, 0x81f80fe3u, 0x55326b08u, 0xa759e80bu,
	0xb4091bffu, 0x466298fcu, 0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu, 0x0b21572cu,
	0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u, 0xa24bb5a6u, 0x502036a5u,
	0x4370c551u, 0xb11b4652u, 0x65d122b9u, 0x97baa1bau, 0x84ea524eu, 0x7681d14du,
	0x2892ed69u, 0xdaf96e6au, 0xc9a99d9eu, 0x3bc21e9du, 0xef087a76u, 0x1d63f975u,
	0x0e330a81u, 0xfc588982u, 0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
	0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u, 0x38cc2a06u, 0xcaa7a905u,
	0xd9f75af1u, 0x2b9cd9f2u, 0xff56bd19u, 0x0d3d3e1au, 0x1e6dcdeeu, 0xec064eedu,
	0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u, 0xd0ddd530u, 0x0417b1dbu, 0xf67c32d8u,
	0xe52cc12cu, 0x1747422fu, 0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu,
	0x8ecee914u, 0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u, 0xd3d3e1abu, 0x21b862a8u,
	0x32e8915cu, 0xc083125fu, 0x144976b4u, 0xe622f5b7u, 0xf5720643u, 0x07198540u,
	0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u, 0x9e902e7bu, 0x6cfbad78u,
	0x7fab5e8cu, 0x8dc0dd8fu, 0xe330a81au, 0x115b2b19u, 0x020bd8edu, 0xf0605beeu,
	0x24aa3f05u, 0xd6c1bc06u, 0xc5914ff2u, 0x37faccf1u, 0x69e9f0d5u, 0x9b8273d6u,
	0x88d28022u, 0x7ab90321u, 0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
	0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u, 0x34f4f86au, 0xc69f7b69u,
	0xd5cf889du, 0x27a40b9eu, 0x79b737bau, 0x8bdcb4b9u, 0x988c474du, 0x6ae7c44eu,
	0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u, 0xad7d5351u,
};

/* Byte-at-a-time table CRC-32C; models are small next to the cost of training them. */
uint32_t
nn_crc32c(const unsigned char *buf, size_t size)
{
	uint32_t	crc = 0xffffffffu;
	size_t		i;

	for (i = 0; i < size; i++)
		crc = crc32c_table[(crc ^ buf[i]) & 0xffu] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/* Header, four bytes per parameter, checksum; overflow-checked after validating the spec. */
NnStatus
nn_serialized_size(const NnSpec *spec, size_t *size)
{
	size_t		n_params;
	NnStatus	status = nn_spec_param_count(spec, &n_params);

	if (status != NN_OK)
		return status;
	if (n_params > (SIZE_MAX - HEADER_BYTES - CRC_BYTES) / 4)
		return NN_ERR_OVERFLOW;
	*size = HEADER_BYTES + 4 * n_params + CRC_BYTES;
	return NN_OK;
}

/* Write every field explicitly, hidden widths past n_hidden as 0, then the CRC of all of it. */
NnStatus
nn_serialize(const NnSpec *spec, const float *params, const NnRng *rng,
			 unsigned char *buf, size_t size)
{
	size_t		expected;
	size_t		n_params;
	unsigned char *p = buf;
	NnStatus	status;
	size_t		i;
	int			l;

	status = nn_serialized_size(spec, &expected);
	if (status != NN_OK)
		return status;
	if (size != expected)
		return NN_ERR_ARGUMENT;
	n_params = (expected - HEADER_BYTES - CRC_BYTES) / 4;
	status = nn_check_finite(params, n_params);
	if (status != NN_OK)
		return status;

	p = put_u32(p, NN_FORMAT_MAGIC);
	p = put_u32(p, NN_FORMAT_VERSION);
	p = put_u32(p, HEADER_BYTES);
	p = put_u32(p, (uint32_t) spec->n_inputs);
	p = put_u32(p, (uint32_t) spec->n_hidden);
	for (l = 0; l < NN_MAX_HIDDEN_LAYERS; l++)
		p = put_u32(p, l < spec->n_hidden ? (uint32_t) spec->hidden[l] : 0);
	p = put_u32(p, (uint32_t) spec->activation);
	p = put_u32(p, (uint32_t) spec->head);
	p = put_u32(p, (uint32_t) spec->n_outputs);
	for (i = 0; i < 4; i++)
		p = put_u64(p, rng->s[i]);
	p = put_u64(p, (uint64_t) n_params);
	for (i = 0; i < n_params; i++)
		p = put_u32(p, float_bits(params[i]));
	put_u32(p, nn_crc32c(buf, size - CRC_BYTES));
	return NN_OK;
}

/*
 * Trust nothing: fixed fields first (magic, version, header size), then the checksum over what
 * is there, then the spec and every size against the actual length, then the values.
 */
NnStatus
nn_deserialize_header(const unsigned char *buf, size_t size, NnSpec *spec,
					  NnRng *rng, size_t *n_params)
{
	const unsigned char *p;
	NnSpec		s;
	NnRng		r;
	int32_t		activation;
	int32_t		head;
	uint64_t	stored_params;
	size_t		expected_params;
	size_t		i;
	int			l;

	if (buf == NULL || size < 12)
		return NN_ERR_FORMAT;
	if (get_u32(buf) != NN_FORMAT_MAGIC)
		return NN_ERR_FORMAT;
	if (get_u32(buf + 4) != NN_FORMAT_VERSION)
		return NN_ERR_VERSION;
	if (get_u32(buf + 8) != HEADER_BYTES)
		return NN_ERR_FORMAT;
	if (size < HEADER_BYTES + CRC_BYTES || (size - HEADER_BYTES - CRC_BYTES) % 4 != 0)
		return NN_ERR_FORMAT;
	if (get_u32(buf + size - CRC_BYTES) != nn_crc32c(buf, size - CRC_BYTES))
		return NN_ERR_CHECKSUM;

	memset(&s, 0, sizeof(s));
	p = buf + 12;
	s.n_inputs = u32_to_i32(get_u32(p));
	p += 4;
	s.n_hidden = u32_to_i32(get_u32(p));
	p += 4;
	for (l = 0; l < NN_MAX_HIDDEN_LAYERS; l++, p += 4)
		s.hidden[l] = u32_to_i32(get_u32(p));
	activation = u32_to_i32(get_u32(p));
	p += 4;
	head = u32_to_i32(get_u32(p));
	p += 4;
	s.n_outputs = u32_to_i32(get_u32(p));
	p += 4;
	for (i = 0; i < 4; i++, p += 8)
		r.s[i] = get_u64(p);
	stored_params = get_u64(p);

	/* enums range-checked as integers before they become enums */
	if (activation < 0 || activation >= NN_ACT_COUNT_ || head < 0 || head >= NN_HEAD_COUNT_)
		return NN_ERR_FORMAT;
	s.activation = (NnActivation) activation;
	s.head = (NnHead) head;
	if (s.n_hidden < 0 || s.n_hidden > NN_MAX_HIDDEN_LAYERS)
		return NN_ERR_FORMAT;
	for (l = s.n_hidden; l < NN_MAX_HIDDEN_LAYERS; l++)
		if (s.hidden[l] != 0)
			return NN_ERR_FORMAT;
	if (nn_spec_param_count(&s, &expected_params) != NN_OK)
		return NN_ERR_FORMAT;
	if (stored_params != (uint64_t) expected_params ||
		(size - HEADER_BYTES - CRC_BYTES) / 4 != expected_params)
		return NN_ERR_FORMAT;
	if ((r.s[0] | r.s[1] | r.s[2] | r.s[3]) == 0)
		return NN_ERR_FORMAT;
	for (i = 0, p = buf + HEADER_BYTES; i < expected_params; i++, p += 4)
		if (!isfinite(bits_float(get_u32(p))))
			return NN_ERR_NONFINITE;

	*spec = s;
	*rng = r;
	*n_params = expected_params;
	return NN_OK;
}

/* Parameters of accepted bytes; the count comes from the length, so it never reads past it. */
void
nn_deserialize_params(const unsigned char *buf, size_t size, float *params)
{
	const unsigned char *p = buf + HEADER_BYTES;
	size_t		n;
	size_t		i;

	if (size < HEADER_BYTES + CRC_BYTES)
		return;
	n = (size - HEADER_BYTES - CRC_BYTES) / 4;
	for (i = 0; i < n; i++, p += 4)
		params[i] = bits_float(get_u32(p));
}
