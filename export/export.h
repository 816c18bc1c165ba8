/* export.h - write a pruned copy of a dataset: the selected samples of one
 * split (in index order), untouched copies of the other splits, the source
 * index and score of every kept sample, and provenance attributes.
 *
 * Streaming: the source is read block by block and only selected rows are
 * kept, so peak memory is one block, whatever the dataset's size. */
#ifndef CS_EXPORT_H
#define CS_EXPORT_H

#include "../datasets/dataset.h"

#include <stddef.h>
#include <stdint.h>

#include "../common/kv.h"

typedef enum cs_compression { CS_COMP_GZIP = 0, CS_COMP_ZSTD, CS_COMP_NONE } cs_compression;

typedef struct cs_export_split {
    const char *split;       /* source split name */
    const char *images_name; /* output dataset names */
    const char *labels_name;
    const int64_t *idx;      /* ascending indices to keep; NULL = the whole split */
    int64_t m;               /* number of indices */
    const float *scores;     /* score of each kept sample (m values), or NULL */
} cs_export_split;

typedef struct cs_export_params {
    cs_dataset *src;
    const cs_export_split *splits;
    int nsplits;
    const cs_kv *attrs; /* provenance, written as root string attributes */
    int nattrs;
    const char *out_path;
    cs_compression comp;
    int level; /* gzip 1-9 (default 4), zstd 1-19 (default 3); 0 = default */
} cs_export_params;

/* Rows per streaming block: about 8 MiB of samples (at least one row, at
 * most 4096), so that memory stays bounded however large one sample is. */
static inline int64_t cs_export_block_rows(size_t row_bytes)
{
    size_t rows = ((size_t)8 << 20) / (row_bytes ? row_bytes : 1);
    return rows < 1 ? 1 : rows > 4096 ? 4096 : (int64_t)rows;
}

/* The name of a pruned split's extra array `what` ("source_index", "score"):
 * beside the images in their group when images_name is "<group>/<name>"
 * ("train/source_index"), else "<split>_<what>" ("train_source_index"). */
void cs_export_aux_name(const cs_export_split *s, const char *what, char *buf, size_t len);

/* HDF5 output: <images_name>, <labels_name> per split, plus for the pruned
 * split source_index (int64) and score (float32) (cs_export_aux_name).
 * Written to a temp file and renamed. */
int cs_export_h5(const cs_export_params *p);

/* NumPy .npz output (a zip of stored .npy members, zip64 where needed):
 * <images_name>.npy, <labels_name>.npy per split, the pruned split's
 * <split>_source_index.npy (int64) and <split>_score.npy (float32), and
 * provenance.npy, a 1-D array of "key: value" byte strings.  Streamed block
 * by block; compression does not apply (members are stored). */
int cs_export_npz(const cs_export_params *p);

#endif
