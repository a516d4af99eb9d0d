/* ensemble.c: packing several trained networks of one shape into one block-structured network. */
#include "ensemble.h"

#include <stdbool.h>
#include <string.h>

NnStatus
nn_ensemble_spec(const NnSpec *member, int k, NnSpec *packed)
{
	int			i;

	if (k < 1 || (k > 1 && member->n_hidden < 1))
		return NN_ERR_ARGUMENT;
	*packed = *member;
	for (i = 0; i < member->n_hidden; i++)
	{
		if (member->hidden[i] > INT32_MAX / k)
			return NN_ERR_OVERFLOW;
		packed->hidden[i] = member->hidden[i] * k;
	}
	return nn_spec_validate(packed);
}

void
nn_ensemble_pack(const NnSpec *member, int k, const float *const *members, float *packed_params)
{
	NnSpec		packed;
	size_t		n_packed = 0;
	int			L = nn_spec_layers(member),
				l,
				m;

	if (nn_ensemble_spec(member, k, &packed) != NN_OK || nn_spec_param_count(&packed, &n_packed) != NN_OK)
		return;
	memset(packed_params, 0, sizeof(float) * n_packed);
	for (l = 0; l < L; l++)
	{
		NnLayerView mv = nn_spec_layer(member, l),
					pv = nn_spec_layer(&packed, l);
		bool		first = l == 0,
					last = l == L - 1;

		for (m = 0; m < k; m++)
		{
			const float *W = members[m] + mv.w_offset,
					   *b = members[m] + mv.b_offset;
			/* where member m's block starts in the packed (in, out) matrix */
			size_t		row0 = first ? 0 : (size_t) m * mv.in,
						col0 = last ? 0 : (size_t) m * mv.out;
			float		f = last ? 1.0f / (float) k : 1.0f;
			int32_t		i,
						j;

			for (i = 0; i < mv.in; i++)
				for (j = 0; j < mv.out; j++)
					packed_params[pv.w_offset + (row0 + i) * pv.out + col0 + j] = W[(size_t) i * mv.out + j] * f;
			for (j = 0; j < mv.out; j++)
				packed_params[pv.b_offset + col0 + j] += last ? b[j] * f : b[j];
		}
	}
}
