/* stats.c - subsample, histograms, cut, plane categories (see stats.h). */
#include "stats.h"

#include "../common/rng.h"
#include "../score/score.h"

#include <math.h>

int64_t cs_subsample(int64_t n, int64_t k, uint64_t seed, int64_t *out)
{
    if (k > n)
        k = n;
    cs_rng rng;
    cs_rng_seed(&rng, seed);
    int64_t got = 0;
    /* Knuth's algorithm S: take i with probability (still needed) / (still left). */
    for (int64_t i = 0; i < n && got < k; i++)
        if ((int64_t)cs_rng_below(&rng, (uint64_t)(n - i)) < k - got)
            out[got++] = i;
    return got;
}

void cs_report_effective_epochs(const cs_report_data *d, double *ee)
{
    /* frames of one run are consecutive in the trajectory */
    for (int k = 0; k < d->nepochs; k++) {
        double prev = k && d->epochs[k - 1].run == d->epochs[k].run ? ee[k - 1] : 0;
        ee[k] = prev + (isnan(d->epochs[k].used) ? 0 : d->epochs[k].used);
    }
}

void cs_value_range(const double *v, int64_t n, double *lo, double *hi)
{
    double a = INFINITY, b = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            a = v[i] < a ? v[i] : a;
            b = v[i] > b ? v[i] : b;
        }
    if (a > b) {
        a = 0;
        b = 1;
    }
    *lo = a;
    *hi = b;
}

void cs_report_hist(const cs_report_data *d, int c, double lo, double hi, cs_hist *h)
{
    *h = (cs_hist){0};
    h->lo = lo;
    h->hi = hi > lo ? hi : lo + 1;
    double width = (h->hi - h->lo) / CS_REPORT_BINS;
    for (int64_t i = 0; i < d->n; i++) {
        if (d->labels[i] != c)
            continue;
        double v = d->score_v[i];
        int kept = d->kept && d->kept[i];
        h->total++;
        h->total_kept += kept;
        if (isnan(v)) {
            h->nan++;
        } else if (isinf(v)) {
            *(v > 0 ? &h->pos_inf : &h->neg_inf) += 1;
        } else {
            int b = (int)floor((v - h->lo) / width);
            b = b < 0 ? 0 : b >= CS_REPORT_BINS ? CS_REPORT_BINS - 1 : b;
            h->all[b]++;
            h->kept[b] += kept;
        }
    }
}

int cs_report_cut(const cs_report_data *d, int c, double *cut)
{
    if (!d->kept)
        return 0;
    int high = d->score_dir == CS_SCORE_HIGH;
    /* the least important kept value, the most important removed one */
    double kept_edge = high ? INFINITY : -INFINITY, removed_edge = high ? -INFINITY : INFINITY;
    int64_t kept = 0, removed = 0;
    for (int64_t i = 0; i < d->n; i++) {
        double v = d->score_v[i];
        if (d->labels[i] != c || isnan(v))
            continue;
        if (d->kept[i]) {
            kept++;
            kept_edge = high ? fmin(kept_edge, v) : fmax(kept_edge, v);
        } else {
            removed++;
            removed_edge = high ? fmax(removed_edge, v) : fmin(removed_edge, v);
        }
    }
    if (!kept || !removed || (high ? removed_edge > kept_edge : removed_edge < kept_edge))
        return 0;
    *cut = kept_edge;
    return 1;
}

int cs_report_plane_kind(const cs_report_data *d, int64_t i)
{
    if (!d->late_conf || !d->focus || isnan(d->late_conf[i]) || isnan(d->focus[i]))
        return CS_PLANE_UNKNOWN;
    int confident = d->late_conf[i] >= d->tau, diffuse = d->focus[i] < d->phi;
    if (d->kept ? d->kept[i] : !confident && !diffuse)
        return CS_PLANE_KEPT;
    return confident ? CS_PLANE_CONF : diffuse ? CS_PLANE_FOCUS : CS_PLANE_OTHER;
}
