/* fit.h: the minibatch training loop over an encoded matrix, with per-epoch logging. */
#ifndef UBEHAV_FIT_H
#define UBEHAV_FIT_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "nn/mlp.h"
#include "options.h"

typedef struct UbFitData
{
	const float *X;				/* (n_train + n_val, n_inputs): training rows first */
	const float *y;				/* n_train + n_val targets as the core takes them */
	size_t		n_train;
	size_t		n_val;
} UbFitData;

/*
 * Train params (already initialised) for opts->epochs epochs, shuffling with rng each epoch and
 * checking for interrupts every batch. Appends one JSON object per epoch to log (a JSON array's
 * elements). ERROR when the loss becomes NaN or infinite.
 */
void		ub_fit(const NnSpec *spec, float *params, const UbOptions *opts, NnRng *rng,
				   const UbFitData *data, StringInfo log);

/* Outputs (after the output transform) of rows [from, from + n) of X into out (n, n_outputs). */
void		ub_fit_predict(const NnSpec *spec, const float *params, const float *X, size_t n,
						   float *out);

#endif
