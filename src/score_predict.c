/* score_predict.c: the scoring functions; the deployed version is resolved once per query and call site. */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "catalog_read.h"
#include "model.h"
#include "model_cache.h"
#include "nn/metrics.h"
#include "score_predict.h"
#include "score_row_binding.h"

/* The resolved state, its model pointer re-read if the cache freed a model since (the version stays). */
static inline ScoreState *
score_state_refresh(ScoreState *st)
{
	if (st->cache_epoch != ub_model_cache_epoch())
	{
		st->model = ub_model_cache_get(st->name_cstr, st->ref);
		st->cache_epoch = ub_model_cache_epoch();
	}
	return st;
}

/*
 * The same name resolved again, under a new command id: a PL/pgSQL expression keeps its fn_extra
 * for the whole transaction, so a train, drop or deploy by a statement of its own between two
 * evaluations is seen here, as the next query would see it. What was bound to the old model is
 * forgotten only when the model changed.
 */
static pg_noinline void
score_state_resolve_again(ScoreState *st)
{
	UbVersionRef ref;
	UbModel    *model;
	bool		same;

	SPI_connect();
	ref = ub_catalog_deployed_version(st->name_cstr);
	SPI_finish();
	/* the old pointer means the old model only while the cache has freed nothing since */
	same = st->cache_epoch == ub_model_cache_epoch() && ref.version == st->ref.version &&
		ref.row_xmin == st->ref.row_xmin;
	model = ub_model_cache_get(st->name_cstr, ref);
	same = same && model == st->model;
	st->ref = ref;
	st->model = model;
	st->cache_epoch = ub_model_cache_epoch();
	st->resolved_cid = ub_snapshot_cid();
	if (!same)
	{
		/* the bindings of the old model: rebuilt at the next row */
		st->row_type = InvalidOid;
		st->row_desc = NULL;
		st->binding = NULL;
		st->group_bindings = NULL;
	}
}

ScoreState *
score_state(FunctionCallInfo fcinfo)
{
	ScoreState *st = fcinfo->flinfo->fn_extra;
	text	   *name = NULL;
	MemoryContext old;

	/* a constant model name (or a query parameter) cannot change within the query: no compare */
	if (st != NULL && !st->name_stable)
		name = PG_GETARG_TEXT_PP(0);
	if (st != NULL && (st->name_stable ||
					   (VARSIZE_ANY_EXHDR(st->name) == VARSIZE_ANY_EXHDR(name) &&
						memcmp(VARDATA_ANY(st->name), VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)) == 0)))
	{
		if (unlikely(st->resolved_cid != ub_snapshot_cid()))
			score_state_resolve_again(st);
		return score_state_refresh(st);
	}
	if (name == NULL)
		name = PG_GETARG_TEXT_PP(0);

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (st == NULL)
		st = palloc0(sizeof(ScoreState));
	else
	{
		/* the model argument changed between rows: forget the old resolution */
		memset(st, 0, sizeof(ScoreState));
	}
	st->name = (text *) pg_detoast_datum_copy((struct varlena *) name);
	st->name_cstr = text_to_cstring(st->name);
	MemoryContextSwitchTo(old);

	SPI_connect();
	st->ref = ub_catalog_deployed_version(st->name_cstr);
	SPI_finish();
	st->resolved_cid = ub_snapshot_cid();
	st->model = ub_model_cache_get(st->name_cstr, st->ref);
	st->cache_epoch = ub_model_cache_epoch();
	st->name_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 0);
	fcinfo->flinfo->fn_extra = st;
	return st;
}

/*
 * Argument 1 as a features array, read in place. A short array stored inline has a 1-byte
 * header, which the array macros cannot read: its fields are read here with memcpy instead of
 * detoasting it into a new palloc per row (what PG_GETARG_ARRAYTYPE_P does) or copying it.
 */
