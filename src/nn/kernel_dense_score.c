/* kernel_dense_score.c: one dense layer for one row, in plain C and in AVX2 and AVX-512 intrinsics. */
#include "kernel_dense_score.h"

#include <stddef.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NN_X86_KERNELS 1
#include <immintrin.h>
#endif

/* Outputs summed over even and odd inputs in two chains, so the multiply-adds overlap. */
#define BLOCK 64

/*
 * The baseline, and the order every variant keeps: outputs in whole blocks of BLOCK sum b plus
 * the even inputs in one chain and the odd inputs in another, then add the two; the outputs past
 * the last whole block sum b and every input in one chain; a width-1 layer is a dot product in
 * BLOCK partial sums added as sum_tree adds them. No branch skips zero inputs: after relu about half are zero
 * in a pattern that changes from row to row, and the mispredictions cost more than they save.
 */
/*
 * The BLOCK partial sums of a dot product added as a fixed tree, the order the vector variants
 * reduce their registers in: a chain of 64 dependent adds took as long as the rest of the layer.
 */
static float
sum_tree(float *part)
{
	int			n,
				j;

	for (j = 0; j < 16; j++)
		part[j] = (part[j] + part[j + 16]) + (part[j + 32] + part[j + 48]);
	for (n = 8; n >= 1; n /= 2)
		for (j = 0; j < n; j++)
			part[j] += part[j + n];
	return part[0];
}

static void
dense_row_baseline(float *restrict out, const float *restrict x, const float *restrict W,
				   const float *restrict b, int in, int outdim, bool relu)
{
	int			j0 = 0;
	int			i;
	int			j;

	for (; j0 + BLOCK <= outdim; j0 += BLOCK)
	{
		float		acc[BLOCK];
		float		acc_odd[BLOCK];

		for (j = 0; j < BLOCK; j++)
		{
			acc[j] = b[j0 + j];
			acc_odd[j] = 0.0f;
		}
		for (i = 0; i + 2 <= in; i += 2)
		{
			const float x0 = x[i];
			const float x1 = x[i + 1];
			const float *restrict row0 = W + (size_t) i * outdim + j0;
			const float *restrict row1 = row0 + outdim;

			for (j = 0; j < BLOCK; j++)
			{
				acc[j] += x0 * row0[j];
				acc_odd[j] += x1 * row1[j];
			}
		}
		if (i < in)
		{
			const float xi = x[i];
			const float *restrict row = W + (size_t) i * outdim + j0;

			for (j = 0; j < BLOCK; j++)
				acc[j] += xi * row[j];
		}
		for (j = 0; j < BLOCK; j++)
			out[j0 + j] = acc[j] + acc_odd[j];
	}
	if (outdim == 1)
	{
		float		part[BLOCK] = {0};
		float		sum = b[0];

		for (i = 0; i + BLOCK <= in; i += BLOCK)
			for (j = 0; j < BLOCK; j++)
				part[j] += x[i + j] * W[i + j];
		for (; i < in; i++)
			sum += x[i] * W[i];
		out[0] = sum + sum_tree(part);
	}
	else if (j0 < outdim)
	{
		int			rest = outdim - j0;
		float		acc[BLOCK];

		for (j = 0; j < rest; j++)
			acc[j] = b[j0 + j];
		for (i = 0; i < in; i++)
		{
			const float xi = x[i];
			const float *restrict row = W + (size_t) i * outdim + j0;

			for (j = 0; j < rest; j++)
				acc[j] += xi * row[j];
		}
		for (j = 0; j < rest; j++)
			out[j0 + j] = acc[j];
	}
	if (relu)
		for (j = 0; j < outdim; j++)
			out[j] = out[j] > 0.0f ? out[j] : 0.0f;
}

#ifdef NN_X86_KERNELS

/* 8 lanes to one as sum_tree does: 4 + 4, 2 + 2, 1 + 1. */
__attribute__((target("avx2,fma")))
static inline float
hsum8(__m256 v)
{
	__m128		q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));

	q = _mm_add_ps(q, _mm_movehl_ps(q, q));
	q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
	return _mm_cvtss_f32(q);
}

/* 16 lanes to one as sum_tree does: halves added, 8 + 8, 4 + 4, 2 + 2, 1 + 1. */
__attribute__((target("avx512f,avx2,fma")))
static inline float
hsum16(__m512 v)
{
	__m256		h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));

	return hsum8(h);
}

