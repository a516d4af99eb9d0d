/* kernel_isa.h: the instruction sets the kernels are built for, and the one place that asks the CPU which it runs. */
#ifndef UBEHAV_NN_KERNEL_ISA_H
#define UBEHAV_NN_KERNEL_ISA_H

#include <stdbool.h>

/*
 * GCC function multiversioning: one build runs the widest vector code the machine has, without
 * -march=native at build time. Other compilers and architectures get the baseline.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NN_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
/* Explicit per-level variants, for kernels whose blocking differs by level (dispatched by hand). */
#define NN_HAVE_ISA_LEVELS 1
#define NN_TARGET_V4 __attribute__((target("arch=x86-64-v4")))
#define NN_TARGET_V3 __attribute__((target("arch=x86-64-v3")))
#else
#define NN_MULTIVERSION
#define NN_HAVE_ISA_LEVELS 0
#endif

/* The variants of every kernel family (kernel_dense_score, kernel_dense_train); NN_ISA_AUTO picks the widest. */
typedef enum NnIsa
{
	NN_ISA_AUTO = 0,
	NN_ISA_BASELINE,			/* plain C, baseline x86-64 (SSE2) or any other architecture */
	NN_ISA_AVX2,				/* AVX2 + FMA (the whole x86-64-v3 level where GCC builds level variants) */
	NN_ISA_AVX512				/* AVX-512 (the whole x86-64-v4 level where GCC builds level variants) */
} NnIsa;

/* Whether this CPU runs isa's instructions (NN_ISA_BASELINE always; NN_ISA_AUTO never). */
bool		nn_isa_cpu_runs(NnIsa isa);

/* The widest of AVX-512, AVX2 and baseline that this CPU runs and that built says the family has. */
NnIsa		nn_isa_widest(bool (*built) (NnIsa isa));

/* "baseline", "avx2", "avx512" ("auto" for NN_ISA_AUTO). */
const char *nn_isa_name(NnIsa isa);

#endif
