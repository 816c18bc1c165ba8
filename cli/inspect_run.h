/* inspect_run.h - what `coreset inspect RUN` gathers about a run directory
 * (inspect_run_gather.c) before inspect_run.c prints it as a table or JSON. */
#ifndef CS_INSPECT_RUN_H
#define CS_INSPECT_RUN_H

#include "../config/config.h"
#include "../run/run_prov.h"
#include "../formats/embed_file.h"
#include "../formats/traj.h"
#include "../score/scores_file.h"

#include <stdint.h>

#define RUN_PATH_MAX 4200

/* One frame of the trajectory: train-pass means over the samples. */
typedef struct run_frame {
    int32_t run, epoch;
    double loss, accuracy, used; /* NaN where the field is not recorded */
    int64_t focus;               /* samples with a focus value; -1 without the field */
} run_frame;

/* One surrogate run as the trajectory holds it. */
typedef struct run_stat {
    int32_t run, first, last;
    int64_t epochs;
    double effective_epochs; /* sum over its epochs of the fraction used; NaN without `used` */
} run_stat;

typedef struct run_score {
    char name[64];
    char params[256];
    int dir;
    double min, median, max;
    int64_t nan, inf;
} run_score;

typedef struct run_index {
    char name[256];  /* file name inside the run directory */
    int64_t n, m;
    char score[64];  /* its `score` header key, "" if absent */
    char error[512]; /* why it could not be read, "" if it could */
} run_index;

typedef struct run_summary {
    const char *path;
    int is_dir;
    /* trajectory.cst */
    char traj_path[RUN_PATH_MAX];
    int have_traj;
    cs_traj_reader *reader; /* its header (n, C, labels, metadata) */
    int64_t file_bytes;
    run_frame *frames;
    int64_t nframes;
    run_stat *runs;
    int nruns;
    int64_t *hist;      /* C label counts */
    double bytes;       /* compressed bytes per sample per epoch; NaN without frames */
    char torn[512];     /* a torn last frame (run in progress or crashed), "" if none */
    /* run.yaml: the config and the provenance section */
    int have_yaml;
    cs_config cfg;
    cs_run_prov prov;
    double recorded_ee[128]; /* provenance effective_epochs */
    int n_recorded_ee;
    /* scores.h5 */
    char scores_path[RUN_PATH_MAX];
    int have_scores;
    cs_scores_file sf;
    run_score *scores;
    /* embeddings.h5 */
    char embed_path[RUN_PATH_MAX];
    int have_embed;
    cs_embed embed;
    int embed_dtype;
    char embed_pass[16]; /* its `pass` attribute: train or eval */
    int64_t embed_bytes;
    /* index files in the directory */
    run_index *index;
    int nindex;
} run_summary;

/* Read everything there is about `path` (a run directory or a .cst file):
 * every trajectory frame is read and verified. */
int run_summary_gather(run_summary *s, const char *path);
void run_summary_release(run_summary *s);
/* The value of a "key=value" line of the trajectory's metadata, "" if absent. */
void run_summary_meta(const run_summary *s, const char *key, char *out, size_t len);
/* The value of a provenance key of run.yaml, or NULL. */
const char *run_summary_prov(const run_summary *s, const char *key);

#endif
