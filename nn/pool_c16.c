/* pool_c16.c - max pooling and global average pooling on the blocked layout
 * (layout_c16.h): maxpool.c's and avgpool.c's arithmetic per channel lane, so the bits
 * match the NCHW reference. */
#include "layout_c16.h"

#include <math.h>
#include <string.h>

void cs_maxpool_c16_forward(const cs_window *d, float *out, int *argmax, const float *in,
                            int nthreads)
{
    int planes = d->n * (d->c / 16); /* (sample, channel block) planes of 16 lanes */
    size_t ip = (size_t)d->h * d->w * 16, op = (size_t)d->ho * d->wo * 16;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)planes * ip > 65536)
    for (int pl = 0; pl < planes; pl++) {
        const float *src = in + ip * pl;
        for (int oh = 0; oh < d->ho; oh++)
            for (int ow = 0; ow < d->wo; ow++) {
                float best[16];
                int bi[16];
                for (int l = 0; l < 16; l++) {
                    best[l] = -INFINITY;
                    bi[l] = -1;
                }
                for (int i = 0; i < d->kh; i++) {
                    int y = oh * d->sh - d->ph + i;
                    if (y < 0 || y >= d->h)
                        continue;
                    for (int j = 0; j < d->kw; j++) {
                        int x = ow * d->sw - d->pw + j;
                        if (x < 0 || x >= d->w)
                            continue;
                        const float *v = src + ((size_t)y * d->w + x) * 16;
                        for (int l = 0; l < 16; l++)
                            if (v[l] > best[l] || bi[l] < 0 || isnan(v[l])) {
                                best[l] = v[l];
                                bi[l] = y * d->w + x;
                            }
                    }
                }
                size_t o = op * pl + ((size_t)oh * d->wo + ow) * 16;
                for (int l = 0; l < 16; l++) {
                    out[o + l] = best[l];
                    argmax[o + l] = bi[l];
                }
            }
    }
}

void cs_maxpool_c16_backward(const cs_window *d, float *din, const float *dout,
                             const int *argmax, int nthreads)
{
    int planes = d->n * (d->c / 16);
    size_t ip = (size_t)d->h * d->w * 16, op = (size_t)d->ho * d->wo * 16;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)planes * ip > 65536)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + ip * pl;
        memset(dx, 0, sizeof(float) * ip);
        for (size_t o = 0; o < op; o++) {
            int a = argmax[op * pl + o];
            if (a >= 0)
                dx[(size_t)a * 16 + o % 16] += dout[op * pl + o];
        }
    }
}

void cs_gap_c16_forward(float *out, const float *in, int n, int c, int hw)
{
    int cb = c / 16;
    for (int blk = 0; blk < n * cb; blk++) {
        const float *p = in + (size_t)blk * 16 * hw;
        double s[16] = {0};
        for (int j = 0; j < hw; j++)
            for (int l = 0; l < 16; l++)
                s[l] += p[j * 16 + l];
        for (int l = 0; l < 16; l++)
            out[(size_t)blk * 16 + l] = (float)(s[l] / hw);
    }
}

void cs_gap_c16_backward(float *din, const float *dout, int n, int c, int hw)
{
    int cb = c / 16;
    for (int blk = 0; blk < n * cb; blk++) {
        float g[16];
        for (int l = 0; l < 16; l++)
            g[l] = dout[(size_t)blk * 16 + l] / (float)hw;
        float *p = din + (size_t)blk * 16 * hw;
        for (int j = 0; j < hw; j++)
            for (int l = 0; l < 16; l++)
                p[j * 16 + l] = g[l];
    }
}
