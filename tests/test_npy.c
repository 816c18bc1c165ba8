/* test_npy.c - the .npy header parser on hand-written headers. */
#include "harness.h"

#include "../common/err.h"
#include "../codecs/npy.h"

#include <stdint.h>

/* A v1 (or v2) .npy header around dict `d`, padded to 64 bytes, plus `data` bytes of zeros. */
static size_t hdr; /* header bytes of the last make() */

static size_t make(uint8_t *buf, int version, const char *d, size_t data)
{
    size_t pre = version == 1 ? 10 : 12, dl = strlen(d);
    size_t total = (pre + dl + 1 + 63) / 64 * 64;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)version;
    buf[7] = 0;
    size_t hl = total - pre;
    buf[8] = (uint8_t)hl, buf[9] = (uint8_t)(hl >> 8);
    if (version != 1)
        buf[10] = 0, buf[11] = 0;
    memcpy(buf + pre, d, dl);
    memset(buf + pre + dl, ' ', total - pre - dl - 1);
    buf[total - 1] = '\n';
    memset(buf + total, 0, data);
    hdr = total;
    return total + data;
}

static uint8_t b[4096];

static void test_parse_valid(void)
{
    npy_header h;
    size_t n = make(b, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 28, 28), }", 0);
    CHECK_OK(npy_parse_header(b, n, &h, "'t.npy'"));
    CHECK(h.etype == NPY_U8 && h.elem_size == 1 && h.rank == 3 && h.shape[0] == 3 &&
          h.shape[2] == 28 && h.data_offset == 128 && hdr == 128);
    CHECK(npy_sample_elems(&h) == 784 && npy_data_bytes(&h) == 3 * 784);
    /* Keys in another order, double quotes, a one-tuple, v2 header. */
    n = make(b, 2, "{\"shape\": (5,), \"fortran_order\": False, \"descr\": \"<f8\"}", 40);
    CHECK_OK(npy_parse_header(b, n, &h, "'t.npy'"));
    CHECK(h.etype == NPY_F64 && h.rank == 1 && h.shape[0] == 5 && h.data_offset == hdr);
    CHECK_OK(npy_check_len(&h, n, "'t.npy'"));
    n = make(b, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 8);
    CHECK_OK(npy_parse_header(b, n, &h, "'t.npy'"));
    CHECK(h.rank == 0 && npy_data_bytes(&h) == 8);
    CHECK(npy_check_len(&h, n, "'t.npy'") == CS_EFORMAT && strstr(cs_errmsg(), "scalar"));
}

static void expect_error(const char *dict, int code, const char *msg)
{
    npy_header h;
    size_t n = make(b, 1, dict, 0);
    int rc = npy_parse_header(b, n, &h, "'t.npy'");
    CHECK_MSG(rc == code, "%s: got %d (%s)", dict, rc, cs_errmsg());
    CHECK_MSG(strstr(cs_errmsg(), msg) && strstr(cs_errmsg(), "'t.npy'"), "%s: message '%s'",
              dict, cs_errmsg());
}

static void test_parse_errors(void)
{
    expect_error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", CS_EUNSUP,
                 "fortran_order");
    expect_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", CS_EUNSUP,
                 "big-endian");
    expect_error("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }", CS_EUNSUP,
                 "unsupported dtype '<c8'");
    expect_error("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", CS_EUNSUP,
                 "structured");
    expect_error("{'descr': '<f4', 'shape': (2, 2), }", CS_EFORMAT, "lacks 'fortran_order'");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }", CS_EFORMAT,
                 "bad 'shape'");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2], }", CS_EFORMAT,
                 "not a tuple");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
                 CS_EFORMAT, "unexpected key 'extra'");
    expect_error("['descr']", CS_EFORMAT, "not a dictionary");
    expect_error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                 "(99999999999, 99999999999, 99999999999), }",
                 CS_EFORMAT, "too large");
    npy_header h;
    CHECK(npy_parse_header((const uint8_t *)"NUMPY not", 9, &h, "'t.npy'") == CS_EFORMAT &&
          strstr(cs_errmsg(), "bad magic"));
    size_t n = make(b, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", 0);
    CHECK(npy_parse_header(b, n - 10, &h, "'t.npy'") == CS_EFORMAT &&
          strstr(cs_errmsg(), "truncated"));
    b[6] = 9;
    CHECK(npy_parse_header(b, n, &h, "'t.npy'") == CS_EUNSUP && strstr(cs_errmsg(), "version 9"));
}

static void test_short_data(void)
{
    npy_header h;
    size_t n = make(b, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 4), }",
                    98 * 16 + 5);
    npy_src src = {-1, 0, b, n};
    CHECK(npy_src_header(&src, &h, "'s.npy'") == CS_EFORMAT);
    CHECK(strstr(cs_errmsg(), "'s.npy': header says 100 samples, file holds 98"));
    src.len = hdr + 100 * 16;
    CHECK_OK(npy_src_header(&src, &h, "'s.npy'"));
    uint8_t out[4];
    CHECK(npy_src_read(&src, hdr + 100 * 16 - 2, out, 4, "'s.npy'") == CS_EFORMAT);
}

int main(void)
{
    RUN(test_parse_valid);
    RUN(test_parse_errors);
    RUN(test_short_data);
    return harness_done();
}
