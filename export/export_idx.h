/* export_idx.h - `coreset export`: from an index file to the pruned dataset.
 *
 * Reads the index, checks that its source dataset is the one on disk (the
 * SHA-256 and the split's sample count must match the header), reads the
 * kept samples' scores from the scores.h5 of the run the header names (or
 * beside the index), names the output arrays as the source does, and writes
 * HDF5 or .npz. */
#ifndef CS_EXPORT_IDX_H
#define CS_EXPORT_IDX_H

#include "export.h"

#include <stddef.h>

typedef enum cs_export_format { CS_FMT_H5 = 0, CS_FMT_NPZ, CS_FMT_FOLDER, CS_FMT_CSV } cs_export_format;

typedef struct cs_export_idx_args {
    const char *idx_path;
    const char *out_path;    /* NULL: beside the index, .idx replaced by .h5 / .npz */
    cs_export_format format;
    cs_compression comp;
    const char *exported;    /* the `exported` attribute; NULL: now, UTC ISO 8601 */
} cs_export_idx_args;

/* The output path for args (the default when out_path is NULL). */
void cs_export_default_path(const cs_export_idx_args *a, char *buf, size_t len);

/* Export; on success `written` (len bytes) holds the output path and *m the
 * samples kept.  Nothing is left behind on failure. */
int cs_export_index(const cs_export_idx_args *a, char *written, size_t len, int64_t *m);

/* The names of a split's sample and label arrays in the source, so that the
 * output keeps them: the HDF5 or npz layout found in the file (group
 * "train/images", prefix "train_images", or bare "images" for an unsplit
 * file), MedMNIST-style "<split>_images" for IDX and .npy sources. */
int cs_export_source_names(const cs_dataset *src, const char *split, const char *images_opt,
                           const char *labels_opt, char *img, char *lbl, size_t len);

#endif
