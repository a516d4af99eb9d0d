/* model_deploy.h: deciding whether a new version is deployed ("if_better"). */
#ifndef UBEHAV_DEPLOY_H
#define UBEHAV_DEPLOY_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "data_query.h"
#include "model.h"
#include "options.h"
#include "data_row_chunks.h"
#include "prep_target.h"

/* ERROR before training when the options' deploy_metric does not apply to task. */
void		ub_deploy_check_metric(const UbOptions *opts, UbTask task);

/*
 * "if_better": score the evaluation rows eval_rows[0..n_eval) of ds with the deployed version of
 * model and compare deploy_metric with the new version's metrics (a JSON object's text). Takes the
 * model's training lock first, so the deployed version cannot change before the new one is stored.
 * Returns whether to deploy, and appends the decision as a JSON object to decision. SPI connected.
 */
bool		ub_deploy_if_better(const char *model, const UbDataset *ds, const UbTarget *tgt,
								const UbOptions *opts, const uint32 *eval_rows, size_t n_eval,
								const char *new_metrics, StringInfo decision);

#endif
