/* uncertainty.c - what the uncertainty scores share: the last unc_last_k
 * epochs that entropy, least confidence and margin average over, and the
 * bookkeeping of the two probability scores (least_confidence.c, margin.c),
 * which for C > 2 cannot be derived from a record without probabilities. */
#include <stdio.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score_int.h"

int cs_unc_last_check(const cs_score_params *p, int T)
{
    if (p->unc_last_k < 1 || p->unc_last_k > T)
        return cs_error(CS_EINVAL, "uncertainty over the last %d epochs: need 1..%d", p->unc_last_k, T);
    return 0;
}

void cs_unc_last_epochs(const cs_score_params *p, int T, int *first, int *last)
{
    *first = T - p->unc_last_k + 1;
    *last = T;
}

void cs_unc_last_describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    snprintf(buf, len, "epochs=%d..%d", T - p->unc_last_k + 1, T);
}

/* The first record that lacked probabilities; epoch 0: none did. */
typedef struct {
    int run, epoch;
} probs_gap;

int cs_unc_probs_create(void **state, const cs_score_ctx *c)
{
    (void)c;
    *state = cs_calloc(1, sizeof(probs_gap));
    return *state ? 0 : CS_ENOMEM;
}

void cs_unc_probs_missing(void *state, const cs_epoch_record *rec)
{
    probs_gap *g = state;
    if (!g->epoch) {
        g->run = rec->run;
        g->epoch = rec->epoch;
    }
}

int cs_unc_probs_usable(const void *state, const cs_score_ctx *c, const char *name)
{
    const probs_gap *g = state;
    if (!g->epoch)
        return 0;
    return cs_error(CS_EUNSUP,
                    "score '%s' needs softmax probabilities with %d classes, and run %d epoch %d was "
                    "recorded without them (score with --set record.probs=yes, or use 'entropy')",
                    name, c->C, g->run, g->epoch);
}

void cs_unc_probs_release(void *state) { free(state); }
