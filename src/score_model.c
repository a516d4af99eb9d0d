/* score_model.c: one decoded model scoring one encoded row, and picking a group_by model's network. */
#include "postgres.h"

#include <stdlib.h>

#include "model.h"
#include "nn/mlp.h"

static int
compare_group_value(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(char *const *) elem);
}

int
ub_model_group_index(const UbModel *model, const char *group_value)
{
	char	  **found = bsearch(group_value, model->group_values, model->n_groups, sizeof(char *),
								compare_group_value);

	return found ? (int) (found - model->group_values) : -1;
}

void
ub_require_single_network(const UbModel *model, const char *function)
{
	if (model->n_groups > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not support model \"%s\" version %d, which has one network per value of \"%s\"",
						function, model->name, model->version, model->group_by),
				 errhint("Score its rows with ubehav_predict(model, row), which picks each row's group, or train a model without group_by.")));
}

double
ub_model_score(UbModel *m)
{
	nn_predict_row(&m->spec, m->params, ub_prep_network_input(m->prep, m->x, m->z), m->out, m->scratch);
	/* the network learned the standardized target; undo it in double precision */
	if (m->task == UB_TASK_REGRESSION)
		return m->out[0] * m->prep->target_std + m->prep->target_mean;
	return m->out[0];
}
