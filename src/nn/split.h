/* split.h: seeded train/validation splits, stratified by class for classification. */
#ifndef UBEHAV_NN_SPLIT_H
#define UBEHAV_NN_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "status.h"

/*
 * Split rows 0..n-1 into train then validation: order (n) receives the training row indices
 * first (n_train of them, returned) then the validation ones.
 * classes (n) holds class indices 0..K-1 for a stratified split, or is NULL (K ignored).
 * Each class puts round(frac * count) rows in validation; with frac > 0 and n >= 2,
 * both parts are non-empty (one row moves if needed), and training is never empty.
 * class_counts needs K size_t when classes is not NULL; on return it holds each class's rows.
 * Both parts come out in random order. NN_ERR_ARGUMENT for n == 0, a fraction outside
 * [0, 1), or a class that is not an integer in 0..K-1; NN_ERR_TOO_LARGE for n > 2^32.
 */
NnStatus	nn_split(const float *classes, int K, size_t n, double validation_fraction,
					 NnRng *rng, uint32_t *order, size_t *n_train, size_t *class_counts);

/*
 * Assign rows 0..n-1 to folds 0..k-1 (fold_of (n)), as evenly as possible, stratified by class when
 * classes is not NULL: each class's rows are shuffled and dealt round-robin, starting where the
 * previous class stopped. work needs n uint32 (and class_counts K size_t when classes is given).
 */
NnStatus	nn_kfold(const float *classes, int K, size_t n, int k, NnRng *rng, uint32_t *fold_of,
					 uint32_t *work, size_t *class_counts);

#endif
