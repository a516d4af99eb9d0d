/*
 * rec.h: the recommender's numerical core: a two-tower model of embedding towers, trained with
 * BPR on sampled negatives, scored by dot product, top-K by a heap; its bytes (magic, format
 * version, CRC-32C) carry the id maps, the seen-items CSR and the popularity counts.
 *
 * Score of user u for item i: s(u, i) = b_i + sum_d U[u, d] V[i, d], accumulated in double in
 * order d = 0, 1, ... from b_i, so a pair scored alone equals the same pair scored in a batch.
 * BPR (Rendle et al., 2009, https://arxiv.org/abs/1205.2618): for a positive i and a sampled
 * negative j of u, loss c * -log sigmoid(s(u, i) - s(u, j)) + reg/2 (|U_u|^2 + |V_i|^2 +
 * |V_j|^2 + b_i^2 + b_j^2), minimised by SGD on the rows it touches.
 */
#ifndef UBEHAV_NN_REC_H
#define UBEHAV_NN_REC_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "status.h"

#define NN_REC_MAX_DIM 512
#define NN_REC_MAX_ENTITIES 100000000	/* users or items */
#define NN_REC_MAX_PAIRS 1000000000u
#define NN_REC_MAX_PARAMS 500000000u	/* 2 GB of floats */

typedef struct NnRecSpec
{
	int32_t		n_users;
	int32_t		n_items;
	int32_t		dim;
} NnRecSpec;

/*
 * Parameters, one flat block: U (n_users, dim), then V (n_items, dim), then b (n_items).
 * Named views into it.
 */
typedef struct NnRecView
{
	float	   *user;
	float	   *item;
	float	   *bias;
} NnRecView;

/* Parameter count of a spec; validates sizes (1 <= dim <= NN_REC_MAX_DIM, >= 1 user and item). */
NnStatus	nn_rec_param_count(const NnRecSpec *spec, size_t *n_params);
NnRecView	nn_rec_view(const NnRecSpec *spec, float *params);

/* Embeddings N(0, scale^2), biases 0. */
void		nn_rec_init(const NnRecSpec *spec, float *params, double scale, NnRng *rng);

/* Interactions as CSR: user u's items are items[offsets[u] .. offsets[u + 1]), ascending. */
typedef struct NnRecPairs
{
	int32_t		n_users;
	int32_t		n_items;
	const uint64_t *offsets;	/* n_users + 1 */
	const int32_t *items;		/* offsets[n_users] */
	const float *weights;		/* offsets[n_users] confidences, or NULL for 1 */
} NnRecPairs;

/* Whether item is among user's items (binary search). */
int			nn_rec_pairs_has(const NnRecPairs *pairs, int32_t user, int32_t item);

/* BPR loss of one triple (u, i, j) with confidence c. */
double		nn_rec_bpr_loss(const NnRecSpec *spec, const float *params, int32_t u, int32_t i,
							int32_t j, double c, double reg);

/*
 * Gradients of nn_rec_bpr_loss for the rows it touches: gu, gi, gj (dim each), gbi, gbj.
 * Returns the loss.
 */
double		nn_rec_bpr_backward(float *gu, float *gi, float *gj, float *gbi, float *gbj,
								const NnRecSpec *spec, const float *params, int32_t u,
								int32_t i, int32_t j, double c, double reg);

/* Training settings of one epoch. */
typedef struct NnRecSgd
{
	double		learning_rate;
	double		reg;
	int			negatives;		/* candidates per positive; the highest-scored is the negative */
	int			by_pair;		/* draw a uniform pair (1) or a uniform user, then its pair (0) */
} NnRecSgd;

/*
 * One epoch of `steps` SGD steps, each: a uniform user with items, one of its items, `negatives`
 * uniform items it does not have (rejection sampling, a few tries). Returns the mean loss in
 * *loss. scratch holds 3 * dim floats. A user with every item has no negative: skipped.
 */
NnStatus	nn_rec_sgd_epoch(const NnRecSpec *spec, float *params, const NnRecPairs *pairs,
							 const NnRecSgd *sgd, size_t steps, NnRng *rng, float *scratch,
							 double *loss);

/* s(u, i); u < 0 stands for a zero user embedding (the bias alone). */
double		nn_rec_score(const NnRecSpec *spec, const float *params, int32_t u, int32_t i);

/*
 * Scores of every item for user embedding uvec (dim floats, NULL = zero), with the item
 * embeddings transposed: item_t is (dim, n_items), as nn_rec_transpose_items writes them.
 * scores: n_items doubles. Equal, item by item, to nn_rec_score.
 */
void		nn_rec_score_all(double *scores, const float *uvec, const float *item_t,
							 const float *bias, int32_t n_items, int32_t dim);

/* item_t (dim, n_items) from V (n_items, dim). */
void		nn_rec_transpose_items(float *item_t, const float *item, int32_t n_items, int32_t dim);

/*
 * The k best of scores[0..n) (highest first, ties by lower index first), leaving out the
 * ascending indices exclude[0..n_exclude). Writes at most k indices and their scores, returns
 * how many (min(k, n - excluded)). heap holds k entries of scratch. O(n log k).
 */
typedef struct NnRecHit
{
	double		score;
	int32_t		index;
} NnRecHit;

size_t		nn_rec_topk(NnRecHit *out, const double *scores, int32_t n, size_t k,
						const int32_t *exclude, size_t n_exclude);

/* ---- bytes ---- */
#define NN_REC_FORMAT_MAGIC 0x43524255u	/* "UBRC" little-endian */
#define NN_REC_FORMAT_VERSION 1u

/*
 * A decoded or to-be-encoded recommender: sizes, id maps (ascending), popularity (training
 * users per item), the seen-items CSR and the parameters.
 */
typedef struct NnRecModel
{
	NnRecSpec	spec;
	uint64_t	n_pairs;
	int64_t    *user_ids;		/* n_users, ascending */
	int64_t    *item_ids;		/* n_items, ascending */
	uint32_t   *popularity;		/* n_items */
	uint64_t   *offsets;		/* n_users + 1 */
	int32_t    *items;			/* n_pairs */
	float	   *params;			/* nn_rec_param_count */
} NnRecModel;

/*
 * Layout, little-endian: u32 magic, u32 version, u32 header_bytes (40), i32 n_users, i32 n_items,
 * i32 dim, u64 n_pairs, u32 reserved[2] (0), then i64 user_ids[n_users], i64 item_ids[n_items],
 * u32 popularity[n_items], u64 offsets[n_users + 1], i32 items[n_pairs], f32 params[...],
 * u32 crc32c of every byte before it.
 */
NnStatus	nn_rec_serialized_size(const NnRecSpec *spec, uint64_t n_pairs, size_t *size);
/* Validates m (sorted ids, CSR, finite parameters) and writes exactly size bytes. */
NnStatus	nn_rec_serialize(const NnRecModel *m, unsigned char *buf, size_t size);
/*
 * Validate bytes completely (sizes against the length, checksum, ascending ids, CSR bounds and
 * order, finite parameters) and read spec and n_pairs; arrays are not copied.
 */
NnStatus	nn_rec_deserialize_header(const unsigned char *buf, size_t size, NnRecSpec *spec,
									  uint64_t *n_pairs);
/* Copy the arrays of bytes accepted by nn_rec_deserialize_header into m's caller-owned arrays. */
void		nn_rec_deserialize(const unsigned char *buf, size_t size, NnRecModel *m);

/* Index of id in ascending ids[0..n), or -1. */
int32_t		nn_rec_find_id(const int64_t *ids, int32_t n, int64_t id);

#endif
