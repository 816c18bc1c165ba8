/* oof.h - scoring an out-of-fold trajectory (score.folds = K > 1).
 *
 * Its frames are (pass p = run * K + fold, epoch), each holding the held-out
 * fold's records (NaN where that pass's model trained on the sample, and
 * `used` says what it back-propagated).  The
 * scores want one record per (run, epoch) for every sample: this merges, for
 * each (run, epoch), the K frames' held-out rows into one record (seeking in
 * the frame index, one record of memory) and hands it to the accumulator, so
 * every score reads out-of-fold records only. */
#ifndef CS_OOF_H
#define CS_OOF_H

#include "../formats/traj.h"
#include "score.h"

#include <stdint.h>

/* Feed the merged records of r (K folds, fold[] per sample, R runs of T
 * epochs) to acc; checks that every (pass, epoch) frame is there once. */
int cs_oof_feed(cs_traj_reader *r, const uint8_t *fold, int K, int T, int R, cs_score_acc *acc);

#endif
