/* ubehav.c: module entry: settings, and the one-thread BLAS a backend needs. */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "train_parallel.h"
#include "train_progress.h"
#include "ubehav.h"

PG_MODULE_MAGIC;

int			ub_model_cache_size = 16;
int			ub_max_parameters = 50000000;
int			ub_max_training_memory = 4096;
int			ub_verbose = 1;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("ubehav.model_cache_size",
							"Decoded model versions each backend keeps for scoring.",
							NULL,
							&ub_model_cache_size,
							16, 1, 1024,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ubehav.max_parameters",
							"Largest network, in parameters, that ubehav_train will build.",
							"Guards the server against option mistakes such as hidden layers of a billion units.",
							&ub_max_parameters,
							50000000, 1, INT_MAX,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ubehav.max_training_memory",
							"Memory, in megabytes, one training may use for its data.",
							"Past it, training streams its rows through a temporary file; what cannot stream is an error, not an out-of-memory of the server.",
							&ub_max_training_memory,
							4096, 16, INT_MAX / 2,
							PGC_SUSET, GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ubehav.progress",
							"Training progress NOTICEs when the options do not set \"verbose\": 0 none, 1 about one a second, 2 every epoch.",
							"Level 1 always reports the first and last epoch and early stopping.",
							&ub_verbose,
							1, 0, 2,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	ub_train_parallel_define_gucs();
	MarkGUCPrefixReserved("ubehav");
	ub_progress_init();
}
