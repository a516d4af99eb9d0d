/*
 * train_parallel.h: data-parallel training of one network on one machine, with PostgreSQL's
 * parallel workers and a dynamic shared memory segment.
 *
 * Local SGD with model averaging per epoch: the training rows are dealt round-robin to the
 * participants (the leader and the workers that launched), each runs the epoch's minibatch steps
 * on its own rows from the epoch's starting model, then the leader replaces the model (and the
 * optimizer state) by the row-weighted average of the participants' (nn_model_average), in
 * participant order. One synchronisation per epoch; deterministic for a seed at a given number of
 * participants. Validation, schedules, early stopping and the log stay in ub_fit, on the leader.
 */
#ifndef UBEHAV_TRAIN_PARALLEL_H
#define UBEHAV_TRAIN_PARALLEL_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"

#include "train_fit.h"
#include "nn/mlp.h"
#include "options.h"

typedef struct UbParallelFit UbParallelFit;

extern int	ub_parallel_workers;	/* ubehav.parallel_workers: -1 auto, 0 serial */
extern int	ub_parallel_min_rows;	/* ubehav.parallel_min_rows */

/* Define the GUCs above (from _PG_init). */
void		ub_train_parallel_define_gucs(void);

/*
 * Start parallel training of spec on data's training rows when it applies (one network in memory,
 * no DP-SGD, not already in parallel mode, at least ubehav.parallel_min_rows training rows and a
 * worker planned), else NULL and ub_fit trains serially as before. When workers were planned but
 * none launched, also NULL, and info says so. Draws one seed per participant from rng. The encoded
 * training rows, targets and weights are copied into the segment.
 */
UbParallelFit *ub_parallel_fit_begin(const NnSpec *spec, const UbOptions *opts, const UbFitData *data,
									 NnRng *rng, StringInfo info);

/*
 * One epoch on every participant from params and state (the optimizer state of opt's kind), which
 * then hold the row-weighted average; opt->learning_rate is the epoch's rate. Returns the summed
 * training loss of the epoch's batches (loss times rows), NaN when a participant's weights diverged.
 */
double		ub_parallel_fit_epoch(UbParallelFit *pf, float *params, float *state, const NnOptimizer *opt);

/*
 * The mean loss of the validation rows under params (the model ub_parallel_fit_epoch left), each
 * participant scoring a block of them; their outputs after the output transform into out
 * (n_val, n_outputs), in the order of val_rows. Only when the training has validation rows.
 */
double		ub_parallel_fit_validate(UbParallelFit *pf, const float *params, float *out);

/* Stop the workers, wait for them, free the segment; appends the "parallel" metrics member to info. */
void		ub_parallel_fit_end(UbParallelFit *pf, StringInfo info);

/* The parallel worker's entry point (CreateParallelContext looks it up by name). */
PGDLLEXPORT void ub_train_parallel_worker(dsm_segment *seg, shm_toc *toc);

#endif
