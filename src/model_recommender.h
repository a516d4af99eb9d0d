/* model_recommender.h: the recommender's PostgreSQL side: options, interactions read from a query, the
 * training run, the decoded model of the scoring cache. */
#ifndef UBEHAV_REC_GLUE_H
#define UBEHAV_REC_GLUE_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "nn/rec.h"

/* Options of ubehav_train_recommender, each one row of the descriptor table in train_recommender.c. */
typedef struct UbRecOptions
{
	int			factors;
	int			epochs;
	double		learning_rate;
	double		regularization;
	int			negatives;
	int			sampling;		/* 0: a uniform user, then one of its items; 1: a uniform interaction */
	int64		seed;
	char	   *user_column;	/* NULL: by position */
	char	   *item_column;
	char	   *weight_column;
	char	   *time_column;
} UbRecOptions;

/* Parse options (NULL = all defaults); an unknown key is an error listing the valid ones. */
void		ub_rec_options_parse(Jsonb *options, UbRecOptions *o);
/* Every setting as a JSON object, column names as resolved, for the catalog (retrain replays it). */
void		ub_rec_options_json(StringInfo buf, const UbRecOptions *o);

/* One (user, item) pair of the query, its rows aggregated. */
typedef struct UbRecPair
{
	int64		user;
	int64		item;
	double		weight;			/* sum over the pair's rows */
	double		first_time;		/* of the pair's first row: time column, else row number */
	uint64		first_row;		/* row number of that row, breaking ties of time */
} UbRecPair;

/* The pairs of a query, sorted by (user, item), and what reading it found. */
typedef struct UbRecInteractions
{
	UbRecPair  *pairs;
	size_t		n_pairs;
	int64		rows_used;
	int64		rows_skipped;	/* NULL user or item, NULL or non-positive weight, NULL time */
	char	   *user_column;	/* as found in the query's result */
	char	   *item_column;
	char	   *weight_column;	/* NULL: none */
	char	   *time_column;	/* NULL: none */
} UbRecInteractions;

/* Run query (one SELECT, read-only, as the caller; SPI connected) and aggregate its rows. */
UbRecInteractions *ub_rec_read(const char *query, const UbRecOptions *o, const char *purpose);

/*
 * Mark in held_out[p] each user's latest new item (largest first_time, then first_row) among
 * users with at least two pairs; returns how many.
 */
size_t		ub_rec_hold_out_latest(const UbRecInteractions *in, bool *held_out);

/* A trained model of the pairs not held out (held_out may be NULL), in the current context. */
typedef struct UbRecTrained
{
	NnRecModel	model;
	double		final_loss;
	Jsonb	   *log;			/* array of the epochs */
} UbRecTrained;

/* The catalog's preprocessing of a recommender (trained or imported): its sizes and format. */
Jsonb	   *ub_rec_preprocessing_jsonb(const NnRecModel *m);

void		ub_rec_train(const UbRecInteractions *in, const bool *held_out, const UbRecOptions *o,
						 UbRecTrained *out);

/* A decoded recommender, as the scoring functions keep it. */
typedef struct UbRecModel
{
	char	   *name;
	int32		version;
	TransactionId row_xmin;
	Oid			loaded_by;
	NnRecModel	m;
	float	   *item_t;			/* (dim, n_items) transposed item embeddings */
	int32	   *by_popularity;	/* item indices, most training users first, ties by id */
	uint32		max_popularity;
	double		cold_item_score;	/* score of an item unseen in training, for a known user */
	double	   *scores;			/* n_items scratch */
	NnRecHit   *hits;			/* scratch of the top-K, grown on demand */
	size_t		hits_capacity;
	MemoryContext mcxt;
} UbRecModel;

/* Decode catalog bytes into a new model owned by a child of parent (ERROR on damaged bytes). */
UbRecModel *ub_rec_decode(bytea *weights, const char *what, MemoryContext parent);

/* Fill the derived fields (transposed items, popularity order, scratch) of r->m, in r->mcxt. */
void		ub_rec_prepare(UbRecModel *r);

/* The item indices (ascending) user index u has interacted with in training. */
static inline const int32 *
ub_rec_seen(const UbRecModel *r, int32 u, size_t *n)
{
	*n = (size_t) (r->m.offsets[u + 1] - r->m.offsets[u]);
	return r->m.items + r->m.offsets[u];
}

/*
 * Top k of user index u (-1: unseen user, ranked by popularity), excluding the training items
 * when exclude_seen; into r->hits, returns how many.
 */
size_t		ub_rec_top(UbRecModel *r, int32 u, size_t k, bool exclude_seen);

/* Score of a (user index, item index) pair; -1 for unseen ones (the documented fallbacks). */
double		ub_rec_pair_score(const UbRecModel *r, int32 u, int32 i);


#endif
