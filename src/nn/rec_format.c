/* rec_format.c: a recommender's bytes, written and read field by field in little-endian order. */
#include <math.h>
#include <string.h>

#include "byte_order.h"
#include "rec.h"
#include "serialize.h"

#define REC_HEADER_BYTES 40
#define REC_CRC_BYTES 4

NnStatus
nn_rec_serialized_size(const NnRecSpec *spec, uint64_t n_pairs, size_t *size)
{
	size_t		n_params;
	NnStatus	status = nn_rec_param_count(spec, &n_params);
	uint64_t	total;

	if (status != NN_OK)
		return status;
	if (n_pairs > NN_REC_MAX_PAIRS)
		return NN_ERR_TOO_LARGE;
	/* every term is bounded by the limits above: no overflow in 64 bits */
	total = REC_HEADER_BYTES + 8 * (uint64_t) spec->n_users + 8 * (uint64_t) spec->n_items +
		4 * (uint64_t) spec->n_items + 8 * ((uint64_t) spec->n_users + 1) + 4 * n_pairs +
		4 * (uint64_t) n_params + REC_CRC_BYTES;
	if (total > SIZE_MAX)
		return NN_ERR_OVERFLOW;
	*size = (size_t) total;
	return NN_OK;
}

/* Ascending ids, a CSR whose offsets run from 0 to n_pairs and whose rows ascend within range. */
static NnStatus
check_model(const NnRecSpec *spec, uint64_t n_pairs, const int64_t *user_ids, const int64_t *item_ids,
			const uint64_t *offsets, const int32_t *items)
{
	int32_t		k;
	uint64_t	p;

	for (k = 1; k < spec->n_users; k++)
		if (user_ids[k] <= user_ids[k - 1])
			return NN_ERR_FORMAT;
	for (k = 1; k < spec->n_items; k++)
		if (item_ids[k] <= item_ids[k - 1])
			return NN_ERR_FORMAT;
	if (offsets[0] != 0 || offsets[spec->n_users] != n_pairs)
		return NN_ERR_FORMAT;
	for (k = 0; k < spec->n_users; k++)
	{
		if (offsets[k + 1] < offsets[k])
			return NN_ERR_FORMAT;
		for (p = offsets[k]; p < offsets[k + 1]; p++)
			if (items[p] < 0 || items[p] >= spec->n_items || (p > offsets[k] && items[p] <= items[p - 1]))
				return NN_ERR_FORMAT;
	}
	return NN_OK;
}

NnStatus
nn_rec_serialize(const NnRecModel *m, unsigned char *buf, size_t size)
{
	size_t		expected,
				n_params,
				i;
	unsigned char *p = buf;
	NnStatus	status = nn_rec_serialized_size(&m->spec, m->n_pairs, &expected);

	if (status != NN_OK)
		return status;
	if (size != expected)
		return NN_ERR_ARGUMENT;
	status = check_model(&m->spec, m->n_pairs, m->user_ids, m->item_ids, m->offsets, m->items);
	if (status != NN_OK)
		return status;
	nn_rec_param_count(&m->spec, &n_params);
	for (i = 0; i < n_params; i++)
		if (!isfinite(m->params[i]))
			return NN_ERR_NONFINITE;

	p = put_u32(p, NN_REC_FORMAT_MAGIC);
	p = put_u32(p, NN_REC_FORMAT_VERSION);
	p = put_u32(p, REC_HEADER_BYTES);
	p = put_u32(p, (uint32_t) m->spec.n_users);
	p = put_u32(p, (uint32_t) m->spec.n_items);
	p = put_u32(p, (uint32_t) m->spec.dim);
	p = put_u64(p, m->n_pairs);
	p = put_u32(p, 0);
	/* 36 bytes so far: pad the header to its stated size */
	p = put_u32(p, 0);
	for (i = 0; i < (size_t) m->spec.n_users; i++)
		p = put_u64(p, (uint64_t) m->user_ids[i]);
	for (i = 0; i < (size_t) m->spec.n_items; i++)
		p = put_u64(p, (uint64_t) m->item_ids[i]);
	for (i = 0; i < (size_t) m->spec.n_items; i++)
		p = put_u32(p, m->popularity[i]);
	for (i = 0; i <= (size_t) m->spec.n_users; i++)
		p = put_u64(p, m->offsets[i]);
	for (i = 0; i < m->n_pairs; i++)
		p = put_u32(p, (uint32_t) m->items[i]);
	for (i = 0; i < n_params; i++)
	{
		uint32_t	bits;

		memcpy(&bits, &m->params[i], sizeof(bits));
		p = put_u32(p, bits);
	}
	put_u32(p, nn_crc32c(buf, size - REC_CRC_BYTES));
	return NN_OK;
}

/* Offsets of the sections in the bytes of a spec. */
typedef struct Sections
{
	size_t		user_ids,
				item_ids,
				popularity,
				offsets,
				items,
				params;
} Sections;

