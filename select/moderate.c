/* moderate.c - Moderate coreset (Xia et al., ICLR 2023), METHODS.md
 * section 6: inside a group, d(i) = |h(i) - med_c| with med_c the
 * coordinate-wise median embedding of i's class over the group's members
 * (the mean of the two middle values for an even count, as numpy.median);
 * sort the group by (d, index) and keep the quota ranks centred on the
 * middle, [floor((len - quota) / 2), + quota): both ends are pruned, as
 * d2pruning's moderate_selection keeps ranks [N(1-r)/2, N(1+r)/2).  With
 * quota none the band is global (the authors' setting), with a quota mode
 * it is per class.  The reliability filter: geom.h's tiers. */
#include "../common/err.h"
#include "geom.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int moderate_tier(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx,
                         int64_t len, const double *u, int64_t quota, int64_t *out)
{
    (void)p;
    (void)u;
    int D = in->embed_dim, C = in->num_classes;
    int64_t *cnt = cs_calloc((size_t)C + 1, sizeof *cnt);
    int64_t *by = cs_malloc(sizeof *by * (size_t)len);
    double *col = cs_malloc(sizeof *col * (size_t)len);
    double *med = cs_malloc(sizeof *med * (size_t)C * (size_t)D);
    cs_cand *c = cs_malloc(sizeof *c * (size_t)len);
    int rc = 0;
    if (!cnt || !by || !col || !med || !c) {
        rc = CS_ENOMEM;
        goto out;
    }
    /* The members of each class, contiguous (counting sort). */
    for (int64_t k = 0; k < len; k++)
        cnt[in->labels[idx[k]] + 1]++;
    for (int l = 0; l < C; l++)
        cnt[l + 1] += cnt[l];
    for (int64_t k = 0; k < len; k++)
        by[cnt[in->labels[idx[k]]]++] = idx[k];
    for (int l = C; l > 0; l--)
        cnt[l] = cnt[l - 1];
    cnt[0] = 0;
    for (int l = 0; l < C; l++) {
        int64_t m = cnt[l + 1] - cnt[l];
        if (m == 0)
            continue;
        for (int t = 0; t < D; t++) {
            for (int64_t k = 0; k < m; k++)
                col[k] = in->embed[by[cnt[l] + k] * D + t];
            qsort(col, (size_t)m, sizeof *col, cmp_double);
            med[(size_t)l * D + t] = m % 2 ? col[m / 2] : (col[m / 2 - 1] + col[m / 2]) / 2.0;
        }
    }
    /* Key -d: cs_cand_sort (key descending, then index) orders by d
     * ascending, ties by the lower index. */
    for (int64_t k = 0; k < len; k++) {
        const float *h = in->embed + idx[k] * D;
        const double *mc = med + (size_t)in->labels[idx[k]] * D;
        double s = 0;
        for (int t = 0; t < D; t++) {
            double e = (double)h[t] - mc[t];
            s += e * e;
        }
        c[k] = (cs_cand){.idx = idx[k], .tier = 0, .key = -sqrt(s)};
    }
    cs_cand_sort(c, len);
    int64_t lo = (len - quota) / 2;
    for (int64_t j = 0; j < quota; j++)
        out[j] = c[lo + j].idx;
out:
    free(cnt);
    free(by);
    free(col);
    free(med);
    free(c);
    return rc;
}

static int moderate_check(const cs_select_params *p, const cs_select_inputs *in)
{
    (void)p;
    if (!in->labels)
        return cs_error(CS_EINVAL, "pick 'moderate' needs the labels (class medians)");
    return cs_geom_check(in, cs_rule_moderate.name);
}

static int moderate_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                         const double *u, int64_t quota, int64_t *out)
{
    return cs_geom_tiered(moderate_tier, p, in, a, len, u, quota, out);
}

static void moderate_describe(const cs_select_params *p, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "%s distance=euclidean centre=class-median band=middle", cs_rule_moderate.name);
}

const cs_select_rule cs_rule_moderate = {
    .name = "moderate",
    .needs_embed = 1,
    .check = moderate_check,
    .pick = moderate_pick,
    .describe = moderate_describe,
};
