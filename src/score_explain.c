/*
 * score_explain.c: ubehav_explain, integrated gradients (Sundararajan, Taly and Yan, 2017,
 * https://arxiv.org/abs/1703.01365) from a baseline of training means, the method BigQuery ML
 * uses for its DNN explanations. Contributions of a column's encoded inputs (one-hot slots,
 * array elements, missing indicators) are summed back to the column.
 */
#include "postgres.h"

#include <math.h>

#include "fn_args.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "jsonb_build.h"
#include "jsonb_util.h"
#include "nn/kernel_sparse.h"
#include "nn/metrics.h"
#include "nn/mlp.h"
#include "nn/pca.h"
#include "nn_error.h"
#include "score_predict.h"

#define UB_IG_MIN_STEPS 4
#define UB_IG_MAX_STEPS 4096
#define UB_IG_BLOCK 64
#define UB_EXPLAIN_WORDS 10		/* words named per text column */			/* path points through the network at once: bounded memory, interrupts between */

/* Index of the class to explain: the named one, or the most likely one for this row. */
static int
explained_output(UbModel *m, FunctionCallInfo fcinfo)
{
	int			k;

	if (m->task != UB_TASK_MULTICLASS)
	{
		if (!PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("class applies to multiclass models, but \"%s\" is a %s model", m->name,
							ub_task_name(m->task)),
					 errhint("Leave class NULL: a binary model's explanation is of the probability of \"%s\".",
							 m->n_classes > 1 ? m->labels[1] : "true")));
		return 0;
	}
	if (!PG_ARGISNULL(2))
	{
		char	   *label = text_to_cstring(PG_GETARG_TEXT_PP(2));

		for (k = 0; k < m->n_classes; k++)
			if (strcmp(m->labels[k], label) == 0)
				return k;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" has no class \"%s\"", m->name, label)));
	}
	ub_model_score(m);
	return nn_argmax(m->out, m->n_classes);
}

/* A word of a row and its contribution. */
typedef struct WordContribution
{
	int			slot;
	double		contribution;
} WordContribution;

static int
cmp_abs_contribution(const void *a, const void *b)
{
	double		x = fabs(((const WordContribution *) a)->contribution),
				y = fabs(((const WordContribution *) b)->contribution);

	if (x != y)
		return x > y ? -1 : 1;
	return ((const WordContribution *) a)->slot - ((const WordContribution *) b)->slot;
}

/*
 * "words": per text column, its UB_EXPLAIN_WORDS words (and word pairs) of largest contribution
 * in this row, largest first; their sum over all the row's words is the column's contribution.
 */
static void
text_words_to_jsonb(UbJsonbBuilder *b, const UbPreprocessing *prep, const float *x, const float *x0,
					const float *grad_x, double scale)
{
	int			i;

	ub_jb_key(b, "words");
	ub_jb_object_begin(b);
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];
		WordContribution *w;
		int			n = 0,
					j,
					k;

		if (f->kind != UB_KIND_TEXT)
			continue;
		w = palloc(sizeof(WordContribution) * f->width);
		for (j = 0; j < f->width; j++)
			if (x[f->offset + j] != x0[f->offset + j])
			{
				w[n].slot = j;
				w[n].contribution = ((double) x[f->offset + j] - x0[f->offset + j]) * grad_x[f->offset + j] * scale;
				n++;
			}
		qsort(w, n, sizeof(WordContribution), cmp_abs_contribution);
		ub_jb_key(b, f->name);
		ub_jb_array_begin(b);
		for (k = 0; k < Min(n, UB_EXPLAIN_WORDS); k++)
		{
			const char *word = ub_text_word(f->text, w[k].slot);

			ub_jb_object_begin(b);
			ub_jb_kv_string(b, "word", word ? word : "");
			ub_jb_kv_float8(b, "contribution", w[k].contribution);
			ub_jb_object_end(b);
		}
		ub_jb_array_end(b);
		pfree(w);
	}
	ub_jb_object_end(b);
}

