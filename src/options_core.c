/* options_core.c: every option key validated before any work, with messages that name the option. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options_core.h"

#define UB_VALID_OPTION_KEYS \
	"hidden, activation, optimizer, learning_rate, momentum, nesterov, batch_size, epochs, " \
	"validation_split, seed, task, max_categories, max_classes, l1, l2, dropout, early_stopping, " \
	"patience, min_delta, learning_rate_schedule, class_weight, sample_weight, clipnorm, clipvalue, " \
	"threshold, scaling, imputation, missing_indicator, min_category_count, integer_categories, pca, exclude, " \
	"dp_epsilon, dp_delta, noise_multiplier, max_grad_norm, deploy, deploy_metric, warm_start, " \
	"group_by, max_groups, min_group_rows, ensemble, verbose, text_columns, text_config, text_slots, text_ngrams"

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
	o->epochs = 0;				/* auto: by training rows (ub_auto_epochs) */
	o->validation_split = 0.2;
	o->seed = 42;
	o->task = UB_TASK_INFER;
	o->max_categories = 100;
	o->max_classes = 100;
	o->early_stopping = true;
	o->patience = 3;
	o->schedule = UB_SCHEDULE_CONSTANT;
	o->schedule_factor = 0.5;
	o->schedule_step_size = 5;
	o->schedule_patience = 2;
	o->threshold = -1.0;
	o->max_grad_norm = 1.0;
	o->deploy = true;
	o->scaling = UB_SCALING_AUTO;
	o->max_groups = 1000;
	o->min_group_rows = 10;
	o->imputation = UB_IMPUTE_MEAN;
	/* a value seen once is never kept: it cannot be learned, and storing it would reveal one row */
	o->min_category_count = 2;
	o->integer_categories = 10;
	o->text_config = "simple";
	o->text_slots = 32768;
	o->text_ngrams = 2;
	o->verbose = -1;			/* the session's ubehav.verbose */
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
	o->hidden_set = true;		/* a text model's default (prep_text_defaults.c) then does not apply */
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

/* One rate for every hidden layer, or one per hidden layer (checked against hidden after all keys). */
static bool
parse_dropout(const UbJson *v, UbOptions *o, int *n_given, UbOptionError *err)
{
	int			i;

	o->dropout_set = true;
	if (v->kind == UB_JSON_NUMBER)
	{
		double		p;

		if (!option_real(v, "dropout", 0.0, false, 0.95, &p, err))
			return false;
		for (i = 0; i < NN_MAX_HIDDEN_LAYERS; i++)
			o->dropout[i] = p;
		*n_given = -1;
		return true;
	}
	if (v->kind != UB_JSON_ARRAY)
		return fail(err, "Give one rate for every hidden layer, such as 0.2, or one per layer, such as [0.3, 0.1].",
					"option \"dropout\" must be a number or an array, not %s", ub_json_kind_name(v));
	if (v->n > NN_MAX_HIDDEN_LAYERS)
		return fail(err, NULL, "option \"dropout\" has %d rates; at most %d hidden layers are supported",
					v->n, NN_MAX_HIDDEN_LAYERS);
	for (i = 0; i < v->n; i++)
		if (!option_real(&v->items[i], "dropout", 0.0, false, 0.95, &o->dropout[i], err))
			return false;
	*n_given = v->n;
	return true;
}

