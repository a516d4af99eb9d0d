/* train_tune.c: ubehav_tune, grid and random search over any options on one read of the query. */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog_spi.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "fn_args.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "catalog_schema.h"
#include "jsonb_util.h"
#include "model.h"
#include "nn/split.h"
#include "nn_error.h"
#include "prep_text_defaults.h"
#include "train_pipeline.h"
#include "train_progress.h"

#define UB_MAX_TRIALS 1000

PG_FUNCTION_INFO_V1(ubehav_tune);

static void
bad_search(const char *msg, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", msg),
			 hint ? errhint("%s", hint) : 0));
}

/* A jsonb value as JSON text. */
static void
value_text(StringInfo buf, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendStringInfoString(buf, "null");
			break;
		case jbvBool:
			appendStringInfoString(buf, v->val.boolean ? "true" : "false");
			break;
		case jbvNumeric:
			appendStringInfoString(buf, DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric))));
			break;
		case jbvString:
			ub_json_string(buf, pnstrdup(v->val.string.val, v->val.string.len));
			break;
		case jbvBinary:
			appendStringInfoString(buf, JsonbToCString(NULL, v->val.binary.data, v->val.binary.len));
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

typedef struct SearchParam
{
	char	   *name;
	JsonbValue *choices;		/* an array of values, or NULL */
	int			n_choices;
	int			distribution;	/* 0 choices, 1 uniform, 2 log_uniform, 3 int_uniform */
	double		lo,
				hi;
} SearchParam;

/* Options a trial may not change: the split and the target must be the same for every trial. */
static void
check_tunable(const char *name)
{
	if (strcmp(name, "validation_split") == 0 || strcmp(name, "seed") == 0 || strcmp(name, "task") == 0 ||
		strcmp(name, "sample_weight") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" cannot be searched over: every trial must be scored on the same rows", name),
				 errhint("Set it in \"options\" instead.")));
}

static int
read_params(JsonbContainer *obj, bool random, SearchParam **out)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0,
				cap = JsonContainerSize(obj);
	SearchParam	   *params = palloc0(sizeof(SearchParam) * Max(cap, 1));

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		SearchParam	   *p;
		JsonbContainer *c;

		if (tok != WJB_KEY)
			continue;
		p = &params[n++];
		p->name = pnstrdup(v.val.string.val, v.val.string.len);
		check_tunable(p->name);
		tok = JsonbIteratorNext(&it, &v, true);
		c = v.type == jbvBinary ? v.val.binary.data : NULL;
		if (c && JsonContainerIsArray(c) && !JsonContainerIsScalar(c))
		{
			p->choices = palloc(sizeof(JsonbValue));
			*p->choices = v;
			p->n_choices = JsonContainerSize(c);
			if (p->n_choices == 0)
				bad_search(psprintf("the values of \"%s\" are an empty list", p->name), NULL);
		}
		else if (random && c && JsonContainerIsObject(c))
		{
			JsonbValue *range;

			if ((range = ub_jsonb_get(c, "uniform")) != NULL)
				p->distribution = 1;
			else if ((range = ub_jsonb_get(c, "log_uniform")) != NULL)
				p->distribution = 2;
			else if ((range = ub_jsonb_get(c, "int_uniform")) != NULL)
				p->distribution = 3;
			else
				bad_search(psprintf("\"%s\" must be a list of values or one of {\"uniform\": [a, b]}, "
									"{\"log_uniform\": [a, b]}, {\"int_uniform\": [a, b]}", p->name), NULL);
			if (ub_jsonb_array_length(range, p->name) != 2)
				bad_search(psprintf("the range of \"%s\" must be [low, high]", p->name), NULL);
			p->lo = ub_jsonb_number(ub_jsonb_array_element(range, 0), p->name);
			p->hi = ub_jsonb_number(ub_jsonb_array_element(range, 1), p->name);
			if (!(p->lo <= p->hi) || (p->distribution == 2 && p->lo <= 0))
				bad_search(psprintf("the range of \"%s\" must have low <= high (and low > 0 for log_uniform)", p->name), NULL);
		}
		else
			bad_search(psprintf("\"%s\" must be a list of values to try", p->name),
					   "For example {\"grid\": {\"learning_rate\": [0.001, 0.01]}}.");
	}
	*out = params;
	return n;
}

/*
 * The object of options to vary, and whether the search is random: {"method": "grid" | "random",
 * "space": {...}}, or the shorter {"grid": {...}} and {"random": {...}}.
 */
