/* kernel_dense_train.c: register-blocked small-batch kernels for the training step, one per ISA level. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel_dense_train.h"
#include "kernel_isa.h"

/* GCC/clang generic vectors of 16 floats, one zmm register: the AVX-512 kernel and transpose. */
typedef float vf __attribute__((vector_size(64)));
typedef int32_t vi __attribute__((vector_size(64)));

#define VL 16					/* floats per vf */
#define MAX_RB 4				/* largest block: MAX_RB rows by MAX_CV vectors of columns */
#define MAX_CV 4
#define PANEL 64				/* W^T is formed PANEL x PANEL at a time on the stack (16 KiB) */

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * Unaligned loads and stores through memcpy (one vector move each, no aliasing questions); macros
 * rather than functions because passing vf by value warns of an ABI that inlining never uses.
 */
#define VLOAD(dst, p) memcpy(&(dst), (p), sizeof(vf))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(vf))

enum
{
	INIT_ZERO,					/* C = A . B */
	INIT_BIAS,					/* C = bias + A . B, bias (ncols) */
	INIT_LOAD					/* C += A . B */
};

enum
{
	EPI_NONE,
	EPI_RELU,					/* C = max(C, 0), NaN to 0 as activation.c */
	EPI_MASK					/* C = M > 0 ? C : 0 */
};

/*
 * C (rows, ncols; ldc) from A (rows, K) addressed as A[r * a_rs + k * a_ks], so A may be a
 * transposed view, and B (K, ncols; ldb), with an initial value and an epilogue.
 */
typedef struct GemmArgs
{
	float	   *C;
	ptrdiff_t	ldc;
	const float *A;
	ptrdiff_t	a_rs;
	ptrdiff_t	a_ks;
	const float *B;
	ptrdiff_t	ldb;
	int			rows;
	int			K;
	int			ncols;
	int			init;
	const float *bias;
	int			epi;
	const float *M;
	ptrdiff_t	ldm;
} GemmArgs;

/* Initial value of one C element (scalar tail). */
static ALWAYS_INLINE float
init_scalar(const GemmArgs *g, int r, int j)
{
	if (g->init == INIT_BIAS)
		return g->bias[j];
	if (g->init == INIT_LOAD)
		return g->C[r * g->ldc + j];
	return 0.0f;
}

/* Epilogue and store of one C element (scalar tail). */
static ALWAYS_INLINE void
store_scalar(const GemmArgs *g, int r, int j, float v)
{
	if (g->epi == EPI_RELU)
		v = v > 0.0f ? v : 0.0f;
	else if (g->epi == EPI_MASK)
		v = g->M[r * g->ldm + j] > 0.0f ? v : 0.0f;
	g->C[r * g->ldc + j] = v;
}

/*
 * One kernel per level in its native vector width; accumulators plus B's vectors and a broadcast
 * fit the register file: AVX-512 16 of 32 zmm, AVX2 8 of 16 ymm, baseline 8 of 16 xmm.
 */
typedef float vf8 __attribute__((vector_size(32)));
typedef int32_t vi8 __attribute__((vector_size(32)));
typedef float vf4 __attribute__((vector_size(16)));
typedef int32_t vi4 __attribute__((vector_size(16)));

#define SPLAT4(x) {x, x, x, x}
#define SPLAT8(x) {x, x, x, x, x, x, x, x}
#define SPLAT16(x) {x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}

#if NN_HAVE_ISA_LEVELS
#define KERNEL_NAME gemm_v4
#define KERNEL_TARGET NN_TARGET_V4
#define KERNEL_VF vf
#define KERNEL_VI vi
#define KERNEL_VL 16
#define KERNEL_SPLAT SPLAT16
#define KERNEL_RB 4
#define KERNEL_CV 4
#include "kernel_dense_train_template.h"

#define KERNEL_NAME gemm_v3
#define KERNEL_TARGET NN_TARGET_V3
#define KERNEL_VF vf8
#define KERNEL_VI vi8
#define KERNEL_VL 8
#define KERNEL_SPLAT SPLAT8
#define KERNEL_RB 4
#define KERNEL_CV 2
#include "kernel_dense_train_template.h"
#endif

#define KERNEL_NAME gemm_base
#define KERNEL_TARGET
#define KERNEL_VF vf4
#define KERNEL_VI vi4
#define KERNEL_VL 4
#define KERNEL_SPLAT SPLAT4
#define KERNEL_RB 4
#define KERNEL_CV 2
#include "kernel_dense_train_template.h"

typedef void (*GemmFn) (const GemmArgs *g);

static GemmFn gemm_active = NULL;
static NnIsa gemm_active_isa = NN_ISA_AUTO;

/* The kernel of a variant this build has, or NULL. */
static GemmFn
gemm_built_for(NnIsa isa)
{
	if (isa == NN_ISA_BASELINE)
		return gemm_base;
#if NN_HAVE_ISA_LEVELS
	if (isa == NN_ISA_AVX2)
		return gemm_v3;
	if (isa == NN_ISA_AVX512)
		return gemm_v4;
#endif
	return NULL;
}

