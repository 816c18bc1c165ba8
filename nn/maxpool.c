/* maxpool.c - max pooling over (N,C,H,W) (1-D: H = 1); padding acts as -inf like PyTorch.
 * The forward records each output's winning input index, so backward is a scatter
 * within one (n,c) plane: planes are independent, so OpenMP over planes is exact. */
#include "layers.h"

#include <math.h>
#include <string.h>

void cs_maxpool2d_forward(const cs_window *d, float *out, int *argmax, const float *in,
                          int nthreads)
{
    int planes = d->n * d->c;
    size_t ip = (size_t)d->h * d->w, op = (size_t)d->ho * d->wo;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)planes * ip > 65536)
    for (int pl = 0; pl < planes; pl++) {
        const float *src = in + ip * pl;
        float *o = out + op * pl;
        int *am = argmax + op * pl;
        for (int oh = 0; oh < d->ho; oh++)
            for (int ow = 0; ow < d->wo; ow++) {
                float best = -INFINITY;
                int bi = -1;
                for (int i = 0; i < d->kh; i++) {
                    int y = oh * d->sh - d->ph + i;
                    if (y < 0 || y >= d->h)
                        continue;
                    for (int j = 0; j < d->kw; j++) {
                        int x = ow * d->sw - d->pw + j;
                        if (x < 0 || x >= d->w)
                            continue;
                        float v = src[(size_t)y * d->w + x];
                        if (v > best || bi < 0 || isnan(v)) {
                            best = v;
                            bi = y * d->w + x;
                        }
                    }
                }
                o[oh * d->wo + ow] = best;
                am[oh * d->wo + ow] = bi;
            }
    }
}

void cs_maxpool2d_backward(const cs_window *d, float *din, const float *dout, const int *argmax,
                           int nthreads)
{
    int planes = d->n * d->c;
    size_t ip = (size_t)d->h * d->w, op = (size_t)d->ho * d->wo;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)planes * ip > 65536)
    for (int pl = 0; pl < planes; pl++) {
        float *dx = din + ip * pl;
        memset(dx, 0, sizeof(float) * ip);
        for (size_t o = 0; o < op; o++)
            if (argmax[op * pl + o] >= 0)
                dx[argmax[op * pl + o]] += dout[op * pl + o];
    }
}
