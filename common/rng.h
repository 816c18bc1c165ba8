/* rng.h - the one random number generator: xoshiro256** seeded by splitmix64.
 *
 * Everything random in coreset (init, shuffles, augmentation, sampling) draws
 * from a cs_rng whose whole state is four words, so checkpoints can store it
 * and a resumed run continues the same stream. */
#ifndef CS_RNG_H
#define CS_RNG_H

#include <stdint.h>

typedef struct cs_rng {
    uint64_t s[4];
} cs_rng;

void cs_rng_seed(cs_rng *r, uint64_t seed);
/* An independent stream derived from (seed, stream), e.g. one per run or per purpose. */
void cs_rng_seed2(cs_rng *r, uint64_t seed, uint64_t stream);
uint64_t cs_rng_u64(cs_rng *r);
double cs_rng_uniform(cs_rng *r);              /* [0, 1), 53 bits */
double cs_rng_uniform_pos(cs_rng *r);          /* (0, 1) */
uint64_t cs_rng_below(cs_rng *r, uint64_t n);  /* uniform in [0, n), unbiased */
double cs_rng_normal(cs_rng *r);               /* standard normal */
/* Fisher-Yates shuffle of an index array. */
void cs_rng_shuffle_i64(cs_rng *r, int64_t *a, int64_t n);

#endif
