/* model.h: a trained version decoded for scoring, and the catalog it comes from. */
#ifndef UBEHAV_MODEL_H
#define UBEHAV_MODEL_H

#include "postgres.h"

#include "nn/mlp.h"
#include "options.h"
#include "preprocess.h"

typedef struct UbModel
{
	char	   *name;
	int32		version;
	TransactionId row_xmin;		/* of the catalog row decoded: any change to the row gives a new one */
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
	MemoryContext mcxt;			/* owns everything above */
} UbModel;

/* Schema-qualified, quoted name of the catalog table of the installed extension. */
const char *ub_catalog_table(void);

/* Identity of one catalog row: a version changed in place (an UPDATE) has a new row_xmin. */
typedef struct UbVersionRef
{
	int32		version;
	TransactionId row_xmin;
} UbVersionRef;

/* Deployed version of a model; ERROR when the model does not exist or none is deployed. SPI must be connected. */
UbVersionRef ub_catalog_deployed_version(const char *name);

/* Decode one catalog version (SPI must be connected) into a model owned by a new child of parent. */
UbModel    *ub_catalog_load(const char *name, int32 version, MemoryContext parent);

/* Model name@ref from the per-backend cache, loading it when missing (connects SPI itself). */
UbModel    *ub_model_cache_get(const char *name, UbVersionRef ref);
/* Changes whenever the cache frees a model, so holders of pointers know to look again. */
uint64		ub_model_cache_epoch(void);

/*
 * Score the encoded row model->x into model->out (after the output transform) and return
 * out[0], un-standardized for regression.
 */
double		ub_model_score(UbModel *model);

#endif
