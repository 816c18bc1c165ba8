/* run_data.h - a run's training data as the run saw it: the dataset opened
 * with the run config's options, the training split loaded, checked against
 * the SHA-256 the run recorded, and the normalisation the run applied.  The
 * surrogate pass (score/surrogate.c) and the report's Grad-CAM maps
 * (report/gather_cam.c) both load through here, so the report recomputes
 * maps on exactly the inputs the model was trained on. */
#ifndef CS_RUN_DATA_H
#define CS_RUN_DATA_H

#include "../config/config.h"
#include "../datasets/dataset.h"
#include "../train/data.h"

typedef struct cs_run_data {
    cs_dataset *ds; /* open; its class names, for run.yaml */
    cs_data data;   /* the training split, raw (not yet normalised) */
    cs_norm norm;   /* the statistics normalize: dataset uses, from the whole split */
    char sha[65];   /* the dataset's SHA-256 */
} cs_run_data;

/* Load cfg's training split from `path` (NULL: cfg->dataset.path).  With
 * want_sha (non-NULL, non-empty) the dataset must still have that SHA-256;
 * with want_n >= 0 the split must hold that many samples.  An empty split is
 * refused.  Release with cs_run_data_release, also after an error. */
int cs_run_data_load(cs_run_data *rd, const cs_config *cfg, const char *path, const char *want_sha, int64_t want_n);
/* As cs_run_data_load, for the run in run_dir: an image folder's pixels come
 * from RUN/images.h5 when it holds them (cs_run_data_save_cache wrote it). */
int cs_run_data_load_in(cs_run_data *rd, const cs_config *cfg, const char *run_dir, const char *path,
                        const char *want_sha, int64_t want_n);
/* Write RUN/images.h5 for a dataset that decoded its samples (nothing for
 * the other kinds, or when they came from that file). */
int cs_run_data_save_cache(const cs_run_data *rd, const char *run_dir);
/* The run's validation split (cfg->dataset.val_split) of the opened dataset,
 * raw, into *d: 1 when loaded, 0 when the config names none or the file has
 * no split of that name (the caller holds training samples out instead),
 * negative on error.  Its labels must lie in the training split's classes. */
int cs_run_data_load_val(cs_run_data *rd, const cs_config *cfg, cs_data *d);
/* Normalise d (the whole split or rows of it) as the run did. */
void cs_run_data_normalise(const cs_run_data *rd, const cs_config *cfg, cs_data *d);
void cs_run_data_release(cs_run_data *rd);

#endif
