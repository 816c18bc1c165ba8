/* focus_mean.c - the focus score: the mean of the non-NaN Grad-CAM focus
 * values (focus.c computes one map's) over all runs and epochs, pooled; a
 * sample never computed gets NaN (cs_score_acc_focus_missing counts them). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score_int.h"

/* the state: epochs with a focus value, per sample */
static int create(void **state, const cs_score_ctx *c)
{
    *state = cs_calloc((size_t)c->n, sizeof(int64_t));
    return *state ? 0 : CS_ENOMEM;
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    int64_t *cnt = state;
    if (!rec->focus)
        return;
    for (int64_t i = 0; i < c->n; i++)
        if (!isnan(rec->focus[i])) {
            out[i] += rec->focus[i];
            cnt[i]++;
        }
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    const int64_t *cnt = state;
    (void)final;
    for (int64_t i = 0; i < c->n; i++)
        out[i] = cnt[i] ? out[i] / (double)cnt[i] : NAN;
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "epochs=1..%d", T);
}

const cs_score_desc cs_score_desc_focus = {
    .info = {"focus", CS_SCORE_HIGH, 0, "mean Grad-CAM focus over the epochs computed"},
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .release = free,
};
