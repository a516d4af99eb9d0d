/* kernel_isa.c: one answer to "which instruction set does this CPU run", for every kernel family. */
#include <stddef.h>

#include "kernel_isa.h"

bool
nn_isa_cpu_runs(NnIsa isa)
{
	switch (isa)
	{
		case NN_ISA_BASELINE:
			return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
		case NN_ISA_AVX2:
			__builtin_cpu_init();
#if NN_HAVE_ISA_LEVELS
			/* the training kernels are compiled for the whole level, not only its vector unit */
			return __builtin_cpu_supports("x86-64-v3");
#else
			return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
		case NN_ISA_AVX512:
			__builtin_cpu_init();
#if NN_HAVE_ISA_LEVELS
			return __builtin_cpu_supports("x86-64-v4");
#else
			return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#endif
		default:
			return false;
	}
}

NnIsa
nn_isa_widest(bool (*built) (NnIsa isa))
{
	static const NnIsa widest_first[] = {NN_ISA_AVX512, NN_ISA_AVX2};
	size_t		i;

	for (i = 0; i < sizeof(widest_first) / sizeof(widest_first[0]); i++)
		if (built(widest_first[i]) && nn_isa_cpu_runs(widest_first[i]))
			return widest_first[i];
	return NN_ISA_BASELINE;
}

const char *
nn_isa_name(NnIsa isa)
{
	switch (isa)
	{
		case NN_ISA_BASELINE:
			return "baseline";
		case NN_ISA_AVX2:
			return "avx2";
		case NN_ISA_AVX512:
			return "avx512";
		default:
			return "auto";
	}
}
