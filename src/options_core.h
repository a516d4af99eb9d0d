/* options_core.h: training options and their validation, free of PostgreSQL so they can be fuzzed. */
#ifndef UBEHAV_OPTIONS_CORE_H
#define UBEHAV_OPTIONS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_tree.h"
#include "nn/mlp.h"

typedef enum UbTask
{
	UB_TASK_INFER = 0,
	UB_TASK_BINARY,
	UB_TASK_MULTICLASS,
	UB_TASK_REGRESSION
} UbTask;

typedef enum UbSchedule
{
	UB_SCHEDULE_CONSTANT = 0,
	UB_SCHEDULE_STEP,			/* times factor every step_size epochs */
	UB_SCHEDULE_EXPONENTIAL,	/* times factor every epoch */
	UB_SCHEDULE_COSINE,			/* half a cosine from learning_rate down to min_learning_rate */
	UB_SCHEDULE_PLATEAU			/* times factor after patience epochs without a better val_loss */
} UbSchedule;

typedef enum UbClassWeight
{
	UB_CLASS_WEIGHT_NONE = 0,
	UB_CLASS_WEIGHT_BALANCED,	/* n / (K * n_c), as scikit-learn */
	UB_CLASS_WEIGHT_EXPLICIT	/* per label, from the options */
} UbClassWeight;

/* most networks one "ensemble" packs; "auto" packs UB_AUTO_ENSEMBLE below UB_AUTO_ENSEMBLE_ROWS training rows */
#define UB_MAX_ENSEMBLE 16
/* epochs "auto": enough passes to see about this many rows, between the two bounds (10 with DP-SGD) */
#define UB_AUTO_EPOCHS_ROWS 500000
#define UB_AUTO_EPOCHS_MIN 10
#define UB_AUTO_EPOCHS_MAX 50
#define UB_AUTO_ENSEMBLE 4
#define UB_AUTO_ENSEMBLE_ROWS 50000
#define UB_AUTO_ENSEMBLE_MIN_WIDTH 8	/* narrower members are too weak: "auto" then trains one network */

typedef enum UbScaling
{
	UB_SCALING_STANDARD = 0,	/* (x - mean) / standard deviation */
	UB_SCALING_MINMAX,			/* (x - min) / (max - min) */
	UB_SCALING_ROBUST,			/* (x - median) / interquartile range */
	UB_SCALING_NONE,
	UB_SCALING_ROBUST_CLIP,		/* robust, then smooth clipping to (-3, 3) (RealMLP) */
	UB_SCALING_YEO_JOHNSON,		/* Yeo-Johnson power transform, then standard (scikit-learn's PowerTransformer) */
	UB_SCALING_AUTO				/* log1p of skewed non-negative columns, then robust_clip */
} UbScaling;

typedef enum UbImputation
{
	UB_IMPUTE_MEAN = 0,
	UB_IMPUTE_MEDIAN,
	UB_IMPUTE_ZERO
} UbImputation;

#define UB_MAX_CLASS_WEIGHTS 1000

typedef enum UbDeployMode
{
	UB_DEPLOY_ALWAYS = 0,
	UB_DEPLOY_IF_BETTER,		/* when deploy_metric beats the deployed version on the same validation rows */
	UB_DEPLOY_NEVER
} UbDeployMode;

