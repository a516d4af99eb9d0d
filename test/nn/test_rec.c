/* test_rec.c: the recommender core: BPR gradients against central differences, top-K against a
 * full sort, batch scores against pair scores, bytes round trip and corruption, and learning. */
#include <stdlib.h>
#include <string.h>

#include "nn/rec.h"
#include "tap.h"

static void
test_gradcheck(void)
{
	NnRecSpec	spec = {3, 5, 4};
	size_t		n;
	float	   *params,
				gu[4],
				gi[4],
				gj[4],
				gbi,
				gbj;
	NnRng		rng;
	double		worst = 0.0;
	int			d,
				k;
	NnRecView	v;

	nn_rec_param_count(&spec, &n);
	params = malloc(sizeof(float) * n);
	nn_rng_seed(&rng, 7);
	nn_rec_init(&spec, params, 0.5, &rng);
	v = nn_rec_view(&spec, params);
	for (k = 0; k < spec.n_items; k++)
		v.bias[k] = (float) (0.3 * nn_rng_normal(&rng));
	nn_rec_bpr_backward(gu, gi, gj, &gbi, &gbj, &spec, params, 1, 2, 4, 1.7, 0.05);

	/* central differences on every parameter the triple touches, in double around float values */
	for (k = 0; k < 3 * 4 + 2; k++)
	{
		float	   *slot;
		float		analytic,
					saved;
		double		h = 1e-2,
					plus,
					minus,
					numeric;

		d = k % 4;
		if (k < 4)
			slot = v.user + 1 * 4 + d, analytic = gu[d];
		else if (k < 8)
			slot = v.item + 2 * 4 + d, analytic = gi[d];
		else if (k < 12)
			slot = v.item + 4 * 4 + d, analytic = gj[d];
		else if (k == 12)
			slot = v.bias + 2, analytic = gbi;
		else
			slot = v.bias + 4, analytic = gbj;
		saved = *slot;
		*slot = (float) (saved + h);
		plus = nn_rec_bpr_loss(&spec, params, 1, 2, 4, 1.7, 0.05);
		*slot = (float) (saved - h);
		minus = nn_rec_bpr_loss(&spec, params, 1, 2, 4, 1.7, 0.05);
		*slot = saved;
		numeric = (plus - minus) / (((double) (float) (saved + h)) - ((double) (float) (saved - h)));
		if (fabs(numeric - analytic) > worst)
			worst = fabs(numeric - analytic);
	}
	ok(worst < 1e-3, "BPR gradients match central differences (worst %.2g)", worst);
	free(params);
}

static int
cmp_desc(const void *a, const void *b)
{
	const NnRecHit *x = a,
			   *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->index - y->index;
}

static void
test_topk(void)
{
	enum
	{
		N = 1000
	};
	double		scores[N];
	NnRecHit	all[N],
				top[50];
	int32_t		exclude[100];
	NnRng		rng;
	int			trial,
				bad = 0;

	nn_rng_seed(&rng, 3);
	for (trial = 0; trial < 50; trial++)
	{
		size_t		k = (size_t) nn_rng_below(&rng, 50) + 1,
					n_ex = 0,
					n_all = 0,
					got,
					i;
		int32_t		x;

		for (x = 0; x < N; x++)
			/* coarse scores: many ties, so their order is tested too */
			scores[x] = (double) nn_rng_below(&rng, 40);
		for (x = 0; x < N && n_ex < 100; x++)
			if (nn_rng_uniform(&rng) < 0.05)
				exclude[n_ex++] = x;
		for (x = 0, i = 0; x < N; x++)
		{
			if (i < n_ex && exclude[i] == x)
			{
				i++;
				continue;
			}
			all[n_all].score = scores[x];
			all[n_all++].index = x;
		}
		qsort(all, n_all, sizeof(NnRecHit), cmp_desc);
		got = nn_rec_topk(top, scores, N, k, exclude, n_ex);
		if (got != k)
			bad++;
		for (i = 0; i < got; i++)
			if (top[i].index != all[i].index || top[i].score != all[i].score)
				bad++;
	}
	ok(bad == 0, "top-K equals the head of a full sort (ties by index, exclusions left out): %d mismatches", bad);
	{
		int32_t		ex[3] = {0, 1, 2};
		double		s[3] = {1, 2, 3};

		ok(nn_rec_topk(top, s, 3, 10, ex, 3) == 0, "top-K of a fully excluded catalogue is empty");
		ok(nn_rec_topk(top, s, 3, 10, NULL, 0) == 3 && top[0].index == 2 && top[2].index == 0,
		   "k above n returns all, best first");
		ok(nn_rec_topk(top, s, 3, 0, NULL, 0) == 0, "k = 0 returns nothing");
	}
}

