/* trainer.h - one surrogate (or downstream) training run, epoch by epoch.
 *
 * Every epoch visits every sample once in a seeded random order, in batches
 * of train.batch_size (no dropped last batch: every sample gets a record every
 * epoch, METHODS section 1).  With recording on, the training forward pass
 * fills a cs_epoch_record for all N samples (err, conf, margin, entropy, loss,
 * correct, used, and the Grad-CAM focus on epochs where it is computed).
 *
 * Training-time data dropout (METHODS section 5): before the revision epochs
 * the first forward pass only produces the records and picks the samples to
 * learn from (DBPD / SMRD / SRD, optionally filtered by ERTS focus >= phi);
 * the batch's BN running statistics are restored and a second forward +
 * backward runs on that subset alone.  `used` marks it; effective epochs =
 * samples back-propagated / N. */
#ifndef CS_TRAINER_H
#define CS_TRAINER_H

#include "../config/config.h"
#include "../formats/epoch_record.h"
#include "../nn/backend.h"
#include "../nn/model.h"
#include "../nn/optim.h"
#include "cam_layer.h"
#include "data.h"
#include "embed_capture.h"
#include "metrics.h"

#include <stdint.h>

typedef struct cs_trainer {
    const cs_config *cfg;
    cs_data *data;        /* training samples, normalised; not owned */
    cs_model *model;
    cs_optim *opt;
    cs_backend *be;
    int nthreads;
    cs_rng rng;           /* data order, augmentation and dropout draws */
    int run;              /* 0-based surrogate run */
    int epoch;            /* epochs completed */
    long iter, iters_per_epoch, total_iters, warmup_iters;
    int64_t backprop;     /* samples back-propagated this run */
    double focus_seconds; /* wall time spent in Grad-CAM focus this run (bench/record_overhead) */
    int record;           /* fill rec every epoch */
    uint32_t fields;      /* CS_TRAJ_* columns recorded */
    cs_epoch_record rec;  /* N-sample columns of the last epoch */
    uint8_t *used_rows;   /* not owned, may be NULL: `used` of the last epoch without recording (score.folds) */
    /* scratch */
    float *xb, *xsub, *maps, *bn_backup;
    int *yb, *ysub, *target;
    int64_t *perm, *pick;
    uint8_t *keep, *bcorrect;
    float *bconf, *bfocus;
    double *fscratch;
    cs_cam cam;           /* Grad-CAM at record.focus_layer */
    cs_embed_capture emb; /* record.embed: run 0's pooled features; emb.epoch = the epoch
                           * just trained when it stores them, else 0 */
} cs_trainer;

typedef struct cs_epoch_stats {
    double loss;          /* mean training loss of the epoch (records' forward pass) */
    double accuracy;      /* fraction correct in that pass */
    double used;          /* fraction of samples back-propagated this epoch */
    double seconds;
} cs_epoch_stats;

/* The checks cs_trainer_init makes on the config (model for the data, Grad-CAM layer),
 * without the training buffers: for refusing a run before anything is written. */
int cs_trainer_check(const cs_config *cfg, const cs_data *data);
/* Build the model and optimiser for cfg and data; seeds from (train.seed, run). */
int cs_trainer_init(cs_trainer *t, const cs_config *cfg, cs_data *data, int run, int record);
void cs_trainer_release(cs_trainer *t);
/* Train one epoch (t->epoch + 1). */
int cs_trainer_epoch(cs_trainer *t, cs_epoch_stats *st);
/* Out-of-fold recording (score.folds): after an epoch, an eval-mode pass (BN
 * running statistics, no augmentation) over rows[0..m) of d, samples the model
 * did not train on, fills those rows of rec (used = 0; focus on the epochs
 * record.focus_every names).  Other rows are left alone. */
int cs_trainer_record_rows(cs_trainer *t, const cs_data *d, const int64_t *rows, int64_t m, cs_epoch_record *rec);
/* Evaluate (BN running statistics, no augmentation) into m (initialised by caller). */
int cs_trainer_eval(cs_trainer *t, const cs_data *d, cs_metrics *m, double *mean_loss);
/* The model's name as the config gives it ("cnn-small", ...). */
const char *cs_trainer_spec_name(const cs_config *cfg);
/* The model spec the config and data give (shared with checks before training). */
int cs_trainer_spec(const cs_config *cfg, const cs_data *data, cs_model_spec *spec);

#endif
