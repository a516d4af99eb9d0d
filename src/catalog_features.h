/* catalog_features.h: a decoded version's columns checked against its catalog row (catalog_features.c). */
#ifndef UBEHAV_CATALOG_FEATURES_H
#define UBEHAV_CATALOG_FEATURES_H

#include "model.h"

/*
 * ERROR (data corrupted) when the row's feature_names and feature_types are not its preprocessing's
 * columns; nothing when the role may not read them. SPI must be connected; replaces SPI_tuptable.
 */
void		ub_catalog_check_features(const UbModel *m, const char *what);

#endif
