/* status.c: human-readable text for the core's status codes. */
#include "status.h"

/* Map a status to a short lower-case message; unknown values get a generic text. */
const char *
nn_status_message(NnStatus status)
{
	switch (status)
	{
		case NN_OK:
			return "ok";
		case NN_ERR_ARGUMENT:
			return "sizes out of range";
		case NN_ERR_OVERFLOW:
			return "size overflow";
		case NN_ERR_TOO_LARGE:
			return "model too large";
		case NN_ERR_FORMAT:
			return "corrupt model bytes";
		case NN_ERR_VERSION:
			return "unsupported model format version";
		case NN_ERR_CHECKSUM:
			return "checksum mismatch";
		case NN_ERR_NONFINITE:
			return "non-finite value";
	}
	return "unknown status";
}
