/* model.h: a trained version decoded for scoring, its identity in the catalog, and scoring it (score_model.c). */
#ifndef UBEHAV_MODEL_H
#define UBEHAV_MODEL_H

#include "postgres.h"

#include "nn/mlp.h"
#include "options.h"
#include "prep_columns.h"

typedef struct UbModel
{
	char	   *name;
	int32		version;
	TransactionId row_xmin;		/* of the catalog row decoded: a change by another transaction gives a new one */
	Oid			loaded_by;		/* the role whose catalog privileges the decoding passed */
	UbTask		task;
	char	   *target;
	NnSpec		spec;
	float	   *params;
	size_t		n_params;
	UbPreprocessing *prep;
	int			n_classes;
	char	  **labels;
	double		threshold;		/* binary: predict the positive class when p >= threshold */
	float	   *x;				/* prep->n_encoded: one encoded row */
	float	   *z;				/* n_inputs: its PCA projection, when the model has one */
	float	   *out;			/* n_outputs */
	float	   *scratch;		/* nn_predict_scratch_floats */
	/* features-array scoring, built at its first call: per array position its input, center and scale */
	int		   *array_dest;
	double	   *array_center;
	double	   *array_scale;
	/* with transforms (0.2.0) only, else NULL: per array position its feature and slot */
	const struct UbFeature **array_feature;
	int		   *array_slot;
	int			n_array_indicators;	/* inputs that flag a NULL, always 0 for an array (it has none) */
	int		   *array_indicator_dest;
	/* a group_by version has no network of its own but one per group value, sorted bytewise */
	char	   *group_by;
	int			n_groups;
	char	  **group_values;
	struct UbModel **groups;
	MemoryContext mcxt;			/* owns everything above */
} UbModel;

/*
 * Identity of one catalog row: a version changed in place (an UPDATE) has a new row_xmin, unless the
 * same transaction wrote both rows; the model cache (model_cache.c) tells those apart.
 */
typedef struct UbVersionRef
{
	int32		version;
	TransactionId row_xmin;
} UbVersionRef;

/* Index in model->groups of group_value's network, or -1 when none was trained for it. */
int			ub_model_group_index(const UbModel *model, const char *group_value);

/* ERROR for a group_by model, in functions that need one network (function names the caller). */
void		ub_require_single_network(const UbModel *model, const char *function);

/*
 * Score the encoded row model->x into model->out (after the output transform) and return
 * out[0], un-standardized for regression.
 */
double		ub_model_score(UbModel *model);

#endif
