/* score_predict.h: how a scoring call site finds its model once per query and encodes its argument. */
#ifndef UBEHAV_PREDICT_H
#define UBEHAV_PREDICT_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "fmgr.h"

#include "model.h"
#include "model_cache.h"
#include "score_row_binding.h"

/* What a call site keeps for the whole query in fn_extra. */
typedef struct ScoreState
{
	text	   *name;			/* the model argument this state was resolved for */
	char	   *name_cstr;
	bool		name_stable;	/* the model argument is a constant or a parameter */
	UbVersionRef ref;
	CommandId	resolved_cid;	/* ub_snapshot_cid() when ref was resolved */
	UbModel    *model;
	uint64		cache_epoch;
	/* row input: the binding is rebuilt only when the row type changes */
	Oid			row_type;
	int32		row_typmod;
	TupleDesc	row_desc;
	UbRowBinding *binding;
	Datum	   *values;
	bool	   *nulls;
	/* group_by models: the row's group column and a binding per group network, built on first use */
	int			group_attno;
	FmgrInfo	group_output;
	UbRowBinding **group_bindings;
} ScoreState;

/* The call site's state; resolves the deployed version of argument 0 on first use or when it changes. */
ScoreState *score_state(FunctionCallInfo fcinfo);
/* Encode argument 1, a float8[] or real[] of raw values, into the model's x; returns the model. */
UbModel    *encode_array_arg(FunctionCallInfo fcinfo);
/* Encode argument 1, a row, into the model's x by column name; returns the model. */
UbModel    *encode_row_arg(FunctionCallInfo fcinfo);

/* The results of the scoring functions for a model whose x holds the encoded row. */
Datum		predict_value(UbModel *m);
Datum		predict_proba(UbModel *m);
Datum		predict_class(UbModel *m);

#endif
