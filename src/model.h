/* model.h: a trained version decoded for scoring, and the catalog it comes from. */
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

/* The schema the extension is installed in. */
Oid			ub_catalog_schema(void);
/* Schema-qualified, quoted name of the catalog table of the installed extension. */
const char *ub_catalog_table(void);
/* The same for another relation of the extension, such as "ubehav_model_groups". */
const char *ub_catalog_relation(const char *relname);

/*
 * Identity of one catalog row: a version changed in place (an UPDATE) has a new row_xmin, unless the
 * same transaction wrote both rows; the model cache (model_cache.c) tells those apart.
 */
typedef struct UbVersionRef
{
	int32		version;
	TransactionId row_xmin;
} UbVersionRef;

/* Deployed version of a model; ERROR when the model does not exist or none is deployed. SPI must be connected. */
UbVersionRef ub_catalog_deployed_version(const char *name);

/* Decode one catalog version (SPI must be connected) into a model owned by a new child of parent. */
UbModel    *ub_catalog_load(const char *name, int32 version, MemoryContext parent);

/*
 * ERROR (data corrupted) when the row's feature_names and feature_types are not its preprocessing's
 * columns; nothing when the role may not read them. SPI must be connected; replaces SPI_tuptable.
 */
void		ub_catalog_check_features(const UbModel *m, const char *what);

/* Index in model->groups of group_value's network, or -1 when none was trained for it. */
int			ub_model_group_index(const UbModel *model, const char *group_value);

/* ERROR for a group_by model, in functions that need one network (function names the caller). */
void		ub_require_single_network(const UbModel *model, const char *function);

/* Model name@ref from the per-backend cache, loading it when missing (connects SPI itself). */
UbModel    *ub_model_cache_get(const char *name, UbVersionRef ref);
/*
 * The command id whose writes the current query sees (its snapshot's curcid), InvalidCommandId
 * without a snapshot. Queries in a row that write nothing share one; a write of this transaction
 * between two queries gives the second a new one.
 */
CommandId	ub_snapshot_cid(void);
/* Changes whenever the cache frees a model, so holders of pointers know to look again. */
uint64		ub_model_cache_epoch(void);

/*
 * Score the encoded row model->x into model->out (after the output transform) and return
 * out[0], un-standardized for regression.
 */
double		ub_model_score(UbModel *model);

#endif
