/* fuzz_wfdb_atr.c - libFuzzer target: MIT annotation parsing on arbitrary bytes.
 * The first 4 bytes (when present) give the record length to check against. */
#include "../common/err.h"
#include "../codecs/wfdb.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t nsamples = 0;
    if (size >= 4) {
        uint32_t v;
        memcpy(&v, data, 4);
        nsamples = v;
        data += 4;
        size -= 4;
    }
    cs_wfdb_ann *a = NULL;
    int64_t n = 0;
    if (cs_wfdb_parse_annotations_mem(data, size, "fuzz.atr", nsamples, &a, &n) == 0) {
        size_t total = 0;
        for (int64_t i = 0; i < n; i++)
            total += strlen(a[i].symbol) + (a[i].aux ? strlen(a[i].aux) : 0);
        (void)total;
        cs_wfdb_ann_free(a, n);
    }
    return 0;
}
