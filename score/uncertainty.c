/* uncertainty.c - uncertainty scores: least confidence and probability
 * margin of one epoch, and the sliding-window std of dynamic uncertainty
 * (He et al., CVPR 2024).  Entropy is a recorded column (accum.c sums it). */
#include <math.h>

#include "score_int.h"

void cs_unc_add_probs(const float *probs, int64_t n, int C, double *lc, double *mg)
{
    for (int64_t i = 0; i < n; i++) {
        const float *p = probs + i * C;
        double p1 = -INFINITY, p2 = -INFINITY;
        for (int j = 0; j < C; j++) {
            double x = p[j];
            if (x > p1) {
                p2 = p1;
                p1 = x;
            } else if (x > p2) {
                p2 = x;
            }
        }
        lc[i] += 1.0 - p1;
        mg[i] += C > 1 ? p1 - p2 : p1;
    }
}

void cs_unc_add_binary(const float *conf, int64_t n, double *lc, double *mg)
{
    for (int64_t i = 0; i < n; i++) {
        double c = conf[i], o = 1.0 - c;
        double p1 = c > o ? c : o;
        lc[i] += 1.0 - p1;
        mg[i] += fabs(c - o);
    }
}

void cs_dynunc_window_add(const float *ring, int64_t n, int J, double *acc)
{
    for (int64_t i = 0; i < n; i++) {
        double mean = 0.0;
        for (int j = 0; j < J; j++)
            mean += ring[(int64_t)j * n + i];
        mean /= J;
        double ss = 0.0;
        for (int j = 0; j < J; j++) {
            double d = ring[(int64_t)j * n + i] - mean;
            ss += d * d;
        }
        acc[i] += sqrt(ss / J);
    }
}
