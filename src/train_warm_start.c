/* train_warm_start.c: "warm_start": training from the deployed version's weights and preprocessing. */
#include "postgres.h"

#include "miscadmin.h"

#include "catalog_read.h"
#include "model_match.h"
#include "nn/pca.h"
#include "prep_columns.h"
#include "train_warm_start.h"

UbModel *
ub_warm_start_load(const char *model, MemoryContext mcxt)
{
	int32		version = ub_deployed_version_or_zero(model);
	UbModel    *init;

	if (version == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("option \"warm_start\" needs a deployed version of model \"%s\" to start from", model),
				 errhint("Train it once without \"warm_start\", or deploy a version with ubehav_deploy.")));
	init = ub_catalog_load(model, version, mcxt);
	ub_require_single_network(init, "option \"warm_start\"");
	return init;
}

void
ub_warm_start_bind(const UbModel *init, UbDataset *ds)
{
	char	   *why;
	int		   *map = ub_match_columns(init->prep, ds, true, &why);
	UbRawColumn *cols;
	int			i;

	if (map == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot warm start from version %d of model \"%s\": %s", init->version, init->name, why),
				 errhint("Warm starts need the same feature columns; train without \"warm_start\" to start afresh.")));
	/* the stored preprocessing encodes features in its own order */
	cols = palloc(sizeof(UbRawColumn) * Max(ds->n_columns, 1));
	for (i = 0; i < ds->n_columns; i++)
		cols[i] = ds->columns[map[i]];
	ds->columns = cols;
}

void
ub_warm_start_project(const UbPreprocessing *prep, UbRowChunks *X, size_t n)
{
	float	   *z;
	size_t		r;

	if (prep->pca_k == 0)
		return;
	z = palloc(sizeof(float) * prep->pca_k);
	for (r = 0; r < n; r++)
	{
		float	   *x = ub_chunks_row(X, r);

		nn_pca_project(x, prep->n_encoded, prep->pca_mean, prep->pca_components, prep->pca_k, z);
		memcpy(x, z, sizeof(float) * prep->pca_k);
		if ((r & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	ub_chunks_narrow(X, prep->pca_k);
}

/* The layers as text, "4 inputs, hidden [8, 4] relu, 1 output", for messages. */
static char *
describe_spec(const NnSpec *s)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%d inputs, hidden [", s->n_inputs);
	for (i = 0; i < s->n_hidden; i++)
		appendStringInfo(&buf, "%s%d", i ? ", " : "", s->hidden[i]);
	appendStringInfo(&buf, "] %s, %d output%s", nn_activation_name(s->activation), s->n_outputs, s->n_outputs == 1 ? "" : "s");
	return buf.data;
}

void
ub_warm_start_check(const UbModel *init, const NnSpec *spec, const UbTarget *tgt)
{
	char	   *why = ub_classes_differ(init, tgt);
	int			i;
	bool		same = spec->n_inputs == init->spec.n_inputs && spec->n_hidden == init->spec.n_hidden &&
		spec->activation == init->spec.activation && spec->head == init->spec.head &&
		spec->n_outputs == init->spec.n_outputs;

	for (i = 0; same && i < spec->n_hidden; i++)
		same = spec->hidden[i] == init->spec.hidden[i];
	if (why == NULL && !same)
		why = psprintf("the network would be %s, the deployed version's is %s", describe_spec(spec), describe_spec(&init->spec));
	if (why)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot warm start from version %d of model \"%s\": %s", init->version, init->name, why),
				 errhint("Keep \"hidden\", \"activation\" and the target as they were, or train without \"warm_start\".")));
}
