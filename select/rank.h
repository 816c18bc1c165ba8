/* rank.h - top-n selection over candidates and the keys of each order.
 *
 * A candidate is better when its tier is lower (tier 1 = unreliable), then
 * when its key is higher, then when its index is lower: every tie in the
 * selection stage is broken by index this way. */
#ifndef CS_RANK_H
#define CS_RANK_H

#include "select.h"

#include <stdint.h>

typedef struct cs_cand {
    int64_t idx;
    int tier;
    double key;
} cs_cand;

/* <0 if a is better than b, >0 if worse (never 0 for distinct indices). */
int cs_cand_cmp(const cs_cand *a, const cs_cand *b);

/* Move the best n of a[0..len) into a[0..n) (in no particular order),
 * O(len log n) with a heap of n. */
void cs_cand_topn(cs_cand *a, int64_t len, int64_t n);

/* Move the best n into a[0..n) (cs_cand_topn) and write their indices to out. */
void cs_cand_take(cs_cand *a, int64_t len, int64_t n, int64_t *out);

/* Sort a[0..len) best first. */
void cs_cand_sort(cs_cand *a, int64_t len);

/* Set key for members of one group (idx filled, ascending) from the scores:
 * hard: the important end highest; easy: the other end; band: the samples
 * whose quantile is nearest the band's centre highest (see rank.c). */
int cs_rank_keys(cs_cand *a, int64_t len, const double *score, cs_score_dir dir, cs_order order,
                 double lo, double hi);

#endif
