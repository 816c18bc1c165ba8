/* focus_weighted.c - focus-weighted ranking (METHODS.md section 3):
 * s'(i) = r(i) * focus(i)^gamma, r the base score rank-scaled to [0,1]. */
#include <math.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score.h"

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
