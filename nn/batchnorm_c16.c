/* batchnorm_c16.c - batch normalisation on the blocked layout (layout_c16.h), OpenMP over
 * blocks of 16 channels.
 *
 * Each of the 16 lanes is one channel and runs batchnorm.c's arithmetic in its order
 * (double sums over n, then hw), so the bits match the NCHW reference; the lanes only let
 * the compiler use one vector for 16 channels where the reference walks one plane. */
#include "layout_c16.h"

#include <math.h>

/* the (n, block) row of 16*hw floats */
#define ROW(p, i, blk) ((p) + ((size_t)(i) * cb + (blk)) * 16 * (size_t)hw)

/* The per-block sweeps are built for AVX-512 too, picked at run time: one register holds
 * the 16 lanes (8 doubles: two).  IEEE operations lane by lane and no contraction into
 * FMAs (ISO C mode), so the bits are those of the SSE2 build and of the reference. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "default")))
#else
#define VECTOR_CLONES
#endif

/* s += x, ss += (x - mu)^2 over one block's rows, in the reference's order */
VECTOR_CLONES static void block_sums(const float *in, int n, int cb, int blk, int hw, double *s)
{
    for (int i = 0; i < n; i++) {
        const float *p = ROW(in, i, blk);
        for (int j = 0; j < hw; j++)
            #pragma omp simd
            for (int l = 0; l < 16; l++)
                s[l] += p[j * 16 + l];
    }
}

VECTOR_CLONES static void block_sq_dev(const float *in, int n, int cb, int blk, int hw,
                                       const double *mu, double *ss)
{
    for (int i = 0; i < n; i++) {
        const float *p = ROW(in, i, blk);
        for (int j = 0; j < hw; j++)
            #pragma omp simd
            for (int l = 0; l < 16; l++) {
                double dv = p[j * 16 + l] - mu[l];
                ss[l] += dv * dv;
            }
    }
}

VECTOR_CLONES static void block_normalise(float *out, const float *in, int n, int cb, int blk,
                                          int hw, const float *m, const float *g,
                                          const float *bb)
{
    for (int i = 0; i < n; i++) {
        const float *p = ROW(in, i, blk);
        float *o = ROW(out, i, blk);
        for (int j = 0; j < hw; j++)
            #pragma omp simd
            for (int l = 0; l < 16; l++)
                o[j * 16 + l] = (p[j * 16 + l] - m[l]) * g[l] + bb[l];
    }
}

/* sdy += dy, sdyx += dy * xhat */
VECTOR_CLONES static void block_grad_sums(const float *in, const float *dout, int n, int cb,
                                          int blk, int hw, const float *m, const float *is,
                                          double *sdy, double *sdyx)
{
    for (int i = 0; i < n; i++) {
        const float *p = ROW(in, i, blk), *dy = ROW(dout, i, blk);
        for (int j = 0; j < hw; j++)
            #pragma omp simd
            for (int l = 0; l < 16; l++) {
                sdy[l] += dy[j * 16 + l];
                sdyx[l] += (double)dy[j * 16 + l] * ((p[j * 16 + l] - m[l]) * is[l]);
            }
    }
}

VECTOR_CLONES static void block_grad_input(float *din, const float *in, const float *dout, int n,
                                           int cb, int blk, int hw, const float *m,
                                           const float *is, const float *g, const float *a,
                                           const float *bxh)
{
    for (int i = 0; i < n; i++) {
        const float *p = ROW(in, i, blk), *dy = ROW(dout, i, blk);
        float *dx = ROW(din, i, blk);
        for (int j = 0; j < hw; j++)
            #pragma omp simd
            for (int l = 0; l < 16; l++)
                dx[j * 16 + l] =
                    g[l] * (dy[j * 16 + l] - a[l] - (p[j * 16 + l] - m[l]) * is[l] * bxh[l]);
    }
}

void cs_bn_c16_forward(float *out, float *mean, float *invstd, float *run_mean, float *run_var,
                       const float *in, const float *gamma, const float *beta, int n, int c,
                       int hw, int train, float momentum, float eps, int nthreads)
{
    int cb = c / 16;
    size_t cnt = (size_t)n * hw;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int blk = 0; blk < cb; blk++) {
        double mu[16], var[16];
        if (train) {
            double s[16] = {0}, ss[16] = {0};
            block_sums(in, n, cb, blk, hw, s);
            for (int l = 0; l < 16; l++)
                mu[l] = s[l] / (double)cnt;
            block_sq_dev(in, n, cb, blk, hw, mu, ss);
            for (int l = 0; l < 16; l++) {
                int ch = blk * 16 + l;
                var[l] = ss[l] / (double)cnt;
                double unbiased = cnt > 1 ? ss[l] / (double)(cnt - 1) : var[l];
                run_mean[ch] = (float)((1.0 - momentum) * run_mean[ch] + momentum * mu[l]);
                run_var[ch] = (float)((1.0 - momentum) * run_var[ch] + momentum * unbiased);
            }
        } else {
            for (int l = 0; l < 16; l++) {
                mu[l] = run_mean[blk * 16 + l];
                var[l] = run_var[blk * 16 + l];
            }
        }
        float m[16], g[16], bb[16];
        for (int l = 0; l < 16; l++) {
            int ch = blk * 16 + l;
            float is = (float)(1.0 / sqrt(var[l] + eps));
            m[l] = (float)mu[l];
            mean[ch] = m[l];
            invstd[ch] = is;
            g[l] = gamma[ch] * is;
            bb[l] = beta[ch];
        }
        block_normalise(out, in, n, cb, blk, hw, m, g, bb);
    }
}

void cs_bn_c16_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                        const float *in, const float *mean, const float *invstd,
                        const float *gamma, int n, int c, int hw, int train, int nthreads)
{
    int cb = c / 16;
    size_t cnt = (size_t)n * hw;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int blk = 0; blk < cb; blk++) {
        float m[16], is[16];
        double sdy[16] = {0}, sdyx[16] = {0}; /* sum dy, sum dy * xhat */
        for (int l = 0; l < 16; l++) {
            m[l] = mean[blk * 16 + l];
            is[l] = invstd[blk * 16 + l];
        }
        block_grad_sums(in, dout, n, cb, blk, hw, m, is, sdy, sdyx);
        for (int l = 0; l < 16; l++) {
            if (dgamma)
                dgamma[blk * 16 + l] += (float)sdyx[l];
            if (dbeta)
                dbeta[blk * 16 + l] += (float)sdy[l];
        }
        if (!din)
            continue;
        /* train: dx = g * (dy - mean(dy) - xhat * mean(dy * xhat)); eval: dx = g * dy */
        float g[16], a[16], bxh[16];
        for (int l = 0; l < 16; l++) {
            g[l] = gamma[blk * 16 + l] * is[l];
            a[l] = train ? (float)(sdy[l] / (double)cnt) : 0.0f;
            bxh[l] = train ? (float)(sdyx[l] / (double)cnt) : 0.0f;
        }
        block_grad_input(din, in, dout, n, cb, blk, hw, m, is, g, a, bxh);
    }
}
