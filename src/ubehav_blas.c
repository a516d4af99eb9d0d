/*
 * ubehav_blas.c: the BLAS the core calls, opened at the first call instead of linked.
 *
 * Linked, OpenBLAS initializes before any code of ubehav runs, and its pthread build (Debian's
 * default) then starts a helper thread per core in every backend and parallel worker that loads
 * ubehav: measured here, the helper spun for about 120 ms of CPU while the backend computes on one
 * thread anyway. Opened here after OPENBLAS_NUM_THREADS=1 is set, it starts none. It is opened at
 * the first BLAS call, not at load: scoring never calls BLAS, and opening OpenBLAS costs about 5 ms
 * that every parallel worker and new connection that only scores would pay. The library is
 * the system's libopenblas.so.0 whichever build that is, the one numpy and others load too (a
 * second copy under the same soname, such as the serial build through an rpath, breaks theirs).
 * The BLAS and LAPACK functions below are hidden: they serve the core's calls only and never
 * interpose on another library's.
 */
#include "postgres.h"

#include <dlfcn.h>
#include <stdlib.h>

#pragma GCC visibility push(hidden)
#include <cblas.h>
#pragma GCC visibility pop


#define OPENBLAS_SONAME "libopenblas.so.0"

static __typeof__(cblas_sgemm) *sgemm_fn;
static __typeof__(cblas_sgemv) *sgemv_fn;
static __typeof__(cblas_dsyrk) *dsyrk_fn;

/* LAPACK's symmetric eigensolver (PCA), as src/nn/pca.c declares it */
typedef void (*DsyevdFn) (const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
						  double *w, double *work, const int *lwork, int *iwork, const int *liwork,
						  int *info, size_t jobz_len, size_t uplo_len);
static DsyevdFn dsyevd_fn;
__attribute__((visibility("hidden"))) void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a,
												   const int *lda, double *w, double *work, const int *lwork,
												   int *iwork, const int *liwork, int *info, size_t jobz_len,
												   size_t uplo_len);

static void *
need_symbol(void *lib, const char *name)
{
	void	   *p = dlsym(lib, name);

	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("%s has no function %s", OPENBLAS_SONAME, name),
				 errhint("Install a complete OpenBLAS (Debian: libopenblas0).")));
	return p;
}

/*
 * Open libopenblas.so.0 with one thread and bind the forwarders to it; ERROR if it cannot. Called
 * from inside the core at its first BLAS call: an ERROR unwinds through core frames, which own no
 * memory (their buffers are the caller's, in memory contexts).
 */
static void
open_blas(void)
{
	void	   *lib;
	void		(*set_num_threads) (int);

	/* a backend is one process among many: BLAS threads would fight the other backends for cores;
	 * read once, when the library initializes; an administrator's own setting is kept */
	if (getenv("OPENBLAS_NUM_THREADS") == NULL)
		setenv("OPENBLAS_NUM_THREADS", "1", 0);
	lib = dlopen(OPENBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("could not load %s: %s", OPENBLAS_SONAME, dlerror()),
				 errhint("Install OpenBLAS (Debian: libopenblas0).")));
	dsyrk_fn = need_symbol(lib, "cblas_dsyrk");
	dsyevd_fn = (DsyevdFn) need_symbol(lib, "dsyevd_");
	sgemv_fn = need_symbol(lib, "cblas_sgemv");
	/* loaded earlier by another library (numpy) with its own thread count: one thread for ubehav */
	set_num_threads = need_symbol(lib, "openblas_set_num_threads");
	set_num_threads(1);
	sgemm_fn = need_symbol(lib, "cblas_sgemm");
}

/* sgemm_fn is bound last, so it is set only once every function is */
static inline void
ensure_blas(void)
{
	if (unlikely(sgemm_fn == NULL))
		open_blas();
}

void
cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
			OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M,
			OPENBLAS_CONST blasint N, OPENBLAS_CONST blasint K, OPENBLAS_CONST float alpha,
			OPENBLAS_CONST float *A, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *B,
			OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float *C, OPENBLAS_CONST blasint ldc)
{
	ensure_blas();
	sgemm_fn(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void
cblas_sgemv(OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
			OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n, OPENBLAS_CONST float alpha,
			OPENBLAS_CONST float *a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *x,
			OPENBLAS_CONST blasint incx, OPENBLAS_CONST float beta, float *y, OPENBLAS_CONST blasint incy)
{
	ensure_blas();
	sgemv_fn(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void
cblas_dsyrk(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_UPLO Uplo,
			OPENBLAS_CONST enum CBLAS_TRANSPOSE Trans, OPENBLAS_CONST blasint N,
			OPENBLAS_CONST blasint K, OPENBLAS_CONST double alpha, OPENBLAS_CONST double *A,
			OPENBLAS_CONST blasint lda, OPENBLAS_CONST double beta, double *C, OPENBLAS_CONST blasint ldc)
{
	ensure_blas();
	dsyrk_fn(Order, Uplo, Trans, N, K, alpha, A, lda, beta, C, ldc);
}

__attribute__((visibility("hidden"))) void
dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
		double *w, double *work, const int *lwork, int *iwork, const int *liwork,
		int *info, size_t jobz_len, size_t uplo_len)
{
	ensure_blas();
	dsyevd_fn(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_len, uplo_len);
}
