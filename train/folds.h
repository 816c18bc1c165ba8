/* folds.h - out-of-fold recording (score.folds = K, the idea of UNSEEN):
 * the training samples are cut into K stratified folds from the seed; K
 * surrogates each train on K-1 folds and record the held-out fold, so every
 * sample's dynamics come from a model that never trained on it.
 *
 * Assignment: per class in class order, the class's samples in a seeded
 * shuffle (stream CS_FOLDS_STREAM) are dealt round-robin, the deal going on
 * from where the previous class stopped; so every class is split as evenly as
 * it can be (per-fold counts differ by at most 1) and so are the folds'
 * sizes.  Deterministic in (seed, labels, K). */
#ifndef CS_FOLDS_H
#define CS_FOLDS_H

#include "../formats/epoch_record.h"
#include "data.h"

#include <stdint.h>

#define CS_FOLDS_MAX 10
/* A stream no trainer uses (they take 2 run and 2 run + 1, run < 128). */
#define CS_FOLDS_STREAM 0x666f6c6473ull /* "folds" */

/* fold[i] in 0..K-1 for the n samples of labels y (classes 0..C-1). */
int cs_folds_assign(const int32_t *y, int64_t n, int num_classes, int K, uint64_t seed, uint8_t *fold);
/* The rows of `all` whose fold is not k, copied into *train (cs_data_release). */
int cs_folds_train_data(const cs_data *all, const uint8_t *fold, int k, cs_data *train);
/* An n-sample record with the columns of `fields` (CS_TRAJ_*), every float NaN
 * and every byte 0: the rows a fold's model trained on stay so, absent (but
 * for `used`, which the pass sets to what it back-propagated). */
int cs_folds_record_init(cs_epoch_record *rec, int64_t n, int num_classes, uint32_t fields);
void cs_folds_record_release(cs_epoch_record *rec);
/* Copy, for the samples of fold k, every column rec has from src into dst. */
void cs_folds_record_merge(cs_epoch_record *dst, const cs_epoch_record *src, const uint8_t *fold, int k);

#endif
