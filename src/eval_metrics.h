/* eval_metrics.h: the metrics of a task on scored rows, as the jsonb stored and returned. */
#ifndef UBEHAV_METRICS_JSON_H
#define UBEHAV_METRICS_JSON_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "jsonb_build.h"

#include "options.h"

/*
 * Add the metrics' members for n rows to the open object of b.
 * outputs: binary (n) probabilities, multiclass (n, K) probabilities, regression (n) values;
 * y: class indices or values, in the same units as outputs. Binary accuracy, precision, recall
 * and f1 are those of predicting positive when the probability is >= threshold. labels (K) name
 * the classes in multiclass per-class metrics and confusion matrices (may be NULL otherwise).
 */
void		ub_metrics_to_jsonb(UbJsonbBuilder *b, UbTask task, const float *outputs, const float *y,
								size_t n, int K, double threshold, char **labels);
/* The same members as JSON text appended to buf (no braces), for callers that build text. */
void		ub_metrics_append(StringInfo buf, UbTask task, const float *outputs, const float *y,
							  size_t n, int K, double threshold, char **labels);

#endif
