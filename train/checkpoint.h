/* checkpoint.h - everything needed to continue a training run bit-identically:
 * model slab (weights and BN running statistics), optimiser moments and step
 * count, RNG state, position (run, epoch, iteration), and the per-sample record
 * of the epoch just finished (so a crash between writing the checkpoint and
 * appending that epoch's trajectory frame loses nothing).
 *
 * File layout (little-endian): magic "CSCKPT\r\n", u32 version, u32 header
 * size (128), then the fixed fields below, reserved zeros to 128 bytes; the
 * slab, the moments, the record columns; a trailing XXH64 of all bytes before
 * it.  Written to a temp file and renamed. */
#ifndef CS_CHECKPOINT_H
#define CS_CHECKPOINT_H

#include "../formats/epoch_record.h"

#include <stdint.h>

#define CS_CKPT_VERSION 1

typedef struct cs_ckpt {
    int32_t run;          /* 0-based surrogate run */
    int32_t epoch;        /* epochs completed in this run */
    int64_t iter;         /* optimiser iterations done in this run */
    int64_t backprop;     /* samples back-propagated in this run (effective epochs * N) */
    uint64_t rng[4];      /* data-order / augmentation / dropout stream */
    uint64_t num_state;   /* floats in state */
    float *state;
    uint64_t num_moments; /* floats in moments */
    float *moments;
    int64_t optim_steps;
    double wall_seconds;  /* training time so far, all runs */
    uint32_t rec_fields;  /* CS_TRAJ_* mask of rec; 0 = no record */
    cs_epoch_record rec;  /* the finished epoch's record (columns of rec.n) */
} cs_ckpt;

/* Write atomically.  The caller owns every pointer in c. */
int cs_ckpt_write(const char *path, const cs_ckpt *c);
/* Read and verify; allocates state, moments and record columns (cs_ckpt_release). */
int cs_ckpt_read(const char *path, cs_ckpt *c);
void cs_ckpt_release(cs_ckpt *c);

#endif
