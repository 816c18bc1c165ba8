/* gradcam.c - Grad-CAM maps: the exact GAP + linear fast path and the general
 * path from gradients.  Accumulation is in double per position so the map does
 * not depend on the order of the K channels beyond float rounding of inputs. */
#include "gradcam.h"

#include <math.h>
#include <stdlib.h>

void cs_gradcam_fast(const float *act, const float *w, const int32_t *target, int64_t b, int k,
                     int64_t p, int num_classes, float *maps)
{
    (void)num_classes;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < b; i++) {
        const float *wc = w + (int64_t)target[i] * k;
        const float *a = act + i * k * p;
        float *m = maps + i * p;
        for (int64_t q = 0; q < p; q++) {
            double s = 0;
            for (int j = 0; j < k; j++)
                s += (double)wc[j] * a[(int64_t)j * p + q];
            s /= (double)p;
            m[q] = s > 0 ? (float)s : 0.0f;
        }
    }
}

void cs_gradcam_general(const float *act, const float *grad, int64_t b, int k, int64_t p,
                        float *maps)
{
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < b; i++) {
        const float *a = act + i * k * p, *g = grad + i * k * p;
        float *m = maps + i * p;
        double *alpha = malloc(sizeof(double) * (size_t)k);
        if (!alpha) {
            for (int64_t q = 0; q < p; q++)
                m[q] = NAN; /* marks a map we could not compute */
            continue;
        }
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int64_t q = 0; q < p; q++)
                s += g[(int64_t)j * p + q];
            alpha[j] = s / (double)p;
        }
        for (int64_t q = 0; q < p; q++) {
            double s = 0;
            for (int j = 0; j < k; j++)
                s += alpha[j] * a[(int64_t)j * p + q];
            m[q] = s > 0 ? (float)s : 0.0f;
        }
        free(alpha);
    }
}
