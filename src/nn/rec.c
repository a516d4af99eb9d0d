/* rec.c: the two-tower recommender's forward, BPR backward, SGD epoch and top-K selection. */
#include <math.h>
#include <string.h>

#include "kernel_isa.h"
#include "rec.h"

NnStatus
nn_rec_param_count(const NnRecSpec *spec, size_t *n_params)
{
	uint64_t	n;

	if (spec->dim < 1 || spec->dim > NN_REC_MAX_DIM || spec->n_users < 1 || spec->n_items < 1)
		return NN_ERR_ARGUMENT;
	if (spec->n_users > NN_REC_MAX_ENTITIES || spec->n_items > NN_REC_MAX_ENTITIES)
		return NN_ERR_TOO_LARGE;
	/* each factor below 2^27 and 2^9: the products fit in 64 bits */
	n = ((uint64_t) spec->n_users + (uint64_t) spec->n_items) * (uint64_t) spec->dim + (uint64_t) spec->n_items;
	if (n > NN_REC_MAX_PARAMS)
		return NN_ERR_TOO_LARGE;
	*n_params = (size_t) n;
	return NN_OK;
}

NnRecView
nn_rec_view(const NnRecSpec *spec, float *params)
{
	NnRecView	v;

	v.user = params;
	v.item = params + (size_t) spec->n_users * spec->dim;
	v.bias = v.item + (size_t) spec->n_items * spec->dim;
	return v;
}

void
nn_rec_init(const NnRecSpec *spec, float *params, double scale, NnRng *rng)
{
	size_t		n_emb = ((size_t) spec->n_users + spec->n_items) * spec->dim;
	size_t		i;

	for (i = 0; i < n_emb; i++)
		params[i] = (float) (scale * nn_rng_normal(rng));
	memset(params + n_emb, 0, sizeof(float) * spec->n_items);
}

