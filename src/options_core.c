/* options_core.c: every option key validated before any work, with messages that name the option. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options_core.h"

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

void
ub_options_defaults(UbOptions *o)
{
	memset(o, 0, sizeof(*o));
	o->n_hidden = 2;
	o->hidden[0] = 128;
	o->hidden[1] = 64;
	o->activation = NN_ACT_RELU;
	nn_optimizer_defaults(&o->optimizer, NN_OPT_ADAM);
	o->learning_rate = 0.001;
	o->momentum = 0.9;
	o->nesterov = false;
	o->batch_size = 32;
	o->epochs = 10;
	o->validation_split = 0.2;
	o->seed = 42;
	o->task = UB_TASK_INFER;
	o->max_categories = 100;
	o->max_classes = 100;
}

static bool fail(UbOptionError *err, const char *hint, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
fail(UbOptionError *err, const char *hint, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	return false;
}

/* An integer option in [lo, hi]; numbers with a fraction are rejected rather than truncated. */
static bool
option_int(const UbJson *v, const char *key, int64_t lo, int64_t hi, int64_t *out, UbOptionError *err)
{
	if (v->kind != UB_JSON_NUMBER)
		return fail(err, NULL, "option \"%s\" must be a number, not %s", key, ub_json_kind_name(v));
	if (!isfinite(v->number) || v->number != floor(v->number) || v->number < (double) lo || v->number > (double) hi)
		return fail(err, NULL, "option \"%s\" must be a whole number between %lld and %lld, not %g",
					key, (long long) lo, (long long) hi, v->number);
	*out = (int64_t) v->number;
	return true;
}

static bool
option_int32(const UbJson *v, const char *key, int lo, int hi, int *out, UbOptionError *err)
{
	int64_t		x = 0;

	if (!option_int(v, key, lo, hi, &x, err))
		return false;
	*out = (int) x;
	return true;
}

/* A real option in (lo, hi] when lo_open, else [lo, hi]. */
static bool
option_real(const UbJson *v, const char *key, double lo, bool lo_open, double hi, double *out,
			UbOptionError *err)
{
	double		d;

	if (v->kind != UB_JSON_NUMBER)
		return fail(err, NULL, "option \"%s\" must be a number, not %s", key, ub_json_kind_name(v));
	d = v->number;
	if (isnan(d) || (lo_open ? d <= lo : d < lo) || d > hi)
		return fail(err, NULL, "option \"%s\" must be %s %g and at most %g, not %g",
					key, lo_open ? "greater than" : "at least", lo, hi, d);
	*out = d;
	return true;
}

static bool
option_bool(const UbJson *v, const char *key, bool *out, UbOptionError *err)
{
	if (v->kind != UB_JSON_BOOL)
		return fail(err, NULL, "option \"%s\" must be true or false, not %s", key, ub_json_kind_name(v));
	*out = v->boolean;
	return true;
}

static bool
option_string(const UbJson *v, const char *key, const char **out, UbOptionError *err)
{
	if (v->kind != UB_JSON_STRING)
		return fail(err, NULL, "option \"%s\" must be a string, not %s", key, ub_json_kind_name(v));
	*out = v->string;
	return true;
}

static bool
parse_hidden(const UbJson *v, UbOptions *o, UbOptionError *err)
{
	int			i;

	if (v->kind != UB_JSON_ARRAY)
		return fail(err, "Give the units of each hidden layer, for example [128, 64], or [] for none.",
					"option \"hidden\" must be an array, not %s", ub_json_kind_name(v));
	if (v->n > NN_MAX_HIDDEN_LAYERS)
		return fail(err, NULL, "option \"hidden\" has %d layers; at most %d are supported",
					v->n, NN_MAX_HIDDEN_LAYERS);
	for (i = 0; i < v->n; i++)
		if (!option_int32(&v->items[i], "hidden", 1, NN_MAX_WIDTH, &o->hidden[i], err))
			return false;
	o->n_hidden = v->n;
	return true;
}