/* The width-1 layer: BLOCK partial sums in four registers, then added as sum_tree does. */
__attribute__((target("avx512f,avx2,fma")))
static float
dot_avx512(const float *x, const float *W, float b, int in)
{
	__m512		p0 = _mm512_setzero_ps(),
				p1 = _mm512_setzero_ps(),
				p2 = _mm512_setzero_ps(),
				p3 = _mm512_setzero_ps();
	float		sum = b;
	int			i;

	for (i = 0; i + BLOCK <= in; i += BLOCK)
	{
		p0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(W + i), p0);
		p1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(W + i + 16), p1);
		p2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(W + i + 32), p2);
		p3 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i + 48), _mm512_loadu_ps(W + i + 48), p3);
	}
	for (; i < in; i++)
		sum = __builtin_fmaf(x[i], W[i], sum);
	return sum + hsum16(_mm512_add_ps(_mm512_add_ps(p0, p1), _mm512_add_ps(p2, p3)));
}

/*
 * max(v, 0) returns its second operand when v is NaN or either zero, so it is exactly
 * v > 0 ? v : +0, the baseline's relu.
 */

/*
 * A layer's inputs up to this many have their nonzero positions listed, even and odd apart (the two
 * accumulator chains): after relu about half of a hidden layer's outputs are 0, and an input of 0
 * adds nothing, so its row of W is skipped. Each chain keeps its terms in input order, so the sums
 * are the dense loop's.
 */
#define SPARSE_MAX 1024
/* below this many inputs (a first layer of raw features, rarely 0) listing costs more than it skips */
#define SPARSE_MIN 32

__attribute__((target("avx512f,avx2,fma")))
static void
nonzero_positions_avx512(const float *x, int in, int *even, int *odd, int *n_even, int *n_odd)
{
	const __mmask16 even_lanes = 0x5555;
	__m512i		idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	int			ne = 0,
				no = 0,
				i;

	for (i = 0; i + 16 <= in; i += 16)
	{
		/* not-equal, unordered: a NaN input is kept, so it still makes its outputs NaN */
		__mmask16	nz = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), _mm512_setzero_ps(), _CMP_NEQ_UQ);
		__mmask16	ze = nz & even_lanes,
					zo = nz & (__mmask16) ~even_lanes;

		/* compress in a register and store all 16 lanes (the lists have 16 spare slots) */
		_mm512_storeu_si512((void *) (even + ne), _mm512_maskz_compress_epi32(ze, idx));
		_mm512_storeu_si512((void *) (odd + no), _mm512_maskz_compress_epi32(zo, idx));
		ne += __builtin_popcount(ze);
		no += __builtin_popcount(zo);
		idx = _mm512_add_epi32(idx, _mm512_set1_epi32(16));
	}
	for (; i < in; i++)
		if (x[i] != 0.0f)
		{
			if (i & 1)
				odd[no++] = i;
			else
				even[ne++] = i;
		}
	*n_even = ne;
	*n_odd = no;
}

/* One chain of a block: 64 running sums in four registers. */
typedef struct Sums64
{
	__m512		v[4];
} Sums64;

__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline Sums64
sums_load_avx512(const float *b)
{
	Sums64		s = {{_mm512_loadu_ps(b), _mm512_loadu_ps(b + 16), _mm512_loadu_ps(b + 32), _mm512_loadu_ps(b + 48)}};

	return s;
}

/* s += xi * row[0..63], the one step of every chain */
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void
sums_add_row_avx512(Sums64 *s, float xi, const float *row)
{
	const __m512 xv = _mm512_set1_ps(xi);

	s->v[0] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row), s->v[0]);
	s->v[1] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 16), s->v[1]);
	s->v[2] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 32), s->v[2]);
	s->v[3] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(row + 48), s->v[3]);
}

/* A block's 64 sums: the even chain plus the odd one, relu if asked, stored. */
__attribute__((target("avx512f,avx2,fma"), always_inline))
static inline void
store_block_avx512(float *out, const Sums64 *even, const Sums64 *odd, bool relu)
{
	int			k;

	for (k = 0; k < 4; k++)
	{
		__m512		v = _mm512_add_ps(even->v[k], odd->v[k]);

		if (relu)
			v = _mm512_max_ps(v, _mm512_setzero_ps());
		_mm512_storeu_ps(out + 16 * k, v);
	}
}

