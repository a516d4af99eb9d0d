/*
 * prep_text_defaults.c: the defaults of a model with a text column (issue 15 part 2).
 *
 * A review has about 50 distinct terms out of 32,768 slots, and a typical text table has a few
 * thousand rows, far fewer than inputs. Two defaults of tabular models then cost accuracy:
 *
 * - "hidden" [128, 64]: the first layer alone has text_slots x 128 weights. Such a network fits
 *   the training reviews within two to four epochs (early stopping ends it at epoch 5 to 8 on
 *   fine_foods), before the validation loss has chosen well. A linear model over TF-IDF weights,
 *   logistic regression for a binary target, is the standard for bag-of-words features with
 *   rows << inputs; scikit-learn's reference in bench/text.sh is one. So the default is no hidden
 *   layer. It does not apply when "hidden", "dropout" or a number of "ensemble" networks is given
 *   (the last two describe hidden layers).
 * - "validation_split" 0.2: the held-out rows only choose the epoch and the threshold, while the
 *   vocabulary (terms in at least UB_TEXT_MIN_DF training rows) and the weights are learnt from
 *   the rest. With text, every extra training row brings new terms, so the default holds out
 *   UB_TEXT_DEFAULT_VALIDATION_SPLIT instead.
 *
 * Both are written to the stored options like any given value, so a retrain repeats them.
 */
#include "postgres.h"

#include "prep_text_defaults.h"

bool
ub_dataset_has_text(const UbDataset *ds)
{
	int			i;

	for (i = 0; i < ds->n_columns; i++)
		if (ds->columns[i].kind == UB_KIND_TEXT)
			return true;
	return false;
}

void
ub_text_defaults_apply(UbOptions *o, const UbDataset *ds)
{
	if (!ub_dataset_has_text(ds))
		return;
	if (!o->hidden_set && !o->dropout_set && o->ensemble == 0)
		o->n_hidden = 0;
	if (!o->validation_split_set)
		o->validation_split = UB_TEXT_DEFAULT_VALIDATION_SPLIT;
}
