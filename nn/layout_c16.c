/* layout_c16.c - conversions between NCHW and the backend's blocked layout (layout_c16.h). */
#include "layout_c16.h"

#include <string.h>

void cs_c16_from_nchw(float *dst, const float *src, int n, int c, int hw, int nthreads)
{
    if (!cs_c16_blocked(c)) {
        memcpy(dst, src, sizeof(float) * (size_t)n * c * hw);
        return;
    }
    int cb = c / 16;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int blk = 0; blk < n * cb; blk++) {
        const float *s = src + (size_t)blk * 16 * hw; /* channel blk*16 of sample blk/cb */
        float *o = dst + (size_t)blk * 16 * hw;
        for (int p = 0; p < hw; p++)
            for (int l = 0; l < 16; l++)
                o[(size_t)p * 16 + l] = s[(size_t)l * hw + p];
    }
}

void cs_c16_to_nchw(float *dst, const float *src, int n, int c, int hw, int nthreads)
{
    if (!cs_c16_blocked(c)) {
        memcpy(dst, src, sizeof(float) * (size_t)n * c * hw);
        return;
    }
    int cb = c / 16;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int blk = 0; blk < n * cb; blk++) {
        const float *s = src + (size_t)blk * 16 * hw;
        float *o = dst + (size_t)blk * 16 * hw;
        for (int l = 0; l < 16; l++)
            for (int p = 0; p < hw; p++)
                o[(size_t)l * hw + p] = s[(size_t)p * 16 + l];
    }
}
