/* train_pipeline.h: the training pipeline in steps, shared by ubehav_train, cross-validation and tuning. */
#ifndef UBEHAV_TRAIN_CORE_H
#define UBEHAV_TRAIN_CORE_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "data_query.h"
#include "train_fit.h"
#include "model.h"
#include "options.h"
#include "prep_columns.h"
#include "prep_target.h"

typedef struct UbTrainResult
{
	UbPreprocessing *prep;
	NnSpec		spec;
	float	   *params;
	size_t		n_params;
	StringInfoData metrics;		/* a JSON object: the validation metrics */
	StringInfoData log;			/* a JSON array: one object per epoch */
	UbFitResult fit;
	int			epochs;			/* asked for, "auto" resolved */
	size_t		n_train;
	size_t		n_val;
	size_t		peak_bytes;		/* largest size of the current memory context seen during the run */
	/* the rows the metrics were computed on: n_eval x n_outputs scores and n_eval true values (target units) */
	float	   *eval_scores;
	float	   *eval_truth;
	size_t		n_eval;
} UbTrainResult;

/*
 * Read the training query (SPI connected) into mcxt, with the NOTICEs and checks on row counts.
 * With may_spill, data past ubehav.max_training_memory is streamed through a temporary file.
 * When the rows have a text column, opts takes the text model's defaults (prep_text_defaults.h).
 */
UbDataset  *ub_train_read(const char *query, const char *target, UbOptions *opts, bool may_spill,
						  MemoryContext mcxt);

/* Whether a training with opts can stream its rows (not DP-SGD or a deploy "if_better"). */
bool		ub_train_can_stream(const UbOptions *opts);

/* The target as the core takes it; the dataset's raw target values are freed. */
UbTarget   *ub_train_target(UbDataset *ds, const UbOptions *opts);

/*
 * Fit preprocessing on order[0..n_train), train on those rows, and compute metrics on the rest
 * (or on the training rows when there is no rest). With keep_raw the dataset can be trained on
 * again (cross-validation, tuning); without it its raw values are freed while encoding.
 * rng continues the stream (initialisation, shuffling, dropout). With init (a warm start), its
 * preprocessing and weights are the starting point instead. Allocates in the current context.
 */
void		ub_train_on_split(UbDataset *ds, const UbTarget *tgt, const UbOptions *opts, NnRng *rng,
							  uint32 *order, size_t n_train, bool keep_raw, const UbModel *init,
							  UbTrainResult *res);

/*
 * The same with test rows: order[n_train, n_train + n_val) validate (early stopping, schedules, the
 * F1 threshold) and the metrics are computed on order[n_train + n_val, n), which training never
 * sees; without test rows it is ub_train_on_split.
 */
void		ub_train_on_splits(UbDataset *ds, const UbTarget *tgt, const UbOptions *opts, NnRng *rng,
							   uint32 *order, size_t n_train, size_t n_val, bool keep_raw,
							   const UbModel *init, UbTrainResult *res);

/* Serialize, store and deploy a trained result as the next version of model (SPI connected); returns the version. */
int32		ub_train_store(const char *model, const char *query, const char *target, UbOptions *opts,
						   const UbTarget *tgt, const UbDataset *ds, UbTrainResult *res, NnRng *rng,
						   double training_ms);

/* ubehav_train with the option group_by: one network per value of that column, stored as one version. */
Jsonb	   *ub_train_grouped(const char *model, const char *query, const char *target, UbOptions *opts);

/* The model bytes of a trained network, palloc'd as a bytea. */
bytea	   *ub_train_serialize(const NnSpec *spec, const float *params, const NnRng *rng);

/* The summary's main validation metric of a task, and whether larger is better. */
const char *ub_default_metric(UbTask task, bool *higher_is_better);

#endif
