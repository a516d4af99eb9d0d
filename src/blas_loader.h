/* blas_loader.h: OpenBLAS opened at load time, on one thread, behind the cblas calls the core makes. */
#ifndef UBEHAV_BLAS_LOADER_H
#define UBEHAV_BLAS_LOADER_H

/* Open libopenblas.so.0 with one thread and bind the core's cblas calls to it; ERROR if it cannot. */
void		ub_blas_load(void);

#endif
