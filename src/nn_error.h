/* nn_error.h: the one place where a status of the numerical core becomes an ereport. */
#ifndef UBEHAV_NN_ERROR_H
#define UBEHAV_NN_ERROR_H

#include "nn/status.h"

/* ERROR with an SQLSTATE that fits status; what says what was being done ("decoding model \"m\" version 3"). */
void		ub_check_nn_status(NnStatus status, const char *what);

#endif
