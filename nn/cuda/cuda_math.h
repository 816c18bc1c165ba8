/* cuda_math.h - the per-element and per-row arithmetic of the CUDA backend's kernels, as
 * __host__ __device__ functions: the kernels in cuda_backend.cu call them on the GPU, and
 * tests/cuda/test_cuda_host.cu calls the very same functions on the host against the CPU
 * reference layers (layers.h, optim.h), so the math is checked where there is no GPU.
 *
 * Each function is written as the reference loop body it replaces, in the same float /
 * double types and the same order of operations, so a kernel that calls it once per
 * element gives the reference's bits (the reductions aside: those are ordered here too,
 * one thread per output, summing in the reference's order). */
#ifndef CS_NN_CUDA_MATH_H
#define CS_NN_CUDA_MATH_H

#include <math.h>
#include <stddef.h>

#include "../layers.h"

#ifdef __CUDACC__
#define CS_HD __host__ __device__ inline
#else
#define CS_HD static inline
#endif

/* --- element-wise --------------------------------------------------------------------- */

CS_HD float cs_k_relu(float x) { return x > 0.0f ? x : 0.0f; }
CS_HD float cs_k_relu_grad(float dy, float y) { return y > 0.0f ? dy : 0.0f; }

/* torch.optim.SGD, dampening 0 (optim.h): updates p[i] and buf[i]. */
CS_HD void cs_k_sgd(float *p, float g, float *buf, float lr, float momentum, float wd, int nesterov)
{
    float gi = g + wd * *p;
    if (momentum != 0.0f) {
        *buf = momentum * *buf + gi;
        gi = nesterov ? gi + momentum * *buf : *buf;
    }
    *p -= lr * gi;
}

/* AdamW bias corrections, once per step on the host, in double as torch does. */
typedef struct cs_k_adamw_step {
    float lr, beta1, beta2, eps, wd, step_size, bc2_sqrt;
} cs_k_adamw_step;

CS_HD cs_k_adamw_step cs_k_adamw_prepare(float lr, float beta1, float beta2, float eps, float wd, long step)
{
    cs_k_adamw_step s;
    s.lr = lr;
    s.beta1 = beta1;
    s.beta2 = beta2;
    s.eps = eps;
    s.wd = wd;
    double bc1 = 1.0 - pow((double)beta1, (double)step);
    s.bc2_sqrt = (float)sqrt(1.0 - pow((double)beta2, (double)step));
    s.step_size = (float)(lr / bc1);
    return s;
}

CS_HD void cs_k_adamw(float *p, float g, float *m, float *v, const cs_k_adamw_step *s)
{
    *p *= 1.0f - s->lr * s->wd;
    *m = s->beta1 * *m + (1.0f - s->beta1) * g;
    *v = s->beta2 * *v + (1.0f - s->beta2) * g * g;
    float denom = sqrtf(*v) / s->bc2_sqrt + s->eps;
    *p -= s->step_size * (*m / denom);
}

/* --- batch norm (batchnorm.c) ------------------------------------------------------------ */

/* Channel ch's statistics from s = the sum of its cnt values and ss = the sum of their
 * squared deviations from s / cnt (double): mean and 1/sqrt(var + eps) saved, running
 * statistics updated with the unbiased variance, as PyTorch does; eval mode reads the
 * running statistics instead.  Shared by cs_k_bn_stats and the kernel's block reduction. */
CS_HD void cs_k_bn_finish(double s, double ss, size_t cnt, int ch, int train, float momentum, float eps,
                          float *run_mean, float *run_var, float *mean, float *invstd)
{
    double mu, var;
    if (train) {
        mu = s / (double)cnt;
        var = ss / (double)cnt;
        double unbiased = cnt > 1 ? ss / (double)(cnt - 1) : var;
        run_mean[ch] = (float)((1.0 - momentum) * run_mean[ch] + momentum * mu);
        run_var[ch] = (float)((1.0 - momentum) * run_var[ch] + momentum * unbiased);
    } else {
        mu = run_mean[ch];
        var = run_var[ch];
    }
    mean[ch] = (float)mu;
    invstd[ch] = (float)(1.0 / sqrt(var + eps));
}

/* Channel ch's value number i of its n*hw (sample i / hw, position i % hw). */
CS_HD size_t cs_k_bn_at(int c, int hw, int ch, size_t i)
{
    return ((i / (size_t)hw) * (size_t)c + (size_t)ch) * (size_t)hw + i % (size_t)hw;
}

/* Channel ch's statistics from its n*hw values, summed in the reference's order (sample,
 * then position) in double: the sequential form of what the kernel reduces in a block. */
CS_HD void cs_k_bn_stats(const float *in, int n, int c, int hw, int ch, int train, float momentum,
                         float eps, float *run_mean, float *run_var, float *mean, float *invstd)
{
    size_t cnt = (size_t)n * hw;
    double s = 0.0, ss = 0.0;
    if (train) {
        for (size_t i = 0; i < cnt; i++)
            s += in[cs_k_bn_at(c, hw, ch, i)];
        double mu = s / (double)cnt;
        for (size_t i = 0; i < cnt; i++) {
            double dv = in[cs_k_bn_at(c, hw, ch, i)] - mu;
            ss += dv * dv;
        }
    }
    cs_k_bn_finish(s, ss, cnt, ch, train, momentum, eps, run_mean, run_var, mean, invstd);
}