static bool
parse_schedule(const UbJson *v, UbOptions *o, UbOptionError *err)
{
	static const char *const hint =
		"Use constant, step, exponential, cosine or reduce_on_plateau, or an object such as "
		"{\"type\": \"step\", \"factor\": 0.5, \"step_size\": 5}.";
	const UbJson *type = v;
	const char *name = NULL;
	int			i;

	if (v->kind == UB_JSON_OBJECT)
	{
		type = ub_json_member(v, "type");
		if (type == NULL)
			return fail(err, hint, "option \"learning_rate_schedule\" needs a \"type\"");
		for (i = 0; i < v->n; i++)
		{
			const char *k = v->keys[i];
			const UbJson *x = &v->items[i];

			if (strcmp(k, "type") == 0)
				continue;
			if (strcmp(k, "factor") == 0)
			{
				if (!option_real(x, "learning_rate_schedule.factor", 0.0, true, 1.0, &o->schedule_factor, err))
					return false;
			}
			else if (strcmp(k, "step_size") == 0)
			{
				if (!option_int32(x, "learning_rate_schedule.step_size", 1, 100000, &o->schedule_step_size, err))
					return false;
			}
			else if (strcmp(k, "patience") == 0)
			{
				if (!option_int32(x, "learning_rate_schedule.patience", 1, 100000, &o->schedule_patience, err))
					return false;
			}
			else if (strcmp(k, "min_learning_rate") == 0)
			{
				if (!option_real(x, "learning_rate_schedule.min_learning_rate", 0.0, false, 10.0, &o->min_learning_rate, err))
					return false;
			}
			else
				return fail(err, "Valid keys are type, factor, step_size, patience, min_learning_rate.",
							"unknown key \"%s\" in option \"learning_rate_schedule\"", k);
		}
	}
	if (!option_string(type, "learning_rate_schedule", &name, err))
		return false;
	if (strcmp(name, "constant") == 0)
		o->schedule = UB_SCHEDULE_CONSTANT;
	else if (strcmp(name, "step") == 0)
		o->schedule = UB_SCHEDULE_STEP;
	else if (strcmp(name, "exponential") == 0)
		o->schedule = UB_SCHEDULE_EXPONENTIAL;
	else if (strcmp(name, "cosine") == 0)
		o->schedule = UB_SCHEDULE_COSINE;
	else if (strcmp(name, "reduce_on_plateau") == 0)
		o->schedule = UB_SCHEDULE_PLATEAU;
	else
		return fail(err, hint, "option \"learning_rate_schedule\" has unknown value \"%s\"", name);
	return true;
}

static bool
parse_class_weight(const UbJson *v, UbOptions *o, UbOptionError *err)
{
	static const char *const hint =
		"Use \"balanced\", or an object from class label to weight such as {\"true\": 5, \"false\": 1}.";
	int			i;

	if (v->kind == UB_JSON_STRING)
	{
		if (strcmp(v->string, "balanced") != 0)
			return fail(err, hint, "option \"class_weight\" has unknown value \"%s\"", v->string);
		o->class_weight = UB_CLASS_WEIGHT_BALANCED;
		return true;
	}
	if (v->kind != UB_JSON_OBJECT)
		return fail(err, hint, "option \"class_weight\" must be \"balanced\" or an object, not %s", ub_json_kind_name(v));
	if (v->n > UB_MAX_CLASS_WEIGHTS)
		return fail(err, NULL, "option \"class_weight\" has %d labels; at most %d are supported", v->n, UB_MAX_CLASS_WEIGHTS);
	for (i = 0; i < v->n; i++)
	{
		o->class_weight_labels[i] = v->keys[i];
		if (!option_real(&v->items[i], "class_weight", 0.0, true, 1e6, &o->class_weight_values[i], err))
			return false;
	}
	o->n_class_weights = v->n;
	o->class_weight = UB_CLASS_WEIGHT_EXPLICIT;
	return true;
}

static bool
parse_threshold(const UbJson *v, UbOptions *o, UbOptionError *err)
{
	if (v->kind == UB_JSON_STRING && strcmp(v->string, "f1") == 0)
	{
		o->threshold = -1.0;
		return true;
	}
	if (v->kind != UB_JSON_NUMBER)
		return fail(err, "Use \"f1\" for the threshold that maximises F1 on the validation rows, or a probability such as 0.5.",
					"option \"threshold\" must be \"f1\" or a number, not %s", ub_json_kind_name(v));
	return option_real(v, "threshold", 0.0, true, 0.999999, &o->threshold, err);
}

