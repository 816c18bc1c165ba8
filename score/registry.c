/* registry.c - the scores coreset knows: names, important ends, parameters
 * and their defaults, checks, and the one-line description an index header
 * records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../common/numtext.h"
#include "score.h"
#include "score_int.h"

static const cs_score_info infos[CS_SCORE_COUNT] = {
    [CS_SCORE_EVA] = {"eva", CS_SCORE_HIGH, 0, "error-vector variance over an early and a late window"},
    [CS_SCORE_EL2N] = {"el2n", CS_SCORE_HIGH, 0, "mean error-vector norm over an epoch range"},
    [CS_SCORE_FORGETTING] = {"forgetting", CS_SCORE_HIGH, 0, "correct-to-incorrect transitions"},
    [CS_SCORE_AUM] = {"aum", CS_SCORE_LOW, 0, "mean logit margin (area under the margin)"},
    [CS_SCORE_ENTROPY] = {"entropy", CS_SCORE_HIGH, 0, "predictive entropy, last epochs"},
    [CS_SCORE_LEAST_CONF] = {"least_confidence", CS_SCORE_HIGH, 0, "1 - max p, last epochs"},
    [CS_SCORE_MARGIN] = {"margin", CS_SCORE_LOW, 0, "p_top1 - p_top2, last epochs"},
    [CS_SCORE_DYN_UNC] = {"dynamic_uncertainty", CS_SCORE_HIGH, 0, "mean sliding-window std of conf"},
    [CS_SCORE_FOCUS] = {"focus", CS_SCORE_HIGH, 0, "mean Grad-CAM focus over the epochs computed"},
    [CS_SCORE_FOCUS_WEIGHTED] = {"focus_weighted", CS_SCORE_HIGH, 0, "EVA focus-weighted: rank01(eva) * focus^gamma"},
    [CS_SCORE_LATE_CONF] = {"late_conf", CS_SCORE_LOW, 1, "mean conf over the late window"},
    [CS_SCORE_LATE_LOSS] = {"late_loss", CS_SCORE_HIGH, 1, "mean loss over the late window"},
};

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
    p->enable = (1u << CS_SCORE_COUNT) - 1;
}

const cs_score_info *cs_score_info_at(int id)
{
    return id >= 0 && id < CS_SCORE_COUNT ? &infos[id] : NULL;
}

int cs_score_lookup(const char *name)
{
    for (int i = 0; i < CS_SCORE_COUNT; i++)
        if (name && strcmp(name, infos[i].name) == 0)
            return i;
    char list[512] = "";
    size_t len = 0;
    for (int i = 0; i < CS_SCORE_COUNT && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", infos[i].name);
    return cs_error(CS_EINVAL, "unknown score '%s' (known: %s)", name ? name : "(null)", list);
}

int cs_score_direction(const char *name)
{
    int id = cs_score_lookup(name);
    return id < 0 ? id : infos[id].dir;
}

unsigned cs_score_needed(unsigned enable)
{
    if (enable & (1u << CS_SCORE_FOCUS_WEIGHTED))
        enable |= (1u << CS_SCORE_EVA) | (1u << CS_SCORE_FOCUS);
    return enable;
}

/* Whether score id is computed: enabled, or needed by one that is (its
 * parameters are checked either way). */
static int on(const cs_score_params *p, int id) { return (cs_score_needed(p->enable) >> id) & 1u; }

static int late_start(const cs_score_params *p, int T) { return p->eva_late ? p->eva_late : T - p->eva_k + 1; }

