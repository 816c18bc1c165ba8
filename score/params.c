/* params.c - the score parameters: their defaults, and the one mapping from
 * the config's score.* keys (config/schema.c) to them. */
#include <string.h>

#include "../config/config.h"
#include "score.h"

void cs_score_params_default(cs_score_params *p)
{
    memset(p, 0, sizeof *p);
    p->eva_k = 10;
    p->eva_early = 1;
    p->eva_late = 0;
    p->eva_w = 0.5;
    p->el2n_first = 1;
    p->el2n_last = 10;
    p->unc_last_k = 1;
    p->dyn_j = 10;
    p->focus_gamma = 1.0;
    p->tdds_beta = 0.9;
    p->enable = (1u << CS_SCORE_COUNT) - 1;
}

void cs_score_params_from_config(cs_score_params *p, const struct cs_config_score *s)
{
    cs_score_params_default(p);
    p->eva_k = s->eva_k;
    p->eva_early = s->eva_early_start;
    p->eva_late = s->eva_late_start;
    p->eva_unbiased = s->eva_unbiased;
    p->eva_normalise = s->eva_normalize;
    p->eva_weighted = s->eva_combine == CS_EVA_WEIGHTED;
    p->eva_w = s->eva_weight;
    p->el2n_first = s->el2n_from;
    p->el2n_last = s->el2n_to;
    p->forget_never_zero = s->forgetting_never == CS_NEVER_ZERO;
    p->unc_last_k = s->uncertainty_last;
    p->dyn_j = s->du_window;
    p->focus_gamma = s->focus_gamma;
    p->dual_j = s->dual_window;
    p->dual_epochs = s->dual_epochs;
    p->tdds_j = s->tdds_window;
    p->tdds_epochs = s->tdds_epochs;
    p->tdds_beta = s->tdds_beta;
}
