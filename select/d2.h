/* d2.h - the message passing of D2 pruning (Maharana et al., ICLR 2024),
 * shared by the rules d2 (d2.c) and d2-strat (d2_strat.c). */
#ifndef CS_D2_H
#define CS_D2_H

#include "select.h"

#include <stdint.h>

/* The difficulty of each member of idx[0..len): h = dir * score with an
 * infinite value clamped to the finite range of the members (forgetting's
 * "never learned" is the hardest there is, not an infinite weight), minus
 * the members' minimum, so s >= 0 and higher is harder.  All infinite: 0. */
void cs_d2_difficulty(const cs_select_inputs *in, const int64_t *idx, int64_t len, double *s);

/* On the symmetrised kNN graph of idx[0..len) (k = p->knn, geom.h), the
 * forward pass dens_r = s_r + sum over neighbours j of
 * exp(-gamma_f d_rj) max(s_j, 1e-7) into dens (len values, may be NULL);
 * then, if quota > 0, the greedy selection with reverse message passing:
 * quota times take the unchosen member of highest value (ties: the lower
 * position) and lower each unchosen neighbour j by exp(-gamma_r d) times the
 * chosen one's value; the chosen sample indices go to out. */
int cs_d2_run(const cs_select_params *p, const cs_select_inputs *in, const int64_t *idx, int64_t len,
              const double *s, double *dens, int64_t quota, int64_t *out);

/* The parameters shared by both rules' checks. */
int cs_d2_check_params(const cs_select_params *p);

#endif
