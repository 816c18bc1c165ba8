/* run_select.h - selection from a run directory: read RUN/scores.h5 (the
 * score, the helper arrays the options need, the labels and the provenance
 * attributes), run cs_select_run, and fill the index file to write.
 *
 * The index header holds everything that decides the indices and nothing
 * else (no clock time), so the same run and arguments give the same bytes. */
#ifndef CS_RUN_SELECT_H
#define CS_RUN_SELECT_H

#include "../formats/index_file.h"
#include "select.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cs_run_select_args {
    const char *run_dir;    /* holds scores.h5 */
    const char *score;      /* registry name, default "eva" */
    int focus_weighted;     /* rank by rank01(score) * focus^gamma */
    double gamma;           /* NAN (default): the gamma of the run's focus_weighted score, else 1 */
    int embed_epoch;        /* RUN/embeddings.h5's epoch for a rule in embedding space; 0: the last */
    cs_select_params params;
    const uint8_t *exclude; /* N flags: samples never selected (select --by auto's holdout); NULL = none */
} cs_run_select_args;

typedef struct cs_run_selection {
    int64_t n, m;
    int64_t *idx;             /* m ascending indices */
    int num_classes;
    cs_select_report report;  /* one row per class (or one with quota none) */
    cs_index_file index;      /* header and indices, ready for cs_index_write */
    char default_name[128];   /* coreset-<score>-<rate>.idx or coreset-<score>-n<M>.idx */
} cs_run_selection;

/* The random baseline: not in scores.h5, drawn from the seed at selection. */
#define CS_SCORE_RANDOM "random"

/* 1 if `name` is a score of the registry or "random", else 0 with the
 * message listing the known ones. */
int cs_run_score_known(const char *name);

/* params: the METHODS.md defaults with quota proportional; score eva; gamma NAN (the run's). */
void cs_run_select_args_init(cs_run_select_args *a);
void cs_run_selection_init(cs_run_selection *s);
void cs_run_selection_release(cs_run_selection *s);

/* RUN/scores.h5 into buf; CS_EIO naming the folder when it is not a run
 * directory (missing, or without scores.h5). */
int cs_run_scores_path(const char *run_dir, char *buf, size_t len);

/* Select; on error nothing is kept in s and the message names the file or
 * the argument at fault. */
int cs_run_select(const cs_run_select_args *a, cs_run_selection *s);

#endif