/* One block of 64 outputs over the listed inputs: even positions in one chain, odd in the other. */
__attribute__((target("avx512f,avx2,fma")))
static void
sparse_block_avx512(float *restrict out, const float *restrict x, const float *restrict w, size_t stride,
					const float *restrict b, const int *even, int ne, const int *odd, int no, bool relu)
{
	const __m512 zero = _mm512_setzero_ps();
	Sums64		a = sums_load_avx512(b);
	Sums64		c = {{zero, zero, zero, zero}};
	int			pairs = ne < no ? ne : no;
	int			t;

	for (t = 0; t < pairs; t++)
	{
		sums_add_row_avx512(&a, x[even[t]], w + (size_t) even[t] * stride);
		sums_add_row_avx512(&c, x[odd[t]], w + (size_t) odd[t] * stride);
	}
	for (t = pairs; t < ne; t++)
		sums_add_row_avx512(&a, x[even[t]], w + (size_t) even[t] * stride);
	for (t = pairs; t < no; t++)
		sums_add_row_avx512(&c, x[odd[t]], w + (size_t) odd[t] * stride);
	store_block_avx512(out, &a, &c, relu);
}

__attribute__((target("avx512f,avx2,fma")))
static void
dense_row_avx512(float *restrict out, const float *restrict x, const float *restrict W,
				 const float *restrict b, int in, int outdim, bool relu)
{
	const __m512 zero = _mm512_setzero_ps();
	const size_t stride = (size_t) outdim;
	int			j0 = 0;
	int			i;

	if (outdim == 1)
	{
		float		v = dot_avx512(x, W, b[0], in);

		out[0] = relu ? (v > 0.0f ? v : 0.0f) : v;
		return;
	}
	if (in >= SPARSE_MIN && in <= SPARSE_MAX && outdim >= BLOCK)
	{
		int			even[SPARSE_MAX / 2 + 16],
					odd[SPARSE_MAX / 2 + 16],
					ne,
					no;

		nonzero_positions_avx512(x, in, even, odd, &ne, &no);
		for (; j0 + BLOCK <= outdim; j0 += BLOCK)
			sparse_block_avx512(out + j0, x, W + j0, stride, b + j0, even, ne, odd, no, relu);
	}
	for (; j0 + BLOCK <= outdim; j0 += BLOCK)
	{
		const float *w = W + j0;
		Sums64		a = sums_load_avx512(b + j0);
		Sums64		c = {{zero, zero, zero, zero}};

		for (i = 0; i + 2 <= in; i += 2, w += 2 * stride)
		{
			sums_add_row_avx512(&a, x[i], w);
			sums_add_row_avx512(&c, x[i + 1], w + stride);
		}
		if (i < in)
			sums_add_row_avx512(&a, x[i], w);
		store_block_avx512(out + j0, &a, &c, relu);
	}
	/* past the last whole block: one chain, 16 outputs at a time, the last one masked */
	for (; j0 < outdim; j0 += 16)
	{
		int			n = outdim - j0 < 16 ? outdim - j0 : 16;
		__mmask16	m = (__mmask16) ((1u << n) - 1u);
		__m512		a = _mm512_maskz_loadu_ps(m, b + j0);

		for (i = 0; i < in; i++)
			a = _mm512_fmadd_ps(_mm512_set1_ps(x[i]), _mm512_maskz_loadu_ps(m, W + (size_t) i * outdim + j0), a);
		if (relu)
			a = _mm512_max_ps(a, zero);
		_mm512_mask_storeu_ps(out + j0, m, a);
	}
}

__attribute__((target("avx2,fma")))
static float
dot_avx2(const float *x, const float *W, float b, int in)
{
	__m256		p[8];
	float		sum = b;
	int			i;
	int			j;

	for (j = 0; j < 8; j++)
		p[j] = _mm256_setzero_ps();
	for (i = 0; i + BLOCK <= in; i += BLOCK)
		for (j = 0; j < 8; j++)
			p[j] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * j), _mm256_loadu_ps(W + i + 8 * j), p[j]);
	for (; i < in; i++)
		sum = __builtin_fmaf(x[i], W[i], sum);
	/* register j holds partial sums 8j..8j+7: the tree's first level pairs j with j + 2, j + 4, j + 6 */
	return sum + hsum8(_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(p[0], p[2]), _mm256_add_ps(p[4], p[6])),
									 _mm256_add_ps(_mm256_add_ps(p[1], p[3]), _mm256_add_ps(p[5], p[7]))));
}

