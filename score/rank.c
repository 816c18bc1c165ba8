/* rank.c - rank-scaling of a score to [0,1] with average ranks for ties
 * (score.h: cs_score_rank01), the base of focus-weighted ranking. */
#include <math.h>
#include <stdlib.h>

#include "../common/err.h"
#include "score.h"

typedef struct {
    double v;
    int64_t i;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->v < b->v)
        return -1;
    if (a->v > b->v)
        return 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

int cs_score_rank01(const double *s, int64_t n, int dir, double *r)
{
    if (dir != CS_SCORE_HIGH && dir != CS_SCORE_LOW)
        return cs_error(CS_EINVAL, "rank direction %d is neither high (1) nor low (-1)", dir);
    keyed *k = cs_malloc((size_t)(n > 0 ? n : 1) * sizeof *k);
    if (!k)
        return CS_ENOMEM;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (isnan(s[i])) {
            r[i] = NAN;
            continue;
        }
        /* ascending towards the important end: negate a low-is-important score */
        k[m].v = dir == CS_SCORE_HIGH ? s[i] : -s[i];
        k[m].i = i;
        m++;
    }
    qsort(k, (size_t)m, sizeof *k, cmp_keyed);
    for (int64_t a = 0; a < m;) {
        int64_t b = a + 1;
        while (b < m && k[b].v == k[a].v)
            b++;
        double avg = 0.5 * (double)(a + b - 1); /* average of ranks a..b-1 */
        double val = m > 1 ? avg / (double)(m - 1) : 1.0;
        for (int64_t j = a; j < b; j++)
            r[k[j].i] = val;
        a = b;
    }
    free(k);
    return 0;
}