static void
array_arg(FunctionCallInfo fcinfo, UbFeatureArray *view)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(1));

	/* a toast pointer or an expanded array (a PL/pgSQL variable) also has a 1-byte header */
	if (VARATT_IS_SHORT(v) && !VARATT_IS_EXTERNAL(v))
	{
		/* the bytes of ArrayType after its 4-byte length word */
		const char *fields = VARDATA_SHORT(v);
		int32		ndim,
					dataoffset,
					dim;

		memcpy(&ndim, fields + offsetof(ArrayType, ndim) - VARHDRSZ, sizeof(int32));
		memcpy(&dataoffset, fields + offsetof(ArrayType, dataoffset) - VARHDRSZ, sizeof(int32));
		if (ndim == 1 && dataoffset == 0)
		{
			memcpy(&view->elemtype, fields + offsetof(ArrayType, elemtype) - VARHDRSZ, sizeof(Oid));
			memcpy(&dim, fields + sizeof(ArrayType) - VARHDRSZ, sizeof(int32));
			view->ndim = 1;
			view->n = dim;
			view->has_null = false;
			view->data = fields + ARR_OVERHEAD_NONULLS(1) - VARHDRSZ;
			/* the elements must lie inside the datum: a damaged one is refused, not read past */
			if ((Size) ARR_OVERHEAD_NONULLS(1) - VARHDRSZ +
				(Size) Max(dim, 0) * (view->elemtype == FLOAT8OID ? sizeof(float8) : sizeof(float4)) >
				VARSIZE_SHORT(v) - VARHDRSZ_SHORT)
				elog(ERROR, "features array of %d elements is longer than its datum", dim);
			return;
		}
	}
	ub_feature_array_of(PG_GETARG_ARRAYTYPE_P(1), view);
}

UbModel *
encode_array_arg(FunctionCallInfo fcinfo)
{
	ScoreState *st = score_state(fcinfo);
	UbFeatureArray view;

	array_arg(fcinfo, &view);
	ub_require_single_network(st->model, "scoring a features array");

	if (view.elemtype != FLOAT8OID && view.elemtype != FLOAT4OID)
		elog(ERROR, "ubehav scoring takes float8[] or real[], not %s", format_type_be(view.elemtype));
	ub_encode_features(st->model, &view);
	return st->model;
}

/* Find the group column of a group_by model in the row type; the bindings follow the row type. */
static void
bind_group_column(FunctionCallInfo fcinfo, ScoreState *st)
{
	UbModel    *m = st->model;
	int			i;
	Oid			output;
	bool		varlena;

	st->group_attno = -1;
	for (i = 0; i < st->row_desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(st->row_desc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), m->group_by) == 0)
		{
			st->group_attno = i;
			getTypeOutputInfo(a->atttypid, &output, &varlena);
			fmgr_info_cxt(output, &st->group_output, fcinfo->flinfo->fn_mcxt);
			break;
		}
	}
	if (st->group_attno < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("model \"%s\" has one network per value of \"%s\", but the row has no such column",
						m->name, m->group_by),
				 errhint("Pass rows that include \"%s\", for example ubehav_predict('%s', t) FROM t.", m->group_by, m->name)));
	st->group_bindings = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(UbRowBinding *) * m->n_groups);
}

/* The network of the deformed row's group, with its binding; ERROR naming a group nothing was trained for. */
static UbModel *
encode_group_row(FunctionCallInfo fcinfo, ScoreState *st)
{
	UbModel    *m = st->model;
	char	   *value;
	int			g;

	if (st->nulls[st->group_attno])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model \"%s\" picks a network by \"%s\", which is NULL in this row", m->name, m->group_by),
				 errhint("Score rows with a \"%s\", for example WHERE %s IS NOT NULL.", m->group_by, quote_identifier(m->group_by))));
	value = OutputFunctionCall(&st->group_output, st->values[st->group_attno]);
	g = ub_model_group_index(m, value);
	if (g < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" version %d has no network for %s = '%s'", m->name, m->version, m->group_by, value),
				 errdetail("Its %d networks are listed by SELECT group_value FROM ubehav_model_groups WHERE name = '%s' AND version = %d.",
						   m->n_groups, m->name, m->version),
				 errhint("Retrain with rows of this group (at least \"min_group_rows\" of them), or leave such rows out.")));
	pfree(value);
	if (st->group_bindings[g] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		st->group_bindings[g] = ub_binding_create(m->groups[g], st->row_desc);
		MemoryContextSwitchTo(old);
	}
	ub_binding_encode(st->group_bindings[g], m->groups[g], st->values, st->nulls);
	return m->groups[g];
}

