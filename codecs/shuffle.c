/* shuffle.c - 4-byte shuffle and unshuffle (see shuffle.h).
 *
 * Unshuffle is on the read path of every score, so it has an SSE2 version
 * (always present on x86-64) that interleaves 16 values per step; the scalar
 * loops handle the rest and other hosts. */
#include "shuffle.h"


#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void cs_shuffle4(uint8_t *dst, const uint8_t *src, size_t n)
{
    uint8_t *d0 = dst, *d1 = dst + n, *d2 = dst + 2 * n, *d3 = dst + 3 * n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = src + 4 * i;
        d0[i] = s[0];
        d1[i] = s[1];
        d2[i] = s[2];
        d3[i] = s[3];
    }
}

void cs_unshuffle4(uint8_t *dst, const uint8_t *src, size_t n)
{
    const uint8_t *s0 = src, *s1 = src + n, *s2 = src + 2 * n, *s3 = src + 3 * n;
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(s0 + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(s1 + i));
        __m128i c = _mm_loadu_si128((const __m128i *)(s2 + i));
        __m128i d = _mm_loadu_si128((const __m128i *)(s3 + i));
        __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
        __m128i cd_lo = _mm_unpacklo_epi8(c, d), cd_hi = _mm_unpackhi_epi8(c, d);
        uint8_t *o = dst + 4 * i;
        _mm_storeu_si128((__m128i *)(o + 0), _mm_unpacklo_epi16(ab_lo, cd_lo));
        _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(ab_lo, cd_lo));
        _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(ab_hi, cd_hi));
        _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(ab_hi, cd_hi));
    }
#endif
    for (; i < n; i++) {
        uint8_t *o = dst + 4 * i;
        o[0] = s0[i];
        o[1] = s1[i];
        o[2] = s2[i];
        o[3] = s3[i];
    }
}