static JsonbValue *
search_space(Jsonb *search, bool *random)
{
	JsonbValue *method = ub_jsonb_get(&search->root, "method");
	JsonbValue *grid = ub_jsonb_get(&search->root, "grid");
	JsonbValue *rand = ub_jsonb_get(&search->root, "random");
	JsonbValue *space = ub_jsonb_get(&search->root, "space");
	JsonbValue *v;
	static const char *const example =
		"For example {\"method\": \"grid\", \"space\": {\"hidden\": [[64], [128, 64]]}} or "
		"{\"method\": \"random\", \"space\": {\"learning_rate\": {\"log_uniform\": [0.0001, 0.01]}}, \"trials\": 10}.";

	if (method)
	{
		char	   *m = ub_jsonb_string(method, "method");

		if (strcmp(m, "grid") != 0 && strcmp(m, "random") != 0)
			bad_search(psprintf("search method must be \"grid\" or \"random\", not \"%s\"", m), example);
		*random = strcmp(m, "random") == 0;
		/* the space under "space" or under the method's own name, not both, and not the other method's */
		if ((*random ? grid : rand) != NULL)
			bad_search(psprintf("a %s search cannot have \"%s\"", m, *random ? "grid" : "random"), example);
		v = *random ? rand : grid;
		if ((v != NULL) == (space != NULL))
			bad_search(psprintf("a %s search needs its options to vary in exactly one of \"space\" and \"%s\"", m, m),
					   example);
		if (v == NULL)
			v = space;
	}
	else
	{
		if (space)
			bad_search("\"space\" needs \"method\": \"grid\" or \"random\"", example);
		*random = rand != NULL;
		if (*random == (grid != NULL))
			bad_search("search needs exactly one of \"grid\" and \"random\"", example);
		v = *random ? rand : grid;
	}
	if (ub_jsonb_container(v) == NULL || !JsonContainerIsObject(ub_jsonb_container(v)))
		bad_search("the options to vary must be an object from option name to values", example);
	return v;
}

/* The options object of trial t: grid index t in mixed radix, or a random draw. */
static Jsonb *
trial_options(Jsonb *base, SearchParam *params, int n_params, bool random, int t, NnRng *rng)
{
	StringInfoData buf;
	int			i,
				rest = t;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n_params; i++)
	{
		SearchParam	   *p = &params[i];

		if (i)
			appendStringInfoChar(&buf, ',');
		ub_json_key(&buf, p->name);
		if (p->choices)
		{
			int			pick;

			if (random)
				pick = (int) nn_rng_below(rng, p->n_choices);
			else
			{
				pick = rest % p->n_choices;
				rest /= p->n_choices;
			}
			value_text(&buf, ub_jsonb_array_element(p->choices, pick));
		}
		else
		{
			double		u = nn_rng_uniform(rng);
			double		x = p->distribution == 2 ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo))) :
				p->lo + u * (p->hi - p->lo);

			if (p->distribution == 3)
				appendStringInfo(&buf, "%.0f", floor(p->lo + u * (p->hi - p->lo + 1)));
			else
				ub_json_number(&buf, x);
		}
	}
	appendStringInfoChar(&buf, '}');
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(base),
											  JsonbPGetDatum(ub_json_to_jsonb(&buf))));
}

