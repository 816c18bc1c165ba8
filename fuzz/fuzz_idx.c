/* fuzz_idx.c - libFuzzer target: IDX header and data validation, byte order
 * conversion and label conversion, as the IDX dataset reader does them. */
#include "../datasets/ds_backend.h"
#include "../codecs/idx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idx_header h;
    if (idx_parse(data, size, &h, "fuzz") != 0)
        return 0;
    size_t n = 1;
    for (int i = 0; i < h.rank; i++)
        n *= (size_t)h.dims[i];
    uint8_t *copy = malloc(n * h.elem_size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data + h.data_offset, n * h.elem_size);
    idx_to_host(copy, h.etype, n);
    float *f = malloc(n * sizeof *f + 1);
    if (f) {
        ds_convert(f, ds_dtype_for(h.etype), copy, h.etype, n);
        free(f);
    }
    int32_t *y;
    if (h.rank == 1 && ds_labels_from(&y, copy, h.etype, n, "fuzz") == 0)
        free(y);
    free(copy);
    return 0;
}
