/* scores_file.h - scores.h5: every score of a run, one dataset per score.
 *
 * Layout: /labels (int32, N), /index (int64, N: sample index in the split),
 * /scores/<name> (float64, N) with attributes `direction` ("high" or "low":
 * which end is important), `params` (the score's parameters as text) and
 * `helper` (1 for per-sample quantities selection uses, not ranking scores).
 * Root string attributes carry provenance (dataset, sha256, epochs, ...). */
#ifndef CS_SCORES_FILE_H
#define CS_SCORES_FILE_H

#include "../common/kv.h"
#include "score.h"

#include <stdint.h>

/* Write every score the accumulator could compute (others are skipped with a
 * warning naming the reason), atomically. */
int cs_scores_write(const char *path, const cs_score_acc *acc, const cs_score_params *p,
                    int total_epochs, int64_t n, const int32_t *labels, const cs_kv *attrs,
                    int nattrs);

typedef struct cs_scores_file {
    int64_t n;
    int32_t *labels;
    char **names;    /* scores present */
    int count;
} cs_scores_file;

int cs_scores_open(cs_scores_file *f, const char *path);
void cs_scores_release(cs_scores_file *f);
/* Read one score (malloc'd array of n doubles) and its direction; an absent
 * score is an error listing the ones present. */
int cs_scores_read(const cs_scores_file *f, const char *path, const char *name, double **out,
                   int *dir, char *params, size_t params_len);
/* A root string attribute (empty string if absent). */
int cs_scores_attr(const char *path, const char *key, char *out, size_t len);

#endif
