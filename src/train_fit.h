/* train_fit.h: the minibatch training loop over an encoded matrix, with per-epoch logging. */
#ifndef UBEHAV_FIT_H
#define UBEHAV_FIT_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "nn/mlp.h"
#include "options.h"
#include "data_row_chunks.h"

typedef struct UbFitData
{
	UbRowChunks *X;				/* (n, n_inputs) in the order the query returned the rows; chunks may be spilled */
	const float *y;				/* (n) targets as the core takes them */
	const float *w;				/* (n) row weights (class and sample weights), or NULL */
	uint32	   *train_rows;		/* which rows train; reshuffled in place every epoch */
	size_t		n_train;
	const uint32 *val_rows;		/* which rows validate */
	size_t		n_val;
	double		target_std;		/* regression: to report val_rmse in the target's units */
	double		dp_noise;		/* > 0: DP-SGD with this noise multiplier */
	double		dp_clip;		/* DP-SGD: per-example gradient norm bound */
	struct UbParallelFit *parallel;	/* epochs run on parallel workers (train_parallel.h), or NULL */
} UbFitData;

typedef struct UbFitResult
{
	int			epochs_run;
	int			best_epoch;		/* whose weights were kept (the last one without early stopping) */
	bool		stopped_early;
	double		best_val_loss;
	size_t		peak_bytes;		/* streamed: the current context's largest size with a window loaded */
	int			window_chunks;	/* streamed: chunks read into memory at once (0 in memory) */
} UbFitResult;

/*
 * Train params (already initialised) with the options' optimizer, schedule, regularization and
 * early stopping, shuffling with rng each epoch and checking for interrupts every batch. When X
 * is spilled, each epoch reads the chunks back in a shuffled order, a window of chunks at a time
 * within ubehav.max_training_memory, and shuffles the training rows within each window.
 * Appends one JSON object per epoch to log (a JSON array's elements). ERROR when the loss
 * becomes NaN or infinite.
 */
void		ub_fit(const NnSpec *spec, float *params, const UbOptions *opts, NnRng *rng,
				   const UbFitData *data, StringInfo log, UbFitResult *result);

/*
 * Progress NOTICEs of ub_fit, one line per epoch in Keras' spirit (epoch i/n, ms, loss,
 * validation loss and metric), rate-limited to about one a second at "verbose" 1. A training
 * entry point calls ub_epoch_notices_begin first: label prefixes each line ("trial 2/8", a group,
 * NULL for none); with force_ends the first and last epoch of each fit always print; with
 * force_stop the early-stopping line always does. ub_epoch_notices_network(m, n) names the network
 * of an ensemble that trains next (m from 1; n 1 for none); later networks print their first
 * epoch only when the rate allows.
 */
void		ub_epoch_notices_begin(const char *label, bool force_ends, bool force_stop);
void		ub_epoch_notices_network(int member, int n_members);

/* Outputs (after the output transform) of rows[0..n) of X into out (n, n_outputs); a spilled X is read chunk by chunk. */
void		ub_fit_predict(const NnSpec *spec, const float *params, UbRowChunks *X,
						   const uint32 *rows, size_t n, float *out);

#endif
