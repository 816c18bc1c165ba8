/* cuda_plan.h - the CUDA backend's shape plumbing as pure functions of the layer shapes:
 * the cuDNN tensor/filter/convolution descriptor dimensions of a cs_window, and the
 * cuBLAS column-major sgemm arguments of the linear layer's three products.  The backend
 * builds its descriptors and calls from these alone, and tests/cuda/test_cuda_host.cu
 * checks them on the host (cuDNN's own output-size answer for the descriptors; a plain
 * column-major gemm with these arguments against the CPU linear layer). */
#ifndef CS_NN_CUDA_PLAN_H
#define CS_NN_CUDA_PLAN_H

#include "cuda_math.h"

typedef struct cs_cuda_conv_dims {
    int x[4];      /* input n, c, h, w (NCHW, packed) */
    int y[4];      /* output n, k, ho, wo */
    int w[4];      /* filter k, c, kh, kw */
    int bias[4];   /* 1, k, 1, 1 */
    int pad[2], stride[2], dilation[2];
} cs_cuda_conv_dims;

/* 0, or -1 when the window does not describe a convolution (no output channels, or no
 * output). */
CS_HD int cs_cuda_conv_dims_of(const cs_window *d, cs_cuda_conv_dims *s)
{
    if (d->n < 1 || d->c < 1 || d->k < 1 || d->ho < 1 || d->wo < 1)
        return -1;
    s->x[0] = d->n, s->x[1] = d->c, s->x[2] = d->h, s->x[3] = d->w;
    s->y[0] = d->n, s->y[1] = d->k, s->y[2] = d->ho, s->y[3] = d->wo;
    s->w[0] = d->k, s->w[1] = d->c, s->w[2] = d->kh, s->w[3] = d->kw;
    s->bias[0] = 1, s->bias[1] = d->k, s->bias[2] = 1, s->bias[3] = 1;
    s->pad[0] = d->ph, s->pad[1] = d->pw;
    s->stride[0] = d->sh, s->stride[1] = d->sw;
    s->dilation[0] = s->dilation[1] = 1;
    return 0;
}

/* One column-major sgemm: C (m, n) = alpha op(A) op(B) + beta C, ld* the column strides. */
typedef struct cs_cuda_gemm {
    int trans_a, trans_b, m, n, k, lda, ldb, ldc;
    float beta;
} cs_cuda_gemm;

enum { CS_LIN_FORWARD, CS_LIN_DATA, CS_LIN_WEIGHTS };

/* The row-major products of linear.c, as column-major calls (a row-major (r, c) matrix is
 * a column-major (c, r) one with the same memory):
 *   forward  out (N,O) = in (N,I) W^T:   out^T (O,N) = W_cm^T (O,I) in_cm (I,N); A = W, B = in
 *   data     din (N,I) = dout (N,O) W:   din^T (I,N) = W_cm (I,O) dout_cm (O,N); A = W, B = dout
 *   weights  dw (O,I) += dout^T in:      dw^T (I,O) = in_cm (I,N) dout_cm^T (N,O); A = in, B = dout */
CS_HD cs_cuda_gemm cs_cuda_linear_gemm(int which, int n, int in_f, int out_f)
{
    cs_cuda_gemm g;
    switch (which) {
    case CS_LIN_FORWARD:
        g.trans_a = 1, g.trans_b = 0, g.m = out_f, g.n = n, g.k = in_f;
        g.lda = in_f, g.ldb = in_f, g.ldc = out_f, g.beta = 0.0f;
        break;
    case CS_LIN_DATA:
        g.trans_a = 0, g.trans_b = 0, g.m = in_f, g.n = n, g.k = out_f;
        g.lda = in_f, g.ldb = out_f, g.ldc = in_f, g.beta = 0.0f;
        break;
    default:
        g.trans_a = 0, g.trans_b = 1, g.m = in_f, g.n = out_f, g.k = n;
        g.lda = in_f, g.ldb = out_f, g.ldc = in_f, g.beta = 1.0f;
        break;
    }
    return g;
}

/* The column-major product itself, on the host (tests; the backend calls cuBLAS). */
static inline void cs_cuda_gemm_host(const cs_cuda_gemm *g, const float *a, const float *b, float *c)
{
    for (int j = 0; j < g->n; j++)
        for (int i = 0; i < g->m; i++) {
            double s = 0.0;
            for (int l = 0; l < g->k; l++) {
                float av = g->trans_a ? a[(size_t)i * g->lda + l] : a[(size_t)l * g->lda + i];
                float bv = g->trans_b ? b[(size_t)l * g->ldb + j] : b[(size_t)j * g->ldb + l];
                s += (double)av * bv;
            }
            float *cv = &c[(size_t)j * g->ldc + i];
            *cv = (float)s + g->beta * *cv;
        }
}

#endif
