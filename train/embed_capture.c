/* embed_capture.c - which epochs store embeddings, and the copy of each batch's
 * pooled features into the epoch's N x D rows (see embed_capture.h). */
#include "embed_capture.h"

#include "../common/err.h"
#include "../formats/embed_file.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Add ep to the ascending set (no duplicates). */
static void add_epoch(int *epochs, int *count, int ep)
{
    int k = *count;
    for (int j = 0; j < k; j++)
        if (epochs[j] == ep)
            return;
    while (k > 0 && epochs[k - 1] > ep) {
        epochs[k] = epochs[k - 1];
        k--;
    }
    epochs[k] = ep;
    (*count)++;
}

int cs_embed_epochs(const cs_config *cfg, int *epochs, int *count)
{
    *count = 0;
    if (!cfg->record.embed)
        return 0;
    int T = cfg->train.epochs, K = cfg->score.eva_k;
    const char *v = cfg->record.embed_epochs;
    if (!strcmp(v, "auto")) {
        /* EVA's windows as score/eva.c places them; a window that does not fit the
         * run (EVA is left out then) adds nothing. */
        int early_end = cfg->score.eva_early_start + K - 1;
        int late_end = (cfg->score.eva_late_start ? cfg->score.eva_late_start : T - K + 1) + K - 1;
        if (early_end >= 1 && early_end <= T)
            add_epoch(epochs, count, early_end);
        if (late_end >= 1 && late_end <= T)
            add_epoch(epochs, count, late_end);
        add_epoch(epochs, count, T);
        return 0;
    }
    for (const char *p = v; *p;) {
        char *end;
        long e = strtol(p, &end, 10);
        if (end == p || e < 1)
            return cs_error(CS_EINVAL, "record.embed_epochs: '%s' is not a list of epoch numbers", v);
        if (e > T)
            return cs_error(CS_EINVAL, "record.embed_epochs: epoch %ld is beyond train.epochs (%d)", e, T);
        if (*count == CS_EMBED_MAX_EPOCHS)
            return cs_error(CS_EINVAL, "record.embed_epochs: at most %d epochs", CS_EMBED_MAX_EPOCHS);
        add_epoch(epochs, count, (int)e);
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

int cs_embed_capture_init(cs_embed_capture *c, const cs_config *cfg, const cs_model *m, int64_t n, int on)
{
    memset(c, 0, sizeof *c);
    if (!on)
        return 0;
    int rc = cs_embed_epochs(cfg, c->epochs, &c->num_epochs);
    if (rc || c->num_epochs == 0)
        return rc;
    /* The width is the linear head's input: fc.weight is (classes, D). */
    int fc = cs_model_find(m, "fc.weight");
    if (fc < 0)
        return cs_error(CS_EINVAL, "model.name: this model has no linear head 'fc', so no embeddings; "
                        "hint: record.embed: false");
    c->d = cs_model_tensor(m, fc)->shape[1];
    c->n = n;
    c->dtype = cfg->record.embed_dtype == CS_EMBED_DTYPE_FLOAT32 ? CS_EMBED_F32 : CS_EMBED_F16;
    if (!(c->emb = cs_malloc(sizeof *c->emb * (size_t)(n ? n : 1) * (size_t)c->d)))
        return cs_error(CS_ENOMEM, "out of memory for the embeddings (%lld samples x %d floats); hint: record.embed: false",
                        (long long)n, c->d);
    c->on = 1;
    return 0;
}

void cs_embed_capture_release(cs_embed_capture *c)
{
    free(c->emb);
    memset(c, 0, sizeof *c);
}

int cs_embed_capture_wants(const cs_embed_capture *c, int ep)
{
    for (int k = 0; c->on && k < c->num_epochs; k++)
        if (c->epochs[k] == ep)
            return 1;
    return 0;
}

int cs_embed_capture_batch(cs_embed_capture *c, cs_model *m, const int64_t *idx, int64_t start, int bs)
{
    int d;
    double t0 = now();
    const float *f = cs_model_features(m, &d);
    if (!f)
        return CS_EINVAL;
    if (d != c->d)
        return cs_error(CS_EINTERNAL, "embeddings: the model's pooled features have %d values, expected %d", d, c->d);
    for (int j = 0; j < bs; j++) {
        int64_t i = idx ? idx[j] : start + j;
        memcpy(c->emb + i * d, f + (int64_t)j * d, sizeof(float) * (size_t)d);
    }
    c->seconds += now() - t0;
    return 0;
}