static bool
parse_task(const UbJson *v, UbOptions *o, UbOptionError *err)
{
	const char *name = NULL;

	if (!option_string(v, "task", &name, err))
		return false;
	if (strcmp(name, "binary") == 0)
		o->task = UB_TASK_BINARY;
	else if (strcmp(name, "multiclass") == 0)
		o->task = UB_TASK_MULTICLASS;
	else if (strcmp(name, "regression") == 0)
		o->task = UB_TASK_REGRESSION;
	else
		return fail(err, "Use one of binary, multiclass, regression, or leave it out to infer the task from the target.",
					"option \"task\" has unknown value \"%s\"", name);
	return true;
}

static bool
parse_option(const char *key, const UbJson *v, UbOptions *o, bool *lr_set, UbOptionError *err)
{
	const char *name = NULL;
	int64_t		seed = 0;

	if (strcmp(key, "hidden") == 0)
		return parse_hidden(v, o, err);
	if (strcmp(key, "activation") == 0)
	{
		if (!option_string(v, key, &name, err))
			return false;
		o->activation = nn_activation_from_name(name);
		if (o->activation == NN_ACT_COUNT_)
			return fail(err, "Use one of relu, leaky_relu, tanh, sigmoid, linear.",
						"option \"activation\" has unknown value \"%s\"", name);
		return true;
	}
	if (strcmp(key, "optimizer") == 0)
	{
		if (!option_string(v, key, &name, err))
			return false;
		o->optimizer.kind = nn_optimizer_from_name(name);
		if (o->optimizer.kind == NN_OPT_COUNT_)
			return fail(err, "Use one of sgd, momentum, adam.", "option \"optimizer\" has unknown value \"%s\"", name);
		return true;
	}
	if (strcmp(key, "learning_rate") == 0)
	{
		*lr_set = true;
		return option_real(v, key, 0.0, true, 10.0, &o->learning_rate, err);
	}
	if (strcmp(key, "momentum") == 0)
		return option_real(v, key, 0.0, false, 0.999, &o->momentum, err);
	if (strcmp(key, "nesterov") == 0)
		return option_bool(v, key, &o->nesterov, err);
	if (strcmp(key, "batch_size") == 0)
		return option_int32(v, key, 1, 65536, &o->batch_size, err);
	if (strcmp(key, "epochs") == 0)
		return option_int32(v, key, 1, 100000, &o->epochs, err);
	if (strcmp(key, "validation_split") == 0)
		return option_real(v, key, 0.0, false, 0.9, &o->validation_split, err);
	if (strcmp(key, "seed") == 0)
	{
		if (!option_int(v, key, 0, INT64_C(9007199254740991), &seed, err))
			return false;
		o->seed = seed;
		return true;
	}
	if (strcmp(key, "task") == 0)
		return parse_task(v, o, err);
	if (strcmp(key, "max_categories") == 0)
		return option_int32(v, key, 1, 10000, &o->max_categories, err);
	if (strcmp(key, "max_classes") == 0)
		return option_int32(v, key, 3, 10000, &o->max_classes, err);
	return fail(err, "Valid options are: " UB_VALID_OPTION_KEYS ".", "unknown option \"%s\"", key);
}

bool
ub_options_apply(const UbJson *obj, UbOptions *o, UbOptionError *err)
{
	bool		lr_set = false;
	NnOptimizerKind kind;
	int			i;

	ub_options_defaults(o);
	err->message[0] = err->hint[0] = '\0';
	if (obj == NULL)
		return true;
	if (obj->kind != UB_JSON_OBJECT)
		return fail(err, NULL, "options must be a jsonb object such as '{\"epochs\": 20}'");
	for (i = 0; i < obj->n; i++)
	{
		if (obj->items[i].kind == UB_JSON_NULL)
			return fail(err, "Leave the key out to use the default.", "option \"%s\" must not be null", obj->keys[i]);
		if (!parse_option(obj->keys[i], &obj->items[i], o, &lr_set, err))
			return false;
	}
	/* keys come in any order, so the optimizer's settings are combined only after all are read */
	kind = o->optimizer.kind;
	nn_optimizer_defaults(&o->optimizer, kind);
	if (!lr_set)
		o->learning_rate = kind == NN_OPT_ADAM ? 0.001 : 0.01;
	o->optimizer.learning_rate = (float) o->learning_rate;
	o->optimizer.momentum = (float) o->momentum;
	o->optimizer.nesterov = o->nesterov;
	return true;
}