int
nn_rec_pairs_has(const NnRecPairs *pairs, int32_t user, int32_t item)
{
	uint64_t	lo = pairs->offsets[user],
				hi = pairs->offsets[user + 1];

	while (lo < hi)
	{
		uint64_t	mid = lo + (hi - lo) / 2;

		if (pairs->items[mid] < item)
			lo = mid + 1;
		else if (pairs->items[mid] > item)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* b_i + U_u . V_i in double, d ascending (the one order every scorer uses). */
static inline double
score_rows(const float *urow, const float *irow, float bias, int32_t dim)
{
	double		s = bias;
	int32_t		d;

	if (urow == NULL)
		return s;
	for (d = 0; d < dim; d++)
		s += (double) urow[d] * (double) irow[d];
	return s;
}

double
nn_rec_score(const NnRecSpec *spec, const float *params, int32_t u, int32_t i)
{
	NnRecView	v = nn_rec_view(spec, (float *) params);

	return score_rows(u >= 0 ? v.user + (size_t) u * spec->dim : NULL,
					  v.item + (size_t) i * spec->dim, v.bias[i], spec->dim);
}

/* log(1 + exp(-x)) without overflow: -log sigmoid(x). */
static inline double
neg_log_sigmoid(double x)
{
	return x >= 0 ? log1p(exp(-x)) : -x + log1p(exp(x));
}

static inline double
sq_norm(const float *x, int32_t n)
{
	double		s = 0.0;
	int32_t		d;

	for (d = 0; d < n; d++)
		s += (double) x[d] * x[d];
	return s;
}

double
nn_rec_bpr_loss(const NnRecSpec *spec, const float *params, int32_t u, int32_t i, int32_t j,
				double c, double reg)
{
	NnRecView	v = nn_rec_view(spec, (float *) params);
	int32_t		dim = spec->dim;
	double		x = nn_rec_score(spec, params, u, i) - nn_rec_score(spec, params, u, j);

	return c * neg_log_sigmoid(x) +
		0.5 * reg * (sq_norm(v.user + (size_t) u * dim, dim) + sq_norm(v.item + (size_t) i * dim, dim) +
					 sq_norm(v.item + (size_t) j * dim, dim) +
					 (double) v.bias[i] * v.bias[i] + (double) v.bias[j] * v.bias[j]);
}

double
nn_rec_bpr_backward(float *gu, float *gi, float *gj, float *gbi, float *gbj,
					const NnRecSpec *spec, const float *params, int32_t u, int32_t i,
					int32_t j, double c, double reg)
{
	NnRecView	v = nn_rec_view(spec, (float *) params);
	int32_t		dim = spec->dim;
	const float *U = v.user + (size_t) u * dim;
	const float *Vi = v.item + (size_t) i * dim;
	const float *Vj = v.item + (size_t) j * dim;
	double		x = nn_rec_score(spec, params, u, i) - nn_rec_score(spec, params, u, j);
	/* dL/dx = -c sigmoid(-x) */
	double		g = -c / (1.0 + exp(x));
	int32_t		d;

	for (d = 0; d < dim; d++)
	{
		gu[d] = (float) (g * ((double) Vi[d] - Vj[d]) + reg * U[d]);
		gi[d] = (float) (g * U[d] + reg * Vi[d]);
		gj[d] = (float) (-g * U[d] + reg * Vj[d]);
	}
	/* i == j cannot happen in training (j is a negative); the test keeps them apart too */
	*gbi = (float) (g + reg * v.bias[i]);
	*gbj = (float) (-g + reg * v.bias[j]);
	return nn_rec_bpr_loss(spec, params, u, i, j, c, reg);
}

NnStatus
nn_rec_sgd_epoch(const NnRecSpec *spec, float *params, const NnRecPairs *pairs,
				 const NnRecSgd *sgd, size_t steps, NnRng *rng, float *scratch, double *loss)
{
	NnRecView	v = nn_rec_view(spec, params);
	int32_t		dim = spec->dim;
	float	   *gu = scratch,
			   *gi = scratch + dim,
			   *gj = scratch + 2 * dim;
	double		total = 0.0;
	size_t		counted = 0,
				s;
	float		lr = (float) sgd->learning_rate;
	int			neg;

	if (pairs->n_users != spec->n_users || pairs->n_items != spec->n_items || sgd->negatives < 1 ||
		pairs->offsets[spec->n_users] == 0 ||
		!(sgd->learning_rate > 0.0) || !(sgd->reg >= 0.0))
		return NN_ERR_ARGUMENT;
	for (s = 0; s < steps; s++)
	{
		int32_t		u;
		uint64_t	first,
					n_have;
		uint64_t	p = 0;
		int32_t		i;
		double		c;

		if (sgd->by_pair)
		{
			/* a uniform pair: active users weigh more; its user by binary search of the offsets */
			int32_t		lo = 0,
						hi = spec->n_users - 1;

			p = nn_rng_below(rng, pairs->offsets[spec->n_users]);
			while (lo < hi)
			{
				int32_t		mid = lo + (hi - lo + 1) / 2;

				if (pairs->offsets[mid] <= p)
					lo = mid;
				else
					hi = mid - 1;
			}
			u = lo;
		}
		else
			u = (int32_t) nn_rng_below(rng, (uint64_t) spec->n_users);
		first = pairs->offsets[u];
		n_have = pairs->offsets[u + 1] - first;
		if (n_have == 0 || n_have >= (uint64_t) spec->n_items)
			continue;
		if (!sgd->by_pair)
			p = first + nn_rng_below(rng, n_have);
		i = pairs->items[p];
		c = pairs->weights ? pairs->weights[p] : 1.0;
		{
			int32_t		j = -1;
			double		best = 0.0;
			float		gbi,
						gbj;
			float	   *U = v.user + (size_t) u * dim,
					   *Vi = v.item + (size_t) i * dim,
					   *Vj;
			int32_t		d;

			/*
			 * Dynamic negative sampling (Zhang et al., 2013): of `negatives` candidates the user
			 * does not have, the one the model ranks highest, the one most worth correcting.
			 */
			for (neg = 0; neg < sgd->negatives; neg++)
			{
				int32_t		cand = -1;
				int			tries;

				for (tries = 0; tries < 16; tries++)
				{
					int32_t		c2 = (int32_t) nn_rng_below(rng, (uint64_t) spec->n_items);

					if (!nn_rec_pairs_has(pairs, u, c2))
					{
						cand = c2;
						break;
					}
				}
				if (cand < 0)
					continue;
				if (sgd->negatives == 1)
					j = cand;
				else
				{
					double		sc = nn_rec_score(spec, params, u, cand);

					if (j < 0 || sc > best)
					{
						j = cand;
						best = sc;
					}
				}
			}
			if (j < 0)
				continue;
			Vj = v.item + (size_t) j * dim;
			total += nn_rec_bpr_backward(gu, gi, gj, &gbi, &gbj, spec, params, u, i, j, c, sgd->reg);
			counted++;
			for (d = 0; d < dim; d++)
			{
				U[d] -= lr * gu[d];
				Vi[d] -= lr * gi[d];
				Vj[d] -= lr * gj[d];
			}
			v.bias[i] -= lr * gbi;
			v.bias[j] -= lr * gbj;
		}
	}
	*loss = counted ? total / (double) counted : 0.0;
	for (s = 0; s < 3 * (size_t) dim; s++)
		if (!isfinite(scratch[s]))
			return NN_ERR_NONFINITE;
	return NN_OK;
}

void
nn_rec_transpose_items(float *item_t, const float *item, int32_t n_items, int32_t dim)
{
	int32_t		i,
				d;

	for (i = 0; i < n_items; i++)
		for (d = 0; d < dim; d++)
			item_t[(size_t) d * n_items + i] = item[(size_t) i * dim + d];
}

/*
 * The one hot loop of scoring, bound by reading item_t (4 * dim bytes per item) from memory. A
 * float product is exact in double, so the AVX2/AVX-512 clones' fused multiply-adds round
 * exactly as the baseline's multiply and add: every clone gives nn_rec_score's value.
 */
NN_MULTIVERSION void
nn_rec_score_all(double *scores, const float *uvec, const float *item_t, const float *bias,
				 int32_t n_items, int32_t dim)
{
	int32_t		i,
				d;

	for (i = 0; i < n_items; i++)
		scores[i] = bias[i];
	if (uvec == NULL)
		return;
	/* item by item the same sum as score_rows; across items one vectorizable pass per dimension */
	for (d = 0; d < dim; d++)
	{
		const float *row = item_t + (size_t) d * n_items;
		double		ud = uvec[d];

		for (i = 0; i < n_items; i++)
			scores[i] += ud * (double) row[i];
	}
}

/* a ranks before b: higher score, then lower index */
static inline int
hit_before(const NnRecHit *a, const NnRecHit *b)
{
	return a->score > b->score || (a->score == b->score && a->index < b->index);
}

/* Min-heap by rank: the root is the worst of the kept hits. */
static void
sift_down(NnRecHit *h, size_t n, size_t at)
{
	for (;;)
	{
		size_t		l = 2 * at + 1,
					r = l + 1,
					worst = at;
		NnRecHit	t;

		if (l < n && hit_before(&h[worst], &h[l]))
			worst = l;
		if (r < n && hit_before(&h[worst], &h[r]))
			worst = r;
		if (worst == at)
			return;
		t = h[at];
		h[at] = h[worst];
		h[worst] = t;
		at = worst;
	}
}

static void
sift_up(NnRecHit *h, size_t at)
{
	while (at > 0)
	{
		size_t		parent = (at - 1) / 2;
		NnRecHit	t;

		if (!hit_before(&h[parent], &h[at]))
			return;
		t = h[at];
		h[at] = h[parent];
		h[parent] = t;
		at = parent;
	}
}

size_t
nn_rec_topk(NnRecHit *out, const double *scores, int32_t n, size_t k, const int32_t *exclude,
			size_t n_exclude)
{
	size_t		size = 0,
				e = 0,
				i;
	int32_t		x;

	if (k == 0 || n <= 0)
		return 0;
	for (x = 0; x < n; x++)
	{
		NnRecHit	hit;

		/* exclude is ascending: one merge pass */
		while (e < n_exclude && exclude[e] < x)
			e++;
		if (e < n_exclude && exclude[e] == x)
			continue;
		hit.score = scores[x];
		hit.index = x;
		/* NaN never enters: the model's parameters are finite, this is a guard */
		if (isnan(hit.score))
			continue;
		if (size < k)
		{
			out[size] = hit;
			sift_up(out, size);
			size++;
		}
		else if (hit_before(&hit, &out[0]))
		{
			out[0] = hit;
			sift_down(out, size, 0);
		}
	}
	/* heap sort: pop the worst to the end */
	for (i = size; i > 1; i--)
	{
		NnRecHit	t = out[0];

		out[0] = out[i - 1];
		out[i - 1] = t;
		sift_down(out, i - 1, 0);
	}
	return size;
}

int32_t
nn_rec_find_id(const int64_t *ids, int32_t n, int64_t id)
{
	int32_t		lo = 0,
				hi = n;

	while (lo < hi)
	{
		int32_t		mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else if (ids[mid] > id)
			hi = mid;
		else
			return mid;
	}
	return -1;
}