/* The row and its baseline in the space the path runs through, and the network seen from there. */
typedef struct ExplainPath
{
	float	   *x;
	float	   *x0;
	int			d;
	NnSpec		spec;
} ExplainPath;

static void
explain_endpoints(const UbModel *m, ExplainPath *ep)
{
	const UbPreprocessing *prep = m->prep;
	int			p = m->spec.n_inputs;

	ep->d = prep->n_encoded;
	ep->spec = m->spec;
	if (prep->n_pairs > 0)
	{
		/*
		 * Text: the path runs through the network's inputs themselves, the row's pairs scattered
		 * into them, on a dense view of the network; the baseline has no text.
		 */
		float	   *row0 = palloc(sizeof(float) * ep->d);

		ub_prep_baseline(prep, row0);
		ep->x = palloc(sizeof(float) * p);
		ep->x0 = palloc(sizeof(float) * p);
		nn_sparse_densify(m->x, prep->n_dense, prep->n_pairs, p, ep->x);
		nn_sparse_densify(row0, prep->n_dense, prep->n_pairs, p, ep->x0);
		pfree(row0);
		ep->d = p;
		ep->spec.sparse_pairs = 0;
		ep->spec.sparse_from = 0;
	}
	else
	{
		ep->x = palloc(sizeof(float) * ep->d);
		ep->x0 = palloc(sizeof(float) * ep->d);
		memcpy(ep->x, m->x, sizeof(float) * ep->d);
		ub_prep_baseline(prep, ep->x0);
	}
}

/*
 * The path-averaged gradient of the explained output with respect to ep's inputs (steps
 * midpoints), and the network's output at the row (*fx) and at the baseline (*fx0), unscaled.
 */
static float *
integrated_gradient(UbModel *m, const ExplainPath *ep, int steps, int output, double *fx, double *fx0)
{
	const UbPreprocessing *prep = m->prep;
	const NnSpec *spec = &ep->spec;
	int			d = ep->d,
				p = m->spec.n_inputs,
				block = Min(steps, UB_IG_BLOCK),
				s,
				j,
				i;
	size_t		ws_floats,
				n_params;
	float	   *z,
			   *z0,
			   *path,
			   *workspace,
			   *grads,
			   *dlogits,
			   *dinp,
			   *out,
			   *grad_z,
			   *grad_x;

	/* the network sees z; with PCA z is linear in x, so the path and the chain rule stay exact */
	z = palloc(sizeof(float) * p);
	z0 = palloc(sizeof(float) * p);
	memcpy(z, ub_prep_network_input(prep, ep->x, m->z), sizeof(float) * p);
	memcpy(z0, ub_prep_network_input(prep, ep->x0, m->z), sizeof(float) * p);

	ub_check_nn_status(nn_workspace_floats(spec, block, &ws_floats), "sizing the explanation workspace");
	ub_check_nn_status(nn_spec_param_count(spec, &n_params), "sizing the explanation workspace");
	path = palloc_extended(sizeof(float) * (size_t) block * p, MCXT_ALLOC_HUGE);
	workspace = palloc_extended(sizeof(float) * ws_floats, MCXT_ALLOC_HUGE);
	grads = palloc_extended(sizeof(float) * n_params, MCXT_ALLOC_HUGE);
	dlogits = palloc(sizeof(float) * (size_t) block * m->spec.n_outputs);
	dinp = palloc_extended(sizeof(float) * (size_t) block * p, MCXT_ALLOC_HUGE);
	out = palloc(sizeof(float) * block);
	grad_z = palloc0(sizeof(float) * p);
	/* midpoints of steps equal intervals from the baseline to the row, a block of them at a time */
	for (s = 0; s < steps; s += block)
	{
		int			nb = Min(block, steps - s),
					k;

		for (k = 0; k < nb; k++)
		{
			double		alpha = (s + k + 0.5) / steps;

			for (j = 0; j < p; j++)
				path[(size_t) k * p + j] = (float) (z0[j] + alpha * ((double) z[j] - z0[j]));
		}
		nn_input_gradient(spec, m->params, path, nb, output, workspace, grads, dlogits, dinp, out);
		for (k = 0; k < nb; k++)
			for (j = 0; j < p; j++)
				grad_z[j] += dinp[(size_t) k * p + j] / steps;
		CHECK_FOR_INTERRUPTS();
	}
	grad_x = palloc0(sizeof(float) * d);
	if (prep->pca_k > 0)
	{
		for (i = 0; i < prep->pca_k; i++)
			for (j = 0; j < d; j++)
				grad_x[j] += prep->pca_components[(size_t) i * d + j] * grad_z[i];
	}
	else
		memcpy(grad_x, grad_z, sizeof(float) * d);

	/* the scores at the row and at the baseline */
	nn_input_gradient(spec, m->params, z, 1, output, workspace, grads, dlogits, dinp, out);
	*fx = out[0];
	nn_input_gradient(spec, m->params, z0, 1, output, workspace, grads, dlogits, dinp, out);
	*fx0 = out[0];
	return grad_x;
}

