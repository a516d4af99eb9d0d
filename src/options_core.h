/* options_core.h: training options and their validation, free of PostgreSQL so they can be fuzzed. */
#ifndef UBEHAV_OPTIONS_CORE_H
#define UBEHAV_OPTIONS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_tree.h"
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
	int64_t		seed;
	UbTask		task;
	int			max_categories;
	int			max_classes;
} UbOptions;

typedef struct UbOptionError
{
	char		message[256];	/* lower case, no final period */
	char		hint[512];		/* a full sentence, or empty */
} UbOptionError;

/* The defaults: the seed's Keras example. */
void		ub_options_defaults(UbOptions *o);

/*
 * Validate every key of obj (an object, or NULL for none) and apply it over the defaults.
 * Returns false and fills err on the first unknown key, wrong type or value out of range.
 */
bool		ub_options_apply(const UbJson *obj, UbOptions *o, UbOptionError *err);

const char *ub_task_name(UbTask task);

#endif