static bool
gemm_built(NnIsa isa)
{
	return gemm_built_for(isa) != NULL;
}

bool
dense_train_use_isa(NnIsa isa)
{
	GemmFn		fn = gemm_built_for(isa);

	if (fn == NULL || !nn_isa_cpu_runs(isa))
		return false;
	gemm_active = fn;
	gemm_active_isa = isa;
	return true;
}

NnIsa
dense_train_isa(void)
{
	if (gemm_active == NULL)
		dense_train_use_isa(nn_isa_widest(gemm_built));
	return gemm_active_isa;
}

/* Run one product on the chosen level (picked once, on first use). */
static void
gemm(const GemmArgs *g)
{
	if (gemm_active == NULL)
		dense_train_isa();
	gemm_active(g);
}

/*
 * out (B) = inp (B, in) . w (in) + b: four 4-float partial sums per row (registers at every level),
 * added in a fixed order, so results are reproducible.
 */
NN_MULTIVERSION
static void
dot_rows(float *restrict out, const float *restrict inp, const float *restrict w, float b,
		 int B, int in)
{
	int			r;

	for (r = 0; r < B; r++)
	{
		const float *restrict x = inp + (size_t) r * in;
		vf4			acc[4] = {{0}};
		vf4			t;
		float		sum;
		int			i = 0;
		int			c;

		for (; i + 16 <= in; i += 16)
			for (c = 0; c < 4; c++)
			{
				vf4			xv,
							wv;

				memcpy(&xv, x + i + 4 * c, sizeof(vf4));
				memcpy(&wv, w + i + 4 * c, sizeof(vf4));
				acc[c] += xv * wv;
			}
		t = (acc[0] + acc[1]) + (acc[2] + acc[3]);
		sum = (t[0] + t[2]) + (t[1] + t[3]) + b;
		for (; i < in; i++)
			sum += x[i] * w[i];
		out[r] = sum;
	}
}

void
dense_train_forward(float *out, const float *inp, const float *W, const float *b,
					int B, int in, int outdim, bool relu)
{
	GemmArgs	g;

	if (outdim == 1)
	{
		/* the output layer of a binary or regression head: a dot product per row */
		dot_rows(out, inp, W, b[0], B, in);
		if (relu)
		{
			int			r;

			for (r = 0; r < B; r++)
				out[r] = out[r] > 0.0f ? out[r] : 0.0f;
		}
		return;
	}
	memset(&g, 0, sizeof(g));
	g.C = out;
	g.ldc = outdim;
	g.A = inp;
	g.a_rs = in;
	g.a_ks = 1;
	g.B = W;
	g.ldb = outdim;
	g.rows = B;
	g.K = in;
	g.ncols = outdim;
	g.init = INIT_BIAS;
	g.bias = b;
	g.epi = relu ? EPI_RELU : EPI_NONE;
	gemm(&g);
}

/* db (out) = column sums of dout (B, out), overwritten. */
NN_MULTIVERSION
static void
column_sums(float *restrict db, const float *restrict dout, int B, int outdim)
{
	int			r;
	int			j;

	memcpy(db, dout, sizeof(float) * (size_t) outdim);
	for (r = 1; r < B; r++)
		for (j = 0; j < outdim; j++)
			db[j] += dout[(size_t) r * outdim + j];
}

/*
 * T (kp, pw; ldt) = W[i0 .. i0+pw, k0 .. k0+kp]^T, W (in, outdim), in 4 x 4 tiles that compile to
 * SSE loads, shuffles and stores. Left baseline on purpose: wider levels vectorise this loop
 * into scatters, which cost more than the scalar stores they replace.
 */
static void
transpose_panel(float *restrict T, int ldt, const float *restrict W, int outdim, int i0, int pw,
				int k0, int kp)
{
	int			i = 0;
	int			k;

	for (; i + 4 <= pw; i += 4)
	{
		const float *restrict w = W + (size_t) (i0 + i) * outdim + k0;

		for (k = 0; k + 4 <= kp; k += 4)
		{
			float		t[4][4];
			int			a,
						b;

			for (a = 0; a < 4; a++)
				for (b = 0; b < 4; b++)
					t[b][a] = w[(size_t) a * outdim + k + b];
			for (b = 0; b < 4; b++)
				for (a = 0; a < 4; a++)
					T[(k + b) * ldt + i + a] = t[b][a];
		}
		for (; k < kp; k++)
		{
			int			a;

			for (a = 0; a < 4; a++)
				T[k * ldt + i + a] = w[(size_t) a * outdim + k];
		}
	}
	for (; i < pw; i++)
		for (k = 0; k < kp; k++)
			T[k * ldt + i] = W[(size_t) (i0 + i) * outdim + k0 + k];
}

#if NN_HAVE_ISA_LEVELS
/*
 * The same panel on AVX-512: 16 x 16 tiles transposed in registers by swapping off-diagonal
 * blocks of 8, 4, 2 and 1 (four rounds of 16 two-register permutes, vpermt2ps), a quarter of
 * the instructions of the 4 x 4 tiles; edges that are not whole tiles go through those.
 */