static bool
parse_option(const char *key, const UbJson *v, UbOptions *o, bool *lr_set, int *n_dropout, UbOptionError *err)
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
	{
		if (v->kind == UB_JSON_STRING && strcmp(v->string, "auto") == 0)
		{
			o->epochs = 0;
			return true;
		}
		return option_int32(v, key, 1, 100000, &o->epochs, err);
	}
	if (strcmp(key, "validation_split") == 0)
	{
		o->validation_split_set = true;	/* as hidden_set */
		return option_real(v, key, 0.0, false, 0.9, &o->validation_split, err);
	}
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
	if (strcmp(key, "l1") == 0)
		return option_real(v, key, 0.0, false, 10.0, &o->l1, err);
	if (strcmp(key, "l2") == 0)
		return option_real(v, key, 0.0, false, 10.0, &o->l2, err);
	if (strcmp(key, "dropout") == 0)
		return parse_dropout(v, o, n_dropout, err);
	if (strcmp(key, "early_stopping") == 0)
	{
		o->early_stopping_set = true;
		return option_bool(v, key, &o->early_stopping, err);
	}
	if (strcmp(key, "patience") == 0)
		return option_int32(v, key, 1, 100000, &o->patience, err);
	if (strcmp(key, "min_delta") == 0)
		return option_real(v, key, 0.0, false, 1e6, &o->min_delta, err);
	if (strcmp(key, "learning_rate_schedule") == 0)
		return parse_schedule(v, o, err);
	if (strcmp(key, "class_weight") == 0)
		return parse_class_weight(v, o, err);
	if (strcmp(key, "sample_weight") == 0)
		return option_string(v, key, &o->sample_weight, err);
	if (strcmp(key, "clipnorm") == 0)
		return option_real(v, key, 0.0, true, 1e6, &o->clipnorm, err);
	if (strcmp(key, "clipvalue") == 0)
		return option_real(v, key, 0.0, true, 1e6, &o->clipvalue, err);
	if (strcmp(key, "threshold") == 0)
		return parse_threshold(v, o, err);
	if (strcmp(key, "scaling") == 0)
	{
		if (!option_string(v, key, &name, err))
			return false;
		if (strcmp(name, "standard") == 0)
			o->scaling = UB_SCALING_STANDARD;
		else if (strcmp(name, "minmax") == 0)
			o->scaling = UB_SCALING_MINMAX;
		else if (strcmp(name, "robust") == 0)
			o->scaling = UB_SCALING_ROBUST;
		else if (strcmp(name, "none") == 0)
			o->scaling = UB_SCALING_NONE;
		else if (strcmp(name, "robust_clip") == 0)
			o->scaling = UB_SCALING_ROBUST_CLIP;
		else if (strcmp(name, "yeo_johnson") == 0)
			o->scaling = UB_SCALING_YEO_JOHNSON;
		else if (strcmp(name, "auto") == 0)
			o->scaling = UB_SCALING_AUTO;
		else
			return fail(err, "Use one of auto, standard, minmax, robust, robust_clip, yeo_johnson, none.", "option \"scaling\" has unknown value \"%s\"", name);
		return true;
	}
	if (strcmp(key, "imputation") == 0)
	{
		if (!option_string(v, key, &name, err))
			return false;
		if (strcmp(name, "mean") == 0)
			o->imputation = UB_IMPUTE_MEAN;
		else if (strcmp(name, "median") == 0)
			o->imputation = UB_IMPUTE_MEDIAN;
		else if (strcmp(name, "zero") == 0)
			o->imputation = UB_IMPUTE_ZERO;
		else
			return fail(err, "Use one of mean, median, zero.", "option \"imputation\" has unknown value \"%s\"", name);
		return true;
	}
	if (strcmp(key, "deploy") == 0)
	{
		if (!option_string(v, key, &name, err))
			return false;
		if (strcmp(name, "always") == 0)
			o->deploy_mode = UB_DEPLOY_ALWAYS;
		else if (strcmp(name, "if_better") == 0)
			o->deploy_mode = UB_DEPLOY_IF_BETTER;
		else if (strcmp(name, "never") == 0)
			o->deploy_mode = UB_DEPLOY_NEVER;
		else
			return fail(err, "Use \"always\" (the new version is deployed), \"if_better\" (deployed when it beats the deployed version on the same validation rows) or \"never\" (deploy it later with ubehav_deploy).",
						"option \"deploy\" has unknown value \"%s\"", name);
		o->deploy = o->deploy_mode != UB_DEPLOY_NEVER;
		return true;
	}
	if (strcmp(key, "deploy_metric") == 0)
	{
		static const char *const metrics[] = {"auc", "pr_auc", "accuracy", "f1", "log_loss", "mcc",
		"macro_f1", "rmse", "mae", "r2"};
		size_t		i;

		if (!option_string(v, key, &name, err))
			return false;
		for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
			if (strcmp(name, metrics[i]) == 0)
			{
				o->deploy_metric = metrics[i];
				return true;
			}
		return fail(err, "Use one of auc, pr_auc, accuracy, f1, log_loss, mcc (binary), accuracy, macro_f1, log_loss (multiclass), rmse, mae, r2 (regression).",
					"option \"deploy_metric\" has unknown value \"%s\"", name);
	}
	if (strcmp(key, "warm_start") == 0)
		return option_bool(v, key, &o->warm_start, err);
	if (strcmp(key, "group_by") == 0)
	{
		if (!option_string(v, key, &o->group_by, err))
			return false;
		if (o->group_by[0] == '\0')
			return fail(err, "Name the column whose values get a network each, such as \"region\".",
						"option \"group_by\" must name a column");
		return true;
	}
	if (strcmp(key, "max_groups") == 0)
		return option_int32(v, key, 1, 100000, &o->max_groups, err);
	if (strcmp(key, "min_group_rows") == 0)
		return option_int32(v, key, 2, 1000000000, &o->min_group_rows, err);
	if (strcmp(key, "dp_epsilon") == 0)
	{
		o->dp = true;
		return option_real(v, key, 0.0, true, 1000.0, &o->dp_epsilon, err);
	}
	if (strcmp(key, "dp_delta") == 0)
		return option_real(v, key, 0.0, true, 0.01, &o->dp_delta, err);
	if (strcmp(key, "noise_multiplier") == 0)
	{
		o->dp = true;
		return option_real(v, key, 0.0, true, 1000.0, &o->noise_multiplier, err);
	}
	if (strcmp(key, "max_grad_norm") == 0)
		return option_real(v, key, 0.0, true, 1e6, &o->max_grad_norm, err);
	if (strcmp(key, "exclude") == 0)
	{
		int			i;

		if (v->kind != UB_JSON_ARRAY || v->n > 64)
			return fail(err, "Give up to 64 LIKE patterns of column names, such as [\"%_id\", \"email\"].",
						"option \"exclude\" must be an array of column name patterns");
		for (i = 0; i < v->n; i++)
			if (!option_string(&v->items[i], "exclude", &o->exclude[i], err))
				return false;
		o->n_exclude = v->n;
		return true;
	}
	if (strcmp(key, "text_columns") == 0)
	{
		int			i;

		if (v->kind != UB_JSON_ARRAY || v->n > 64)
			return fail(err, "Give up to 64 names of free-text columns, such as [\"review\"].",
						"option \"text_columns\" must be an array of column names");
		for (i = 0; i < v->n; i++)
			if (!option_string(&v->items[i], "text_columns", &o->text_columns[i], err))
				return false;
		o->n_text_columns = v->n;
		return true;
	}
	if (strcmp(key, "text_config") == 0)
		return option_string(v, key, &o->text_config, err);
	if (strcmp(key, "text_slots") == 0)
		return option_int32(v, key, 16, 65536, &o->text_slots, err);
	if (strcmp(key, "text_ngrams") == 0)
		return option_int32(v, key, 1, 2, &o->text_ngrams, err);
	if (strcmp(key, "missing_indicator") == 0)
		return option_bool(v, key, &o->missing_indicator, err);
	if (strcmp(key, "min_category_count") == 0)
		return option_int32(v, key, 1, 1000000000, &o->min_category_count, err);
	if (strcmp(key, "verbose") == 0)
		return option_int32(v, key, 0, 2, &o->verbose, err);
	if (strcmp(key, "ensemble") == 0)
	{
		if (v->kind == UB_JSON_STRING && strcmp(v->string, "auto") == 0)
		{
			o->ensemble = 0;
			return true;
		}
		return option_int32(v, key, 1, UB_MAX_ENSEMBLE, &o->ensemble, err);
	}
	if (strcmp(key, "integer_categories") == 0)
		return option_int32(v, key, 0, 1000, &o->integer_categories, err);
	if (strcmp(key, "pca") == 0)
	{
		static const char *const hint = "Give a number of components such as 8, or a fraction of the variance to keep such as 0.95.";

		if (v->kind != UB_JSON_NUMBER)
			return fail(err, hint, "option \"pca\" must be a number, not %s", ub_json_kind_name(v));
		if (v->number > 0.0 && v->number < 1.0)
		{
			o->pca_variance = v->number;
			o->pca_components = 0;
			return true;
		}
		o->pca_variance = 0.0;
		if (v->number == floor(v->number) && v->number >= 1 && v->number <= 4096)
		{
			o->pca_components = (int) v->number;
			return true;
		}
		return fail(err, hint, "option \"pca\" must be a whole number of components from 1 to 4096 or a fraction between 0 and 1, not %g", v->number);
	}
	return fail(err, "Valid options are: " UB_VALID_OPTION_KEYS ".", "unknown option \"%s\"", key);
}

