/* auto_holdout.h - the validation holdout of `--by auto` without a val split:
 * a stratified fraction of the training split, drawn from the seed. */
#ifndef CS_AUTO_HOLDOUT_H
#define CS_AUTO_HOLDOUT_H

#include <stdint.h>

/* Mark round(frac * N_c) samples of each class c in out[n] (1 = held out):
 * the ones with the smallest uniform keys drawn in sample order from
 * (seed, CS_AUTO_HOLDOUT_STREAM), ties by index.  A class with samples where
 * that leaves none in the holdout or none outside it is CS_EINVAL naming the
 * class.  *held is the count. */
#define CS_AUTO_HOLDOUT_STREAM 0x686f6c646f7574ULL /* "holdout" */
int cs_auto_holdout(const int32_t *labels, int64_t n, int num_classes, double frac, uint64_t seed, uint8_t *out,
                    int64_t *held);

#endif
