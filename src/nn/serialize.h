/* serialize.h: the network's bytes: magic, format version, spec, RNG state, parameters, CRC-32C. */
#ifndef UBEHAV_NN_SERIALIZE_H
#define UBEHAV_NN_SERIALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "mlp.h"
#include "rng.h"
#include "status.h"

#define NN_FORMAT_MAGIC 0x56484255u		/* "UBHV" little-endian */
#define NN_FORMAT_VERSION 1u

/*
 * Layout, all little-endian:
 *   u32 magic, u32 version, u32 header_bytes,
 *   i32 n_inputs, i32 n_hidden, i32 hidden[NN_MAX_HIDDEN_LAYERS], i32 activation, i32 head,
 *   i32 n_outputs, u64 rng[4], u64 n_params,
 *   f32 params[n_params],
 *   u32 crc32c of every byte before it.
 */

/* Bytes needed to serialize a model of this spec; validates the spec. */
NnStatus	nn_serialized_size(const NnSpec *spec, size_t *size);

/* Write the model into buf of exactly nn_serialized_size() bytes; parameters must be finite. */
NnStatus	nn_serialize(const NnSpec *spec, const float *params, const NnRng *rng,
						 unsigned char *buf, size_t size);

/*
 * Validate bytes completely (length, magic, version, spec, sizes, checksum, finite
 * parameters) and read spec, rng and parameter count. Parameters are not copied.
 * Order of checks: NN_ERR_FORMAT (short, magic), NN_ERR_VERSION, NN_ERR_FORMAT (header size,
 * length), NN_ERR_CHECKSUM, NN_ERR_FORMAT (invalid spec, hidden entries past n_hidden not 0,
 * n_params or length disagreeing with the spec, all-zero rng), NN_ERR_NONFINITE.
 */
NnStatus	nn_deserialize_header(const unsigned char *buf, size_t size, NnSpec *spec,
								  NnRng *rng, size_t *n_params);

/* Copy the parameters of bytes already accepted by nn_deserialize_header into params. */
void		nn_deserialize_params(const unsigned char *buf, size_t size, float *params);

/* CRC-32C (Castagnoli) of buf. */
uint32_t	nn_crc32c(const unsigned char *buf, size_t size);

#endif
