/* forgetting.c - forgetting events (Toneva et al.): correct -> incorrect
 * transitions between consecutive epochs of one run; a sample never correct
 * in the run counts +inf (unlearnable), or 0 as DeepCore does.  Averaged over
 * runs (+inf stays +inf). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score_int.h"

typedef struct {
    uint8_t *prev, *ever; /* correct in the last epoch, in any epoch of this run */
    int32_t *count;       /* this run's transitions */
} forget_state;

static void release(void *state)
{
    forget_state *s = state;
    if (!s)
        return;
    free(s->prev);
    free(s->ever);
    free(s->count);
    free(s);
}

static int create(void **state, const cs_score_ctx *c)
{
    forget_state *s = cs_calloc(1, sizeof *s);
    if (!s)
        return CS_ENOMEM;
    s->prev = cs_calloc((size_t)c->n, 1);
    s->ever = cs_calloc((size_t)c->n, 1);
    s->count = cs_calloc((size_t)c->n, sizeof(int32_t));
    *state = s;
    return s->prev && s->ever && s->count ? 0 : CS_ENOMEM;
}

/* One epoch of a run (first: epoch 1, nothing to compare with). */
static void step(forget_state *s, const uint8_t *correct, int64_t n, int first)
{
    for (int64_t i = 0; i < n; i++) {
        uint8_t c = correct[i] != 0;
        if (first) {
            s->count[i] = 0;
            s->ever[i] = 0;
        } else if (s->prev[i] && !c) {
            s->count[i]++;
        }
        s->ever[i] |= c;
        s->prev[i] = c;
    }
}

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    forget_state *s = state;
    step(s, rec->correct, c->n, rec->epoch == 1);
    if (rec->epoch != c->T)
        return;
    /* the run's last epoch: out += its count */
    int never_zero = c->p->forget_never_zero;
    for (int64_t i = 0; i < c->n; i++)
        out[i] += s->ever[i] ? (double)s->count[i] : never_zero ? 0.0 : INFINITY;
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)state;
    (void)final;
    cs_score_div(out, c->n, c->R);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)T;
    snprintf(buf, len, "never_correct=%s", p->forget_never_zero ? "0" : "inf");
}

const cs_score_desc cs_score_desc_forgetting = {
    .info = {"forgetting", CS_SCORE_HIGH, 0, "correct-to-incorrect transitions"},
    .describe = describe,
    .create = create,
    .add = add,
    .finish = finish,
    .release = release,
};