CS_HD float cs_k_bn_apply(float x, float m, float gamma_invstd, float beta)
{
    return (x - m) * gamma_invstd + beta;
}

/* One value's terms of channel ch's backward sums: dy, and dy * xhat (double). */
CS_HD void cs_k_bn_terms(float dy, float x, float m, float is, double *a, double *b)
{
    *a += dy;
    *b += (double)dy * ((x - m) * is);
}

/* Channel ch's sums for the backward: sdy = sum dy, sdyx = sum dy * xhat (double), in
 * the reference's order (the kernel reduces the same terms in a block). */
CS_HD void cs_k_bn_sums(const float *dout, const float *in, int n, int c, int hw, int ch, float m,
                        float is, double *sdy, double *sdyx)
{
    double a = 0.0, b = 0.0;
    size_t cnt = (size_t)n * hw;
    for (size_t i = 0; i < cnt; i++) {
        size_t at = cs_k_bn_at(c, hw, ch, i);
        cs_k_bn_terms(dout[at], in[at], m, is, &a, &b);
    }
    *sdy = a;
    *sdyx = b;
}

/* dx for one element: g = gamma * invstd; a, bxh the channel's mean(dy), mean(dy xhat)
 * (0 in eval mode). */
CS_HD float cs_k_bn_dx(float dy, float x, float m, float is, float g, float a, float bxh)
{
    return g * (dy - a - (x - m) * is * bxh);
}

/* --- pooling (maxpool.c, avgpool.c) ------------------------------------------------------ */

/* Output (oh, ow) of one plane src (h, w): the maximum, and its index in *argmax. */
CS_HD float cs_k_maxpool_one(const cs_window *d, const float *src, int oh, int ow, int *argmax)
{
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
    *argmax = bi;
    return best;
}

/* The gradient of input position (y, x) of one plane: the sum of dout over the outputs
 * whose winner it is, gathered (not scattered: no atomics, so the same bits on every run)
 * in ascending output order, the order the reference's scatter adds them in. */
CS_HD float cs_k_maxpool_grad_at(const cs_window *d, const float *dout, const int *argmax, int y, int x)
{
    int at = y * d->w + x;
    /* outputs whose window covers y: oh*sh - ph <= y <= oh*sh - ph + kh - 1 */
    int oh0 = (y + d->ph - d->kh + d->sh) / d->sh, oh1 = (y + d->ph) / d->sh;
    int ow0 = (x + d->pw - d->kw + d->sw) / d->sw, ow1 = (x + d->pw) / d->sw;
    if (y + d->ph - d->kh + 1 < 0)
        oh0 = 0;
    if (x + d->pw - d->kw + 1 < 0)
        ow0 = 0;
    if (oh1 > d->ho - 1)
        oh1 = d->ho - 1;
    if (ow1 > d->wo - 1)
        ow1 = d->wo - 1;
    float g = 0.0f;
    for (int oh = oh0; oh <= oh1; oh++)
        for (int ow = ow0; ow <= ow1; ow++) {
            int o = oh * d->wo + ow;
            if (argmax[o] == at)
                g += dout[o];
        }
    return g;
}

/* Mean of one plane of hw values, in double (avgpool.c). */
CS_HD float cs_k_gap_one(const float *p, int hw)
{
    double s = 0.0;
    for (int j = 0; j < hw; j++)
        s += p[j];
    return (float)(s / hw);
}

/* --- softmax cross-entropy (xent.c), one row --------------------------------------------- */

/* Row i of logits z (k classes) with label y: writes probs and dlogits (either may be
 * NULL) and returns the unweighted loss; *lw gets the weighted one.  wsum: the batch's
 * sum of label weights (n without weights), n the batch size. */
CS_HD float cs_k_xent_row(const float *z, int k, int y, float smoothing, const float *weight,
                          double wsum, int n, float *probs, float *dlogits, double *lw)
{
    double mx = z[0];
    for (int j = 1; j < k; j++)
        if (z[j] > mx)
            mx = z[j];
    double se = 0.0;
    for (int j = 0; j < k; j++)
        se += exp(z[j] - mx);
    double lse = mx + log(se);
    double li = 0.0, lwi = 0.0, asum = 0.0;
    for (int j = 0; j < k; j++) {
        double q = smoothing / k + (j == y ? 1.0 - smoothing : 0.0);
        double a = weight ? weight[j] * q : q;
        li -= q * (z[j] - lse);
        lwi -= a * (z[j] - lse);
        asum += a;
    }
    for (int j = 0; j < k; j++) {
        double q = smoothing / k + (j == y ? 1.0 - smoothing : 0.0);
        double a = weight ? weight[j] * q : q;
        double p = exp(z[j] - lse);
        if (probs)
            probs[j] = (float)p;
        if (dlogits)
            dlogits[j] = (float)(weight ? (asum * p - a) / wsum : (p - q) / n);
    }
    *lw = lwi;
    return (float)li;
}

#endif