UbModel *
encode_row_arg(FunctionCallInfo fcinfo)
{
	ScoreState *st = score_state(fcinfo);
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(1);
	Oid			type = HeapTupleHeaderGetTypeId(row);
	int32		typmod = HeapTupleHeaderGetTypMod(row);
	HeapTupleData tuple;

	if (st->row_desc == NULL || st->row_type != type || st->row_typmod != typmod)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(type, typmod);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		st->row_desc = CreateTupleDescCopy(desc);
		ReleaseTupleDesc(desc);
		if (st->model->n_groups > 0)
			bind_group_column(fcinfo, st);
		else
			st->binding = ub_binding_create(st->model, st->row_desc);
		st->values = palloc(sizeof(Datum) * Max(st->row_desc->natts, 1));
		st->nulls = palloc(sizeof(bool) * Max(st->row_desc->natts, 1));
		st->row_type = type;
		st->row_typmod = typmod;
		MemoryContextSwitchTo(old);
	}
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, st->row_desc, st->values, st->nulls);
	if (st->model->n_groups > 0)
		return encode_group_row(fcinfo, st);
	ub_binding_encode(st->binding, st->model, st->values, st->nulls);
	return st->model;
}

static void
require_task(UbModel *m, bool ok, const char *function, const char *instead)
{
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s cannot score model \"%s\", which is a %s model", function, m->name, ub_task_name(m->task)),
				 errhint("%s", instead)));
}

Datum
predict_value(UbModel *m)
{
	require_task(m, m->task != UB_TASK_MULTICLASS, "ubehav_predict",
				 "For a multiclass model use ubehav_predict_proba for the class probabilities or ubehav_predict_class for the label.");
	return Float8GetDatum(ub_model_score(m));
}

Datum
predict_proba(UbModel *m)
{
	Datum	   *elems;
	int			k;

	require_task(m, m->task != UB_TASK_REGRESSION, "ubehav_predict_proba",
				 "A regression model predicts a value: use ubehav_predict.");
	ub_model_score(m);
	elems = palloc(sizeof(Datum) * m->n_classes);
	if (m->task == UB_TASK_BINARY)
	{
		elems[0] = Float8GetDatum(1.0 - (double) m->out[0]);
		elems[1] = Float8GetDatum((double) m->out[0]);
	}
	else
		for (k = 0; k < m->n_classes; k++)
			elems[k] = Float8GetDatum((double) m->out[k]);
	return PointerGetDatum(construct_array(elems, m->n_classes, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
predict_class(UbModel *m)
{
	int			best;

	require_task(m, m->task != UB_TASK_REGRESSION, "ubehav_predict_class",
				 "A regression model predicts a value: use ubehav_predict.");
	ub_model_score(m);
	if (m->task == UB_TASK_BINARY)
		best = (double) m->out[0] >= m->threshold ? 1 : 0;
	else
		best = nn_argmax(m->out, m->n_classes);
	return CStringGetTextDatum(m->labels[best]);
}

PG_FUNCTION_INFO_V1(ubehav_predict_array);
Datum
ubehav_predict_array(PG_FUNCTION_ARGS)
{
	return predict_value(encode_array_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_row);
Datum
ubehav_predict_row(PG_FUNCTION_ARGS)
{
	return predict_value(encode_row_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_proba_array);
Datum
ubehav_predict_proba_array(PG_FUNCTION_ARGS)
{
	return predict_proba(encode_array_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_proba_row);
Datum
ubehav_predict_proba_row(PG_FUNCTION_ARGS)
{
	return predict_proba(encode_row_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_class_array);
Datum
ubehav_predict_class_array(PG_FUNCTION_ARGS)
{
	return predict_class(encode_array_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_predict_class_row);
Datum
ubehav_predict_class_row(PG_FUNCTION_ARGS)
{
	return predict_class(encode_row_arg(fcinfo));
}
