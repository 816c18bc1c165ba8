/* dual.c - the rule `dual` (rule.h): DUAL's pruning-ratio-adaptive Beta
 * sampling (Cho, Shin, Kang and Yun, ICML 2025; ../shared/METHODS.md
 * section 6), inside each group:
 *  - mu_i = the mean conf over DUAL's first T_d epochs (the scores.h5 helper
 *    dual_conf), clamped to [1e-6, 1 - 1e-6] so that the Beta density stays
 *    finite at a conf of exactly 0 or 1;
 *  - mu_A = the mean mu of the 10 highest-score samples of the whole set
 *    (ties: the lower index), r = 1 - M/N the pruned fraction;
 *  - b = 15 (1 - mu_A)(1 - r^c), a = 16 - b (c default 4);
 *  - n_c samples without replacement with p_i proportional to
 *    score_i * Beta-pdf(mu_i; a, b), by Efraimidis-Spirakis keys: the n_c
 *    largest log w_i - log(-log u_i), u_i the member's seeded uniform.  The
 *    Beta function's constant is left out of log w: it is the same for every
 *    sample, so the draw does not change.
 * The score weighs the draw, so it must be one whose high end is important
 * and whose values are >= 0 (dual by default; a zero weight is drawn last).
 * The authors' public code called its sampler with the score and the sort
 * order swapped (fixed in its PR #1); this follows the definition above. */
#include "../common/err.h"
#include "../common/numtext.h"
#include "quota.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>

#define DUAL_ANCHOR 10   /* the highest-score samples whose mean conf is mu_A */
#define DUAL_SCALE 15.0  /* b = 15 (1 - mu_A)(1 - r^c), a = 16 - b */
#define DUAL_MU_EPS 1e-6

static double clamp_mu(double m) { return m < DUAL_MU_EPS ? DUAL_MU_EPS : m > 1.0 - DUAL_MU_EPS ? 1.0 - DUAL_MU_EPS : m; }

/* mu_A: the mean (unclamped) mu of the DUAL_ANCHOR best by score, index order on ties. */
static double anchor_mean(const cs_select_inputs *in)
{
    int64_t best[DUAL_ANCHOR];
    int k = 0;
    for (int64_t i = 0; i < in->n; i++) {
        int j = k < DUAL_ANCHOR ? k++ : DUAL_ANCHOR;
        if (j == DUAL_ANCHOR && !(in->score[i] > in->score[best[DUAL_ANCHOR - 1]]))
            continue;
        if (j == DUAL_ANCHOR)
            j = DUAL_ANCHOR - 1;
        /* insertion: strictly higher scores move ahead, so earlier indices win ties */
        while (j > 0 && in->score[i] > in->score[best[j - 1]]) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = i;
    }
    double s = 0.0;
    for (int j = 0; j < k; j++)
        s += in->helper[best[j]];
    return s / k;
}

/* The Beta parameters for this selection. */
static int beta_params(const cs_select_params *p, const cs_select_inputs *in, double *a, double *b)
{
    int64_t m;
    int rc = cs_select_budget(p->rate, p->count, in->n, &m);
    if (rc)
        return rc;
    double r = 1.0 - (double)m / (double)in->n;
    double mu_a = anchor_mean(in);
    *b = DUAL_SCALE * (1.0 - mu_a) * (1.0 - pow(r, p->dual_c));
    *a = DUAL_SCALE + 1.0 - *b;
    if (!(*b > 0.0))
        return cs_error(CS_EINVAL, "dual: Beta b = %g is not > 0 (the top-%d samples' mean conf is %g)", *b,
                        DUAL_ANCHOR, mu_a);
    return 0;
}

static int dual_check(const cs_select_params *p, const cs_select_inputs *in)
{
    int rc = cs_select_need_score(in, cs_rule_dual.name);
    if (rc)
        return rc;
    if (!(p->dual_c > 0.0) || !isfinite(p->dual_c))
        return cs_error(CS_EINVAL, "dual exponent c %g: must be > 0", p->dual_c);
    if (in->dir != CS_DIR_HIGH)
        return cs_error(CS_EINVAL, "pick 'dual' weighs by the score: it needs one whose high end is important "
                                   "(dual, tdds, el2n, ...), not a low-end score");
    if (!in->helper)
        return cs_error(CS_EINVAL, "pick 'dual' needs the mean conf over DUAL's epochs (scores.h5: dual_conf)");
    for (int64_t i = 0; i < in->n; i++) {
        if (!(in->score[i] >= 0.0) || !isfinite(in->score[i]))
            return cs_error(CS_EINVAL, "sample %lld: score %g: pick 'dual' needs finite scores >= 0", (long long)i,
                            in->score[i]);
        if (!(in->helper[i] >= 0.0 && in->helper[i] <= 1.0))
            return cs_error(CS_EINVAL, "sample %lld: dual_conf %g outside [0, 1]", (long long)i, in->helper[i]);
    }
    double a, b;
    return beta_params(p, in, &a, &b);
}

static int dual_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *g, int64_t len, const double *u,
                     int64_t quota, int64_t *out)
{
    double a, b;
    int rc = beta_params(p, in, &a, &b);
    if (rc)
        return rc;
    for (int64_t k = 0; k < len; k++) {
        int64_t i = g[k].idx;
        double mu = clamp_mu(in->helper[i]);
        double lw = log(in->score[i]) + (a - 1.0) * log(mu) + (b - 1.0) * log1p(-mu);
        g[k].key = lw - log(-log(u[k]));
    }
    cs_cand_take(g, len, quota, out);
    return 0;
}

static void dual_describe(const cs_select_params *p, char *buf, size_t len)
{
    char c[32];
    snprintf(buf, len, "%s c=%s anchor=%d", cs_rule_dual.name, cs_double_text(p->dual_c, c, sizeof c), DUAL_ANCHOR);
}

const cs_select_rule cs_rule_dual = {
    .name = "dual",
    .draws = 1,
    .default_score = "dual",
    .helper = "dual_conf",
    .check = dual_check,
    .pick = dual_pick,
    .describe = dual_describe,
};
