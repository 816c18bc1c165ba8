/* fuzz_csv.c - libFuzzer target: the CSV reader on arbitrary bytes, and the
 * PTB-XL scp_codes parser on every field it yields.  Every row must come
 * back with fields inside the buffer, and every parse must end in a value or
 * a message. */
#include "../common/err.h"
#include "../codecs/csv.h"
#include "../datasets/ds_ecg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_csv c;
    if (cs_csv_open_mem(&c, (const char *)data, size, "fuzz.csv") != 0)
        return 0;
    int rc;
    while ((rc = cs_csv_next(&c)) > 0) {
        if (c.nfields < 1)
            abort();
        for (int i = 0; i < c.nfields; i++) {
            if (c.field[i] < c.buf || c.field[i] + strlen(c.field[i]) > c.buf + c.len)
                abort();
            ecg_scp_code codes[8];
            int n;
            if (ecg_parse_scp_codes(c.field[i], codes, 8, &n) == 0 && (n < 0 || n > 8))
                abort();
        }
    }
    if (rc < 0 && !*cs_errmsg())
        abort();
    cs_csv_release(&c);
    return 0;
}
