/* h5_zstd_filter.c - the zstd chunk filter for HDF5 (id 32015). */
#include "h5_zstd_filter.h"

#include "../common/err.h"

#include <hdf5.h>
#include <stdlib.h>
#include <zstd.h>

/* HDF5 calls this per chunk: compress unless H5Z_FLAG_REVERSE is set.  On any
 * failure it returns 0, which HDF5 turns into a write or read error. */
static size_t zstd_filter(unsigned int flags, size_t cd_nelmts, const unsigned int cd_values[],
                          size_t nbytes, size_t *buf_size, void **buf)
{
    void *out = NULL;
    size_t out_size;
    if (flags & H5Z_FLAG_REVERSE) {
        unsigned long long want = ZSTD_getFrameContentSize(*buf, nbytes);
        if (want == ZSTD_CONTENTSIZE_ERROR || want == ZSTD_CONTENTSIZE_UNKNOWN)
            return 0;
        out = malloc(want ? want : 1);
        if (!out)
            return 0;
        out_size = ZSTD_decompress(out, want, *buf, nbytes);
        if (ZSTD_isError(out_size) || out_size != want) {
            free(out);
            return 0;
        }
    } else {
        int level = cd_nelmts > 0 ? (int)cd_values[0] : 3;
        size_t bound = ZSTD_compressBound(nbytes);
        out = malloc(bound);
        if (!out)
            return 0;
        out_size = ZSTD_compress(out, bound, *buf, nbytes, level);
        if (ZSTD_isError(out_size)) {
            free(out);
            return 0;
        }
    }
    free(*buf);
    *buf = out;
    *buf_size = out_size;
    return out_size;
}

int cs_h5_register_zstd(void)
{
    if (H5Zfilter_avail(CS_H5Z_FILTER_ZSTD) > 0)
        return 0;
    static const H5Z_class2_t cls = {
        H5Z_CLASS_T_VERS, (H5Z_filter_t)CS_H5Z_FILTER_ZSTD, 1, 1, "zstd", NULL, NULL, zstd_filter,
    };
    if (H5Zregister(&cls) < 0)
        return cs_error(CS_EINTERNAL, "cannot register the HDF5 zstd filter (32015)");
    return 0;
}
