/* folds.c - stratified fold assignment and the training rows of one fold
 * (folds.h). */
#include "folds.h"

#include "../common/err.h"
#include "../common/rng.h"
#include "../formats/traj_columns.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

int cs_folds_assign(const int32_t *y, int64_t n, int num_classes, int K, uint64_t seed, uint8_t *fold)
{
    if (K < 1 || K > CS_FOLDS_MAX)
        return cs_error(CS_EINVAL, "score.folds must lie in 1..%d, got %d", CS_FOLDS_MAX, K);
    if (K > 1 && n < K)
        return cs_error(CS_EINVAL, "score.folds %d needs at least %d samples, the split has %lld", K, K, (long long)n);
    int64_t *idx = cs_malloc(sizeof *idx * (size_t)(n ? n : 1));
    if (!idx)
        return CS_ENOMEM;
    cs_rng rng;
    cs_rng_seed2(&rng, seed, CS_FOLDS_STREAM);
    int64_t deal = 0; /* continues across classes so the folds' sizes stay even too */
    for (int c = 0; c < num_classes; c++) {
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++)
            if (y[i] == c)
                idx[m++] = i;
        cs_rng_shuffle_i64(&rng, idx, m);
        for (int64_t j = 0; j < m; j++)
            fold[idx[j]] = (uint8_t)(deal++ % K);
    }
    free(idx);
    return 0;
}

int cs_folds_train_data(const cs_data *all, const uint8_t *fold, int k, cs_data *train)
{
    *train = *all;
    int64_t m = 0;
    for (int64_t i = 0; i < all->n; i++)
        m += fold[i] != k;
    size_t se = (size_t)all->sample_elems;
    train->n = m;
    train->x = cs_malloc(sizeof(float) * se * (size_t)(m ? m : 1));
    train->y = cs_malloc(sizeof(int32_t) * (size_t)(m ? m : 1));
    if (!train->x || !train->y) {
        free(train->x);
        free(train->y);
        memset(train, 0, sizeof *train);
        return CS_ENOMEM;
    }
    int64_t j = 0;
    for (int64_t i = 0; i < all->n; i++)
        if (fold[i] != k) {
            memcpy(train->x + (size_t)j * se, all->x + (size_t)i * se, sizeof(float) * se);
            train->y[j++] = all->y[i];
        }
    return 0;
}

int cs_folds_record_init(cs_epoch_record *rec, int64_t n, int num_classes, uint32_t fields)
{
    memset(rec, 0, sizeof *rec);
    rec->n = n;
    rec->num_classes = num_classes;
    size_t nn = (size_t)(n ? n : 1);
    int ok = 1;
    for (const cs_traj_column *c = cs_traj_columns; c < cs_traj_columns + CS_TRAJ_NUM_COLUMNS; c++) {
        if (!(fields & c->bit))
            continue;
        size_t elems = (size_t)cs_traj_column_elems(c, (int64_t)nn, num_classes);
        void *p = c->width == 1 ? cs_calloc(elems, 1) : cs_malloc(elems * 4);
        ok &= p != NULL;
        if (p && c->width == 4)
            for (size_t i = 0; i < elems; i++)
                ((float *)p)[i] = NAN;
        cs_traj_column_set(rec, c, p);
    }
    if (!ok) {
        cs_folds_record_release(rec);
        return CS_ENOMEM;
    }
    return 0;
}

void cs_folds_record_release(cs_epoch_record *rec)
{
    for (const cs_traj_column *c = cs_traj_columns; c < cs_traj_columns + CS_TRAJ_NUM_COLUMNS; c++)
        free((void *)cs_traj_column_get(rec, c));
    memset(rec, 0, sizeof *rec);
}

void cs_folds_record_merge(cs_epoch_record *dst, const cs_epoch_record *src, const uint8_t *fold, int k)
{
    for (const cs_traj_column *c = cs_traj_columns; c < cs_traj_columns + CS_TRAJ_NUM_COLUMNS; c++) {
        char *d = (char *)cs_traj_column_get(dst, c);
        const char *s = cs_traj_column_get(src, c);
        if (!d || !s)
            continue;
        size_t row = (size_t)c->width * (size_t)(c->per_class ? dst->num_classes : 1);
        for (int64_t i = 0; i < dst->n; i++)
            if (fold[i] == k)
                memcpy(d + (size_t)i * row, s + (size_t)i * row, row);
    }
}
