/* model_merge.h: merging model values trained on different rows, and starting a round from one. */
#ifndef UBEHAV_MODEL_MERGE_H
#define UBEHAV_MODEL_MERGE_H

#include "postgres.h"

#include "utils/jsonb.h"

/*
 * The options of a ubehav_fit_from round: the starting value's stored options (its architecture,
 * preprocessing choices and seed) with the round's given options (or NULL) on top, as jsonb.
 */
Jsonb	   *ub_fit_from_options(Jsonb *init, Jsonb *given);

#endif
