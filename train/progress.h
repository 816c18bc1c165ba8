/* progress.h - the per-epoch progress line of train and score. */
#ifndef CS_PROGRESS_H
#define CS_PROGRESS_H

#include "trainer.h"

/* "epoch 3/10  loss 0.4321  acc 0.8512  [ee 2.41]  1234 samples/s  left 1m20s" */
void cs_progress_epoch(const cs_trainer *t, const cs_epoch_stats *st, double elapsed, int show_ee);

#endif
