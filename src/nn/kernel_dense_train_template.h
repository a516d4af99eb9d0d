/*
 * kernel_dense_train_template.h: the register-blocked product of kernel_dense_train.c, included once per ISA level
 * with that level's native vector type, since GCC keeps generic vectors wider than the machine's
 * registers in memory. Before each inclusion define:
 *   KERNEL_NAME    name of the GemmFn to define (gemm_v4, ...)
 *   KERNEL_TARGET  its target attribute (or nothing)
 *   KERNEL_VF, KERNEL_VI, KERNEL_VL  float and int32 vector types and their lanes
 *   KERNEL_SPLAT   initializer of a KERNEL_VF with every lane x
 *   KERNEL_RB, KERNEL_CV  block: rows by vectors of columns (at most MAX_RB by MAX_CV)
 * Only kernel_dense_train.c includes this file; it undefines the parameters at the end.
 */
#define KCAT_(a, b) a##_##b
#define KCAT(a, b) KCAT_(a, b)
#define KFN(x) KCAT(x, KERNEL_NAME)

/*
 * One RB x (CV * VL) block of C, kept in registers across the whole K loop: per k, CV vector
 * loads of B and RB broadcasts of A feed RB * CV multiply-adds. RB and CV are constants after
 * inlining, so the loops unroll and acc lives in registers.
 */
KERNEL_TARGET
static ALWAYS_INLINE void
KFN(block) (const GemmArgs *g, int r0, int j0, const int RB, const int CV)
{
	KERNEL_VF	acc[MAX_RB][MAX_CV];
	const float *a = g->A + r0 * g->a_rs;
	const float *bp = g->B + j0;
	const KERNEL_VF zero = {0};
	int			r,
				c,
				k;

	for (r = 0; r < RB; r++)
		for (c = 0; c < CV; c++)
		{
			if (g->init == INIT_BIAS)
				memcpy(&acc[r][c], g->bias + j0 + c * KERNEL_VL, sizeof(KERNEL_VF));
			else if (g->init == INIT_LOAD)
				memcpy(&acc[r][c], g->C + (r0 + r) * g->ldc + j0 + c * KERNEL_VL, sizeof(KERNEL_VF));
			else
				acc[r][c] = zero;
		}
	for (k = 0; k < g->K; k++)
	{
		KERNEL_VF	w[MAX_CV];

		for (c = 0; c < CV; c++)
			memcpy(&w[c], bp + k * g->ldb + c * KERNEL_VL, sizeof(KERNEL_VF));
		for (r = 0; r < RB; r++)
		{
			const float x = a[r * g->a_rs + k * g->a_ks];
			const KERNEL_VF s = KERNEL_SPLAT(x);	/* an initializer: a broadcast, no arithmetic */

			for (c = 0; c < CV; c++)
				acc[r][c] += s * w[c];
		}
	}
	for (r = 0; r < RB; r++)
		for (c = 0; c < CV; c++)
		{
			KERNEL_VF	v = acc[r][c];

			/* v where keep > 0, else +0: relu (keep = v) or relu's derivative (keep = relu's output) */
			if (g->epi == EPI_RELU)
				v = (KERNEL_VF) ((KERNEL_VI) v & (v > zero));
			else if (g->epi == EPI_MASK)
			{
				KERNEL_VF	m;

				memcpy(&m, g->M + (r0 + r) * g->ldm + j0 + c * KERNEL_VL, sizeof(KERNEL_VF));
				v = (KERNEL_VF) ((KERNEL_VI) v & (m > zero));
			}
			memcpy(g->C + (r0 + r) * g->ldc + j0 + c * KERNEL_VL, &v, sizeof(KERNEL_VF));
		}
}

/* Blocks of RB rows by CV vectors, then single vectors of columns, then a scalar column tail. */
KERNEL_TARGET
static void
KERNEL_NAME(const GemmArgs *g)
{
	const int	RB = KERNEL_RB;
	const int	CV = KERNEL_CV;
	const int	VLEN = KERNEL_VL;
	int			j0 = 0;
	int			r0;
	int			j;
	int			r;
	int			k;

	for (; j0 + CV * VLEN <= g->ncols; j0 += CV * VLEN)
	{
		for (r0 = 0; r0 + RB <= g->rows; r0 += RB)
			KFN(block) (g, r0, j0, RB, CV);
		for (; r0 < g->rows; r0++)
			KFN(block) (g, r0, j0, 1, CV);
	}
	for (; j0 + VLEN <= g->ncols; j0 += VLEN)
	{
		for (r0 = 0; r0 + RB <= g->rows; r0 += RB)
			KFN(block) (g, r0, j0, RB, 1);
		for (; r0 < g->rows; r0++)
			KFN(block) (g, r0, j0, 1, 1);
	}
	for (j = j0; j < g->ncols; j++)
		for (r = 0; r < g->rows; r++)
		{
			float		acc = init_scalar(g, r, j);

			for (k = 0; k < g->K; k++)
				acc += g->A[r * g->a_rs + k * g->a_ks] * g->B[k * g->ldb + j];
			store_scalar(g, r, j, acc);
		}
}

#undef KCAT_
#undef KCAT
#undef KFN
#undef KERNEL_NAME
#undef KERNEL_TARGET
#undef KERNEL_VF
#undef KERNEL_VI
#undef KERNEL_VL
#undef KERNEL_SPLAT
#undef KERNEL_RB
#undef KERNEL_CV
