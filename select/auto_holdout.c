/* auto_holdout.c - the stratified holdout (auto_holdout.h). */
#include "auto_holdout.h"

#include "../common/err.h"
#include "../common/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct keyed {
    double key;
    int64_t i;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int cs_auto_holdout(const int32_t *labels, int64_t n, int num_classes, double frac, uint64_t seed, uint8_t *out,
                    int64_t *held)
{
    *held = 0;
    memset(out, 0, (size_t)n);
    keyed *k = cs_malloc(sizeof *k * (size_t)(n ? n : 1));
    int64_t *size = cs_calloc((size_t)num_classes + 1, sizeof *size);
    if (!k || !size) {
        free(k);
        free(size);
        return CS_ENOMEM;
    }
    cs_rng rng;
    cs_rng_seed2(&rng, seed, CS_AUTO_HOLDOUT_STREAM);
    /* class-major order, keys drawn in sample order */
    for (int64_t i = 0; i < n; i++)
        size[labels[i] + 1]++;
    for (int c = 0; c < num_classes; c++)
        size[c + 1] += size[c];
    int64_t *fill = cs_calloc((size_t)num_classes, sizeof *fill);
    if (!fill) {
        free(k);
        free(size);
        return CS_ENOMEM;
    }
    for (int64_t i = 0; i < n; i++) {
        int c = labels[i];
        k[size[c] + fill[c]++] = (keyed){cs_rng_uniform(&rng), i};
    }
    int rc = 0;
    for (int c = 0; c < num_classes && !rc; c++) {
        int64_t nc = size[c + 1] - size[c];
        if (nc == 0)
            continue;
        int64_t h = (int64_t)floor(frac * (double)nc + 0.5);
        if (h == 0 || h == nc) {
            rc = cs_error(CS_EINVAL,
                          "a %g holdout of class %d (%lld training samples) leaves %s: give --val holdout:F with "
                          "another F, or a dataset with a val split (dataset.val_split)",
                          frac, c, (long long)nc, h == 0 ? "no sample of it to validate on" : "none of it to select");
            break;
        }
        qsort(k + size[c], (size_t)nc, sizeof *k, by_key);
        for (int64_t j = 0; j < h; j++)
            out[k[size[c] + j].i] = 1;
        *held += h;
    }
    free(k);
    free(size);
    free(fill);
    return rc;
}