static void
record_trial(const char *model, int64 run, int trial, Jsonb *options, Jsonb *metrics, const char *metric,
			 double value, double ms)
{
	char	   *sql;
	Oid			types[8] = {TEXTOID, INT8OID, INT4OID, JSONBOID, JSONBOID, TEXTOID, FLOAT8OID, FLOAT8OID};
	Datum		args[8];
	char		nulls[8] = "        ";

	sql = psprintf("INSERT INTO %s (model, tuning_run, trial, options, metrics, metric, metric_value, training_ms) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", ub_catalog_relation("ubehav_trials"));
	args[0] = CStringGetTextDatum(model);
	args[1] = Int64GetDatum(run);
	args[2] = Int32GetDatum(trial);
	args[3] = JsonbPGetDatum(options);
	args[4] = JsonbPGetDatum(metrics);
	args[5] = CStringGetTextDatum(metric);
	args[6] = Float8GetDatum(value);
	if (isnan(value))
		nulls[6] = 'n';
	args[7] = Float8GetDatum(ms);
	if (ub_catalog_spi(sql, 8, types, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not record a tuning trial");
}

Datum
ubehav_tune(PG_FUNCTION_ARGS)
{
	char	   *model,
			   *query,
			   *target;
	Jsonb	   *search,
			   *base;
	JsonbValue *v;
	UbOptions	opts;
	MemoryContext caller_cxt = CurrentMemoryContext;
	MemoryContext tune_cxt,
				trial_cxt,
				best_cxt = NULL;
	UbDataset  *ds;
	UbTarget   *tgt;
	NnRng		rng,
				search_rng,
				best_rng;
	uint32	   *order,
			   *split;
	size_t	   *class_counts = NULL;
	size_t		n,
				n_train;
	SearchParam	   *params;
	int			n_params,
				n_trials,
				t,
				best_trial = -1;
	bool		random,
				higher_better;
	const char *metric;
	double		best_value = 0,
				best_ms = 0;
	Jsonb	  **trial_json;
	char	   *first_failure = NULL;
	int			first_code = 0;
	UbOptions  *trial_opts;
	UbTrainResult best;
	UbOptions	best_opts;
	Jsonb	   *best_options = NULL;
	int64		run;
	int32		version;
	StringInfoData out;
	Jsonb	   *result;
	bool		isnull;

	ub_require_args(fcinfo, 0);
	model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	target = text_to_cstring(PG_GETARG_TEXT_PP(2));
	search = PG_GETARG_JSONB_P(3);
	ub_check_model_name(model);
	ub_check_writable("ubehav_tune");
	if (!JB_ROOT_IS_OBJECT(search) || JB_ROOT_IS_SCALAR(search))
		bad_search("search must be a jsonb object", "For example {\"grid\": {\"learning_rate\": [0.001, 0.01]}}.");
	{
		JsonbIterator *it = JsonbIteratorInit(&search->root);
		JsonbValue	k;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
			if (tok == WJB_KEY)
			{
				char	   *key = pnstrdup(k.val.string.val, k.val.string.len);

				if (strcmp(key, "grid") && strcmp(key, "random") && strcmp(key, "trials") && strcmp(key, "seed") &&
					strcmp(key, "metric") && strcmp(key, "options") && strcmp(key, "method") && strcmp(key, "space"))
					bad_search(psprintf("unknown search key \"%s\"", key),
							   "Valid keys are method, grid, random, space, trials, seed, metric, options.");
			}
	}
	v = ub_jsonb_get(&search->root, "options");
	base = v ? DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(
			JsonbToCString(NULL, ub_jsonb_container(v), v->val.binary.len)))) :
		DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	ub_options_parse(base, &opts);
	ub_options_refuse_group_by(&opts, "ubehav_tune");
	if (opts.dp)
		bad_search("differentially private options cannot be tuned: every trial would spend the privacy budget again on the same rows",
				   "Choose the options on other data or without privacy, then train once with \"dp_epsilon\"; the epsilon stored with a tuned model would not count the other trials.");
	if (opts.validation_split == 0.0)
		bad_search("tuning needs validation rows, but validation_split is 0",
				   "Set \"validation_split\" above 0 in \"options\".");
	v = search_space(search, &random);
	n_params = read_params(ub_jsonb_container(v), random, &params);
	if (n_params == 0)
		bad_search("the search has no options to vary", NULL);
	v = ub_jsonb_get(&search->root, "trials");
	if (v && !random)
		bad_search("\"trials\" is for random search: a grid runs every combination once",
				   "Remove \"trials\", or search with {\"method\": \"random\", \"space\": {...}, \"trials\": 10}.");
	if (random)
	{
		double		want = v ? ub_jsonb_number(v, "trials") : 10;

		/* checked as a double: a huge number must not overflow the int it becomes */
		if (!(want >= 1 && want <= UB_MAX_TRIALS) || want != floor(want))
			bad_search(psprintf("\"trials\" must be a whole number between 1 and %d, not %g", UB_MAX_TRIALS, want),
					   NULL);
		n_trials = (int) want;
	}
	else
	{
		double		combos = 1;

		for (t = 0; t < n_params; t++)
			combos *= params[t].choices ? params[t].n_choices : 1;
		n_trials = combos > UB_MAX_TRIALS ? UB_MAX_TRIALS + 1 : (int) combos;
	}
	if (n_trials < 1 || n_trials > UB_MAX_TRIALS)
		bad_search(psprintf("the search would run %d trials; between 1 and %d are allowed", n_trials, UB_MAX_TRIALS),
				   "Use fewer values, or random search with \"trials\".");
	metric = ub_default_metric(opts.task == UB_TASK_INFER ? UB_TASK_BINARY : opts.task, &higher_better);
	v = ub_jsonb_get(&search->root, "seed");
	if (v)
	{
		double		seed = ub_jsonb_number(v, "seed");

		if (!(seed >= 0 && seed <= 9007199254740992.0) || seed != floor(seed))
			bad_search(psprintf("the search \"seed\" must be a whole number from 0 to 2^53, not %g", seed), NULL);
		nn_rng_seed(&search_rng, (uint64) seed);
	}
	else
		nn_rng_seed(&search_rng, 1);
	v = ub_jsonb_get(&search->root, "metric");

	tune_cxt = AllocSetContextCreate(CurrentMemoryContext, "ubehav tune", ALLOCSET_DEFAULT_SIZES);
	SPI_connect();
	MemoryContextSwitchTo(tune_cxt);
	/* every trial's options are drawn and checked before the query is read or anything trains */
	trial_json = palloc(sizeof(Jsonb *) * n_trials);
	trial_opts = palloc(sizeof(UbOptions) * n_trials);
	for (t = 0; t < n_trials; t++)
	{
		trial_json[t] = trial_options(base, params, n_params, random, t, &search_rng);
		ub_options_parse(trial_json[t], &trial_opts[t]);
		ub_options_refuse_group_by(&trial_opts[t], "ubehav_tune");
		if (trial_opts[t].dp)
			bad_search("differentially private options cannot be tuned: every trial would spend the privacy budget again on the same rows",
					   "Choose the options on other data or without privacy, then train once with \"dp_epsilon\"; the epsilon stored with a tuned model would not count the other trials.");
	}
	ub_progress_begin("ubehav_tune", model);
	ds = ub_train_read(query, target, &opts, false, tune_cxt);
	for (t = 0; t < n_trials; t++)
		ub_text_defaults_apply(&trial_opts[t], ds);	/* as ub_train_read did for opts */
	tgt = ub_train_target(ds, &opts);
	metric = ub_default_metric(tgt->task, &higher_better);
	if (v)
	{
		metric = ub_jsonb_string(v, "metric");
		higher_better = !(strcmp(metric, "rmse") == 0 || strcmp(metric, "mae") == 0 || strcmp(metric, "log_loss") == 0);
	}
	n = ds->n_rows;
	/* one split for every trial, so they are compared on the same validation rows */
	nn_rng_seed(&rng, (uint64) opts.seed);
	split = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	order = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
	if (tgt->task != UB_TASK_REGRESSION)
		class_counts = palloc0(sizeof(size_t) * tgt->n_classes);
	ub_check_nn_status(nn_split(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, n,
								opts.validation_split, &rng, split, &n_train, class_counts),
					   "splitting off validation rows");
	if (ub_catalog_spi(psprintf("SELECT pg_catalog.nextval(%s::pg_catalog.regclass)",
								quote_literal_cstr(ub_catalog_relation("ubehav_tuning_run"))),
					   0, NULL, NULL, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not number the tuning run");
	run = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(tune_cxt);

	for (t = 0; t < n_trials; t++)
	{
		UbOptions  *topts = &trial_opts[t];
		UbTrainResult res;
		NnRng		trial_rng;
		Jsonb	   *metrics;
		JsonbValue *mv;
		double		value,
					ms;
		instr_time	start,
					elapsed;
		ResourceOwner owner = CurrentResourceOwner;
		bool		failed = false;
		ub_progress_trial(t + 1, n_trials);

		CHECK_FOR_INTERRUPTS();
		trial_cxt = AllocSetContextCreate(tune_cxt, "ubehav trial", ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(trial_cxt);
		memcpy(order, split, sizeof(uint32) * n);
		/* the rng as ubehav_train would have it after its split: the same seed gives the same model */
		nn_rng_seed(&trial_rng, (uint64) opts.seed);
		{
			uint32	   *scratch = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
			size_t		ignored;

			nn_split(tgt->task != UB_TASK_REGRESSION ? tgt->y : NULL, tgt->n_classes, n,
					 opts.validation_split, &trial_rng, scratch, &ignored, class_counts);
		}
		INSTR_TIME_SET_CURRENT(start);

		/*
		 * A trial whose options diverge or exceed a size limit is recorded as failed and the search
		 * goes on: a random search over learning rates should not lose every other trial to one.
		 * Any other error (a cancel among them) ends the search as usual.
		 */
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(trial_cxt);
		PG_TRY();
		{
			char		label[32];

			snprintf(label, sizeof(label), "trial %d/%d", t + 1, n_trials);
			ub_epoch_notices_begin(label, true, true);
			ub_train_on_split(ds, tgt, topts, &trial_rng, order, n_train, true, NULL, &res);
			ReleaseCurrentSubTransaction();
			CurrentResourceOwner = owner;
		}
		PG_CATCH();
		{
			ErrorData  *edata;
			StringInfoData why;

			MemoryContextSwitchTo(trial_cxt);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			CurrentResourceOwner = owner;
			MemoryContextSwitchTo(trial_cxt);
			if (edata->sqlerrcode != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE &&
				edata->sqlerrcode != ERRCODE_PROGRAM_LIMIT_EXCEEDED)
				ReThrowError(edata);
			failed = true;
			if (first_failure == NULL)
			{
				MemoryContextSwitchTo(tune_cxt);
				first_failure = psprintf("Trial %d: %s", t + 1, edata->message);
				first_code = edata->sqlerrcode;
				MemoryContextSwitchTo(trial_cxt);
			}
			initStringInfo(&why);
			appendStringInfoString(&why, "{\"error\":");
			ub_json_string(&why, edata->message);
			appendStringInfo(&why, ",\"sqlstate\":\"%s\"}", unpack_sql_state(edata->sqlerrcode));
			res.metrics = why;
			FreeErrorData(edata);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(trial_cxt);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		ms = INSTR_TIME_GET_MILLISEC(elapsed);
		metrics = ub_json_to_jsonb(&res.metrics);
		value = get_float8_nan();
		if (!failed)
		{
			mv = ub_jsonb_get(&metrics->root, metric);
			if (mv == NULL)
				bad_search(psprintf("the metric \"%s\" is not among this task's metrics", metric),
						   "Binary: auc, pr_auc, f1, accuracy, log_loss, mcc; multiclass: accuracy, macro_f1, log_loss; regression: rmse, mae, r2.");
			if (mv->type == jbvNumeric)
				value = ub_jsonb_number(mv, metric);
		}
		record_trial(model, run, t + 1, trial_json[t], metrics, metric, value, ms);
		MemoryContextSwitchTo(trial_cxt);
		if (!isnan(value) && (best_trial < 0 || (higher_better ? value > best_value : value < best_value)))
		{
			if (best_cxt)
				MemoryContextDelete(best_cxt);
			best_cxt = trial_cxt;
			best_trial = t + 1;
			best_value = value;
			best = res;
			best_opts = *topts;
			best_options = trial_json[t];
			best_rng = trial_rng;
			best_ms = ms;
		}
		else
			MemoryContextDelete(trial_cxt);
	}
	if (best_trial < 0 && first_failure != NULL)
		ereport(ERROR,
				(errcode(first_code),
				 errmsg("every trial failed or gave no \"%s\"; nothing was deployed", metric),
				 errdetail("%s", first_failure),
				 errhint("Search over options that train, for example lower learning rates.")));
	if (best_trial < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("no trial gave a defined \"%s\"; nothing was deployed", metric)));

	MemoryContextSwitchTo(best_cxt);
	version = ub_train_store(model, query, target, &best_opts, tgt, ds, &best, &best_rng, best_ms);
	{
		Oid			types[3] = {INT4OID, INT8OID, INT4OID};
		Datum		args[3] = {Int32GetDatum(version), Int64GetDatum(run), Int32GetDatum(best_trial)};
		if (ub_catalog_spi(psprintf("UPDATE %s SET best = true, version = $1 "
										   "WHERE tuning_run = $2 AND trial = $3", ub_catalog_relation("ubehav_trials")),
								  3, types, args, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not mark the best trial");
	}
	MemoryContextSwitchTo(best_cxt);
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	ub_json_key(&out, "model");
	ub_json_string(&out, model);
	appendStringInfo(&out, ",\"version\":%d,\"tuning_run\":" INT64_FORMAT ",\"trials\":%d,\"best_trial\":%d,",
					 version, run, n_trials, best_trial);
	ub_json_key(&out, "metric");
	ub_json_string(&out, metric);
	appendStringInfoString(&out, ",\"best_value\":");
	ub_json_number(&out, best_value);
	appendStringInfoString(&out, ",\"best_options\":");
	appendStringInfoString(&out, JsonbToCString(NULL, &best_options->root, VARSIZE(best_options)));
	appendStringInfoChar(&out, '}');
	MemoryContextSwitchTo(caller_cxt);
	result = ub_json_to_jsonb(&out);
	SPI_finish();
	MemoryContextDelete(tune_cxt);
	ub_progress_end();
	PG_RETURN_JSONB_P(result);
}
