/* quota.c - budget, exact water-filling of the class weights (each mode's,
 * quota_modes.c) and largest-remainder rounding.
 *
 * The authors' RCAP code re-spreads the whole budget after saturating a
 * class and so overshoots M; here only the budget left after the saturated
 * classes is re-spread, so sum n_c == M always. */
#include "quota.h"

#include "../common/err.h"

#include <math.h>
#include <stdlib.h>

static int near_int(double x, double r) { return fabs(x - r) <= 1e-9 * fmax(1.0, fabs(x)); }

int64_t cs_robust_ceil(double x)
{
    double r = nearbyint(x);
    return (int64_t)(near_int(x, r) ? r : ceil(x));
}

int64_t cs_robust_floor(double x)
{
    double r = nearbyint(x);
    return (int64_t)(near_int(x, r) ? r : floor(x));
}

int cs_select_budget(double rate, int64_t count, int64_t n, int64_t *m)
{
    if (n <= 0)
        return cs_error(CS_EINVAL, "cannot select from an empty set (N = %lld)", (long long)n);
    if (count < 0)
        return cs_error(CS_EINVAL, "count %lld: must be positive", (long long)count);
    if (count > 0) {
        if (count > n)
            return cs_error(CS_EINVAL, "count %lld: more than the %lld samples", (long long)count,
                            (long long)n);
        *m = count;
        return 0;
    }
    if (!(rate > 0.0 && rate <= 1.0))
        return cs_error(CS_EINVAL, "rate %g: must be in (0, 1]", rate);
    int64_t v = cs_robust_ceil(rate * (double)n);
    /* A rate just above 0 still selects one sample; the epsilon never pushes past N. */
    *m = v < 1 ? 1 : v > n ? n : v;
    return 0;
}

int cs_quota_waterfill(const double *w, const int64_t *cap, int nc, int64_t m, double *q)
{
    int rc = 0;
    int64_t total = 0;
    for (int c = 0; c < nc; c++) {
        if (cap[c] < 0 || !(w[c] >= 0.0) || !isfinite(w[c]))
            return cs_error(CS_EINVAL, "class %d: weight %g or size %lld out of range", c, w[c],
                            (long long)cap[c]);
        total += cap[c];
    }
    if (m < 0 || m > total)
        return cs_error(CS_EINVAL, "budget %lld: classes hold only %lld samples", (long long)m,
                        (long long)total);
    char *sat = cs_calloc((size_t)nc, 1);
    if (!sat)
        return CS_ENOMEM;
    for (int c = 0; c < nc; c++) {
        q[c] = cap[c] == 0 ? 0.0 : NAN;
        sat[c] = cap[c] == 0;
    }
    for (;;) {
        double left = (double)m, wsum = 0.0;
        int open = 0;
        for (int c = 0; c < nc; c++) {
            if (sat[c])
                left -= (double)cap[c];
            else {
                wsum += w[c];
                open++;
            }
        }
        if (!open)
            break;
        /* No weight left among open classes: spread over them by size. */
        int by_cap = !(wsum > 0.0);
        if (by_cap) {
            wsum = 0.0;
            for (int c = 0; c < nc; c++)
                if (!sat[c])
                    wsum += (double)cap[c];
        }
        int over = 0;
        for (int c = 0; c < nc; c++) {
            if (sat[c])
                continue;
            double wc = by_cap ? (double)cap[c] : w[c];
            q[c] = left * wc / wsum;
            if (q[c] > (double)cap[c])
                over = 1;
        }
        if (!over)
            break;
        /* Saturate every class that is over at once: the level only rises as
         * classes leave, so each of them would stay over. */
        for (int c = 0; c < nc; c++)
            if (!sat[c] && q[c] > (double)cap[c]) {
                sat[c] = 1;
                q[c] = (double)cap[c];
            }
    }
    for (int c = 0; c < nc; c++)
        if (sat[c])
            q[c] = (double)cap[c];
    free(sat);
    return rc;
}

typedef struct frac_item {
    double frac;
    int c;
} frac_item;

static int frac_cmp(const void *a, const void *b)
{
    const frac_item *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

int cs_quota_round(const double *q, const int64_t *cap, int nc, int64_t m, int64_t *out)
{
    frac_item *it = cs_malloc(sizeof *it * (size_t)(nc > 0 ? nc : 1));
    if (!it)
        return CS_ENOMEM;
    int64_t used = 0, room = 0;
    for (int c = 0; c < nc; c++) {
        double v = q[c];
        /* Snap values a rounding error away from an integer, so 474.99999999
         * counts as 475 with remainder 0, not as 474 with the top remainder. */
        double r = nearbyint(v);
        if (near_int(v, r))
            v = r;
        double f = floor(v);
        int64_t k = (int64_t)f;
        if (k < 0)
            k = 0;
        if (k > cap[c])
            k = cap[c];
        out[c] = k;
        used += k;
        room += cap[c] - k;
        it[c].frac = v - f;
        it[c].c = c;
    }
    int rc = 0;
    if (used > m || m - used > room) {
        rc = cs_error(CS_EINTERNAL, "quota rounding: %lld of %lld assigned, %lld room",
                      (long long)used, (long long)m, (long long)room);
        goto out;
    }
    qsort(it, (size_t)nc, sizeof *it, frac_cmp);
    /* Usually one pass hands out the remainder; more passes only if classes are full. */
    while (used < m)
        for (int j = 0; j < nc && used < m; j++) {
            int c = it[j].c;
            if (out[c] < cap[c]) {
                out[c]++;
                used++;
            }
        }
out:
    free(it);
    return rc;
}

int cs_quota_weights(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, double *w)
{
    const cs_quota_info *q = cs_quota_info_at(mode);
    if (!q || !q->weights)
        return cs_error(CS_EINVAL, "quota mode %d has no class weights", (int)mode);
    return q->weights(cap, lc, nc, w);
}

int cs_quota_compute(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, int64_t m,
                     int64_t *out, double *q)
{
    double *w = cs_malloc(sizeof *w * (size_t)(nc > 0 ? nc : 1));
    double *qq = q ? q : cs_malloc(sizeof *qq * (size_t)(nc > 0 ? nc : 1));
    int rc = (!w || !qq) ? CS_ENOMEM : 0;
    if (!rc)
        rc = cs_quota_weights(mode, cap, lc, nc, w);
    if (!rc)
        rc = cs_quota_waterfill(w, cap, nc, m, qq);
    if (!rc)
        rc = cs_quota_round(qq, cap, nc, m, out);
    free(w);
    if (!q)
        free(qq);
    return rc;
}

int cs_rcap_class_loss(const double *loss, const int32_t *labels, int64_t n, int nc, double *lc)
{
    if (nc < 1)
        return cs_error(CS_EINVAL, "rcap: %d classes", nc);
    double hi = log((double)nc);
    for (int c = 0; c < nc; c++)
        lc[c] = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (labels[i] < 0 || labels[i] >= nc)
            return cs_error(CS_EINVAL, "sample %lld: label %d outside [0, %d)", (long long)i,
                            (int)labels[i], nc);
        if (isnan(loss[i]))
            return cs_error(CS_EINVAL, "sample %lld: loss is NaN", (long long)i);
        double l = loss[i] < 0.0 ? 0.0 : loss[i] > hi ? hi : loss[i];
        lc[labels[i]] += l;
    }
    return 0;
}
