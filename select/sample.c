/* sample.c - reproducible Efraimidis-Spirakis keys for loss-weighted
 * sampling without replacement (RCAP's within-class sampler), and the rule
 * `sample` (rule.h) that keeps the n_c largest keys of a group. */
#include "sample.h"

#include "../common/err.h"
#include "../common/numtext.h"
#include "../common/rng.h"
#include "rule.h"

#include <math.h>
#include <stdio.h>

void cs_group_uniforms(uint64_t seed, uint64_t stream, int64_t len, double *u)
{
    cs_rng r;
    cs_rng_seed2(&r, seed, stream);
    for (int64_t i = 0; i < len; i++)
        u[i] = cs_rng_uniform_pos(&r);
}

int cs_sample_keys(cs_cand *a, int64_t len, const double *loss, int nc, double beta,
                   const double *u)
{
    if (!(beta > 0.0) || !isfinite(beta))
        return cs_error(CS_EINVAL, "sampling beta %g: must be > 0", beta);
    double hi = log((double)(nc > 1 ? nc : 1));
    for (int64_t k = 0; k < len; k++) {
        double l = loss[a[k].idx];
        if (isnan(l))
            return cs_error(CS_EINVAL, "sample %lld: loss is NaN", (long long)a[k].idx);
        l = l < 0.0 ? 0.0 : l > hi ? hi : l;
        a[k].key = l / beta - log(-log(u[k]));
    }
    return 0;
}

static int sample_check(const cs_select_params *p, const cs_select_inputs *in)
{
    if (!in->loss)
        return cs_error(CS_EINVAL, "sampling needs the late-window loss");
    if (!(p->beta > 0.0 && isfinite(p->beta)))
        return cs_error(CS_EINVAL, "sampling beta %g: must be > 0", p->beta);
    return 0;
}

static int sample_pick(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                       const double *u, int64_t quota, int64_t *out)
{
    int rc = cs_sample_keys(a, len, in->loss, in->num_classes, p->beta, u);
    if (!rc)
        cs_cand_take(a, len, quota, out);
    return rc;
}

static void sample_describe(const cs_select_params *p, char *buf, size_t len)
{
    char b[32];
    snprintf(buf, len, "%s beta=%s", cs_rule_sample.name, cs_double_text(p->beta, b, sizeof b));
}

const cs_select_rule cs_rule_sample = {
    .name = "sample",
    .draws = 1,
    .needs_loss = 1,
    .check = sample_check,
    .pick = sample_pick,
    .describe = sample_describe,
};