NN_TARGET_V4
static void
transpose_panel_v4(float *restrict T, const float *restrict W, int outdim, int i0, int pw,
				   int k0, int kp)
{
	/* for block size s: first row of a pair keeps its even s-blocks and takes the partner's */
	static const vi lo[4] = {
		{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23},
		{0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27},
		{0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29},
		{0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30},
	};
	static const vi hi[4] = {
		{8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31},
		{4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31},
		{2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31},
		{1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31},
	};
	int			pw16 = pw - pw % VL;
	int			kp16 = kp - kp % VL;
	int			i;
	int			k;

	for (i = 0; i < pw16; i += VL)
		for (k = 0; k < kp16; k += VL)
		{
			vf			R[VL];
			int			a;
			int			round;

			/* fully unrolled, so R stays in 16 registers (this code is GCC-only) */
#pragma GCC unroll 16
			for (a = 0; a < VL; a++)
				VLOAD(R[a], W + (size_t) (i0 + i + a) * outdim + k0 + k);
#pragma GCC unroll 4
			for (round = 0; round < 4; round++)
			{
				int			size = 8 >> round;

#pragma GCC unroll 16
				for (a = 0; a < VL; a++)
					if ((a & size) == 0)
					{
						vf			x = __builtin_shuffle(R[a], R[a + size], lo[round]);
						vf			y = __builtin_shuffle(R[a], R[a + size], hi[round]);

						R[a] = x;
						R[a + size] = y;
					}
			}
#pragma GCC unroll 16
			for (a = 0; a < VL; a++)
				VSTORE(T + (size_t) (k + a) * pw + i, R[a]);
		}
	/* the edges: rows past the last whole tile, then columns past it in the tiled rows */
	if (pw16 < pw)
		transpose_panel(T + pw16, pw, W, outdim, i0 + pw16, pw - pw16, k0, kp);
	if (kp16 < kp && pw16 > 0)
		transpose_panel(T + (size_t) kp16 * pw, pw, W, outdim, i0, pw16, k0 + kp16, kp - kp16);
}
#endif

void
dense_train_backward(float *dinp, float *dW, float *db, const float *dout,
					 const float *inp, const float *W, int B, int in, int outdim,
					 bool relu_mask)
{
	GemmArgs	g;

	/* dW (in, out) = inp^T dout; with one output, the row dW^T = dout^T inp vectorises over in */
	memset(&g, 0, sizeof(g));
	g.init = INIT_ZERO;
	g.epi = EPI_NONE;
	if (outdim == 1)
	{
		g.C = dW;
		g.ldc = in;
		g.A = dout;
		g.a_rs = 0;
		g.a_ks = 1;
		g.B = inp;
		g.ldb = in;
		g.rows = 1;
		g.K = B;
		g.ncols = in;
	}
	else
	{
		g.C = dW;
		g.ldc = outdim;
		g.A = inp;
		g.a_rs = 1;
		g.a_ks = in;
		g.B = dout;
		g.ldb = outdim;
		g.rows = in;
		g.K = B;
		g.ncols = outdim;
	}
	gemm(&g);
	column_sums(db, dout, B, outdim);
	if (dinp == NULL)
		return;

	/* dinp (B, in) = dout (B, out) . W^T, through W^T panels so B's rows stay contiguous */
	memset(&g, 0, sizeof(g));
	g.ldc = in;
	g.A = dout;
	g.a_rs = outdim;
	g.a_ks = 1;
	g.rows = B;
	g.M = inp;
	g.ldm = in;
	if (outdim == 1)
	{
		/* W (in, 1) is already W^T as one row */
		g.C = dinp;
		g.B = W;
		g.ldb = in;
		g.K = 1;
		g.ncols = in;
		g.init = INIT_ZERO;
		g.epi = relu_mask ? EPI_MASK : EPI_NONE;
		gemm(&g);
		return;
	}
	{
		float		T[PANEL * PANEL];
		int			i0;
		int			k0;

		for (i0 = 0; i0 < in; i0 += PANEL)
		{
			int			pw = in - i0 < PANEL ? in - i0 : PANEL;

			for (k0 = 0; k0 < outdim; k0 += PANEL)
			{
				int			kp = outdim - k0 < PANEL ? outdim - k0 : PANEL;

#if NN_HAVE_ISA_LEVELS
				if (gemm_active_isa == NN_ISA_AVX512)
					transpose_panel_v4(T, W, outdim, i0, pw, k0, kp);
				else
#endif
					transpose_panel(T, pw, W, outdim, i0, pw, k0, kp);
				g.C = dinp + i0;
				g.A = dout + k0;
				g.B = T;
				g.ldb = pw;
				g.K = kp;
				g.ncols = pw;
				g.M = inp + i0;
				g.init = k0 == 0 ? INIT_ZERO : INIT_LOAD;
				g.epi = relu_mask && k0 + kp == outdim ? EPI_MASK : EPI_NONE;
				gemm(&g);
			}
		}
	}
}
