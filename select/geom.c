/* geom.c - the embedding check, distances, the reliability tiers and the
 * blocked kNN graph of the geometric rules (geom.h).
 *
 * kNN: row blocks of the group against column blocks, the inner products
 * from cs_sgemm (|x|^2 + |y|^2 - 2 x.y in float, fast enough for the
 * 54,000-sample graph on two cores); each row keeps its nearest k + SLACK
 * candidates by that estimate, which are then re-ranked by the exact double
 * distance (ties: lower position), so float cancellation cannot change which
 * k are kept unless it moves a neighbour by more than SLACK places. */
#include "geom.h"

#include "../common/err.h"
#include "../nn/gemm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cs_geom_check(const cs_select_inputs *in, const char *rule)
{
    if (!in->embed)
        return cs_error(CS_EINVAL, "pick '%s' needs the embeddings (recorded by coreset "
                                   "score with record.embed)", rule);
    if (in->embed_dim < 1)
        return cs_error(CS_EINVAL, "pick '%s': embedding dimension %d", rule, in->embed_dim);
    int64_t total = in->n * (int64_t)in->embed_dim;
    for (int64_t t = 0; t < total; t++)
        if (!isfinite(in->embed[t]))
            return cs_error(CS_EINVAL, "sample %lld: embedding value %lld is not finite",
                            (long long)(t / in->embed_dim), (long long)(t % in->embed_dim));
    return 0;
}

double cs_geom_dist2(const cs_select_inputs *in, int64_t i, int64_t j)
{
    const float *x = in->embed + i * in->embed_dim, *y = in->embed + j * in->embed_dim;
    double s = 0.0;
    for (int t = 0; t < in->embed_dim; t++) {
        double d = (double)x[t] - (double)y[t];
        s += d * d;
    }
    return s;
}

int cs_geom_tiered(cs_geom_pick_fn fn, const cs_select_params *p, const cs_select_inputs *in,
                   const cs_cand *a, int64_t len, const double *u, int64_t quota, int64_t *out)
{
    int64_t *idx = cs_malloc(sizeof *idx * (size_t)len);
    double *uu = u ? cs_malloc(sizeof *uu * (size_t)len) : NULL;
    if (!idx || (u && !uu)) {
        free(idx);
        free(uu);
        return CS_ENOMEM;
    }
    int rc = 0;
    int64_t got = 0;
    for (int tier = 0; tier <= 1 && got < quota && !rc; tier++) {
        int64_t m = 0;
        for (int64_t k = 0; k < len; k++)
            if ((a[k].tier != 0) == tier) {
                idx[m] = a[k].idx;
                if (u)
                    uu[m] = u[k];
                m++;
            }
        int64_t q = quota - got < m ? quota - got : m;
        if (q > 0)
            rc = fn(p, in, idx, m, u ? uu : NULL, q, out + got);
        got += q;
    }
    free(idx);
    free(uu);
    return rc;
}

enum { SLACK = 16, ROWS = 128, COLS = 2048 };

typedef struct knn_cand {
    double d;
    int64_t pos;
} knn_cand;

static int cand_cmp(const void *a, const void *b)
{
    const knn_cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Insert (d, pos) into the kc best of c[0..*used), kept sorted ascending. */
static void cand_insert(knn_cand *c, int *used, int kc, double d, int64_t pos)
{
    if (*used == kc && !(d < c[kc - 1].d))
        return;
    int at = *used < kc ? (*used)++ : kc - 1;
    while (at > 0 && c[at - 1].d > d) {
        c[at] = c[at - 1];
        at--;
    }
    c[at] = (knn_cand){d, pos};
}

int cs_geom_knn(const cs_select_inputs *in, const int64_t *idx, int64_t len, int k, int *kk,
                int64_t **nb, double **dist)
{
    *nb = NULL;
    *dist = NULL;
    int D = in->embed_dim;
    int K = len - 1 < k ? (int)(len - 1) : k;
    *kk = K;
    if (K <= 0)
        return 0;
    int kc = len - 1 < K + SLACK ? (int)(len - 1) : K + SLACK;
    float *x = cs_malloc(sizeof *x * (size_t)len * (size_t)D);
    float *norm = cs_malloc(sizeof *norm * (size_t)len);
    knn_cand *cand = cs_malloc(sizeof *cand * (size_t)len * (size_t)kc);
    int64_t *onb = cs_malloc(sizeof *onb * (size_t)len * (size_t)K);
    double *od = cs_malloc(sizeof *od * (size_t)len * (size_t)K);
    if (!x || !norm || !cand || !onb || !od) {
        free(x), free(norm), free(cand), free(onb), free(od);
        return CS_ENOMEM;
    }
    for (int64_t r = 0; r < len; r++) {
        memcpy(x + r * D, in->embed + idx[r] * D, sizeof *x * (size_t)D);
        double s = 0;
        for (int t = 0; t < D; t++)
            s += (double)x[r * D + t] * x[r * D + t];
        norm[r] = (float)s;
    }
    int nblocks = (int)((len + ROWS - 1) / ROWS), fail = 0;
    cs_gemm_single_thread();
    /* Each row block is independent: the result does not depend on the threads. */
#pragma omp parallel if (len >= CS_GEOM_PARALLEL_MIN)
    {
        float *g = cs_malloc(sizeof *g * ROWS * COLS);
        int *used = cs_malloc(sizeof *used * ROWS);
        if (!g || !used) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(dynamic)
        for (int b = 0; b < nblocks; b++) {
            if (!g || !used)
                continue;
            int64_t r0 = (int64_t)b * ROWS;
            int rows = (int)(len - r0 < ROWS ? len - r0 : ROWS);
            memset(used, 0, sizeof *used * ROWS);
            for (int64_t c0 = 0; c0 < len; c0 += COLS) {
                int cols = (int)(len - c0 < COLS ? len - c0 : COLS);
                cs_sgemm(0, 1, rows, cols, D, 1.0f, x + r0 * D, D, x + c0 * D, D, 0.0f, g, cols);
                for (int r = 0; r < rows; r++) {
                    knn_cand *c = cand + (r0 + r) * kc;
                    for (int j = 0; j < cols; j++) {
                        int64_t pos = c0 + j;
                        if (pos == r0 + r)
                            continue;
                        double d = (double)norm[r0 + r] + norm[pos] - 2.0 * g[(size_t)r * cols + j];
                        cand_insert(c, &used[r], kc, d, pos);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int64_t row = r0 + r;
                knn_cand *c = cand + row * kc;
                for (int t = 0; t < used[r]; t++)
                    c[t].d = cs_geom_dist2(in, idx[row], idx[c[t].pos]);
                qsort(c, (size_t)used[r], sizeof *c, cand_cmp);
                for (int t = 0; t < K; t++) {
                    onb[row * K + t] = c[t].pos;
                    od[row * K + t] = sqrt(c[t].d);
                }
            }
        }
        free(g);
        free(used);
    }
    free(x);
    free(norm);
    free(cand);
    if (fail) {
        free(onb);
        free(od);
        return CS_ENOMEM;
    }
    *nb = onb;
    *dist = od;
    return 0;
}