bool
ub_options_apply(const UbJson *obj, UbOptions *o, UbOptionError *err)
{
	bool		lr_set = false;
	int			n_dropout = -1;
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
		if (!parse_option(obj->keys[i], &obj->items[i], o, &lr_set, &n_dropout, err))
			return false;
	}
	if (n_dropout >= 0 && n_dropout != o->n_hidden)
		return fail(err, "Give one rate per hidden layer, or a single number for all of them.",
					"option \"dropout\" has %d rates but there are %d hidden layers", n_dropout, o->n_hidden);
	if (o->early_stopping && o->early_stopping_set && o->validation_split == 0.0)
		return fail(err, "Early stopping watches the validation loss: set validation_split above 0, or early_stopping to false.",
					"option \"early_stopping\" needs validation rows, but validation_split is 0");
	if (o->dp)
	{
		static const char *const dp_hint =
			"Differentially private training clips and noises each example's gradient; this option would change "
			"how much one example can move the model, so leave it out.";

		if (o->dp_epsilon > 0 && o->noise_multiplier > 0)
			return fail(err, "Give the privacy budget with \"dp_epsilon\", or the noise with \"noise_multiplier\".",
						"options \"dp_epsilon\" and \"noise_multiplier\" exclude each other");
		if (o->early_stopping && o->early_stopping_set)
			return fail(err, "Choosing the epoch on validation rows is outside the privacy guarantee; set a number of epochs.",
						"option \"early_stopping\" cannot be used with differentially private training");
		o->early_stopping = false;
		if (o->schedule == UB_SCHEDULE_PLATEAU)
			return fail(err, "Cutting the learning rate on validation loss is outside the privacy guarantee; use a fixed schedule such as \"exponential\".",
						"learning_rate_schedule \"reduce_on_plateau\" cannot be used with differentially private training");
		if (o->ensemble > 1)
			return fail(err, "Each network would spend the privacy budget again on the same rows; leave \"ensemble\" out.",
						"option \"ensemble\" above 1 cannot be used with differentially private training");
		if (o->dropout_set || o->class_weight != UB_CLASS_WEIGHT_NONE || o->sample_weight || o->l1 > 0 || o->l2 > 0 ||
			o->clipnorm > 0 || o->clipvalue > 0)
			return fail(err, dp_hint, "options dropout, class_weight, sample_weight, l1, l2, clipnorm and clipvalue "
						"cannot be used with differentially private training");
	}
	if (o->group_by && o->warm_start)
		return fail(err, "Train the grouped model afresh; each group's network starts from its own initialisation.",
					"option \"warm_start\" cannot be used with \"group_by\"");
	if (o->group_by && o->deploy_mode == UB_DEPLOY_IF_BETTER)
		return fail(err, "Use deploy \"always\" or \"never\" and compare the versions' metrics, then ubehav_deploy the better one.",
					"option \"deploy\" \"if_better\" cannot be used with \"group_by\"");
	/* without validation rows there is nothing to stop on, so the default quietly does not apply */
	if (o->validation_split == 0.0)
		o->early_stopping = false;
	if (o->schedule == UB_SCHEDULE_PLATEAU && o->validation_split == 0.0)
		return fail(err, "Set validation_split above 0, or choose another schedule.",
					"learning_rate_schedule \"reduce_on_plateau\" needs validation rows, but validation_split is 0");
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

int
ub_auto_epochs(const UbOptions *o, size_t n_train)
{
	size_t		e;

	if (o->epochs > 0)
		return o->epochs;
	if (o->dp || n_train == 0)
		return UB_AUTO_EPOCHS_MIN;
	e = (UB_AUTO_EPOCHS_ROWS + n_train - 1) / n_train;
	return e < UB_AUTO_EPOCHS_MIN ? UB_AUTO_EPOCHS_MIN : e > UB_AUTO_EPOCHS_MAX ? UB_AUTO_EPOCHS_MAX : (int) e;
}
