/* shuffle.h - byte shuffle of 4-byte values, the filter in front of zstd.
 *
 * cs_shuffle4 turns n values v[0..n) into four planes: every value's byte 0,
 * then every byte 1, byte 2, byte 3.  Sign and exponent bytes of similar
 * floats repeat across samples, so zstd finds long matches in the upper
 * planes that it would never see in interleaved floats.  cs_unshuffle4 is
 * its inverse.  dst and src must not overlap. */
#ifndef CS_SHUFFLE_H
#define CS_SHUFFLE_H

#include <stddef.h>
#include <stdint.h>

void cs_shuffle4(uint8_t *dst, const uint8_t *src, size_t n);
void cs_unshuffle4(uint8_t *dst, const uint8_t *src, size_t n);

#endif