/* AVX2 has 16 registers: a block of 64 runs as two halves of 32, 4 + 4 accumulators each. */
__attribute__((target("avx2,fma")))
static void
dense_row_avx2(float *restrict out, const float *restrict x, const float *restrict W,
			   const float *restrict b, int in, int outdim, bool relu)
{
	const __m256 zero = _mm256_setzero_ps();
	const size_t stride = (size_t) outdim;
	int			j0 = 0;
	int			i;

	if (outdim == 1)
	{
		float		v = dot_avx2(x, W, b[0], in);

		out[0] = relu ? (v > 0.0f ? v : 0.0f) : v;
		return;
	}
	/* each whole block of 64 as two halves of 32 */
	for (; j0 < outdim / BLOCK * BLOCK; j0 += BLOCK / 2)
	{
		const float *w = W + j0;
		__m256		a0 = _mm256_loadu_ps(b + j0),
					a1 = _mm256_loadu_ps(b + j0 + 8),
					a2 = _mm256_loadu_ps(b + j0 + 16),
					a3 = _mm256_loadu_ps(b + j0 + 24);
		__m256		c0 = zero,
					c1 = zero,
					c2 = zero,
					c3 = zero;

		for (i = 0; i + 2 <= in; i += 2, w += 2 * stride)
		{
			const float *r0 = w;
			const float *r1 = w + stride;
			const __m256 x0 = _mm256_broadcast_ss(x + i);
			const __m256 x1 = _mm256_broadcast_ss(x + i + 1);

			a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0), a0);
			a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 8), a1);
			a2 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 16), a2);
			a3 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 24), a3);
			c0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(r1), c0);
			c1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(r1 + 8), c1);
			c2 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(r1 + 16), c2);
			c3 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(r1 + 24), c3);
		}
		if (i < in)
		{
			const float *r0 = w;
			const __m256 x0 = _mm256_broadcast_ss(x + i);

			a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0), a0);
			a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 8), a1);
			a2 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 16), a2);
			a3 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(r0 + 24), a3);
		}
		a0 = _mm256_add_ps(a0, c0);
		a1 = _mm256_add_ps(a1, c1);
		a2 = _mm256_add_ps(a2, c2);
		a3 = _mm256_add_ps(a3, c3);
		if (relu)
		{
			a0 = _mm256_max_ps(a0, zero);
			a1 = _mm256_max_ps(a1, zero);
			a2 = _mm256_max_ps(a2, zero);
			a3 = _mm256_max_ps(a3, zero);
		}
		_mm256_storeu_ps(out + j0, a0);
		_mm256_storeu_ps(out + j0 + 8, a1);
		_mm256_storeu_ps(out + j0 + 16, a2);
		_mm256_storeu_ps(out + j0 + 24, a3);
	}
	/* past the last whole block of 64: one chain, 8 outputs at a time, the last one masked */
	for (; j0 < outdim; j0 += 8)
	{
		int			n = outdim - j0 < 8 ? outdim - j0 : 8;
		__m256i		m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
		__m256		a = _mm256_maskload_ps(b + j0, m);

		for (i = 0; i < in; i++)
			a = _mm256_fmadd_ps(_mm256_broadcast_ss(x + i), _mm256_maskload_ps(W + (size_t) i * outdim + j0, m), a);
		if (relu)
			a = _mm256_max_ps(a, zero);
		_mm256_maskstore_ps(out + j0, m, a);
	}
}

#endif							/* NN_X86_KERNELS */

typedef void (*DenseRowFn) (float *restrict out, const float *restrict x, const float *restrict W,
							const float *restrict b, int in, int outdim, bool relu);

static NnIsa active_isa = NN_ISA_AUTO;
static DenseRowFn active_fn = NULL;

/* Whether this build has the variant (the CPU is kernel_isa.c's question). */
static bool
score_built(NnIsa isa)
{
#ifdef NN_X86_KERNELS
	return isa == NN_ISA_BASELINE || isa == NN_ISA_AVX2 || isa == NN_ISA_AVX512;
#else
	return isa == NN_ISA_BASELINE;
#endif
}

bool
nn_score_set_isa(NnIsa isa)
{
	if (isa == NN_ISA_AUTO)
		isa = nn_isa_widest(score_built);
	if (!score_built(isa) || !nn_isa_cpu_runs(isa))
		return false;
	switch (isa)
	{
#ifdef NN_X86_KERNELS
		case NN_ISA_AVX512:
			active_fn = dense_row_avx512;
			break;
		case NN_ISA_AVX2:
			active_fn = dense_row_avx2;
			break;
#endif
		default:
			active_fn = dense_row_baseline;
			break;
	}
	active_isa = isa;
	return true;
}

NnIsa
nn_score_isa(void)
{
	if (active_fn == NULL)
		nn_score_set_isa(NN_ISA_AUTO);
	return active_isa;
}

void
nn_score_dense(float *out, const float *x, const float *W, const float *b, int in, int outdim, bool relu)
{
	if (active_fn == NULL)
		nn_score_set_isa(NN_ISA_AUTO);
	active_fn(out, x, W, b, in, outdim, relu);
}
