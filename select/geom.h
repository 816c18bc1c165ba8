/* geom.h - what the rules in embedding space share (moderate, kcenter,
 * herding, d2, d2-strat): the embedding check, Euclidean distances, the
 * reliability tiers and the kNN graph.
 *
 * Distances are Euclidean on the stored embeddings, accumulated in double
 * (tests/ref_select_geom.py does the same in float64), so the reference sees
 * the same values up to the last bits. */
#ifndef CS_GEOM_H
#define CS_GEOM_H

#include "rank.h"
#include "select.h"

#include <stdint.h>

/* Below this many members a loop stays on one thread: a parallel region per
 * greedy step costs more than it saves on a small group (and much more when
 * the machine is loaded). */
#define CS_GEOM_PARALLEL_MIN 16384

/* The embeddings are present, D >= 1 and every value finite. */
int cs_geom_check(const cs_select_inputs *in, const char *rule);

/* |x - c|^2 for a float row x and a double point c, in double: eight partial
 * sums over t mod 8 combined pairwise, so the loop has independent chains
 * (and vectorises) while the order stays fixed, the same on every machine. */
static inline double cs_geom_sq_fd(const float *x, const double *c, int D)
{
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= D; t += 8)
        for (int l = 0; l < 8; l++) {
            double e = (double)x[t + l] - c[t + l];
            a[l] += e * e;
        }
    double s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; t < D; t++) {
        double e = (double)x[t] - c[t];
        s += e * e;
    }
    return s;
}

/* Squared Euclidean distance between samples i and j (double accumulation). */
double cs_geom_dist2(const cs_select_inputs *in, int64_t i, int64_t j);

/* The pick of one tier: choose quota members of idx[0..len) (ascending
 * sample indices) into out; u[k] is idx[k]'s draw, NULL unless the rule draws. */
typedef int (*cs_geom_pick_fn)(const cs_select_params *p, const cs_select_inputs *in,
                               const int64_t *idx, int64_t len, const double *u, int64_t quota,
                               int64_t *out);

/* The reliability filter for a geometric rule: the rule runs on the reliable
 * members first; only if they are fewer than quota does it run again on the
 * unreliable ones for the rest (each tier keeps its members' draws). */
int cs_geom_tiered(cs_geom_pick_fn fn, const cs_select_params *p, const cs_select_inputs *in,
                   const cs_cand *a, int64_t len, const double *u, int64_t quota, int64_t *out);

/* The k nearest neighbours of each member of idx[0..len) among the others
 * (ties: the lower position), written as positions into idx: nb[r*k + t] is
 * the t-th nearest of member r, dist[r*k + t] its Euclidean distance; with
 * fewer than k + 1 members every other member is a neighbour (kk = len - 1).
 * Blocked: O(len * k) memory, the distance matrix never exists. */
int cs_geom_knn(const cs_select_inputs *in, const int64_t *idx, int64_t len, int k, int *kk,
                int64_t **nb, double **dist);

#endif
