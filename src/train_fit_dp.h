/* train_fit_dp.h: one epoch of DP-SGD with Poisson sampling, the sampling the privacy accountant assumes. */
#ifndef UBEHAV_FIT_DP_H
#define UBEHAV_FIT_DP_H

#include "postgres.h"

#include "train_fit.h"

typedef struct UbDpFit
{
	int			B;				/* the expected batch size, and the rows processed at once */
	size_t		n_params;
	float	   *sum;			/* the clipped per-example gradients of one step, summed */
	float	   *scratch;		/* the per-example norms' throwaway weight gradients */
	double	   *norms;			/* (B) */
	uint32	   *rows;			/* (B) rows drawn, waiting to be processed */
} UbDpFit;

/* Buffers for DP-SGD with expected batch size B, in the current memory context. */
void		ub_fit_dp_init(UbDpFit *dp, const NnSpec *spec, int B);

/*
 * One epoch: ceil(n_train / B) steps, each on a Poisson sample of the training rows with rate
 * B / n_train (every row drawn independently), so that the RDP accountant's subsampled Gaussian
 * mechanism is exactly what runs. xb, yb, workspace and dlogits are sized for B rows. Returns
 * the mean loss of the rows drawn (before their step).
 */
double		ub_fit_dp_epoch(UbDpFit *dp, const NnSpec *spec, float *params, NnOptimizer *opt,
							float *opt_state, const UbFitData *data, NnRng *rng, float *workspace,
							float *dlogits, float *xb, float *yb);

#endif
