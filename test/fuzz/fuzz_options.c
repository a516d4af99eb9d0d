/* fuzz_options.c: libFuzzer target: any JSON given as options is accepted or rejected with a message, never a crash. */
#include <stdint.h>
#include <string.h>

#include "json_mini.h"
#include "options_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UbJson	   *tree = json_mini_parse((const char *) data, size);

	if (tree != NULL)
	{
		UbOptions	o;
		UbOptionError err;

		if (!ub_options_apply(tree, &o, &err))
		{
			/* a rejection always says what was wrong */
			if (err.message[0] == '\0')
				__builtin_trap();
		}
		else if (o.n_hidden < 0 || o.n_hidden > NN_MAX_HIDDEN_LAYERS || o.batch_size < 1 || o.epochs < 1 ||
				 !(o.learning_rate > 0) || o.validation_split < 0 || o.validation_split > 0.9)
			__builtin_trap();	/* an accepted option set is always within range */
	}
	json_mini_free();
	return 0;
}
