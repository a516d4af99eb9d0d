/* status.h: the one error currency of the numerical core; the glue maps it to SQLSTATEs. */
#ifndef UBEHAV_NN_STATUS_H
#define UBEHAV_NN_STATUS_H

typedef enum NnStatus
{
	NN_OK = 0,
	NN_ERR_ARGUMENT,			/* a size, count or enum value out of its valid range */
	NN_ERR_OVERFLOW,			/* a size computation would overflow size_t */
	NN_ERR_TOO_LARGE,			/* a size is valid but above the core's hard limits */
	NN_ERR_FORMAT,				/* serialized bytes: bad magic, truncated, inconsistent sizes */
	NN_ERR_VERSION,				/* serialized bytes: a format version this build cannot read */
	NN_ERR_CHECKSUM,			/* serialized bytes: checksum mismatch */
	NN_ERR_NONFINITE			/* NaN or Inf where finite numbers are required */
} NnStatus;

/* A short lower-case description of a status, never NULL. */
const char *nn_status_message(NnStatus status);

#endif
