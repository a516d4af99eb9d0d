/* eval_score_query.h: a labelled query scored by a model, for evaluation, curves and importance. */
#ifndef UBEHAV_SCORE_QUERY_H
#define UBEHAV_SCORE_QUERY_H

#include "postgres.h"

#include "model.h"

typedef struct UbScoredRows
{
	UbModel    *model;			/* the deployed version, decoded privately */
	int32		version;
	float	   *outputs;		/* (n, n_outputs): probabilities, or values in the target's units */
	float	   *y;				/* (n): class indices, or values */
	size_t		n;
	int64		skipped;		/* NULL targets and classes the model does not know */
} UbScoredRows;

UbScoredRows *ub_score_labelled_query(const char *name, const char *query, const char *purpose,
									  MemoryContext mcxt);

#endif
