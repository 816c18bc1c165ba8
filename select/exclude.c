/* exclude.c - selection without the excluded samples (exclude.h). */
#include "exclude.h"

#include "../common/err.h"
#include "quota.h"

#include <stdlib.h>
#include <string.h>

/* The values of `src` at the kept positions, or NULL for a NULL input. */
static int compact(const double *src, const int64_t *keep, int64_t k, double **out)
{
    *out = NULL;
    if (!src)
        return 0;
    double *d = cs_malloc(sizeof *d * (size_t)(k ? k : 1));
    if (!d)
        return CS_ENOMEM;
    for (int64_t i = 0; i < k; i++)
        d[i] = src[keep[i]];
    *out = d;
    return 0;
}

/* The kept rows of an n x d float matrix (the embeddings), or NULL for NULL. */
static int compact_rows(const float *src, int d, const int64_t *keep, int64_t k, float **out)
{
    *out = NULL;
    if (!src)
        return 0;
    float *r = cs_malloc(sizeof *r * (size_t)d * (size_t)(k ? k : 1));
    if (!r)
        return CS_ENOMEM;
    for (int64_t i = 0; i < k; i++)
        memcpy(r + (size_t)i * (size_t)d, src + (size_t)keep[i] * (size_t)d, sizeof *r * (size_t)d);
    *out = r;
    return 0;
}

int cs_select_run_excluding(const cs_select_params *p, const cs_select_inputs *in, int64_t **idx, int64_t *m,
                            cs_select_report *rep)
{
    *idx = NULL;
    *m = 0;
    int64_t budget, k = 0;
    int rc = cs_select_budget(p->rate, p->count, in->n, &budget);
    if (rc)
        return rc;
    int64_t *keep = cs_malloc(sizeof *keep * (size_t)(in->n ? in->n : 1));
    int32_t *labels = NULL;
    double *score = NULL, *loss = NULL, *late_conf = NULL, *focus = NULL, *helper = NULL;
    float *embed = NULL;
    if (!keep)
        return CS_ENOMEM;
    for (int64_t i = 0; i < in->n; i++)
        if (!in->exclude[i])
            keep[k++] = i;
    if (budget > k) {
        rc = cs_error(CS_EINVAL, "the budget of %lld samples exceeds the %lld outside the validation holdout",
                      (long long)budget, (long long)k);
        goto out;
    }
    if (in->labels) {
        if (!(labels = cs_malloc(sizeof *labels * (size_t)(k ? k : 1)))) {
            rc = CS_ENOMEM;
            goto out;
        }
        for (int64_t i = 0; i < k; i++)
            labels[i] = in->labels[keep[i]];
    }
    /* Every per-sample input of cs_select_inputs is compacted here: a new
     * one must be added to this list too. */
    if ((rc = compact(in->score, keep, k, &score)) || (rc = compact(in->loss, keep, k, &loss)) ||
        (rc = compact(in->late_conf, keep, k, &late_conf)) || (rc = compact(in->focus, keep, k, &focus)) ||
        (rc = compact(in->helper, keep, k, &helper)) ||
        (rc = compact_rows(in->embed, in->embed_dim, keep, k, &embed)))
        goto out;
    cs_select_inputs sub = *in;
    sub.n = k;
    sub.labels = labels;
    sub.score = score;
    sub.loss = loss;
    sub.late_conf = late_conf;
    sub.focus = focus;
    sub.helper = helper;
    sub.embed = embed;
    sub.exclude = NULL;
    cs_select_params q = *p;
    q.count = budget;
    if ((rc = cs_select_run(&q, &sub, idx, m, rep)))
        goto out;
    /* ascending in the pool is ascending in the whole set */
    for (int64_t j = 0; j < *m; j++)
        (*idx)[j] = keep[(*idx)[j]];
out:
    free(keep);
    free(labels);
    free(score);
    free(loss);
    free(late_conf);
    free(focus);
    free(helper);
    free(embed);
    return rc;
}
