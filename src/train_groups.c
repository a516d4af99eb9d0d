/* train_groups.c: the option group_by of ubehav_train, one network per value of a column in one version. */
#include "postgres.h"

#include <ctype.h>

#include "access/htup_details.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "catalog_write.h"
#include "jsonb_util.h"
#include "eval_metrics.h"
#include "nn/rng.h"
#include "nn/split.h"
#include "nn_error.h"
#include "train_progress.h"
#include "prep_text_defaults.h"
#include "train_pipeline.h"

typedef struct GroupValue
{
	char	   *value;			/* the column's output text: scoring looks rows up by it */
	int64		rows;
} GroupValue;

typedef struct GroupContext
{
	const char *model;
	const char *column;
	const char *value;
} GroupContext;

static void
group_error_context(void *arg)
{
	GroupContext *g = arg;

	errcontext("training the network of group %s = '%s' of model \"%s\"", g->column, g->value, g->model);
}

/* The query as a subquery: a trailing semicolon or line comment must not swallow the wrapper. */
static char *
as_subquery(const char *query)
{
	char	   *q = pstrdup(query);
	size_t		len = strlen(q);

	while (len > 0 && (q[len - 1] == ';' || isspace((unsigned char) q[len - 1])))
		q[--len] = '\0';
	return psprintf("(%s\n) ubehav_q", q);
}

/* The select list of every column but the group column, and the group column's type; ERROR when it is missing. */
static char *
other_columns(const char *from, const char *column, const char *target, const UbOptions *opts, Oid *group_type)
{
	TupleDesc	desc;
	StringInfoData list;
	int			i,
				found = 0;

	if (SPI_execute(psprintf("SELECT * FROM %s LIMIT 0", from), true, 0) != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the training query must be a SELECT that returns rows")));
	desc = SPI_tuptable->tupdesc;
	initStringInfo(&list);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
			continue;
		if (strcmp(NameStr(a->attname), column) == 0)
		{
			found++;
			*group_type = a->atttypid;
			continue;
		}
		appendStringInfo(&list, "%subehav_q.%s", list.len ? ", " : "", quote_identifier(NameStr(a->attname)));
	}
	if (found == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("option \"group_by\" names column \"%s\", which the training query does not return", column),
				 errhint("Name one of the query's columns; names are case-sensitive.")));
	if (found > 1)
		ereport(ERROR,
				(errcode(ERRCODE_AMBIGUOUS_COLUMN),
				 errmsg("the training query returns %d columns named \"%s\", the option \"group_by\"", found, column),
				 errhint("Give the columns distinct names with AS.")));
	if (strcmp(column, target) == 0 || (opts->sample_weight && strcmp(column, opts->sample_weight) == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"group_by\" names column \"%s\", which is the %s", column,
						strcmp(column, target) == 0 ? "target" : "sample_weight"),
				 errhint("Group by a column that is neither predicted nor a weight, such as a region or a segment.")));
	return list.data;
}

/*
 * OPERATOR(schema.=) of the type's default equality: the group query runs with the caller's
 * search_path (it contains the caller's query), so the operator is named, not looked up there.
 */
static char *
qualified_equality(Oid type)
{
	TypeCacheEntry *tc = lookup_type_cache(type, TYPECACHE_EQ_OPR);
	HeapTuple	tuple;
	char	   *result;

	if (!OidIsValid(tc->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("the group_by column's type %s has no equality operator", format_type_be(type)),
				 errhint("Cast the group column to text in the query.")));
	tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(tc->eq_opr));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for operator %u", tc->eq_opr);
	result = psprintf("OPERATOR(%s.%s)",
					  quote_identifier(get_namespace_name(((Form_pg_operator) GETSTRUCT(tuple))->oprnamespace)),
					  NameStr(((Form_pg_operator) GETSTRUCT(tuple))->oprname));
	ReleaseSysCache(tuple);
	return result;
}

