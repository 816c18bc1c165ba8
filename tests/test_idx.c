/* test_idx.c - IDX header validation and byte order, on hand-built files. */
#include "harness.h"

#include "../common/err.h"
#include "../codecs/idx.h"

#include <stdint.h>
#include <zlib.h>

static void test_parse(void)
{
    uint8_t b[64] = {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
    idx_header h;
    CHECK_OK(idx_parse(b, 16 + 24, &h, "'i'"));
    CHECK(h.etype == NPY_U8 && h.rank == 3 && h.dims[0] == 2 && h.dims[1] == 3 && h.dims[2] == 4 &&
          h.data_offset == 16);
    CHECK(idx_parse(b, 16 + 23, &h, "'i'") == CS_EFORMAT &&
          strstr(cs_errmsg(), "'i': truncated: header says 2 items, file holds 1"));
    b[1] = 1;
    CHECK(idx_parse(b, 40, &h, "'i'") == CS_EFORMAT && strstr(cs_errmsg(), "bad magic"));
    b[1] = 0, b[2] = 0x07;
    CHECK(idx_parse(b, 40, &h, "'i'") == CS_EFORMAT && strstr(cs_errmsg(), "type code 0x07"));
    b[2] = 0x08, b[3] = 0;
    CHECK(idx_parse(b, 40, &h, "'i'") == CS_EFORMAT && strstr(cs_errmsg(), "rank 0"));
    b[3] = 3, b[4] = 0x7f; /* 2 billion items */
    CHECK(idx_parse(b, 40, &h, "'i'") == CS_EFORMAT);
    CHECK(idx_parse(b, 3, &h, "'i'") == CS_EFORMAT);
    /* Found by fuzz_idx: int32, dims 2^16 x 2^17 x 2^30 = 2^63 items, whose
     * byte count (2^65) wrapped to 0 and passed the size check. */
    uint8_t w[18] = {0, 0, 0x0C, 3, 0, 1, 0, 0, 0, 2, 0, 0, 0x40, 0, 0, 0, 0, 2};
    CHECK(idx_parse(w, sizeof w, &h, "'w'") == CS_EFORMAT && strstr(cs_errmsg(), "implausibly large"));
}

static void test_byte_order(void)
{
    uint8_t b[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe};
    idx_header h;
    CHECK_OK(idx_parse(b, sizeof b, &h, "'i'"));
    CHECK(h.etype == NPY_I32 && h.elem_size == 4);
    int32_t v[2];
    memcpy(v, b + h.data_offset, 8);
    idx_to_host(v, h.etype, 2);
    CHECK(v[0] == 258 && v[1] == -2);
}

static void test_load_gz(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/x-labels-idx1-ubyte.gz", harness_tmpdir());
    uint8_t b[] = {0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9};
    gzFile g = gzopen(path, "wb");
    CHECK(g && gzwrite(g, b, sizeof b) == (int)sizeof b);
    gzclose(g);
    uint8_t *buf;
    size_t len;
    CHECK_OK(idx_load(path, &buf, &len));
    CHECK(len == sizeof b && memcmp(buf, b, len) == 0);
    free(buf);
    CHECK(idx_load("/nonexistent/x-idx1-ubyte", &buf, &len) == CS_EIO &&
          strstr(cs_errmsg(), "cannot open '/nonexistent/x-idx1-ubyte'"));
    unlink(path);
    rmdir(harness_tmpdir());
}

int main(void)
{
    RUN(test_parse);
    RUN(test_byte_order);
    RUN(test_load_gz);
    return harness_done();
}
