/* kernel_isa.h: hot loops compiled for AVX-512, AVX2+FMA and baseline x86-64, chosen at load time. */
#ifndef UBEHAV_NN_MULTIVERSION_H
#define UBEHAV_NN_MULTIVERSION_H

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

#endif
