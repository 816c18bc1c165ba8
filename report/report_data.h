/* report_data.h - everything `coreset report` shows, gathered from a run
 * directory before anything is drawn: the figures (fig_*.c) read only this.
 *
 * Gathering is split by source: gather_scores.c (scores.h5: labels, the
 * score on the histograms, late confidence and focus), gather_index.c (the
 * index file, checked against the run), gather_prov.c (run.yaml),
 * gather_traj.c (the trajectory: per-epoch means and the error norms of the
 * samples pick.c chose) and gather_cam.c (Grad-CAM maps recomputed from the
 * checkpoint for the samples shown).  Anything the run lacks leaves a note
 * the page prints instead of the figure. */
#ifndef CS_REPORT_DATA_H
#define CS_REPORT_DATA_H

#include "../run/run_prov.h"
#include "../formats/index_file.h"
#include "../score/scores_file.h"

#include <stdint.h>

#define CS_REPORT_MAX_POINTS 4000 /* confidence-focus points drawn; beyond, a uniform subsample */
#define CS_REPORT_MAX_PANELS 20   /* classes that get their own histogram, trajectory and sample panels */
#define CS_REPORT_THUMBS 3        /* samples shown from each end of a class's ranking */
#define CS_REPORT_BINS 40         /* histogram bins */
#define CS_REPORT_NOTE 600

/* One trajectory frame's means over the samples. */
typedef struct cs_report_epoch {
    int run, epoch;
    double loss, accuracy, used; /* NaN where the field was not recorded */
} cs_report_epoch;

/* Which sample of its class a trace is. */
enum { CS_TRACE_HIGHEST, CS_TRACE_MEDIAN, CS_TRACE_LOWEST, CS_TRACE_KINDS };

typedef struct cs_report_trace {
    int64_t sample;
    int label, kind;
    double score; /* its trace score (EVA) */
    float *err;   /* max_epoch values of the first run: epoch e at [e - 1]; NaN if absent */
} cs_report_trace;

typedef struct cs_report_sample {
    int64_t sample;
    int label;
    int top;          /* 1: from the important end of the class's ranking, 0: the other end */
    double score;
    float *x;         /* the raw sample (channels x H x W, or channels x L); NULL without the dataset */
    float *map;       /* Grad-CAM map resized to the input (H x W, or L), in [0, 1]; NULL if not computed */
    int target;       /* the class the map explains */
    int predicted;    /* the checkpoint's prediction */
    double map_focus; /* focus of the recomputed map (NaN without one) */
    double rec_focus; /* the run's mean recorded focus (NaN if never computed) */
} cs_report_sample;

/* One candidate of a --by auto search. */
typedef struct cs_report_auto_row {
    char name[64], options[192], status[32];
    double mean, std, seconds;
    int epochs, evaluated;
    long long m;
} cs_report_auto_row;

typedef struct cs_report_data {
    char run[4096];
    char scores_path[4200];
    cs_scores_file sf;
    int64_t n;
    int num_classes;
    int32_t *labels;
    int64_t *class_n; /* N_c */
    char dataset[4096], sha[72], split[64];
    /* run.yaml */
    cs_run_prov prov;   /* its provenance section */
    char *run_yaml;     /* the whole file, NULL if absent */
    /* the index file */
    int have_index;
    char index_path[4096];
    cs_index_file index;
    uint8_t *kept;       /* n flags */
    int64_t *class_kept; /* n_c */
    int filter_on;       /* the index used the reliability filter */
    double tau, phi;     /* its thresholds, else the METHODS.md defaults */
    /* INDEX.auto.json beside an index of select --by auto (gather_auto.c) */
    cs_report_auto_row *auto_rows;
    int nauto;
    char auto_objective[32], auto_chosen[64], auto_note[CS_REPORT_NOTE];
    /* the score of the histograms and the thumbnails' ranking */
    char score[64], score_params[256];
    int score_dir;       /* CS_SCORE_HIGH / CS_SCORE_LOW */
    double *score_v;     /* n values */
    char score_note[CS_REPORT_NOTE];
    /* the confidence-focus plane */
    double *late_conf, *focus; /* NULL if scores.h5 lacks them */
    char plane_note[CS_REPORT_NOTE];
    /* per epoch */
    cs_report_epoch *epochs;
    int nepochs, max_epoch, nruns, first_run;
    char epochs_note[CS_REPORT_NOTE];
    /* error-norm traces */
    char trace_score[64];
    int eva_window[4];   /* early a..b, late c..d; zeros if unknown */
    cs_report_trace *traces;
    int ntraces;
    char trace_note[CS_REPORT_NOTE];
    /* samples and their Grad-CAM maps */
    int is_signal;       /* 1-D samples (ECG) */
    int channels;
    int64_t dims[2];     /* (H, W) or (L, 1) */
    cs_report_sample *samples;
    int nsamples;
    char cam_layer[64];
    char cam_note[CS_REPORT_NOTE];
} cs_report_data;

void cs_report_data_init(cs_report_data *d);
void cs_report_data_release(cs_report_data *d);

/* gather_scores.c: open RUN/scores.h5 for its labels, class sizes and the
 * dataset's identity (a missing run or scores.h5 is an error naming it). */
int cs_report_gather_run(cs_report_data *d, const char *run);
/* gather_scores.c, after the index: the score arrays.  `score` NULL: the
 * index's score when scores.h5 holds it, else eva.  Picks the traced samples. */
int cs_report_gather_scores(cs_report_data *d, const char *score);
/* gather_index.c: read the index, refuse one of another dataset, count what was kept. */
int cs_report_gather_index(cs_report_data *d, const char *path);
/* gather_auto.c: the candidate table of INDEX.auto.json when it exists beside
 * the index (unreadable: a note, no error). */
int cs_report_gather_auto(cs_report_data *d);
/* gather_prov.c: run.yaml and its provenance section (absent: a note, no error). */
int cs_report_gather_prov(cs_report_data *d);
/* A class as figures and tables name it: "class 3", or with the name the run
 * recorded (provenance class_names) "class 3 (V)", or "3 V" in the short
 * form the narrow left margins use. */
enum { CS_CLASS_LONG, CS_CLASS_SHORT };
const char *cs_report_class(const cs_report_data *d, int c, int form, char *buf, size_t size);
/* gather_traj.c: per-epoch means and the traces' error norms, every frame verified. */
int cs_report_gather_traj(cs_report_data *d);
/* gather_cam.c: the shown samples' pixels and Grad-CAM maps; what cannot be
 * computed is a note, not an error. */
int cs_report_gather_cam(cs_report_data *d);

/* pick.c: the traced samples (highest, median and lowest trace score of each
 * shown class) and the thumbnails (CS_REPORT_THUMBS from each end). */
int cs_report_pick_traces(cs_report_data *d, const double *trace_score);
int cs_report_pick_samples(cs_report_data *d);
/* Classes with their own panels: the first CS_REPORT_MAX_PANELS. */
int cs_report_panels(const cs_report_data *d);

#endif
