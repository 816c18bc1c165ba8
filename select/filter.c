/* filter.c - marks unreliable samples: uncertain late in training and with
 * a diffuse Grad-CAM map.  The driver ranks them after every reliable
 * sample of their group; nothing is removed outright. */
#include "filter.h"

#include "../common/err.h"

#include <math.h>

int cs_reliability_flags(const double *late_conf, const double *focus, int64_t n, double tau,
                         double phi, uint8_t *unrel, int64_t *count)
{
    if (!(tau >= 0.0 && tau <= 1.0))
        return cs_error(CS_EINVAL, "filter tau %g: must be in [0, 1]", tau);
    if (!(phi >= 0.0 && phi <= 1.0))
        return cs_error(CS_EINVAL, "filter phi %g: must be in [0, 1]", phi);
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(late_conf[i]))
            return cs_error(CS_EINVAL, "sample %lld: late-window confidence is NaN", (long long)i);
        unrel[i] = late_conf[i] < tau && focus[i] < phi; /* NaN focus compares false */
        k += unrel[i];
    }
    if (count)
        *count = k;
    return 0;
}
