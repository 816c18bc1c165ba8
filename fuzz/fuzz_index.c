/* fuzz_index.c - libFuzzer target: the coreset index file parser
 * (coreset-index(5)) must turn arbitrary bytes into an index or an error. */
#include "../formats/index_file.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_index_file f;
    if (cs_index_parse("fuzz.idx", data, size, &f) == 0) {
        /* Touch what the parser handed out. */
        volatile int64_t sink = f.n + f.m;
        if (f.m > 0)
            sink += f.idx[0] + f.idx[f.m - 1];
        for (int k = 0; k < f.num_keys; k++)
            sink += f.kv[k].key[0] + f.kv[k].value[0];
        (void)sink;
        cs_index_file_release(&f);
    }
    return 0;
}