static Sections
sections(const NnRecSpec *spec, uint64_t n_pairs)
{
	Sections	s;

	s.user_ids = REC_HEADER_BYTES;
	s.item_ids = s.user_ids + 8 * (size_t) spec->n_users;
	s.popularity = s.item_ids + 8 * (size_t) spec->n_items;
	s.offsets = s.popularity + 4 * (size_t) spec->n_items;
	s.items = s.offsets + 8 * ((size_t) spec->n_users + 1);
	s.params = s.items + 4 * (size_t) n_pairs;
	return s;
}

NnStatus
nn_rec_deserialize_header(const unsigned char *buf, size_t size, NnRecSpec *spec, uint64_t *n_pairs)
{
	NnRecSpec	s;
	uint64_t	np;
	size_t		expected,
				n_params,
				i,
				k;
	Sections	sec;
	const unsigned char *p;
	int64_t		prev = 0;

	if (buf == NULL || size < 12)
		return NN_ERR_FORMAT;
	if (get_u32(buf) != NN_REC_FORMAT_MAGIC)
		return NN_ERR_FORMAT;
	if (get_u32(buf + 4) != NN_REC_FORMAT_VERSION)
		return NN_ERR_VERSION;
	if (get_u32(buf + 8) != REC_HEADER_BYTES || size < REC_HEADER_BYTES + REC_CRC_BYTES)
		return NN_ERR_FORMAT;
	if (get_u32(buf + size - REC_CRC_BYTES) != nn_crc32c(buf, size - REC_CRC_BYTES))
		return NN_ERR_CHECKSUM;
	s.n_users = u32_to_i32(get_u32(buf + 12));
	s.n_items = u32_to_i32(get_u32(buf + 16));
	s.dim = u32_to_i32(get_u32(buf + 20));
	np = get_u64(buf + 24);
	if (get_u32(buf + 32) != 0 || get_u32(buf + 36) != 0)
		return NN_ERR_FORMAT;
	if (nn_rec_serialized_size(&s, np, &expected) != NN_OK || expected != size)
		return NN_ERR_FORMAT;
	nn_rec_param_count(&s, &n_params);
	sec = sections(&s, np);

	/* ascending ids */
	for (i = 0, p = buf + sec.user_ids; i < (size_t) s.n_users; i++, p += 8)
	{
		int64_t		id = u64_to_i64(get_u64(p));

		if (i > 0 && id <= prev)
			return NN_ERR_FORMAT;
		prev = id;
	}
	for (i = 0, p = buf + sec.item_ids; i < (size_t) s.n_items; i++, p += 8)
	{
		int64_t		id = u64_to_i64(get_u64(p));

		if (i > 0 && id <= prev)
			return NN_ERR_FORMAT;
		prev = id;
	}
	/* CSR: offsets from 0 to n_pairs, non-decreasing; rows ascending and in range */
	if (get_u64(buf + sec.offsets) != 0 || get_u64(buf + sec.offsets + 8 * (size_t) s.n_users) != np)
		return NN_ERR_FORMAT;
	for (k = 0; k < (size_t) s.n_users; k++)
	{
		uint64_t	lo = get_u64(buf + sec.offsets + 8 * k),
					hi = get_u64(buf + sec.offsets + 8 * (k + 1));
		uint64_t	q;

		if (hi < lo || hi > np)
			return NN_ERR_FORMAT;
		for (q = lo; q < hi; q++)
		{
			int32_t		item = u32_to_i32(get_u32(buf + sec.items + 4 * q));

			if (item < 0 || item >= s.n_items ||
				(q > lo && item <= u32_to_i32(get_u32(buf + sec.items + 4 * (q - 1)))))
				return NN_ERR_FORMAT;
		}
	}
	for (i = 0, p = buf + sec.params; i < n_params; i++, p += 4)
	{
		uint32_t	bits = get_u32(p);
		float		f;

		memcpy(&f, &bits, sizeof(f));
		if (!isfinite(f))
			return NN_ERR_NONFINITE;
	}
	*spec = s;
	*n_pairs = np;
	return NN_OK;
}

void
nn_rec_deserialize(const unsigned char *buf, size_t size, NnRecModel *m)
{
	Sections	sec = sections(&m->spec, m->n_pairs);
	size_t		n_params,
				i;

	(void) size;
	nn_rec_param_count(&m->spec, &n_params);
	for (i = 0; i < (size_t) m->spec.n_users; i++)
		m->user_ids[i] = u64_to_i64(get_u64(buf + sec.user_ids + 8 * i));
	for (i = 0; i < (size_t) m->spec.n_items; i++)
	{
		m->item_ids[i] = u64_to_i64(get_u64(buf + sec.item_ids + 8 * i));
		m->popularity[i] = get_u32(buf + sec.popularity + 4 * i);
	}
	for (i = 0; i <= (size_t) m->spec.n_users; i++)
		m->offsets[i] = get_u64(buf + sec.offsets + 8 * i);
	for (i = 0; i < m->n_pairs; i++)
		m->items[i] = u32_to_i32(get_u32(buf + sec.items + 4 * i));
	for (i = 0; i < n_params; i++)
	{
		uint32_t	bits = get_u32(buf + sec.params + 4 * i);

		memcpy(&m->params[i], &bits, sizeof(float));
	}
}
