/*
 * fuzz_options.c: libFuzzer target: any JSON given as options is accepted or rejected with a
 * message, never a crash.
 *
 * Invariants (a violation aborts, so libFuzzer reports it):
 *   - a rejection has a non-empty, terminated message and a terminated hint;
 *   - an accepted option set is within the documented ranges, every real finite;
 *   - validation is deterministic: the same tree gives the same verdict and the same options.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "json_mini.h"
#include "options_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static bool
in_range(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

static void
check_accepted(const UbOptions *o)
{
	int			i;

	CHECK(o->n_hidden >= 0 && o->n_hidden <= NN_MAX_HIDDEN_LAYERS);
	for (i = 0; i < o->n_hidden; i++)
	{
		CHECK(o->hidden[i] >= 1 && o->hidden[i] <= 65536);
		CHECK(in_range(o->dropout[i], 0.0, 0.95));
	}
	CHECK(o->learning_rate > 0 && in_range(o->learning_rate, 0.0, 10.0));
	CHECK(in_range(o->momentum, 0.0, 0.999));
	CHECK(o->batch_size >= 1 && o->batch_size <= 65536);
	CHECK(o->epochs >= 0 && o->epochs <= 100000);	/* 0: auto */
	CHECK(in_range(o->validation_split, 0.0, 0.9));
	CHECK(o->seed >= 0 && o->seed <= INT64_C(9007199254740991));
	CHECK(o->max_categories >= 1 && o->max_classes >= 2);
	CHECK(in_range(o->l1, 0.0, 10.0) && in_range(o->l2, 0.0, 10.0));
	CHECK(o->patience >= 1 && in_range(o->min_delta, 0.0, 1e6));
	CHECK(isfinite(o->schedule_factor) && isfinite(o->min_learning_rate) && o->min_learning_rate >= 0);
	CHECK(o->n_class_weights >= 0 && o->n_class_weights <= UB_MAX_CLASS_WEIGHTS);
	for (i = 0; i < o->n_class_weights; i++)
		CHECK(o->class_weight_labels[i] != NULL && in_range(o->class_weight_values[i], 0.0, 1e6));
	CHECK(in_range(o->clipnorm, 0.0, 1e6) && in_range(o->clipvalue, 0.0, 1e6));
	CHECK(o->min_category_count >= 1 && o->pca_components >= 0 && in_range(o->pca_variance, 0.0, 1.0));
	CHECK(in_range(o->dp_epsilon, 0.0, 1000.0) && in_range(o->dp_delta, 0.0, 0.01));
	CHECK(in_range(o->noise_multiplier, 0.0, 1000.0) && in_range(o->max_grad_norm, 0.0, 1e6));
	CHECK(o->n_exclude >= 0 && o->n_exclude <= 64);
	for (i = 0; i < o->n_exclude; i++)
		CHECK(o->exclude[i] != NULL);
	CHECK(isfinite(o->threshold) && o->threshold < 1.0);
	CHECK(o->verbose >= -1 && o->verbose <= 2);
	CHECK(o->ensemble >= 0 && o->ensemble <= UB_MAX_ENSEMBLE);	/* 0: auto */
	CHECK(o->ensemble <= 1 || !o->dp);
	CHECK(o->integer_categories >= 0 && o->integer_categories <= 1000);
	CHECK(o->scaling >= UB_SCALING_STANDARD && o->scaling <= UB_SCALING_AUTO);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbJson	   *tree = json_mini_parse((const char *) data, size);

	if (tree != NULL)
	{
		static UbOptions o,
					again;
		UbOptionError err,
					err_again;
		bool		ok,
					ok_again;

		memset(&err, 0x7f, sizeof(err));
		ok = ub_options_apply(tree, &o, &err);
		if (!ok)
		{
			/* a rejection always says what was wrong, within its buffers */
			CHECK(err.message[0] != '\0' && memchr(err.message, '\0', sizeof(err.message)) != NULL);
			CHECK(memchr(err.hint, '\0', sizeof(err.hint)) != NULL);
		}
		else
			check_accepted(&o);
		ok_again = ub_options_apply(tree, &again, &err_again);
		CHECK(ok == ok_again);
		if (ok)
			CHECK(memcmp(&o, &again, sizeof(o)) == 0);
		else
			CHECK(strcmp(err.message, err_again.message) == 0);
	}
	json_mini_free();
	return 0;
}
