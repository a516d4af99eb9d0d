/*
 * fuzz_rec_deserialize.c: libFuzzer target: any bytes given to the recommender's deserializer are
 * rejected or decoded, never a crash.
 *
 * Each input is tried three ways: as it is; with its last four bytes replaced by the CRC-32C of
 * the bytes before them; and XORed into a small valid model (sizes taken from the first bytes)
 * whose CRC is then recomputed, so mutations reach the size, order, CSR and finiteness checks
 * behind the checksum without a seed corpus.
 *
 * Invariants on accepted bytes (a violation aborts, so libFuzzer reports it):
 *   - the arrays decode and serialize back to the very same bytes;
 *   - every user's top 10 over the catalogue, its seen items excluded, stays within the sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/rec.h"
#include "nn/serialize.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
try_bytes(const unsigned char *data, size_t size)
{
	NnRecSpec	spec;
	uint64_t	n_pairs;
	NnRecModel	m;
	size_t		n_params;
	unsigned char *again;
	float	   *item_t;
	double	   *scores;
	NnRecHit	hits[10];
	int32_t		u;

	if (nn_rec_deserialize_header(data, size, &spec, &n_pairs) != NN_OK)
		return;
	if (nn_rec_param_count(&spec, &n_params) != NN_OK)
		__builtin_trap();
	m.spec = spec;
	m.n_pairs = n_pairs;
	m.user_ids = malloc(8 * (size_t) spec.n_users);
	m.item_ids = malloc(8 * (size_t) spec.n_items);
	m.popularity = malloc(4 * (size_t) spec.n_items);
	m.offsets = malloc(8 * ((size_t) spec.n_users + 1));
	m.items = malloc(4 * (n_pairs ? n_pairs : 1));
	m.params = malloc(4 * n_params);
	nn_rec_deserialize(data, size, &m);
	again = malloc(size);
	if (nn_rec_serialize(&m, again, size) != NN_OK || memcmp(again, data, size) != 0)
		__builtin_trap();
	item_t = malloc(4 * (size_t) spec.n_items * spec.dim);
	scores = malloc(8 * (size_t) spec.n_items);
	nn_rec_transpose_items(item_t, nn_rec_view(&spec, m.params).item, spec.n_items, spec.dim);
	for (u = 0; u < spec.n_users; u++)
	{
		size_t		got,
					k;

		nn_rec_score_all(scores, nn_rec_view(&spec, m.params).user + (size_t) u * spec.dim, item_t,
						 nn_rec_view(&spec, m.params).bias, spec.n_items, spec.dim);
		got = nn_rec_topk(hits, scores, spec.n_items, 10, m.items + m.offsets[u], m.offsets[u + 1] - m.offsets[u]);
		for (k = 0; k < got; k++)
			if (hits[k].index < 0 || hits[k].index >= spec.n_items)
				__builtin_trap();
	}
	free(m.user_ids);
	free(m.item_ids);
	free(m.popularity);
	free(m.offsets);
	free(m.items);
	free(m.params);
	free(again);
	free(item_t);
	free(scores);
}

static void
put_crc(unsigned char *buf, size_t size)
{
	uint32_t	crc = nn_crc32c(buf, size - 4);

	buf[size - 4] = (unsigned char) crc;
	buf[size - 3] = (unsigned char) (crc >> 8);
	buf[size - 2] = (unsigned char) (crc >> 16);
	buf[size - 1] = (unsigned char) (crc >> 24);
}

/* A valid model of 1-4 users, 2-9 items and 1-4 factors, each user with some items. */
static void
try_mutated_model(const uint8_t *data, size_t size)
{
	NnRecModel	m;
	int64_t		uids[4],
				iids[9];
	uint32_t	pop[9] = {0};
	uint64_t	offs[5];
	int32_t		its[36];
	float		params[(4 + 9) * 4 + 9];
	size_t		n_params,
				bytes,
				i;
	unsigned char *buf;
	int32_t		u,
				k;
	uint64_t	p = 0;

	if (size < 3)
		return;
	m.spec.n_users = 1 + data[0] % 4;
	m.spec.n_items = 2 + data[1] % 8;
	m.spec.dim = 1 + data[2] % 4;
	for (u = 0; u < m.spec.n_users; u++)
		uids[u] = 10 * u - 5;
	for (k = 0; k < m.spec.n_items; k++)
		iids[k] = 1000 + 3 * k;
	for (u = 0; u < m.spec.n_users; u++)
	{
		offs[u] = p;
		for (k = u % 2; k < m.spec.n_items; k += 2)
		{
			its[p++] = k;
			pop[k]++;
		}
	}
	offs[m.spec.n_users] = p;
	m.n_pairs = p;
	m.user_ids = uids;
	m.item_ids = iids;
	m.popularity = pop;
	m.offsets = offs;
	m.items = its;
	m.params = params;
	nn_rec_param_count(&m.spec, &n_params);
	for (i = 0; i < n_params; i++)
		params[i] = (float) i / 8.0f - 1.0f;
	if (nn_rec_serialized_size(&m.spec, m.n_pairs, &bytes) != NN_OK)
		__builtin_trap();
	buf = malloc(bytes);
	if (nn_rec_serialize(&m, buf, bytes) != NN_OK)
		__builtin_trap();
	try_bytes(buf, bytes);
	for (i = 3; i < size; i++)
		buf[(i - 3) % bytes] ^= data[i];
	put_crc(buf, bytes);
	try_bytes(buf, bytes);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_bytes(data, size);
	if (size >= 4)
	{
		unsigned char *copy = malloc(size);

		memcpy(copy, data, size);
		put_crc(copy, size);
		try_bytes(copy, size);
		free(copy);
	}
	try_mutated_model(data, size);
	return 0;
}