static void
test_score_all(void)
{
	NnRecSpec	spec = {4, 37, 13};
	size_t		n;
	float	   *params,
			   *item_t;
	double		scores[37];
	NnRng		rng;
	NnRecView	v;
	int			u,
				i,
				bad = 0;

	nn_rec_param_count(&spec, &n);
	params = malloc(sizeof(float) * n);
	item_t = malloc(sizeof(float) * 37 * 13);
	nn_rng_seed(&rng, 11);
	nn_rec_init(&spec, params, 1.0, &rng);
	v = nn_rec_view(&spec, params);
	for (i = 0; i < 37; i++)
		v.bias[i] = (float) nn_rng_normal(&rng);
	nn_rec_transpose_items(item_t, v.item, 37, 13);
	for (u = -1; u < 4; u++)
	{
		nn_rec_score_all(scores, u < 0 ? NULL : v.user + u * 13, item_t, v.bias, 37, 13);
		for (i = 0; i < 37; i++)
			if (scores[i] != nn_rec_score(&spec, params, u, i))
				bad++;
	}
	ok(bad == 0, "batch scores equal pair scores bit for bit, the zero user included (%d differ)", bad);
	free(params);
	free(item_t);
}

/* Two user groups, each liking one half of the items: BPR learns to rank the own half first. */
static void
test_learns(void)
{
	enum
	{
		U = 40, I = 20
	};
	NnRecSpec	spec = {U, I, 4};
	uint64_t	offsets[U + 1];
	int32_t		items[U * I];
	NnRecPairs	pairs;
	NnRecSgd	sgd = {0.05, 0.001, 1, 0};
	size_t		n;
	float	   *params,
				scratch[12];
	NnRng		rng;
	double		loss = 0.0,
				first = 0.0;
	int			u,
				e,
				right = 0;
	uint64_t	p = 0;

	for (u = 0; u < U; u++)
	{
		int			base = (u % 2) * (I / 2),
					k;

		offsets[u] = p;
		/* 6 of the group's 10 items, leaving 4 to predict; a row ascends */
		for (k = 0; k < 10; k++)
			if ((k - u / 2 + 100) % 10 < 6)
				items[p++] = base + k;
	}
	offsets[U] = p;
	pairs.n_users = U;
	pairs.n_items = I;
	pairs.offsets = offsets;
	pairs.items = items;
	pairs.weights = NULL;
	nn_rec_param_count(&spec, &n);
	params = malloc(sizeof(float) * n);
	nn_rng_seed(&rng, 5);
	nn_rec_init(&spec, params, 0.1, &rng);
	for (e = 0; e < 200; e++)
	{
		if (nn_rec_sgd_epoch(&spec, params, &pairs, &sgd, 400, &rng, scratch, &loss) != NN_OK)
			break;
		if (e == 0)
			first = loss;
	}
	for (u = 0; u < U; u++)
	{
		double		best_own = -1e30,
					best_other = -1e30;
		int			i;

		for (i = 0; i < I; i++)
		{
			double		s;

			if (nn_rec_pairs_has(&pairs, u, i))
				continue;
			s = nn_rec_score(&spec, params, u, i);
			if ((i / (I / 2)) == u % 2)
				best_own = s > best_own ? s : best_own;
			else
				best_other = s > best_other ? s : best_other;
		}
		right += best_own > best_other;
	}
	ok(loss < first, "training lowers the BPR loss (%.3f -> %.3f)", first, loss);
	ok(right == U, "every user's best unseen item is in the own group (%d of %d)", right, U);
	free(params);
}

