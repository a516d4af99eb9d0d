/* options.c: every option key validated before any work, with messages that name the option. */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "jsonb_util.h"
#include "options.h"

/* Convert one jsonb value, recursing into containers. */
static void
value_to_tree(JsonbValue *v, UbJson *out)
{
	memset(out, 0, sizeof(*out));
	switch (v->type)
	{
		case jbvNull:
			out->kind = UB_JSON_NULL;
			break;
		case jbvBool:
			out->kind = UB_JSON_BOOL;
			out->boolean = v->val.boolean;
			break;
		case jbvNumeric:
			out->kind = UB_JSON_NUMBER;
			out->number = ub_jsonb_number(v, "number");
			break;
		case jbvString:
			out->kind = UB_JSON_STRING;
			out->string = pnstrdup(v->val.string.val, v->val.string.len);
			break;
		case jbvBinary:
			*out = *ub_jsonb_to_tree(v->val.binary.data);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

UbJson *
ub_jsonb_to_tree(JsonbContainer *c)
{
	UbJson	   *tree = palloc0(sizeof(UbJson));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = JsonContainerSize(c),
				i = 0;

	check_stack_depth();
	if (JsonContainerIsScalar(c))
	{
		/* a scalar at top level is stored as a one-element raw array */
		value_to_tree(getIthJsonbValueFromContainer(c, 0), tree);
		return tree;
	}
	tree->kind = JsonContainerIsObject(c) ? UB_JSON_OBJECT : UB_JSON_ARRAY;
	tree->n = n;
	tree->items = palloc0(sizeof(UbJson) * Max(n, 1));
	if (tree->kind == UB_JSON_OBJECT)
		tree->keys = palloc0(sizeof(char *) * Max(n, 1));
	it = JsonbIteratorInit(c);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			tree->keys[i] = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE || tok == WJB_ELEM)
			value_to_tree(&v, &tree->items[i++]);
	}
	return tree;
}

void
ub_options_parse(Jsonb *opts, UbOptions *o)
{
	UbOptionError err;

	if (!ub_options_apply(opts ? ub_jsonb_to_tree(&opts->root) : NULL, o, &err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s", err.message),
				 err.hint[0] ? errhint("%s", err.hint) : 0));
}

static const char *
schedule_name(UbSchedule s)
{
	static const char *const names[] = {"constant", "step", "exponential", "cosine", "reduce_on_plateau"};

	return names[s];
}

