/* ensemble.h: several networks of one shape packed into one wider network (no PostgreSQL headers). */
#ifndef NN_ENSEMBLE_H
#define NN_ENSEMBLE_H

#include "mlp.h"
#include "status.h"

/*
 * The spec of k members of spec packed side by side: every hidden width times k, the same inputs,
 * head and outputs. NN_ERR_ARGUMENT for k < 1 or a spec without hidden layers when k > 1.
 */
NnStatus	nn_ensemble_spec(const NnSpec *member, int k, NnSpec *packed);

/*
 * Pack the parameters of k members (members[m], each laid out for member) into packed_params
 * (laid out for the spec of nn_ensemble_spec): the first layers side by side, each later hidden
 * layer block-diagonal (zero between members), and the output layer the members' output layers
 * stacked and divided by k, with the mean of their biases. The packed network's output before the
 * head is then exactly the mean of the members' outputs before the head (their logits, or the
 * regression value), so it scores with the ordinary kernels at the cost of one network of the
 * packed widths: a packed ensemble (Laurent et al. 2023).
 */
void		nn_ensemble_pack(const NnSpec *member, int k, const float *const *members,
							 float *packed_params);

#endif
