/* ccs.h - coverage-centric selection (Zheng et al., ICLR 2023) in one group. */
#ifndef CS_CCS_H
#define CS_CCS_H

#include "rank.h"

#include <stdint.h>

typedef struct cs_ccs_opts {
    double drop;       /* hardest fraction dropped first, [0, 1) */
    int strata;        /* k equal-width strata, >= 1 */
    cs_score_dir dir;  /* the score's hard (important) end */
} cs_ccs_opts;

/* Pick `quota` members of a group.  a[0..len): the members in ascending
 * index with their tier (1 = unreliable); u[k]: member k's uniform draw.
 * Appends the chosen sample indices to out (room for quota). */
int cs_ccs_pick(const cs_cand *a, int64_t len, const double *u, const double *score,
                const cs_ccs_opts *o, int64_t quota, int64_t *out);

#endif