/* The distinct non-NULL values of the group column with their row counts, in the column type's order. */
static GroupValue *
group_values(const char *from, const char *column, const UbOptions *opts, int *n_groups, int64 *null_rows)
{
	char	   *sql = psprintf("SELECT ubehav_q.%s, pg_catalog.count(*) FROM %s GROUP BY 1 ORDER BY 1 NULLS FIRST LIMIT %d",
							   quote_identifier(column), from, opts->max_groups + 2);
	MemoryContext cxt = CurrentMemoryContext;
	GroupValue *groups;
	uint64		i;
	int			n = 0;
	bool		isnull;

	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the groups of the training query");
	MemoryContextSwitchTo(cxt);
	*null_rows = 0;
	groups = palloc(sizeof(GroupValue) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		int64		rows = DatumGetInt64(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));

		SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
		{
			*null_rows = rows;
			continue;
		}
		groups[n].value = SPI_getvalue(tup, SPI_tuptable->tupdesc, 1);
		groups[n].rows = rows;
		n++;
	}
	if (n > opts->max_groups)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" has more than %d distinct values, the option \"max_groups\"", column, opts->max_groups),
				 errhint("Group by a coarser column, or raise \"max_groups\" (up to 100000); each group trains a network.")));
	*n_groups = n;
	return groups;
}

/* Append src's labels that dst lacks: the version's class labels are those of all its networks. */
static void
merge_labels(char ***dst, int *n_dst, char **src, int n_src)
{
	int			i,
				j;

	for (i = 0; i < n_src; i++)
	{
		for (j = 0; j < *n_dst; j++)
			if (strcmp((*dst)[j], src[i]) == 0)
				break;
		if (j == *n_dst)
		{
			*dst = *n_dst ? repalloc(*dst, sizeof(char *) * (*n_dst + 1)) : palloc(sizeof(char *));
			(*dst)[(*n_dst)++] = pstrdup(src[i]);
		}
	}
}

