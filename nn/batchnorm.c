/* batchnorm.c - batch normalisation over (N,C,HW), per channel, OpenMP over channels.
 *
 * Channel sums are taken in double in a fixed order (n, then hw), so results do not
 * depend on the team size.  Training normalises with the biased batch variance and
 * feeds the unbiased one into the running variance, as PyTorch does. */
#include "layers.h"

#include <math.h>

void cs_batchnorm_forward(float *out, float *mean, float *invstd, float *run_mean, float *run_var,
                          const float *in, const float *gamma, const float *beta, int n, int c,
                          int hw, int train, float momentum, float eps, int nthreads)
{
    size_t cnt = (size_t)n * hw;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int ch = 0; ch < c; ch++) {
        double mu, var;
        if (train) {
            double s = 0.0;
            for (int i = 0; i < n; i++) {
                const float *p = in + ((size_t)i * c + ch) * hw;
                for (int j = 0; j < hw; j++)
                    s += p[j];
            }
            mu = s / (double)cnt;
            double ss = 0.0;
            for (int i = 0; i < n; i++) {
                const float *p = in + ((size_t)i * c + ch) * hw;
                for (int j = 0; j < hw; j++) {
                    double dv = p[j] - mu;
                    ss += dv * dv;
                }
            }
            var = ss / (double)cnt;
            double unbiased = cnt > 1 ? ss / (double)(cnt - 1) : var;
            run_mean[ch] = (float)((1.0 - momentum) * run_mean[ch] + momentum * mu);
            run_var[ch] = (float)((1.0 - momentum) * run_var[ch] + momentum * unbiased);
        } else {
            mu = run_mean[ch];
            var = run_var[ch];
        }
        float m = (float)mu, is = (float)(1.0 / sqrt(var + eps));
        mean[ch] = m;
        invstd[ch] = is;
        float g = gamma[ch] * is, bb = beta[ch];
        for (int i = 0; i < n; i++) {
            const float *p = in + ((size_t)i * c + ch) * hw;
            float *o = out + ((size_t)i * c + ch) * hw;
            for (int j = 0; j < hw; j++)
                o[j] = (p[j] - m) * g + bb;
        }
    }
}

void cs_batchnorm_backward(float *din, float *dgamma, float *dbeta, const float *dout,
                           const float *in, const float *mean, const float *invstd,
                           const float *gamma, int n, int c, int hw, int train, int nthreads)
{
    size_t cnt = (size_t)n * hw;
#pragma omp parallel for schedule(static) num_threads(nthreads) if ((size_t)n * c * hw > 65536)
    for (int ch = 0; ch < c; ch++) {
        float m = mean[ch], is = invstd[ch];
        double sdy = 0.0, sdyx = 0.0; /* sum dy, sum dy * xhat */
        for (int i = 0; i < n; i++) {
            const float *p = in + ((size_t)i * c + ch) * hw;
            const float *dy = dout + ((size_t)i * c + ch) * hw;
            for (int j = 0; j < hw; j++) {
                sdy += dy[j];
                sdyx += (double)dy[j] * ((p[j] - m) * is);
            }
        }
        if (dgamma)
            dgamma[ch] += (float)sdyx;
        if (dbeta)
            dbeta[ch] += (float)sdy;
        if (!din)
            continue;
        float g = gamma[ch] * is;
        /* train: dx = g * (dy - mean(dy) - xhat * mean(dy * xhat)); eval: dx = g * dy */
        float a = train ? (float)(sdy / (double)cnt) : 0.0f;
        float bxh = train ? (float)(sdyx / (double)cnt) : 0.0f;
        for (int i = 0; i < n; i++) {
            const float *p = in + ((size_t)i * c + ch) * hw;
            const float *dy = dout + ((size_t)i * c + ch) * hw;
            float *dx = din + ((size_t)i * c + ch) * hw;
            for (int j = 0; j < hw; j++)
                dx[j] = g * (dy[j] - a - (p[j] - m) * is * bxh);
        }
    }
}
