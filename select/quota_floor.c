/* quota_floor.c - class quotas with a minimum per class (--min-per-class K,
 * CCS-CP's floor): every class first gets f_c = min(K, N_c), then the rest
 * of the budget, M - sum f_c, is water-filled over the room N_c - f_c by the
 * mode's weights (computed from the full N_c, and L_c for rcap) and rounded
 * as quota.c does.  So a small class is never left with fewer than K samples
 * (or all of its own), and the others keep the mode's proportions. */
#include "quota.h"

#include "../common/err.h"

#include <stdlib.h>

int cs_quota_compute_floor(cs_quota_mode mode, const int64_t *cap, const double *lc, int nc, int64_t m,
                           int64_t k, int64_t *out)
{
    if (k < 0)
        return cs_error(CS_EINVAL, "min per class %lld: must be >= 0", (long long)k);
    size_t sz = (size_t)(nc > 0 ? nc : 1);
    int64_t *floor_c = cs_malloc(sizeof *floor_c * sz), *room = cs_malloc(sizeof *room * sz);
    double *w = cs_malloc(sizeof *w * sz), *q = cs_malloc(sizeof *q * sz);
    int rc = (!floor_c || !room || !w || !q) ? CS_ENOMEM : 0;
    int64_t need = 0;
    for (int c = 0; !rc && c < nc; c++) {
        floor_c[c] = cap[c] < k ? cap[c] : k;
        room[c] = cap[c] - floor_c[c];
        need += floor_c[c];
    }
    if (!rc && need > m)
        rc = cs_error(CS_EINVAL, "min per class %lld: the %d classes need %lld samples, more than the budget M = %lld",
                      (long long)k, nc, (long long)need, (long long)m);
    if (!rc)
        rc = cs_quota_weights(mode, cap, lc, nc, w);
    if (!rc)
        rc = cs_quota_waterfill(w, room, nc, m - need, q);
    if (!rc)
        rc = cs_quota_round(q, room, nc, m - need, out);
    for (int c = 0; !rc && c < nc; c++)
        out[c] += floor_c[c];
    free(floor_c);
    free(room);
    free(w);
    free(q);
    return rc;
}