static void
test_bytes(void)
{
	NnRecSpec	spec = {3, 4, 2};
	int64_t		uids[3] = {-5, 10, 11},
				iids[4] = {1, 2, 3, 1000000000000};
	uint32_t	pop[4] = {1, 2, 0, 1};
	uint64_t	offs[4] = {0, 2, 2, 4};
	int32_t		its[4] = {0, 1, 1, 3};
	float		params[3 * 2 + 4 * 2 + 4];
	NnRecModel	m,
				back;
	size_t		size,
				i;
	unsigned char *buf;
	NnRecSpec	got;
	uint64_t	np;
	int			same = 1;

	for (i = 0; i < sizeof(params) / sizeof(float); i++)
		params[i] = (float) i / 7.0f - 1.0f;
	m.spec = spec;
	m.n_pairs = 4;
	m.user_ids = uids;
	m.item_ids = iids;
	m.popularity = pop;
	m.offsets = offs;
	m.items = its;
	m.params = params;
	ok(nn_rec_serialized_size(&spec, 4, &size) == NN_OK, "size");
	buf = malloc(size);
	ok(nn_rec_serialize(&m, buf, size) == NN_OK, "serialize");
	ok(nn_rec_deserialize_header(buf, size, &got, &np) == NN_OK && got.n_users == 3 && got.n_items == 4 &&
	   got.dim == 2 && np == 4, "header round trip");
	back.spec = got;
	back.n_pairs = np;
	back.user_ids = malloc(8 * 3);
	back.item_ids = malloc(8 * 4);
	back.popularity = malloc(4 * 4);
	back.offsets = malloc(8 * 4);
	back.items = malloc(4 * 4);
	back.params = malloc(sizeof(params));
	nn_rec_deserialize(buf, size, &back);
	same = memcmp(back.user_ids, uids, sizeof(uids)) == 0 && memcmp(back.item_ids, iids, sizeof(iids)) == 0 &&
		memcmp(back.popularity, pop, sizeof(pop)) == 0 && memcmp(back.offsets, offs, sizeof(offs)) == 0 &&
		memcmp(back.items, its, sizeof(its)) == 0 && memcmp(back.params, params, sizeof(params)) == 0;
	ok(same, "arrays round trip");
	{
		size_t		b;
		int			accepted = 0;

		/* every single-byte change is caught (by the CRC, or the fields before it) */
		for (b = 0; b < size; b++)
		{
			buf[b] ^= 0x5a;
			if (nn_rec_deserialize_header(buf, size, &got, &np) == NN_OK)
				accepted++;
			buf[b] ^= 0x5a;
		}
		ok(accepted == 0, "no flipped byte is accepted (%d were)", accepted);
		ok(nn_rec_deserialize_header(buf, size - 1, &got, &np) != NN_OK, "truncated bytes refused");
		ok(nn_rec_deserialize_header(NULL, 0, &got, &np) == NN_ERR_FORMAT, "no bytes refused");
	}
	its[1] = 0;
	ok(nn_rec_serialize(&m, buf, size) == NN_ERR_FORMAT, "a CSR row not ascending is refused");
	its[1] = 1;
	params[3] = NAN;
	ok(nn_rec_serialize(&m, buf, size) == NN_ERR_NONFINITE, "NaN parameters are refused");
	ok(nn_rec_find_id(iids, 4, 1000000000000) == 3 && nn_rec_find_id(iids, 4, 4) == -1, "id lookup");
	{
		NnRecSpec	big = {NN_REC_MAX_ENTITIES, NN_REC_MAX_ENTITIES, NN_REC_MAX_DIM};
		NnRecSpec	zero = {0, 1, 1};
		size_t		n;

		ok(nn_rec_param_count(&big, &n) == NN_ERR_TOO_LARGE, "a huge spec is too large, not an overflow");
		ok(nn_rec_param_count(&zero, &n) == NN_ERR_ARGUMENT, "no users is an argument error");
	}
	free(buf);
	free(back.user_ids);
	free(back.item_ids);
	free(back.popularity);
	free(back.offsets);
	free(back.items);
	free(back.params);
}

int
main(void)
{
	test_gradcheck();
	test_topk();
	test_score_all();
	test_learns();
	test_bytes();
	return done_testing();
}
