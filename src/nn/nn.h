/* nn.h: the numerical core of ubehav in one include; plain C11, no PostgreSQL headers. */
#ifndef UBEHAV_NN_H
#define UBEHAV_NN_H

#include "status.h"
#include "rng.h"
#include "activation.h"
#include "kernel_dense_blas.h"
#include "loss.h"
#include "optimizer.h"
#include "mlp.h"
#include "metrics.h"
#include "split.h"
#include "serialize.h"
#include "threshold.h"
#include "dp.h"

#endif
