/* epoch_record.h - what the surrogate pass records for every sample in one
 * epoch (../shared/METHODS.md section 1), as columns of n values.
 *
 * The trajectory file stores one of these per epoch; the score stages consume
 * them one epoch at a time, so memory grows with N, never with N x T. */
#ifndef CS_EPOCH_RECORD_H
#define CS_EPOCH_RECORD_H

#include <stdint.h>

typedef struct cs_epoch_record {
    int32_t epoch;       /* 1-based epoch number */
    int32_t run;         /* 0-based surrogate run (seed) index */
    int64_t n;           /* samples: every column holds n values, by sample index */
    int32_t num_classes; /* C */
    float *err;          /* ||p - e_y||_2 */
    float *conf;         /* p_y */
    float *margin;       /* z_y - max_{j != y} z_j (logits) */
    float *entropy;      /* -sum_j p_j log p_j */
    float *loss;         /* -log p_y */
    float *focus;        /* Grad-CAM focus, NaN where not computed this epoch */
    uint8_t *correct;    /* argmax z == y */
    uint8_t *used;       /* 1 if the sample took part in a gradient update */
    float *probs;        /* optional n x C softmax probabilities (row-major); NULL if not kept */
} cs_epoch_record;

/* One epoch in three numbers, for summaries (inspect, report): the mean loss,
 * the share of samples correct and the share used in an update; NaN where the
 * record lacks the column or has no samples.  Loss and accuracy count only the
 * samples with a loss (an out-of-fold pass records its held-out fold only).
 * (epoch_record.c) */
typedef struct cs_epoch_means {
    double loss, accuracy, used;
} cs_epoch_means;
cs_epoch_means cs_epoch_record_means(const cs_epoch_record *rec);

#endif
