/* filter.h - the reliability filter (ERTS applied statically). */
#ifndef CS_FILTER_H
#define CS_FILTER_H

#include <stdint.h>

/* unrel[i] = 1 when late_conf[i] < tau (uncertain) and focus[i] < phi.
 * A NaN focus (never computed) is no evidence of low focus: such a sample
 * stays reliable.  A NaN late_conf is an error.  *count gets the number of
 * unreliable samples (may be NULL). */
int cs_reliability_flags(const double *late_conf, const double *focus, int64_t n, double tau,
                         double phi, uint8_t *unrel, int64_t *count);

#endif
