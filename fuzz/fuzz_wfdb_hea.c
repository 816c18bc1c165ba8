/* fuzz_wfdb_hea.c - libFuzzer target: the WFDB header parser on arbitrary bytes. */
#include "../common/err.h"
#include "../codecs/wfdb.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_wfdb_header h;
    if (cs_wfdb_parse_header_mem(&h, (const char *)data, size, "fuzz.hea", NULL) == 0) {
        /* Touch what a caller would read, so a bad pointer shows up here. */
        size_t total = strlen(h.name);
        for (int i = 0; i < h.nsig; i++)
            total += strlen(h.sig[i].fname) + strlen(h.sig[i].units) + strlen(h.sig[i].description);
        for (int i = 0; i < h.ncomments; i++)
            total += strlen(h.comments[i]);
        (void)total;
        cs_wfdb_header_release(&h);
    }
    return 0;
}
