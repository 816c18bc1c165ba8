/* fuzz_zip.c - libFuzzer target: zip central directory parsing and member
 * extraction (stored and deflated, CRC checks) from a memory buffer. */
#include "../codecs/zip.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_zip *z;
    if (zip_open_mem(&z, data, size, "fuzz.npz") != 0)
        return 0;
    int n = zip_count(z);
    for (int i = 0; i < n && i < 16; i++) {
        uint8_t pre[12], *buf;
        size_t len;
        const zip_member *m = zip_member_at(z, i);
        zip_find(z, m->name);
        zip_read_prefix(z, i, pre, m->size < sizeof pre ? (size_t)m->size : sizeof pre);
        zip_verify(z, i);
        if (zip_extract(z, i, &buf, &len) == 0)
            free(buf);
    }
    zip_free(z);
    return 0;
}
