/* focus.c - Grad-CAM focus of one map: min-max normalise, mean of the values
 * at or above NumPy's linear 90th percentile (see focus.h), with optional
 * (bi)linear resizing to input resolution first. */
#include "focus.h"

#include <math.h>
#include <stdlib.h>

#include "../common/err.h"

/* k-th smallest of a[0..n-1] (a is reordered); Hoare-style quickselect. */
static double select_kth(double *a, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* Focus of v[0..n-1] already in double; v is used as scratch after a copy. */
static double focus_of(const double *v, int64_t n, double *work)
{
    double mn = v[0], mx = v[0];
    for (int64_t i = 1; i < n; i++) {
        if (v[i] < mn)
            mn = v[i];
        if (v[i] > mx)
            mx = v[i];
    }
    if (!(mx > mn))
        return 0.0; /* a constant map carries no localisation */
    double range = mx - mn;
    for (int64_t i = 0; i < n; i++)
        work[i] = (v[i] - mn) / range;

    double h = 0.9 * (double)(n - 1);
    int64_t lo = (int64_t)floor(h);
    double t = h - (double)lo;
    double a = select_kth(work, n, lo);
    double b = a;
    if (lo + 1 < n) {
        /* after selection every element right of lo is >= a: the next order statistic is their minimum */
        b = work[lo + 1];
        for (int64_t i = lo + 2; i < n; i++)
            if (work[i] < b)
                b = work[i];
    }
    double d = b - a;
    double q = t < 0.5 ? a + d * t : b - d * (1.0 - t); /* numpy's _lerp */

    double sum = 0.0;
    int64_t cnt = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = (v[i] - mn) / range;
        if (x >= q) {
            sum += x;
            cnt++;
        }
    }
    return sum / (double)cnt; /* cnt >= 1: the maximum is always >= q */
}

static int focus_doubles(double *v, int64_t n, double *out)
{
    double *work = cs_malloc((size_t)n * sizeof *work);
    if (!work)
        return CS_ENOMEM;
    *out = focus_of(v, n, work);
    free(work);
    return 0;
}

int cs_focus(const float *map, int64_t n, double *scratch, double *out)
{
    if (n < 1)
        return cs_error(CS_EINVAL, "focus map has %lld positions, need at least 1", (long long)n);
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(map[i]))
            return cs_error(CS_EINVAL, "focus map holds a non-finite value at position %lld",
                            (long long)i);
    double *v = scratch ? scratch : cs_malloc((size_t)n * sizeof *v);
    if (!v)
        return CS_ENOMEM;
    for (int64_t i = 0; i < n; i++)
        v[i] = map[i];
    int rc = focus_doubles(v, n, out);
    if (!scratch)
        free(v);
    return rc;
}

/* Half-pixel-centre source coordinate for output index o: index i0, weight of i0+1. */
static void src_coord(int o, int in, int out, int *i0, double *f)
{
    double x = ((double)o + 0.5) * ((double)in / (double)out) - 0.5;
    if (x < 0)
        x = 0;
    int i = (int)floor(x);
    if (i >= in - 1) {
        *i0 = in - 1;
        *f = 0.0;
        return;
    }
    *i0 = i;
    *f = x - i;
}

int cs_focus_resized_2d(const float *map, int h, int w, int H, int W, double *scratch, double *out)
{
    if (h < 1 || w < 1 || H < 1 || W < 1)
        return cs_error(CS_EINVAL, "focus resize from %dx%d to %dx%d: sizes must be positive", h, w, H, W);
    for (int64_t i = 0; i < (int64_t)h * w; i++)
        if (!isfinite(map[i]))
            return cs_error(CS_EINVAL, "focus map holds a non-finite value at position %lld",
                            (long long)i);
    int64_t n = (int64_t)H * W;
    double *v = scratch ? scratch : cs_malloc((size_t)n * sizeof *v);
    if (!v)
        return CS_ENOMEM;
    for (int oy = 0; oy < H; oy++) {
        int y0;
        double fy;
        src_coord(oy, h, H, &y0, &fy);
        int y1 = y0 + (fy > 0 ? 1 : 0);
        for (int ox = 0; ox < W; ox++) {
            int x0;
            double fx;
            src_coord(ox, w, W, &x0, &fx);
            int x1 = x0 + (fx > 0 ? 1 : 0);
            double top = (1 - fx) * map[(int64_t)y0 * w + x0] + fx * map[(int64_t)y0 * w + x1];
            double bot = (1 - fx) * map[(int64_t)y1 * w + x0] + fx * map[(int64_t)y1 * w + x1];
            v[(int64_t)oy * W + ox] = (1 - fy) * top + fy * bot;
        }
    }
    int rc = focus_doubles(v, n, out);
    if (!scratch)
        free(v);
    return rc;
}

int cs_focus_resized_1d(const float *map, int l, int L, double *scratch, double *out)
{
    return cs_focus_resized_2d(map, 1, l, 1, L, scratch, out);
}
