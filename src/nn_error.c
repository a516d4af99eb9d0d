/* nn_error.c: maps core statuses to SQLSTATEs so every caller reports them the same way. */
#include "postgres.h"

#include "nn_error.h"

void
ub_check_nn_status(NnStatus status, const char *what)
{
	switch (status)
	{
		case NN_OK:
			return;
		case NN_ERR_ARGUMENT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s", what, nn_status_message(status)),
					 errhint("Check the sizes in the options (hidden layers, batch_size) and the number of features.")));
			break;
		case NN_ERR_OVERFLOW:
		case NN_ERR_TOO_LARGE:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: %s", what, nn_status_message(status)),
					 errhint("Use fewer or smaller hidden layers, fewer features or a smaller batch_size.")));
			break;
		case NN_ERR_FORMAT:
		case NN_ERR_VERSION:
		case NN_ERR_CHECKSUM:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("%s: %s", what, nn_status_message(status)),
					 errhint("The stored model bytes are damaged or were written by another version of ubehav; retrain the model or deploy another version.")));
			break;
		case NN_ERR_NONFINITE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: %s", what, nn_status_message(status)),
					 errhint("Training diverged or the model bytes are damaged; retrain with a lower learning_rate.")));
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("%s: unknown status %d of the numerical core", what, (int) status)));
}
