/* byte_order.h: the little-endian encoding every stored model format of the core uses. */
#ifndef UBEHAV_NN_BYTE_ORDER_H
#define UBEHAV_NN_BYTE_ORDER_H

#include <stdint.h>
#include <string.h>

/* Little-endian writers and readers, independent of the host's byte order. */
static inline unsigned char *
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
	p[2] = (unsigned char) (v >> 16);
	p[3] = (unsigned char) (v >> 24);
	return p + 4;
}

/* Eight bytes, low word first. */
static inline unsigned char *
put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t) v);
	put_u32(p + 4, (uint32_t) (v >> 32));
	return p + 8;
}

/* Read back what put_u32 wrote. */
static inline uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* Read back what put_u64 wrote. */
static inline uint64_t
get_u64(const unsigned char *p)
{
	return (uint64_t) get_u32(p) | (uint64_t) get_u32(p + 4) << 32;
}

/* int32 through its two's-complement bit pattern, defined behaviour both ways. */
static inline int32_t
u32_to_i32(uint32_t v)
{
	return v <= INT32_MAX ? (int32_t) v : (int32_t) (v - UINT32_C(0x80000000)) + INT32_MIN;
}

/* int64 through its two's-complement bit pattern, defined behaviour both ways. */
static inline int64_t
u64_to_i64(uint64_t v)
{
	return v <= INT64_MAX ? (int64_t) v : (int64_t) (v - UINT64_C(0x8000000000000000)) + INT64_MIN;
}

/* A float's IEEE bits (memcpy is the defined way to pun). */
static inline uint32_t
float_bits(float f)
{
	uint32_t	bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

/* The float with these IEEE bits. */
static inline float
bits_float(uint32_t bits)
{
	float		f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

#endif
