/* data.h - a split loaded into memory as float32 in the layout the engine
 * wants: (N, C, H, W) for images, (N, C, L) for signals.
 *
 * Layout rules for what the file holds per sample:
 *   images: (H, W) -> (1, H, W); (H, W, C) with C in {1,3,4} -> (C, H, W);
 *           otherwise (C, H, W) as stored.
 *   signals (one_d): (C, L) as stored; (L) -> (1, L).
 * Normalisation uses per-channel mean and std of the TRAINING split, applied
 * to every split, so test data never leaks into the statistics; or each
 * sample's own per-channel mean and std (an ECG record or beat standardised
 * by itself, which needs no statistics across samples). */
#ifndef CS_DATA_H
#define CS_DATA_H

#include "../datasets/dataset.h"

#include <stdint.h>

typedef struct cs_data {
    int64_t n;
    int channels;
    int rank;           /* 2 for images (H,W), 1 for signals (L) */
    int64_t dims[2];    /* (H, W) or (L, unused) */
    int64_t sample_elems;
    float *x;           /* n * sample_elems */
    int32_t *y;         /* n */
    int num_classes;
} cs_data;

typedef struct cs_norm {
    int channels;
    float mean[64], std[64];
} cs_norm;

/* Load a split; `one_d` picks the signal layout rules. */
int cs_data_load(cs_data *d, cs_dataset *ds, const char *split, int one_d);
void cs_data_release(cs_data *d);
/* Per-channel mean/std over all samples of d (std floor 1e-6). */
int cs_norm_compute(cs_norm *nm, const cs_data *d);
void cs_norm_apply(const cs_norm *nm, cs_data *d);
/* Standardise every sample's channels by their own mean and std (std floor 1e-6). */
void cs_norm_per_sample(cs_data *d);
/* Keep only the listed rows (ascending indices), in place. */
int cs_data_subset(cs_data *d, const int64_t *idx, int64_t m);

#endif
