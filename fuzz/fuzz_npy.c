/* fuzz_npy.c - libFuzzer target: the .npy header parser and range reads of
 * an in-memory .npy, as the npz reader does them after inflating a member. */
#include "../datasets/ds_backend.h"
#include "../codecs/npy.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    npy_header h;
    if (npy_parse_header(data, size, &h, "fuzz") != 0)
        return 0;
    npy_src src = {-1, 0, data, size};
    if (npy_src_header(&src, &h, "fuzz") != 0)
        return 0;
    int64_t elems = npy_sample_elems(&h);
    if (elems < 0 || elems > (1 << 16) || h.shape[0] < 1)
        return 0;
    int64_t count = h.shape[0] < 4 ? h.shape[0] : 4;
    float *x = malloc((size_t)(count * elems) * sizeof *x + 1);
    if (x) {
        ds_read_npy(&src, &h, h.shape[0] - count, count, x, ds_dtype_for(h.etype), "fuzz");
        free(x);
    }
    if (npy_etype_is_int(h.etype) && h.rank == 1) {
        int32_t *y;
        if (ds_labels_from(&y, data + h.data_offset, h.etype, (size_t)h.shape[0], "fuzz") == 0)
            free(y);
    }
    return 0;
}
