/* options.c: every option key validated before any work, with messages that name the option. */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"

#include "jsonb_util.h"
#include "options.h"

#define UB_VALID_OPTION_KEYS \
	"hidden, activation, optimizer, learning_rate, momentum, nesterov, batch_size, epochs, " \
	"validation_split, seed, task, max_categories, max_classes"

const char *
ub_task_name(UbTask task)
{
	switch (task)
	{
		case UB_TASK_BINARY:
			return "binary";
		case UB_TASK_MULTICLASS:
			return "multiclass";
		case UB_TASK_REGRESSION:
			return "regression";
		default:
			return "infer";
	}
}

/* An integer option in [lo, hi]; numbers with a fraction are rejected rather than truncated. */
static int64
option_int(JsonbValue *v, const char *key, int64 lo, int64 hi)
{
	char		what[64];
	double		d;

	snprintf(what, sizeof(what), "option \"%s\"", key);
	d = ub_jsonb_number(v, what);
	if (d != floor(d) || d < (double) lo || d > (double) hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be a whole number between " INT64_FORMAT " and " INT64_FORMAT ", not %g",
						key, lo, hi, d)));
	return (int64) d;
}

/* A real option in (lo, hi] or [lo, hi] depending on lo_open. */
static double
option_real(JsonbValue *v, const char *key, double lo, bool lo_open, double hi)
{
	char		what[64];
	double		d;

	snprintf(what, sizeof(what), "option \"%s\"", key);
	d = ub_jsonb_number(v, what);
	if (isnan(d) || (lo_open ? d <= lo : d < lo) || d > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be %s %g and at most %g, not %g",
						key, lo_open ? "greater than" : "at least", lo, hi, d)));
	return d;
}

static bool
option_bool(JsonbValue *v, const char *key)
{
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be true or false, not %s", key, ub_jsonb_type_name(v))));
	return v->val.boolean;
}

static void
parse_hidden(JsonbValue *v, UbOptions *o)
{
	int			n = ub_jsonb_array_length(v, "option \"hidden\"");
	int			i;

	if (n > NN_MAX_HIDDEN_LAYERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"hidden\" has %d layers; at most %d are supported", n, NN_MAX_HIDDEN_LAYERS)));
	for (i = 0; i < n; i++)
		o->hidden[i] = (int) option_int(ub_jsonb_array_element(v, i), "hidden", 1, NN_MAX_WIDTH);
	o->n_hidden = n;
}

static void
parse_option(const char *key, JsonbValue *v, UbOptions *o, bool *lr_set)
{
	if (strcmp(key, "hidden") == 0)
		parse_hidden(v, o);
	else if (strcmp(key, "activation") == 0)
	{
		char	   *name = ub_jsonb_string(v, "option \"activation\"");

		o->activation = nn_activation_from_name(name);
		if (o->activation == NN_ACT_COUNT_)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"activation\" has unknown value \"%s\"", name),
					 errhint("Use one of relu, leaky_relu, tanh, sigmoid, linear.")));
	}
	else if (strcmp(key, "optimizer") == 0)
	{
		char	   *name = ub_jsonb_string(v, "option \"optimizer\"");

		o->optimizer.kind = nn_optimizer_from_name(name);
		if (o->optimizer.kind == NN_OPT_COUNT_)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"optimizer\" has unknown value \"%s\"", name),
					 errhint("Use one of sgd, momentum, adam.")));
	}
	else if (strcmp(key, "learning_rate") == 0)
	{
		o->learning_rate = option_real(v, key, 0.0, true, 10.0);
		*lr_set = true;
	}
	else if (strcmp(key, "momentum") == 0)
		o->momentum = option_real(v, key, 0.0, false, 0.999);
	else if (strcmp(key, "nesterov") == 0)
		o->nesterov = option_bool(v, key);
	else if (strcmp(key, "batch_size") == 0)
		o->batch_size = (int) option_int(v, key, 1, 65536);
	else if (strcmp(key, "epochs") == 0)
		o->epochs = (int) option_int(v, key, 1, 100000);
	else if (strcmp(key, "validation_split") == 0)
		o->validation_split = option_real(v, key, 0.0, false, 0.9);
	else if (strcmp(key, "seed") == 0)
		o->seed = option_int(v, key, 0, INT64CONST(9007199254740991));
	else if (strcmp(key, "task") == 0)
	{
		char	   *name = ub_jsonb_string(v, "option \"task\"");

		if (strcmp(name, "binary") == 0)
			o->task = UB_TASK_BINARY;
		else if (strcmp(name, "multiclass") == 0)
			o->task = UB_TASK_MULTICLASS;
		else if (strcmp(name, "regression") == 0)
			o->task = UB_TASK_REGRESSION;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"task\" has unknown value \"%s\"", name),
					 errhint("Use one of binary, multiclass, regression, or leave it out to infer the task from the target.")));
	}
	else if (strcmp(key, "max_categories") == 0)
		o->max_categories = (int) option_int(v, key, 1, 10000);
	else if (strcmp(key, "max_classes") == 0)
		o->max_classes = (int) option_int(v, key, 3, 10000);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown option \"%s\"", key),
				 errhint("Valid options are: " UB_VALID_OPTION_KEYS ".")));
}

void
ub_options_parse(Jsonb *opts, UbOptions *o)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	bool		lr_set = false;
	NnOptimizerKind kind;

	memset(o, 0, sizeof(*o));
	o->n_hidden = 2;
	o->hidden[0] = 128;
	o->hidden[1] = 64;
	o->activation = NN_ACT_RELU;
	nn_optimizer_defaults(&o->optimizer, NN_OPT_ADAM);
	o->learning_rate = 0.001;
	o->momentum = 0.9;
	o->batch_size = 32;
	o->epochs = 10;
	o->validation_split = 0.2;
	o->seed = 42;
	o->task = UB_TASK_INFER;
	o->max_categories = 100;
	o->max_classes = 100;

	o->optimizer.kind = NN_OPT_ADAM;
	if (opts != NULL && (!JB_ROOT_IS_OBJECT(opts) || JB_ROOT_IS_SCALAR(opts)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a jsonb object such as '{\"epochs\": 20}'")));

	it = opts ? JsonbIteratorInit(&opts->root) : NULL;
	while (it != NULL && (tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *key = pnstrdup(v.val.string.val, v.val.string.len);

			tok = JsonbIteratorNext(&it, &v, true);
			Assert(tok == WJB_VALUE);
			if (v.type == jbvNull)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"%s\" must not be null", key),
						 errhint("Leave the key out to use the default.")));
			parse_option(key, &v, o, &lr_set);
		}
	}
	/* jsonb sorts keys, so the optimizer's settings are combined only after all are read */
	kind = o->optimizer.kind;
	nn_optimizer_defaults(&o->optimizer, kind);
	if (!lr_set)
		o->learning_rate = kind == NN_OPT_ADAM ? 0.001 : 0.01;
	o->optimizer.learning_rate = (float) o->learning_rate;
	o->optimizer.momentum = (float) o->momentum;
	o->optimizer.nesterov = o->nesterov;
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
	appendStringInfo(&buf, ",\"batch_size\":%d,\"epochs\":%d,\"validation_split\":",
					 o->batch_size, o->epochs);
	ub_json_number(&buf, o->validation_split);
	appendStringInfo(&buf, ",\"seed\":" INT64_FORMAT ",\"task\":\"%s\",\"max_categories\":%d,\"max_classes\":%d}",
					 o->seed, ub_task_name(o->task), o->max_categories, o->max_classes);
	return ub_json_to_jsonb(&buf);
}