Jsonb *
ub_options_to_jsonb(const UbOptions *o)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"hidden\":[");
	for (i = 0; i < o->n_hidden; i++)
		appendStringInfo(&buf, "%s%d", i ? "," : "", o->hidden[i]);
	appendStringInfoString(&buf, "],");
	ub_json_key(&buf, "activation");
	ub_json_string(&buf, nn_activation_name(o->activation));
	appendStringInfoChar(&buf, ',');
	ub_json_key(&buf, "optimizer");
	ub_json_string(&buf, nn_optimizer_name(o->optimizer.kind));
	appendStringInfoString(&buf, ",\"learning_rate\":");
	ub_json_number(&buf, o->learning_rate);
	if (o->optimizer.kind == NN_OPT_MOMENTUM)
	{
		appendStringInfoString(&buf, ",\"momentum\":");
		ub_json_number(&buf, o->momentum);
		appendStringInfo(&buf, ",\"nesterov\":%s", o->nesterov ? "true" : "false");
	}
	appendStringInfo(&buf, ",\"batch_size\":%d", o->batch_size);
	if (o->epochs > 0)
		appendStringInfo(&buf, ",\"epochs\":%d", o->epochs);
	else
		appendStringInfoString(&buf, ",\"epochs\":\"auto\"");
	appendStringInfoString(&buf, ",\"validation_split\":");
	ub_json_number(&buf, o->validation_split);
	appendStringInfo(&buf, ",\"seed\":" INT64_FORMAT ",\"task\":\"%s\",\"max_categories\":%d,\"max_classes\":%d",
					 o->seed, ub_task_name(o->task), o->max_categories, o->max_classes);
	appendStringInfoString(&buf, ",\"l1\":");
	ub_json_number(&buf, o->l1);
	appendStringInfoString(&buf, ",\"l2\":");
	ub_json_number(&buf, o->l2);
	appendStringInfoString(&buf, ",\"dropout\":[");
	for (i = 0; i < o->n_hidden; i++)
	{
		if (i)
			appendStringInfoChar(&buf, ',');
		ub_json_number(&buf, o->dropout_set ? o->dropout[i] : 0.0);
	}
	appendStringInfo(&buf, "],\"early_stopping\":%s", o->early_stopping ? "true" : "false");
	if (o->early_stopping)
	{
		appendStringInfo(&buf, ",\"patience\":%d,\"min_delta\":", o->patience);
		ub_json_number(&buf, o->min_delta);
	}
	appendStringInfoString(&buf, ",\"learning_rate_schedule\":{");
	ub_json_key(&buf, "type");
	ub_json_string(&buf, schedule_name(o->schedule));
	if (o->schedule != UB_SCHEDULE_CONSTANT && o->schedule != UB_SCHEDULE_COSINE)
	{
		appendStringInfoString(&buf, ",\"factor\":");
		ub_json_number(&buf, o->schedule_factor);
	}
	if (o->schedule == UB_SCHEDULE_STEP)
		appendStringInfo(&buf, ",\"step_size\":%d", o->schedule_step_size);
	if (o->schedule == UB_SCHEDULE_PLATEAU)
		appendStringInfo(&buf, ",\"patience\":%d", o->schedule_patience);
	if (o->schedule != UB_SCHEDULE_CONSTANT)
	{
		appendStringInfoString(&buf, ",\"min_learning_rate\":");
		ub_json_number(&buf, o->min_learning_rate);
	}
	appendStringInfoChar(&buf, '}');
	if (o->class_weight == UB_CLASS_WEIGHT_BALANCED)
		appendStringInfoString(&buf, ",\"class_weight\":\"balanced\"");
	else if (o->class_weight == UB_CLASS_WEIGHT_EXPLICIT)
	{
		appendStringInfoString(&buf, ",\"class_weight\":{");
		for (i = 0; i < o->n_class_weights; i++)
		{
			if (i)
				appendStringInfoChar(&buf, ',');
			ub_json_key(&buf, o->class_weight_labels[i]);
			ub_json_number(&buf, o->class_weight_values[i]);
		}
		appendStringInfoChar(&buf, '}');
	}
	if (o->sample_weight)
	{
		appendStringInfoChar(&buf, ',');
		ub_json_key(&buf, "sample_weight");
		ub_json_string(&buf, o->sample_weight);
	}
	if (o->clipnorm > 0)
	{
		appendStringInfoString(&buf, ",\"clipnorm\":");
		ub_json_number(&buf, o->clipnorm);
	}
	if (o->clipvalue > 0)
	{
		appendStringInfoString(&buf, ",\"clipvalue\":");
		ub_json_number(&buf, o->clipvalue);
	}
	{
		static const char *const scalings[] = {"standard", "minmax", "robust", "none", "robust_clip", "yeo_johnson", "auto"};
		static const char *const imputations[] = {"mean", "median", "zero"};

		appendStringInfo(&buf, ",\"scaling\":\"%s\",\"imputation\":\"%s\",\"missing_indicator\":%s,\"min_category_count\":%d",
						 scalings[o->scaling], imputations[o->imputation],
						 o->missing_indicator ? "true" : "false", o->min_category_count);
		appendStringInfo(&buf, ",\"integer_categories\":%d", o->integer_categories);
		if (o->ensemble > 0)
			appendStringInfo(&buf, ",\"ensemble\":%d", o->ensemble);
		else
			appendStringInfoString(&buf, ",\"ensemble\":\"auto\"");
	}
	if (o->dp)
	{
		if (o->dp_epsilon > 0)
		{
			appendStringInfoString(&buf, ",\"dp_epsilon\":");
			ub_json_number(&buf, o->dp_epsilon);
		}
		if (o->noise_multiplier > 0)
		{
			appendStringInfoString(&buf, ",\"noise_multiplier\":");
			ub_json_number(&buf, o->noise_multiplier);
		}
		if (o->dp_delta > 0)
		{
			appendStringInfoString(&buf, ",\"dp_delta\":");
			ub_json_number(&buf, o->dp_delta);
		}
		appendStringInfoString(&buf, ",\"max_grad_norm\":");
		ub_json_number(&buf, o->max_grad_norm);
	}
	/* kept, so a retrain decides the same way; warm_start is not: it says how one version began */
	if (o->deploy_mode == UB_DEPLOY_NEVER)
		appendStringInfoString(&buf, ",\"deploy\":\"never\"");
	else if (o->deploy_mode == UB_DEPLOY_IF_BETTER)
		appendStringInfoString(&buf, ",\"deploy\":\"if_better\"");
	if (o->deploy_metric)
		appendStringInfo(&buf, ",\"deploy_metric\":\"%s\"", o->deploy_metric);
	if (o->n_exclude > 0)
	{
		appendStringInfoString(&buf, ",\"exclude\":[");
		for (i = 0; i < o->n_exclude; i++)
		{
			if (i)
				appendStringInfoChar(&buf, ',');
			ub_json_string(&buf, o->exclude[i]);
		}
		appendStringInfoChar(&buf, ']');
	}
	/* only when declared: the stored options of models without text stay as before */
	if (o->n_text_columns > 0)
	{
		appendStringInfoString(&buf, ",\"text_columns\":[");
		for (i = 0; i < o->n_text_columns; i++)
		{
			if (i)
				appendStringInfoChar(&buf, ',');
			ub_json_string(&buf, o->text_columns[i]);
		}
		appendStringInfoChar(&buf, ']');
	}
	if (o->n_text_columns > 0 || strcmp(o->text_config, "simple") != 0 || o->text_slots != 32768 ||
		o->text_ngrams != 2)
	{
		appendStringInfoChar(&buf, ',');
		ub_json_key(&buf, "text_config");
		ub_json_string(&buf, o->text_config);
		appendStringInfo(&buf, ",\"text_slots\":%d,\"text_ngrams\":%d", o->text_slots, o->text_ngrams);
	}
	if (o->group_by)
	{
		appendStringInfoChar(&buf, ',');
		ub_json_key(&buf, "group_by");
		ub_json_string(&buf, o->group_by);
		appendStringInfo(&buf, ",\"max_groups\":%d,\"min_group_rows\":%d", o->max_groups, o->min_group_rows);
	}
	if (o->pca_components > 0)
		appendStringInfo(&buf, ",\"pca\":%d", o->pca_components);
	else if (o->pca_variance > 0)
	{
		appendStringInfoString(&buf, ",\"pca\":");
		ub_json_number(&buf, o->pca_variance);
	}
	if (o->threshold < 0)
		appendStringInfoString(&buf, ",\"threshold\":\"f1\"");
	else
	{
		appendStringInfoString(&buf, ",\"threshold\":");
		ub_json_number(&buf, o->threshold);
	}
	appendStringInfoChar(&buf, '}');
	return ub_json_to_jsonb(&buf);
}

void
ub_options_refuse_group_by(const UbOptions *o, const char *function)
{
	if (o->group_by)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not support the option \"group_by\"", function),
				 errhint("Use it on one group's rows (WHERE %s = ...), then train all groups with ubehav_train and \"group_by\".",
						 o->group_by)));
}