typedef struct UbOptions
{
	int			n_hidden;
	int			hidden[NN_MAX_HIDDEN_LAYERS];
	bool		hidden_set;		/* given, so a text model's default does not replace it */
	NnActivation activation;
	NnOptimizer optimizer;		/* kind, learning rate, momentum, nesterov, as the core uses them */
	double		learning_rate;	/* as the user wrote them, for the catalog */
	double		momentum;
	bool		nesterov;
	int			batch_size;
	int			epochs;
	double		validation_split;
	bool		validation_split_set;	/* as hidden_set */
	int64_t		seed;
	UbTask		task;
	int			max_categories;
	int			max_classes;
	/* regularization and training control */
	double		l1;
	double		l2;
	bool		dropout_set;
	double		dropout[NN_MAX_HIDDEN_LAYERS];	/* per hidden layer */
	bool		early_stopping;
	bool		early_stopping_set;
	int			patience;
	double		min_delta;
	UbSchedule	schedule;
	double		schedule_factor;
	int			schedule_step_size;
	int			schedule_patience;
	double		min_learning_rate;
	UbClassWeight class_weight;
	int			n_class_weights;
	const char *class_weight_labels[UB_MAX_CLASS_WEIGHTS];
	double		class_weight_values[UB_MAX_CLASS_WEIGHTS];
	const char *sample_weight;	/* column name, or NULL */
	double		clipnorm;
	double		clipvalue;
	/* preprocessing */
	UbScaling	scaling;
	UbImputation imputation;
	bool		missing_indicator;
	int			min_category_count;
	int			verbose;		/* progress NOTICEs: 0 none, 1 about one a second, 2 every epoch; -1: ubehav.progress */
	int			ensemble;		/* networks packed side by side (1..16), 0: auto (by training rows) */
	int			integer_categories;	/* a number column of whole values with 3 to this many distinct ones is also one-hot encoded; 0 never */
	int			pca_components;	/* > 0: keep this many */
	double		pca_variance;	/* in (0, 1): keep enough to explain this fraction; 0: no PCA */
	/* differential privacy (DP-SGD): on when dp_epsilon or noise_multiplier is set */
	bool		dp;
	double		dp_epsilon;		/* target; 0 when the noise multiplier is given instead */
	double		dp_delta;		/* 0: chosen from the number of rows */
	double		noise_multiplier;
	double		max_grad_norm;
	bool		deploy;			/* deploy the new version: false for "never"; for "if_better" decided after training */
	UbDeployMode deploy_mode;
	const char *deploy_metric;	/* "if_better" compares this metric; NULL: the task's default */
	bool		warm_start;		/* start from the deployed version's weights and preprocessing */
	/* privacy hygiene: columns whose names match one of these LIKE patterns are not features */
	int			n_exclude;
	const char *exclude[64];
	/* free text (prep_text.c): columns tokenised by to_tsvector(text_config, ...); tsvector columns always are */
	int			n_text_columns;
	const char *text_columns[64];
	const char *text_config;	/* text search configuration, default "simple" (keeps "not", which "english" drops as a stop word) */
	int			text_slots;		/* hashed inputs per text column */
	int			text_ngrams;	/* 1: words; 2: words and pairs of adjacent words */
	/* decision threshold of binary models: < 0 means "the F1-maximising one on validation" */
	double		threshold;
	/* one network per value of this column (NULL: one network), groups of fewer rows skipped */
	const char *group_by;
	int			max_groups;
	int			min_group_rows;
} UbOptions;

typedef struct UbOptionError
{
	char		message[256];	/* lower case, no final period */
	char		hint[512];		/* a full sentence, or empty */
} UbOptionError;

/* The defaults: the seed's Keras example. */
void		ub_options_defaults(UbOptions *o);

/*
 * Validate every key of obj (an object, or NULL for none) and apply it over the defaults.
 * Returns false and fills err on the first unknown key, wrong type or value out of range.
 */
bool		ub_options_apply(const UbJson *obj, UbOptions *o, UbOptionError *err);

const char *ub_task_name(UbTask task);

/* The epochs of a training on n_train rows: the option, or for "auto" (0) ceil(UB_AUTO_EPOCHS_ROWS / n_train)
 * clamped to [UB_AUTO_EPOCHS_MIN, UB_AUTO_EPOCHS_MAX], and UB_AUTO_EPOCHS_MIN with DP-SGD. */
int			ub_auto_epochs(const UbOptions *o, size_t n_train);

#endif
