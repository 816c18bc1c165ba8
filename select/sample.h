/* sample.h - seeded per-group uniforms and Efraimidis-Spirakis keys. */
#ifndef CS_SAMPLE_H
#define CS_SAMPLE_H

#include "rank.h"

#include <stdint.h>

/* The stream for the whole set (quota none); a class c uses stream c. */
#define CS_SELECT_GLOBAL_STREAM UINT64_MAX

/* u[0..len) in (0, 1) from cs_rng_seed2(seed, stream), one per group member
 * in ascending index order. */
void cs_group_uniforms(uint64_t seed, uint64_t stream, int64_t len, double *u);

/* Weighted sampling without replacement with P proportional to
 * w_i = exp(l_i / beta), l_i = clip(loss_i, 0, log C): Efraimidis-Spirakis
 * keep the n largest u_i^(1/w_i).  Its logarithm log(u)/w overflows or
 * underflows for small beta, so the key set is the equivalent, monotone
 * l_i/beta - log(-log u_i).  u[k] belongs to a[k]. */
int cs_sample_keys(cs_cand *a, int64_t len, const double *loss, int nc, double beta,
                   const double *u);

#endif
