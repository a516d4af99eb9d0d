/* model_value.h: the state of the training aggregates (ubehav_fit, ubehav_fit_from), shared with their parallel support. */
#ifndef UBEHAV_MODEL_VALUE_H
#define UBEHAV_MODEL_VALUE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "data_query.h"

/* The rows of one group, gathered in the aggregate's context until the final function trains. */
typedef struct FitState
{
	MemoryContext mcxt;
	UbDataset  *ds;
	Jsonb	   *options;		/* the first non-NULL options of the group */
	Jsonb	   *init;			/* ubehav_fit_from: the first non-NULL model value to start from */
	Oid			label_type;
	bool		combined;		/* partial states were combined (parallel aggregation): rows in no fixed order */
} FitState;

/* An empty state for labels of label_type in a new child of aggcxt. */
FitState   *ub_fit_state_new(MemoryContext aggcxt, Oid label_type);

/*
 * Put the rows of a combined state in one canonical order (by feature values, then label), and
 * the label dictionary in first-seen order of that, so the model does not depend on the order in
 * which the parallel workers' partial states arrived.
 */
void		ub_fit_state_canonical_order(FitState *st);

#endif
