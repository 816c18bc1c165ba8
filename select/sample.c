/* sample.c - reproducible Efraimidis-Spirakis keys for loss-weighted
 * sampling without replacement (RCAP's within-class sampler). */
#include "sample.h"

#include "../common/err.h"
#include "../common/rng.h"

#include <math.h>

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