Jsonb *
ub_train_grouped(const char *model, const char *query, const char *target, UbOptions *opts)
{
	MemoryContext caller_cxt = CurrentMemoryContext,
				train_cxt;
	instr_time	start,
				elapsed;
	char	   *from,
			   *columns,
			   *group_type_name,
			   *group_equality;
	Oid			group_type = InvalidOid;
	GroupValue *groups;
	int			n_groups,
				g,
				n_trained = 0,
				n_labels = 0,
				n_features = 0;
	int64		null_rows,
				rows_used = 0,
				rows_skipped = 0;
	UbNewGroup *stored;
	char	  **labels = NULL,
			  **feature_names = NULL,
			  **feature_types = NULL;
	StringInfoData skipped,
				group_metrics,
				metrics,
				summary;
	float	   *pooled_scores = NULL,
			   *pooled_truth = NULL;
	size_t		n_pooled = 0;
	UbTask		task = opts->task;
	UbNewVersion v;
	int32		version;
	double		training_ms;
	size_t		parameters = 0;
	bytea	   *no_weights;
	Jsonb	   *result;

	INSTR_TIME_SET_CURRENT(start);
	train_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav grouped training", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(train_cxt);
	from = as_subquery(query);
	columns = other_columns(from, opts->group_by, target, opts, &group_type);
	MemoryContextSwitchTo(train_cxt);
	group_type_name = format_type_be_qualified(group_type);
	group_equality = qualified_equality(group_type);
	groups = group_values(from, opts->group_by, opts, &n_groups, &null_rows);
	if (null_rows > 0)
		ereport(NOTICE,
				(errmsg("skipped " INT64_FORMAT " rows with a NULL group \"%s\"", null_rows, opts->group_by)));
	rows_skipped += null_rows;

	ub_epoch_notices_begin(NULL, true, true);	/* the first group's first epoch prints */
	stored = palloc0(sizeof(UbNewGroup) * Max(n_groups, 1));
	initStringInfo(&skipped);
	initStringInfo(&group_metrics);
	for (g = 0; g < n_groups; g++)
	{
		MemoryContext group_cxt;
		ErrorContextCallback callback;
		GroupContext gc = {model, opts->group_by, groups[g].value};
		char	   *group_query;
		UbDataset  *ds;
		UbTarget   *tgt;
		NnRng		rng;
		uint32	   *order;
		size_t		n_train;
		UbTrainResult res;
		UbOptions	group_opts = *opts;
		int			i;

		if (groups[g].rows < opts->min_group_rows)
		{
			if (skipped.len)
				appendStringInfoString(&skipped, ", ");
			appendStringInfo(&skipped, "'%s' (" INT64_FORMAT " rows)", groups[g].value, groups[g].rows);
			rows_skipped += groups[g].rows;
			continue;
		}
		CHECK_FOR_INTERRUPTS();
		callback.callback = group_error_context;
		callback.arg = &gc;
		callback.previous = error_context_stack;
		error_context_stack = &callback;

		/* every group is one task: the first group's, inferred or given, binds the others */
		group_opts.task = task;
		group_cxt = AllocSetContextCreate(train_cxt, "ubehav group training", ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(group_cxt);
		group_query = psprintf("SELECT %s FROM %s WHERE ubehav_q.%s %s %s::%s", columns, from,
							   quote_identifier(opts->group_by), group_equality, quote_literal_cstr(groups[g].value),
							   group_type_name);
		ub_progress_group(groups[g].value, g + 1, n_groups);
		ds = ub_train_read(group_query, target, &group_opts, ub_train_can_stream(&group_opts), group_cxt);
		ub_text_defaults_apply(opts, ds);	/* so the version's stored options are the groups' */
		tgt = ub_train_target(ds, &group_opts);
		nn_rng_seed(&rng, (uint64) opts->seed);
		order = palloc_extended(sizeof(uint32) * ds->n_rows, MCXT_ALLOC_HUGE);
		ub_check_nn_status(nn_split(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, ds->n_rows,
									group_opts.validation_split, &rng, order, &n_train,
									tgt->task != UB_TASK_REGRESSION ? palloc0(sizeof(size_t) * tgt->n_classes) : NULL),
						   "splitting off validation rows");
		{
			/* up to max_groups groups: lines at the rate limit only, each naming its group */
			char	   *label = psprintf("group %s", quote_literal_cstr(groups[g].value));

			ub_epoch_notices_begin(label, false, false);
		}
		ub_train_on_split(ds, tgt, &group_opts, &rng, order, n_train, false, NULL, &res);

		/* what the version keeps outlives the group's context */
		MemoryContextSwitchTo(train_cxt);
		task = tgt->task;
		stored[n_trained].group_value = groups[g].value;
		stored[n_trained].preprocessing = ub_prep_to_jsonb(res.prep);
		stored[n_trained].class_labels = tgt->task == UB_TASK_REGRESSION ? (Datum) 0 : ub_text_array(tgt->labels, tgt->n_classes);
		stored[n_trained].metrics = ub_json_to_jsonb(&res.metrics);
		stored[n_trained].training_log = ub_json_to_jsonb(&res.log);
		stored[n_trained].weights = ub_train_serialize(&res.spec, res.params, &rng);
		stored[n_trained].rows_used = (int64) ds->n_rows;
		rows_used += (int64) ds->n_rows;
		rows_skipped += ds->n_skipped;
		parameters += res.n_params;
		if (tgt->task != UB_TASK_REGRESSION)
			merge_labels(&labels, &n_labels, tgt->labels, tgt->n_classes);
		if (n_trained == 0)
		{
			n_features = res.prep->n_features;
			feature_names = palloc(sizeof(char *) * Max(n_features, 1));
			feature_types = palloc(sizeof(char *) * Max(n_features, 1));
			for (i = 0; i < n_features; i++)
			{
				feature_names[i] = pstrdup(res.prep->features[i].name);
				feature_types[i] = pstrdup(res.prep->features[i].type_name);
			}
		}
		if (tgt->task != UB_TASK_MULTICLASS)
		{
			/* the version's metrics pool every group's evaluation rows */
			pooled_scores = n_pooled ? repalloc_huge(pooled_scores, sizeof(float) * (n_pooled + res.n_eval))
				: palloc_extended(sizeof(float) * res.n_eval, MCXT_ALLOC_HUGE);
			pooled_truth = n_pooled ? repalloc_huge(pooled_truth, sizeof(float) * (n_pooled + res.n_eval))
				: palloc_extended(sizeof(float) * res.n_eval, MCXT_ALLOC_HUGE);
			memcpy(pooled_scores + n_pooled, res.eval_scores, sizeof(float) * res.n_eval);
			memcpy(pooled_truth + n_pooled, res.eval_truth, sizeof(float) * res.n_eval);
			n_pooled += res.n_eval;
		}
		appendStringInfoString(&group_metrics, n_trained ? "," : "{");
		ub_json_key(&group_metrics, groups[g].value);
		appendStringInfoString(&group_metrics, res.metrics.data);
		n_trained++;
		ub_dataset_close_spill(ds);
		MemoryContextDelete(group_cxt);
		error_context_stack = callback.previous;
	}
	if (skipped.len)
		ereport(NOTICE,
				(errmsg("groups of \"%s\" with fewer than %d rows get no network: %s",
						opts->group_by, opts->min_group_rows, skipped.data),
				 errhint("Their rows cannot be scored by this version; lower \"min_group_rows\" to train them.")));
	if (n_trained == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no group of \"%s\" has the %d rows the option \"min_group_rows\" asks for", opts->group_by, opts->min_group_rows),
				 errhint("Check the query's WHERE clause, or lower \"min_group_rows\".")));

	/* threshold metrics pool at 0.5 because each group's network has its own F1 threshold */
	initStringInfo(&metrics);
	appendStringInfoChar(&metrics, '{');
	if (n_pooled > 0)
	{
		ub_metrics_append(&metrics, task, pooled_scores, pooled_truth, n_pooled, 1, 0.5, NULL);
		appendStringInfoChar(&metrics, ',');
	}
	appendStringInfo(&metrics, "\"evaluated_rows\":%zu,\"pooled_over_groups\":%s,\"groups\":%s}}",
					 n_pooled, n_pooled > 0 ? "true" : "false", group_metrics.data);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	training_ms = INSTR_TIME_GET_MILLISEC(elapsed);

	no_weights = palloc(VARHDRSZ);
	SET_VARSIZE(no_weights, VARHDRSZ);
	memset(&v, 0, sizeof(v));
	v.name = model;
	v.task = ub_task_name(task);
	v.target = target;
	opts->task = task;
	v.options = ub_options_to_jsonb(opts);
	{
		StringInfoData prep;

		initStringInfo(&prep);
		appendStringInfoString(&prep, "{\"group_by\":");
		ub_json_string(&prep, opts->group_by);
		appendStringInfo(&prep, ",\"groups\":%d}", n_trained);
		v.preprocessing = ub_json_to_jsonb(&prep);
	}
	v.feature_names = ub_text_array(feature_names, n_features);
	v.feature_types = ub_text_array(feature_types, n_features);
	v.class_labels = task == UB_TASK_REGRESSION ? (Datum) 0 : ub_text_array(labels, n_labels);
	v.metrics = ub_json_to_jsonb(&metrics);
	{
		StringInfoData empty;

		initStringInfo(&empty);
		appendStringInfoString(&empty, "[]");
		v.training_log = ub_json_to_jsonb(&empty);
	}
	v.weights = no_weights;
	v.training_query = query;
	v.rows_used = rows_used;
	v.rows_skipped = rows_skipped;
	v.training_ms = training_ms;
	v.deploy = opts->deploy;
	version = ub_catalog_store(&v);
	for (g = 0; g < n_trained; g++)
		ub_catalog_store_group(model, version, &stored[g]);

	initStringInfo(&summary);
	appendStringInfoChar(&summary, '{');
	ub_json_key(&summary, "model");
	ub_json_string(&summary, model);
	appendStringInfo(&summary, ",\"version\":%d,\"deployed\":%s,\"task\":\"%s\",\"group_by\":",
					 version, opts->deploy ? "true" : "false", ub_task_name(task));
	ub_json_string(&summary, opts->group_by);
	appendStringInfo(&summary, ",\"groups\":%d,\"groups_skipped\":%d,\"rows_used\":" INT64_FORMAT ",\"rows_skipped\":" INT64_FORMAT
					 ",\"features\":%d,\"parameters\":%zu,\"metrics\":%s,\"training_ms\":",
					 n_trained, n_groups - n_trained, rows_used, rows_skipped, n_features, parameters, metrics.data);
	ub_json_number(&summary, training_ms);
	appendStringInfoChar(&summary, '}');

	MemoryContextSwitchTo(caller_cxt);
	result = ub_json_to_jsonb(&summary);
	SPI_finish();
	MemoryContextDelete(train_cxt);
	return result;
}
