/* import_embed.h - RUN/embeddings.h5 from an imported [N, D] embedding.
 *
 * The layout formats/embed_file.h describes (the `embed` work): /embeddings
 * [E][N][D] float32 with a `dtype` attribute "float32", /epochs int32 [E]
 * (1-based), /index int64 [N], the provenance as root string attributes.  An
 * import stores one epoch, the last.  The one call site is
 * score/import.c's write_embeddings: when formats/embed_file.c is merged it
 * becomes cs_embed_write_epoch(path, epoch, emb, n, d, CS_EMBED_F32, attrs,
 * nattrs) and this file goes. */
#ifndef CS_IMPORT_EMBED_H
#define CS_IMPORT_EMBED_H

#include "../common/kv.h"

#include <stdint.h>

/* Write path atomically (cs_afile): one epoch of n x d float32 rows. */
int cs_import_embed_write(const char *path, int epoch, const float *emb, int64_t n, int d, const cs_kv *attrs,
                          int nattrs);

#endif
