/* fuzz_import.c - libFuzzer target: `coreset import`'s reader on an npz in
 * memory: the archive, every array's header, the shape and value checks
 * (cs_import_scan), then every epoch turned into a trajectory record. */
#include "../score/import_file.h"
#include "../score/import_scan.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_dyn_file *f = NULL;
    if (cs_dyn_open_mem(&f, data, size, "fuzz.npz"))
        return 0;
    cs_import_info info;
    cs_score_params p;
    cs_score_params_default(&p);
    p.eva_k = 2;
    /* Keep a run small: the target is the parsing, not the memory. */
    if (cs_import_scan(f, &p, &info) == 0 && info.n * (int64_t)info.C <= (1 << 16) &&
        info.n * info.positions <= (1 << 18)) {
        size_t n = (size_t)info.n;
        float *cols = calloc(n * 6 + n * (size_t)info.C, sizeof *cols);
        uint8_t *bytes = calloc(2 * n, 1);
        cs_import_buf b;
        if (cols && bytes && cs_import_buf_alloc(&b, &info) == 0) {
            cs_epoch_record rec = {.err = cols, .conf = cols + n, .margin = cols + 2 * n, .entropy = cols + 3 * n,
                                   .loss = cols + 4 * n, .focus = cols + 5 * n, .probs = cols + 6 * n,
                                   .correct = bytes, .used = bytes + n};
            for (int t = 0; t < info.T; t++)
                if (cs_import_epoch(f, &info, t, &b, &rec))
                    break;
            cs_import_buf_release(&b);
        }
        free(cols);
        free(bytes);
    }
    cs_import_info_release(&info);
    cs_dyn_close(f);
    return 0;
}
