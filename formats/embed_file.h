/* embed_file.h - RUN/embeddings.h5: every sample's penultimate features (the
 * global-average-pool output that feeds the linear head) at a few epochs.
 *
 * Layout: /embeddings [E][N][D], float16 or float32 (its `dtype` attribute,
 * "float16" or "float32", says which, as does the HDF5 type), /epochs int32 [E]
 * (the 1-based epoch numbers, ascending), /index int64 [N] (the sample's index
 * in the split; optional for readers).  Root string attributes carry the
 * provenance scores.h5 carries.  `coreset score` writes one epoch at a time:
 * each write rewrites the whole file through cs_afile (temporary file, fsync,
 * rename), so a killed run leaves the previous file or the new one. */
#ifndef CS_EMBED_FILE_H
#define CS_EMBED_FILE_H

#include "../common/kv.h"

#include <stdint.h>

typedef struct cs_embed {
    int64_t n;
    int d;
    int num_epochs;
    int32_t *epochs; /* num_epochs, ascending */
} cs_embed;

/* The stored dtypes (record.embed_dtype). */
enum { CS_EMBED_F16 = 0, CS_EMBED_F32 = 1 };

/* Shape and stored epochs, no data (release with cs_embed_release). */
int cs_embed_stat(const char *path, cs_embed *info);
/* epoch = 0: the last stored epoch; else that epoch (an error lists the stored
 * ones).  *out: malloc'd n*d float32, row-major (float16 converted). */
int cs_embed_read(const char *path, int epoch, float **out, int64_t *n, int *d);
void cs_embed_release(cs_embed *info);
/* The stored dtype (CS_EMBED_F16 or CS_EMBED_F32) into *dtype. */
int cs_embed_dtype(const char *path, int *dtype);

/* Store epoch `epoch`'s n x d float32 rows as `dtype`.  keep_earlier: the epochs
 * of the file already at path (if any) below `epoch` are kept, later ones dropped
 * (a resumed run recomputes them), and a shape or dtype unlike that file's is an
 * error; 0: any file at path is replaced (a new run).  The whole file is rewritten
 * atomically; attrs become the root attributes. */
int cs_embed_write_epoch(const char *path, int epoch, const float *emb, int64_t n, int d, int dtype,
                         int keep_earlier, const cs_kv *attrs, int nattrs);

/* IEEE half precision, round to nearest even (as numpy's astype(float16)). */
uint16_t cs_f32_to_f16(float f);
float cs_f16_to_f32(uint16_t h);

#endif
