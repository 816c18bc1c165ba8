/* import_scan.h - what `coreset import` accepts in a file of training
 * dynamics, and how one of its epochs becomes a trajectory record.
 *
 * Arrays (coreset-import(1)): `labels` [N] integers in 0..C-1; `logits` or
 * `probs` [T, N, C] floats (logits win when both are there); optional `cam`
 * [T, N, H, W] (or [T, N, L]) Grad-CAM maps or `focus` [T, N]; optional
 * `used` [T, N] 0/1; optional `embeddings` [N, D].  Names are the file's
 * datasets (HDF5) or members NAME.npy (npz).
 *
 * cs_import_scan reads everything once and refuses, with one message naming
 * the file, the array and the first bad element: a missing or misshapen
 * array, a label out of range, a non-finite logit or probability, a
 * probability row that does not sum to 1, an infinite or partly-NaN map, a
 * `used` value other than 0/1, and fewer epochs than EVA's windows need.  A
 * map (or focus value) that is NaN throughout means "not computed that
 * epoch", as `coreset score` records it.
 *
 * cs_import_epoch computes METHODS.md section 1's fields from an epoch's
 * logits in double precision (probabilities become logits log(max(p, 1e-30)),
 * so softmax gives p back, renormalised); focus from a map is cs_focus
 * (train/focus.h); without `used` every sample counts as used. */
#ifndef CS_IMPORT_SCAN_H
#define CS_IMPORT_SCAN_H

#include "../formats/epoch_record.h"
#include "import_file.h"
#include "score.h"

#include <stdint.h>

typedef struct cs_import_info {
    int64_t n;
    int T, C;
    const char *outputs;  /* "logits" or "probs" */
    const char *focus_of; /* "cam", "focus" or NULL */
    int64_t positions;    /* positions of one cam map */
    int have_used;
    int64_t emb_d;        /* 0: no embeddings */
    int32_t *labels;      /* n, owned */
} cs_import_info;

/* Check the whole file (see above).  eva (may be NULL): EVA's parameters, to
 * refuse too few epochs.  Release info even after an error. */
int cs_import_scan(cs_dyn_file *f, const cs_score_params *eva, cs_import_info *info);
void cs_import_info_release(cs_import_info *info);

/* Scratch for cs_import_epoch. */
typedef struct cs_import_buf {
    float *out;    /* n x C */
    float *cam;    /* n x positions */
    float *col;    /* n */
    double *work;  /* max(C, positions) doubles */
} cs_import_buf;
int cs_import_buf_alloc(cs_import_buf *b, const cs_import_info *info);
void cs_import_buf_release(cs_import_buf *b);

/* Epoch t (0-based) into rec, whose columns err..used (and probs, when not
 * NULL: n x C) hold n values each; rec->epoch = t + 1, rec->run = 0. */
int cs_import_epoch(cs_dyn_file *f, const cs_import_info *info, int t, cs_import_buf *b, cs_epoch_record *rec);

#endif
