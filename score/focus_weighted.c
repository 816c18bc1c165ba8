/* focus_weighted.c - focus-weighted ranking (METHODS.md section 3):
 * s'(i) = r(i) * focus(i)^gamma, r the base score rank-scaled to [0,1]; and
 * the score focus_weighted, EVA focus-weighted, derived from the final eva
 * and focus. */
#include <math.h>
#include <stdio.h>

#include "../common/err.h"
#include "../common/numtext.h"
#include "score_int.h"

int cs_score_weight_by_focus(const double *s, int64_t n, int dir, const double *focus,
                             double gamma, double *out)
{
    if (!isfinite(gamma) || gamma < 0)
        return cs_error(CS_EINVAL, "focus weight exponent gamma = %g, must be finite and >= 0", gamma);
    int rc = cs_score_rank01(s, n, dir, out);
    if (rc)
        return rc;
    for (int64_t i = 0; i < n; i++)
        out[i] = isnan(focus[i]) ? NAN : out[i] * pow(focus[i], gamma);
    return 0;
}

static int finish(void *state, const cs_score_ctx *c, double *out, double *const *final)
{
    (void)state;
    return cs_score_weight_by_focus(final[CS_SCORE_EVA], c->n, cs_score_info_at(CS_SCORE_EVA)->dir,
                                    final[CS_SCORE_FOCUS], c->p->focus_gamma, out);
}

static int check(const cs_score_params *p, int T)
{
    (void)T;
    if (!(isfinite(p->focus_gamma) && p->focus_gamma >= 0))
        return cs_error(CS_EINVAL, "focus weight exponent gamma = %g, must be finite and >= 0", p->focus_gamma);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)T;
    char g[32];
    cs_double_text(p->focus_gamma, g, sizeof g);
    snprintf(buf, len, "base=eva gamma=%s", g);
}

const cs_score_desc cs_score_desc_focus_weighted = {
    .info = {"focus_weighted", CS_SCORE_HIGH, 0, "EVA focus-weighted: rank01(eva) * focus^gamma"},
    .needs = (1u << CS_SCORE_EVA) | (1u << CS_SCORE_FOCUS),
    .check = check,
    .describe = describe,
    .finish = finish,
};