static Datum
explain(FunctionCallInfo fcinfo, UbModel *m)
{
	const UbPreprocessing *prep = m->prep;
	int			steps = PG_GETARG_INT32(3);
	int			output,
				i,
				j;
	ExplainPath ep;
	float	   *grad_x;
	double		fx,
				fx0,
				scale,
				total = 0.0;
	UbJsonbBuilder b;

	if (steps < UB_IG_MIN_STEPS || steps > UB_IG_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must be between %d and %d, not %d", UB_IG_MIN_STEPS, UB_IG_MAX_STEPS, steps)));
	output = explained_output(m, fcinfo);
	explain_endpoints(m, &ep);
	grad_x = integrated_gradient(m, &ep, steps, output, &fx, &fx0);
	/* in the units explained */
	scale = m->task == UB_TASK_REGRESSION ? prep->target_std : 1.0;
	if (m->task == UB_TASK_REGRESSION)
	{
		fx = fx * scale + prep->target_mean;
		fx0 = fx0 * scale + prep->target_mean;
	}

	ub_jb_init(&b);
	ub_jb_object_begin(&b);
	ub_jb_key(&b, "contributions");
	ub_jb_object_begin(&b);
	for (i = 0; i < prep->n_features; i++)
	{
		const UbFeature *f = &prep->features[i];
		double		c = 0.0;

		for (j = f->offset; j < f->offset + f->width; j++)
			c += ((double) ep.x[j] - ep.x0[j]) * grad_x[j];
		c *= scale;
		total += c;
		ub_jb_kv_float8(&b, f->name, c);
	}
	ub_jb_object_end(&b);
	if (prep->n_pairs > 0)
		text_words_to_jsonb(&b, prep, ep.x, ep.x0, grad_x, scale);
	ub_jb_kv_float8(&b, "score", fx);
	ub_jb_kv_float8(&b, "baseline_score", fx0);
	ub_jb_kv_float8(&b, "approximation_error", fabs(total - (fx - fx0)));
	ub_jb_kv_int64(&b, "steps", steps);
	if (m->task == UB_TASK_MULTICLASS)
		ub_jb_kv_string(&b, "class", m->labels[output]);
	ub_jb_object_end(&b);
	PG_RETURN_JSONB_P(ub_jb_finish(&b));
}

PG_FUNCTION_INFO_V1(ubehav_explain_row);
Datum
ubehav_explain_row(PG_FUNCTION_ARGS)
{
	ub_require_args(fcinfo, UB_MAY_BE_NULL(2));
	return explain(fcinfo, encode_row_arg(fcinfo));
}

PG_FUNCTION_INFO_V1(ubehav_explain_array);
Datum
ubehav_explain_array(PG_FUNCTION_ARGS)
{
	ub_require_args(fcinfo, UB_MAY_BE_NULL(2));
	return explain(fcinfo, encode_array_arg(fcinfo));
}
