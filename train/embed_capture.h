/* embed_capture.h - the embeddings a surrogate run stores (record.embed*): which
 * epochs, and each sample's pooled features (the GAP output feeding the linear
 * head) copied from the forward pass that records the epoch: the training pass,
 * or the eval-mode pass with record.eval_pass.  Only the first surrogate run
 * stores them; the surrogate pass writes them to RUN/embeddings.h5
 * (formats/embed_file.h) after each stored epoch, before its checkpoint. */
#ifndef CS_EMBED_CAPTURE_H
#define CS_EMBED_CAPTURE_H

#include "../config/config.h"
#include "../nn/model.h"

#include <stdint.h>

#define CS_EMBED_MAX_EPOCHS 32 /* record.embed_epochs holds at most 32 numbers */

typedef struct cs_embed_capture {
    int on;                              /* this run stores embeddings */
    int epochs[CS_EMBED_MAX_EPOCHS];     /* ascending, 1..train.epochs */
    int num_epochs;
    int64_t n;
    int d;                               /* feature width */
    int dtype;                           /* CS_EMBED_F16 or CS_EMBED_F32 */
    int epoch;                           /* the epoch emb holds, 0 while none */
    float *emb;                          /* n x d, row i = sample i */
    double seconds;                      /* wall time spent copying features (bench/record_overhead) */
} cs_embed_capture;

/* The epochs record.embed_epochs names for cfg: "auto" = the last epoch of each EVA
 * window inside 1..train.epochs and the last epoch; a listed epoch beyond
 * train.epochs is an error.  count = 0 when record.embed is off. */
int cs_embed_epochs(const cs_config *cfg, int *epochs, int *count);
/* Ready c for model m and n samples (off, allocating nothing, when !on). */
int cs_embed_capture_init(cs_embed_capture *c, const cs_config *cfg, const cs_model *m, int64_t n, int on);
void cs_embed_capture_release(cs_embed_capture *c);
/* 1 when epoch ep stores embeddings. */
int cs_embed_capture_wants(const cs_embed_capture *c, int ep);
/* The last forward's features of its bs samples into their rows: sample idx[j]
 * (idx NULL: start + j). */
int cs_embed_capture_batch(cs_embed_capture *c, cs_model *m, const int64_t *idx, int64_t start, int bs);

#endif
