/* eva.c - EVA (Hong et al., ACM MM 2024; METHODS.md section 3): variance of
 * the error-vector norm inside an early and a late window of K epochs,
 * combined.  Welford moments keep each window O(N) whatever K is. */
#include "score_int.h"

void cs_eva_window_add(double *mean, double *m2, int k, const float *err, int64_t n)
{
    double inv = 1.0 / (double)(k + 1);
    for (int64_t i = 0; i < n; i++) {
        double x = err[i];
        double d = x - mean[i];
        mean[i] += d * inv;
        m2[i] += d * (x - mean[i]);
    }
}

void cs_eva_window_var(const double *m2, int64_t n, int K, int unbiased, int normalise, double *v)
{
    double div = unbiased ? (double)(K - 1) : (double)K;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        v[i] = m2[i] / div;
        sum += v[i];
    }
    /* a window where nothing varies stays all zero rather than 0/0 */
    if (normalise && sum > 0)
        for (int64_t i = 0; i < n; i++)
            v[i] /= sum;
}

void cs_eva_combine_add(const double *ve, const double *vl, int64_t n, int weighted, double w,
                        double *acc)
{
    for (int64_t i = 0; i < n; i++)
        acc[i] += weighted ? w * ve[i] + (1.0 - w) * vl[i] : ve[i] + vl[i];
}