int cs_score_params_check(const cs_score_params *p, int T)
{
    if (T < 1)
        return cs_error(CS_EINVAL, "total epochs %d, must be at least 1", T);
    if (p->enable >> CS_SCORE_COUNT)
        return cs_error(CS_EINVAL, "score enable mask 0x%x names unknown scores", p->enable);
    int need_late = on(p, CS_SCORE_EVA) || on(p, CS_SCORE_LATE_CONF) || on(p, CS_SCORE_LATE_LOSS);
    if (need_late || on(p, CS_SCORE_EVA)) {
        if (p->eva_k < 2)
            return cs_error(CS_EINVAL, "eva window length K = %d, must be at least 2", p->eva_k);
        int tl = late_start(p, T);
        if (tl < 1 || tl + p->eva_k - 1 > T)
            return cs_error(CS_EINVAL, "eva late window %d..%d lies outside epochs 1..%d", tl,
                            tl + p->eva_k - 1, T);
    }
    if (on(p, CS_SCORE_EVA)) {
        int te = p->eva_early, tl = late_start(p, T);
        if (te < 1 || te + p->eva_k - 1 > T)
            return cs_error(CS_EINVAL, "eva early window %d..%d lies outside epochs 1..%d", te,
                            te + p->eva_k - 1, T);
        if (te + p->eva_k - 1 >= tl)
            return cs_error(CS_EINVAL,
                            "eva windows %d..%d and %d..%d overlap or are out of order (the early "
                            "window must end before the late one starts)",
                            te, te + p->eva_k - 1, tl, tl + p->eva_k - 1);
        if (p->eva_weighted && !(p->eva_w >= 0 && p->eva_w <= 1))
            return cs_error(CS_EINVAL, "eva weight w = %g, must lie in [0, 1]", p->eva_w);
    }
    if (on(p, CS_SCORE_EL2N) &&
        (p->el2n_first < 1 || p->el2n_last > T || p->el2n_first > p->el2n_last))
        return cs_error(CS_EINVAL, "el2n epochs %d..%d: need 1 <= first <= last <= %d", p->el2n_first,
                        p->el2n_last, T);
    if ((on(p, CS_SCORE_ENTROPY) || on(p, CS_SCORE_LEAST_CONF) || on(p, CS_SCORE_MARGIN)) &&
        (p->unc_last_k < 1 || p->unc_last_k > T))
        return cs_error(CS_EINVAL, "uncertainty over the last %d epochs: need 1..%d", p->unc_last_k, T);
    if (on(p, CS_SCORE_DYN_UNC) && (p->dyn_j < 1 || p->dyn_j > T))
        return cs_error(CS_EINVAL, "dynamic uncertainty window J = %d: need 1..%d", p->dyn_j, T);
    if (on(p, CS_SCORE_FOCUS_WEIGHTED) && !(isfinite(p->focus_gamma) && p->focus_gamma >= 0))
        return cs_error(CS_EINVAL, "focus weight exponent gamma = %g, must be finite and >= 0", p->focus_gamma);
    return 0;
}

int cs_score_params_describe(const cs_score_params *p, int T, const char *name, char *buf, size_t len)
{
    int id = cs_score_lookup(name);
    if (id < 0)
        return id;
    int tl = late_start(p, T), k = p->eva_k;
    char w[32];
    switch (id) {
    case CS_SCORE_EVA:
        cs_double_text(p->eva_w, w, sizeof w);
        if (p->eva_weighted)
            snprintf(buf, len, "K=%d early=%d..%d late=%d..%d var=%s norm=%s comb=weighted w=%s", k,
                     p->eva_early, p->eva_early + k - 1, tl, tl + k - 1, p->eva_unbiased ? "1/(K-1)" : "1/K",
                     p->eva_normalise ? "l1" : "none", w);
        else
            snprintf(buf, len, "K=%d early=%d..%d late=%d..%d var=%s norm=%s comb=sum", k, p->eva_early,
                     p->eva_early + k - 1, tl, tl + k - 1, p->eva_unbiased ? "1/(K-1)" : "1/K",
                     p->eva_normalise ? "l1" : "none");
        break;
    case CS_SCORE_EL2N:
        snprintf(buf, len, "epochs=%d..%d", p->el2n_first, p->el2n_last);
        break;
    case CS_SCORE_FORGETTING:
        snprintf(buf, len, "never_correct=%s", p->forget_never_zero ? "0" : "inf");
        break;
    case CS_SCORE_ENTROPY:
    case CS_SCORE_LEAST_CONF:
    case CS_SCORE_MARGIN:
        snprintf(buf, len, "epochs=%d..%d", T - p->unc_last_k + 1, T);
        break;
    case CS_SCORE_DYN_UNC:
        snprintf(buf, len, "J=%d std=population", p->dyn_j);
        break;
    case CS_SCORE_FOCUS_WEIGHTED:
        cs_double_text(p->focus_gamma, w, sizeof w);
        snprintf(buf, len, "base=eva gamma=%s", w);
        break;
    case CS_SCORE_LATE_CONF:
    case CS_SCORE_LATE_LOSS:
        snprintf(buf, len, "epochs=%d..%d", tl, tl + k - 1);
        break;
    default:
        snprintf(buf, len, "epochs=1..%d", T);
        break;
    }
    return 0;
}
