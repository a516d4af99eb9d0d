/* options.h: training options, parsed from jsonb with Keras and scikit-learn names. */
#ifndef UBEHAV_OPTIONS_H
#define UBEHAV_OPTIONS_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "nn/mlp.h"

typedef enum UbTask
{
	UB_TASK_INFER = 0,
	UB_TASK_BINARY,
	UB_TASK_MULTICLASS,
	UB_TASK_REGRESSION
} UbTask;

typedef struct UbOptions
{
	int			n_hidden;
	int			hidden[NN_MAX_HIDDEN_LAYERS];
	NnActivation activation;
	NnOptimizer optimizer;		/* kind, learning rate, momentum, nesterov, as the core uses them */
	double		learning_rate;	/* as the user wrote them, for the catalog */
	double		momentum;
	bool		nesterov;
	int			batch_size;
	int			epochs;
	double		validation_split;
	int64		seed;
	UbTask		task;
	int			max_categories;
	int			max_classes;
} UbOptions;

/* Defaults, then every key of opts validated and applied; ERROR on unknown keys, wrong types or ranges. */
void		ub_options_parse(Jsonb *opts, UbOptions *out);
/* The effective options as jsonb, defaults included, for the catalog. */
Jsonb	   *ub_options_to_jsonb(const UbOptions *o);

const char *ub_task_name(UbTask task);

#endif
